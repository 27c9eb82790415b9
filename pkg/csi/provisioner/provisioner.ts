// The external provisioner of one node's CSI driver (upstream's external-provisioner in its
// node-deployment mode): a claim handed to this driver (volume.kubernetes.io/storage-provisioner)
// and scheduled to this node (volume.kubernetes.io/selected-node, set by the scheduler's
// VolumeBinding) gets a volume from CreateVolume and a PersistentVolume pre-bound to it, reachable
// from this node only; the PV controller then binds the two. A Released volume of this driver on
// this node whose reclaim policy is Delete is deleted through DeleteVolume, then from the API.
// Level-triggered: every claim and volume event (and a periodic resync) looks at the current state.
import type { Logger } from 'pino';
import type { PersistentVolume } from '../../api/core/v1/persistentvolume.js';
import type { PersistentVolumeClaim } from '../../api/core/v1/persistentvolumeclaim.js';
import { Quantity, tryParseQuantity } from '../../api/resource/quantity.js';
import type { StorageClass } from '../../api/storage/v1/storageclass.js';
import type { EventRecorder } from '../../client/events.js';
import type { DeepReadonly, Lister } from '../../client/informer/index.js';
import type { RestClient } from '../../client/rest.js';
import { ANN_DYNAMICALLY_PROVISIONED, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, claimClass } from '../../controller/volume/persistentvolume/binder.js';
import { isAlreadyExists, isNotFound } from '../../controller/framework/errors.js';
import { csiAccessMode, type CsiClient } from '../client.js';
import { TOPOLOGY_KEY } from '../hostpath/driver.js';

type PVC = DeepReadonly<PersistentVolumeClaim>;
type PV = DeepReadonly<PersistentVolume>;

export interface NodeProvisionerOptions {
  readonly driverName: string;
  readonly nodeName: string;
  readonly csi: CsiClient;
  readonly client: RestClient;
  readonly claims: Lister<PersistentVolumeClaim>;
  readonly volumes: Lister<PersistentVolume>;
  readonly classes: Lister<StorageClass>;
  readonly events: EventRecorder;
  readonly log: Logger;
}

/** The volume's name for a claim: pvc-<claim uid>, as upstream's provisioner names it. */
export const volumeNameFor = (c: PVC): string => `pvc-${c.metadata?.uid ?? ''}`;

/** Bytes as a Quantity string: binary units when exact (1Gi), plain bytes otherwise. */
export function bytesQuantity(bytes: bigint): string {
  return Quantity.fromInt(bytes, 'BinarySI').toString();
}

export class NodeProvisioner {
  /** Keys being worked on, so events during a slow CreateVolume do not start a second one. */
  private readonly busy = new Set<string>();

  constructor(private readonly o: NodeProvisionerOptions) {}

  /** Whether this provisioner owns the claim now: unbound, ours, for this node, not being deleted. */
  private wants(c: PVC): boolean {
    const ann = c.metadata?.annotations ?? {};
    return (c.spec?.volumeName ?? '') === '' && c.metadata?.deletionTimestamp === undefined && ann[ANN_STORAGE_PROVISIONER] === this.o.driverName && ann[ANN_SELECTED_NODE] === this.o.nodeName;
  }

  /** Looks at every claim and volume (a resync, or after the caches sync). */
  async syncAll(signal: AbortSignal): Promise<void> {
    for (const c of this.o.claims.list()) await this.syncClaim(c, signal);
    for (const v of this.o.volumes.list()) await this.syncVolume(v, signal);
  }

  async syncClaim(c: PVC, signal: AbortSignal): Promise<void> {
    if (!this.wants(c)) return;
    const key = `claim/${c.metadata?.uid ?? ''}`;
    if (this.busy.has(key)) return;
    this.busy.add(key);
    try {
      await this.provision(c, signal);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.o.log.warn({ claim: `${c.metadata?.namespace ?? ''}/${c.metadata?.name ?? ''}`, err: message }, 'provisioning failed');
      void this.o.events.record(c as PersistentVolumeClaim, 'Warning', 'ProvisioningFailed', 'Provision', `failed to provision volume with StorageClass "${claimClass(c)}": ${message}`);
    } finally {
      this.busy.delete(key);
    }
  }

