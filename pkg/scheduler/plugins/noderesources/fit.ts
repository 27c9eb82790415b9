// NodeResourcesFit: the node must have room for the pod's requests and one more pod; scoring
// prefers the least (default) or most allocated nodes.
import { stateKey, type CycleState } from '../../framework/cycle-state.js';
import { MAX_NODE_SCORE, type FilterPlugin, type PreFilterOutcome, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin } from '../../framework/interface.js';
import { newStatus, SUCCESS, type Status } from '../../framework/status.js';
import type { NodeInfo, PodInfo } from '../../framework/types.js';
import { allocationFor, DEFAULT_RESOURCE_SPECS, podRequestsFor, type ResourceSpec } from './resource-allocation.js';

export const NODE_RESOURCES_FIT = 'NodeResourcesFit';

export type ScoringStrategyType = 'LeastAllocated' | 'MostAllocated';

export interface NodeResourcesFitArgs {
  readonly scoringStrategy?: { readonly type?: ScoringStrategyType; readonly resources?: readonly ResourceSpec[] };
  /** Extended resources the filter does not check. */
  readonly ignoredResources?: readonly string[];
}

export interface InsufficientResource {
  readonly resourceName: string;
  readonly reason: string;
  readonly requested: number;
  readonly used: number;
  readonly capacity: number;
}

/** What the pod lacks on the node, in upstream's order: pods, cpu, memory, ephemeral-storage, others by name. */
export function fitsRequest(pod: PodInfo, nodeInfo: NodeInfo, ignored?: ReadonlySet<string>): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  if (nodeInfo.pods.length + 1 > nodeInfo.allowedPodNumber) {
    out.push({ resourceName: 'pods', reason: 'Too many pods', requested: 1, used: nodeInfo.pods.length, capacity: nodeInfo.allowedPodNumber });
  }
  const req = pod.requests;
  if (req.isZero()) return out;
  const alloc = nodeInfo.allocatable;
  const used = nodeInfo.requested;
  const check = (name: string, want: number, have: number, inUse: number): void => {
    if (want > 0 && want > have - inUse) out.push({ resourceName: name, reason: `Insufficient ${name}`, requested: want, used: inUse, capacity: have });
  };
  check('cpu', req.milliCPU, alloc.milliCPU, used.milliCPU);
  check('memory', req.memory, alloc.memory, used.memory);
  check('ephemeral-storage', req.ephemeralStorage, alloc.ephemeralStorage, used.ephemeralStorage);
  if (req.scalar) {
    for (const name of [...req.scalar.keys()].sort()) {
      if (ignored?.has(name)) continue;
      check(name, req.scalar.get(name)!, alloc.get(name), used.get(name));
    }
  }
  return out;
}

export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  // Over-committed nodes get the top score rather than more than it.
  if (requested > capacity) requested = capacity;
  return Math.trunc((requested * MAX_NODE_SCORE) / capacity);
}

/** Weighted mean of the per-resource scores, skipping resources with no allocatable. */
export function weightedScore(
  f: (req: number, cap: number) => number,
  resources: readonly ResourceSpec[],
  requested: readonly number[],
  allocatable: readonly number[],
): number {
  let score = 0;
  let weights = 0;
  for (let i = 0; i < resources.length; i++) {
    if (allocatable[i] === 0) continue;
    const w = resources[i]!.weight;
    score += f(requested[i]!, allocatable[i]!) * w;
    weights += w;
  }
  return weights === 0 ? 0 : Math.trunc(score / weights);
}

export function newNodeResourcesFit(args: NodeResourcesFitArgs = {}) {
  const type: ScoringStrategyType = args.scoringStrategy?.type ?? 'LeastAllocated';
  const resources = args.scoringStrategy?.resources ?? DEFAULT_RESOURCE_SPECS;
  const ignored = new Set(args.ignoredResources ?? []);
  const scorer = type === 'MostAllocated' ? mostRequestedScore : leastRequestedScore;
  const preScoreKey = stateKey<number[]>('PreScore' + NODE_RESOURCES_FIT);
  const requested: number[] = new Array<number>(resources.length).fill(0);
  const allocatable: number[] = new Array<number>(resources.length).fill(0);

  return {
    name: NODE_RESOURCES_FIT,

    preFilter(): PreFilterOutcome {
      // Requests are cached on PodInfo, so there is nothing to precompute.
      return { status: SUCCESS };
    },

    filter(_s: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status {
      const insufficient = fitsRequest(pod, nodeInfo, ignored);
      if (insufficient.length === 0) return SUCCESS;
      return newStatus('Unschedulable', ...insufficient.map((r) => r.reason));
    },

    preScore(state: CycleState, pod: PodInfo): Status {
      state.write(preScoreKey, podRequestsFor(pod, resources, false));
      return SUCCESS;
    },

    score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): number {
      const podReq = state.read(preScoreKey) ?? podRequestsFor(pod, resources, false);
      allocationFor(nodeInfo, resources, podReq, false, requested, allocatable);
      return weightedScore(scorer, resources, requested, allocatable);
    },
  } as const satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;
}
