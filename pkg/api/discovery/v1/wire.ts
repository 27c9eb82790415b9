// Protobuf field numbers of the discovery.k8s.io/v1 types, as Kubernetes v1.32 assigns them, keyed by our
// OpenAPI definition names and JSON field names. The schemas give the shape; this only adds numbers.
import type { WireGroup } from '../../schema/protobuf.js';

const P = 'io.k8s.api.discovery.v1.';

export const discoveryWire: WireGroup = {
  fields: {
    [`${P}Endpoint`]: { addresses: 1, conditions: 2, hostname: 3, targetRef: 4, deprecatedTopology: 5, nodeName: 6, zone: 7, hints: 8 },
    [`${P}EndpointConditions`]: { ready: 1, serving: 2, terminating: 3 },
    [`${P}EndpointHints`]: { forZones: 1 },
    [`${P}EndpointPort`]: { name: 1, protocol: 2, port: 3, appProtocol: 4 },
    [`${P}EndpointSlice`]: { metadata: 1, addressType: 4, endpoints: 2, ports: 3 },
    [`${P}ForZone`]: { name: 1 },
  },
  keepZero: {
    [`${P}Endpoint`]: ['hostname', 'nodeName', 'zone'],
    [`${P}EndpointConditions`]: ['ready', 'serving', 'terminating'],
    [`${P}EndpointPort`]: ['name', 'protocol', 'port', 'appProtocol'],
    [`${P}EndpointSlice`]: ['addressType'],
    [`${P}ForZone`]: ['name'],
  },
};
