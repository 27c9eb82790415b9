// apps/v1 ReplicaSet: keeps a number of pod replicas running.
import { array, int32, int64, string, struct, time, withDefault, withDescription, type Static } from '../../schema/dsl.js';
import { LabelSelectorSchema, listSchema, resourceSchema } from '../../meta/v1.js';
import { PodTemplateSpecSchema, type PodTemplateSpec } from '../../core/v1/pod.js';
import { type FieldError, FieldPath } from '../../validation/field.js';
import type { ResourceDef } from '../../registry.js';
import { age } from '../../printers/age.js';
import { validatePodTemplateForReplicaSet, validateWorkloadSelector } from './deployment.js';
import { defaultTemplate, templateCells, templateColumns, validateImmutable, validateNonnegative } from './workload.js';

const P = 'io.k8s.api.apps.v1.';

export const ReplicaSetSpecSchema = struct(
  P + 'ReplicaSetSpec',
  'The desired state of a ReplicaSet.',
  {
    replicas: withDefault(int32('Number of desired replicas. Defaults to 1.'), 1),
    minReadySeconds: int32('Seconds a new pod must be ready, without a container crashing, to count as available. Defaults to 0.'),
    selector: withDescription(LabelSelectorSchema, 'Label query over the pods that count as replicas. Must match the template labels.'),
    template: withDescription(PodTemplateSpecSchema, 'Template of the pods created when replicas are missing.'),
  },
  { required: ['selector'] },
);

export const ReplicaSetConditionSchema = struct(P + 'ReplicaSetCondition', 'One aspect of the state of a replica set.', {
  type: string('Type of the condition, e.g. ReplicaFailure.'),
  status: string('True, False or Unknown.'),
  lastTransitionTime: time('Last time the status changed.'),
  reason: string('Machine-readable reason for the last transition.'),
  message: string('Human-readable details of the last transition.'),
});

export const ReplicaSetStatusSchema = struct(P + 'ReplicaSetStatus', 'The observed state of a ReplicaSet.', {
  replicas: int32('Most recently observed number of replicas.'),
  fullyLabeledReplicas: int32('Pods whose labels match the template labels.'),
  readyReplicas: int32('Pods with a Ready condition.'),
  availableReplicas: int32('Pods ready for at least minReadySeconds.'),
  observedGeneration: int64('The generation of the most recently observed ReplicaSet.'),
  conditions: array(ReplicaSetConditionSchema, 'Latest observations of the replica set state.', {
    mergeKey: 'type',
    strategy: 'merge',
    listType: 'map',
    mapKeys: ['type'],
  }),
});

export const ReplicaSetSchema = resourceSchema(P + 'ReplicaSet', 'Ensures that a specified number of pod replicas are running at any time.', {
  spec: withDescription(ReplicaSetSpecSchema, 'Desired state of the replica set.'),
  status: withDescription(ReplicaSetStatusSchema, 'Most recently observed state of the replica set. Read-only.'),
});
export type ReplicaSet = Static<typeof ReplicaSetSchema>;
export type ReplicaSetSpec = Static<typeof ReplicaSetSpecSchema>;
export const ReplicaSetListSchema = listSchema(P + 'ReplicaSetList', ReplicaSetSchema);

export function defaultReplicaSet(obj: ReplicaSet): void {
  const spec = (obj.spec ??= {} as ReplicaSetSpec);
  spec.replicas ??= 1;
  defaultTemplate((spec.template ??= {} as PodTemplateSpec));
}

const specPath = FieldPath.root().child('spec');

export function validateReplicaSetSpec(spec: ReplicaSetSpec, path: FieldPath): FieldError[] {
  return [
    ...validateNonnegative(spec.replicas, path.child('replicas')),
    ...validateNonnegative(spec.minReadySeconds, path.child('minReadySeconds')),
    // Upstream says "deployment" here too.
    ...validateWorkloadSelector(spec.selector, path.child('selector'), 'deployment'),
    ...validatePodTemplateForReplicaSet(spec, path),
  ];
}

export const validateReplicaSet = (obj: ReplicaSet): FieldError[] => validateReplicaSetSpec(obj.spec ?? ({} as ReplicaSetSpec), specPath);

export const validateReplicaSetUpdate = (obj: ReplicaSet, old: ReplicaSet): FieldError[] => [
  ...validateReplicaSet(obj),
  ...validateImmutable(obj.spec?.selector, old.spec?.selector, specPath.child('selector'), LabelSelectorSchema),
];

export const replicaSetResource: ResourceDef<ReplicaSet> = {
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  listKind: 'ReplicaSetList',
  plural: 'replicasets',
  singular: 'replicaset',
  shortNames: ['rs'],
  categories: ['all'],
  namespaced: true,
  schema: ReplicaSetSchema,
  nameValidation: 'subdomain',
  subresources: {
    status: true,
    scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'spec.selector' },
  },
  defaults: defaultReplicaSet,
  validate: validateReplicaSet,
  validateUpdate: validateReplicaSetUpdate,
  prepareForCreate(obj) {
    obj.status = { replicas: 0 };
    (obj.metadata ??= {}).generation = 1;
  },
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the replica set.', priority: 0 },
      { name: 'Desired', type: 'integer', description: 'Number of desired replicas.', priority: 0 },
      { name: 'Current', type: 'integer', description: 'Most recently observed number of replicas.', priority: 0 },
      { name: 'Ready', type: 'integer', description: 'Number of ready replicas.', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the object was created.', priority: 0 },
      ...templateColumns,
    ],
    cells: (obj, now) => [
      obj.metadata?.name ?? '',
      obj.spec?.replicas ?? 0,
      obj.status?.replicas ?? 0,
      obj.status?.readyReplicas ?? 0,
      age(obj.metadata?.creationTimestamp, now),
      ...templateCells(obj.spec?.template, obj.spec?.selector),
    ],
  },
  fieldSelectors: {
    'status.replicas': (obj) => String(obj.status?.replicas ?? 0),
  },
};
