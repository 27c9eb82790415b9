// The pure part of the StatefulSet controller (upstream's stateful_set_utils): a pod's identity
// comes from its name, `<set>-<ordinal>`; its hostname and subdomain, its labels and its claims
// (`<template>-<set>-<ordinal>`) follow from that. A pod made for ordinal N carries the revision it
// was built from, and which revision that is depends on the update strategy and partition.
import type { ControllerRevision } from '../../api/apps/v1/controllerrevision.js';
import type { StatefulSet } from '../../api/apps/v1/statefulset.js';
import type { PersistentVolumeClaim } from '../../api/core/v1/persistentvolumeclaim.js';
import type { Pod, PodTemplateSpec } from '../../api/core/v1/pod-types.js';
import type { OwnerReference } from '../../api/meta/v1.js';
import type { DeepReadonly } from '../../client/informer/store.js';
import { CONTROLLER_REVISION_HASH_LABEL_KEY, isPodAvailable, isPodReady, newControllerRef, podFromTemplate, templateOfRevision } from '../framework/index.js';

export const STS_KIND = { apiVersion: 'apps/v1', kind: 'StatefulSet' } as const;
/** The label naming the pod, so a Service can select one member of the set. */
export const STATEFULSET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** The label holding the pod's ordinal (PodIndexLabel, on by default since v1.28). */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

type SetView = DeepReadonly<StatefulSet>;
type PodView = DeepReadonly<Pod>;
type ClaimView = DeepReadonly<PersistentVolumeClaim>;

const ORDINAL_NAME = /^(.*)-([0-9]+)$/;
const MAX_INT32 = 2 ** 31 - 1;

/** The set a pod's name says it belongs to, and its ordinal (-1 when the name carries none). */
export function parentAndOrdinal(podName: string): { parent: string; ordinal: number } {
  const m = ORDINAL_NAME.exec(podName);
  if (m === null) return { parent: '', ordinal: -1 };
  const ordinal = Number(m[2]);
  return { parent: m[1]!, ordinal: ordinal <= MAX_INT32 ? ordinal : -1 };
}

export const ordinalOf = (p: PodView): number => parentAndOrdinal(p.metadata?.name ?? '').ordinal;
export const replicasOf = (set: SetView): number => set.spec?.replicas ?? 1;
export const startOrdinal = (set: SetView): number => set.spec?.ordinals?.start ?? 0;
/** The ordinal past the last one the set keeps. */
export const endOrdinal = (set: SetView): number => startOrdinal(set) + replicasOf(set);
export const podName = (set: SetView, ordinal: number): string => `${set.metadata?.name ?? ''}-${ordinal}`;
export const claimName = (set: SetView, template: string, ordinal: number): string => `${template}-${set.metadata?.name ?? ''}-${ordinal}`;
export const isMemberOf = (set: SetView, p: PodView): boolean => parentAndOrdinal(p.metadata?.name ?? '').parent === set.metadata?.name;
export const inOrdinalRange = (set: SetView, ordinal: number): boolean => ordinal >= startOrdinal(set) && ordinal < endOrdinal(set);
export const podRevision = (p: PodView): string => p.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL_KEY] ?? '';
export const isTerminating = (p: PodView): boolean => p.metadata?.deletionTimestamp !== undefined;
export const isRunningAndReady = (p: PodView): boolean => p.status?.phase === 'Running' && isPodReady(p);
export const isRunningAndAvailable = (p: PodView, minReadySeconds: number, nowMs: number): boolean => p.status?.phase === 'Running' && isPodAvailable(p, minReadySeconds, nowMs);
/** Terminated pods are replaced: the phase a stopped pod ends in depends on its exit code, not on why it stopped. */
export const isTerminated = (p: PodView): boolean => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';
/** A pod that blocks ordered progress: missing, terminating, or not available. */
export const isUnavailable = (p: PodView | undefined, minReadySeconds: number, nowMs: number): boolean =>
  p === undefined || isTerminating(p) || !isRunningAndAvailable(p, minReadySeconds, nowMs);

