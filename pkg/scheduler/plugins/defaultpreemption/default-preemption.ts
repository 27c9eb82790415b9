// DefaultPreemption (PostFilter): find nodes where evicting lower-priority pods lets the pod fit,
// keep the fewest victims on each (reprieving the most important first), pick the best node by
// upstream's ordering and return it with its victims. Deleting them is the caller's job.
// PodDisruptionBudgets are not considered (every victim counts as non-violating).
import type { CycleState } from '../../framework/cycle-state.js';
import { FitError } from '../../framework/fit-error.js';
import type { FrameworkHandle, NodeToStatus, PostFilterOutcome, PostFilterPlugin } from '../../framework/interface.js';
import { isSuccess, newStatus, type Status } from '../../framework/status.js';
import type { NodeInfo, PodInfo } from '../../framework/types.js';

export const DEFAULT_PREEMPTION = 'DefaultPreemption';
export const MSG_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const MSG_NO_VICTIMS = 'No preemption victims found for incoming pod';

export interface DefaultPreemptionArgs {
  readonly minCandidateNodesPercentage?: number;
  readonly minCandidateNodesAbsolute?: number;
}

export interface Candidate {
  readonly nodeName: string;
  /** Most important first. */
  readonly victims: readonly PodInfo[];
}

/** Higher priority first; equal priorities: the one that started earlier. */
export const moreImportantPod = (a: PodInfo, b: PodInfo): boolean => a.priority > b.priority || (a.priority === b.priority && a.startTime < b.startTime);

const byImportance = (a: PodInfo, b: PodInfo): number => (moreImportantPod(a, b) ? -1 : moreImportantPod(b, a) ? 1 : 0);

/** Whether the pod may preempt at all, and why not. */
export function podEligibleToPreemptOthers(pod: PodInfo, handle: FrameworkHandle, nominatedStatus: Status | undefined): { ok: boolean; msg: string } {
  if (pod.pod.spec?.preemptionPolicy === 'Never') return { ok: false, msg: 'not eligible due to preemptionPolicy=Never.' };
  const nominated = pod.pod.status?.nominatedNodeName;
  if (nominated) {
    if (nominatedStatus?.code === 'UnschedulableAndUnresolvable') return { ok: true, msg: '' };
    const ni = handle.snapshot.get(nominated);
    // Victims chosen earlier are still terminating there: wait for them rather than preempt again.
    if (ni?.pods.some((p) => p.priority < pod.priority && p.terminating)) {
      return { ok: false, msg: 'not eligible due to a terminating pod on the nominated node.' };
    }
  }
  return { ok: true, msg: '' };
}

/** Victims on one node: all lower-priority pods removed, then as many reprieved as still fit. */
export function selectVictimsOnNode(
  state: CycleState,
  pod: PodInfo,
  nodeInfo: NodeInfo,
  handle: FrameworkHandle,
): { victims: PodInfo[]; status: Status } {
  const potential: PodInfo[] = [];
  for (const p of [...nodeInfo.pods]) {
    if (p.priority >= pod.priority) continue;
    potential.push(p);
    nodeInfo.removePod(p);
    const s = handle.runPreFilterExtensionRemovePod(state, pod, p, nodeInfo);
    if (!isSuccess(s)) return { victims: [], status: s };
  }
  if (potential.length === 0) return { victims: [], status: newStatus('UnschedulableAndUnresolvable', MSG_NO_VICTIMS) };
  const fits = handle.runFilterPlugins(state, pod, nodeInfo);
  if (!isSuccess(fits)) return { victims: [], status: fits };
  potential.sort(byImportance);
  const victims: PodInfo[] = [];
  for (const p of potential) {
    nodeInfo.addPod(p);
    const s = handle.runPreFilterExtensionAddPod(state, pod, p, nodeInfo);
    if (!isSuccess(s)) return { victims: [], status: s };
    if (!isSuccess(handle.runFilterPlugins(state, pod, nodeInfo))) {
      nodeInfo.removePod(p);
      handle.runPreFilterExtensionRemovePod(state, pod, p, nodeInfo);
      victims.push(p);
    }
  }
  return { victims, status: newStatus('Success') };
}

