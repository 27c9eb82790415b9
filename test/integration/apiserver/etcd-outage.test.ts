// With etcd unreachable, requests fail fast with a 503/504 Status; when etcd returns, the
// apiserver serves again by itself.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startApiServer, type TestCluster } from '../../helpers/apiserver.js';

describe('apiserver when etcd goes away', () => {
  let c: TestCluster;
  before(async () => {
    c = await startApiServer();
  });
  after(async () => {
    c.etcd.process.kill('SIGCONT');
    await c.stop();
  });

  test('a frozen etcd makes reads and writes fail within a few seconds with 503 or 504, then recovery is automatic', async () => {
    const created = await c.request('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'before-outage' } });
    assert.equal(created.status, 201);
    c.etcd.process.kill('SIGSTOP');
    // kill(2) returns before every etcd thread has stopped: wait until the kernel reports it stopped.
    const pid = c.etcd.process.pid!;
    for (let i = 0; i < 200 && !/^\S+ \(.*\) T /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); i++) await new Promise((r) => setTimeout(r, 5));
    try {
      for (const [method, path, body] of [
        ['GET', '/api/v1/namespaces/default/configmaps/before-outage', undefined],
        ['GET', '/api/v1/namespaces/default/configmaps', undefined],
        ['POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'during-outage' } }],
      ] as const) {
        const started = Date.now();
        const res = await c.request(method, path, body);
        const took = Date.now() - started;
        assert.ok(res.status === 503 || res.status === 504, `${method} ${path}: ${res.status} ${res.text}`);
        assert.equal((res.body as { kind: string }).kind, 'Status');
        // Fail fast: one etcd deadline (2 s) plus slack, not a hang.
        assert.ok(took < 5000, `${method} ${path} took ${took} ms`);
      }
      const ready = await c.request('GET', '/readyz');
      assert.equal(ready.status, 500);
    } finally {
      c.etcd.process.kill('SIGCONT');
    }
    let recovered = false;
    for (let i = 0; i < 100 && !recovered; i++) {
      const res = await c.request('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `after-outage-${i}` } });
      recovered = res.status === 201;
      if (!recovered) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(recovered, 'writes succeed again after etcd returns');
    const got = await c.request('GET', '/api/v1/namespaces/default/configmaps/before-outage');
    assert.equal(got.status, 200);
    assert.equal((await c.request('GET', '/readyz')).status, 200);
  });
});
