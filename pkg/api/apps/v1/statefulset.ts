// apps/v1 StatefulSet: pods with stable identities and storage.
import { array, int32, int64, intOrString, string, struct, time, withDefault, withDescription, type Static } from '../../schema/dsl.js';
import { LabelSelectorSchema, listSchema, resourceSchema } from '../../meta/v1.js';
import { PodTemplateSpecSchema, validatePodSpecificAnnotations, type PodSpec, type PodTemplateSpec } from '../../core/v1/pod.js';
import { PersistentVolumeClaimSchema } from '../../core/v1/persistentvolumeclaim.js';
import { type FieldError, FieldPath, forbidden, invalid, required } from '../../validation/field.js';
import { validateAnnotations, validateLabels } from '../../validation/names.js';
import type { ResourceDef } from '../../registry.js';
import { age } from '../../printers/age.js';
import { validateWorkloadSelector } from './deployment.js';
import { semanticDeepEqual } from '../../validation/objectmeta.js';
import {
  containerCells,
  containerColumns,
  defaultTemplate,
  intOrPercentValue,
  isNotMoreThan100Percent,
  matcherFor,
  validateLongRunningTemplate,
  validateNonnegative,
  validatePositiveIntOrPercent,
  validateSelectorMatchesTemplate,
} from './workload.js';

const P = 'io.k8s.api.apps.v1.';

const retentionPolicyTypes = ['Retain', 'Delete'] as const;

export const RollingUpdateStatefulSetStrategySchema = struct(P + 'RollingUpdateStatefulSetStrategy', 'Parameters of a StatefulSet rolling update.', {
  partition: withDefault(int32('Ordinal at which the update is partitioned: pods with a lower ordinal keep the old revision. Defaults to 0.'), 0),
  maxUnavailable: intOrString('Pods (number or percentage) that may be unavailable during the update. Alpha (MaxUnavailableStatefulSet); ignored when the gate is off.'),
});

export const StatefulSetUpdateStrategySchema = struct(P + 'StatefulSetUpdateStrategy', 'How the controller updates the pods of a StatefulSet.', {
  type: string('RollingUpdate (the default) or OnDelete.'),
  rollingUpdate: withDescription(RollingUpdateStatefulSetStrategySchema, 'Rolling update parameters; only with type RollingUpdate.'),
});

export const StatefulSetPersistentVolumeClaimRetentionPolicySchema = struct(
  P + 'StatefulSetPersistentVolumeClaimRetentionPolicy',
  'What happens to the claims created from volumeClaimTemplates.',
  {
    whenDeleted: withDefault(string('What happens to the claims when the StatefulSet is deleted: Retain (the default) or Delete.', { enum: retentionPolicyTypes }), 'Retain'),
    whenScaled: withDefault(string('What happens to the claims of pods removed by a scale down: Retain (the default) or Delete.', { enum: retentionPolicyTypes }), 'Retain'),
  },
);

export const StatefulSetOrdinalsSchema = struct(P + 'StatefulSetOrdinals', 'How ordinals are assigned to the pods of a StatefulSet.', {
  start: int32('The first ordinal; replicas get ordinals start to start+replicas-1. Defaults to 0.'),
});

export const StatefulSetSpecSchema = struct(
  P + 'StatefulSetSpec',
  'The desired state of a StatefulSet.',
  {
    replicas: withDefault(int32('Number of desired replicas. Defaults to 1.'), 1),
    selector: withDescription(LabelSelectorSchema, 'Label query over the pods of this StatefulSet. Must match the template labels.'),
    template: withDescription(PodTemplateSpecSchema, 'Template of the pods; each pod gets a unique identity from the StatefulSet.'),
    volumeClaimTemplates: array(PersistentVolumeClaimSchema, 'Claims each pod gets, named <claim>-<pod>; each must be mounted by a container of the template.', {
      listType: 'atomic',
    }),
    serviceName: string('Name of the governing (headless) Service that gives the pods their network identity.'),
    podManagementPolicy: withDefault(string('How pods are created and removed: OrderedReady (the default) or Parallel.'), 'OrderedReady'),
    updateStrategy: withDescription(StatefulSetUpdateStrategySchema, 'How pods are updated when the template changes.'),
    revisionHistoryLimit: withDefault(int32('Revisions kept in the revision history. Defaults to 10.'), 10),
    minReadySeconds: int32('Seconds a new pod must be ready, without a container crashing, to count as available. Defaults to 0.'),
    persistentVolumeClaimRetentionPolicy: withDescription(
      StatefulSetPersistentVolumeClaimRetentionPolicySchema,
      'Lifecycle of the claims created from volumeClaimTemplates. By default they are retained.',
    ),
    ordinals: withDescription(StatefulSetOrdinalsSchema, 'Numbering of the replica indices.'),
  },
  { required: ['selector'] },
);

