// core/v1 types shared by many kinds: object references, resource requirements, node selectors,
// tolerations and taints, with the validation of node selectors, tolerations and taint effects.
import { array, int64, map, quantity, string, struct, time, type Static } from '../../schema/dsl.js';
import { duplicate, invalid, notSupported, required, type FieldError, type FieldPath } from '../../validation/field.js';
import { isDNS1123Subdomain, isValidLabelValue, validateLabelName, validateSelectorRequirement } from '../../validation/names.js';

const P = 'io.k8s.api.core.v1.';

export const ObjectReferenceSchema = struct(
  P + 'ObjectReference',
  'A reference to an object, precise enough to inspect or modify it.',
  {
    kind: string('Kind of the referenced object.'),
    namespace: string('Namespace of the referenced object.'),
    name: string('Name of the referenced object.'),
    uid: string('UID of the referenced object.'),
    apiVersion: string('API version of the referenced object.'),
    resourceVersion: string('The specific resourceVersion this reference was made to, if any.'),
    fieldPath: string('A piece of the object rather than the whole, e.g. "spec.containers{name}".'),
  },
  { mapType: 'atomic' },
);
export type ObjectReference = Static<typeof ObjectReferenceSchema>;

export const LocalObjectReferenceSchema = struct(
  P + 'LocalObjectReference',
  'A reference to an object by name, in the same namespace.',
  { name: string('Name of the referent.') },
  { mapType: 'atomic' },
);
export type LocalObjectReference = Static<typeof LocalObjectReferenceSchema>;

export const TypedLocalObjectReferenceSchema = struct(
  P + 'TypedLocalObjectReference',
  'A reference to an object of a given kind and group, in the same namespace.',
  {
    apiGroup: string('API group of the referent; empty for the core group.'),
    kind: string('Kind of the referent.'),
    name: string('Name of the referent.'),
  },
  { required: ['kind', 'name'], mapType: 'atomic' },
);
export type TypedLocalObjectReference = Static<typeof TypedLocalObjectReferenceSchema>;

export const TypedObjectReferenceSchema = struct(
  P + 'TypedObjectReference',
  'A reference to an object of a given kind and group, possibly in another namespace.',
  {
    apiGroup: string('API group of the referent; empty for the core group.'),
    kind: string('Kind of the referent.'),
    name: string('Name of the referent.'),
    namespace: string('Namespace of the referent, when it differs from the referrer (needs a ReferenceGrant).'),
  },
  { required: ['kind', 'name'] },
);
export type TypedObjectReference = Static<typeof TypedObjectReferenceSchema>;

export const SecretReferenceSchema = struct(
  P + 'SecretReference',
  'A reference to a Secret by name and namespace.',
  {
    name: string('Name of the secret.'),
    namespace: string('Namespace of the secret.'),
  },
  { mapType: 'atomic' },
);
export type SecretReference = Static<typeof SecretReferenceSchema>;

export const ResourceClaimSchema = struct(
  P + 'ResourceClaim',
  'A reference to one entry of the pod\'s resourceClaims.',
  {
    name: string('Name of an entry in pod.spec.resourceClaims.'),
    request: string('Name of one request of the claim; empty means all requests.'),
  },
);
export type ResourceClaim = Static<typeof ResourceClaimSchema>;

export const ResourceRequirementsSchema = struct(
  P + 'ResourceRequirements',
  'Compute resources a container (or pod) asks for and may not exceed.',
  {
    limits: map(quantity(''), 'Maximum amount of each resource allowed.'),
    requests: map(quantity(''), 'Minimum amount of each resource required; defaults to the limit when only a limit is given.'),
    claims: array(ResourceClaimSchema, 'Names of pod resource claims this container uses (dynamic resource allocation).', {
      listType: 'map',
      mapKeys: ['name'],
    }),
  },
);
export type ResourceRequirements = Static<typeof ResourceRequirementsSchema>;

