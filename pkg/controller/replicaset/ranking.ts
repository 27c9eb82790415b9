// Which pods a ReplicaSet deletes first when it has too many, as upstream ranks them: unassigned
// before assigned, Pending before Unknown before Running, not ready before ready, pods doubled
// up on a node before lone ones, more recently ready before longer ready, more restarts before
// fewer, newer before older.
import type { Pod } from '../../api/core/v1/pod-types.js';
import type { DeepReadonly } from '../../client/informer/store.js';
import { isPodReady, podRestarts } from '../framework/index.js';

type PodView = DeepReadonly<Pod>;

const PHASE_ORDER: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

function readySince(p: PodView): number {
  const c = p.status?.conditions?.find((x) => x.type === 'Ready' && x.status === 'True');
  const t = Date.parse(c?.lastTransitionTime ?? '');
  return Number.isFinite(t) ? t : 0;
}

function created(p: PodView): number {
  const t = Date.parse(p.metadata?.creationTimestamp ?? '');
  return Number.isFinite(t) ? t : 0;
}

/** Negative when `a` should be deleted before `b`. `rank` counts the owner's active pods per node. */
export function compareForDeletion(a: PodView, b: PodView, rank: ReadonlyMap<string, number>): number {
  const assigned = (p: PodView): number => (p.spec?.nodeName !== undefined && p.spec.nodeName !== '' ? 1 : 0);
  if (assigned(a) !== assigned(b)) return assigned(a) - assigned(b);
  const phase = (p: PodView): number => PHASE_ORDER[p.status?.phase ?? 'Pending'] ?? 0;
  if (phase(a) !== phase(b)) return phase(a) - phase(b);
  const ready = (p: PodView): number => (isPodReady(p) ? 1 : 0);
  if (ready(a) !== ready(b)) return ready(a) - ready(b);
  const ra = rank.get(a.spec?.nodeName ?? '') ?? 0;
  const rb = rank.get(b.spec?.nodeName ?? '') ?? 0;
  if (ra !== rb) return rb - ra;
  if (ready(a) === 1 && ready(b) === 1 && readySince(a) !== readySince(b)) return readySince(b) - readySince(a);
  if (podRestarts(a) !== podRestarts(b)) return podRestarts(b) - podRestarts(a);
  if (created(a) !== created(b)) return created(b) - created(a);
  return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

/** The `count` pods to delete from `pods`, best candidates first. */
export function podsToDelete(pods: readonly PodView[], count: number): PodView[] {
  if (count <= 0) return [];
  const rank = new Map<string, number>();
  for (const p of pods) {
    const node = p.spec?.nodeName ?? '';
    if (node !== '') rank.set(node, (rank.get(node) ?? 0) + 1);
  }
  return [...pods].sort((a, b) => compareForDeletion(a, b, rank)).slice(0, count);
}
