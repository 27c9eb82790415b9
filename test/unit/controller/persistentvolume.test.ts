import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { persistentVolumeResource, type PersistentVolume } from '../../../pkg/api/core/v1/persistentvolume.js';
import { persistentVolumeClaimResource, type PersistentVolumeClaim } from '../../../pkg/api/core/v1/persistentvolumeclaim.js';
import { storageClassResource, type StorageClass } from '../../../pkg/api/storage/v1/storageclass.js';
import { FakeClock } from '../../../pkg/client/clock.js';
import { findBestMatch, PersistentVolumeController } from '../../../pkg/controller/volume/persistentvolume/index.js';
import { FakeApi, settle } from '../../helpers/fake-api.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function pv(name: string, size: string, o: { modes?: string[]; cls?: string; labels?: Record<string, string>; policy?: string; claimRef?: { namespace: string; name: string; uid?: string }; phase?: string } = {}): PersistentVolume {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, ...(o.labels !== undefined ? { labels: o.labels } : {}) },
    spec: {
      capacity: { storage: size },
      accessModes: o.modes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: o.policy ?? 'Retain',
      storageClassName: o.cls ?? '',
      hostPath: { path: `/data/${name}` },
      ...(o.claimRef !== undefined ? { claimRef: { kind: 'PersistentVolumeClaim', ...o.claimRef } } : {}),
    },
    status: { phase: o.phase ?? 'Available' },
  } as PersistentVolume;
}

function pvc(name: string, size: string, o: { modes?: string[]; cls?: string; selector?: Record<string, string>; volumeName?: string } = {}): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'default' },
    spec: {
      accessModes: o.modes ?? ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
      ...(o.cls !== undefined ? { storageClassName: o.cls } : {}),
      ...(o.selector !== undefined ? { selector: { matchLabels: o.selector } } : {}),
      ...(o.volumeName !== undefined ? { volumeName: o.volumeName } : {}),
    },
    status: { phase: 'Pending' },
  } as PersistentVolumeClaim;
}

async function start(api: FakeApi): Promise<AbortController> {
  const { c, stop } = await api.startController((ctx) => new PersistentVolumeController(ctx));
  void c.run(stop.signal);
  await settle(80);
  return stop;
}

const claimOf = (api: FakeApi, name: string): PersistentVolumeClaim => api.peek<PersistentVolumeClaim>(persistentVolumeClaimResource, 'default', name)!;
const volumeOf = (api: FakeApi, name: string): PersistentVolume => api.peek<PersistentVolume>(persistentVolumeResource, '', name)!;
const eventsOf = (api: FakeApi, name: string): string[] => api.events.filter((e) => e.name === name).map((e) => `${e.type} ${e.reason} ${e.note}`);

describe('PersistentVolume matching', () => {
  test('the smallest free volume of the claim class whose access modes and capacity cover the claim', () => {
    const claim = pvc('data', '5Gi');
    const vols = [pv('small', '1Gi'), pv('big', '100Gi'), pv('fits', '10Gi'), pv('released', '5Gi', { phase: 'Released' }), pv('new', '9Gi', { phase: 'Pending' }), pv('fits-rox', '6Gi', { modes: ['ReadOnlyMany'] }), pv('other-class', '5Gi', { cls: 'fast' }), pv('taken', '5Gi', { claimRef: { namespace: 'x', name: 'y', uid: 'u' }, phase: 'Bound' })];
    assert.equal(findBestMatch(claim, vols, false)?.metadata?.name, 'new', 'a volume just created (Pending) counts as free');
    assert.equal(findBestMatch(claim, vols.filter((v) => v.metadata?.name !== 'new'), false)?.metadata?.name, 'fits');
  });

  test('fewer access modes win over a smaller size; a selector filters by the volume labels', () => {
    const claim = pvc('data', '1Gi');
    assert.equal(findBestMatch(claim, [pv('rwo-rwx', '1Gi', { modes: ['ReadWriteOnce', 'ReadWriteMany'] }), pv('rwo', '2Gi')], false)?.metadata?.name, 'rwo');
    const picky = pvc('data', '1Gi', { selector: { tier: 'gold' } });
    assert.equal(findBestMatch(picky, [pv('plain', '1Gi'), pv('gold', '3Gi', { labels: { tier: 'gold' } })], false)?.metadata?.name, 'gold');
  });

  test('a volume pre-bound to the claim wins even when larger; waiting for a consumer matches only that', () => {
    const claim = pvc('data', '1Gi');
    const pre = pv('reserved', '50Gi', { claimRef: { namespace: 'default', name: 'data' }, phase: 'Available' });
    assert.equal(findBestMatch(claim, [pv('exact', '1Gi'), pre], false)?.metadata?.name, 'reserved');
    assert.equal(findBestMatch(claim, [pv('exact', '1Gi')], true), undefined);
  });
});

