// discovery.k8s.io/v1: the kinds of this group version.
import { erase, type ResourceDef } from '../../registry.js';
import { endpointSliceResource } from './endpointslice.js';

export * from './endpointslice.js';

export const resources: ResourceDef[] = [erase(endpointSliceResource)];
