// The PersistentVolume binder (upstream's persistentvolume-binder-controller): binds each claim to
// the volume that fits it best, keeps the phases of both (Pending/Bound/Lost, Available/Bound/
// Released/Failed), releases a volume whose claim is gone and applies its reclaim policy, and hands
// a claim of a provisioning class to that class's external provisioner. One queue for both kinds:
// a claim's key is "namespace/name", a volume's (cluster-scoped) is its name. Each sync is
// level-triggered: a binding half written when the process died is finished by the next one.
import { persistentVolumeResource, type PersistentVolume } from '../../../api/core/v1/persistentvolume.js';
import { persistentVolumeClaimResource, type PersistentVolumeClaim } from '../../../api/core/v1/persistentvolumeclaim.js';
import { defaultStorageClassName, isDefaultStorageClass, storageClassResource, type StorageClass } from '../../../api/storage/v1/storageclass.js';
import type { Lister } from '../../../client/informer/lister.js';
import { metaNamespaceKey, splitMetaNamespaceKey, unwrapTombstone, type DeepReadonly } from '../../../client/informer/store.js';
import { WorkloadController, isNotFound, type ControllerContext, type ControllerDefinition, type ReconcileResult } from '../../framework/index.js';
import {
  ANN_BETA_STORAGE_CLASS,
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_DYNAMICALLY_PROVISIONED,
  ANN_STORAGE_PROVISIONER,
  claimClass,
  delaysBinding,
  findBestMatch,
  hasAnnotation,
  isVolumeBoundToClaim,
  volumeModeOf,
  type PV,
  type PVC,
} from './binder.js';

/** Upstream's --pvclaimbinder-sync-period: unbound claims and volumes are looked at again this often. */
export const DEFAULT_SYNC_PERIOD_MS = 15_000;

