// Pods made from a workload's template, as upstream's PodControl does: the template's labels,
// annotations, finalizers and spec, a controller reference to the owner, and a generated name.
import type { Pod, PodTemplateSpec } from '../../api/core/v1/pod-types.js';
import type { OwnerReference } from '../../api/meta/v1.js';
import type { DeepReadonly } from '../../client/informer/store.js';

/** Upstream caps generateName prefixes so the 5 random characters still fit in 63. */
const MAX_GENERATED_PREFIX = 58;

/** `name-` trimmed to leave room for the random suffix (as upstream's getPodsPrefix + generator). */
export function generateNamePrefix(ownerName: string): string {
  const prefix = `${ownerName}-`;
  return prefix.length > MAX_GENERATED_PREFIX ? prefix.slice(0, MAX_GENERATED_PREFIX) : prefix;
}

export interface PodFromTemplateOptions {
  readonly namespace: string;
  readonly template: DeepReadonly<PodTemplateSpec>;
  readonly controllerRef: OwnerReference;
  /** Either a fixed name (StatefulSet) or a generateName prefix (ReplicaSet, Job, DaemonSet). */
  readonly name?: string;
  readonly generateName?: string;
}

export function podFromTemplate(o: PodFromTemplateOptions): Pod {
  const t = structuredClone(o.template) as PodTemplateSpec;
  const meta = t.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...(o.name !== undefined ? { name: o.name } : {}),
      ...(o.generateName !== undefined ? { generateName: o.generateName } : {}),
      namespace: o.namespace,
      ...(meta.labels !== undefined ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations !== undefined ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers !== undefined ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [o.controllerRef],
    },
    spec: t.spec!,
  } as Pod;
}

type PodView = DeepReadonly<Pod>;

/** Not terminated and not being deleted: a pod that counts toward its owner's replicas. */
export function isPodActive(p: PodView): boolean {
  return p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && p.metadata?.deletionTimestamp === undefined;
}

export function isPodReady(p: PodView): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** Ready for at least `minReadySeconds` at `nowMs` (upstream's IsPodAvailable). */
export function isPodAvailable(p: PodView, minReadySeconds: number, nowMs: number): boolean {
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True');
  if (ready === undefined) return false;
  if (minReadySeconds <= 0) return true;
  const since = Date.parse(ready.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= nowMs;
}

/** Restarts summed over the pod's containers. */
export function podRestarts(p: PodView): number {
  return (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
}
