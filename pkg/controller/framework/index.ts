// The pieces every controller is built from.
export { restObjectClient } from './client.js';
export type { ObjectClient } from './client.js';
export type { Controller, ControllerContext, ControllerDefinition, ControllerFlag, EventSink } from './context.js';
export { ControllerExpectations, EXPECTATIONS_TIMEOUT_MS, UNCERTAIN_TIMEOUT_MS } from './expectations.js';
export { adoptPatch, claimChildren, claimObjects, controllerRefOf, isControlledBy, newControllerRef, releasePatch } from './controller-ref.js';
export type { ClaimOptions, OwnerKind } from './controller-ref.js';
export { isAlreadyExists, isConflict, isInvalid, isNamespaceTerminating, isNotFound, isTimeout } from './errors.js';
export { PodControl, SLOW_START_INITIAL_BATCH, slowStartBatch } from './pod-control.js';
export { ReconcileLoop } from './loop.js';
export type { ReconcileLoopOptions, ReconcileResult, Reconciler } from './loop.js';
export { generateNamePrefix, isPodActive, isPodAvailable, isPodReady, podFromTemplate, podRestarts } from './pods.js';
export type { PodFromTemplateOptions } from './pods.js';
export { restDiscovery } from './discovery.js';
export type { DiscoveredResource, Discovery, DiscoveryResult } from './discovery.js';
export { canonicalJson, computeHash, fnv32a, safeEncode } from './hash.js';
export {
  CONTROLLER_REVISION_HASH_LABEL,
  CONTROLLER_REVISION_HASH_LABEL_KEY,
  controllerRevisionName,
  equalRevision,
  findEqualRevisions,
  hashControllerRevision,
  newControllerRevision,
  nextRevision,
  sortRevisions,
  templateOfRevision,
  templateRevisionData,
} from './history.js';
export { endpointReady, enqueueServicesOnPodChange, findPort, hasSelectorEndpoints, podPorts, podsOfService, servicesOfPod, shouldPodBeInEndpoints } from './service-endpoints.js';
export type { ResolvedPort } from './service-endpoints.js';
export { byControllerUid, CONTROLLER_UID_INDEX } from './indexes.js';
export { scaledValue } from './intstr.js';
export { WorkloadController } from './workload-controller.js';
