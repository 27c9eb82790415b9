import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { replicaSetResource, type ReplicaSet } from '../../../pkg/api/apps/v1/replicaset.js';
import type { Pod } from '../../../pkg/api/core/v1/pod-types.js';
import { podResource } from '../../../pkg/api/core/v1/pod.js';
import { FakeClock } from '../../../pkg/client/clock.js';
import { computeReplicaSetStatus, podsToDelete, ReplicaSetController } from '../../../pkg/controller/replicaset/index.js';
import { slowStartBatch, UNCERTAIN_TIMEOUT_MS } from '../../../pkg/controller/framework/index.js';
import { StatusError } from '../../../pkg/api/errors.js';
import { FakeApi, settle } from '../../helpers/fake-api.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function rs(name: string, replicas: number, extra: Partial<NonNullable<ReplicaSet['spec']>> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }, ...extra },
  } as ReplicaSet;
}

interface PodOpts {
  node?: string;
  phase?: string;
  ready?: boolean;
  readySince?: number;
  restarts?: number;
  created?: number;
  labels?: Record<string, string>;
  owner?: ReplicaSet;
}

function pod(name: string, o: PodOpts = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      labels: o.labels ?? { app: 'web' },
      creationTimestamp: iso(o.created ?? T0),
      ...(o.owner !== undefined ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner.metadata!.name!, uid: o.owner.metadata!.uid!, controller: true, blockOwnerDeletion: true }] } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'nginx' }], ...(o.node !== undefined ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: iso(o.readySince ?? T0) }],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0, ready: o.ready !== false, image: 'nginx', imageID: '' }],
    },
  } as Pod;
}

async function start(api: FakeApi): Promise<{ c: ReplicaSetController; stop: AbortController }> {
  const { c, stop } = await api.startController((ctx) => new ReplicaSetController(ctx), { workers: 2 });
  void c.run(stop.signal);
  await settle(60);
  return { c, stop };
}

const names = (ps: readonly { metadata?: { name?: string } }[]): string[] => ps.map((p) => p.metadata?.name ?? '');

describe('ReplicaSet deletion ranking', () => {
  const cases: { name: string; pods: Pod[]; expect: string[] }[] = [
    { name: 'unassigned before assigned', pods: [pod('on-node', { node: 'n1' }), pod('nowhere')], expect: ['nowhere'] },
    { name: 'Pending before Running', pods: [pod('running', { node: 'n1' }), pod('pending', { node: 'n2', phase: 'Pending' })], expect: ['pending'] },
    { name: 'not ready before ready', pods: [pod('ready', { node: 'n1' }), pod('unready', { node: 'n2', ready: false })], expect: ['unready'] },
    { name: 'doubled up on a node before alone', pods: [pod('alone', { node: 'n1' }), pod('twin-a', { node: 'n2' }), pod('twin-b', { node: 'n2', created: T0 - 1000 })], expect: ['twin-a'] },
    { name: 'ready more recently before ready longer', pods: [pod('old', { node: 'n1', readySince: T0 - 60_000 }), pod('fresh', { node: 'n2', readySince: T0 })], expect: ['fresh'] },
    { name: 'more restarts first', pods: [pod('calm', { node: 'n1' }), pod('flappy', { node: 'n2', restarts: 4 })], expect: ['flappy'] },
    { name: 'newer first', pods: [pod('older', { node: 'n1', created: T0 - 5000 }), pod('newer', { node: 'n2', created: T0 })], expect: ['newer'] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(names(podsToDelete(c.pods, 1)), c.expect);
    });
  }
});

describe('slow start batches', () => {
  test('creates go 1, 2, 4, ... and stop at the first failing batch, counting what was never tried', async () => {
    let calls = 0;
    const r = await slowStartBatch(10, 1, async () => {
      calls++;
      if (calls === 5) throw new Error('quota');
    });
    // Batches of 1, 2, 4: the failure is in the third batch; 3 were never tried.
    assert.equal(calls, 7);
    assert.deepEqual({ done: r.done, skipped: r.skipped }, { done: 6, skipped: 3 });
    assert.match(String(r.error), /quota/);
  });
});