export const StatefulSetConditionSchema = struct(P + 'StatefulSetCondition', 'One aspect of the state of a StatefulSet.', {
  type: string('Type of the condition.'),
  status: string('True, False or Unknown.'),
  lastTransitionTime: time('Last time the status changed.'),
  reason: string('Machine-readable reason for the last transition.'),
  message: string('Human-readable details of the last transition.'),
});

export const StatefulSetStatusSchema = struct(P + 'StatefulSetStatus', 'The observed state of a StatefulSet.', {
  observedGeneration: int64('The generation observed by the StatefulSet controller.'),
  replicas: int32('Pods created by the controller.'),
  readyReplicas: int32('Pods created by the controller that have a Ready condition.'),
  currentReplicas: int32('Pods created from the currentRevision.'),
  updatedReplicas: int32('Pods created from the updateRevision.'),
  currentRevision: string('Revision used to build the pods from ordinal 0 to currentReplicas-1.'),
  updateRevision: string('Revision used to build the pods from ordinal replicas-updatedReplicas to replicas-1.'),
  collisionCount: int32('Count of hash collisions for the ControllerRevisions of this StatefulSet.'),
  conditions: array(StatefulSetConditionSchema, 'Latest observations of the StatefulSet state.', {
    mergeKey: 'type',
    strategy: 'merge',
    listType: 'map',
    mapKeys: ['type'],
  }),
  availableReplicas: int32('Pods ready for at least minReadySeconds.'),
});

export const StatefulSetSchema = resourceSchema(
  P + 'StatefulSet',
  'A set of pods with stable network identities and stable storage, created and removed in order.',
  {
    spec: withDescription(StatefulSetSpecSchema, 'Desired state of the StatefulSet.'),
    status: withDescription(StatefulSetStatusSchema, 'Most recently observed state of the StatefulSet. Read-only.'),
  },
);
export type StatefulSet = Static<typeof StatefulSetSchema>;
export type StatefulSetSpec = Static<typeof StatefulSetSpecSchema>;
export type StatefulSetUpdateStrategy = Static<typeof StatefulSetUpdateStrategySchema>;
export const StatefulSetListSchema = listSchema(P + 'StatefulSetList', StatefulSetSchema);

// ---- defaults ----

export function defaultStatefulSet(obj: StatefulSet): void {
  const spec = (obj.spec ??= {} as StatefulSetSpec);
  if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
  const strategy = (spec.updateStrategy ??= {});
  // rollingUpdate is only created when the type itself was defaulted.
  if (!strategy.type) {
    strategy.type = 'RollingUpdate';
    strategy.rollingUpdate ??= {};
  }
  if (strategy.type === 'RollingUpdate' && strategy.rollingUpdate) strategy.rollingUpdate.partition ??= 0;
  const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {});
  if (!retention.whenDeleted) retention.whenDeleted = 'Retain';
  if (!retention.whenScaled) retention.whenScaled = 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  defaultTemplate((spec.template ??= {} as PodTemplateSpec));
}

// ---- validation ----

function validateUpdateStrategy(strategy: StatefulSetUpdateStrategy, path: FieldPath): FieldError[] {
  const ruPath = path.child('rollingUpdate');
  switch (strategy.type ?? '') {
    case '':
      return [required(path)];
    case 'OnDelete':
      return strategy.rollingUpdate ? [invalid(ruPath, strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'")] : [];
    case 'RollingUpdate': {
      const ru = strategy.rollingUpdate;
      if (!ru) return [];
      const errs = validateNonnegative(ru.partition ?? 0, ruPath.child('partition'));
      if (ru.maxUnavailable !== undefined) {
        const muPath = ruPath.child('maxUnavailable');
        errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, muPath));
        if (intOrPercentValue(ru.maxUnavailable) === 0) errs.push(invalid(muPath, ru.maxUnavailable, 'cannot be 0'));
        errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, muPath));
      }
      return errs;
    }
    default:
      return [invalid(path, strategy, "must be 'RollingUpdate' or 'OnDelete'")];
  }
}

