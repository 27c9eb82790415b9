// Priority admission: a pod's PriorityClass decides its priority and preemption policy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer, type TestCluster } from '../../helpers/apiserver.js';

const PCS = '/apis/scheduling.k8s.io/v1/priorityclasses';
const PODS = '/api/v1/namespaces/default/pods';

function pod(name: string, spec: Record<string, unknown> = {}): object {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } };
}

describe('priority admission', () => {
  let c: TestCluster;
  before(async () => {
    c = await startApiServer();
  });
  after(async () => {
    await c.stop();
  });

  test('the system priority classes exist from the start', async () => {
    const r = await c.request('GET', `${PCS}/system-node-critical`);
    assert.equal(r.status, 200, r.text);
    assert.equal((r.body as { value: number }).value, 2000001000);
    assert.equal(((await c.request('GET', `${PCS}/system-cluster-critical`)).body as { value: number }).value, 2000000000);
  });

  test('a pod naming a class gets its value and preemption policy', async () => {
    assert.equal((await c.request('POST', PCS, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000, preemptionPolicy: 'Never' })).status, 201);
    const r = await c.request('POST', PODS, pod('hi', { priorityClassName: 'high' }));
    assert.equal(r.status, 201, r.text);
    const spec = (r.body as { spec: { priority: number; preemptionPolicy: string } }).spec;
    assert.equal(spec.priority, 1000);
    assert.equal(spec.preemptionPolicy, 'Never');
  });

  test('an unknown class is refused with 403', async () => {
    const r = await c.request('POST', PODS, pod('nope', { priorityClassName: 'missing' }));
    assert.equal(r.status, 403);
    assert.equal((r.body as { message: string }).message, 'pods "nope" is forbidden: no PriorityClass with name missing was found');
  });

  test('a priority the class does not give is refused', async () => {
    const r = await c.request('POST', PODS, pod('liar', { priorityClassName: 'high', priority: 5 }));
    assert.equal(r.status, 403);
    assert.match((r.body as { message: string }).message, /the integer value of priority \(5\) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name/);
  });

  test('without a class a pod gets priority 0, or the global default class when there is one', async () => {
    const plain = await c.request('POST', PODS, pod('plain'));
    assert.equal((plain.body as { spec: { priority: number } }).spec.priority, 0);
    assert.equal((await c.request('POST', PCS, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'everyone' }, value: 7, globalDefault: true })).status, 201);
    // The class reaches the watch cache asynchronously; admission reads the cache like upstream's lister.
    let spec: { priority: number; priorityClassName?: string } | undefined;
    for (let i = 0; i < 50; i++) {
      const r = await c.request('POST', PODS, pod(`defaulted-${i}`));
      spec = (r.body as { spec: { priority: number; priorityClassName?: string } }).spec;
      if (spec.priority === 7) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    assert.equal(spec?.priority, 7);
    assert.equal(spec?.priorityClassName, 'everyone');
  });
});
