// PodTopologySpread: DoNotSchedule constraints filter, ScheduleAnyway constraints score.
// Cluster-level default constraints (for pods owned by Services/ReplicaSets...) are not applied.
import type { CycleState } from '../../framework/cycle-state.js';
import type { FilterPlugin, NodeScore, PreFilterExtensions, PreFilterOutcome, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/interface.js';
import { errorStatus, newStatus, SKIP, SUCCESS, type Status } from '../../framework/status.js';
import type { NodeInfo, PodInfo, Snapshot } from '../../framework/types.js';
import { computeSpreadPreFilterState, ERR_REASON_CONSTRAINTS_NOT_MATCH, ERR_REASON_NODE_LABEL_NOT_MATCH, minMatchNum, preFilterKey, updateSpreadState } from './filtering.js';
import { computeSpreadPreScoreState, normalizeSpread, preScoreKey, scoreSpread } from './scoring.js';

export const POD_TOPOLOGY_SPREAD = 'PodTopologySpread';

const extensions: PreFilterExtensions = {
  addPod(state, podToSchedule, podToAdd, nodeInfo): Status {
    const s = state.read(preFilterKey);
    if (s) updateSpreadState(s, podToSchedule, podToAdd, nodeInfo.node, 1);
    return SUCCESS;
  },
  removePod(state, podToSchedule, podToRemove, nodeInfo): Status {
    const s = state.read(preFilterKey);
    if (s) updateSpreadState(s, podToSchedule, podToRemove, nodeInfo.node, -1);
    return SUCCESS;
  },
};

export const podTopologySpread = {
  name: POD_TOPOLOGY_SPREAD,
  preFilterExtensions: extensions,

  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): PreFilterOutcome {
    const s = computeSpreadPreFilterState(pod, snapshot);
    if (!s) return { status: SKIP };
    state.write(preFilterKey, s);
    return { status: SUCCESS };
  },

  filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status {
    const s = state.read(preFilterKey);
    if (!s) return errorStatus(`reading "PreFilter${POD_TOPOLOGY_SPREAD}" from cycleState: not found`);
    const labels = nodeInfo.labels;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const v = labels?.[c.topologyKey];
      if (v === undefined) return newStatus('UnschedulableAndUnresolvable', ERR_REASON_NODE_LABEL_NOT_MATCH);
      const self = c.selector.matches(pod.labels) ? 1 : 0;
      const skew = (s.counts[i]!.get(v) ?? 0) + self - minMatchNum(s, i);
      if (skew > c.maxSkew) return newStatus('Unschedulable', ERR_REASON_CONSTRAINTS_NOT_MATCH);
    }
    return SUCCESS;
  },

  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], snapshot: Snapshot): Status {
    if (nodes.length === 0) return SKIP;
    const s = computeSpreadPreScoreState(pod, nodes, snapshot);
    if (!s) return SKIP;
    state.write(preScoreKey, s);
    return SUCCESS;
  },

  score(state: CycleState, _pod: PodInfo, nodeInfo: NodeInfo): number | Status {
    const s = state.read(preScoreKey);
    if (!s) return errorStatus(`reading "PreScore${POD_TOPOLOGY_SPREAD}" from cycleState: not found`);
    return scoreSpread(s, nodeInfo);
  },

  normalizeScore(state: CycleState, _pod: PodInfo, scores: NodeScore[]): Status {
    const s = state.read(preScoreKey);
    if (s) normalizeSpread(s, scores);
    return SUCCESS;
  },
} as const satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;
