// The arithmetic and bookkeeping of Deployments, as pure functions: surge and unavailability
// budgets (int or percent, upstream rounding), how far to scale the new and old ReplicaSets,
// proportional scaling, revisions and annotations, the pod-template-hash, status and conditions.
import { scaledValue } from '../framework/intstr.js';
import type { Deployment } from '../../api/apps/v1/deployment.js';
import type { ReplicaSet } from '../../api/apps/v1/replicaset.js';
import type { PodTemplateSpec } from '../../api/core/v1/pod-types.js';
import type { DeepReadonly } from '../../client/informer/store.js';
import { canonicalJson, computeHash } from '../framework/index.js';

type D = DeepReadonly<Deployment>;
type RS = DeepReadonly<ReplicaSet>;
export type DeploymentStatus = NonNullable<Deployment['status']>;
export type DeploymentCondition = NonNullable<DeploymentStatus['conditions']>[number];

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Deployment annotations that are the controller's own and are not copied to ReplicaSets. */
const NOT_COPIED = new Set([LAST_APPLIED, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, 'deprecated.deployment.rollback.to']);

export const MAX_INT32 = 2147483647;

export const replicasOf = (x: { readonly spec?: { readonly replicas?: number } } | undefined): number => x?.spec?.replicas ?? 0;

const isRolling = (d: D): boolean => (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** maxSurge and maxUnavailable as numbers; both 0 would stall a rollout, so unavailable becomes 1. */
export function resolveFenceposts(d: D): { surge: number; unavailable: number } {
  const desired = replicasOf(d);
  const ru = d.spec?.strategy?.rollingUpdate;
  const surge = scaledValue(ru?.maxSurge ?? '25%', desired, true);
  let unavailable = scaledValue(ru?.maxUnavailable ?? '25%', desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: D): number {
  return isRolling(d) ? resolveFenceposts(d).surge : 0;
}

export function maxUnavailable(d: D): number {
  if (!isRolling(d) || replicasOf(d) === 0) return 0;
  return Math.min(resolveFenceposts(d).unavailable, replicasOf(d));
}

export const sumReplicas = (rss: readonly (RS | undefined)[]): number => rss.reduce((n, rs) => n + replicasOf(rs), 0);
export const sumActual = (rss: readonly (RS | undefined)[]): number => rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
export const sumReady = (rss: readonly (RS | undefined)[]): number => rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
export const sumAvailable = (rss: readonly (RS | undefined)[]): number => rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);

/**
 * How many replicas the new ReplicaSet should have now in a rolling update (upstream's
 * NewRSNewReplicas). Beyond upstream, which counts only the ReplicaSets' specs, the pods an old
 * ReplicaSet still has (status.replicas, before its controller deleted the surplus) count too: so
 * the pods alive at any moment never exceed replicas + maxSurge, even when a scale-down is slow
 * (a controller-manager failover, a stalled apiserver). And it does not grow while an old ReplicaSet
 * has not observed its latest generation: pods its controller was still creating for a former size
 * would land beside the new ones (compose chaos: 8 pods for 5 + 2).
 */
export function newRSNewReplicas(d: D, all: readonly RS[], newRS: RS): number {
  if (!isRolling(d)) return replicasOf(d);
  const room = surgeRoom(d, all, newRS);
  if (room === 0) return replicasOf(newRS);
  return replicasOf(newRS) + Math.min(room, replicasOf(d) - replicasOf(newRS));
}

/**
 * How many pods the Deployment's ReplicaSets may gain now without its pods passing replicas +
 * maxSurge, each ReplicaSet counted at max(spec, status.replicas): a ReplicaSet scaled down keeps
 * its pods until its controller deletes them. None while a ReplicaSet other than `growing` has not
 * synced its latest spec: it may still be making pods for its former size (creates in flight, not
 * in status.replicas). Both the rollout and proportional scaling grow only within it.
 */
export function surgeRoom(d: D, all: readonly RS[], growing?: RS): number {
  const name = growing?.metadata?.name;
  if (all.some((rs) => rs !== growing && (name === undefined || rs.metadata?.name !== name) && !replicaSetObserved(rs))) return 0;
  const current = all.reduce((n, rs) => n + Math.max(replicasOf(rs), rs.status?.replicas ?? 0), 0);
  return Math.max(0, replicasOf(d) + maxSurge(d) - current);
}

/** The ReplicaSet controller has synced this ReplicaSet's latest spec (see computeReplicaSetStatus). */
export const replicaSetObserved = (rs: RS): boolean => (rs.status?.observedGeneration ?? 0) >= (rs.metadata?.generation ?? 0);

/** The surplus old ReplicaSets may lose now without breaking minAvailable (before unhealthy cleanup). */
export function oldScaleDownBudget(d: D, all: readonly RS[], newRS: RS | undefined): number {
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = newRS === undefined ? 0 : replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  return sumReplicas(all) - minAvailable - newUnavailable;
}

export function revisionOf(o: { readonly metadata?: { readonly annotations?: Readonly<Record<string, string>> } } | undefined): number {
  const n = Number(o?.metadata?.annotations?.[REVISION_ANNOTATION] ?? '0');
  return Number.isInteger(n) && n > 0 ? n : 0;
}

export function maxRevision(rss: readonly RS[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

const byCreation = (a: RS, b: RS): number =>
  (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '') || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');

export function oldestFirst(rss: readonly RS[]): RS[] {
  return [...rss].sort(byCreation);
}

// ---- the template hash ----

/** The pod-template-hash of a template (and the collision count, which changes it on a clash). */
export function podTemplateHash(template: DeepReadonly<PodTemplateSpec> | undefined, collisionCount: number | undefined): string {
  return computeHash(template ?? {}, collisionCount);
}

/** The template without the pod-template-hash label, for comparing a ReplicaSet's with a Deployment's. */
function withoutHash(t: DeepReadonly<PodTemplateSpec> | undefined): unknown {
  const copy = structuredClone(t ?? {}) as PodTemplateSpec;
  if (copy.metadata?.labels !== undefined) {
    delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
  }
  return copy;
}

export function templatesEqualIgnoringHash(a: DeepReadonly<PodTemplateSpec> | undefined, b: DeepReadonly<PodTemplateSpec> | undefined): boolean {
  return canonicalJson(withoutHash(a)) === canonicalJson(withoutHash(b));
}

/** The oldest ReplicaSet whose template is the Deployment's (upstream's FindNewReplicaSet). */
export function findNewReplicaSet(d: D, rss: readonly RS[]): RS | undefined {
  return oldestFirst(rss).find((rs) => templatesEqualIgnoringHash(rs.spec?.template, d.spec?.template));
}

/** The Deployment's annotations a ReplicaSet carries (change-cause among them). */
export function copiedAnnotations(d: D): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) if (!NOT_COPIED.has(k)) out[k] = v;
  return out;
}

// ---- proportional scaling ----

/** How many replicas `rs` should gain (or lose, negative) when the Deployment is resized mid-rollout. */
export function replicaSetFraction(rs: RS, d: D): number {
  if (replicasOf(d) === 0) return -replicasOf(rs);
  const deploymentMax = replicasOf(d) + maxSurge(d);
  const annotated = Number(rs.metadata?.annotations?.[MAX_REPLICAS_ANNOTATION]);
  // Without the annotation, the Deployment's current size stands in for the old one.
  const base = Number.isInteger(annotated) && annotated > 0 ? annotated : (d.status?.replicas ?? 0);
  if (base === 0) return 0;
  const newSize = (replicasOf(rs) * deploymentMax) / base;
  return Math.round(newSize) - replicasOf(rs);
}

/** upstream's GetProportion: the fraction, bounded by what is left to add or remove. */
export function proportion(rs: RS, d: D, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

// ---- status and conditions ----

export function getCondition(s: DeepReadonly<DeploymentStatus> | undefined, type: string): DeepReadonly<DeploymentCondition> | undefined {
  return s?.conditions?.find((c) => c.type === type);
}

export function newCondition(type: string, status: string, reason: string, message: string, nowIso: string): DeploymentCondition {
  return { type, status, reason, message, lastUpdateTime: nowIso, lastTransitionTime: nowIso };
}

/** Upstream's SetDeploymentCondition: same status and reason change nothing; same status keeps the transition time. */
export function setCondition(s: DeploymentStatus, c: DeploymentCondition): void {
  const current = s.conditions?.find((x) => x.type === c.type);
  if (current !== undefined && current.status === c.status && current.reason === c.reason) return;
  if (current !== undefined && current.status === c.status) c.lastTransitionTime = current.lastTransitionTime;
  s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== c.type), c];
}