describe('ReplicaSet status', () => {
  test('counts replicas, fully labeled, ready and available (minReadySeconds) pods and the generation', () => {
    const set = { ...rs('web', 3, { minReadySeconds: 10 }), metadata: { name: 'web', namespace: 'default', generation: 4 } } as ReplicaSet;
    set.spec!.template!.metadata!.labels = { app: 'web', tier: 'front' };
    const ps = [pod('a', { labels: { app: 'web', tier: 'front' }, readySince: T0 - 20_000 }), pod('b', { readySince: T0 - 5_000 }), pod('c', { ready: false })];
    const s = computeReplicaSetStatus(set, ps, undefined, T0);
    assert.deepEqual(s, { replicas: 3, fullyLabeledReplicas: 1, readyReplicas: 2, availableReplicas: 1, observedGeneration: 4 });
  });

  test('a sync that could not manage the replicas (earlier creates unobserved) keeps the generation it observed before', () => {
    const set = { ...rs('web', 3), metadata: { name: 'web', namespace: 'default', generation: 5 }, status: { replicas: 1, observedGeneration: 4 } } as ReplicaSet;
    assert.equal(computeReplicaSetStatus(set, [pod('a')], undefined, T0, false).observedGeneration, 4);
    assert.equal(computeReplicaSetStatus(set, [pod('a')], undefined, T0, true).observedGeneration, 5);
  });

  test('a failed create sets ReplicaFailure/FailedCreate with the error', () => {
    const s = computeReplicaSetStatus(rs('web', 2), [], new Error('pods "web-x" is forbidden: exceeded quota'), T0);
    assert.deepEqual(s.conditions, [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "web-x" is forbidden: exceeded quota', lastTransitionTime: iso(T0) }]);
  });
});

describe('ReplicaSet controller', () => {
  test('creates the missing pods with a controller reference and SuccessfulCreate events, and reports status', async () => {
    const api = new FakeApi(new FakeClock(T0));
    api.seed(replicaSetResource, rs('web', 3));
    const { stop } = await start(api);
    const pods = api.all<Pod>(podResource);
    assert.equal(pods.length, 3);
    for (const p of pods) {
      assert.match(p.metadata?.name ?? '', /^web-/);
      assert.deepEqual(p.metadata?.labels, { app: 'web' });
      assert.equal(p.metadata?.ownerReferences?.[0]?.kind, 'ReplicaSet');
      assert.equal(p.metadata?.ownerReferences?.[0]?.controller, true);
    }
    assert.deepEqual(
      api.events.map((e) => `${e.reason} ${e.note}`).sort(),
      names(pods).map((n) => `SuccessfulCreate Created pod: ${n}`).sort(),
    );
    assert.equal(api.peek<ReplicaSet>(replicaSetResource, 'default', 'web')?.status?.replicas, 3);
    stop.abort();
  });

  test('expectations: while its creates are unobserved a ReplicaSet is not synced again (no overshoot)', async () => {
    const api = new FakeApi(new FakeClock(T0));
    api.seed(replicaSetResource, rs('web', 2));
    const { c, stop } = await start(api);
    assert.equal(api.all(podResource).length, 2);
    // Two creates are still unobserved when the ReplicaSet grows to 4: it must wait for them
    // rather than count only the pods it sees and create two more (four in all, overshoot).
    c.expectations.expectCreations('default/web', 2);
    const grown = api.peek<ReplicaSet>(replicaSetResource, 'default', 'web')!;
    grown.spec!.replicas = 4;
    await api.update(replicaSetResource, grown);
    await settle(60);
    await c.reconcile('default/web');
    assert.equal(api.writes('pods').filter((a) => a.verb === 'create').length, 2, 'no create while earlier ones are unobserved');
    const waiting = api.peek<ReplicaSet>(replicaSetResource, 'default', 'web')!;
    assert.equal(waiting.status?.observedGeneration, 1, 'generation 2 is not observed while the sync that would act on it waits');
    // Once the expectation is met (the creates observed), the missing two are made.
    c.expectations.creationObserved('default/web');
    c.expectations.creationObserved('default/web');
    // The workers sync it too (the new pods' events): a status write may lose to theirs.
    await c.reconcile('default/web').catch((err: unknown) => assert.match(String(err), /has been modified/));
    await settle(60);
    assert.equal(api.all(podResource).length, 4);
    assert.equal(api.peek<ReplicaSet>(replicaSetResource, 'default', 'web')?.status?.observedGeneration, 2);
    stop.abort();
  });

  test('a create of unknown outcome that never shows up is made again 15 s later, without any event to trigger it', async () => {
    const clock = new FakeClock(T0);
    const api = new FakeApi(clock);
    api.react({ verb: 'create', resource: 'pods', error: new StatusError({ code: 504, reason: 'Timeout', message: 'Timeout: the write may have been applied' }) });
    api.seed(replicaSetResource, rs('web', 2));
    const { stop } = await start(api);
    assert.equal(api.all(podResource).length, 1, 'the lost create is still expected');
    clock.advance(UNCERTAIN_TIMEOUT_MS - 1000);
    await settle(60);
    assert.equal(api.all(podResource).length, 1);
    clock.advance(1002);
    await settle(60);
    assert.equal(api.all(podResource).length, 2);
    stop.abort();
  });

  test('scaling down deletes the best-ranked pods (unassigned first) with SuccessfulDelete events', async () => {
    const api = new FakeApi(new FakeClock(T0));
    const [set] = api.seed(replicaSetResource, rs('web', 3));
    api.seed(podResource, pod('web-a', { owner: set, node: 'n1' }), pod('web-b', { owner: set }), pod('web-c', { owner: set, node: 'n2' }));
    const { stop } = await start(api);
    assert.deepEqual(api.writes('pods'), [], 'three pods for three replicas: nothing to do but status');
    assert.deepEqual(api.writes().map((a) => a.verb), ['update-status']);
    const scaled = api.peek<ReplicaSet>(replicaSetResource, 'default', 'web')!;
    scaled.spec!.replicas = 1;
    await api.update(replicaSetResource, scaled);
    await settle(60);
    const deleted = api.writes('pods').filter((a) => a.verb === 'delete').map((a) => a.name);
    assert.equal(deleted.length, 2);
    assert.ok(deleted.includes('web-b'), `the unassigned pod goes first: ${deleted.join(',')}`);
    assert.equal(api.all(podResource).length, 1);
    assert.ok(api.events.some((e) => e.reason === 'SuccessfulDelete' && e.note === 'Deleted pod: web-b'));
    stop.abort();
  });

  test('adopts a matching orphan instead of creating, and releases a pod whose labels stopped matching', async () => {
    const api = new FakeApi(new FakeClock(T0));
    const [set] = api.seed(replicaSetResource, rs('web', 1));
    api.seed(podResource, pod('orphan', { labels: { app: 'web' } }), pod('strayed', { owner: set, labels: { app: 'other' } }));
    const { stop } = await start(api);
    const orphan = api.peek<Pod>(podResource, 'default', 'orphan');
    assert.equal(orphan?.metadata?.ownerReferences?.[0]?.uid, set!.metadata?.uid);
    assert.deepEqual(api.peek<Pod>(podResource, 'default', 'strayed')?.metadata?.ownerReferences ?? [], []);
    assert.equal(api.writes('pods').filter((a) => a.verb === 'create').length, 0);
    stop.abort();
  });

  test('terminating pods do not count: a pod being deleted is replaced at once', async () => {
    const api = new FakeApi(new FakeClock(T0));
    const [set] = api.seed(replicaSetResource, rs('web', 1));
    const doomed = pod('web-old', { owner: set, node: 'n1' });
    doomed.metadata!.deletionTimestamp = iso(T0);
    doomed.metadata!.finalizers = ['example.com/hold'];
    api.seed(podResource, doomed);
    const { stop } = await start(api);
    assert.equal(api.writes('pods').filter((a) => a.verb === 'create').length, 1);
    stop.abort();
  });
});
