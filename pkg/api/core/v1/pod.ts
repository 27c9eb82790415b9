// core/v1 Pod: the public surface other kinds import (types, defaulting, validation) and the
// Pod resource definition.
import { FieldPath, forbidden, type FieldError } from '../../validation/field.js';
import type { ResourceDef } from '../../registry.js';
import { addDefaultTolerations, defaultPod, podQOSClass } from './pod-defaults.js';
import { podTable } from './pod-printer.js';
import { PodSchema, type Pod, type PodCondition } from './pod-types.js';
import { validatePodUpdate } from './pod-update.js';
import { validatePodMetadataAndSpec } from './pod-validation.js';

export * from './pod-types.js';
export {
  defaultPodSpec,
  defaultPod,
  podQOSClass,
  defaultPullPolicy,
  imageTag,
  addDefaultTolerations,
  TAINT_NODE_NOT_READY,
  TAINT_NODE_UNREACHABLE,
  DEFAULT_TOLERATION_SECONDS,
  type PodQOSClass,
} from './pod-defaults.js';
export {
  validatePodSpec,
  validatePodTemplateSpec,
  validatePodSpecificAnnotations,
  validatePodMetadataAndSpec,
  type PodSpecValidationOptions,
} from './pod-validation.js';
export { validatePodUpdate, validatePodStatusUpdate, validatePodBinding, UPDATABLE_POD_SPEC_FIELDS } from './pod-update.js';
export { podTable, summarizePod, NODE_UNREACHABLE_POD_REASON, type PodSummary } from './pod-printer.js';
export { validatePersistentVolumeClaimSpec, validateTemplateObjectMeta, validateVolumes } from './pod-volumes.js';

/** Upstream's condition for pods that wait on scheduling gates. */
export const SCHEDULING_GATED_CONDITION: PodCondition = {
  type: 'PodScheduled',
  status: 'False',
  reason: 'SchedulingGated',
  message: 'Scheduling is blocked due to non-empty scheduling gates',
};

function validatePodCreate(pod: Pod): FieldError[] {
  const specPath = FieldPath.root('spec');
  const spec = pod.spec ?? {};
  const errs = validatePodMetadataAndSpec(pod.metadata, spec, specPath, FieldPath.root('metadata').child('annotations'));
  if ((spec.ephemeralContainers ?? []).length > 0) errs.push(forbidden(specPath.child('ephemeralContainers'), 'cannot be set on create'));
  if (spec.nodeName && (spec.schedulingGates ?? []).length > 0) {
    errs.push(forbidden(specPath.child('nodeName'), 'cannot be set until all schedulingGates have been cleared'));
  }
  return errs;
}

const podIP = (pod: Pod): string => pod.status?.podIPs?.[0]?.ip ?? '';

export const podResource: ResourceDef<Pod> = {
  group: '',
  version: 'v1',
  kind: 'Pod',
  listKind: 'PodList',
  plural: 'pods',
  singular: 'pod',
  shortNames: ['po'],
  categories: ['all'],
  namespaced: true,
  schema: PodSchema,
  nameValidation: 'subdomain',
  subresources: { status: true },
  defaults: defaultPod,
  validate: validatePodCreate,
  validateUpdate: validatePodUpdate,
  prepareForCreate(pod: Pod): void {
    if (pod.spec) addDefaultTolerations(pod.spec);
    pod.status = { phase: 'Pending', qosClass: podQOSClass(pod.spec ?? {}) };
    if ((pod.spec?.schedulingGates ?? []).length > 0) pod.status.conditions = [{ ...SCHEDULING_GATED_CONDITION }];
  },
  table: podTable,
  fieldSelectors: {
    'spec.nodeName': (p) => p.spec?.nodeName ?? '',
    'spec.restartPolicy': (p) => p.spec?.restartPolicy ?? '',
    'spec.schedulerName': (p) => p.spec?.schedulerName ?? '',
    'spec.serviceAccountName': (p) => p.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': (p) => String(p.spec?.hostNetwork === true),
    'status.phase': (p) => p.status?.phase ?? '',
    'status.podIP': podIP,
    // Accepted as a selector but, as upstream, not backed by a value: it matches only "".
    'status.podIPs': () => '',
    'status.nominatedNodeName': (p) => p.status?.nominatedNodeName ?? '',
  },
};
