// InterPodAffinity scoring: weights summed per topology pair over all existing pods, then each
// node scores the sum of the pairs its labels carry, normalized min-max to [0, 100].
import { affinityTermMatches, type AffinityTerm, type WeightedAffinityTerm } from '../../framework/affinity-term.js';
import { stateKey } from '../../framework/cycle-state.js';
import { MAX_NODE_SCORE, type NodeScore } from '../../framework/interface.js';
import type { Node, Pod } from '../../../api/core/v1/index.js';
import type { NodeInfo, PodInfo, Snapshot } from '../../framework/types.js';

/** topologyKey → value → score. */
export type TopologyScore = Map<string, Map<string, number>>;

export const preScoreKey = stateKey<TopologyScore>('PreScoreInterPodAffinity');

function addTerm(m: TopologyScore, term: AffinityTerm, weight: number, pod: Pod, nsLabels: Readonly<Record<string, string>> | undefined, node: Node): void {
  if (!affinityTermMatches(term, pod, nsLabels)) return;
  const v = node.metadata?.labels?.[term.topologyKey];
  if (v === undefined) return;
  let byValue = m.get(term.topologyKey);
  if (!byValue) m.set(term.topologyKey, (byValue = new Map()));
  byValue.set(v, (byValue.get(v) ?? 0) + weight);
}

function addTerms(m: TopologyScore, terms: readonly WeightedAffinityTerm[], pod: Pod, nsLabels: Readonly<Record<string, string>> | undefined, node: Node, sign: 1 | -1): void {
  for (const t of terms) addTerm(m, t, t.weight * sign, pod, nsLabels, node);
}

function processExistingPod(m: TopologyScore, incoming: PodInfo, existing: PodInfo, node: Node, snapshot: Snapshot, hardPodAffinityWeight: number): void {
  if (!node.metadata?.labels || Object.keys(node.metadata.labels).length === 0) return;
  const existingNs = snapshot.nsLabels(existing.namespace);
  const incomingNs = snapshot.nsLabels(incoming.namespace);
  // The incoming pod's preferences about the existing pod.
  addTerms(m, incoming.preferredAffinityTerms, existing.pod, existingNs, node, 1);
  addTerms(m, incoming.preferredAntiAffinityTerms, existing.pod, existingNs, node, -1);
  // The existing pod's wishes about pods like the incoming one are honoured symmetrically.
  if (hardPodAffinityWeight > 0) for (const t of existing.requiredAffinityTerms) addTerm(m, t, hardPodAffinityWeight, incoming.pod, incomingNs, node);
  addTerms(m, existing.preferredAffinityTerms, incoming.pod, incomingNs, node, 1);
  addTerms(m, existing.preferredAntiAffinityTerms, incoming.pod, incomingNs, node, -1);
}

/** The topology score map, or undefined when there is nothing to score (Skip). */
export function computeTopologyScore(incoming: PodInfo, snapshot: Snapshot, hardPodAffinityWeight: number): TopologyScore | undefined {
  const hasConstraints = incoming.preferredAffinityTerms.length > 0 || incoming.preferredAntiAffinityTerms.length > 0;
  // Without preferences of its own, only pods with affinity can contribute.
  const nodes: readonly NodeInfo[] = hasConstraints ? snapshot.nodeInfos : snapshot.havePodsWithAffinity();
  const m: TopologyScore = new Map();
  for (const ni of nodes) {
    const pods = hasConstraints ? ni.pods : ni.podsWithAffinity;
    for (const existing of pods) processExistingPod(m, incoming, existing, ni.node, snapshot, hardPodAffinityWeight);
  }
  return m.size === 0 ? undefined : m;
}

export function scoreNode(m: TopologyScore, ni: NodeInfo): number {
  const labels = ni.labels;
  if (!labels) return 0;
  let score = 0;
  for (const [key, byValue] of m) {
    const v = labels[key];
    if (v !== undefined) score += byValue.get(v) ?? 0;
  }
  return score;
}

export function normalizeMinMax(scores: NodeScore[]): void {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const s of scores) {
    if (s.score > max) max = s.score;
    if (s.score < min) min = s.score;
  }
  const diff = max - min;
  for (const s of scores) s.score = diff > 0 ? Math.trunc((MAX_NODE_SCORE * (s.score - min)) / diff) : 0;
}
