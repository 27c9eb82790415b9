// apps/v1 DaemonSet: one pod per eligible node.
import { array, int32, int64, intOrString, string, struct, time, withDefault, withDescription, type Static } from '../../schema/dsl.js';
import { LabelSelectorSchema, listSchema, resourceSchema } from '../../meta/v1.js';
import { PodTemplateSpecSchema, validatePodTemplateSpec, type PodTemplateSpec } from '../../core/v1/pod.js';
import { type FieldError, FieldPath, invalid, notSupported, required } from '../../validation/field.js';
import { selectorHasInvalidLabelValue, validateLabelSelector, type LabelSelectorValidationOptions } from '../../validation/names.js';
import type { ResourceDef } from '../../registry.js';
import { age } from '../../printers/age.js';
import { semanticDeepEqual } from '../../validation/objectmeta.js';
import {
  defaultTemplate,
  formatLabels,
  hasRequirements,
  intOrPercentValue,
  isNotMoreThan100Percent,
  matcherFor,
  templateCells,
  templateColumns,
  validateImmutable,
  validateLongRunningTemplate,
  validateNonnegative,
  validatePositiveIntOrPercent,
  validateSelectorMatchesTemplate,
  type IntOrString,
} from './workload.js';

const P = 'io.k8s.api.apps.v1.';

/** Annotation through which apps/v1 carries the server-managed template generation. */
export const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';

export const RollingUpdateDaemonSetSchema = struct(P + 'RollingUpdateDaemonSet', 'Parameters of a DaemonSet rolling update.', {
  maxUnavailable: withDefault(
    intOrString('Nodes (number or percentage of eligible nodes) whose daemon pod may be unavailable during the update. Cannot be 0 when maxSurge is 0. Defaults to 1.'),
    1,
  ),
  maxSurge: withDefault(
    intOrString('Nodes (number or percentage of eligible nodes) that may run an extra updated pod while the old one is replaced. Cannot be set when maxUnavailable is non-zero. Defaults to 0.'),
    0,
  ),
});

export const DaemonSetUpdateStrategySchema = struct(P + 'DaemonSetUpdateStrategy', 'How the controller replaces the pods of a DaemonSet.', {
  type: withDefault(string('RollingUpdate (the default) or OnDelete.'), 'RollingUpdate'),
  rollingUpdate: withDescription(RollingUpdateDaemonSetSchema, 'Rolling update parameters; only with type RollingUpdate.'),
});

export const DaemonSetSpecSchema = struct(P + 'DaemonSetSpec', 'The desired state of a DaemonSet.', {
  selector: withDescription(LabelSelectorSchema, 'Label query over the pods of this DaemonSet. Must match the template labels.'),
  template: withDescription(PodTemplateSpecSchema, 'Template of the pod run on every eligible node. Its restartPolicy must be Always.'),
  updateStrategy: withDescription(DaemonSetUpdateStrategySchema, 'How old pods are replaced when the template changes.'),
  minReadySeconds: int32('Seconds a new pod must be ready, without a container crashing, to count as available. Defaults to 0.'),
  revisionHistoryLimit: withDefault(int32('Old revisions kept for rollback. Defaults to 10.'), 10),
});

export const DaemonSetConditionSchema = struct(P + 'DaemonSetCondition', 'One aspect of the state of a DaemonSet.', {
  type: string('Type of the condition.'),
  status: string('True, False or Unknown.'),
  lastTransitionTime: time('Last time the status changed.'),
  reason: string('Machine-readable reason for the last transition.'),
  message: string('Human-readable details of the last transition.'),
});

export const DaemonSetStatusSchema = struct(P + 'DaemonSetStatus', 'The observed state of a DaemonSet.', {
  currentNumberScheduled: int32('Nodes running at least one daemon pod that are supposed to.'),
  numberMisscheduled: int32('Nodes running the daemon pod that are not supposed to.'),
  desiredNumberScheduled: int32('Nodes that should run the daemon pod.'),
  numberReady: int32('Nodes that should run the daemon pod and have one or more of them Ready.'),
  observedGeneration: int64('The generation observed by the DaemonSet controller.'),
  updatedNumberScheduled: int32('Nodes running the updated daemon pod.'),
  numberAvailable: int32('Nodes that should run the daemon pod and have one available (ready for minReadySeconds).'),
  numberUnavailable: int32('Nodes that should run the daemon pod and have none available.'),
  collisionCount: int32('Count of hash collisions for the ControllerRevisions of this DaemonSet.'),
  conditions: array(DaemonSetConditionSchema, 'Latest observations of the DaemonSet state.', {
    mergeKey: 'type',
    strategy: 'merge',
    listType: 'map',
    mapKeys: ['type'],
  }),
});

export const DaemonSetSchema = resourceSchema(P + 'DaemonSet', 'Runs a copy of a pod on each eligible node.', {
  spec: withDescription(DaemonSetSpecSchema, 'Desired behaviour of the DaemonSet.'),
  status: withDescription(DaemonSetStatusSchema, 'Most recently observed state of the DaemonSet. Read-only.'),
});
export type DaemonSet = Static<typeof DaemonSetSchema>;
export type DaemonSetSpec = Static<typeof DaemonSetSpecSchema>;
export type DaemonSetUpdateStrategy = Static<typeof DaemonSetUpdateStrategySchema>;
export const DaemonSetListSchema = listSchema(P + 'DaemonSetList', DaemonSetSchema);

// ---- defaults ----

export function defaultDaemonSet(obj: DaemonSet): void {
  const spec = (obj.spec ??= {});
  const strategy = (spec.updateStrategy ??= {});
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultTemplate((spec.template ??= {} as PodTemplateSpec));
}

// ---- validation ----

