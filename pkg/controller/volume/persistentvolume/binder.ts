// The binding rules of upstream's PersistentVolume controller, as pure functions: which volume a
// claim gets (the smallest Available one that fits: class, access modes, capacity, volume mode,
// selector; a volume pre-bound to the claim first), and the small predicates both syncs share.
import type { PersistentVolume } from '../../../api/core/v1/persistentvolume.js';
import type { PersistentVolumeClaim } from '../../../api/core/v1/persistentvolumeclaim.js';
import type { StorageClass } from '../../../api/storage/v1/storageclass.js';
import { tryParseQuantity, type Quantity } from '../../../api/resource/quantity.js';
import { labelSelectorAsSelectorOrNothing } from '../../../api/selectors/labels.js';
import type { DeepReadonly } from '../../../client/informer/store.js';

export type PV = DeepReadonly<PersistentVolume>;
export type PVC = DeepReadonly<PersistentVolumeClaim>;

/** The claim's binding finished: both objects point at each other (set by the binder). */
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
/** The binder, not a user, made this binding (a user's pre-binding is kept on unbind). */
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
/** The external provisioner a claim waits for. */
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
/** The provisioner that made a volume (it also deletes it). */
export const ANN_DYNAMICALLY_PROVISIONED = 'pv.kubernetes.io/provisioned-by';
/** The node the scheduler chose for a WaitForFirstConsumer claim. */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

export const claimClass = (c: PVC): string => c.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] ?? c.spec?.storageClassName ?? '';
export const volumeClass = (v: PV): string => v.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] ?? v.spec?.storageClassName ?? '';
export const hasAnnotation = (o: { readonly metadata?: { readonly annotations?: Readonly<Record<string, string>> } }, key: string): boolean => o.metadata?.annotations?.[key] !== undefined;

const storageOf = (q: unknown): Quantity | undefined => tryParseQuantity(q);

/** The volume's claimRef names this claim (and, once set, its uid). */
export function isVolumeBoundToClaim(v: PV, c: PVC): boolean {
  const ref = v.spec?.claimRef;
  if (ref === undefined || ref === null) return false;
  if (ref.name !== c.metadata?.name || (ref.namespace ?? '') !== (c.metadata?.namespace ?? '')) return false;
  return !ref.uid || ref.uid === c.metadata?.uid;
}

export const volumeModeOf = (mode: string | undefined): string => mode ?? 'Filesystem';

/** The claim waits for its first pod's node before a volume is chosen (WaitForFirstConsumer, no node yet). */
export function delaysBinding(c: PVC, classes: (name: string) => DeepReadonly<StorageClass> | undefined): boolean {
  const name = claimClass(c);
  if (name === '') return false;
  return classes(name)?.volumeBindingMode === 'WaitForFirstConsumer' && !hasAnnotation(c, ANN_SELECTED_NODE);
}

/**
 * The volume a claim should bind to, as upstream's findBestMatchForClaim: a volume pre-bound to it
 * wins outright; otherwise, of the Available (or just created), unclaimed volumes of its class whose labels match its
 * selector and whose capacity covers its request, the one with the fewest access modes that
 * include all the claim's, then the smallest. None while binding waits for a consumer.
 */
export function findBestMatch(c: PVC, volumes: readonly PV[], delayBinding: boolean): PV | undefined {
  const requested = storageOf(c.spec?.resources?.requests?.['storage']) ?? storageOf('0')!;
  const wantModes = new Set(c.spec?.accessModes ?? []);
  const selector = c.spec?.selector === undefined || c.spec.selector === null ? undefined : labelSelectorAsSelectorOrNothing(c.spec.selector);
  const cls = claimClass(c);
  let best: { v: PV; modes: number; size: Quantity } | undefined;
  for (const v of volumes) {
    const size = storageOf(v.spec?.capacity?.['storage']);
    if (size === undefined || size.cmp(requested) < 0) continue;
    if (volumeModeOf(v.spec?.volumeMode) !== volumeModeOf(c.spec?.volumeMode)) continue;
    if (v.metadata?.deletionTimestamp !== undefined) continue;
    const modes = v.spec?.accessModes ?? [];
    if (![...wantModes].every((m) => modes.includes(m))) continue;
    if (isVolumeBoundToClaim(v, c)) return v;
    if (delayBinding) continue;
    // Beyond upstream (Available only): a volume just created (Pending until its own sync) is as
    // free, so a claim made right after its volumes still gets the smallest, not the first synced.
    const phase = v.status?.phase ?? 'Pending';
    if ((phase !== 'Available' && phase !== 'Pending') || (v.spec?.claimRef !== undefined && v.spec.claimRef !== null)) continue;
    if (selector !== undefined && !selector.matches(v.metadata?.labels)) continue;
    if (volumeClass(v) !== cls) continue;
    if (best === undefined || modes.length < best.modes || (modes.length === best.modes && size.cmp(best.size) < 0)) best = { v, modes: modes.length, size };
  }
  return best?.v;
}
