// core/v1 (the legacy "" group): pods, services, storage, configuration and cluster objects.
import { erase, type ResourceDef } from '../../registry.js';
import { configMapResource } from './configmap.js';
import { endpointsResource } from './endpoints.js';
import { eventResource } from './event.js';
import { limitRangeResource } from './limitrange.js';
import { namespaceResource } from './namespace.js';
import { nodeResource } from './node.js';
import { persistentVolumeResource } from './persistentvolume.js';
import { persistentVolumeClaimResource } from './persistentvolumeclaim.js';
import { podResource } from './pod.js';
import { resourceQuotaResource } from './resourcequota.js';
import { secretResource } from './secret.js';
import { serviceResource } from './service.js';
import { serviceAccountResource } from './serviceaccount.js';

export * from './common.js';
export * from './configmap.js';
export * from './endpoints.js';
export * from './event.js';
export * from './limitrange.js';
export * from './namespace.js';
export * from './node.js';
export * from './persistentvolume.js';
export * from './persistentvolumeclaim.js';
export * from './pod.js';
export * from './resourcequota.js';
export * from './secret.js';
export * from './service.js';
export * from './serviceaccount.js';
export * from './volumes.js';

export const resources: ResourceDef[] = [
  erase(podResource),
  erase(serviceResource),
  erase(endpointsResource),
  erase(namespaceResource),
  erase(nodeResource),
  erase(configMapResource),
  erase(secretResource),
  erase(serviceAccountResource),
  erase(eventResource),
  erase(persistentVolumeResource),
  erase(persistentVolumeClaimResource),
  erase(limitRangeResource),
  erase(resourceQuotaResource),
];
