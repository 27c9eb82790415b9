import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeHeaderBlock, encodeHeaderBlock, SPDY_DICTIONARY } from '../../../pkg/streaming/spdy.js';
import { acceptRemoteCommand, dialRemoteCommand, expectedStreams, type RemoteCommandStreams } from '../../../pkg/streaming/remotecommand-spdy.js';
import type { StreamFlags } from '../../../pkg/cri/client.js';

/** A streaming server whose sessions run `serve`, and its URL. */
async function server(flags: StreamFlags, serve: (st: RemoteCommandStreams) => void): Promise<{ url: string; srv: Server }> {
  const srv = createServer();
  srv.on('upgrade', (req, socket, head) => void acceptRemoteCommand(req, socket, head, flags).then(serve, () => undefined));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/exec/token`, srv };
}

const collect = (stream: { on(e: 'data', f: (d: Buffer) => void): unknown; on(e: 'end', f: () => void): unknown } | undefined): Promise<string> =>
  new Promise((resolve) => {
    const parts: Buffer[] = [];
    stream?.on('data', (d: Buffer) => parts.push(d));
    stream?.on('end', () => resolve(Buffer.concat(parts).toString()));
  });

describe('SPDY/3.1 as Kubernetes streaming speaks it', () => {
  test('the header dictionary is the protocol\'s, byte for byte (1423 bytes)', () => {
    assert.equal(SPDY_DICTIONARY.length, 1423);
    assert.equal(createHash('sha256').update(SPDY_DICTIONARY).digest('hex'), '51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02');
  });

  test('a header block keeps names lower-case and values as given', () => {
    assert.deepEqual(decodeHeaderBlock(encodeHeaderBlock({ streamType: 'stdout', Port: '8080' })), { streamtype: 'stdout', port: '8080' });
    assert.throws(() => decodeHeaderBlock(Buffer.from([0, 0, 0, 1, 0, 0, 0, 9])), /truncated header block/);
  });

  test('the client opens error, stdin, stdout, stderr, resize as the flags say', () => {
    assert.deepEqual(expectedStreams({ stdin: true, stdout: true, stderr: true, tty: false }), ['error', 'stdin', 'stdout', 'stderr']);
    assert.deepEqual(expectedStreams({ stdin: true, stdout: true, stderr: true, tty: true }), ['error', 'stdin', 'stdout', 'resize']);
    assert.deepEqual(expectedStreams({ stdin: false, stdout: true, stderr: false, tty: false }), ['error', 'stdout']);
  });

  test('a session carries stdin to its end (FIN), output back, and the Status last', async () => {
    const flags = { stdin: true, stdout: true, stderr: true, tty: false };
    const { url, srv } = await server(flags, (st) => {
      const input: Buffer[] = [];
      st.stdin?.on('data', (d: Buffer) => input.push(d));
      st.stdin?.on('end', () => {
        st.stdout?.write(Buffer.from(Buffer.concat(input).toString().toUpperCase()));
        st.stderr?.write(Buffer.from('done\n'));
        st.error.write(Buffer.from('{"status":"Success"}'));
        for (const s of [st.stdout, st.stderr, st.error]) s?.end();
        st.connection.close();
      });
    });
    try {
      const client = await dialRemoteCommand(url, flags);
      const [out, err, status] = [collect(client.stdout), collect(client.stderr), collect(client.error)];
      client.stdin?.write(Buffer.from('hello '));
      client.stdin?.write(Buffer.alloc(100_000, 'x'));
      client.stdin?.end();
      assert.equal(await out, 'HELLO ' + 'X'.repeat(100_000));
      assert.equal(await err, 'done\n');
      assert.equal(await status, '{"status":"Success"}');
    } finally {
      srv.close();
    }
  });

  test('a server refuses an upgrade that is not SPDY with v4.channel.k8s.io', async () => {
    const { srv, url } = await server({ stdin: false, stdout: true, stderr: false, tty: false }, () => undefined);
    try {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(url, { method: 'POST', headers: { Connection: 'Upgrade', Upgrade: 'websocket' } });
        req.on('response', (res) => {
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(answer.status, 400);
      assert.match(answer.body, /speaks SPDY\/3\.1 with v4\.channel\.k8s\.io/);
    } finally {
      srv.close();
    }
  });
});
