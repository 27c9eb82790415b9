// Toleration/taint matching shared by TaintToleration, NodeUnschedulable and PodTopologySpread.
import type { Taint, Toleration } from '../../api/core/v1/index.js';
import { tolerationsTolerateTaint } from '../../api/core/v1/toleration.js';

export { toleratesTaint, tolerationsTolerateTaint } from '../../api/core/v1/toleration.js';

export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

const isDoNotSchedule = (t: Taint): boolean => t.effect === 'NoSchedule' || t.effect === 'NoExecute';

/** The first NoSchedule/NoExecute taint of the node that no toleration tolerates. */
export function findUntoleratedTaint(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined): Taint | undefined {
  if (!taints) return undefined;
  for (const taint of taints) if (isDoNotSchedule(taint) && !tolerationsTolerateTaint(tolerations, taint)) return taint;
  return undefined;
}
