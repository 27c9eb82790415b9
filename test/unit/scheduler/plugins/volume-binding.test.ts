// VolumeBinding over a snapshot with claims, volumes and classes: what keeps a pod off a node (in
// upstream's words), and what PreBind writes for the node chosen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from '../../../../pkg/api/core/v1/index.js';
import type { PersistentVolume } from '../../../../pkg/api/core/v1/persistentvolume.js';
import type { PersistentVolumeClaim } from '../../../../pkg/api/core/v1/persistentvolumeclaim.js';
import type { StorageClass } from '../../../../pkg/api/storage/v1/storageclass.js';
import { CycleState } from '../../../../pkg/scheduler/framework/cycle-state.js';
import { buildSnapshot, PodInfo, type StorageLister } from '../../../../pkg/scheduler/framework/types.js';
import { ERR_REASON_BIND_CONFLICT, ERR_REASON_NODE_CONFLICT, ERR_UNBOUND_IMMEDIATE_CLAIMS, newVolumeBinding, type VolumeBinderIO } from '../../../../pkg/scheduler/plugins/volumebinding/volume-binding.js';

const node = (name: string, labels: Record<string, string> = {}): Node => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } } });
const NODES = [node('node-a', { zone: 'z1' }), node('node-b', { zone: 'z2' })];

const pod = (...claims: string[]): Pod => ({
  metadata: { name: 'web', namespace: 'default', uid: 'p1' },
  spec: { containers: [{ name: 'c', image: 'nginx' }], volumes: claims.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })) },
});

const claim = (name: string, size: string, extra: Partial<NonNullable<PersistentVolumeClaim['spec']>> = {}, annotations?: Record<string, string>): PersistentVolumeClaim => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '5', ...(annotations ? { annotations } : {}) },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, ...extra },
  status: { phase: extra.volumeName ? 'Bound' : 'Pending' },
});

const localVolume = (name: string, size: string, onNode: string, cls = 'local'): PersistentVolume => ({
  metadata: { name },
  spec: {
    capacity: { storage: size },
    accessModes: ['ReadWriteOnce'],
    storageClassName: cls,
    local: { path: `/mnt/${name}` },
    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [onNode] }] }] } },
  },
  status: { phase: 'Available' },
});

const cls = (name: string, provisioner: string, mode: string, allowedTopologies?: StorageClass['allowedTopologies']): StorageClass => ({ metadata: { name }, provisioner, volumeBindingMode: mode, ...(allowedTopologies ? { allowedTopologies } : {}) });

function storage(claims: PersistentVolumeClaim[], volumes: PersistentVolume[], classes: StorageClass[]): StorageLister {
  return {
    claim: (ns, name) => claims.find((c) => c.metadata?.namespace === ns && c.metadata?.name === name),
    volumes: () => volumes,
    storageClass: (name) => classes.find((c) => c.metadata?.name === name),
  };
}

class RecordingIO implements VolumeBinderIO {
  readonly calls: string[] = [];
  failWait: string | undefined;
  async bindVolume(volume: PersistentVolume, c: PersistentVolumeClaim): Promise<void> {
    this.calls.push(`bind ${volume.metadata?.name ?? ''} to ${c.metadata?.name ?? ''}`);
  }
  async selectNode(c: PersistentVolumeClaim, n: string): Promise<void> {
    this.calls.push(`select ${n} for ${c.metadata?.name ?? ''}`);
  }
  async waitBound(claims: readonly PersistentVolumeClaim[], timeoutMs: number): Promise<void> {
    this.calls.push(`wait ${claims.map((c) => c.metadata?.name ?? '').join(',')} ${timeoutMs}ms`);
    if (this.failWait !== undefined) throw new Error(this.failWait);
  }
}

/** PreFilter, then Filter on each node: the codes and reasons by node (or the PreFilter's). */
function run(p: Pod, s: StorageLister, io = new RecordingIO()) {
  const plugin = newVolumeBinding({ bindTimeoutSeconds: 30 }, io);
  const snapshot = buildSnapshot({ nodes: NODES, pods: [], storage: s });
  const state = new CycleState();
  const pi = new PodInfo(p);
  const pre = plugin.preFilter(state, pi, snapshot).status;
  const byNode: Record<string, string> = {};
  if (pre.code === 'Success') for (const ni of snapshot.nodeInfos) {
    const f = plugin.filter(state, pi, ni);
    byNode[ni.name] = f.code === 'Success' ? 'ok' : `${f.code}: ${f.reasons.join(', ')}`;
  }
  return { pre: pre.code === 'Success' ? 'ok' : `${pre.code}: ${pre.reasons.join(', ')}`, byNode, preBind: (n: string) => plugin.preBind(state, pi, n, new AbortController().signal), io };
}

