// NodeResourcesBalancedAllocation: prefers nodes whose resource usage fractions stay close to
// each other after placing the pod (score = (1 - standard deviation) × 100).
import { stateKey, type CycleState } from '../../framework/cycle-state.js';
import { MAX_NODE_SCORE, type PreScorePlugin, type ScorePlugin } from '../../framework/interface.js';
import { SUCCESS, type Status } from '../../framework/status.js';
import type { NodeInfo, PodInfo } from '../../framework/types.js';
import { allocationFor, DEFAULT_RESOURCE_SPECS, podRequestsFor, type ResourceSpec } from './resource-allocation.js';

export const NODE_RESOURCES_BALANCED_ALLOCATION = 'NodeResourcesBalancedAllocation';

export interface BalancedAllocationArgs {
  readonly resources?: readonly ResourceSpec[];
}

export function balancedResourceScore(requested: readonly number[], allocatable: readonly number[]): number {
  const fractions: number[] = [];
  let total = 0;
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    const f = Math.min(1, requested[i]! / allocatable[i]!);
    total += f;
    fractions.push(f);
  }
  let std = 0;
  if (fractions.length === 2) {
    std = Math.abs((fractions[0]! - fractions[1]!) / 2);
  } else if (fractions.length > 2) {
    const mean = total / fractions.length;
    let sum = 0;
    for (const f of fractions) sum += (f - mean) * (f - mean);
    std = Math.sqrt(sum / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export function newBalancedAllocation(args: BalancedAllocationArgs = {}) {
  const resources = args.resources ?? DEFAULT_RESOURCE_SPECS;
  const preScoreKey = stateKey<number[]>('PreScore' + NODE_RESOURCES_BALANCED_ALLOCATION);
  const requested: number[] = new Array<number>(resources.length).fill(0);
  const allocatable: number[] = new Array<number>(resources.length).fill(0);
  return {
    name: NODE_RESOURCES_BALANCED_ALLOCATION,

    preScore(state: CycleState, pod: PodInfo): Status {
      state.write(preScoreKey, podRequestsFor(pod, resources, true));
      return SUCCESS;
    },

    score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): number {
      const podReq = state.read(preScoreKey) ?? podRequestsFor(pod, resources, true);
      allocationFor(nodeInfo, resources, podReq, true, requested, allocatable);
      return balancedResourceScore(requested, allocatable);
    },
  } as const satisfies PreScorePlugin & ScorePlugin;
}
