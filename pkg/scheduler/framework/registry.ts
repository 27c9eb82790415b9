// The in-tree plugins by name. A Registry is a plain value handed to the framework; nothing
// registers itself at import time.
import { DEFAULT_BINDER, newDefaultBinder, type PostBinding } from '../plugins/defaultbinder/default-binder.js';
import { DEFAULT_PREEMPTION, newDefaultPreemption, type DefaultPreemptionArgs } from '../plugins/defaultpreemption/default-preemption.js';
import { INTER_POD_AFFINITY, newInterPodAffinity, type InterPodAffinityArgs } from '../plugins/interpodaffinity/inter-pod-affinity.js';
import { NODE_AFFINITY, nodeAffinity } from '../plugins/nodeaffinity/node-affinity.js';
import { NODE_NAME, nodeName } from '../plugins/nodename/node-name.js';
import { NODE_PORTS, nodePorts } from '../plugins/nodeports/node-ports.js';
import { NODE_RESOURCES_BALANCED_ALLOCATION, newBalancedAllocation, type BalancedAllocationArgs } from '../plugins/noderesources/balanced-allocation.js';
import { NODE_RESOURCES_FIT, newNodeResourcesFit, type NodeResourcesFitArgs } from '../plugins/noderesources/fit.js';
import { NODE_UNSCHEDULABLE, nodeUnschedulable } from '../plugins/nodeunschedulable/node-unschedulable.js';
import { POD_TOPOLOGY_SPREAD, podTopologySpread } from '../plugins/podtopologyspread/pod-topology-spread.js';
import { PRIORITY_SORT, prioritySort } from '../plugins/queuesort/priority-sort.js';
import { TAINT_TOLERATION, taintToleration } from '../plugins/tainttoleration/taint-toleration.js';
import { newVolumeBinding, VOLUME_BINDING, type VolumeBinderIO, type VolumeBindingArgs } from '../plugins/volumebinding/volume-binding.js';
import type { AnyPlugin } from './interface.js';

export interface PluginDeps {
  /** The pods/binding call used by DefaultBinder. */
  readonly postBinding?: PostBinding;
  /** VolumeBinding's PreBind writes and wait. */
  readonly volumeBinder?: VolumeBinderIO;
}

/** Builds a plugin from its (already validated) args. */
export type PluginFactory = (args: unknown, deps: PluginDeps) => AnyPlugin;
export type Registry = ReadonlyMap<string, PluginFactory>;

/** Upstream default plugins kubets does not implement (volume limits, images, DRA, gates): they may be disabled, not enabled. */
export const UNIMPLEMENTED_UPSTREAM_PLUGINS: ReadonlySet<string> = new Set([
  'SchedulingGates',
  'VolumeRestrictions',
  'NodeVolumeLimits',
  'VolumeZone',
  'ImageLocality',
  'DynamicResources',
]);

export function newInTreeRegistry(): Registry {
  return new Map<string, PluginFactory>([
    [PRIORITY_SORT, () => prioritySort],
    [NODE_UNSCHEDULABLE, () => nodeUnschedulable],
    [NODE_NAME, () => nodeName],
    [TAINT_TOLERATION, () => taintToleration],
    [NODE_AFFINITY, () => nodeAffinity],
    [NODE_PORTS, () => nodePorts],
    [NODE_RESOURCES_FIT, (a) => newNodeResourcesFit((a ?? {}) as NodeResourcesFitArgs)],
    [NODE_RESOURCES_BALANCED_ALLOCATION, (a) => newBalancedAllocation((a ?? {}) as BalancedAllocationArgs)],
    [VOLUME_BINDING, (a, deps) => newVolumeBinding((a ?? {}) as VolumeBindingArgs, deps.volumeBinder)],
    [POD_TOPOLOGY_SPREAD, () => podTopologySpread],
    [INTER_POD_AFFINITY, (a) => newInterPodAffinity((a ?? {}) as InterPodAffinityArgs)],
    [DEFAULT_PREEMPTION, (a) => newDefaultPreemption((a ?? {}) as DefaultPreemptionArgs)],
    [
      DEFAULT_BINDER,
      (_a, deps) =>
        newDefaultBinder(
          deps.postBinding ??
            (() => {
              throw new Error('DefaultBinder has no binding client');
            }),
        ),
    ],
  ]);
}

