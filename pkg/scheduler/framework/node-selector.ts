// Node selector terms (nodeSelector, required and preferred node affinity) compiled once per pod.
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod } from '../../api/core/v1/index.js';
import {
  newRequirement,
  requirementMatches,
  selectorFromSet,
  SelectorParseError,
  type LabelOperator,
  type Requirement,
  type Selector,
} from '../../api/selectors/labels.js';

type Labels = Readonly<Record<string, string>> | undefined;

const operators: Readonly<Record<string, LabelOperator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
  Gt: 'gt',
  Lt: 'lt',
};

export class NodeSelectorParseError extends Error {
  override readonly name = 'NodeSelectorParseError';
}

function labelRequirement(r: NodeSelectorRequirement): Requirement {
  const op = operators[r.operator ?? ''];
  if (!op) throw new NodeSelectorParseError(`${JSON.stringify(r.operator)} is not a valid label selector operator`);
  const values = r.values ?? [];
  if ((op === 'gt' || op === 'lt') && (values.length !== 1 || !/^[+-]?[0-9]+$/.test(values[0]!))) {
    throw new NodeSelectorParseError(`for 'Gt', 'Lt' operators, the value must be a single integer`);
  }
  try {
    return newRequirement(r.key ?? '', op, values);
  } catch (e) {
    if (e instanceof SelectorParseError) throw new NodeSelectorParseError(e.message);
    throw e;
  }
}

/** Only metadata.name with In/NotIn is a supported node field. */
function fieldRequirement(r: NodeSelectorRequirement): Requirement {
  if (r.key !== 'metadata.name') throw new NodeSelectorParseError(`${JSON.stringify(r.key)} is not a valid field selector key`);
  const values = r.values ?? [];
  if (values.length !== 1) throw new NodeSelectorParseError('must have one element');
  if (r.operator === 'In') return { key: r.key, operator: 'in', values };
  if (r.operator === 'NotIn') return { key: r.key, operator: 'notin', values };
  throw new NodeSelectorParseError(`${JSON.stringify(r.operator)} is not a valid field selector operator`);
}

export class CompiledTerm {
  private constructor(
    private readonly labels: readonly Requirement[],
    private readonly fields: readonly Requirement[],
  ) {}

  /** Undefined when the term is invalid (upstream ignores such terms). */
  static compile(t: NodeSelectorTerm | undefined): CompiledTerm | undefined {
    try {
      return new CompiledTerm((t?.matchExpressions ?? []).map(labelRequirement), (t?.matchFields ?? []).map(fieldRequirement));
    } catch (e) {
      if (e instanceof NodeSelectorParseError) return undefined;
      throw e;
    }
  }

  /** An empty term matches no node. */
  matches(node: Node): boolean {
    if (this.labels.length === 0 && this.fields.length === 0) return false;
    const labels = node.metadata?.labels;
    for (const r of this.labels) if (!requirementMatches(r, labels)) return false;
    if (this.fields.length > 0) {
      const fields = { 'metadata.name': node.metadata?.name ?? '' };
      for (const r of this.fields) if (!requirementMatches(r, fields)) return false;
    }
    return true;
  }
}

/** The ORed terms of a NodeSelector; invalid terms are dropped, and no valid term matches nothing. */
export class CompiledNodeSelector {
  constructor(private readonly terms: readonly CompiledTerm[]) {}

  static compile(terms: readonly NodeSelectorTerm[] | undefined): CompiledNodeSelector {
    const out: CompiledTerm[] = [];
    for (const t of terms ?? []) {
      const c = CompiledTerm.compile(t);
      if (c) out.push(c);
    }
    return new CompiledNodeSelector(out);
  }

  matches(node: Node): boolean {
    for (const t of this.terms) if (t.matches(node)) return true;
    return false;
  }
}

/** spec.nodeSelector AND spec.affinity.nodeAffinity.required: both must hold. */
export class RequiredNodeAffinity {
  private readonly selector: Selector | undefined;
  private readonly affinity: CompiledNodeSelector | undefined;

  constructor(pod: Pod) {
    const ns = pod.spec?.nodeSelector;
    this.selector = ns && Object.keys(ns).length > 0 ? selectorFromSet(ns) : undefined;
    const req = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    this.affinity = req ? CompiledNodeSelector.compile(req.nodeSelectorTerms) : undefined;
  }

  /** True when the pod constrains nodes at all. */
  get constrains(): boolean {
    return this.selector !== undefined || this.affinity !== undefined;
  }

  matches(node: Node): boolean {
    if (this.selector && !this.selector.matches(node.metadata?.labels as Labels)) return false;
    if (this.affinity && !this.affinity.matches(node)) return false;
    return true;
  }
}
