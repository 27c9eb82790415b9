import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointSliceResource, type EndpointSlice } from '../../../../pkg/api/discovery/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { applyDefaults, validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const now = new Date('2024-05-01T12:00:00Z');
const schema = asNode(endpointSliceResource.schema);

function slice(fields: Partial<EndpointSlice>): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abc12', namespace: 'default', creationTimestamp: '2024-05-01T11:00:00Z' },
    addressType: 'IPv4',
    ...fields,
  };
}

function errors(obj: EndpointSlice, old?: EndpointSlice): string[] {
  applyDefaults(obj, schema);
  const kind = old ? endpointSliceResource.validateUpdate!(obj, old) : endpointSliceResource.validate!(obj);
  return [...validateSchema(obj, schema), ...kind].map(errorString);
}

test('ports default to an empty name and TCP', () => {
  const s = slice({ ports: [{ port: 80 }] });
  applyDefaults(s, schema);
  assert.deepEqual(s.ports, [{ name: '', protocol: 'TCP', port: 80 }]);
});

const cases: { name: string; obj: EndpointSlice; want: string[] }[] = [
  {
    name: 'a slice of ready IPv4 endpoints with named ports is valid',
    obj: slice({
      endpoints: [
        {
          addresses: ['10.1.2.3'],
          conditions: { ready: true, serving: true, terminating: false },
          nodeName: 'node-1',
          zone: 'zone-a',
          hostname: 'web-0',
          targetRef: { kind: 'Pod', name: 'web-0', namespace: 'default' },
          hints: { forZones: [{ name: 'zone-a' }] },
        },
      ],
      ports: [{ name: 'http', port: 80, protocol: 'TCP', appProtocol: 'http' }],
    }),
    want: [],
  },
  { name: 'a slice without endpoints or ports is valid', obj: slice({}), want: [] },
  { name: 'a missing address type is required', obj: slice({ addressType: undefined }), want: ['addressType: Required value'] },
  {
    name: 'an unknown address type is not supported',
    obj: slice({ addressType: 'IP', endpoints: [{ addresses: ['anything'] }] }),
    want: ['addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"'],
  },
  {
    name: 'an endpoint needs at least one address',
    obj: slice({ endpoints: [{ addresses: [] }] }),
    want: ['endpoints[0].addresses: Required value: must contain at least 1 address'],
  },
  {
    name: 'an IPv4 slice rejects a malformed address',
    obj: slice({ endpoints: [{ addresses: ['10.0.0.1', '10.0.0.300'] }] }),
    want: ['endpoints[0].addresses[1]: Invalid value: "10.0.0.300": must be a valid IPv4 address'],
  },
  {
    name: 'an IPv6 slice rejects an IPv4 address',
    obj: slice({ addressType: 'IPv6', endpoints: [{ addresses: ['fd00::1', '10.0.0.1'] }] }),
    want: ['endpoints[0].addresses[1]: Invalid value: "10.0.0.1": must be a valid IPv6 address'],
  },
  {
    name: 'an FQDN slice needs names of at least two segments',
    obj: slice({ addressType: 'FQDN', endpoints: [{ addresses: ['db.example.com.', 'example'] }] }),
    want: ['endpoints[0].addresses[1]: Invalid value: "example": should be a domain with at least two segments separated by dots'],
  },
  {
    name: 'a hostname must be a DNS label',
    obj: slice({ endpoints: [{ addresses: ['10.0.0.1'], hostname: 'web.0' }] }),
    want: ['endpoints[0].hostname: Invalid value: "web.0": must not contain dots'],
  },
  {
    name: 'a node name must be a DNS subdomain',
    obj: slice({ endpoints: [{ addresses: ['10.0.0.1'], nodeName: 'Node_1' }] }),
    want: [
      'endpoints[0].nodeName: Invalid value: "Node_1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')',
    ],
  },
  {
    name: 'zone hints may not repeat a zone',
    obj: slice({ endpoints: [{ addresses: ['10.0.0.1'], hints: { forZones: [{ name: 'a' }, { name: 'a' }] } }] }),
    want: ['endpoints[0].hints.forZones[1].name: Duplicate value: "a"'],
  },
  {
    name: 'two ports may not share a name',
    obj: slice({ ports: [{ name: 'http', port: 80 }, { name: 'http', port: 8080 }] }),
    want: ['ports[1].name: Duplicate value: "http"'],
  },
  {
    name: 'two unnamed ports share the empty name',
    obj: slice({ ports: [{ port: 80 }, { port: 8080 }] }),
    want: ['ports[1].name: Duplicate value: ""'],
  },
  {
    name: 'an unknown protocol is not supported',
    obj: slice({ ports: [{ name: 'http', port: 80, protocol: 'HTTP' }] }),
    want: ['ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
  },
  {
    name: 'an app protocol must be a qualified name',
    obj: slice({ ports: [{ name: 'web', port: 80, appProtocol: 'kubernetes.io/h2c/x' }] }),
    want: [
      "ports[0].appProtocol: Invalid value: \"kubernetes.io/h2c/x\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ],
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(errors(c.obj), c.want);
  });
}

test('the address type cannot change', () => {
  assert.deepEqual(errors(slice({ addressType: 'IPv6' }), slice({})), ['addressType: Invalid value: "IPv6": field is immutable']);
});

test('the table lists up to three ports and endpoints, then a count of the others', () => {
  const s = slice({
    endpoints: [{ addresses: ['10.0.0.1', '10.0.0.2'] }, { addresses: ['10.0.0.3'] }, { addresses: ['10.0.0.4', '10.0.0.5'] }],
    ports: [{ port: 80 }, { name: 'metrics' }, { port: 443 }, { port: 8443 }],
  });
  assert.deepEqual(endpointSliceResource.table!.cells(s, now), [
    'web-abc12',
    'IPv4',
    '80,metrics,443 + 1 more...',
    '10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...',
    '60m',
  ]);
});

test('the table prints <unset> for a slice without ports or endpoints', () => {
  assert.deepEqual(endpointSliceResource.table!.cells(slice({}), now), ['web-abc12', 'IPv4', '<unset>', '<unset>', '60m']);
  assert.deepEqual(
    endpointSliceResource.table!.columns.map((c) => c.name),
    ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age'],
  );
});
