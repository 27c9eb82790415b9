// policy/v1 PodDisruptionBudget: the minimum availability of a set of pods during voluntary disruptions.
import { ConditionSchema, LabelSelectorSchema, listSchema, resourceSchema } from '../../meta/v1.js';
import { age } from '../../printers/age.js';
import type { ResourceDef } from '../../registry.js';
import { array, int32, int64, intOrString, map, string, struct, time, withDescription, withPatch, type Static } from '../../schema/dsl.js';
import { FieldPath, invalid, type FieldError } from '../../validation/field.js';
import { isPercent, validateLabelSelector, validateNonnegativeField } from '../../validation/names.js';

const P = 'io.k8s.api.policy.v1.';

export const PodDisruptionBudgetSpecSchema = struct(P + 'PodDisruptionBudgetSpec', 'What a disruption budget protects and how much.', {
  minAvailable: intOrString('Pods that must stay available after an eviction: a number or a percentage ("50%"). Exclusive with maxUnavailable.'),
  selector: withPatch(
    withDescription(LabelSelectorSchema, 'The pods the budget applies to. An empty selector selects every pod of the namespace; a null one none.'),
    { strategy: 'replace' },
  ),
  maxUnavailable: intOrString('Pods that may be unavailable after an eviction: a number or a percentage. Exclusive with minAvailable.'),
  unhealthyPodEvictionPolicy: string(
    'When running but not ready pods may be evicted: IfHealthyBudget (only while the budget is met) or AlwaysAllow.',
    { enum: ['AlwaysAllow', 'IfHealthyBudget'] },
  ),
});
export type PodDisruptionBudgetSpec = Static<typeof PodDisruptionBudgetSpecSchema>;

export const PodDisruptionBudgetStatusSchema = struct(P + 'PodDisruptionBudgetStatus', 'The observed state of a disruption budget.', {
  observedGeneration: int64('The generation of the budget this status was computed from.'),
  disruptedPods: map(
    time('When the eviction was processed.'),
    'Pods whose eviction was accepted but which the controller has not yet seen deleted, with the eviction time.',
  ),
  disruptionsAllowed: int32('How many pod disruptions are allowed right now.'),
  currentHealthy: int32('Number of healthy pods.'),
  desiredHealthy: int32('Minimum number of healthy pods the budget asks for.'),
  expectedPods: int32('Number of pods the budget counts.'),
  conditions: array(ConditionSchema, 'Conditions of the budget (DisruptionAllowed).', {
    mergeKey: 'type',
    strategy: 'merge',
    listType: 'map',
    mapKeys: ['type'],
  }),
});
export type PodDisruptionBudgetStatus = Static<typeof PodDisruptionBudgetStatusSchema>;

export const PodDisruptionBudgetSchema = resourceSchema(P + 'PodDisruptionBudget', 'Bounds the number of pods of a set that voluntary disruptions may take down at once.', {
  spec: withDescription(PodDisruptionBudgetSpecSchema, 'The desired bounds.'),
  status: withDescription(PodDisruptionBudgetStatusSchema, 'The most recently observed state. Read-only.'),
});
export type PodDisruptionBudget = Static<typeof PodDisruptionBudgetSchema>;

export const PodDisruptionBudgetListSchema = listSchema(P + 'PodDisruptionBudgetList', PodDisruptionBudgetSchema);

type IntOrPercent = number | string;

function validatePositiveIntOrPercent(v: IntOrPercent, path: FieldPath): FieldError[] {
  if (typeof v === 'string') return isPercent(v).map((m) => invalid(path, v, m));
  return validateNonnegativeField(v, path);
}

function isNotMoreThan100Percent(v: IntOrPercent, path: FieldPath): FieldError[] {
  if (typeof v !== 'string' || isPercent(v).length > 0) return [];
  return Number(v.slice(0, -1)) > 100 ? [invalid(path, v, 'must not be greater than 100%')] : [];
}

export function validatePodDisruptionBudgetSpec(
  spec: PodDisruptionBudgetSpec | undefined,
  path: FieldPath,
  opts: { allowInvalidLabelValueInSelector?: boolean } = {},
): FieldError[] {
  const errs: FieldError[] = [];
  const s = spec ?? {};
  if (s.minAvailable !== undefined && s.maxUnavailable !== undefined) {
    errs.push(invalid(path, s, 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const key of ['minAvailable', 'maxUnavailable'] as const) {
    const v = s[key];
    if (v === undefined) continue;
    errs.push(...validatePositiveIntOrPercent(v, path.child(key)), ...isNotMoreThan100Percent(v, path.child(key)));
  }
  errs.push(...validateLabelSelector(s.selector, path.child('selector'), opts));
  return errs;
}

/** Budgets stored before selector values were checked may keep their invalid values on update. */
function selectorHasErrors(spec: PodDisruptionBudgetSpec | undefined): boolean {
  return validateLabelSelector(spec?.selector, FieldPath.root()).length > 0;
}

const specPath = FieldPath.root('spec');

/** intstr's String(): the number in decimal or the string as is. */
const intOrStringText = (v: IntOrPercent | undefined): string => (v === undefined ? 'N/A' : String(v));

export const podDisruptionBudgetResource: ResourceDef<PodDisruptionBudget> = {
  group: 'policy',
  version: 'v1',
  kind: 'PodDisruptionBudget',
  listKind: 'PodDisruptionBudgetList',
  plural: 'poddisruptionbudgets',
  singular: 'poddisruptionbudget',
  shortNames: ['pdb'],
  namespaced: true,
  schema: PodDisruptionBudgetSchema,
  nameValidation: 'subdomain',
  subresources: { status: true },
  prepareForCreate(obj) {
    // The counters have no omitempty upstream, so a fresh budget reads back with zeros.
    obj.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  },
  validate: (obj) => validatePodDisruptionBudgetSpec(obj.spec, specPath),
  validateUpdate: (obj, old) =>
    validatePodDisruptionBudgetSpec(obj.spec, specPath, { allowInvalidLabelValueInSelector: selectorHasErrors(old.spec) }),
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the disruption budget.', priority: 0 },
      { name: 'Min Available', type: 'string', description: 'Pods that must stay available.', priority: 0 },
      { name: 'Max Unavailable', type: 'string', description: 'Pods that may be unavailable.', priority: 0 },
      { name: 'Allowed Disruptions', type: 'integer', description: 'Pod disruptions allowed right now.', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the budget was created.', priority: 0 },
    ],
    cells: (obj, now) => [
      obj.metadata?.name ?? '',
      intOrStringText(obj.spec?.minAvailable),
      intOrStringText(obj.spec?.maxUnavailable),
      obj.status?.disruptionsAllowed ?? 0,
      age(obj.metadata?.creationTimestamp, now),
    ],
  },
};