const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export class PersistentVolumeController extends WorkloadController {
  private readonly volumes: Lister<PersistentVolume>;
  private readonly claims: Lister<PersistentVolumeClaim>;
  private readonly classes: Lister<StorageClass>;
  private readonly syncPeriodMs: number;

  constructor(ctx: ControllerContext, syncPeriodMs = DEFAULT_SYNC_PERIOD_MS) {
    super(ctx, { queue: 'persistentvolume', component: 'persistentvolume-controller' });
    this.syncPeriodMs = syncPeriodMs;
    const pvInformer = ctx.informers.forResource<PersistentVolume>(persistentVolumeResource);
    const pvcInformer = ctx.informers.forResource<PersistentVolumeClaim>(persistentVolumeClaimResource);
    this.volumes = pvInformer.lister();
    this.claims = pvcInformer.lister();
    const classInformer = ctx.informers.forResource<StorageClass>(storageClassResource);
    this.classes = classInformer.lister();
    // A default class appearing gives the claims without a class one at once, not at their next resync.
    const onClass = (sc: DeepReadonly<StorageClass>): void => {
      if (!isDefaultStorageClass(sc as StorageClass)) return;
      for (const c of this.claims.list()) if (!c.spec?.volumeName && (c.spec?.storageClassName === undefined || c.spec.storageClassName === null)) this.loop.enqueue(metaNamespaceKey(c));
    };
    classInformer.addEventHandler({ onAdd: onClass, onUpdate: (_o, sc) => onClass(sc), onDelete: () => undefined });
    const onVolume = (v: PV): void => {
      this.loop.enqueue(v.metadata?.name ?? '');
      const ref = v.spec?.claimRef;
      if (ref?.name) this.loop.enqueue(`${ref.namespace ?? ''}/${ref.name}`);
      // Beyond upstream (which waits for the 15 s resync): a volume that just became free is
      // offered to the waiting claims at once.
      else if (v.status?.phase === 'Available') for (const c of this.claims.list()) if (!c.spec?.volumeName) this.loop.enqueue(metaNamespaceKey(c));
    };
    const onClaim = (c: PVC): void => {
      this.loop.enqueue(metaNamespaceKey(c));
      if (c.spec?.volumeName) this.loop.enqueue(c.spec.volumeName);
    };
    pvInformer.addEventHandler({ onAdd: onVolume, onUpdate: (_o, v) => onVolume(v), onDelete: (v) => onVolume(unwrapTombstone(v)) });
    pvcInformer.addEventHandler({ onAdd: onClaim, onUpdate: (_o, c) => onClaim(c), onDelete: (c) => onClaim(unwrapTombstone(c)) });
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    if (!key.includes('/')) return this.syncVolume(key);
    const { namespace, name } = splitMetaNamespaceKey(key);
    const claim = this.claims.namespace(namespace).get(name);
    if (claim === undefined) return;
    return this.syncClaim(claim);
  }

  // ---- claims ----

  private async syncClaim(claim: PVC): Promise<ReconcileResult | void> {
    if (claim.metadata?.deletionTimestamp !== undefined) return;
    if (!hasAnnotation(claim, ANN_BIND_COMPLETED)) return this.syncUnboundClaim(claim);
    return this.syncBoundClaim(claim);
  }

  private async syncUnboundClaim(claim: PVC): Promise<ReconcileResult | void> {
    const again = { requeueAfterMs: this.syncPeriodMs };
    const wanted = claim.spec?.volumeName;
    // Upstream's retroactive default: a claim made before the cluster had a default class (so the
    // admission gave it none) gets the default once there is one; "" stays "" (no class wanted).
    if (!wanted && (claim.spec?.storageClassName === undefined || claim.spec.storageClassName === null) && !hasAnnotation(claim, ANN_BETA_STORAGE_CLASS)) {
      const def = defaultStorageClassName(this.classes.list() as StorageClass[]);
      if (def !== undefined) {
        const copy = structuredClone(claim) as PersistentVolumeClaim;
        copy.spec = { ...copy.spec, storageClassName: def };
        await this.client.update<PersistentVolumeClaim>(persistentVolumeClaimResource, copy);
        return;
      }
    }
    if (!wanted) {
      const delay = delaysBinding(claim, (n) => this.classes.get(n));
      const volume = findBestMatch(claim, this.volumes.list(), delay);
      if (volume !== undefined) {
        await this.bind(volume, claim);
        return;
      }
      const cls = claimClass(claim);
      if (delay) {
        this.events.record(claim, 'Normal', 'WaitForFirstConsumer', 'Binding', 'waiting for first consumer to be created before binding');
      } else if (cls !== '') {
        await this.provisionClaim(claim, cls);
      } else {
        this.events.record(claim, 'Normal', 'FailedBinding', 'Binding', 'no persistent volumes available for this claim and no storage class is set');
      }
      await this.setClaimPhase(claim, 'Pending');
      return again;
    }
    // Pre-bound by the user to a named volume.
    const volume = this.volumes.get(wanted);
    if (volume === undefined) {
      await this.setClaimPhase(claim, 'Pending');
      return again;
    }
    if (volume.spec?.claimRef === undefined || volume.spec.claimRef === null) {
      if (volumeModeOf(volume.spec?.volumeMode) !== volumeModeOf(claim.spec?.volumeMode)) {
        this.events.record(claim, 'Warning', 'VolumeMismatch', 'Binding', `Cannot bind to requested volume "${wanted}": volumeMode mismatch`);
        await this.setClaimPhase(claim, 'Pending');
        return again;
      }
      await this.bind(volume, claim);
      return;
    }
    if (isVolumeBoundToClaim(volume, claim)) {
      await this.bind(volume, claim);
      return;
    }
    if (!hasAnnotation(claim, ANN_BOUND_BY_CONTROLLER)) {
      this.events.record(claim, 'Warning', 'FailedBinding', 'Binding', `volume "${wanted}" already bound to a different claim.`);
    }
    await this.setClaimPhase(claim, 'Pending');
    return again;
  }

  private async syncBoundClaim(claim: PVC): Promise<void> {
    const name = claim.spec?.volumeName;
    if (!name) {
      await this.lose(claim, 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
      return;
    }
    const volume = this.volumes.get(name);
    if (volume === undefined) {
      await this.lose(claim, 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
      return;
    }
    if (volume.spec?.claimRef === undefined || volume.spec.claimRef === null || isVolumeBoundToClaim(volume, claim)) {
      await this.bind(volume, claim);
      return;
    }
    if (claim.status?.phase !== 'Lost') this.events.record(claim, 'Warning', 'ClaimMisbound', 'Binding', 'Two claims are bound to the same volume, this one is bound incorrectly');
    await this.setClaimPhase(claim, 'Lost');
  }

  private async lose(claim: PVC, message: string): Promise<void> {
    if (claim.status?.phase !== 'Lost') this.events.record(claim, 'Warning', 'ClaimLost', 'Binding', message);
    await this.setClaimPhase(claim, 'Lost');
  }

  /** A claim of a class with a provisioner waits for it (upstream: external provisioning for CSI drivers). */
  private async provisionClaim(claim: PVC, cls: string): Promise<void> {
    const storageClass = this.classes.get(cls);
    if (storageClass === undefined) {
      this.events.record(claim, 'Warning', 'ProvisioningFailed', 'Provisioning', `storageclass.storage.k8s.io "${cls}" not found`);
      return;
    }
    const provisioner = storageClass.provisioner ?? '';
    if (claim.metadata?.annotations?.[ANN_STORAGE_PROVISIONER] !== provisioner) {
      const copy = structuredClone(claim) as PersistentVolumeClaim;
      copy.metadata = { ...copy.metadata, annotations: { ...(copy.metadata?.annotations ?? {}), [ANN_STORAGE_PROVISIONER]: provisioner, [ANN_BETA_STORAGE_PROVISIONER]: provisioner } };
      await this.client.update<PersistentVolumeClaim>(persistentVolumeClaimResource, copy);
    }
    this.events.record(
      claim,
      'Normal',
      'ExternalProvisioning',
      'Provisioning',
      `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    );
  }

  // ---- volumes ----

  private async syncVolume(name: string): Promise<ReconcileResult | void> {
    const volume = this.volumes.get(name);
    if (volume === undefined || volume.metadata?.deletionTimestamp !== undefined) return;
    const ref = volume.spec?.claimRef;
    if (ref === undefined || ref === null || !ref.uid) {
      // Unclaimed, or pre-bound by name to a claim that does not exist yet.
      await this.setVolumePhase(volume, 'Available');
      return;
    }
    let claim: PVC | undefined = this.claims.namespace(ref.namespace ?? '').get(ref.name ?? '');
    if (claim === undefined) {
      // The cache may lag a claim just made: only the API decides that it is gone.
      try {
        claim = await this.client.get<PersistentVolumeClaim>(persistentVolumeClaimResource, ref.namespace ?? '', ref.name ?? '');
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    if (claim !== undefined && claim.metadata?.uid !== ref.uid) claim = undefined;
    if (claim === undefined) {
      if (volume.status?.phase === 'Released' || volume.status?.phase === 'Failed') return this.reclaim(volume);
      const released = await this.setVolumePhase(volume, 'Released');
      return this.reclaim(released);
    }
    if (!claim.spec?.volumeName) {
      // Half bound: the claim's own sync finishes the binding (or undoes a dangling one).
      return { requeueAfterMs: this.syncPeriodMs };
    }
    if (claim.spec.volumeName === name) {
      await this.setVolumePhase(volume, 'Bound');
      return;
    }
    // The claim went to another volume: free this one (a user's pre-binding keeps the claim's name).
    const copy = structuredClone(volume) as PersistentVolume;
    if (hasAnnotation(volume, ANN_BOUND_BY_CONTROLLER)) {
      delete copy.spec!.claimRef;
      const annotations = { ...(copy.metadata?.annotations ?? {}) };
      delete annotations[ANN_BOUND_BY_CONTROLLER];
      copy.metadata = { ...copy.metadata, annotations };
    } else {
      copy.spec!.claimRef = { ...copy.spec!.claimRef!, uid: '' };
    }
    const updated = await this.client.update<PersistentVolume>(persistentVolumeResource, copy);
    await this.setVolumePhase(updated, 'Available');
  }

  /** A released volume: Retain keeps it (an administrator frees it); Delete is its provisioner's job. */
  private async reclaim(volume: PV): Promise<void> {
    const policy = volume.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy !== 'Delete' || volume.status?.phase === 'Failed') return;
    // A provisioned volume is deleted by the provisioner that made it, which watches for Released.
    if (hasAnnotation(volume, ANN_DYNAMICALLY_PROVISIONED)) return;
    const message = `error getting deleter volume plugin for volume "${volume.metadata?.name ?? ''}": no deletable volume plugin matched`;
    this.events.record(volume, 'Warning', 'VolumeFailedDelete', 'Delete', message);
    await this.setVolumePhase(volume, 'Failed', message);
  }

  // ---- binding ----

  /** Points the volume at the claim and the claim at the volume, then sets both phases (each step idempotent). */
  private async bind(volume: PV, claim: PVC): Promise<void> {
    let v = volume;
    const ref = v.spec?.claimRef;
    if (ref === undefined || ref === null || ref.uid !== claim.metadata?.uid) {
      const copy = structuredClone(v) as PersistentVolume;
      copy.spec = {
        ...copy.spec,
        claimRef: { kind: 'PersistentVolumeClaim', namespace: claim.metadata?.namespace ?? '', name: claim.metadata?.name ?? '', uid: claim.metadata?.uid ?? '', apiVersion: 'v1', resourceVersion: claim.metadata?.resourceVersion ?? '' },
      };
      if (ref === undefined || ref === null) copy.metadata = { ...copy.metadata, annotations: { ...(copy.metadata?.annotations ?? {}), [ANN_BOUND_BY_CONTROLLER]: 'yes' } };
      v = await this.client.update<PersistentVolume>(persistentVolumeResource, copy);
    }
    v = await this.setVolumePhase(v, 'Bound');
    let c = claim;
    if (c.spec?.volumeName !== v.metadata?.name || !hasAnnotation(c, ANN_BIND_COMPLETED)) {
      const copy = structuredClone(c) as PersistentVolumeClaim;
      const annotations: Record<string, string> = { ...(copy.metadata?.annotations ?? {}), [ANN_BIND_COMPLETED]: 'yes' };
      // The binder chose this volume (the user named none).
      if (!c.spec?.volumeName) annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
      copy.metadata = { ...copy.metadata, annotations };
      copy.spec = { ...copy.spec, volumeName: v.metadata?.name ?? '' };
      c = await this.client.update<PersistentVolumeClaim>(persistentVolumeClaimResource, copy);
    }
    const capacity = v.spec?.capacity ?? {};
    const modes = v.spec?.accessModes ?? [];
    const st = c.status;
    if (st?.phase !== 'Bound' || JSON.stringify(st.capacity ?? {}) !== JSON.stringify(capacity) || JSON.stringify(st.accessModes ?? []) !== JSON.stringify(modes)) {
      const copy = structuredClone(c) as PersistentVolumeClaim;
      copy.status = { ...copy.status, phase: 'Bound', capacity: { ...capacity }, accessModes: [...modes] };
      await this.client.updateStatus<PersistentVolumeClaim>(persistentVolumeClaimResource, copy);
    }
  }

  private async setClaimPhase(claim: PVC, phase: 'Pending' | 'Lost'): Promise<void> {
    if (claim.status?.phase === phase) return;
    const copy = structuredClone(claim) as PersistentVolumeClaim;
    copy.status = { ...copy.status, phase };
    // Upstream clears what a lost claim had; a Pending one has nothing yet.
    if (phase === 'Lost') delete copy.status.capacity;
    await this.client.updateStatus<PersistentVolumeClaim>(persistentVolumeClaimResource, copy);
  }

  private async setVolumePhase(volume: PV, phase: 'Available' | 'Bound' | 'Released' | 'Failed', message?: string): Promise<PV> {
    if (volume.status?.phase === phase && (message === undefined || volume.status.message === message)) return volume;
    const copy = structuredClone(volume) as PersistentVolume;
    copy.status = { phase, lastPhaseTransitionTime: rfc3339(this.clock.now()), ...(message !== undefined ? { message } : {}) };
    return this.client.updateStatus<PersistentVolume>(persistentVolumeResource, copy);
  }
}

export const persistentVolumeBinderControllerDefinition: ControllerDefinition = {
  name: 'persistentvolume-binder-controller',
  aliases: ['persistentvolume-binder'],
  create: (ctx) => new PersistentVolumeController(ctx),
};
