// apps/v1: the workload controllers' kinds.
import { erase, type ResourceDef } from '../../registry.js';
import { controllerRevisionResource } from './controllerrevision.js';
import { daemonSetResource } from './daemonset.js';
import { deploymentResource } from './deployment.js';
import { replicaSetResource } from './replicaset.js';
import { statefulSetResource } from './statefulset.js';

export * from './controllerrevision.js';
export * from './daemonset.js';
export * from './deployment.js';
export * from './replicaset.js';
export * from './statefulset.js';

export const resources: ResourceDef[] = [
  erase(controllerRevisionResource),
  erase(daemonSetResource),
  erase(deploymentResource),
  erase(replicaSetResource),
  erase(statefulSetResource),
];
