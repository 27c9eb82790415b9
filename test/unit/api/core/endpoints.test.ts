import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointsResource, type Endpoints, type EndpointSubset } from '../../../../pkg/api/core/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { applyDefaults, validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const def = endpointsResource;
const schema = asNode(def.schema);
const now = new Date('2024-05-01T12:00:00Z');

function ep(subsets?: EndpointSubset[]): Endpoints {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-05-01T11:55:00Z' }, ...(subsets ? { subsets } : {}) };
}

function errors(obj: Endpoints): string[] {
  applyDefaults(obj, schema);
  return [...validateSchema(obj, schema), ...def.validate!(obj)].map(errorString);
}

test('endpoint ports default to TCP', () => {
  const obj = ep([{ addresses: [{ ip: '10.1.0.5' }], ports: [{ port: 8080 }] }]);
  applyDefaults(obj, schema);
  assert.equal(obj.subsets![0]!.ports![0]!.protocol, 'TCP');
});

const cases: { name: string; obj: () => Endpoints; want: string[] }[] = [
  { name: 'addresses with a port are valid', obj: () => ep([{ addresses: [{ ip: '10.1.0.5', nodeName: 'node-1' }], ports: [{ port: 8080 }] }]), want: [] },
  { name: 'a subset needs addresses', obj: () => ep([{ ports: [{ port: 80 }] }]), want: ['subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`'] },
  {
    name: 'addresses must be valid IPs',
    obj: () => ep([{ addresses: [{ ip: 'web-1' }] }]),
    want: ['subsets[0].addresses[0].ip: Invalid value: "web-1": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)', 'subsets[0].addresses[0].ip: Invalid value: "web-1": must be a valid IP address'],
  },
  {
    name: 'loopback and link-local addresses are rejected',
    obj: () => ep([{ notReadyAddresses: [{ ip: '127.0.0.1' }, { ip: 'fe80::1' }, { ip: '0.0.0.0' }] }]),
    want: [
      'subsets[0].notReadyAddresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      'subsets[0].notReadyAddresses[1].ip: Invalid value: "fe80::1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
      'subsets[0].notReadyAddresses[2].ip: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)',
    ],
  },
  {
    name: 'ports need names when there are several, and valid numbers and protocols',
    obj: () => ep([{ addresses: [{ ip: '10.1.0.5' }], ports: [{ port: 80 }, { name: 'b', port: 0, protocol: 'ICMP' }] }]),
    want: [
      'subsets[0].ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      'subsets[0].ports[0].name: Required value',
      'subsets[0].ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive',
    ],
  },
];

for (const tc of cases) test(tc.name, () => assert.deepEqual(errors(tc.obj()), tc.want));

const tableCases: { name: string; subsets?: EndpointSubset[]; want: string }[] = [
  { name: 'no subsets show <none>', want: '<none>' },
  {
    name: 'each address is combined with each port',
    subsets: [{ addresses: [{ ip: '10.1.0.5' }, { ip: '10.1.0.6' }], ports: [{ port: 80 }] }],
    want: '10.1.0.5:80,10.1.0.6:80',
  },
  {
    name: 'more than three endpoints are summarised',
    subsets: [{ addresses: [{ ip: '10.1.0.5' }, { ip: '10.1.0.6' }, { ip: '10.1.0.7' }], ports: [{ port: 80 }, { port: 443 }] }],
    want: '10.1.0.5:80,10.1.0.6:80,10.1.0.7:80 + 3 more...',
  },
  { name: 'IPv6 endpoints are bracketed', subsets: [{ addresses: [{ ip: 'fd00::5' }], ports: [{ port: 80 }] }], want: '[fd00::5]:80' },
  { name: 'a headless subset without ports shows bare addresses', subsets: [{ addresses: [{ ip: '10.1.0.5' }] }], want: '10.1.0.5' },
  { name: 'not-ready addresses are not shown', subsets: [{ notReadyAddresses: [{ ip: '10.1.0.5' }], ports: [{ port: 80 }] }], want: '' },
];

for (const tc of tableCases) test(tc.name, () => assert.deepEqual(def.table!.cells(ep(tc.subsets), now), ['web', tc.want, '5m']));
