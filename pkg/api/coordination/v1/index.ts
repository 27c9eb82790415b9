// coordination.k8s.io/v1: the kinds of this group version.
import { erase, type ResourceDef } from '../../registry.js';
import { leaseResource } from './lease.js';

export * from './fencing.js';
export * from './lease.js';

export const resources: ResourceDef[] = [erase(leaseResource)];