export const NodeSelectorRequirementSchema = struct(
  P + 'NodeSelectorRequirement',
  'A requirement on a node label or field: a key, an operator and values.',
  {
    key: string('The label key (or field name) the requirement applies to.'),
    operator: string('Relation of the key to the values: In, NotIn, Exists, DoesNotExist, Gt, Lt.'),
    values: array(string(''), 'Values to compare with; one integer for Gt and Lt, none for Exists and DoesNotExist.', {
      listType: 'atomic',
    }),
  },
);
export type NodeSelectorRequirement = Static<typeof NodeSelectorRequirementSchema>;

export const NodeSelectorTermSchema = struct(
  P + 'NodeSelectorTerm',
  'Requirements that are ANDed; an empty or null term matches no node.',
  {
    matchExpressions: array(NodeSelectorRequirementSchema, 'Requirements on node labels.', { listType: 'atomic' }),
    matchFields: array(NodeSelectorRequirementSchema, 'Requirements on node fields (only metadata.name).', {
      listType: 'atomic',
    }),
  },
  { mapType: 'atomic' },
);
export type NodeSelectorTerm = Static<typeof NodeSelectorTermSchema>;

export const NodeSelectorSchema = struct(
  P + 'NodeSelector',
  'A node query: the union (OR) of its terms.',
  {
    nodeSelectorTerms: array(NodeSelectorTermSchema, 'The terms; at least one is needed.', { listType: 'atomic' }),
  },
  { mapType: 'atomic' },
);
export type NodeSelector = Static<typeof NodeSelectorSchema>;

export const TopologySelectorLabelRequirementSchema = struct(
  P + 'TopologySelectorLabelRequirement',
  'A topology label key and the values it may take.',
  {
    key: string('The topology label key.'),
    values: array(string(''), 'Accepted values; the requirement holds when the label has any of them.', {
      listType: 'atomic',
    }),
  },
);
export type TopologySelectorLabelRequirement = Static<typeof TopologySelectorLabelRequirementSchema>;

export const TopologySelectorTermSchema = struct(
  P + 'TopologySelectorTerm',
  'Topology label requirements that are ANDed.',
  {
    matchLabelExpressions: array(TopologySelectorLabelRequirementSchema, 'Requirements on topology labels.', {
      listType: 'atomic',
    }),
  },
  { mapType: 'atomic' },
);
export type TopologySelectorTerm = Static<typeof TopologySelectorTermSchema>;

export const TolerationSchema = struct(
  P + 'Toleration',
  'Lets a pod be scheduled on (or stay on) nodes with a matching taint.',
  {
    key: string('Taint key the toleration applies to; empty with operator Exists matches every taint.'),
    operator: string('Exists or Equal (default): whether the value must match.'),
    value: string('Taint value to match; empty for Exists.'),
    effect: string('Taint effect to match: NoSchedule, PreferNoSchedule or NoExecute; empty matches all.'),
    tolerationSeconds: int64('For NoExecute: how long the pod stays bound after the taint appears; unset means forever.'),
  },
);
export type Toleration = Static<typeof TolerationSchema>;

export const TaintSchema = struct(
  P + 'Taint',
  'Repels pods that do not tolerate it from a node.',
  {
    key: string('The taint key.'),
    value: string('The taint value.'),
    effect: string('Effect on pods that do not tolerate the taint: NoSchedule, PreferNoSchedule or NoExecute.'),
    timeAdded: time('When a NoExecute taint was added.'),
  },
  { required: ['effect'] },
);
export type Taint = Static<typeof TaintSchema>;

export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

/**
 * A taint effect. Empty means "all effects" in tolerations; on a Taint it is invalid, but the
 * schema (effect is required) already reports that, so it is not repeated here.
 */
export function validateTaintEffect(effect: string | undefined, allowEmpty: boolean, path: FieldPath): FieldError[] {
  if (!effect) return [];
  if ((TAINT_EFFECTS as readonly string[]).includes(effect)) return [];
  return [notSupported(path, effect, TAINT_EFFECTS)];
}

