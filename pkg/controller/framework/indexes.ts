// Informer indexes the workload controllers share.
import type { DeepReadonly } from '../../client/informer/store.js';
import type { KubeObject } from '../../client/resource.js';
import { controllerRefOf } from './controller-ref.js';

/** The index of objects by their controller's uid: a workload finds its pods or revisions in one lookup. */
export const CONTROLLER_UID_INDEX = 'controllerUID';

export function byControllerUid(obj: DeepReadonly<KubeObject>): readonly string[] {
  const ref = controllerRefOf(obj);
  return ref !== undefined ? [ref.uid] : [];
}
