// Topology spread constraints of a pod, compiled for counting.
import type { Node, TopologySpreadConstraint } from '../../../api/core/v1/index.js';
import { labelSelectorAsSelectorOrNothing, requirementMatches, type Selector } from '../../../api/selectors/labels.js';
import type { RequiredNodeAffinity } from '../../framework/node-selector.js';
import { findUntoleratedTaint } from '../../framework/taints.js';
import type { NodeInfo, PodInfo } from '../../framework/types.js';

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';

export interface Constraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly selector: Selector;
  readonly minDomains: number;
  readonly honorNodeAffinity: boolean;
  readonly honorNodeTaints: boolean;
}

/** The selector narrowed by matchLabelKeys: the incoming pod's values for those keys must match too. */
function selectorWithMatchLabelKeys(c: TopologySpreadConstraint, pod: PodInfo): Selector {
  const base = labelSelectorAsSelectorOrNothing(c.labelSelector);
  const labels = pod.labels ?? {};
  const extra = (c.matchLabelKeys ?? []).filter((k) => Object.prototype.hasOwnProperty.call(labels, k));
  if (extra.length === 0) return base;
  const reqs = extra.map((k) => ({ key: k, operator: 'in' as const, values: [labels[k]!] }));
  return {
    matches: (l) => base.matches(l) && reqs.every((r) => requirementMatches(r, l)),
    isEmpty: () => false,
    toString: () => [base.toString(), ...reqs.map((r) => `${r.key} in (${r.values[0]})`)].filter((x) => x).join(','),
    requirements: () => [...base.requirements(), ...reqs],
  };
}

export function compileConstraints(pod: PodInfo, action: 'DoNotSchedule' | 'ScheduleAnyway'): Constraint[] {
  const out: Constraint[] = [];
  for (const c of pod.pod.spec?.topologySpreadConstraints ?? []) {
    if ((c.whenUnsatisfiable ?? 'DoNotSchedule') !== action) continue;
    out.push({
      maxSkew: c.maxSkew ?? 1,
      topologyKey: c.topologyKey ?? '',
      selector: selectorWithMatchLabelKeys(c, pod),
      minDomains: c.minDomains ?? 1,
      // Defaults: honor node affinity, ignore taints.
      honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
      honorNodeTaints: (c.nodeTaintsPolicy ?? 'Ignore') === 'Honor',
    });
  }
  return out;
}

export function nodeHasAllTopologyKeys(node: Node, constraints: readonly Constraint[]): boolean {
  const labels = node.metadata?.labels;
  if (!labels) return constraints.length === 0;
  for (const c of constraints) if (!Object.prototype.hasOwnProperty.call(labels, c.topologyKey)) return false;
  return true;
}

/** Whether the node counts as a domain member for this constraint (nodeAffinityPolicy/nodeTaintsPolicy). */
export function matchNodeInclusionPolicies(c: Constraint, pod: PodInfo, node: Node, required: RequiredNodeAffinity): boolean {
  if (c.honorNodeAffinity && !required.matches(node)) return false;
  if (c.honorNodeTaints && findUntoleratedTaint(node.spec?.taints, pod.pod.spec?.tolerations)) return false;
  return true;
}

/** Pods in the namespace, not being deleted, selected by the constraint. */
export function countPodsMatchSelector(ni: NodeInfo, selector: Selector, namespace: string): number {
  let n = 0;
  for (const p of ni.pods) {
    if (p.terminating || p.namespace !== namespace) continue;
    if (selector.matches(p.labels)) n++;
  }
  return n;
}
