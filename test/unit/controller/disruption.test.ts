// The disruption controller on a fake API: a PodDisruptionBudget's healthy, desired and expected
// pods and the disruptions allowed, with minAvailable as a number or a percentage of what the
// pods' controllers ask for, maxUnavailable, failing safe without a controller, and evicted pods
// counted out until they go (two minutes at most).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentResource, type Deployment } from '../../../pkg/api/apps/v1/deployment.js';
import { replicaSetResource, type ReplicaSet } from '../../../pkg/api/apps/v1/replicaset.js';
import type { Pod } from '../../../pkg/api/core/v1/pod-types.js';
import { podResource } from '../../../pkg/api/core/v1/pod.js';
import { formatTime } from '../../../pkg/api/meta/v1.js';
import { podDisruptionBudgetResource, type PodDisruptionBudget } from '../../../pkg/api/policy/v1/poddisruptionbudget.js';
import { FakeClock } from '../../../pkg/client/clock.js';
import { DELETION_TIMEOUT_MS, DisruptionController } from '../../../pkg/controller/disruption/index.js';
import { FakeApi, settle } from '../../helpers/fake-api.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

const pdb = (spec: Partial<NonNullable<PodDisruptionBudget['spec']>>, status: PodDisruptionBudget['status'] = {}): PodDisruptionBudget => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'web', namespace: 'default', generation: 1 },
  spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
  status,
});

const pod = (name: string, ready = true, owned = true): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { app: 'web' }, ...(owned ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-rs', uid: 'rs-uid', controller: true }] } : {}) },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

const deployment: Deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', uid: 'd-uid' }, spec: { replicas: 4, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
const replicaSet: ReplicaSet = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-rs', namespace: 'default', uid: 'rs-uid', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true }] }, spec: { replicas: 4, selector: { matchLabels: { app: 'web' } } } };

async function run(api: FakeApi): Promise<PodDisruptionBudget['status']> {
  const { c, stop } = await api.startController((ctx) => new DisruptionController(ctx));
  await c.reconcile('default/web');
  await settle();
  stop.abort();
  return api.peek<PodDisruptionBudget>(podDisruptionBudgetResource, 'default', 'web')!.status;
}

const summary = (s: PodDisruptionBudget['status']): unknown => [s?.currentHealthy, s?.desiredHealthy, s?.expectedPods, s?.disruptionsAllowed, s?.conditions?.[0]?.status, s?.conditions?.[0]?.reason];

describe('disruption controller', () => {
  test('minAvailable 2 of three ready pods allows one disruption', async () => {
    const api = new FakeApi(new FakeClock(T0));
    api.seed(podDisruptionBudgetResource, pdb({ minAvailable: 2 }));
    api.seed(podResource, pod('a'), pod('b'), pod('c'), pod('d', false));
    assert.deepEqual(summary(await run(api)), [3, 2, 4, 1, 'True', 'SufficientPods']);
  });

  test('maxUnavailable and percentages count against the replicas the Deployment asks for', async () => {
    const cases: [NonNullable<PodDisruptionBudget['spec']>, unknown[]][] = [
      [{ maxUnavailable: 1 }, [3, 3, 4, 0, 'False', 'InsufficientPods']],
      [{ minAvailable: '50%' }, [3, 2, 4, 1, 'True', 'SufficientPods']],
      [{ maxUnavailable: '50%' }, [3, 2, 4, 1, 'True', 'SufficientPods']],
    ];
    for (const [spec, want] of cases) {
      const api = new FakeApi(new FakeClock(T0));
      api.seed(deploymentResource, deployment);
      api.seed(replicaSetResource, replicaSet);
      api.seed(podDisruptionBudgetResource, pdb(spec));
      api.seed(podResource, pod('a'), pod('b'), pod('c'));
      assert.deepEqual(summary(await run(api)), want, JSON.stringify(spec));
    }
  });

  test('a percentage over pods without a controller fails safe: no disruption, SyncFailed, an event', async () => {
    const api = new FakeApi(new FakeClock(T0));
    api.seed(podDisruptionBudgetResource, pdb({ minAvailable: '50%' }, { disruptionsAllowed: 3 }));
    api.seed(podResource, pod('a', true, false));
    const s = await run(api);
    assert.equal(s?.disruptionsAllowed, 0);
    assert.deepEqual([s?.conditions?.[0]?.reason, s?.conditions?.[0]?.message], ['SyncFailed', 'found no controller ref for pod "a"']);
    assert.ok(api.events.some((e) => e.reason === 'CalculateExpectedPodCountFailed'));
  });

  test('an evicted pod is not healthy until seen going, for two minutes at most; a gone one leaves disruptedPods', async () => {
    const clock = new FakeClock(T0);
    const api = new FakeApi(clock);
    api.seed(podDisruptionBudgetResource, pdb({ minAvailable: 1 }, { disruptedPods: { a: formatTime(T0 - 10_000), gone: formatTime(T0 - 10_000) } }));
    api.seed(podResource, pod('a'), pod('b'));
    const s = await run(api);
    assert.deepEqual([s?.currentHealthy, s?.disruptionsAllowed, s?.disruptedPods], [1, 0, { a: formatTime(T0 - 10_000) }]);
    clock.advance(DELETION_TIMEOUT_MS);
    const later = await run(api);
    assert.deepEqual([later?.currentHealthy, later?.disruptionsAllowed, later?.disruptedPods], [2, 1, undefined]);
  });
});
