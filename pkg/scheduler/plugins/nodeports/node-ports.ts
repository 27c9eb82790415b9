// NodePorts: a pod's host ports must be free on the node (same protocol and port, overlapping IP).
import type { CycleState } from '../../framework/cycle-state.js';
import type { FilterPlugin, PreFilterOutcome, PreFilterPlugin } from '../../framework/interface.js';
import { newStatus, SKIP, SUCCESS, type Status } from '../../framework/status.js';
import type { NodeInfo, PodInfo } from '../../framework/types.js';

export const NODE_PORTS = 'NodePorts';
export const ERR_REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";

export const nodePorts = {
  name: NODE_PORTS,

  preFilter(_s: CycleState, pod: PodInfo): PreFilterOutcome {
    return { status: pod.hostPorts.length === 0 ? SKIP : SUCCESS };
  },

  filter(_s: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status {
    if (nodeInfo.usedPorts.size === 0) return SUCCESS;
    for (const p of pod.hostPorts) if (nodeInfo.usedPorts.conflicts(p)) return newStatus('Unschedulable', ERR_REASON_NODE_PORTS);
    return SUCCESS;
  },
} as const satisfies PreFilterPlugin & FilterPlugin;
