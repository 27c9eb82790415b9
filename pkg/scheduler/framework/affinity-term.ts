// Pod (anti-)affinity terms compiled once per pod: namespaces, selectors and topology key.
import type { Pod, PodAffinityTerm } from '../../api/core/v1/index.js';
import { labelSelectorAsSelectorOrNothing, type Selector } from '../../api/selectors/labels.js';

type Labels = Readonly<Record<string, string>> | undefined;

export interface AffinityTerm {
  readonly namespaces: ReadonlySet<string>;
  /** Matches nothing when the term has no namespaceSelector. */
  readonly namespaceSelector: Selector | undefined;
  readonly selector: Selector;
  readonly topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  readonly weight: number;
}

export function compileAffinityTerm(owner: Pod, t: PodAffinityTerm): AffinityTerm {
  const listed = t.namespaces ?? [];
  // No namespaces and no namespaceSelector means the owner's own namespace.
  const namespaces = listed.length === 0 && !t.namespaceSelector ? [owner.metadata?.namespace ?? ''] : listed;
  return {
    namespaces: new Set(namespaces),
    namespaceSelector: t.namespaceSelector ? labelSelectorAsSelectorOrNothing(t.namespaceSelector) : undefined,
    selector: labelSelectorAsSelectorOrNothing(t.labelSelector),
    topologyKey: t.topologyKey ?? '',
  };
}

/** Whether the pod is selected by the term; nsLabels are the labels of the pod's namespace. */
export function affinityTermMatches(term: AffinityTerm, pod: Pod, nsLabels: Labels): boolean {
  const ns = pod.metadata?.namespace ?? '';
  if (term.namespaces.has(ns) || (term.namespaceSelector !== undefined && term.namespaceSelector.matches(nsLabels))) {
    return term.selector.matches(pod.metadata?.labels);
  }
  return false;
}
