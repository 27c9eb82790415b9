// The scheduler's side of volume binding (upstream's SchedulerVolumeBinder, its API half): the
// claims, volumes and classes the VolumeBinding plugin reads, from this process's informers; and
// PreBind's writes — a volume's claimRef, a claim's selected node — and its wait until the PV
// controller (or a provisioner) has bound every claim.
import { persistentVolumeResource, type PersistentVolume } from '../api/core/v1/persistentvolume.js';
import { persistentVolumeClaimResource, type PersistentVolumeClaim } from '../api/core/v1/persistentvolumeclaim.js';
import { storageClassResource, type StorageClass } from '../api/storage/v1/storageclass.js';
import type { Clock } from '../client/clock.js';
import type { DeepReadonly, Lister, SharedInformerFactory } from '../client/informer/index.js';
import type { RestClient } from '../client/rest.js';
import { ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE } from '../controller/volume/persistentvolume/binder.js';
import type { StorageLister } from './framework/index.js';
import type { VolumeBinderIO } from './plugins/volumebinding/volume-binding.js';

export const PERSISTENT_VOLUME_CLAIMS = persistentVolumeClaimResource;
export const PERSISTENT_VOLUMES = persistentVolumeResource;
export const STORAGE_CLASSES = storageClassResource;

/** How often PreBind looks at its claims while it waits for them to be bound. */
const BOUND_POLL_MS = 100;

export interface StorageListers extends StorageLister {
  readonly claims: Lister<PersistentVolumeClaim>;
}

/** The storage objects as this process's informers have them (registering the informers). */
export function storageListers(informers: SharedInformerFactory): StorageListers {
  const claims = informers.forResource<PersistentVolumeClaim>(PERSISTENT_VOLUME_CLAIMS).lister();
  const volumes = informers.forResource<PersistentVolume>(PERSISTENT_VOLUMES).lister();
  const classes = informers.forResource<StorageClass>(STORAGE_CLASSES).lister();
  return {
    claims,
    claim: (ns, name) => claims.namespace(ns).get(name),
    volumes: () => volumes.list(),
    storageClass: (name) => classes.get(name),
  };
}

const claimPath = (c: DeepReadonly<PersistentVolumeClaim>): string => `/api/v1/namespaces/${encodeURIComponent(c.metadata?.namespace ?? '')}/persistentvolumeclaims/${encodeURIComponent(c.metadata?.name ?? '')}`;

/** A claim the PV controller has finished binding: its volume named and its phase Bound. */
function isBound(c: DeepReadonly<PersistentVolumeClaim> | undefined): boolean {
  return c !== undefined && (c.spec?.volumeName ?? '') !== '' && c.status?.phase === 'Bound';
}

export class ApiVolumeBinder implements VolumeBinderIO {
  constructor(
    private readonly client: RestClient,
    private readonly storage: StorageListers,
    private readonly clock: Clock,
  ) {}

  async bindVolume(volume: DeepReadonly<PersistentVolume>, claim: DeepReadonly<PersistentVolumeClaim>, signal: AbortSignal): Promise<void> {
    // An update from the informer's copy: its resourceVersion makes a volume another pod took meanwhile a conflict.
    const body = {
      ...volume,
      metadata: { ...volume.metadata, annotations: { ...(volume.metadata?.annotations ?? {}), [ANN_BOUND_BY_CONTROLLER]: 'yes' } },
      spec: {
        ...volume.spec,
        claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata?.namespace ?? '', name: claim.metadata?.name ?? '', uid: claim.metadata?.uid ?? '', resourceVersion: claim.metadata?.resourceVersion ?? '' },
      },
    };
    await this.client.request({ method: 'PUT', path: `/api/v1/persistentvolumes/${encodeURIComponent(volume.metadata?.name ?? '')}`, body, signal });
  }

  async selectNode(claim: DeepReadonly<PersistentVolumeClaim>, node: string, signal: AbortSignal): Promise<void> {
    await this.client.request({
      method: 'PATCH',
      path: claimPath(claim),
      contentType: 'application/merge-patch+json',
      body: { metadata: { resourceVersion: claim.metadata?.resourceVersion, annotations: { [ANN_SELECTED_NODE]: node } } },
      signal,
    });
  }

  async waitBound(claims: readonly DeepReadonly<PersistentVolumeClaim>[], timeoutMs: number, signal: AbortSignal): Promise<void> {
    const deadline = this.clock.now() + timeoutMs;
    const selected = new Set<string>();
    for (;;) {
      let pending = 0;
      for (const c of claims) {
        const now = this.storage.claim(c.metadata?.namespace ?? '', c.metadata?.name ?? '');
        if (now === undefined || now.metadata?.uid !== c.metadata?.uid) throw new Error(`persistentvolumeclaim "${c.metadata?.name ?? ''}" was deleted`);
        if (isBound(now)) continue;
        // A provisioner that gives up on the node takes the annotation away: the pod is placed again.
        if (now.metadata?.annotations?.[ANN_SELECTED_NODE] !== undefined) selected.add(now.metadata.uid ?? '');
        else if (selected.has(now.metadata?.uid ?? '')) throw new Error(`persistentvolumeclaim "${c.metadata?.name ?? ''}" lost its selected node: provisioning must start again`);
        pending++;
      }
      if (pending === 0) return;
      if (this.clock.now() >= deadline) throw new Error('timed out waiting for the condition');
      await this.clock.sleep(BOUND_POLL_MS, signal);
    }
  }
}
