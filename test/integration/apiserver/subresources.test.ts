import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer, type TestCluster } from '../../helpers/apiserver.js';

type Obj = { metadata: Record<string, unknown>; spec?: Record<string, unknown>; status?: Record<string, unknown>; [k: string]: unknown };

const deployment = (name: string): object => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } },
  },
});
const pod = (name: string, nodeName?: string): object => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'nginx:1.27' }] },
});

describe('subresources, deletion and dry run', () => {
  let c: TestCluster;
  before(async () => {
    c = await startApiServer();
  });
  after(async () => {
    await c.stop();
  });

  test('the scale subresource reads and writes spec.replicas as an autoscaling/v1 Scale', async () => {
    await c.request('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('scaled'));
    const scale = (await c.request('GET', '/apis/apps/v1/namespaces/default/deployments/scaled/scale')).body as Obj;
    assert.equal(scale['kind'], 'Scale');
    assert.equal(scale['apiVersion'], 'autoscaling/v1');
    assert.deepEqual(scale.spec, { replicas: 1 });
    assert.equal(scale.status?.['selector'], 'app=scaled');
    const patched = await c.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/scaled/scale', { spec: { replicas: 4 } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(patched.status, 200);
    const d = (await c.request('GET', '/apis/apps/v1/namespaces/default/deployments/scaled')).body as Obj;
    assert.equal(d.spec?.['replicas'], 4);
    assert.equal(d.metadata['generation'], 2);
    const negative = await c.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/scaled/scale', { spec: { replicas: -1 } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(negative.status, 422);
  });

  test('status writes change only status, and spec writes never change status', async () => {
    const created = (await c.request('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('stat'))).body as Obj;
    const statusWrite = await c.request('PUT', '/apis/apps/v1/namespaces/default/deployments/stat/status', {
      ...created,
      spec: { ...created.spec, replicas: 9 },
      status: { replicas: 3, observedGeneration: 1 },
    });
    assert.equal(statusWrite.status, 200);
    const afterStatus = statusWrite.body as Obj;
    assert.equal(afterStatus.spec?.['replicas'], 1);
    assert.equal(afterStatus.status?.['replicas'], 3);
    assert.equal(afterStatus.metadata['generation'], 1, 'status writes do not bump generation');
    const specWrite = await c.request('PUT', '/apis/apps/v1/namespaces/default/deployments/stat', { ...afterStatus, spec: { ...afterStatus.spec, replicas: 2 }, status: { replicas: 0 } });
    assert.equal(specWrite.status, 200);
    assert.equal((specWrite.body as Obj).status?.['replicas'], 3);
    assert.equal((specWrite.body as Obj).metadata['generation'], 2);
  });

  test('pods/binding sets the node once; a second binding is a Conflict', async () => {
    await c.request('POST', '/api/v1/namespaces/default/pods', pod('bind-me'));
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bind-me' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' } };
    const first = await c.request('POST', '/api/v1/namespaces/default/pods/bind-me/binding', binding);
    assert.equal(first.status, 201);
    const p = (await c.request('GET', '/api/v1/namespaces/default/pods/bind-me')).body as Obj;
    assert.equal(p.spec?.['nodeName'], 'node-1');
    const conds = (p.status?.['conditions'] ?? []) as { type: string; status: string }[];
    assert.ok(conds.some((x) => x.type === 'PodScheduled' && x.status === 'True'));
    const second = await c.request('POST', '/api/v1/namespaces/default/pods/bind-me/binding', binding);
    assert.equal(second.status, 409);
  });

  test('an unscheduled pod is deleted at once; a bound pod gets a deletionTimestamp and grace period', async () => {
    await c.request('POST', '/api/v1/namespaces/default/pods', pod('unbound'));
    assert.equal((await c.request('DELETE', '/api/v1/namespaces/default/pods/unbound')).status, 200);
    assert.equal((await c.request('GET', '/api/v1/namespaces/default/pods/unbound')).status, 404);
    await c.request('POST', '/api/v1/namespaces/default/pods', pod('bound', 'node-1'));
    const del = await c.request('DELETE', '/api/v1/namespaces/default/pods/bound');
    assert.equal(del.status, 200);
    const p = (await c.request('GET', '/api/v1/namespaces/default/pods/bound')).body as Obj;
    assert.ok(p.metadata['deletionTimestamp']);
    assert.equal(p.metadata['deletionGracePeriodSeconds'], 30);
    const now = await c.request('DELETE', '/api/v1/namespaces/default/pods/bound?gracePeriodSeconds=0');
    assert.equal(now.status, 200);
    assert.equal((await c.request('GET', '/api/v1/namespaces/default/pods/bound')).status, 404);
  });

  test('propagationPolicy=Foreground is recorded as the foregroundDeletion finalizer', async () => {
    await c.request('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('fg'));
    const del = await c.request('DELETE', '/apis/apps/v1/namespaces/default/deployments/fg', { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' });
    assert.equal(del.status, 200);
    const d = (await c.request('GET', '/apis/apps/v1/namespaces/default/deployments/fg')).body as Obj;
    assert.deepEqual(d.metadata['finalizers'], ['foregroundDeletion']);
    assert.ok(d.metadata['deletionTimestamp']);
  });

  test('dryRun=All validates and defaults without persisting', async () => {
    const res = await c.request('POST', '/apis/apps/v1/namespaces/default/deployments?dryRun=All', deployment('dry'));
    assert.equal(res.status, 201);
    assert.equal(((res.body as Obj).spec?.['strategy'] as { type: string }).type, 'RollingUpdate');
    assert.equal((await c.request('GET', '/apis/apps/v1/namespaces/default/deployments/dry')).status, 404);
  });

  test('an object over the store limit of 1.5 MiB is refused with 413', async () => {
    // ControllerRevision data has no size rule of its own, so only the store limit applies.
    const res = await c.request('POST', '/apis/apps/v1/namespaces/default/controllerrevisions', {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name: 'huge' },
      revision: 1,
      data: { blob: 'x'.repeat(1_700_000) },
    });
    assert.equal(res.status, 413);
    assert.equal((res.body as { kind: string }).kind, 'Status');
  });

  test('Table output for kubectl get carries the upstream columns', async () => {
    const res = await c.request('GET', '/apis/apps/v1/namespaces/default/deployments', undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    const t = res.body as { kind: string; columnDefinitions: { name: string; priority: number }[]; rows: { cells: unknown[] }[] };
    assert.equal(t.kind, 'Table');
    assert.deepEqual(t.columnDefinitions.map((x) => x.name), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector']);
    assert.ok(t.rows.length >= 1);
  });
});

describe('pods/eviction', () => {
  let c: TestCluster;
  before(async () => {
    c = await startApiServer();
  });
  after(async () => {
    await c.stop();
  });

  const running = async (name: string): Promise<void> => {
    await c.request('POST', '/api/v1/namespaces/default/pods', { ...(pod(name, 'node-1') as object), metadata: { name, labels: { app: 'guarded' } } });
    const p = (await c.request('GET', `/api/v1/namespaces/default/pods/${name}`)).body as Obj;
    await c.request('PUT', `/api/v1/namespaces/default/pods/${name}/status`, { ...p, status: { phase: 'Running' } });
  };
  const evict = (name: string): Promise<{ status: number; body: unknown }> =>
    c.request('POST', `/api/v1/namespaces/default/pods/${name}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name }, deleteOptions: { gracePeriodSeconds: 0 } });

  test('a running pod whose budget allows a disruption is deleted and the allowance is taken', async () => {
    await running('guarded-1');
    await c.request('POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'guard' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } } });
    const pdb = (await c.request('GET', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/guard')).body as Obj;
    await c.request('PUT', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/guard/status', { ...pdb, status: { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 } });
    const res = await evict('guarded-1');
    assert.equal(res.status, 201);
    assert.equal((await c.request('GET', '/api/v1/namespaces/default/pods/guarded-1')).status, 404);
    const after = (await c.request('GET', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/guard')).body as Obj;
    assert.equal(after.status?.['disruptionsAllowed'], 0);
    assert.ok((after.status?.['disruptedPods'] as Record<string, string>)['guarded-1']);
  });

  test('a budget with no disruptions left refuses with 429 and keeps the pod', async () => {
    await running('guarded-2');
    const res = await evict('guarded-2');
    assert.equal(res.status, 429);
    assert.equal((res.body as { message: string }).message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.equal((await c.request('GET', '/api/v1/namespaces/default/pods/guarded-2')).status, 200);
  });
});
