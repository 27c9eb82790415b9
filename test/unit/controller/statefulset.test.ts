// The StatefulSet controller on a fake API: ordinal identities and per-pod claims, OrderedReady
// (one pod at a time, each after its predecessors are Running and Ready; scale-down from the top)
// against Parallel, rolling updates from the highest ordinal down to the partition, OnDelete,
// terminated pods replaced, claim owners under the retention policy, and the status revisions.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { controllerRevisionResource, type ControllerRevision } from '../../../pkg/api/apps/v1/controllerrevision.js';
import { statefulSetResource, type StatefulSet } from '../../../pkg/api/apps/v1/statefulset.js';
import { persistentVolumeClaimResource, type PersistentVolumeClaim } from '../../../pkg/api/core/v1/persistentvolumeclaim.js';
import type { Pod } from '../../../pkg/api/core/v1/pod-types.js';
import { podResource } from '../../../pkg/api/core/v1/pod.js';
import { FakeClock } from '../../../pkg/client/clock.js';
import { claimOwnerRefs, newVersionedStatefulSetPod, parentAndOrdinal, StatefulSetController } from '../../../pkg/controller/statefulset/index.js';
import { FakeApi, settle } from '../../helpers/fake-api.js';

type Spec = NonNullable<StatefulSet['spec']>;

const statefulSet = (spec: Partial<Spec> = {}, image = 'nginx:1'): StatefulSet => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'default', uid: 'sts-uid', generation: 1 },
  spec: {
    replicas: 3,
    serviceName: 'nginx',
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image, volumeMounts: [{ name: 'data', mountPath: '/data' }] }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    podManagementPolicy: 'OrderedReady',
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    revisionHistoryLimit: 10,
    ...spec,
  },
  status: { replicas: 0, availableReplicas: 0 },
});

interface Harness {
  api: FakeApi;
  c: StatefulSetController;
  sync(): Promise<void>;
  names(): string[];
  pod(name: string): Pod;
  /** Marks pods Running and Ready, as scheduler and kubelet would. */
  run(...names: string[]): Promise<void>;
  stop(): void;
}

async function start(api: FakeApi): Promise<Harness> {
  const { c, stop } = await api.startController((ctx) => new StatefulSetController(ctx));
  const h: Harness = {
    api,
    c,
    async sync() {
      await c.reconcile('default/web');
      await settle();
    },
    names: () => api.all<Pod>(podResource).filter((p) => p.metadata?.deletionTimestamp === undefined).map((p) => p.metadata!.name!).sort(),
    pod: (name) => api.peek<Pod>(podResource, 'default', name)!,
    async run(...names) {
      for (const n of names) {
        const p = h.pod(n);
        await api.updateStatus(podResource, { ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] } });
      }
      await settle();
    },
    stop: () => stop.abort(),
  };
  return h;
}

const sts = (api: FakeApi): StatefulSet => api.peek<StatefulSet>(statefulSetResource, 'default', 'web')!;
const revisionOf = (p: Pod): string => p.metadata?.labels?.['controller-revision-hash'] ?? '';