/** Name, labels and namespace as the set gives them (upstream's identityMatches). */
export function identityMatches(set: SetView, p: PodView): boolean {
  const { parent, ordinal } = parentAndOrdinal(p.metadata?.name ?? '');
  return (
    ordinal >= 0 &&
    parent === set.metadata?.name &&
    p.metadata?.namespace === set.metadata?.namespace &&
    p.metadata?.labels?.[STATEFULSET_POD_NAME_LABEL] === p.metadata?.name &&
    p.metadata?.labels?.[POD_INDEX_LABEL] === String(ordinal)
  );
}

/** Every claim template is mounted from the pod's own claim. */
export function storageMatches(set: SetView, p: PodView): boolean {
  const ordinal = ordinalOf(p);
  if (ordinal < 0) return false;
  const volumes = new Map((p.spec?.volumes ?? []).map((v) => [v.name, v]));
  return (set.spec?.volumeClaimTemplates ?? []).every((t) => volumes.get(t.metadata?.name ?? '')?.persistentVolumeClaim?.claimName === claimName(set, t.metadata?.name ?? '', ordinal));
}

/** The claims of the pod with `ordinal`: each template under its per-pod name, labelled with the set's selector. */
export function claimsFor(set: SetView, ordinal: number): Map<string, PersistentVolumeClaim> {
  const out = new Map<string, PersistentVolumeClaim>();
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const template = structuredClone(t) as PersistentVolumeClaim;
    const templateName = t.metadata?.name ?? '';
    out.set(templateName, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        ...template.metadata,
        name: claimName(set, templateName, ordinal),
        namespace: set.metadata?.namespace ?? '',
        labels: { ...template.metadata?.labels, ...set.spec?.selector?.matchLabels },
      },
      spec: template.spec ?? {},
    });
  }
  return out;
}

/** The pod's labels and volumes brought to its identity and claims (upstream's updateIdentity + updateStorage). */
export function withIdentityAndStorage(set: SetView, pod: Pod): Pod {
  const ordinal = ordinalOf(pod);
  const meta = (pod.metadata ??= {});
  meta.name = podName(set, ordinal);
  meta.namespace = set.metadata?.namespace ?? '';
  meta.labels = { ...meta.labels, [STATEFULSET_POD_NAME_LABEL]: meta.name, [POD_INDEX_LABEL]: String(ordinal) };
  const claims = claimsFor(set, ordinal);
  const spec = pod.spec!;
  const kept = (spec.volumes ?? []).filter((v) => !claims.has(v.name));
  spec.volumes = [...[...claims].map(([name, c]) => ({ name, persistentVolumeClaim: { claimName: c.metadata!.name! } })), ...kept];
  if (spec.volumes.length === 0) delete spec.volumes;
  return pod;
}

/** The set with the template a revision recorded (upstream's ApplyRevision). */
export function applyRevision(set: SetView, revision: DeepReadonly<ControllerRevision>): SetView {
  return { ...set, spec: { ...set.spec, template: templateOfRevision(revision) as PodTemplateSpec } } as SetView;
}

/** A new pod for `ordinal` from `set`'s template, at `revisionName`. Hostname and subdomain are set only here: they are immutable. */
export function newStatefulSetPod(set: SetView, ordinal: number, revisionName: string): Pod {
  const pod = podFromTemplate({ namespace: set.metadata?.namespace ?? '', template: set.spec!.template!, controllerRef: newControllerRef(set, STS_KIND), name: podName(set, ordinal) });
  withIdentityAndStorage(set, pod);
  pod.metadata!.labels![CONTROLLER_REVISION_HASH_LABEL_KEY] = revisionName;
  pod.spec!.hostname = pod.metadata!.name!;
  if (set.spec?.serviceName) pod.spec!.subdomain = set.spec.serviceName;
  return pod;
}

/**
 * The pod for `ordinal` at the revision it should have: below the partition (or, with no
 * rollingUpdate given, below the count of current replicas) a RollingUpdate keeps the current
 * revision; everything else — OnDelete included — is built from the update revision.
 */
