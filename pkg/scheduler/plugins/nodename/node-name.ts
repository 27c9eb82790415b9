// NodeName: a pod that names a node fits only there.
import type { CycleState } from '../../framework/cycle-state.js';
import type { FilterPlugin } from '../../framework/interface.js';
import { newStatus, SUCCESS, type Status } from '../../framework/status.js';
import type { NodeInfo, PodInfo } from '../../framework/types.js';

export const NODE_NAME = 'NodeName';
export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

export const nodeName = {
  name: NODE_NAME,
  filter(_s: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status {
    const want = pod.pod.spec?.nodeName;
    return !want || want === nodeInfo.name ? SUCCESS : newStatus('UnschedulableAndUnresolvable', ERR_REASON_NODE_NAME);
  },
} as const satisfies FilterPlugin;
