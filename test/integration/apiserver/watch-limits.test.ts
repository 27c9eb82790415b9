// Watch bookmarks, and slow watchers being dropped instead of growing memory.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startApiServer, type TestCluster } from '../../helpers/apiserver.js';

describe('watch bookmarks and slow watchers', () => {
  let c: TestCluster;
  before(async () => {
    c = await startApiServer({ watcherQueueLimit: 20, watchBookmarkIntervalMs: 300 });
  });
  after(async () => {
    await c.stop();
  });

  test('an idle watch with allowWatchBookmarks receives BOOKMARK events carrying a resourceVersion', async () => {
    const rv = ((await c.request('GET', '/api/v1/namespaces/default/configmaps')).body as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    const ctrl = new AbortController();
    const res = await fetch(`${c.url}/api/v1/namespaces/default/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion=${rv}`, { signal: ctrl.signal });
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    ctrl.abort();
    const ev = JSON.parse(Buffer.from(value!).toString().split('\n')[0]!) as { type: string; object: { kind: string; metadata: { resourceVersion: string } } };
    assert.equal(ev.type, 'BOOKMARK');
    assert.equal(ev.object.kind, 'ConfigMap');
    assert.ok(Number(ev.object.metadata.resourceVersion) >= Number(rv));
  });

  test('a watcher that stops reading is disconnected once its queue is full, and the server stays healthy', async () => {
    const port = new URL(c.url).port;
    const sock = connect(Number(port), '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.write(`GET /api/v1/namespaces/default/configmaps?watch=1&resourceVersion=0 HTTP/1.1\r\nHost: x\r\n\r\n`);
    sock.pause(); // never read: the server's writes back up
    const closed = new Promise<void>((r) => sock.once('close', () => r()));
    const big = 'x'.repeat(200_000);
    for (let i = 0; i < 120; i++) {
      const res = await c.request('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `slow-${i}` }, data: { big } });
      assert.equal(res.status, 201);
    }
    sock.resume();
    await closed; // the server ended the stream; reading drains what was buffered, then EOF
    assert.equal((await c.request('GET', '/readyz')).status, 200);
  });
});