export function newVersionedStatefulSetPod(currentSet: SetView, updateSet: SetView, currentRevision: string, updateRevision: string, ordinal: number): Pod {
  const strategy = currentSet.spec?.updateStrategy;
  if (strategy?.type === 'RollingUpdate') {
    const keepBelow = startOrdinal(currentSet) + (strategy.rollingUpdate !== undefined ? (strategy.rollingUpdate.partition ?? 0) : (currentSet.status?.currentReplicas ?? 0));
    if (ordinal < keepBelow) return newStatefulSetPod(currentSet, ordinal, currentRevision);
  }
  return newStatefulSetPod(updateSet, ordinal, updateRevision);
}

/** The replica counts of a set's status from its pods (upstream's computeReplicaStatus). */
export function replicaCounts(pods: readonly PodView[], minReadySeconds: number, nowMs: number, currentRevision: string, updateRevision: string): { replicas: number; readyReplicas: number; availableReplicas: number; currentReplicas: number; updatedReplicas: number } {
  const c = { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
  for (const p of pods) {
    c.replicas++;
    if (isRunningAndReady(p)) {
      c.readyReplicas++;
      if (isRunningAndAvailable(p, minReadySeconds, nowMs)) c.availableReplicas++;
    }
    if (isTerminating(p)) continue;
    const rev = podRevision(p);
    if (rev === currentRevision) c.currentReplicas++;
    if (rev === updateRevision) c.updatedReplicas++;
  }
  return c;
}

const refersTo = (r: DeepReadonly<OwnerReference>, owner: { metadata?: { uid?: string } }): boolean => r.uid === owner.metadata?.uid;

/**
 * The owner references a claim should carry under the set's persistentVolumeClaimRetentionPolicy
 * (upstream's updateClaimOwnerRefForSetAndPod): whenDeleted=Delete → owned by the set, so the
 * garbage collector deletes it with the set; whenScaled=Delete → owned by its pod once the pod is
 * condemned by a scale-down, so it goes with the pod. Both: the pod while condemned, else the set.
 * Returns undefined when the claim already carries exactly what it should.
 */
export function claimOwnerRefs(set: SetView, pod: PodView, claim: ClaimView): OwnerReference[] | undefined {
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy;
  const deleteWithSet = policy?.whenDeleted === 'Delete';
  const deleteOnScale = policy?.whenScaled === 'Delete';
  const condemned = !inOrdinalRange(set, ordinalOf(pod));
  const wantPod = deleteOnScale && condemned;
  const wantSet = deleteWithSet && !wantPod;
  const refs = (claim.metadata?.ownerReferences ?? []) as readonly DeepReadonly<OwnerReference>[];
  const hasSet = refs.some((r) => refersTo(r, set));
  const hasPod = refs.some((r) => refersTo(r, pod));
  if (hasSet === wantSet && hasPod === wantPod) return undefined;
  const others = refs.filter((r) => !refersTo(r, set) && !refersTo(r, pod)).map((r) => structuredClone(r) as OwnerReference);
  const ref = (o: { metadata?: { name?: string; uid?: string } }, kind: { apiVersion: string; kind: string }): OwnerReference => ({ apiVersion: kind.apiVersion, kind: kind.kind, name: o.metadata?.name ?? '', uid: o.metadata?.uid ?? '' });
  return [...others, ...(wantSet ? [ref(set, STS_KIND)] : []), ...(wantPod ? [ref(pod, { apiVersion: 'v1', kind: 'Pod' })] : [])];
}

/**
 * A claim an earlier pod of this ordinal still owns (whenScaled=Delete) or one being deleted: the
 * garbage collector will remove it, and a pod made now would mount a claim about to vanish.
 */
export function claimIsStale(claim: ClaimView | undefined, podName: string, podUid: string | undefined): boolean {
  if (claim === undefined) return false;
  if (claim.metadata?.deletionTimestamp !== undefined) return true;
  return (claim.metadata?.ownerReferences ?? []).some((r) => r.kind === 'Pod' && r.name === podName && r.uid !== podUid);
}