const MAX_INT32 = 2147483647;

/** Upstream's tie-breakers, in order; the first node left standing wins. */
export function pickOneNodeForPreemption(candidates: readonly Candidate[]): Candidate | undefined {
  if (candidates.length === 0) return undefined;
  const scoreFns: ((c: Candidate) => number)[] = [
    // Fewest PDB violations: always 0 here.
    () => 0,
    // Lowest highest-priority victim.
    (c) => -(c.victims[0]?.priority ?? 0),
    // Smallest sum of priorities (shifted so negative priorities still add up).
    (c) => -c.victims.reduce((sum, v) => sum + v.priority + MAX_INT32 + 1, 0),
    // Fewest victims.
    (c) => -c.victims.length,
    // Latest start among the highest-priority victims.
    (c) => {
      const top = c.victims[0]?.priority;
      let earliest = Number.POSITIVE_INFINITY;
      for (const v of c.victims) if (v.priority === top && v.startTime < earliest) earliest = v.startTime;
      return earliest;
    },
  ];
  let left = [...candidates];
  for (const f of scoreFns) {
    let best = Number.NEGATIVE_INFINITY;
    let sel: Candidate[] = [];
    for (const c of left) {
      const s = f(c);
      if (s > best) {
        best = s;
        sel = [];
      }
      if (s === best) sel.push(c);
    }
    if (sel.length === 1) return sel[0];
    left = sel;
  }
  return left[0];
}

export function newDefaultPreemption(args: DefaultPreemptionArgs = {}) {
  const pct = args.minCandidateNodesPercentage ?? 10;
  const abs = args.minCandidateNodesAbsolute ?? 100;

  const numCandidates = (n: number): number => Math.min(n, Math.max(abs, Math.trunc((n * pct) / 100)));

  return {
    name: DEFAULT_PREEMPTION,

    postFilter(state: CycleState, pod: PodInfo, m: NodeToStatus, handle: FrameworkHandle): PostFilterOutcome {
      const statusOf = (name: string): Status => m.statuses.get(name) ?? m.absentStatus;
      const nominated = pod.pod.status?.nominatedNodeName;
      const elig = podEligibleToPreemptOthers(pod, handle, nominated ? statusOf(nominated) : undefined);
      if (!elig.ok) return { status: newStatus('Unschedulable', 'preemption: ' + elig.msg) };

      const all = handle.snapshot.nodeInfos;
      const unresolvable = newStatus('UnschedulableAndUnresolvable', MSG_NOT_HELPFUL);
      const statuses = new Map<string, Status>();
      const potential: NodeInfo[] = [];
      for (const ni of all) {
        const s = statusOf(ni.name);
        if (s.code === 'Unschedulable') potential.push(ni);
        else if (s.code === 'UnschedulableAndUnresolvable') statuses.set(ni.name, unresolvable);
      }

      const candidates: Candidate[] = [];
      if (potential.length > 0) {
        const want = numCandidates(potential.length);
        const offset = handle.randomInt(potential.length);
        for (let k = 0; k < potential.length && candidates.length < want; k++) {
          const ni = potential[(offset + k) % potential.length]!;
          const copy = ni.clone();
          const r = selectVictimsOnNode(state.clone(), pod, copy, handle);
          if (isSuccess(r.status) && r.victims.length > 0) {
            candidates.push({ nodeName: ni.name, victims: r.victims });
            continue;
          }
          const st = isSuccess(r.status) ? newStatus('Error', `expected at least one victim pod on node "${ni.name}"`) : r.status;
          statuses.set(ni.name, st);
        }
      }

      if (candidates.length === 0) {
        const fe = new FitError(pod, all.length, { statuses, absentStatus: unresolvable });
        return { status: newStatus('Unschedulable', 'preemption: ' + fe.message) };
      }
      const best = pickOneNodeForPreemption(candidates)!;
      return { status: newStatus('Success'), result: { nominatedNodeName: best.nodeName, victims: best.victims } };
    },
  } as const satisfies PostFilterPlugin;
}