test('a pod without claims is skipped; a missing claim or an unbound Immediate one keeps it off every node', () => {
  assert.equal(run({ metadata: { name: 'x', namespace: 'default' }, spec: { containers: [] } }, storage([], [], [])).pre, 'Skip: ');
  assert.equal(run(pod('data'), storage([], [], [])).pre, 'UnschedulableAndUnresolvable: persistentvolumeclaim "data" not found');
  assert.equal(run(pod('data'), storage([claim('data', '1Gi', { storageClassName: 'standard' })], [], [cls('standard', 'example.com/x', 'Immediate')])).pre, `UnschedulableAndUnresolvable: ${ERR_UNBOUND_IMMEDIATE_CLAIMS}`);
  assert.equal(run(pod('data'), storage([claim('data', '1Gi', { storageClassName: '' })], [], [])).pre, `UnschedulableAndUnresolvable: ${ERR_UNBOUND_IMMEDIATE_CLAIMS}`, 'no class binds at once');
});

test('a bound claim\'s volume must reach the node', () => {
  const r = run(pod('data'), storage([claim('data', '1Gi', { storageClassName: 'local', volumeName: 'pv-a' })], [localVolume('pv-a', '1Gi', 'node-a')], []));
  assert.deepEqual(r.byNode, { 'node-a': 'ok', 'node-b': `UnschedulableAndUnresolvable: ${ERR_REASON_NODE_CONFLICT}` });
});

test('WaitForFirstConsumer with local volumes: the node with a volume that fits; PreBind binds the smallest and waits', async () => {
  const s = storage(
    [claim('data', '1Gi', { storageClassName: 'local' })],
    [localVolume('big-a', '10Gi', 'node-a'), localVolume('small-a', '2Gi', 'node-a'), localVolume('tiny-b', '512Mi', 'node-b')],
    [cls('local', 'kubernetes.io/no-provisioner', 'WaitForFirstConsumer')],
  );
  const r = run(pod('data'), s);
  assert.deepEqual(r.byNode, { 'node-a': 'ok', 'node-b': `Unschedulable: ${ERR_REASON_BIND_CONFLICT}` });
  assert.equal((await r.preBind('node-a')).code, 'Success');
  assert.deepEqual(r.io.calls, ['bind small-a to data', 'wait data 30000ms']);
});

test('two claims never take the same volume', () => {
  const s = storage(
    [claim('one', '1Gi', { storageClassName: 'local' }), claim('two', '1Gi', { storageClassName: 'local' })],
    [localVolume('only-a', '1Gi', 'node-a'), localVolume('b1', '1Gi', 'node-b'), localVolume('b2', '1Gi', 'node-b')],
    [cls('local', 'kubernetes.io/no-provisioner', 'WaitForFirstConsumer')],
  );
  assert.deepEqual(run(pod('one', 'two'), s).byNode, { 'node-a': `Unschedulable: ${ERR_REASON_BIND_CONFLICT}`, 'node-b': 'ok' });
});

test('WaitForFirstConsumer with a provisioner: any node its allowedTopologies admit; PreBind selects the node and waits', async () => {
  const zoned = cls('zoned', 'hostpath.csi.k8s.io', 'WaitForFirstConsumer', [{ matchLabelExpressions: [{ key: 'zone', values: ['z2'] }] }]);
  const r = run(pod('data'), storage([claim('data', '1Gi', { storageClassName: 'zoned' })], [], [zoned]));
  assert.deepEqual(r.byNode, { 'node-a': `Unschedulable: ${ERR_REASON_BIND_CONFLICT}`, 'node-b': 'ok' });
  assert.equal((await r.preBind('node-b')).code, 'Success');
  assert.deepEqual(r.io.calls, ['select node-b for data', 'wait data 30000ms']);
  // A claim already being provisioned for a node follows it there.
  const pinned = run(pod('data'), storage([claim('data', '1Gi', { storageClassName: 'any' }, { 'volume.kubernetes.io/selected-node': 'node-a' })], [], [cls('any', 'hostpath.csi.k8s.io', 'WaitForFirstConsumer')]));
  assert.deepEqual(pinned.byNode, { 'node-a': 'ok', 'node-b': `Unschedulable: ${ERR_REASON_BIND_CONFLICT}` });
  assert.equal((await pinned.preBind('node-a')).code, 'Success');
  assert.deepEqual(pinned.io.calls, ['wait data 30000ms'], 'the annotation is there already');
});

test('a PreBind wait that fails is an error naming the volumes', async () => {
  const io = new RecordingIO();
  io.failWait = 'timed out waiting for the condition';
  const r = run(pod('data'), storage([claim('data', '1Gi', { storageClassName: 'any' })], [], [cls('any', 'hostpath.csi.k8s.io', 'WaitForFirstConsumer')]), io);
  const s = await r.preBind('node-a');
  assert.deepEqual([s.code, s.reasons], ['Error', ['binding volumes: timed out waiting for the condition']]);
});