export function validateStatefulSetSpec(spec: StatefulSetSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const policy = spec.podManagementPolicy ?? '';
  if (policy === '') errs.push(required(path.child('podManagementPolicy')));
  else if (policy !== 'OrderedReady' && policy !== 'Parallel') {
    errs.push(invalid(path.child('podManagementPolicy'), policy, "must be 'OrderedReady' or 'Parallel'"));
  }
  errs.push(...validateUpdateStrategy(spec.updateStrategy ?? {}, path.child('updateStrategy')));
  errs.push(...validateNonnegative(spec.replicas ?? 0, path.child('replicas')));
  errs.push(...validateNonnegative(spec.minReadySeconds ?? 0, path.child('minReadySeconds')));
  if (spec.ordinals) errs.push(...validateNonnegative(spec.ordinals.start ?? 0, path.child('ordinals.start')));
  errs.push(...validateWorkloadSelector(spec.selector, path.child('selector'), 'statefulset'));

  const tplPath = path.child('template');
  const tpl = spec.template;
  const matcher = matcherFor(spec.selector);
  if (!matcher) {
    errs.push(invalid(path.child('selector'), spec.selector, ''));
  } else {
    errs.push(...validateSelectorMatchesTemplate(matcher, tpl, tplPath));
    // Upstream checks only the template's metadata here (at these paths), not its pod spec.
    errs.push(...validateLabels(tpl?.metadata?.labels, tplPath.child('labels')));
    errs.push(...validateAnnotations(tpl?.metadata?.annotations, tplPath.child('annotations')));
    errs.push(...validatePodSpecificAnnotations(tpl?.metadata?.annotations, tpl?.spec ?? ({} as PodSpec), tplPath.child('annotations')));
  }
  errs.push(...validateLongRunningTemplate(tpl, tplPath, 'StatefulSet'));
  return errs;
}

const specPath = FieldPath.root().child('spec');

export const validateStatefulSet = (obj: StatefulSet): FieldError[] => validateStatefulSetSpec(obj.spec ?? ({} as StatefulSetSpec), specPath);

// Fields of the spec that an update may change; the rest is fixed at creation.
const mutableSpecFields = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

function withoutMutableFields(spec: StatefulSetSpec | undefined): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...(spec ?? {}) };
  for (const f of mutableSpecFields) delete rest[f];
  return rest;
}

export function validateStatefulSetUpdate(obj: StatefulSet, old: StatefulSet): FieldError[] {
  const errs = validateStatefulSet(obj);
  if (!semanticDeepEqual(withoutMutableFields(obj.spec), withoutMutableFields(old.spec))) {
    errs.push(
      forbidden(
        specPath,
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return errs;
}

export const statefulSetResource: ResourceDef<StatefulSet> = {
  group: 'apps',
  version: 'v1',
  kind: 'StatefulSet',
  listKind: 'StatefulSetList',
  plural: 'statefulsets',
  singular: 'statefulset',
  shortNames: ['sts'],
  categories: ['all'],
  namespaced: true,
  schema: StatefulSetSchema,
  // Pod hostnames are built from the name, so it must be a DNS label.
  nameValidation: 'label',
  subresources: {
    status: true,
    scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'spec.selector' },
  },
  defaults: defaultStatefulSet,
  validate: validateStatefulSet,
  validateUpdate: validateStatefulSetUpdate,
  prepareForCreate(obj) {
    obj.status = { replicas: 0, availableReplicas: 0 };
    (obj.metadata ??= {}).generation = 1;
    // maxUnavailable belongs to the alpha MaxUnavailableStatefulSet gate, off in v1.32.
    delete obj.spec?.updateStrategy?.rollingUpdate?.maxUnavailable;
  },
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the StatefulSet.', priority: 0 },
      { name: 'Ready', type: 'string', description: 'Number of the pod with ready state', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the object was created.', priority: 0 },
      ...containerColumns,
    ],
    cells: (obj, now) => [
      obj.metadata?.name ?? '',
      `${obj.status?.readyReplicas ?? 0}/${obj.spec?.replicas ?? 0}`,
      age(obj.metadata?.creationTimestamp, now),
      ...containerCells(obj.spec?.template?.spec?.containers),
    ],
  },
};
