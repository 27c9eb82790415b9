// policy/v1: the kinds of this group version. Eviction is no resource of its own: it is the body
// of the pods/eviction subresource, so it has a schema but no ResourceDef.
import { erase, type ResourceDef } from '../../registry.js';
import { podDisruptionBudgetResource } from './poddisruptionbudget.js';

export * from './eviction.js';
export * from './poddisruptionbudget.js';

export const resources: ResourceDef[] = [erase(podDisruptionBudgetResource)];