export function removeCondition(s: DeploymentStatus, type: string): void {
  if (s.conditions === undefined) return;
  s.conditions = s.conditions.filter((c) => c.type !== type);
  if (s.conditions.length === 0) delete s.conditions;
}

/** Status from the ReplicaSets (upstream's calculateStatus), with the Available condition. */
export function calculateStatus(d: D, all: readonly RS[], newRS: RS | undefined, nowIso: string): DeploymentStatus {
  const available = sumAvailable(all);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation ?? 0,
    replicas: sumActual(all),
    updatedReplicas: sumActual([newRS]),
    readyReplicas: sumReady(all),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, replicasOf(d) - available),
    ...(d.status?.collisionCount !== undefined ? { collisionCount: d.status.collisionCount } : {}),
  };
  const conds = structuredClone(d.status?.conditions ?? []) as DeploymentCondition[];
  if (conds.length > 0) status.conditions = conds;
  if (available >= replicasOf(d) - maxUnavailable(d)) setCondition(status, newCondition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', nowIso));
  else setCondition(status, newCondition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', nowIso));
  return status;
}

/** Every replica updated and available, and nothing older left (upstream's DeploymentComplete). */
export function deploymentComplete(d: D, s: DeploymentStatus): boolean {
  return s.updatedReplicas === replicasOf(d) && s.replicas === replicasOf(d) && s.availableReplicas === replicasOf(d) && (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** Any sign of progress since the status the Deployment has now (upstream's DeploymentProgressing). */
export function deploymentProgressing(d: D, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

export function hasProgressDeadline(d: D): boolean {
  const p = d.spec?.progressDeadlineSeconds;
  return p !== undefined && p !== MAX_INT32;
}

/** No progress for progressDeadlineSeconds since the Progressing condition was last updated. */
export function deploymentTimedOut(d: D, s: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (c === undefined) return false;
  if (c.reason === 'NewReplicaSetAvailable') return false;
  if (c.reason === 'ProgressDeadlineExceeded') return true;
  const from = Date.parse(c.lastUpdateTime ?? '');
  return Number.isFinite(from) && from + (d.spec?.progressDeadlineSeconds ?? 600) * 1000 < nowMs;
}

/** Conditions compared as upstream does when deciding to write (times ignored unless they moved). */
export function statusEqual(a: DeepReadonly<DeploymentStatus> | undefined, b: DeploymentStatus): boolean {
  return canonicalJson(a ?? {}) === canonicalJson(b);
}