describe('statefulset controller', () => {
  test("a pod's set and ordinal come from its name", () => {
    const cases: [string, { parent: string; ordinal: number }][] = [
      ['web-0', { parent: 'web', ordinal: 0 }],
      ['my-db-12', { parent: 'my-db', ordinal: 12 }],
      ['web', { parent: '', ordinal: -1 }],
      ['web-x', { parent: '', ordinal: -1 }],
      ['web-99999999999', { parent: 'web', ordinal: -1 }],
    ];
    for (const [name, want] of cases) assert.deepEqual(parentAndOrdinal(name), want, name);
  });

  test('a new pod below the partition keeps the current revision, at or above it takes the update revision; OnDelete always the update', () => {
    const current = statefulSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
    const update = statefulSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }, 'nginx:2');
    const at = (ord: number, set = current): [string, string] => {
      const p = newVersionedStatefulSetPod(set, set === current ? update : set, 'web-old', 'web-new', ord);
      return [revisionOf(p), p.spec!.containers![0]!.image!];
    };
    assert.deepEqual(at(1), ['web-old', 'nginx:1']);
    assert.deepEqual(at(2), ['web-new', 'nginx:2']);
    const onDelete = statefulSet({ updateStrategy: { type: 'OnDelete' } });
    assert.deepEqual(newVersionedStatefulSetPod(onDelete, update, 'web-old', 'web-new', 0).metadata?.labels?.['controller-revision-hash'], 'web-new');
  });

  test('claim owners follow the retention policy', () => {
    const pod = (name: string): Pod => ({ metadata: { name, namespace: 'default', uid: `uid-${name}` } });
    const claim: PersistentVolumeClaim = { metadata: { name: 'data-web-0', namespace: 'default' } };
    const owners = (whenDeleted: string, whenScaled: string, podName: string): string[] =>
      (claimOwnerRefs(statefulSet({ persistentVolumeClaimRetentionPolicy: { whenDeleted, whenScaled } }), pod(podName), claim) ?? []).map((r) => `${r.kind}/${r.name}`);
    assert.deepEqual(owners('Retain', 'Retain', 'web-0'), []);
    assert.deepEqual(owners('Delete', 'Retain', 'web-0'), ['StatefulSet/web']);
    assert.deepEqual(owners('Retain', 'Delete', 'web-0'), []);
    assert.deepEqual(owners('Retain', 'Delete', 'web-5'), ['Pod/web-5']);
    assert.deepEqual(owners('Delete', 'Delete', 'web-0'), ['StatefulSet/web']);
    assert.deepEqual(owners('Delete', 'Delete', 'web-5'), ['Pod/web-5']);
    const owned: PersistentVolumeClaim = { metadata: { ...claim.metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'sts-uid' }] } };
    assert.equal(claimOwnerRefs(statefulSet({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } }), pod('web-0'), owned), undefined, 'already right: no write');
  });

  test('OrderedReady: one pod at a time, each with its identity and claim, the next only once the previous is Running and Ready', async () => {
    const api = new FakeApi();
    api.seed(statefulSetResource, statefulSet());
    const h = await start(api);
    await h.sync();
    assert.deepEqual(h.names(), ['web-0']);
    const p = h.pod('web-0');
    assert.equal(p.spec?.hostname, 'web-0');
    assert.equal(p.spec?.subdomain, 'nginx');
    assert.equal(p.metadata?.labels?.['statefulset.kubernetes.io/pod-name'], 'web-0');
    assert.equal(p.metadata?.labels?.['apps.kubernetes.io/pod-index'], '0');
    assert.deepEqual(p.spec?.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } }]);
    assert.equal(p.metadata?.ownerReferences?.[0]?.kind, 'StatefulSet');
    const claim = api.peek<PersistentVolumeClaim>(persistentVolumeClaimResource, 'default', 'data-web-0')!;
    assert.deepEqual(claim.metadata?.labels, { app: 'web' });
    assert.equal(claim.metadata?.ownerReferences, undefined, 'Retain: the claim outlives the set');
    assert.deepEqual(
      api.events.map((e) => `${e.reason}: ${e.note}`),
      ['SuccessfulCreate: create Claim data-web-0 Pod web-0 in StatefulSet web success', 'SuccessfulCreate: create Pod web-0 in StatefulSet web successful'],
    );

    await h.sync();
    assert.deepEqual(h.names(), ['web-0'], 'web-0 is Pending: web-1 waits');
    await h.run('web-0');
    await h.sync();
    assert.deepEqual(h.names(), ['web-0', 'web-1']);
    await h.run('web-1');
    await h.sync();
    await h.run('web-2');
    await h.sync();
    assert.deepEqual(h.names(), ['web-0', 'web-1', 'web-2']);
    const status = sts(api).status!;
    assert.equal(status.replicas, 3);
    assert.equal(status.readyReplicas, 3);
    assert.equal(status.availableReplicas, 3);
    assert.equal(status.currentRevision, status.updateRevision);
    assert.match(status.updateRevision ?? '', /^web-[0-9a-z]+$/);
    assert.equal(status.currentReplicas, 3);
    assert.equal(status.observedGeneration, 1);
    h.stop();
  });

  test('OrderedReady scale-down removes the highest ordinal first and waits for it to go; Parallel creates and removes all at once', async () => {
    const api = new FakeApi();
    api.seed(statefulSetResource, statefulSet({ podManagementPolicy: 'Parallel', replicas: 4 }));
    const h = await start(api);
    await h.sync();
    assert.deepEqual(h.names(), ['web-0', 'web-1', 'web-2', 'web-3'], 'Parallel: all at once');
    await h.run('web-0', 'web-1', 'web-2', 'web-3');
    await api.update(statefulSetResource, { ...sts(api), spec: { ...sts(api).spec!, replicas: 2 } });
    await settle();
    await h.sync();
    assert.deepEqual(h.names(), ['web-0', 'web-1']);
    assert.ok(api.peek(persistentVolumeClaimResource, 'default', 'data-web-3'), 'whenScaled=Retain keeps the claim');
    h.stop();

    const api2 = new FakeApi();
    api2.seed(statefulSetResource, statefulSet({ replicas: 3 }));
    const h2 = await start(api2);
    for (const n of ['web-0', 'web-1', 'web-2']) {
      await h2.sync();
      await h2.run(n);
    }
    await api2.update(statefulSetResource, { ...sts(api2), spec: { ...sts(api2).spec!, replicas: 1 } });
    await settle();
    await h2.sync();
    assert.deepEqual(h2.names(), ['web-0', 'web-1'], 'web-2 first');
    await h2.sync();
    assert.deepEqual(h2.names(), ['web-0']);
    h2.stop();
  });

  test('a pod still terminating holds its ordinal: nothing is created in its place until it is gone', async () => {
    const api = new FakeApi();
    api.seed(statefulSetResource, statefulSet({ replicas: 2 }));
    const h = await start(api);
    await h.sync();
    await h.run('web-0');
    await h.sync();
    await h.run('web-1');
    // web-0 is being deleted (a finalizer keeps it): ordered mode waits, and its name stays taken.
    const p = h.pod('web-0');
    await api.update(podResource, { ...p, metadata: { ...p.metadata, finalizers: ['test/hold'] } });
    await api.delete(podResource, 'default', 'web-0');
    await settle();
    await h.sync();
    assert.equal(api.all<Pod>(podResource).filter((x) => x.metadata?.name === 'web-0').length, 1);
    assert.notEqual(h.pod('web-0').metadata?.deletionTimestamp, undefined);
    const held = h.pod('web-0');
    await api.update(podResource, { ...held, metadata: { ...held.metadata, finalizers: [] } });
    await settle();
    await h.sync();
    assert.equal(h.pod('web-0').metadata?.deletionTimestamp, undefined, 'a new web-0 once the old one is gone');
    assert.notEqual(h.pod('web-0').metadata?.uid, p.metadata?.uid);
    h.stop();
  });

  test('a member whose identity labels were removed gets them back', async () => {
    const api = new FakeApi();
    api.seed(statefulSetResource, statefulSet({ replicas: 1 }));
    const h = await start(api);
    await h.sync();
    await h.run('web-0');
    const p = h.pod('web-0');
    await api.update(podResource, { ...p, metadata: { ...p.metadata, labels: { app: 'web', 'controller-revision-hash': revisionOf(p) } } });
    await settle();
    await h.sync();
    assert.equal(h.pod('web-0').metadata?.labels?.['statefulset.kubernetes.io/pod-name'], 'web-0');
    assert.equal(h.pod('web-0').metadata?.labels?.['apps.kubernetes.io/pod-index'], '0');
    assert.equal(h.pod('web-0').metadata?.uid, p.metadata?.uid, 'updated, not replaced');
    h.stop();
  });

  test('a failed pod is deleted and made again', async () => {
    const api = new FakeApi();
    api.seed(statefulSetResource, statefulSet({ replicas: 1 }));
    const h = await start(api);
    await h.sync();
    const first = h.pod('web-0');
    await api.updateStatus(podResource, { ...first, status: { phase: 'Failed' } });
    await settle();
    await h.sync();
    assert.equal(h.pod('web-0'), undefined);
    await h.sync();
    assert.notEqual(h.pod('web-0').metadata?.uid, first.metadata?.uid);
    assert.ok(api.events.some((e) => e.note === 'delete Pod web-0 in StatefulSet web successful'));
    h.stop();
  });

  test('RollingUpdate replaces pods from the highest ordinal down to the partition, one at a time, and the update revision becomes current', async () => {
    const api = new FakeApi();
    api.seed(statefulSetResource, statefulSet());
    const h = await start(api);
    for (const n of ['web-0', 'web-1', 'web-2']) {
      await h.sync();
      await h.run(n);
    }
    await h.sync();
    const oldRevision = sts(api).status!.currentRevision!;
    const s = sts(api);
    await api.update(statefulSetResource, { ...s, metadata: { ...s.metadata, generation: 2 }, spec: { ...s.spec!, template: { ...s.spec!.template!, spec: { ...s.spec!.template!.spec!, containers: [{ name: 'nginx', image: 'nginx:2' }] } }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } } });
    await settle();
    await h.sync();
    assert.equal(api.all<ControllerRevision>(controllerRevisionResource).length, 2);
    const newRevision = sts(api).status!.updateRevision!;
    assert.notEqual(newRevision, oldRevision);
    assert.deepEqual(h.names(), ['web-0', 'web-1'], 'web-2 goes first');
    await h.sync();
    assert.equal(h.pod('web-2').spec?.containers?.[0]?.image, 'nginx:2');
    assert.equal(revisionOf(h.pod('web-2')), newRevision);
    await h.sync();
    assert.deepEqual(h.names(), ['web-0', 'web-1', 'web-2'], 'web-1 waits until web-2 is Running and Ready');
    await h.run('web-2');
    await h.sync();
    assert.deepEqual(h.names(), ['web-0', 'web-2']);
    await h.sync();
    await h.run('web-1');
    await h.sync();
    assert.equal(revisionOf(h.pod('web-0')), oldRevision, 'below the partition: untouched');
    assert.equal(revisionOf(h.pod('web-1')), newRevision);
    let st = sts(api).status!;
    assert.deepEqual([st.currentRevision, st.currentReplicas, st.updatedReplicas], [oldRevision, 1, 2], 'partitioned: not complete');

    const s2 = sts(api);
    await api.update(statefulSetResource, { ...s2, spec: { ...s2.spec!, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } } });
    await settle();
    await h.sync();
    await h.sync();
    await h.run('web-0');
    await h.sync();
    st = sts(api).status!;
    assert.deepEqual([st.currentRevision, st.currentReplicas, st.updatedReplicas], [newRevision, 3, 3]);
    h.stop();
  });

  test('OnDelete: a template change replaces nothing until the user deletes a pod, which comes back at the update revision', async () => {
    const api = new FakeApi();
    api.seed(statefulSetResource, statefulSet({ replicas: 2, updateStrategy: { type: 'OnDelete' } }));
    const h = await start(api);
    for (const n of ['web-0', 'web-1']) {
      await h.sync();
      await h.run(n);
    }
    const s = sts(api);
    await api.update(statefulSetResource, { ...s, spec: { ...s.spec!, template: { ...s.spec!.template!, spec: { ...s.spec!.template!.spec!, containers: [{ name: 'nginx', image: 'nginx:2' }] } } } });
    await settle();
    await h.sync();
    await h.sync();
    assert.deepEqual(h.names(), ['web-0', 'web-1']);
    assert.equal(h.pod('web-1').spec?.containers?.[0]?.image, 'nginx:1');
    await api.delete(podResource, 'default', 'web-1');
    await settle();
    await h.sync();
    assert.equal(h.pod('web-1').spec?.containers?.[0]?.image, 'nginx:2');
    assert.equal(h.pod('web-0').spec?.containers?.[0]?.image, 'nginx:1');
    h.stop();
  });

  test('whenScaled=Delete: a condemned pod owns its claim before it goes; whenDeleted=Delete: claims are owned by the set', async () => {
    const api = new FakeApi();
    api.seed(statefulSetResource, statefulSet({ replicas: 2, podManagementPolicy: 'Parallel', persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } }));
    const h = await start(api);
    await h.sync();
    await h.run('web-0', 'web-1');
    const ownersOf = (name: string): string[] => (api.peek<PersistentVolumeClaim>(persistentVolumeClaimResource, 'default', name)?.metadata?.ownerReferences ?? []).map((r) => `${r.kind}/${r.name}`);
    assert.deepEqual(ownersOf('data-web-1'), ['StatefulSet/web']);
    const web1 = h.pod('web-1');
    await api.update(statefulSetResource, { ...sts(api), spec: { ...sts(api).spec!, replicas: 1 } });
    await settle();
    await h.sync();
    const refs = api.peek<PersistentVolumeClaim>(persistentVolumeClaimResource, 'default', 'data-web-1')!.metadata!.ownerReferences!;
    assert.deepEqual(refs.map((r) => `${r.kind}/${r.name}/${r.uid}`), [`Pod/web-1/${web1.metadata!.uid!}`], 'the garbage collector deletes it with the pod');
    assert.deepEqual(h.names(), ['web-0']);
    assert.deepEqual(ownersOf('data-web-0'), ['StatefulSet/web']);

    // Scaled up again before the collector ran: the old claim is stale, so web-1 waits for it to go.
    await api.update(statefulSetResource, { ...sts(api), spec: { ...sts(api).spec!, replicas: 2 } });
    await settle();
    const r = await h.c.reconcile('default/web');
    await settle();
    assert.deepEqual(h.names(), ['web-0']);
    assert.deepEqual(r, { requeueAfterMs: 1000 });
    await api.delete(persistentVolumeClaimResource, 'default', 'data-web-1');
    await settle();
    await h.sync();
    assert.deepEqual(h.names(), ['web-0', 'web-1']);
    assert.deepEqual(ownersOf('data-web-1'), ['StatefulSet/web']);
    h.stop();
  });

  test('rolling back to an earlier template renumbers its revision instead of making a new one', async () => {
    const api = new FakeApi(new FakeClock(Date.parse('2026-01-01T00:00:00Z')));
    api.seed(statefulSetResource, statefulSet({ replicas: 1 }));
    const h = await start(api);
    await h.sync();
    const first = sts(api).status!.updateRevision!;
    const withImage = async (image: string): Promise<void> => {
      const s = sts(api);
      await api.update(statefulSetResource, { ...s, spec: { ...s.spec!, template: { ...s.spec!.template!, spec: { ...s.spec!.template!.spec!, containers: s.spec!.template!.spec!.containers!.map((c) => ({ ...c, image })) } } } });
      await settle();
      await h.sync();
    };
    await withImage('nginx:2');
    await withImage('nginx:1');
    const revisions = api.all<ControllerRevision>(controllerRevisionResource);
    assert.equal(revisions.length, 2);
    assert.equal(sts(api).status!.updateRevision, first);
    assert.equal(revisions.find((r) => r.metadata?.name === first)?.revision, 3);
    h.stop();
  });
});
