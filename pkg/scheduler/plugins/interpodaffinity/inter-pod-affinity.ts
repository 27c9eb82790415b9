// InterPodAffinity: required pod affinity / anti-affinity (the incoming pod's and the existing
// pods' anti-affinity) filter; preferred terms and existing pods' terms score.
import type { CycleState } from '../../framework/cycle-state.js';
import type {
  FilterPlugin,
  NodeScore,
  PreFilterExtensions,
  PreFilterOutcome,
  PreFilterPlugin,
  PreScorePlugin,
  ScorePlugin,
} from '../../framework/interface.js';
import { errorStatus, newStatus, SKIP, SUCCESS, type Status } from '../../framework/status.js';
import type { NodeInfo, PodInfo, Snapshot } from '../../framework/types.js';
import {
  computePreFilterState,
  ERR_REASON_AFFINITY_RULES_NOT_MATCH,
  ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH,
  ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH,
  preFilterKey,
  satisfyExistingPodsAntiAffinity,
  satisfyPodAffinity,
  satisfyPodAntiAffinity,
  updateExistingAntiCounts,
  updateIncomingCounts,
} from './filtering.js';
import { computeTopologyScore, normalizeMinMax, preScoreKey, scoreNode } from './scoring.js';

export const INTER_POD_AFFINITY = 'InterPodAffinity';

export interface InterPodAffinityArgs {
  /** Weight given to an existing pod's required affinity terms that the incoming pod matches (0-100, default 1). */
  readonly hardPodAffinityWeight?: number;
}

export function newInterPodAffinity(args: InterPodAffinityArgs = {}) {
  const hardPodAffinityWeight = args.hardPodAffinityWeight ?? 1;

  const extensions: PreFilterExtensions = {
    addPod(state, podToSchedule, podToAdd, nodeInfo, snapshot): Status {
      return update(state, podToSchedule, podToAdd, nodeInfo, snapshot, 1);
    },
    removePod(state, podToSchedule, podToRemove, nodeInfo, snapshot): Status {
      return update(state, podToSchedule, podToRemove, nodeInfo, snapshot, -1);
    },
  };

  function update(state: CycleState, _pod: PodInfo, other: PodInfo, nodeInfo: NodeInfo, snapshot: Snapshot, delta: 1 | -1): Status {
    const s = state.read(preFilterKey);
    // No state means PreFilter skipped this plugin: nothing to keep up to date.
    if (!s) return SUCCESS;
    updateExistingAntiCounts(s, other, nodeInfo.node, snapshot, delta);
    updateIncomingCounts(s, other, nodeInfo.node, snapshot, delta);
    return SUCCESS;
  }

  return {
    name: INTER_POD_AFFINITY,
    preFilterExtensions: extensions,

    preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): PreFilterOutcome {
      const s = computePreFilterState(pod, snapshot);
      if (s.existingAntiAffinityCounts.size === 0 && pod.requiredAffinityTerms.length === 0 && pod.requiredAntiAffinityTerms.length === 0) {
        return { status: SKIP };
      }
      state.write(preFilterKey, s);
      return { status: SUCCESS };
    },

    filter(state: CycleState, _pod: PodInfo, nodeInfo: NodeInfo): Status {
      const s = state.read(preFilterKey);
      if (!s) return errorStatus(`reading "PreFilter${INTER_POD_AFFINITY}" from cycleState: not found`);
      if (!satisfyPodAffinity(s, nodeInfo)) return newStatus('UnschedulableAndUnresolvable', ERR_REASON_AFFINITY_RULES_NOT_MATCH);
      if (!satisfyPodAntiAffinity(s, nodeInfo)) return newStatus('Unschedulable', ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH);
      if (!satisfyExistingPodsAntiAffinity(s, nodeInfo)) return newStatus('Unschedulable', ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH);
      return SUCCESS;
    },

    preScore(state: CycleState, pod: PodInfo, _nodes: readonly NodeInfo[], snapshot: Snapshot): Status {
      const m = computeTopologyScore(pod, snapshot, hardPodAffinityWeight);
      if (!m) return SKIP;
      state.write(preScoreKey, m);
      return SUCCESS;
    },

    score(state: CycleState, _pod: PodInfo, nodeInfo: NodeInfo): number | Status {
      const m = state.read(preScoreKey);
      if (!m) return errorStatus(`reading "PreScore${INTER_POD_AFFINITY}" from cycleState: not found`);
      return scoreNode(m, nodeInfo);
    },

    normalizeScore(state: CycleState, _pod: PodInfo, scores: NodeScore[]): Status {
      if (!state.read(preScoreKey)) return SUCCESS;
      normalizeMinMax(scores);
      return SUCCESS;
    },
  } as const satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;
}