export function validateTolerations(tolerations: readonly Toleration[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const p = path.index(i);
    const key = t.key ?? '';
    const value = t.value ?? '';
    const operator = t.operator ?? '';
    if (key !== '') errs.push(...validateLabelName(key, p.child('key')));
    if (key === '' && operator !== 'Exists') {
      errs.push(invalid(p.child('operator'), operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      errs.push(invalid(p.child('effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (operator) {
      case 'Equal':
      case '': {
        const msgs = isValidLabelValue(value);
        if (msgs.length > 0) errs.push(invalid(p.child('operator'), value, msgs.join(';')));
        break;
      }
      case 'Exists':
        if (value !== '') errs.push(invalid(p.child('operator'), value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(notSupported(p.child('operator'), operator, ['Equal', 'Exists']));
    }
    if (t.effect) errs.push(...validateTaintEffect(t.effect, true, p.child('effect')));
  });
  return errs;
}

export function validateNodeSelectorRequirement(
  rq: NodeSelectorRequirement,
  allowInvalidLabelValue: boolean,
  path: FieldPath,
): FieldError[] {
  return validateSelectorRequirement(rq.key ?? '', rq.operator ?? '', rq.values ?? [], path, { numeric: true, allowInvalidLabelValue });
}

/** matchFields only supports metadata.name with In/NotIn and exactly one value. */
export function validateNodeFieldSelectorRequirement(rq: NodeSelectorRequirement, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const values = rq.values ?? [];
  if (rq.operator === 'In' || rq.operator === 'NotIn') {
    if (values.length !== 1) {
      errs.push(required(path.child('values'), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    }
  } else {
    errs.push(invalid(path.child('operator'), rq.operator ?? '', 'not a valid selector operator'));
  }
  if (rq.key !== 'metadata.name') {
    errs.push(invalid(path.child('key'), rq.key ?? '', 'not a valid field selector key'));
  } else {
    values.forEach((v, i) => {
      for (const msg of isDNS1123Subdomain(v)) errs.push(invalid(path.child('values').index(i), v, msg));
    });
  }
  return errs;
}

export function validateNodeSelectorTerm(term: NodeSelectorTerm, allowInvalidLabelValue: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (term.matchExpressions ?? []).forEach((r, j) =>
    errs.push(...validateNodeSelectorRequirement(r, allowInvalidLabelValue, path.child('matchExpressions').index(j))),
  );
  (term.matchFields ?? []).forEach((r, j) => errs.push(...validateNodeFieldSelectorRequirement(r, path.child('matchFields').index(j))));
  return errs;
}

export function validateNodeSelector(sel: NodeSelector, allowInvalidLabelValue: boolean, path: FieldPath): FieldError[] {
  const termsPath = path.child('nodeSelectorTerms');
  const terms = sel.nodeSelectorTerms ?? [];
  if (terms.length === 0) return [required(termsPath, 'must have at least one node selector term')];
  return terms.flatMap((t, i) => validateNodeSelectorTerm(t, allowInvalidLabelValue, termsPath.index(i)));
}

/** Validates a topology term (StorageClass allowedTopologies); keys must not repeat. */
export function validateTopologySelectorTerm(term: TopologySelectorTerm, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const keys = new Set<string>();
  (term.matchLabelExpressions ?? []).forEach((rq, i) => {
    const p = path.child('matchLabelExpressions').index(i);
    const values = rq.values ?? [];
    if (values.length === 0) errs.push(required(p.child('values')));
    const seen = new Set<string>();
    values.forEach((v, j) => {
      if (seen.has(v)) errs.push(duplicate(p.child('values').index(j), v));
      seen.add(v);
    });
    errs.push(...validateLabelName(rq.key ?? '', p.child('key')));
    if (keys.has(rq.key ?? '')) errs.push(duplicate(p.child('key'), rq.key ?? ''));
    keys.add(rq.key ?? '');
  });
  return errs;
}
