// scheduling.k8s.io/v1 PriorityClass: a name for a pod priority value.
import { listSchema, resourceSchema } from '../../meta/v1.js';
import { age } from '../../printers/age.js';
import type { ResourceDef } from '../../registry.js';
import { boolean, int32, string, withDefault, type Static } from '../../schema/dsl.js';
import { FieldPath, forbidden, notSupported, required, type FieldError } from '../../validation/field.js';
import { validateImmutableField } from '../../validation/objectmeta.js';

const P = 'io.k8s.api.scheduling.v1.';

export const PriorityClassSchema = resourceSchema(P + 'PriorityClass', 'Maps a priority class name to the integer priority of the pods that use it.', {
  value: int32('The priority of pods of this class; higher values schedule first. At most 1000000000 for user classes.'),
  globalDefault: boolean('Whether pods without a priorityClassName get this class. At most one class may be the global default.'),
  description: string('Free text telling users when to use this class.'),
  preemptionPolicy: withDefault(
    string('Whether pods of this class may preempt lower-priority pods: PreemptLowerPriority or Never.'),
    'PreemptLowerPriority',
  ),
});
export type PriorityClass = Static<typeof PriorityClassSchema>;

export const PriorityClassListSchema = listSchema(P + 'PriorityClassList', PriorityClassSchema);

/** Priorities above this are reserved for the system classes. */
export const highestUserDefinablePriority = 1000000000;
export const systemCriticalPriority = 2 * highestUserDefinablePriority;
export const systemPriorityClassPrefix = 'system-';

/** The classes the apiserver creates at bootstrap; the only ones allowed the "system-" prefix. */
export const systemPriorityClasses: readonly { name: string; value: number; globalDefault: boolean; description: string }[] = [
  {
    name: 'system-node-critical',
    value: systemCriticalPriority + 1000,
    globalDefault: false,
    description: 'Used for system critical pods that must not be moved from their current node.',
  },
  {
    name: 'system-cluster-critical',
    value: systemCriticalPriority,
    globalDefault: false,
    description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  },
];

/** Why a "system-" class does not match a known system class, or undefined when it does. */
function systemClassMismatch(name: string, value: number, globalDefault: boolean): string | undefined {
  const known = systemPriorityClasses.find((c) => c.name === name);
  if (!known) return `${name} is not a known system priority class`;
  if (known.value !== value) return `value of ${known.name} PriorityClass must be ${known.value}`;
  if (known.globalDefault !== globalDefault) return `globalDefault of ${known.name} PriorityClass must be ${known.globalDefault}`;
  return undefined;
}

const preemptionPolicies = ['PreemptLowerPriority', 'Never'];

export function validatePriorityClass(pc: PriorityClass): FieldError[] {
  const errs: FieldError[] = [];
  const name = pc.metadata?.name ?? '';
  const value = pc.value ?? 0;
  if (name.startsWith(systemPriorityClassPrefix)) {
    const why = systemClassMismatch(name, value, pc.globalDefault ?? false);
    if (why !== undefined) {
      errs.push(
        forbidden(
          FieldPath.root('metadata').child('name'),
          `priority class names with '${systemPriorityClassPrefix}' prefix are reserved for system use only. error: ${why}`,
        ),
      );
    }
  } else if (value > highestUserDefinablePriority) {
    errs.push(forbidden(FieldPath.root('value'), `maximum allowed value of a user defined priority is ${highestUserDefinablePriority}`));
  }
  const policy = pc.preemptionPolicy;
  if (policy !== undefined && !preemptionPolicies.includes(policy)) {
    const path = FieldPath.root('preemptionPolicy');
    errs.push(policy === '' ? required(path, '') : notSupported(path, policy, preemptionPolicies));
  }
  return errs;
}

/** Upstream checks only immutability on update: value and preemptionPolicy are fixed at creation. */
export function validatePriorityClassUpdate(pc: PriorityClass, old: PriorityClass): FieldError[] {
  const errs: FieldError[] = [];
  if ((pc.value ?? 0) !== (old.value ?? 0)) errs.push(forbidden(FieldPath.root('value'), 'may not be changed in an update.'));
  errs.push(...validateImmutableField(pc.preemptionPolicy, old.preemptionPolicy, FieldPath.root('preemptionPolicy')));
  return errs;
}

export const priorityClassResource: ResourceDef<PriorityClass> = {
  group: 'scheduling.k8s.io',
  version: 'v1',
  kind: 'PriorityClass',
  listKind: 'PriorityClassList',
  plural: 'priorityclasses',
  singular: 'priorityclass',
  shortNames: ['pc'],
  namespaced: false,
  schema: PriorityClassSchema,
  nameValidation: 'subdomain',
  defaults(obj) {
    // value has no omitempty upstream: an absent value is stored and served as 0.
    if (obj.value === undefined) obj.value = 0;
  },
  validate: validatePriorityClass,
  validateUpdate: validatePriorityClassUpdate,
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the priority class.', priority: 0 },
      { name: 'Value', type: 'integer', description: 'Priority of the pods of this class.', priority: 0 },
      { name: 'Global-Default', type: 'boolean', description: 'Whether this class is the default for pods without one.', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the class was created.', priority: 0 },
      { name: 'PreemptionPolicy', type: 'string', description: 'Whether pods of this class may preempt others.', priority: 0 },
    ],
    cells: (obj, now) => [
      obj.metadata?.name ?? '',
      obj.value ?? 0,
      obj.globalDefault ?? false,
      age(obj.metadata?.creationTimestamp, now),
      obj.preemptionPolicy ?? '',
    ],
  },
};
