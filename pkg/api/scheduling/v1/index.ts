// scheduling.k8s.io/v1: the kinds of this group version.
import { erase, type ResourceDef } from '../../registry.js';
import { priorityClassResource } from './priorityclass.js';

export * from './priorityclass.js';

export const resources: ResourceDef[] = [erase(priorityClassResource)];
