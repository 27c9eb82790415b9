// Controller references (ownerReferences with controller=true) and the claim step every workload
// controller runs before counting its objects: adopt matching orphans, release objects that stopped
// matching, and ignore objects another controller owns — as upstream's ControllerRefManager does.
import type { OwnerReference } from '../../api/meta/v1.js';
import type { Selector } from '../../api/selectors/labels.js';
import type { DeepReadonly } from '../../client/informer/store.js';
import type { KubeObject, ResourceDescriptor } from '../../client/resource.js';
import type { ObjectClient } from './client.js';
import { isInvalid, isNotFound } from './errors.js';

export interface OwnerKind {
  readonly apiVersion: string;
  readonly kind: string;
}

export function controllerRefOf(obj: DeepReadonly<KubeObject>): DeepReadonly<OwnerReference> | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** The ownerReference a controller puts on what it creates (blockOwnerDeletion as upstream). */
export function newControllerRef(owner: DeepReadonly<KubeObject>, kind: OwnerKind): OwnerReference {
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function isControlledBy(obj: DeepReadonly<KubeObject>, owner: DeepReadonly<KubeObject>): boolean {
  const ref = controllerRefOf(obj);
  return ref !== undefined && ref.uid === owner.metadata?.uid;
}

export interface ClaimOptions<T extends KubeObject> {
  readonly owner: DeepReadonly<KubeObject>;
  readonly selector: Selector;
  readonly candidates: readonly DeepReadonly<T>[];
  /** Adopts an orphan (a patch adding the controller ref, with the object's uid as precondition). */
  readonly adopt: (obj: DeepReadonly<T>) => Promise<void>;
  /** Removes the owner's controller ref from an object that no longer matches. */
  readonly release: (obj: DeepReadonly<T>) => Promise<void>;
  /** Checked before the first adoption: the owner, read fresh, is not being deleted and is the same uid. */
  readonly canAdopt?: () => Promise<boolean>;
}

/**
 * The objects that belong to the owner after adoption and release. Objects being deleted are
 * neither adopted nor released; failed adoptions and releases (gone, conflict) are left alone and
 * the next reconcile tries again.
 */
export async function claimObjects<T extends KubeObject>(o: ClaimOptions<T>): Promise<DeepReadonly<T>[]> {
  const ownerUid = o.owner.metadata?.uid;
  const ownerDeleting = o.owner.metadata?.deletionTimestamp !== undefined;
  const claimed: DeepReadonly<T>[] = [];
  let adoptable: boolean | undefined;
  const errors: unknown[] = [];
  for (const obj of o.candidates) {
    const ref = controllerRefOf(obj);
    const matches = o.selector.matches(obj.metadata?.labels);
    if (ref !== undefined) {
      if (ref.uid !== ownerUid) continue;
      if (matches) {
        claimed.push(obj);
        continue;
      }
      if (ownerDeleting) {
        claimed.push(obj);
        continue;
      }
      try {
        await o.release(obj);
      } catch (err) {
        if (!isGone(err)) errors.push(err);
      }
      continue;
    }
    if (!matches || ownerDeleting || obj.metadata?.deletionTimestamp !== undefined) continue;
    adoptable ??= o.canAdopt === undefined ? true : await o.canAdopt();
    if (!adoptable) continue;
    try {
      await o.adopt(obj);
      claimed.push(obj);
    } catch (err) {
      if (!isGone(err)) errors.push(err);
    }
  }
  if (errors.length > 0) throw errors[0];
  return claimed;
}

/** The object went away or changed uid under us: nothing to adopt or release any more. */
const isGone = (err: unknown): boolean => isNotFound(err) || isInvalid(err);

/** The strategic-merge patch that adopts `obj` (uid-guarded, as upstream). */
export function adoptPatch(obj: DeepReadonly<KubeObject>, ref: OwnerReference): unknown {
  return { metadata: { ownerReferences: [ref], uid: obj.metadata?.uid } };
}

/** The strategic-merge patch that releases `obj` from the owner with `ownerUid`. */
export function releasePatch(obj: DeepReadonly<KubeObject>, ownerUid: string): unknown {
  return { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: obj.metadata?.uid } };
}

export interface ChildClaim<T extends KubeObject> {
  readonly owner: DeepReadonly<KubeObject>;
  readonly ownerKind: OwnerKind;
  readonly ownerResource: ResourceDescriptor;
  readonly childResource: ResourceDescriptor;
  readonly client: Pick<ObjectClient, 'get' | 'patch'>;
  readonly selector: Selector;
  /** The objects whose controller ref names the owner's uid (an informer index). */
  readonly owned: readonly DeepReadonly<T>[];
  /** The objects of the owner's namespace that match its selector (an informer lister). */
  readonly matching: readonly DeepReadonly<T>[];
}

/**
 * claimObjects wired the usual way: candidates are the owned objects plus matching orphans,
 * adoption and release are uid-guarded strategic patches, and adoption first re-reads the owner
 * so that one being deleted (or replaced under the same name) adopts nothing.
 */
export function claimChildren<T extends KubeObject>(c: ChildClaim<T>): Promise<DeepReadonly<T>[]> {
  const ns = c.owner.metadata?.namespace ?? '';
  const uid = c.owner.metadata?.uid ?? '';
  const ref = newControllerRef(c.owner, c.ownerKind);
  const nameOf = (o: DeepReadonly<T>): string => o.metadata?.name ?? '';
  return claimObjects<T>({
    owner: c.owner,
    selector: c.selector,
    candidates: [...c.owned, ...c.matching.filter((o) => controllerRefOf(o) === undefined)],
    adopt: async (o) => void (await c.client.patch(c.childResource, ns, nameOf(o), adoptPatch(o, ref), 'strategic')),
    release: async (o) => void (await c.client.patch(c.childResource, ns, nameOf(o), releasePatch(o, uid), 'strategic')),
    canAdopt: async () => {
      const fresh = await c.client.get<KubeObject>(c.ownerResource, ns, c.owner.metadata?.name ?? '');
      return fresh.metadata?.uid === uid && fresh.metadata?.deletionTimestamp === undefined;
    },
  });
}
