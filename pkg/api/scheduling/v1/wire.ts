// Protobuf field numbers of the scheduling.k8s.io/v1 types, as Kubernetes v1.32 assigns them, keyed by our
// OpenAPI definition names and JSON field names. The schemas give the shape; this only adds numbers.
import type { WireGroup } from '../../schema/protobuf.js';

const P = 'io.k8s.api.scheduling.v1.';

export const schedulingWire: WireGroup = {
  fields: {
    [`${P}PriorityClass`]: { metadata: 1, value: 2, globalDefault: 3, description: 4, preemptionPolicy: 5 },
  },
  keepZero: {
    [`${P}PriorityClass`]: ['value', 'preemptionPolicy'],
  },
};
