// apps/v1 Deployment: declarative updates of ReplicaSets and their pods.
import {
  array,
  boolean,
  int32,
  int64,
  intOrString,
  string,
  struct,
  time,
  withDefault,
  withDescription,
  withPatch,
  type Static,
} from '../../schema/dsl.js';
import { LabelSelectorSchema, listSchema, resourceSchema, type LabelSelector } from '../../meta/v1.js';
import { PodTemplateSpecSchema, validatePodTemplateSpec, type PodTemplateSpec } from '../../core/v1/pod.js';
import { type FieldError, FieldPath, forbidden, invalid, notSupported, required } from '../../validation/field.js';
import { validateLabelSelector } from '../../validation/names.js';
import type { ResourceDef } from '../../registry.js';
import { age } from '../../printers/age.js';
import { semanticDeepEqual } from '../../validation/objectmeta.js';
import {
  defaultTemplate,
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

export const RollingUpdateDeploymentSchema = struct(P + 'RollingUpdateDeployment', 'Parameters of a rolling update.', {
  maxUnavailable: withDefault(
    intOrString('Pods (number or percentage of desired pods, rounded down) that may be unavailable during the update. Cannot be 0 when maxSurge is 0. Defaults to 25%.'),
    '25%',
  ),
  maxSurge: withDefault(
    intOrString('Pods (number or percentage of desired pods, rounded up) that may be created above the desired count during the update. Cannot be 0 when maxUnavailable is 0. Defaults to 25%.'),
    '25%',
  ),
});

export const DeploymentStrategySchema = struct(P + 'DeploymentStrategy', 'How old pods are replaced by new ones.', {
  type: withDefault(string('Recreate (kill all old pods first) or RollingUpdate (the default).'), 'RollingUpdate'),
  rollingUpdate: withDescription(RollingUpdateDeploymentSchema, 'Rolling update parameters; only with type RollingUpdate.'),
});

export const DeploymentSpecSchema = struct(
  P + 'DeploymentSpec',
  'The desired behaviour of a Deployment.',
  {
    replicas: withDefault(int32('Number of desired pods. Defaults to 1.'), 1),
    selector: withDescription(LabelSelectorSchema, 'Label query over the pods this deployment manages. Must match the template labels; immutable in apps/v1.'),
    template: withDescription(PodTemplateSpecSchema, 'Template of the pods to create. Its restartPolicy must be Always.'),
    strategy: withPatch(withDescription(DeploymentStrategySchema, 'How existing pods are replaced by new ones.'), { strategy: 'retainKeys' }),
    minReadySeconds: int32('Seconds a new pod must be ready, without a container crashing, to count as available. Defaults to 0.'),
    revisionHistoryLimit: withDefault(int32('Old ReplicaSets to keep for rollback. Defaults to 10.'), 10),
    paused: boolean('True while the deployment is paused: template changes are not rolled out.'),
    progressDeadlineSeconds: withDefault(
      int32('Seconds after which a deployment that makes no progress is reported as failed (Progressing=False, reason ProgressDeadlineExceeded). Defaults to 600.'),
      600,
    ),
  },
  { required: ['selector'] },
);

export const DeploymentConditionSchema = struct(P + 'DeploymentCondition', 'One aspect of the state of a deployment.', {
  type: string('Type of the condition: Available, Progressing or ReplicaFailure.'),
  status: string('True, False or Unknown.'),
  lastUpdateTime: time('Last time this condition was updated.'),
  lastTransitionTime: time('Last time the status changed.'),
  reason: string('Machine-readable reason for the last transition.'),
  message: string('Human-readable details of the last transition.'),
});

export const DeploymentStatusSchema = struct(P + 'DeploymentStatus', 'The observed state of a deployment.', {
  observedGeneration: int64('The generation observed by the deployment controller.'),
  replicas: int32('Non-terminated pods targeted by this deployment (their labels match the selector).'),
  updatedReplicas: int32('Non-terminated pods that have the desired template.'),
  readyReplicas: int32('Pods targeted by this deployment with a Ready condition.'),
  availableReplicas: int32('Pods targeted by this deployment that have been ready for at least minReadySeconds.'),
  unavailableReplicas: int32('Pods still needed for 100% availability: pods running but not yet available, or not yet created.'),
  conditions: array(DeploymentConditionSchema, 'Latest observations of the deployment state.', {
    mergeKey: 'type',
    strategy: 'merge',
    listType: 'map',
    mapKeys: ['type'],
  }),
  collisionCount: int32('Count of hash collisions for the ReplicaSets of this deployment; used to build a unique ReplicaSet name.'),
});

export const DeploymentSchema = resourceSchema(P + 'Deployment', 'Declarative updates for pods and ReplicaSets.', {
  spec: withDescription(DeploymentSpecSchema, 'Desired behaviour of the deployment.'),
  status: withDescription(DeploymentStatusSchema, 'Most recently observed state of the deployment. Read-only.'),
});
export type Deployment = Static<typeof DeploymentSchema>;
export type DeploymentSpec = Static<typeof DeploymentSpecSchema>;
export type DeploymentStrategy = Static<typeof DeploymentStrategySchema>;
export const DeploymentListSchema = listSchema(P + 'DeploymentList', DeploymentSchema);

// ---- defaults ----

export function defaultDeployment(obj: Deployment): void {
  // Go's DeploymentSpec is a value, so an object without spec still gets every default.
  const spec = (obj.spec ??= {} as DeploymentSpec);
  spec.replicas ??= 1;
  const strategy = (spec.strategy ??= {});
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultTemplate((spec.template ??= {} as PodTemplateSpec));
}

// ---- validation ----

/**
 * The pod template of a ReplicaSet-managed workload (Deployment, ReplicaSet): it must carry the
 * selector's labels, be a valid pod template, and run forever.
 */
export function validatePodTemplateForReplicaSet(
  spec: { readonly template?: PodTemplateSpec; readonly selector?: LabelSelector },
  specPath: FieldPath,
): FieldError[] {
  const errs: FieldError[] = [];
  const { template: tpl, selector } = spec;
  const path = specPath.child('template');
  const matcher = matcherFor(selector);
  if (!matcher) return [invalid(specPath.child('selector'), selector, 'invalid label selector')];
  errs.push(...validateSelectorMatchesTemplate(matcher, tpl, path));
  errs.push(...validatePodTemplateSpec(tpl ?? {}, path));
  errs.push(...validateLongRunningTemplate(tpl, path, 'ReplicaSet'));
  return errs;
}

/** The selector of a ReplicaSet-managed workload: required (schema), valid and non-empty. */
export function validateWorkloadSelector(selector: LabelSelector | undefined, path: FieldPath, kindWord: string): FieldError[] {
  if (!selector) return [];
  const errs = validateLabelSelector(selector, path, { allowInvalidLabelValueInSelector: false });
  if (!hasRequirements(selector)) errs.push(invalid(path, selector, `empty selector is invalid for ${kindWord}`));
  return errs;
}

function validateRollingUpdateDeployment(ru: { maxUnavailable?: IntOrString; maxSurge?: IntOrString }, path: FieldPath): FieldError[] {
  const errs = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, path.child('maxUnavailable')),
    ...validatePositiveIntOrPercent(ru.maxSurge, path.child('maxSurge')),
  ];
  if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
    errs.push(invalid(path.child('maxUnavailable'), ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
  }
  errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, path.child('maxUnavailable')));
  return errs;
}

