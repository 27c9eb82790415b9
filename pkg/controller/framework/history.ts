// ControllerRevisions: the immutable snapshots of a workload's template that the StatefulSet and
// DaemonSet controllers keep for rolling updates and rollbacks (upstream's controller history).
import type { ControllerRevision } from '../../api/apps/v1/controllerrevision.js';
import type { DeepReadonly } from '../../client/informer/store.js';
import type { KubeObject } from '../../client/resource.js';
import { newControllerRef, type OwnerKind } from './controller-ref.js';
import { canonicalJson, computeHash } from './hash.js';

/** The label holding a revision's hash, on the revision itself. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';
/** The label pods and revisions of StatefulSets and DaemonSets carry: the revision they belong to. */
export const CONTROLLER_REVISION_HASH_LABEL_KEY = 'controller-revision-hash';

/** Names are at most 253 characters: the owner's name is cut so the hash always fits. */
const MAX_PREFIX = 223;

export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.slice(0, MAX_PREFIX)}-${hash}`;
}

/** The hash of a revision's data (and the collision count that disambiguates clashes). */
export function hashControllerRevision(revision: DeepReadonly<ControllerRevision>, collisionCount: number | undefined): string {
  return computeHash(revision.data ?? null, collisionCount);
}

/**
 * A new revision of `owner` holding `data`: named `<owner>-<hash>`, labelled with the template's
 * labels and the hash, controlled by the owner.
 */
export function newControllerRevision(
  owner: DeepReadonly<KubeObject>,
  ownerKind: OwnerKind,
  templateLabels: Readonly<Record<string, string>> | undefined,
  data: unknown,
  revision: number,
  collisionCount: number | undefined,
): ControllerRevision {
  const cr: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      namespace: owner.metadata?.namespace ?? '',
      labels: { ...(templateLabels ?? {}) },
      ownerReferences: [newControllerRef(owner, ownerKind)],
    },
    data: data as ControllerRevision['data'],
    revision,
  };
  const hash = hashControllerRevision(cr, collisionCount);
  cr.metadata!.name = controllerRevisionName(owner.metadata?.name ?? '', hash);
  cr.metadata!.labels![CONTROLLER_REVISION_HASH_LABEL] = hash;
  return cr;
}

/** Whether two revisions hold the same data (their hash labels first, then the data itself). */
export function equalRevision(a: DeepReadonly<ControllerRevision> | undefined, b: DeepReadonly<ControllerRevision> | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const ha = a.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  const hb = b.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  if (ha !== undefined && hb !== undefined && ha !== hb) return false;
  return canonicalJson(a.data ?? null) === canonicalJson(b.data ?? null);
}

/** The revisions among `revisions` that hold the same data as `needle`. */
export function findEqualRevisions<R extends DeepReadonly<ControllerRevision>>(revisions: readonly R[], needle: DeepReadonly<ControllerRevision>): R[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

/** Oldest first: by revision number, then creation time, then name. */
export function sortRevisions<R extends DeepReadonly<ControllerRevision>>(revisions: readonly R[]): R[] {
  const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return [...revisions].sort(
    (a, b) =>
      (a.revision ?? 0) - (b.revision ?? 0) ||
      cmp(a.metadata?.creationTimestamp ?? '', b.metadata?.creationTimestamp ?? '') ||
      cmp(a.metadata?.name ?? '', b.metadata?.name ?? ''),
  );
}

/** The number the next revision gets: one past the highest. */
export function nextRevision(revisions: readonly DeepReadonly<ControllerRevision>[]): number {
  return revisions.reduce((max, r) => Math.max(max, r.revision ?? 0), 0) + 1;
}

/**
 * The data of a StatefulSet's or DaemonSet's revision (upstream's getPatch): a strategic-merge patch
 * that replaces spec.template, so `kubectl rollout undo` applies it as it is.
 */
export function templateRevisionData(template: unknown): { spec: { template: Record<string, unknown> } } {
  return { spec: { template: { ...(structuredClone(template ?? {}) as Record<string, unknown>), $patch: 'replace' } } };
}

/** The template a revision's data holds (the inverse of templateRevisionData). */
export function templateOfRevision(revision: DeepReadonly<ControllerRevision>): unknown {
  const data = revision.data as { spec?: { template?: Record<string, unknown> } } | undefined;
  const template: Record<string, unknown> = { ...(structuredClone(data?.spec?.template ?? {}) as Record<string, unknown>) };
  delete template['$patch'];
  return template;
}
