// NodeUnschedulable: a cordoned node takes only pods that tolerate the unschedulable taint.
import type { FilterPlugin } from '../../framework/interface.js';
import { newStatus, SUCCESS, type Status } from '../../framework/status.js';
import { TAINT_NODE_UNSCHEDULABLE, tolerationsTolerateTaint } from '../../framework/taints.js';
import type { NodeInfo, PodInfo } from '../../framework/types.js';
import type { CycleState } from '../../framework/cycle-state.js';

export const NODE_UNSCHEDULABLE = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';

export const nodeUnschedulable = {
  name: NODE_UNSCHEDULABLE,
  filter(_s: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status {
    if (!nodeInfo.node.spec?.unschedulable) return SUCCESS;
    const tolerated = tolerationsTolerateTaint(pod.pod.spec?.tolerations, { key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' });
    return tolerated ? SUCCESS : newStatus('UnschedulableAndUnresolvable', ERR_REASON_UNSCHEDULABLE);
  },
} as const satisfies FilterPlugin;
