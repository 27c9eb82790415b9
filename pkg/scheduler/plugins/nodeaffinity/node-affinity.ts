// NodeAffinity: nodeSelector and required node affinity filter; preferred terms score.
import { stateKey, type CycleState } from '../../framework/cycle-state.js';
import {
  MAX_NODE_SCORE,
  type FilterPlugin,
  type NodeScore,
  type PreFilterOutcome,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from '../../framework/interface.js';
import { CompiledTerm, RequiredNodeAffinity } from '../../framework/node-selector.js';
import { newStatus, SKIP, SUCCESS, type Status } from '../../framework/status.js';
import type { NodeInfo, PodInfo } from '../../framework/types.js';
import { defaultNormalizeScore } from '../helper/normalize-score.js';

export const NODE_AFFINITY = 'NodeAffinity';
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_CONFLICT = 'pod affinity terms conflict';

interface PreferredTerm {
  readonly weight: number;
  readonly term: CompiledTerm;
}

const preFilterKey = stateKey<RequiredNodeAffinity>('PreFilter' + NODE_AFFINITY);
const preScoreKey = stateKey<readonly PreferredTerm[]>('PreScore' + NODE_AFFINITY);

function preferredTerms(pod: PodInfo): PreferredTerm[] {
  const out: PreferredTerm[] = [];
  for (const p of pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    // Zero weights add nothing; invalid terms are ignored as upstream does.
    if (!p.weight) continue;
    const term = CompiledTerm.compile(p.preference);
    if (term) out.push({ weight: p.weight, term });
  }
  return out;
}

/** The node names a term pins through matchFields metadata.name In, or undefined when it pins none. */
function termNodeNames(matchFields: readonly { key?: string; operator?: string; values?: string[] }[] | undefined): Set<string> | undefined {
  let names: Set<string> | undefined;
  for (const r of matchFields ?? []) {
    if (r.key !== 'metadata.name' || r.operator !== 'In') continue;
    const s = new Set(r.values ?? []);
    names = names ? new Set([...names].filter((n) => s.has(n))) : s;
  }
  return names;
}

export const nodeAffinity = {
  name: NODE_AFFINITY,

  preFilter(state: CycleState, pod: PodInfo): PreFilterOutcome {
    const required = new RequiredNodeAffinity(pod.pod);
    state.write(preFilterKey, required);
    const terms = pod.pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    if (!terms || terms.length === 0) {
      return required.constrains ? { status: SUCCESS } : { status: SKIP };
    }
    // Terms are ORed: the pod is pinned to named nodes only when every term names some.
    let all: Set<string> | undefined;
    for (const t of terms) {
      const names = termNodeNames(t.matchFields);
      if (!names) return { status: SUCCESS };
      if (names.size === 0) return { status: newStatus('UnschedulableAndUnresolvable', ERR_REASON_CONFLICT) };
      all = all ? new Set([...all, ...names]) : names;
    }
    return { status: SUCCESS, result: { nodeNames: all } };
  },

  filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status {
    const required = state.read(preFilterKey) ?? new RequiredNodeAffinity(pod.pod);
    return required.matches(nodeInfo.node) ? SUCCESS : newStatus('UnschedulableAndUnresolvable', ERR_REASON_POD);
  },

  preScore(state: CycleState, pod: PodInfo): Status {
    const terms = preferredTerms(pod);
    if (terms.length === 0) return SKIP;
    state.write(preScoreKey, terms);
    return SUCCESS;
  },

  score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): number {
    const terms = state.read(preScoreKey) ?? preferredTerms(pod);
    let sum = 0;
    for (const t of terms) if (t.term.matches(nodeInfo.node)) sum += t.weight;
    return sum;
  },

  normalizeScore(_s: CycleState, _p: PodInfo, scores: NodeScore[]): Status {
    defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
    return SUCCESS;
  },
} as const satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;
