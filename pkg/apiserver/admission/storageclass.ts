// The DefaultStorageClass admission plugin: a new claim that names no class (storageClassName
// absent, not "") gets the cluster's default StorageClass — the one annotated
// storageclass.kubernetes.io/is-default-class=true, the newest when there are several, as upstream.
import type { PersistentVolumeClaim } from '../../api/core/v1/persistentvolumeclaim.js';
import { defaultStorageClassName, type StorageClass } from '../../api/storage/v1/storageclass.js';
import type { ServerContext } from '../handlers/context.js';

const BETA_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

export function admitDefaultStorageClass(ctx: ServerContext, claim: PersistentVolumeClaim): void {
  const spec = claim.spec;
  if (spec === undefined || (spec.storageClassName !== undefined && spec.storageClassName !== null)) return;
  if (claim.metadata?.annotations?.[BETA_CLASS_ANNOTATION] !== undefined) return;
  const def = ctx.registry.lookup('storage.k8s.io', 'v1', 'storageclasses');
  if (!def) return;
  const name = defaultStorageClassName([...ctx.store(def).cache.objects.values()] as StorageClass[]);
  if (name !== undefined) spec.storageClassName = name;
}
