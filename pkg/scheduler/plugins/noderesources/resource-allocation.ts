// Shared by NodeResourcesFit scoring and NodeResourcesBalancedAllocation: per-resource
// (requested, allocatable) pairs for a node with the incoming pod added.
import { podRequestList, RESOURCE_CPU, RESOURCE_EPHEMERAL_STORAGE, RESOURCE_MEMORY } from '../../framework/resources.js';
import type { NodeInfo, PodInfo } from '../../framework/types.js';

export interface ResourceSpec {
  readonly name: string;
  readonly weight: number;
}

export const DEFAULT_RESOURCE_SPECS: readonly ResourceSpec[] = [
  { name: RESOURCE_CPU, weight: 1 },
  { name: RESOURCE_MEMORY, weight: 1 },
];

const isScalar = (name: string): boolean => name !== RESOURCE_CPU && name !== RESOURCE_MEMORY && name !== RESOURCE_EPHEMERAL_STORAGE;

/** The pod's request of each resource; useRequested=false applies the cpu/memory scoring defaults. */
export function podRequestsFor(pod: PodInfo, resources: readonly ResourceSpec[], useRequested: boolean): number[] {
  if (!useRequested && resources.every((r) => r.name === RESOURCE_CPU || r.name === RESOURCE_MEMORY)) {
    // The common case reads the values PodInfo already cached.
    return resources.map((r) => (r.name === RESOURCE_CPU ? pod.nonZeroMilliCPU : pod.nonZeroMemory));
  }
  const list = useRequested ? undefined : podRequestList(pod.pod, true);
  return resources.map((r) => (list ? (list.get(r.name) ?? 0) : pod.requests.get(r.name)));
}

/**
 * Fills requested/allocatable per resource; a resource the node lacks (allocatable 0), or an
 * extended resource the pod does not ask for, is left at 0 and so skipped by the scorers.
 */
export function allocationFor(
  nodeInfo: NodeInfo,
  resources: readonly ResourceSpec[],
  podRequests: readonly number[],
  useRequested: boolean,
  requested: number[],
  allocatable: number[],
): void {
  const base = useRequested ? nodeInfo.requested : nodeInfo.nonZeroRequested;
  for (let i = 0; i < resources.length; i++) {
    const name = resources[i]!.name;
    const podReq = podRequests[i]!;
    requested[i] = 0;
    allocatable[i] = 0;
    if (podReq === 0 && isScalar(name)) continue;
    let alloc: number;
    let req: number;
    if (name === RESOURCE_CPU || name === RESOURCE_MEMORY) {
      alloc = nodeInfo.allocatable.get(name);
      req = base.get(name) + podReq;
    } else if (name === RESOURCE_EPHEMERAL_STORAGE || nodeInfo.allocatable.scalar?.has(name)) {
      alloc = nodeInfo.allocatable.get(name);
      req = nodeInfo.requested.get(name) + podReq;
    } else {
      continue;
    }
    if (alloc === 0) continue;
    allocatable[i] = alloc;
    requested[i] = req;
  }
}