function validateDeploymentStrategy(strategy: DeploymentStrategy, path: FieldPath): FieldError[] {
  switch (strategy.type) {
    case 'Recreate':
      return strategy.rollingUpdate ? [forbidden(path.child('rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'")] : [];
    case 'RollingUpdate':
      return strategy.rollingUpdate
        ? validateRollingUpdateDeployment(strategy.rollingUpdate, path.child('rollingUpdate'))
        : [required(path.child('rollingUpdate'), 'this should be defaulted and never be nil')];
    default:
      return [notSupported(path, strategy, ['Recreate', 'RollingUpdate'])];
  }
}

export function validateDeploymentSpec(spec: DeploymentSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateNonnegative(spec.replicas, path.child('replicas')));
  errs.push(...validateWorkloadSelector(spec.selector, path.child('selector'), 'deployment'));
  errs.push(...validatePodTemplateForReplicaSet(spec, path));
  errs.push(...validateDeploymentStrategy(spec.strategy ?? {}, path.child('strategy')));
  const minReady = spec.minReadySeconds ?? 0;
  errs.push(...validateNonnegative(minReady, path.child('minReadySeconds')));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, path.child('revisionHistoryLimit')));
  if (spec.progressDeadlineSeconds !== undefined) {
    errs.push(...validateNonnegative(spec.progressDeadlineSeconds, path.child('progressDeadlineSeconds')));
    if (spec.progressDeadlineSeconds <= minReady) {
      errs.push(invalid(path.child('progressDeadlineSeconds'), spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

const specPath = FieldPath.root().child('spec');

export function validateDeployment(obj: Deployment): FieldError[] {
  return validateDeploymentSpec(obj.spec ?? ({} as DeploymentSpec), specPath);
}

export function validateDeploymentUpdate(obj: Deployment, old: Deployment): FieldError[] {
  return [...validateDeployment(obj), ...validateImmutable(obj.spec?.selector, old.spec?.selector, specPath.child('selector'), LabelSelectorSchema)];
}

// ---- table ----

function selectorString(sel: LabelSelector | undefined): string {
  const m = matcherFor(sel);
  return m ? m.toString() : '<invalid>';
}

export const deploymentResource: ResourceDef<Deployment> = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  listKind: 'DeploymentList',
  plural: 'deployments',
  singular: 'deployment',
  shortNames: ['deploy'],
  categories: ['all'],
  namespaced: true,
  schema: DeploymentSchema,
  nameValidation: 'subdomain',
  subresources: {
    status: true,
    scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'spec.selector' },
  },
  defaults: defaultDeployment,
  validate: validateDeployment,
  validateUpdate: validateDeploymentUpdate,
  prepareForCreate(obj) {
    obj.status = {};
    (obj.metadata ??= {}).generation = 1;
  },
  // Annotations are copied to the ReplicaSets, so changing them is a new generation too.
  generationChanged: (obj, old) => !semanticDeepEqual(obj.spec, old.spec) || !semanticDeepEqual(obj.metadata?.annotations, old.metadata?.annotations),
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the deployment.', priority: 0 },
      { name: 'Ready', type: 'string', description: 'Number of the pod with ready state', priority: 0 },
      { name: 'Up-to-date', type: 'string', description: 'Total number of non-terminated pods that have the desired template.', priority: 0 },
      { name: 'Available', type: 'string', description: 'Total number of available pods (ready for at least minReadySeconds).', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the object was created.', priority: 0 },
      ...templateColumns,
    ],
    cells: (obj, now) => [
      obj.metadata?.name ?? '',
      `${obj.status?.readyReplicas ?? 0}/${obj.spec?.replicas ?? 0}`,
      obj.status?.updatedReplicas ?? 0,
      obj.status?.availableReplicas ?? 0,
      age(obj.metadata?.creationTimestamp, now),
      // Unlike the other workloads, a deployment prints its selector without the "<none>" placeholder.
      ...templateCells(obj.spec?.template, obj.spec?.selector, selectorString),
    ],
  },
};
