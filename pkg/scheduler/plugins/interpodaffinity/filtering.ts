// InterPodAffinity filtering: counts per topology pair ("zone=a") computed once in PreFilter.
import { affinityTermMatches, type AffinityTerm } from '../../framework/affinity-term.js';
import { stateKey } from '../../framework/cycle-state.js';
import type { Node } from '../../../api/core/v1/index.js';
import type { NodeInfo, PodInfo, Snapshot } from '../../framework/types.js';

export const ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules";

/** "key\0value" → number of matches. */
export type TopologyCounts = Map<string, number>;

export const pairKey = (key: string, value: string): string => `${key}\u0000${value}`;

export interface AffinityPreFilterState {
  /** Existing pods' required anti-affinity terms that the incoming pod matches. */
  existingAntiAffinityCounts: TopologyCounts;
  /** Existing pods matching all of the incoming pod's required affinity terms. */
  affinityCounts: TopologyCounts;
  /** Existing pods matching one of the incoming pod's required anti-affinity terms. */
  antiAffinityCounts: TopologyCounts;
  readonly pod: PodInfo;
  readonly snapshot: Snapshot;
}

const cloneState = (s: AffinityPreFilterState): AffinityPreFilterState => ({
  existingAntiAffinityCounts: new Map(s.existingAntiAffinityCounts),
  affinityCounts: new Map(s.affinityCounts),
  antiAffinityCounts: new Map(s.antiAffinityCounts),
  pod: s.pod,
  snapshot: s.snapshot,
});

export const preFilterKey = stateKey<AffinityPreFilterState>('PreFilterInterPodAffinity', cloneState);

function bump(m: TopologyCounts, node: Node, topologyKey: string, delta: number): void {
  const v = node.metadata?.labels?.[topologyKey];
  if (v === undefined) return;
  const k = pairKey(topologyKey, v);
  const n = (m.get(k) ?? 0) + delta;
  if (n === 0) m.delete(k);
  else m.set(k, n);
}

export function podMatchesAllTerms(terms: readonly AffinityTerm[], pod: PodInfo, snapshot: Snapshot): boolean {
  if (terms.length === 0) return false;
  const ns = snapshot.nsLabels(pod.namespace);
  for (const t of terms) if (!affinityTermMatches(t, pod.pod, ns)) return false;
  return true;
}

/** Updates the incoming pod's affinity/anti-affinity counts for one existing pod on a node. */
export function updateIncomingCounts(s: AffinityPreFilterState, existing: PodInfo, node: Node, snapshot: Snapshot, delta: 1 | -1): void {
  const pod = s.pod;
  if (podMatchesAllTerms(pod.requiredAffinityTerms, existing, snapshot)) {
    for (const t of pod.requiredAffinityTerms) bump(s.affinityCounts, node, t.topologyKey, delta);
  }
  const ns = snapshot.nsLabels(existing.namespace);
  for (const t of pod.requiredAntiAffinityTerms) if (affinityTermMatches(t, existing.pod, ns)) bump(s.antiAffinityCounts, node, t.topologyKey, delta);
}

/** Updates the existing-anti-affinity counts for one existing pod with required anti-affinity. */
export function updateExistingAntiCounts(s: AffinityPreFilterState, existing: PodInfo, node: Node, snapshot: Snapshot, delta: 1 | -1): void {
  const ns = snapshot.nsLabels(s.pod.namespace);
  for (const t of existing.requiredAntiAffinityTerms) if (affinityTermMatches(t, s.pod.pod, ns)) bump(s.existingAntiAffinityCounts, node, t.topologyKey, delta);
}

export function computePreFilterState(pod: PodInfo, snapshot: Snapshot): AffinityPreFilterState {
  const s: AffinityPreFilterState = { existingAntiAffinityCounts: new Map(), affinityCounts: new Map(), antiAffinityCounts: new Map(), pod, snapshot };
  for (const ni of snapshot.havePodsWithRequiredAntiAffinity()) {
    for (const existing of ni.podsWithRequiredAntiAffinity) updateExistingAntiCounts(s, existing, ni.node, snapshot, 1);
  }
  if (pod.requiredAffinityTerms.length > 0 || pod.requiredAntiAffinityTerms.length > 0) {
    for (const ni of snapshot.nodeInfos) for (const existing of ni.pods) updateIncomingCounts(s, existing, ni.node, snapshot, 1);
  }
  return s;
}

export function satisfyPodAffinity(s: AffinityPreFilterState, ni: NodeInfo): boolean {
  let podsExist = true;
  const labels = ni.labels;
  for (const t of s.pod.requiredAffinityTerms) {
    const v = labels?.[t.topologyKey];
    // Every topology key of the terms must be on the node.
    if (v === undefined) return false;
    if ((s.affinityCounts.get(pairKey(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself: allowed when no pod matches anywhere yet
  // and the pod matches its own terms.
  return s.affinityCounts.size === 0 && podMatchesAllTerms(s.pod.requiredAffinityTerms, s.pod, s.snapshot);
}

export function satisfyPodAntiAffinity(s: AffinityPreFilterState, ni: NodeInfo): boolean {
  if (s.antiAffinityCounts.size === 0) return true;
  const labels = ni.labels;
  for (const t of s.pod.requiredAntiAffinityTerms) {
    const v = labels?.[t.topologyKey];
    if (v !== undefined && (s.antiAffinityCounts.get(pairKey(t.topologyKey, v)) ?? 0) > 0) return false;
  }
  return true;
}

export function satisfyExistingPodsAntiAffinity(s: AffinityPreFilterState, ni: NodeInfo): boolean {
  if (s.existingAntiAffinityCounts.size === 0) return true;
  const labels = ni.labels;
  if (!labels) return true;
  for (const k of Object.keys(labels)) if ((s.existingAntiAffinityCounts.get(pairKey(k, labels[k]!)) ?? 0) > 0) return false;
  return true;
}
