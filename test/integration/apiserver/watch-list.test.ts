import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer, type TestCluster } from '../../helpers/apiserver.js';

type Obj = { metadata: { name?: string; resourceVersion?: string; labels?: Record<string, string> }; [k: string]: unknown };
type Ev = { type: string; object: Obj & { code?: number; reason?: string } };

/** Reads watch events until `count` arrived or the stream ends. */
async function readEvents(url: string, count: number, timeoutMs = 5000): Promise<Ev[]> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  const events: Ev[] = [];
  try {
    const res = await fetch(url, { signal: ctrl.signal });
    const reader = res.body!.getReader();
    let buf = '';
    while (events.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += Buffer.from(value).toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buf.slice(0, i)) as Ev);
        buf = buf.slice(i + 1);
      }
    }
    ctrl.abort();
  } catch (err) {
    if (!ctrl.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
  }
  return events;
}

describe('apiserver lists and watches', () => {
  let c: TestCluster;
  before(async () => {
    c = await startApiServer({ watchCacheSize: 50 });
    await c.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'wl' } });
  });
  after(async () => {
    await c.stop();
  });

  const cm = (name: string, labels: Record<string, string> = {}): object => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels } });

  test('limit and continue page through a list at one revision', async () => {
    for (let i = 0; i < 7; i++) await c.request('POST', '/api/v1/namespaces/wl/configmaps', cm(`page-${i}`, { page: 'yes' }));
    const names: string[] = [];
    let cont = '';
    let pages = 0;
    let rv = '';
    do {
      const res = await c.request('GET', `/api/v1/namespaces/wl/configmaps?labelSelector=page%3Dyes&limit=3${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      assert.equal(res.status, 200);
      const list = res.body as { metadata: { continue?: string; resourceVersion: string }; items: Obj[] };
      if (rv === '') rv = list.metadata.resourceVersion;
      else assert.equal(list.metadata.resourceVersion, rv, 'every page is read at the first page revision');
      names.push(...list.items.map((o) => o.metadata.name!));
      cont = list.metadata.continue ?? '';
      pages++;
      // A write between pages does not show up in later pages.
      if (pages === 1) await c.request('POST', '/api/v1/namespaces/wl/configmaps', cm('page-late', { page: 'yes' }));
    } while (cont !== '');
    assert.equal(pages, 3);
    assert.deepEqual(names, ['page-0', 'page-1', 'page-2', 'page-3', 'page-4', 'page-5', 'page-6']);
  });

  test('label selectors support set-based operators', async () => {
    await c.request('POST', '/api/v1/namespaces/wl/configmaps', cm('sel-a', { tier: 'web', env: 'prod' }));
    await c.request('POST', '/api/v1/namespaces/wl/configmaps', cm('sel-b', { tier: 'db', env: 'prod' }));
    await c.request('POST', '/api/v1/namespaces/wl/configmaps', cm('sel-c', { tier: 'web' }));
    const q = encodeURIComponent('tier in (web,db),env!=dev,env');
    const res = await c.request('GET', `/api/v1/namespaces/wl/configmaps?labelSelector=${q}`);
    assert.deepEqual((res.body as { items: Obj[] }).items.map((o) => o.metadata.name), ['sel-a', 'sel-b']);
  });

  test('field selectors filter on metadata.name and refuse unsupported fields', async () => {
    const res = await c.request('GET', '/api/v1/namespaces/wl/configmaps?fieldSelector=metadata.name%3Dsel-b');
    assert.deepEqual((res.body as { items: Obj[] }).items.map((o) => o.metadata.name), ['sel-b']);
    const bad = await c.request('GET', '/api/v1/namespaces/wl/configmaps?fieldSelector=data.x%3D1');
    assert.equal(bad.status, 400);
    assert.equal((bad.body as { message: string }).message, 'field label not supported: data.x');
  });

  test('a watch resumes after a resourceVersion and sees later changes in order', async () => {
    const created = (await c.request('POST', '/api/v1/namespaces/wl/configmaps', cm('w-1'))).body as Obj;
    const rv = created.metadata.resourceVersion!;
    await c.request('PATCH', '/api/v1/namespaces/wl/configmaps/w-1', { data: { k: 'v' } }, { 'Content-Type': 'application/merge-patch+json' });
    await c.request('DELETE', '/api/v1/namespaces/wl/configmaps/w-1');
    const events = await readEvents(`${c.url}/api/v1/namespaces/wl/configmaps?watch=1&resourceVersion=${rv}&fieldSelector=metadata.name%3Dw-1`, 2);
    assert.deepEqual(events.map((e) => e.type), ['MODIFIED', 'DELETED']);
    assert.ok(Number(events[1]!.object.metadata.resourceVersion) > Number(events[0]!.object.metadata.resourceVersion));
  });

  test('a watch from a compacted-out resourceVersion gets a 410 Expired ERROR event', async () => {
    const first = (await c.request('POST', '/api/v1/namespaces/wl/configmaps', cm('old-rv'))).body as Obj;
    // Push more than the cache window (50 events) past the first revision.
    for (let i = 0; i < 60; i++) await c.request('PATCH', '/api/v1/namespaces/wl/configmaps/old-rv', { data: { i: String(i) } }, { 'Content-Type': 'application/merge-patch+json' });
    const events = await readEvents(`${c.url}/api/v1/namespaces/wl/configmaps?watch=1&resourceVersion=${first.metadata.resourceVersion}`, 1);
    assert.equal(events[0]?.type, 'ERROR');
    assert.equal(events[0]?.object.code, 410);
    assert.equal(events[0]?.object.reason, 'Expired');
  });

  test('objects leaving a watched selection arrive as DELETED, entering as ADDED', async () => {
    const created = (await c.request('POST', '/api/v1/namespaces/wl/configmaps', cm('move', { app: 'a' }))).body as Obj;
    const rv = created.metadata.resourceVersion!;
    await c.request('PATCH', '/api/v1/namespaces/wl/configmaps/move', { metadata: { labels: { app: 'b' } } }, { 'Content-Type': 'application/merge-patch+json' });
    await c.request('PATCH', '/api/v1/namespaces/wl/configmaps/move', { metadata: { labels: { app: 'a' } } }, { 'Content-Type': 'application/merge-patch+json' });
    const events = await readEvents(`${c.url}/api/v1/namespaces/wl/configmaps?watch=1&resourceVersion=${rv}&labelSelector=app%3Da`, 2);
    assert.deepEqual(events.map((e) => e.type), ['DELETED', 'ADDED']);
  });

  test('a watch without resourceVersion starts with the current objects as ADDED', async () => {
    const events = await readEvents(`${c.url}/api/v1/namespaces/wl/configmaps?watch=1&fieldSelector=metadata.name%3Dsel-a`, 1);
    assert.equal(events[0]?.type, 'ADDED');
    assert.equal(events[0]?.object.metadata.name, 'sel-a');
  });

  test('concurrent read-modify-write loops with resourceVersion preconditions lose no update', async () => {
    await c.request('POST', '/api/v1/namespaces/wl/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'counter' }, data: { n: '0' } });
    const writers = 8;
    const perWriter = 10;
    let conflicts = 0;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        for (let done = 0; done < perWriter; ) {
          const cur = (await c.request('GET', '/api/v1/namespaces/wl/configmaps/counter')).body as Obj & { data: { n: string } };
          const next = { ...cur, data: { n: String(Number(cur.data.n) + 1) } };
          const res = await c.request('PUT', '/api/v1/namespaces/wl/configmaps/counter', next);
          if (res.status === 200) done++;
          else if (res.status === 409) conflicts++;
          else assert.fail(`unexpected ${res.status}`);
        }
      }),
    );
    const final = (await c.request('GET', '/api/v1/namespaces/wl/configmaps/counter')).body as { data: { n: string } };
    assert.equal(final.data.n, String(writers * perWriter));
    assert.ok(conflicts > 0, 'writers raced');
  });
});
