// The remote command protocol over SPDY (v4.channel.k8s.io), as the kubelet speaks it to a CRI
// runtime's streaming server and as such a server answers: an HTTP upgrade to SPDY/3.1, then one
// stream per purpose named by its `streamType` header — error (the final Status), stdin, stdout,
// stderr, resize — opened by the client in that order. Unlike v4 over WebSocket, stdin can end
// (a FIN on its stream), so `kubectl exec -i` with piped input finishes.
import { request, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { StreamFlags } from '../cri/client.js';
import { SpdyConnection, type SpdyStream } from './spdy.js';
import { STREAM_PROTOCOL_V4 } from './remotecommand.js';

export type RemoteStreamType = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';

export interface RemoteCommandStreams {
  readonly connection: SpdyConnection;
  readonly error: SpdyStream;
  readonly stdin?: SpdyStream;
  readonly stdout?: SpdyStream;
  readonly stderr?: SpdyStream;
  readonly resize?: SpdyStream;
}

export class RemoteCommandError extends Error {
  override readonly name = 'RemoteCommandError';
}

/** The streams a session has, in the order the client opens them. */
export function expectedStreams(flags: StreamFlags): RemoteStreamType[] {
  const types: RemoteStreamType[] = ['error'];
  if (flags.stdin) types.push('stdin');
  if (flags.stdout) types.push('stdout');
  if (flags.stderr && !flags.tty) types.push('stderr');
  if (flags.tty) types.push('resize');
  return types;
}

/** Upgrades `url` to SPDY and opens the session's streams. */
export function dialRemoteCommand(url: string, flags: StreamFlags, timeoutMs = 30_000): Promise<RemoteCommandStreams> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': STREAM_PROTOCOL_V4 }, timeout: timeoutMs });
    req.on('upgrade', (res: IncomingMessage, socket: Duplex, head: Buffer) => {
      const protocol = res.headers['x-stream-protocol-version'];
      if (protocol !== STREAM_PROTOCOL_V4) {
        socket.destroy();
        reject(new RemoteCommandError(`the streaming server chose protocol ${String(protocol)}, not ${STREAM_PROTOCOL_V4}`));
        return;
      }
      const connection = new SpdyConnection(socket, 'client', head);
      const opened: Partial<Record<RemoteStreamType, SpdyStream>> = {};
      for (const type of expectedStreams(flags)) opened[type] = connection.openStream({ streamType: type });
      resolve({ connection, error: opened.error!, ...opened });
    });
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => reject(new RemoteCommandError(`the streaming server refused the upgrade (${res.statusCode}): ${Buffer.concat(chunks).toString().trim()}`)));
    });
    req.on('timeout', () => req.destroy(new RemoteCommandError(`no answer from the streaming server within ${timeoutMs} ms`)));
    req.on('error', (err) => reject(err instanceof RemoteCommandError ? err : new RemoteCommandError(`error dialing the streaming server: ${err.message}`)));
    req.end();
  });
}

/**
 * The server's side: answers the upgrade (101, SPDY/3.1, v4.channel.k8s.io) and resolves once
 * the client opened every stream `flags` call for (or rejects after `timeoutMs`).
 */
export function acceptRemoteCommand(req: IncomingMessage, socket: Duplex, head: Buffer, flags: StreamFlags, timeoutMs = 30_000): Promise<RemoteCommandStreams> {
  const offered = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((s) => s.trim());
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'spdy/3.1' || !offered.includes(STREAM_PROTOCOL_V4)) {
    const body = `unable to upgrade: this streaming server speaks SPDY/3.1 with ${STREAM_PROTOCOL_V4}\n`;
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    return Promise.reject(new RemoteCommandError(body.trim()));
  }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${STREAM_PROTOCOL_V4}\r\n\r\n`);
  const connection = new SpdyConnection(socket, 'server', head);
  const wanted = new Set(expectedStreams(flags));
  const got: Partial<Record<RemoteStreamType, SpdyStream>> = {};
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      connection.close();
      reject(new RemoteCommandError(`timed out waiting for the client to create streams: got ${Object.keys(got).join(', ') || 'none'}`));
    }, timeoutMs);
    connection.on('stream', (stream: SpdyStream) => {
      const type = (stream.headers['streamtype'] ?? '') as RemoteStreamType;
      if (!wanted.has(type)) {
        stream.reset();
        return;
      }
      got[type] = stream;
      if ([...wanted].every((t) => got[t] !== undefined)) {
        clearTimeout(timer);
        resolve({ connection, error: got.error!, ...got });
      }
    });
    connection.on('close', () => {
      clearTimeout(timer);
      reject(new RemoteCommandError('the client went away before its streams were set up'));
    });
  });
}