describe('PersistentVolume binder', () => {
  test('binds a claim and its best volume both ways: claimRef, volumeName, annotations, phases Bound, the volume capacity on the claim', async () => {
    const api = new FakeApi(new FakeClock(T0));
    api.seed(persistentVolumeResource, pv('big', '20Gi', { modes: ['ReadWriteOnce', 'ReadOnlyMany'] }), pv('fits', '2Gi', { modes: ['ReadWriteOnce', 'ReadOnlyMany'] }));
    const [claim] = api.seed(persistentVolumeClaimResource, pvc('data', '1Gi'));
    const stop = await start(api);
    const c = claimOf(api, 'data');
    const v = volumeOf(api, 'fits');
    assert.equal(c.spec?.volumeName, 'fits');
    assert.equal(c.metadata?.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(c.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.deepEqual(c.status, { phase: 'Bound', capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] });
    assert.equal(v.spec?.claimRef?.uid, claim!.metadata?.uid);
    assert.equal(v.spec?.claimRef?.name, 'data');
    assert.equal(v.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.equal(v.status?.phase, 'Bound');
    assert.equal(volumeOf(api, 'big').status?.phase, 'Available');
    stop.abort();
  });

  test('a claim with nothing to bind and no class stays Pending with FailedBinding, and binds as soon as a volume appears', async () => {
    const api = new FakeApi(new FakeClock(T0));
    api.seed(persistentVolumeClaimResource, pvc('data', '1Gi'));
    const stop = await start(api);
    assert.equal(claimOf(api, 'data').status?.phase, 'Pending');
    assert.deepEqual(eventsOf(api, 'data'), ['Normal FailedBinding no persistent volumes available for this claim and no storage class is set']);
    // Created as the apiserver makes it (Pending): the binder makes it Available, then offers it.
    await api.create(persistentVolumeResource, '', pv('late', '1Gi', { phase: 'Pending' }));
    await settle(80);
    assert.equal(claimOf(api, 'data').status?.phase, 'Bound');
    assert.equal(volumeOf(api, 'late').status?.phase, 'Bound');
    stop.abort();
  });

  test('a claim naming a volume bound to another claim gets FailedBinding and stays Pending', async () => {
    const api = new FakeApi(new FakeClock(T0));
    api.seed(persistentVolumeResource, pv('vol', '1Gi', { claimRef: { namespace: 'default', name: 'first', uid: 'uid-first' }, phase: 'Bound' }));
    api.seed(persistentVolumeClaimResource, pvc('second', '1Gi', { volumeName: 'vol' }));
    const stop = await start(api);
    assert.equal(claimOf(api, 'second').status?.phase, 'Pending');
    assert.deepEqual(eventsOf(api, 'second'), ['Warning FailedBinding volume "vol" already bound to a different claim.']);
    stop.abort();
  });

  test('deleting the claim releases its volume: Retain keeps it Released, Delete without a provisioner fails with VolumeFailedDelete', async () => {
    const api = new FakeApi(new FakeClock(T0));
    api.seed(persistentVolumeResource, pv('kept', '1Gi', { policy: 'Retain' }), pv('dropped', '1Gi', { policy: 'Delete', cls: 'gone' }));
    api.seed(persistentVolumeClaimResource, pvc('a', '1Gi'), pvc('b', '1Gi', { cls: 'gone' }));
    const stop = await start(api);
    assert.equal(volumeOf(api, 'kept').status?.phase, 'Bound');
    assert.equal(volumeOf(api, 'dropped').status?.phase, 'Bound');
    await api.delete(persistentVolumeClaimResource, 'default', 'a');
    await api.delete(persistentVolumeClaimResource, 'default', 'b');
    await settle(80);
    assert.equal(volumeOf(api, 'kept').status?.phase, 'Released');
    assert.equal(volumeOf(api, 'kept').spec?.claimRef?.name, 'a', 'a released volume keeps its claimRef until an administrator frees it');
    assert.equal(volumeOf(api, 'dropped').status?.phase, 'Failed');
    assert.deepEqual(eventsOf(api, 'dropped'), ['Warning VolumeFailedDelete error getting deleter volume plugin for volume "dropped": no deletable volume plugin matched']);
    // A new claim of the same name does not get the released volume back.
    await api.create(persistentVolumeClaimResource, 'default', pvc('a', '1Gi'));
    await settle(80);
    assert.equal(claimOf(api, 'a').status?.phase, 'Pending');
    stop.abort();
  });

  test('a claim of a provisioning class waits for its external provisioner; one of a WaitForFirstConsumer class for its first pod', async () => {
    const api = new FakeApi(new FakeClock(T0));
    api.seed<StorageClass>(storageClassResource, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'csi' }, provisioner: 'hostpath.csi.kubets.io', volumeBindingMode: 'Immediate' } as StorageClass);
    api.seed<StorageClass>(storageClassResource, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' } as StorageClass);
    api.seed(persistentVolumeClaimResource, pvc('dyn', '1Gi', { cls: 'csi' }), pvc('later', '1Gi', { cls: 'local' }), pvc('nowhere', '1Gi', { cls: 'missing' }));
    const stop = await start(api);
    assert.equal(claimOf(api, 'dyn').metadata?.annotations?.['volume.kubernetes.io/storage-provisioner'], 'hostpath.csi.kubets.io');
    assert.match(eventsOf(api, 'dyn')[0] ?? '', /^Normal ExternalProvisioning Waiting for a volume to be created either by the external provisioner 'hostpath.csi.kubets.io' or manually/);
    assert.deepEqual(eventsOf(api, 'later'), ['Normal WaitForFirstConsumer waiting for first consumer to be created before binding']);
    assert.deepEqual(eventsOf(api, 'nowhere'), ['Warning ProvisioningFailed storageclass.storage.k8s.io "missing" not found']);
    for (const n of ['dyn', 'later', 'nowhere']) assert.equal(claimOf(api, n).status?.phase, 'Pending');
    stop.abort();
  });

  test('a claim deleted and made again under its name at once is a new claim: the volume is released, not kept for it', async () => {
    const api = new FakeApi(new FakeClock(T0));
    api.seed(persistentVolumeResource, pv('vol', '1Gi'));
    api.seed(persistentVolumeClaimResource, pvc('data', '1Gi'));
    const stop = await start(api);
    assert.equal(volumeOf(api, 'vol').status?.phase, 'Bound');
    await api.delete(persistentVolumeClaimResource, 'default', 'data');
    await api.create(persistentVolumeClaimResource, 'default', pvc('data', '1Gi'));
    await settle(80);
    assert.equal(volumeOf(api, 'vol').status?.phase, 'Released');
    assert.equal(claimOf(api, 'data').status?.phase, 'Pending');
    stop.abort();
  });

  test('a bound claim whose volume was deleted is Lost, with ClaimLost', async () => {
    const api = new FakeApi(new FakeClock(T0));
    api.seed(persistentVolumeResource, pv('vol', '1Gi'));
    api.seed(persistentVolumeClaimResource, pvc('data', '1Gi'));
    const stop = await start(api);
    assert.equal(claimOf(api, 'data').status?.phase, 'Bound');
    await api.delete(persistentVolumeResource, '', 'vol');
    await settle(80);
    assert.equal(claimOf(api, 'data').status?.phase, 'Lost');
    assert.deepEqual(eventsOf(api, 'data'), ['Warning ClaimLost Bound claim has lost its PersistentVolume. Data on the volume is lost!']);
    stop.abort();
  });

  test('a claim made before the cluster had a default class gets it when one appears; a claim of class "" does not', async () => {
    const api = new FakeApi(new FakeClock(T0));
    api.seed(persistentVolumeClaimResource, pvc('early', '1Gi'), pvc('none', '1Gi', { cls: '' }));
    const stop = await start(api);
    assert.equal(claimOf(api, 'early').spec?.storageClassName, undefined);
    const standard: StorageClass = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'hostpath.csi.kubets.io', volumeBindingMode: 'WaitForFirstConsumer' };
    await api.create(storageClassResource, '', standard);
    await settle(80);
    assert.equal(claimOf(api, 'early').spec?.storageClassName, 'standard');
    assert.equal(claimOf(api, 'none').spec?.storageClassName, '');
    stop.abort();
  });
});