function validateRollingUpdateDaemonSet(ru: { maxUnavailable?: IntOrString; maxSurge?: IntOrString }, path: FieldPath): FieldError[] {
  const muPath = path.child('maxUnavailable');
  const msPath = path.child('maxSurge');
  const errs = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, muPath),
    ...validatePositiveIntOrPercent(ru.maxSurge, msPath),
    ...isNotMoreThan100Percent(ru.maxUnavailable, muPath),
    ...isNotMoreThan100Percent(ru.maxSurge, msPath),
  ];
  const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
  if (hasUnavailable && hasSurge) errs.push(invalid(msPath, ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
  if (!hasUnavailable && !hasSurge) errs.push(required(muPath, 'cannot be 0 when maxSurge is 0'));
  return errs;
}

function validateUpdateStrategy(strategy: DaemonSetUpdateStrategy, path: FieldPath): FieldError[] {
  switch (strategy.type) {
    case 'OnDelete':
      return [];
    case 'RollingUpdate':
      return strategy.rollingUpdate ? validateRollingUpdateDaemonSet(strategy.rollingUpdate, path.child('rollingUpdate')) : [required(path.child('rollingUpdate'))];
    default:
      return [notSupported(path, strategy, ['RollingUpdate', 'OnDelete'])];
  }
}

export function validateDaemonSetSpec(spec: DaemonSetSpec, path: FieldPath, opts: LabelSelectorValidationOptions = {}): FieldError[] {
  const errs = validateLabelSelector(spec.selector, path.child('selector'), opts);
  errs.push(...validateSelectorMatchesTemplate(matcherFor(spec.selector), spec.template, path.child('template')));
  if (spec.selector && !hasRequirements(spec.selector)) errs.push(invalid(path.child('selector'), spec.selector, 'empty selector is invalid for daemonset'));
  errs.push(...validatePodTemplateSpec(spec.template ?? {}, path.child('template')));
  errs.push(...validateLongRunningTemplate(spec.template, path.child('template'), 'DaemonSet'));
  errs.push(...validateNonnegative(spec.minReadySeconds ?? 0, path.child('minReadySeconds')));
  errs.push(...validateUpdateStrategy(spec.updateStrategy ?? {}, path.child('updateStrategy')));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, path.child('revisionHistoryLimit')));
  return errs;
}

const specPath = FieldPath.root().child('spec');

export const validateDaemonSet = (obj: DaemonSet): FieldError[] => validateDaemonSetSpec(obj.spec ?? {}, specPath);

export function validateDaemonSetUpdate(obj: DaemonSet, old: DaemonSet): FieldError[] {
  const opts = { allowInvalidLabelValueInSelector: selectorHasInvalidLabelValue(old.spec?.selector) };
  return [...validateDaemonSetSpec(obj.spec ?? {}, specPath, opts), ...validateImmutable(obj.spec?.selector, old.spec?.selector, specPath.child('selector'), LabelSelectorSchema)];
}

/**
 * The server-side part of a DaemonSet update: the template generation (carried in an annotation in
 * apps/v1) is kept from the stored object and bumped when the template changes.
 */
export function prepareDaemonSetUpdate(obj: DaemonSet, old: DaemonSet): void {
  const oldGen = Number.parseInt(old.metadata?.annotations?.[templateGenerationAnnotation] ?? '0', 10) || 0;
  const gen = semanticDeepEqual(obj.spec?.template, old.spec?.template) ? oldGen : oldGen + 1;
  ((obj.metadata ??= {}).annotations ??= {})[templateGenerationAnnotation] = String(gen);
}

export const daemonSetResource: ResourceDef<DaemonSet> = {
  prepareForUpdate: prepareDaemonSetUpdate,
  group: 'apps',
  version: 'v1',
  kind: 'DaemonSet',
  listKind: 'DaemonSetList',
  plural: 'daemonsets',
  singular: 'daemonset',
  shortNames: ['ds'],
  categories: ['all'],
  namespaced: true,
  schema: DaemonSetSchema,
  nameValidation: 'subdomain',
  subresources: { status: true },
  defaults: defaultDaemonSet,
  validate: validateDaemonSet,
  validateUpdate: validateDaemonSetUpdate,
  prepareForCreate(obj) {
    obj.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
    const meta = (obj.metadata ??= {});
    meta.generation = 1;
    (meta.annotations ??= {})[templateGenerationAnnotation] = '1';
  },
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the DaemonSet.', priority: 0 },
      { name: 'Desired', type: 'integer', description: 'Nodes that should run the daemon pod.', priority: 0 },
      { name: 'Current', type: 'integer', description: 'Nodes running at least one daemon pod that are supposed to.', priority: 0 },
      { name: 'Ready', type: 'integer', description: 'Nodes that should run the daemon pod and have one Ready.', priority: 0 },
      { name: 'Up-to-date', type: 'integer', description: 'Nodes running the updated daemon pod.', priority: 0 },
      { name: 'Available', type: 'integer', description: 'Nodes that should run the daemon pod and have one available.', priority: 0 },
      { name: 'Node Selector', type: 'string', description: 'Node labels the pods require.', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the object was created.', priority: 0 },
      ...templateColumns,
    ],
    cells(obj, now) {
      const s = obj.status;
      return [
        obj.metadata?.name ?? '',
        s?.desiredNumberScheduled ?? 0,
        s?.currentNumberScheduled ?? 0,
        s?.numberReady ?? 0,
        s?.updatedNumberScheduled ?? 0,
        s?.numberAvailable ?? 0,
        formatLabels(obj.spec?.template?.spec?.nodeSelector),
        age(obj.metadata?.creationTimestamp, now),
        ...templateCells(obj.spec?.template, obj.spec?.selector),
      ];
    },
  },
};
