// PodTopologySpread filtering (DoNotSchedule): matching pods per domain counted in PreFilter;
// a node passes when its domain's count + self - the global minimum stays within maxSkew.
import { stateKey } from '../../framework/cycle-state.js';
import { RequiredNodeAffinity } from '../../framework/node-selector.js';
import type { PodInfo, Snapshot } from '../../framework/types.js';
import type { Node } from '../../../api/core/v1/index.js';
import { compileConstraints, countPodsMatchSelector, matchNodeInclusionPolicies, nodeHasAllTopologyKeys, type Constraint } from './common.js';

export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = ERR_REASON_CONSTRAINTS_NOT_MATCH + ' (missing required label)';

export interface SpreadPreFilterState {
  readonly constraints: readonly Constraint[];
  /** Per constraint index: domain value → matching pods. */
  readonly counts: Map<string, number>[];
  /** Per constraint index: the global minimum, kept current so Filter is O(constraints). */
  readonly mins: number[];
  readonly required: RequiredNodeAffinity;
}

const cloneState = (s: SpreadPreFilterState): SpreadPreFilterState => ({
  constraints: s.constraints,
  counts: s.counts.map((m) => new Map(m)),
  mins: [...s.mins],
  required: s.required,
});

export const preFilterKey = stateKey<SpreadPreFilterState>('PreFilterPodTopologySpread', cloneState);

export function computeSpreadPreFilterState(pod: PodInfo, snapshot: Snapshot): SpreadPreFilterState | undefined {
  const constraints = compileConstraints(pod, 'DoNotSchedule');
  if (constraints.length === 0) return undefined;
  const required = new RequiredNodeAffinity(pod.pod);
  const counts = constraints.map(() => new Map<string, number>());
  for (const ni of snapshot.nodeInfos) {
    const node = ni.node;
    if (!nodeHasAllTopologyKeys(node, constraints)) continue;
    constraints.forEach((c, i) => {
      if (!matchNodeInclusionPolicies(c, pod, node, required)) return;
      const v = node.metadata!.labels![c.topologyKey]!;
      const m = counts[i]!;
      m.set(v, (m.get(v) ?? 0) + countPodsMatchSelector(ni, c.selector, pod.namespace));
    });
  }
  const s: SpreadPreFilterState = { constraints, counts, mins: [], required };
  constraints.forEach((_c, i) => (s.mins[i] = computeMin(s, i)));
  return s;
}

/** Keeps the counts right when preemption adds or removes a pod on a node. */
export function updateSpreadState(s: SpreadPreFilterState, preemptor: PodInfo, other: PodInfo, node: Node, delta: 1 | -1): void {
  if (other.namespace !== preemptor.namespace || !nodeHasAllTopologyKeys(node, s.constraints)) return;
  s.constraints.forEach((c, i) => {
    if (!c.selector.matches(other.labels)) return;
    if (!matchNodeInclusionPolicies(c, preemptor, node, s.required)) return;
    const v = node.metadata!.labels![c.topologyKey]!;
    const m = s.counts[i]!;
    m.set(v, (m.get(v) ?? 0) + delta);
    s.mins[i] = computeMin(s, i);
  });
}

/** The global minimum of a constraint; 0 when fewer eligible domains than minDomains exist. */
export function minMatchNum(s: SpreadPreFilterState, i: number): number {
  return s.mins[i]!;
}

function computeMin(s: SpreadPreFilterState, i: number): number {
  const m = s.counts[i]!;
  if (m.size < s.constraints[i]!.minDomains) return 0;
  let min = Number.MAX_SAFE_INTEGER;
  for (const n of m.values()) if (n < min) min = n;
  return min;
}
