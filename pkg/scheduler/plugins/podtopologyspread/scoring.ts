// PodTopologySpread scoring (ScheduleAnyway): fewer matching pods in a node's domains scores higher.
import { stateKey } from '../../framework/cycle-state.js';
import { MAX_NODE_SCORE, type NodeScore } from '../../framework/interface.js';
import { RequiredNodeAffinity } from '../../framework/node-selector.js';
import type { NodeInfo, PodInfo, Snapshot } from '../../framework/types.js';
import { compileConstraints, countPodsMatchSelector, LABEL_HOSTNAME, matchNodeInclusionPolicies, nodeHasAllTopologyKeys, type Constraint } from './common.js';

export interface SpreadPreScoreState {
  readonly constraints: readonly Constraint[];
  readonly ignoredNodes: ReadonlySet<string>;
  /** Per constraint index: domain value → matching pods (hostname constraints count per node at Score). */
  readonly counts: Map<string, number>[];
  readonly weights: readonly number[];
  readonly namespace: string;
}

export const preScoreKey = stateKey<SpreadPreScoreState>('PreScorePodTopologySpread');

export function computeSpreadPreScoreState(pod: PodInfo, filteredNodes: readonly NodeInfo[], snapshot: Snapshot): SpreadPreScoreState | undefined {
  const constraints = compileConstraints(pod, 'ScheduleAnyway');
  if (constraints.length === 0) return undefined;
  const ignoredNodes = new Set<string>();
  const counts = constraints.map(() => new Map<string, number>());
  const topoSize = constraints.map(() => 0);
  for (const ni of filteredNodes) {
    if (!nodeHasAllTopologyKeys(ni.node, constraints)) {
      ignoredNodes.add(ni.name);
      continue;
    }
    constraints.forEach((c, i) => {
      if (c.topologyKey === LABEL_HOSTNAME) return;
      const v = ni.labels![c.topologyKey]!;
      if (!counts[i]!.has(v)) {
        counts[i]!.set(v, 0);
        topoSize[i]!++;
      }
    });
  }
  const weights = constraints.map((c, i) => Math.log((c.topologyKey === LABEL_HOSTNAME ? filteredNodes.length - ignoredNodes.size : topoSize[i]!) + 2));
  const required = new RequiredNodeAffinity(pod.pod);
  for (const ni of snapshot.nodeInfos) {
    if (!nodeHasAllTopologyKeys(ni.node, constraints)) continue;
    constraints.forEach((c, i) => {
      if (!matchNodeInclusionPolicies(c, pod, ni.node, required)) return;
      const v = ni.labels![c.topologyKey]!;
      const m = counts[i]!;
      // Only domains of candidate nodes are counted.
      if (!m.has(v)) return;
      m.set(v, m.get(v)! + countPodsMatchSelector(ni, c.selector, pod.namespace));
    });
  }
  return { constraints, ignoredNodes, counts, weights, namespace: pod.namespace };
}

export function scoreSpread(s: SpreadPreScoreState, ni: NodeInfo): number {
  if (s.ignoredNodes.has(ni.name)) return 0;
  let score = 0;
  s.constraints.forEach((c, i) => {
    const v = ni.labels?.[c.topologyKey];
    if (v === undefined) return;
    const cnt = c.topologyKey === LABEL_HOSTNAME ? countPodsMatchSelector(ni, c.selector, s.namespace) : (s.counts[i]!.get(v) ?? 0);
    // maxSkew-1 waters down small differences between domains.
    score += cnt * s.weights[i]! + (c.maxSkew - 1);
  });
  return Math.round(score);
}

export function normalizeSpread(s: SpreadPreScoreState, scores: NodeScore[]): void {
  let min = Number.MAX_SAFE_INTEGER;
  let max = 0;
  for (const sc of scores) {
    if (s.ignoredNodes.has(sc.name)) continue;
    if (sc.score < min) min = sc.score;
    if (sc.score > max) max = sc.score;
  }
  for (const sc of scores) {
    if (s.ignoredNodes.has(sc.name)) {
      sc.score = 0;
      continue;
    }
    sc.score = max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max + min - sc.score)) / max);
  }
}
