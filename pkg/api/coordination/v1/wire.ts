// Protobuf field numbers of the coordination.k8s.io/v1 types, as Kubernetes v1.32 assigns them, keyed by our
// OpenAPI definition names and JSON field names. The schemas give the shape; this only adds numbers.
import type { WireGroup } from '../../schema/protobuf.js';

const P = 'io.k8s.api.coordination.v1.';

export const coordinationWire: WireGroup = {
  fields: {
    [`${P}Lease`]: { metadata: 1, spec: 2 },
    [`${P}LeaseSpec`]: {
      holderIdentity: 1, leaseDurationSeconds: 2, acquireTime: 3, renewTime: 4, leaseTransitions: 5, strategy: 6,
      preferredHolder: 7,
    },
  },
  keepZero: {
    [`${P}LeaseSpec`]: ['holderIdentity', 'leaseDurationSeconds', 'leaseTransitions', 'strategy', 'preferredHolder'],
  },
};
