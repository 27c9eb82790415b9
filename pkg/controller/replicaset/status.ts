// A ReplicaSet's status from its active pods, as upstream computes it: replicas, pods whose labels
// match the template (fullyLabeled), ready and available pods, the generation observed, and the
// ReplicaFailure condition while creating or deleting pods fails. Beyond upstream, the generation
// is observed only by a sync that managed the replicas: while creates or deletes of an earlier
// sync are still unobserved, the pods it reports may not be all it will have (see
// newRSNewReplicas, which waits for old ReplicaSets to have observed their scale-down).
import type { ReplicaSet } from '../../api/apps/v1/replicaset.js';
import type { Pod } from '../../api/core/v1/pod-types.js';
import { selectorFromSet } from '../../api/selectors/labels.js';
import type { DeepReadonly } from '../../client/informer/store.js';
import { isPodAvailable, isPodReady } from '../framework/index.js';

type Status = NonNullable<ReplicaSet['status']>;
type Condition = NonNullable<Status['conditions']>[number];

const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export function computeReplicaSetStatus(rs: DeepReadonly<ReplicaSet>, active: readonly DeepReadonly<Pod>[], manageError: unknown, nowMs: number, managed = true): Status {
  const templateLabels = selectorFromSet(rs.spec?.template?.metadata?.labels ?? {});
  const minReady = rs.spec?.minReadySeconds ?? 0;
  const conditions = (rs.status?.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure').map((c) => ({ ...c }) as Condition);
  if (manageError !== undefined) {
    const want = rs.spec?.replicas ?? 1;
    const reason = active.length < want ? 'FailedCreate' : 'FailedDelete';
    const message = manageError instanceof Error ? manageError.message : String(manageError);
    const prior = rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
    conditions.push({ type: 'ReplicaFailure', status: 'True', reason, message, lastTransitionTime: prior?.lastTransitionTime ?? rfc3339(nowMs) });
  }
  const status: Status = {
    replicas: active.length,
    fullyLabeledReplicas: active.filter((p) => templateLabels.matches(p.metadata?.labels)).length,
    readyReplicas: active.filter(isPodReady).length,
    availableReplicas: active.filter((p) => isPodAvailable(p, minReady, nowMs)).length,
    observedGeneration: managed ? (rs.metadata?.generation ?? 0) : (rs.status?.observedGeneration ?? 0),
  };
  if (conditions.length > 0) status.conditions = conditions;
  return status;
}

/** Equal as upstream compares them (conditions by type, status, reason and message). */
export function statusEqual(a: DeepReadonly<Status> | undefined, b: Status): boolean {
  const counts = (s: DeepReadonly<Status> | undefined): string =>
    [s?.replicas ?? 0, s?.fullyLabeledReplicas ?? 0, s?.readyReplicas ?? 0, s?.availableReplicas ?? 0, s?.observedGeneration ?? 0].join('/');
  const conds = (s: DeepReadonly<Status> | undefined): string =>
    JSON.stringify((s?.conditions ?? []).map((c) => [c.type, c.status, c.reason ?? '', c.message ?? '']).sort());
  return counts(a) === counts(b) && conds(a) === conds(b);
}
