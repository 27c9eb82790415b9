// Protobuf field numbers of the policy/v1 types, as Kubernetes v1.32 assigns them, keyed by our
// OpenAPI definition names and JSON field names. The schemas give the shape; this only adds numbers.
import type { WireGroup } from '../../schema/protobuf.js';

const P = 'io.k8s.api.policy.v1.';

export const policyWire: WireGroup = {
  fields: {
    [`${P}Eviction`]: { metadata: 1, deleteOptions: 2 },
    [`${P}PodDisruptionBudget`]: { metadata: 1, spec: 2, status: 3 },
    [`${P}PodDisruptionBudgetSpec`]: { minAvailable: 1, selector: 2, maxUnavailable: 3, unhealthyPodEvictionPolicy: 4 },
    [`${P}PodDisruptionBudgetStatus`]: {
      observedGeneration: 1, disruptedPods: 2, disruptionsAllowed: 3, currentHealthy: 4, desiredHealthy: 5, expectedPods: 6,
      conditions: 7,
    },
  },
  keepZero: {
    [`${P}PodDisruptionBudgetSpec`]: ['unhealthyPodEvictionPolicy'],
    [`${P}PodDisruptionBudgetStatus`]: ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'],
  },
};
