// Leader fencing: writes carrying a Kubets-Leader-Fence token succeed only while the named Lease
// still has the token's holder and term, checked in the write's own etcd transaction.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer, type TestCluster } from '../../helpers/apiserver.js';

const LEASES = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases';
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';

interface LeaseBody {
  metadata: { resourceVersion: string };
  spec: { holderIdentity?: string; leaseTransitions?: number; renewTime?: string };
}

describe('fenced writes', () => {
  let c: TestCluster;
  let lease: LeaseBody;
  const fence = (holder: string, transitions: number): Record<string, string> => ({ 'Kubets-Leader-Fence': `kube-system/sched/${transitions}/${holder}` });
  const cm = (name: string, v = '1'): object => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v } });

  before(async () => {
    c = await startApiServer();
    const r = await c.request('POST', LEASES, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'sched' }, spec: { holderIdentity: 'node-a_1', leaseDurationSeconds: 15, leaseTransitions: 0 } });
    assert.equal(r.status, 201, r.text);
    lease = r.body as LeaseBody;
  });
  after(async () => {
    await c.stop();
  });

  test('the current holder with the current term writes; renewals in between do not disturb it', async () => {
    assert.equal((await c.request('POST', CONFIGMAPS, cm('by-a'), fence('node-a_1', 0))).status, 201);
    const renewed = await c.request('PUT', `${LEASES}/sched`, { ...lease, apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'sched', resourceVersion: lease.metadata.resourceVersion }, spec: { ...lease.spec, renewTime: '2026-01-01T00:00:00.000000Z' } });
    assert.equal(renewed.status, 200, renewed.text);
    lease = renewed.body as LeaseBody;
    const upd = await c.request('PUT', `${CONFIGMAPS}/by-a`, cm('by-a', '2'), fence('node-a_1', 0));
    assert.equal(upd.status, 200, upd.text);
  });

  test('after another holder takes the lease, the old token is refused with 409 and nothing is written', async () => {
    const taken = await c.request('PUT', `${LEASES}/sched`, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'sched', resourceVersion: lease.metadata.resourceVersion }, spec: { holderIdentity: 'node-b_2', leaseDurationSeconds: 15, leaseTransitions: 1 } });
    assert.equal(taken.status, 200, taken.text);
    const late = await c.request('PUT', `${CONFIGMAPS}/by-a`, cm('by-a', 'late'), fence('node-a_1', 0));
    assert.equal(late.status, 409, late.text);
    const st = late.body as { kind: string; reason: string; message: string };
    assert.equal(st.kind, 'Status');
    assert.equal(st.reason, 'Conflict');
    assert.match(st.message, /fencing token "kube-system\/sched\/0\/node-a_1" is stale: the lease is held by "node-b_2" \(leaseTransitions 1\)/);
    assert.equal(((await c.request('GET', `${CONFIGMAPS}/by-a`)).body as { data: { v: string } }).data.v, '2');
    assert.equal((await c.request('DELETE', `${CONFIGMAPS}/by-a`, undefined, fence('node-a_1', 0))).status, 409);
    assert.equal((await c.request('POST', CONFIGMAPS, cm('late-create'), fence('node-a_1', 0))).status, 409);
    assert.equal((await c.request('GET', `${CONFIGMAPS}/late-create`)).status, 404);
  });

  test('the same holder re-acquiring after a transition is a new term: its old token stays stale', async () => {
    assert.equal((await c.request('POST', CONFIGMAPS, cm('by-b'), fence('node-b_2', 1))).status, 201);
    assert.equal((await c.request('POST', CONFIGMAPS, cm('by-b-old-term'), fence('node-b_2', 0))).status, 409);
  });

  test('reads ignore the token, and a malformed or unknown lease token is refused', async () => {
    assert.equal((await c.request('GET', `${CONFIGMAPS}/by-b`, undefined, fence('nobody', 9))).status, 200);
    const bad = await c.request('POST', CONFIGMAPS, cm('bad'), { 'Kubets-Leader-Fence': 'kube-system/sched' });
    assert.equal(bad.status, 400, bad.text);
    assert.match((bad.body as { message: string }).message, /Kubets-Leader-Fence must be <namespace>\/<name>\/<leaseTransitions>\/<holderIdentity>/);
    const missing = await c.request('POST', CONFIGMAPS, cm('nolease'), { 'Kubets-Leader-Fence': 'kube-system/none/0/x' });
    assert.equal(missing.status, 409);
    assert.match((missing.body as { message: string }).message, /the lease does not exist/);
  });

  test('concurrent renewals while a leader writes never make its writes fail', async () => {
    let current = (await c.request('GET', `${LEASES}/sched`)).body as LeaseBody;
    const renewals = (async () => {
      for (let i = 0; i < 20; i++) {
        const r = await c.request('PUT', `${LEASES}/sched`, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'sched', resourceVersion: current.metadata.resourceVersion }, spec: { ...current.spec, renewTime: `2026-01-01T00:00:${String(i).padStart(2, '0')}.000000Z` } });
        assert.equal(r.status, 200, r.text);
        current = r.body as LeaseBody;
      }
    })();
    const writes = Array.from({ length: 20 }, (_, i) => c.request('POST', CONFIGMAPS, cm(`busy-${i}`), fence('node-b_2', 1)));
    const results = await Promise.all(writes);
    await renewals;
    for (const r of results) assert.equal(r.status, 201, r.text);
  });
});
