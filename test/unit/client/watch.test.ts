import assert from 'node:assert/strict';
import type http from 'node:http';
import { test } from 'node:test';
import { GoneError } from '../../../pkg/api/errors.js';
import { ConnectionError, RestClient, WatchDecodeError, decodeWatchStream, type KubeObject, type ResourceDescriptor, type WatchEvent } from '../../../pkg/client/index.js';
import { deadUrl, sendJson, startServer, status, type Handler, type TestServer } from './server.fixture.js';

const pods: ResourceDescriptor = { group: '', version: 'v1', plural: 'pods', namespaced: true };

async function* chunksOf(parts: readonly (string | Uint8Array)[]): AsyncGenerator<string | Uint8Array> {
  for (const p of parts) yield p;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const line = (type: string, name: string): string => `${JSON.stringify({ type, object: { kind: 'Pod', metadata: { name } } })}\n`;
const twoEvents = line('ADDED', 'a') + line('MODIFIED', 'ü-b');
const bytes = Buffer.from(twoEvents, 'utf8');

test('events split at every byte position, even inside a UTF-8 character, decode the same', async () => {
  for (let cut = 1; cut < bytes.length; cut++) {
    const events = await collect(decodeWatchStream<KubeObject>(chunksOf([bytes.subarray(0, cut), bytes.subarray(cut)])));
    assert.deepEqual(
      events.map((e) => [e.type, (e.object as KubeObject).metadata?.name]),
      [
        ['ADDED', 'a'],
        ['MODIFIED', 'ü-b'],
      ],
      `cut at ${cut}`,
    );
  }
});

const decodeCases: { name: string; parts: string[]; expect: string[] | RegExp }[] = [
  { name: 'one byte per chunk still decodes', parts: [...twoEvents], expect: ['ADDED', 'MODIFIED'] },
  { name: 'blank keep-alive lines are skipped', parts: ['\n', line('ADDED', 'a'), '\r\n\n'], expect: ['ADDED'] },
  { name: 'a last event without a trailing newline is decoded', parts: [line('ADDED', 'a').trim()], expect: ['ADDED'] },
  { name: 'a BOOKMARK event is passed on', parts: [line('BOOKMARK', '')], expect: ['BOOKMARK'] },
  { name: 'a malformed line is an error, not skipped', parts: [line('ADDED', 'a'), '{"type":"ADDED",\n'], expect: /malformed watch event/ },
  { name: 'an unknown event type is an error', parts: ['{"type":"SYNC","object":{}}\n'], expect: /unknown watch event type "SYNC"/ },
  { name: 'an event without an object is an error', parts: ['{"type":"ADDED"}\n'], expect: /carries no object/ },
  { name: 'a half-written last event is an error', parts: ['{"type":"ADDED","obj'], expect: /malformed watch event/ },
];
for (const tc of decodeCases) {
  test(tc.name, async () => {
    const run = collect(decodeWatchStream(chunksOf(tc.parts)));
    if (tc.expect instanceof RegExp) await assert.rejects(run, (err: unknown) => err instanceof WatchDecodeError && (tc.expect as RegExp).test(err.message));
    else
      assert.deepEqual(
        (await run).map((e) => e.type),
        tc.expect,
      );
  });
}

/** A watch endpoint that writes the given lines with small pauses, then ends or hangs. */
function streaming(parts: readonly string[], end: 'close' | 'hang' | 'reset', onClose?: () => void): Handler {
  return async (_req, res: http.ServerResponse, raw) => {
    raw.socket.on('close', () => onClose?.());
    // Writes after the client hung up fail; that is expected here.
    res.on('error', () => undefined);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    for (const p of parts) {
      res.write(p);
      await new Promise((r) => setTimeout(r, 5));
    }
    if (end === 'close') res.end();
    else if (end === 'reset') res.socket?.destroy();
  };
}

async function withWatch(handler: Handler, fn: (c: RestClient, s: TestServer) => Promise<void>): Promise<void> {
  const s = await startServer(handler);
  const c = new RestClient({ servers: [s.url] });
  try {
    await fn(c, s);
  } finally {
    c.close();
    await s.close();
  }
}

test('a watch sends watch=true with its options and yields events until the server closes the stream', async () => {
  const parts = [line('ADDED', 'a').slice(0, 10), line('ADDED', 'a').slice(10) + line('MODIFIED', 'a'), line('DELETED', 'a')];
  await withWatch(streaming(parts, 'close'), async (c, s) => {
    const w = await c.resource(pods).namespace('ns').watch({ resourceVersion: '7', allowWatchBookmarks: true, labelSelector: 'app=web', timeoutSeconds: 30 });
    const events = await collect(w);
    assert.deepEqual(
      events.map((e) => e.type),
      ['ADDED', 'MODIFIED', 'DELETED'],
    );
    assert.equal(s.requests[0]?.url, '/api/v1/namespaces/ns/pods?resourceVersion=7&labelSelector=app%3Dweb&allowWatchBookmarks=true&timeoutSeconds=30&watch=true');
  });
});

test('an ERROR event with a 410 Status throws GoneError so the caller relists', async () => {
  const gone = `${JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', 'too old resource version: 5 (10)') })}\n`;
  await withWatch(streaming([line('ADDED', 'a'), gone, line('ADDED', 'b')], 'hang'), async (c) => {
    const w = await c.resource(pods).watch({ resourceVersion: '5' });
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const ev of w) seen.push(ev.type);
      })(),
      (err: unknown) => err instanceof GoneError && err.message === 'too old resource version: 5 (10)',
    );
    assert.deepEqual(seen, ['ADDED']);
  });
});