  private async provision(c: PVC, signal: AbortSignal): Promise<void> {
    const name = volumeNameFor(c);
    // Made before and not bound yet: the PV controller finishes the binding.
    if (this.o.volumes.get(name) !== undefined) return;
    const clsName = claimClass(c);
    const cls = this.o.classes.get(clsName);
    if (cls === undefined) throw new Error(`storageclass.storage.k8s.io "${clsName}" not found`);
    const ns = c.metadata?.namespace ?? '';
    void this.o.events.record(c as PersistentVolumeClaim, 'Normal', 'Provisioning', 'Provision', `External provisioner is provisioning volume for claim "${ns}/${c.metadata?.name ?? ''}"`);
    const request = tryParseQuantity(c.spec?.resources?.requests?.['storage'])?.value() ?? 0n;
    const modes = [...(c.spec?.accessModes ?? [])];
    const parameters = Object.fromEntries(Object.entries(cls.parameters ?? {}).filter(([k]) => !k.startsWith('csi.storage.k8s.io/')));
    const fsType = cls.parameters?.['csi.storage.k8s.io/fstype'];
    const capability = { accessMode: csiAccessMode(modes), ...(fsType ? { fsType } : {}), mountFlags: [...(cls.mountOptions ?? [])] };
    const volume = await this.o.csi.createVolume({ name, requiredBytes: Number(request), capability, parameters, requisite: [{ [TOPOLOGY_KEY]: this.o.nodeName }] }, signal);
    const capacity = BigInt(volume.capacityBytes) > 0n ? BigInt(volume.capacityBytes) : request;
    const segments = volume.accessibleTopology.map((t) => t.segments).filter((s) => Object.keys(s).length > 0);
    const pv: PersistentVolume = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name, annotations: { [ANN_DYNAMICALLY_PROVISIONED]: this.o.driverName, 'volume.kubernetes.io/provisioner-deletion-secret-name': '', 'volume.kubernetes.io/provisioner-deletion-secret-namespace': '' } },
      spec: {
        capacity: { storage: bytesQuantity(capacity) },
        accessModes: modes,
        persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? 'Delete',
        storageClassName: clsName,
        volumeMode: c.spec?.volumeMode ?? 'Filesystem',
        ...(cls.mountOptions !== undefined ? { mountOptions: [...cls.mountOptions] } : {}),
        claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: ns, name: c.metadata?.name ?? '', uid: c.metadata?.uid ?? '', resourceVersion: c.metadata?.resourceVersion ?? '' },
        csi: { driver: this.o.driverName, volumeHandle: volume.volumeId, ...(fsType ? { fsType } : {}), volumeAttributes: { ...volume.volumeContext } },
        ...(segments.length > 0
          ? { nodeAffinity: { required: { nodeSelectorTerms: segments.map((s) => ({ matchExpressions: Object.entries(s).map(([key, value]) => ({ key, operator: 'In', values: [value] })) })) } } }
          : {}),
      },
    };
    try {
      await this.o.client.request({ method: 'POST', path: '/api/v1/persistentvolumes', body: pv, signal });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    this.o.log.info({ claim: `${ns}/${c.metadata?.name ?? ''}`, volume: name, volumeHandle: volume.volumeId }, 'provisioned');
    void this.o.events.record(c as PersistentVolumeClaim, 'Normal', 'ProvisioningSucceeded', 'Provision', `Successfully provisioned volume ${name}`);
  }

  /** Deletes a Released volume this driver made on this node when its policy says Delete. */
  async syncVolume(v: PV, signal: AbortSignal): Promise<void> {
    const spec = v.spec;
    if (spec?.csi?.driver !== this.o.driverName || v.metadata?.annotations?.[ANN_DYNAMICALLY_PROVISIONED] !== this.o.driverName) return;
    if (v.status?.phase !== 'Released' || spec.persistentVolumeReclaimPolicy !== 'Delete' || v.metadata?.deletionTimestamp !== undefined) return;
    const onThisNode = (spec.nodeAffinity?.required?.nodeSelectorTerms ?? []).some((t) => (t.matchExpressions ?? []).some((e) => e.key === TOPOLOGY_KEY && (e.values ?? []).includes(this.o.nodeName)));
    if (!onThisNode) return;
    const key = `volume/${v.metadata?.name ?? ''}`;
    if (this.busy.has(key)) return;
    this.busy.add(key);
    try {
      await this.o.csi.deleteVolume(spec.csi.volumeHandle, signal);
      await this.o.client.request({ method: 'DELETE', path: `/api/v1/persistentvolumes/${encodeURIComponent(v.metadata?.name ?? '')}`, body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: v.metadata?.uid } }, signal });
      this.o.log.info({ volume: v.metadata?.name }, 'deleted released volume');
    } catch (err) {
      if (isNotFound(err)) return;
      const message = err instanceof Error ? err.message : String(err);
      void this.o.events.record(v as PersistentVolume, 'Warning', 'VolumeFailedDelete', 'Delete', message);
    } finally {
      this.busy.delete(key);
    }
  }
}
