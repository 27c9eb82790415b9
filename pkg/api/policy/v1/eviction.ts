// policy/v1 Eviction: the body POSTed to pods/<name>/eviction to evict a pod within its disruption budgets.
import { DeleteOptionsSchema, resourceSchema } from '../../meta/v1.js';
import { withDescription, type Static } from '../../schema/dsl.js';

export const EvictionSchema = resourceSchema(
  'io.k8s.api.policy.v1.Eviction',
  'A request to evict a pod, honouring the pod disruption budgets that cover it. Posted to the pods/eviction subresource.',
  {
    deleteOptions: withDescription(DeleteOptionsSchema, 'Options for the deletion of the pod (grace period, preconditions, ...).'),
  },
);
export type Eviction = Static<typeof EvictionSchema>;
