// DefaultBinder: binds through pods/binding. The API call is injected; this file only shapes it.
import type { Binding } from '../../../api/core/v1/index.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { BindPlugin } from '../../framework/interface.js';
import { errorStatus, SUCCESS, type Status } from '../../framework/status.js';
import type { PodInfo } from '../../framework/types.js';

export const DEFAULT_BINDER = 'DefaultBinder';

/** Posts a Binding to pods/<name>/binding in the pod's namespace; throws on failure. */
export type PostBinding = (namespace: string, binding: Binding, signal: AbortSignal) => Promise<void>;

export function bindingFor(pod: PodInfo, nodeName: string): Binding {
  const m = pod.pod.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid },
    target: { kind: 'Node', name: nodeName },
  } as Binding;
}

export function newDefaultBinder(post: PostBinding): BindPlugin {
  return {
    name: DEFAULT_BINDER,
    async bind(_s: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status> {
      try {
        await post(pod.namespace, bindingFor(pod, nodeName), signal);
        return SUCCESS;
      } catch (e) {
        return errorStatus(e instanceof Error ? e.message : String(e));
      }
    },
  };
}
