// TaintToleration: NoSchedule/NoExecute taints filter; PreferNoSchedule taints lower the score.
import type { Toleration } from '../../../api/core/v1/index.js';
import { stateKey, type CycleState } from '../../framework/cycle-state.js';
import { MAX_NODE_SCORE, type FilterPlugin, type NodeScore, type PreScorePlugin, type ScorePlugin } from '../../framework/interface.js';
import { newStatus, SUCCESS, type Status } from '../../framework/status.js';
import { findUntoleratedTaint, tolerationsTolerateTaint } from '../../framework/taints.js';
import type { NodeInfo, PodInfo } from '../../framework/types.js';
import { defaultNormalizeScore } from '../helper/normalize-score.js';

export const TAINT_TOLERATION = 'TaintToleration';

const preScoreKey = stateKey<readonly Toleration[]>('PreScore' + TAINT_TOLERATION);

export const taintToleration = {
  name: TAINT_TOLERATION,

  filter(_s: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status {
    const taint = findUntoleratedTaint(nodeInfo.node.spec?.taints, pod.pod.spec?.tolerations);
    if (!taint) return SUCCESS;
    return newStatus('UnschedulableAndUnresolvable', `node(s) had untolerated taint {${taint.key ?? ''}: ${taint.value ?? ''}}`);
  },

  preScore(state: CycleState, pod: PodInfo): Status {
    // An empty effect tolerates every effect, PreferNoSchedule included.
    const tolerations = (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    state.write(preScoreKey, tolerations);
    return SUCCESS;
  },

  score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): number {
    const tolerations = state.read(preScoreKey) ?? (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    let n = 0;
    for (const taint of nodeInfo.node.spec?.taints ?? []) {
      if (taint.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tolerations, taint)) n++;
    }
    return n;
  },

  normalizeScore(_s: CycleState, _p: PodInfo, scores: NodeScore[]): Status {
    defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
    return SUCCESS;
  },
} as const satisfies FilterPlugin & PreScorePlugin & ScorePlugin;