test('an ERROR event with another Status is yielded to the caller', async () => {
  const internal = `${JSON.stringify({ type: 'ERROR', object: status(500, 'InternalError', 'Internal error occurred: boom') })}\n`;
  await withWatch(streaming([internal], 'close'), async (c) => {
    const events: WatchEvent<KubeObject>[] = await collect(await c.resource(pods).watch());
    assert.equal(events.length, 1);
    const ev = events[0]!;
    assert.equal(ev.type, 'ERROR');
    if (ev.type === 'ERROR') assert.equal(ev.object.code, 500);
  });
});

test('a 410 answer to the watch request itself is thrown as GoneError', async () => {
  await withWatch((_req, res) => sendJson(res, 410, status(410, 'Expired', 'too old resource version: 1 (2)')), async (c) => {
    await assert.rejects(c.resource(pods).watch({ resourceVersion: '1' }), GoneError);
  });
});

test('aborting the signal ends the iteration and closes the connection', async () => {
  let closed = false;
  await withWatch(
    streaming([line('ADDED', 'a')], 'hang', () => {
      closed = true;
    }),
    async (c) => {
      const ac = new AbortController();
      const w = await c.resource(pods).watch({ signal: ac.signal });
      const seen: string[] = [];
      for await (const ev of w) {
        seen.push(ev.type);
        ac.abort();
      }
      assert.deepEqual(seen, ['ADDED']);
      await waitFor(() => closed);
    },
  );
});

test('breaking out of the loop releases the socket', async () => {
  let closed = false;
  await withWatch(
    streaming([line('ADDED', 'a'), line('ADDED', 'b')], 'hang', () => {
      closed = true;
    }),
    async (c) => {
      const w = await c.resource(pods).watch();
      for await (const _ev of w) break;
      await waitFor(() => closed);
    },
  );
});

test('a connection lost mid-stream throws ConnectionError', async () => {
  await withWatch(streaming([line('ADDED', 'a'), '{"type":"MOD'], 'reset'), async (c) => {
    const w = await c.resource(pods).watch();
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const ev of w) seen.push(ev.type);
      })(),
      ConnectionError,
    );
    assert.deepEqual(seen, ['ADDED']);
  });
});

test('a watch fails over from a refused port to a live server', async () => {
  const s = await startServer(streaming([line('ADDED', 'a')], 'close'));
  const c = new RestClient({ servers: [await deadUrl(), s.url] });
  try {
    const w = await c.resource(pods).watch();
    assert.equal(w.server, s.url);
    assert.equal((await collect(w)).length, 1);
  } finally {
    c.close();
    await s.close();
  }
});

async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
