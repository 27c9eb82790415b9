import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csiNodeResource, type CSINode } from '../../../../pkg/api/storage/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const now = new Date('2024-05-01T12:00:00Z');
const schema = asNode(csiNodeResource.schema);

type Driver = NonNullable<NonNullable<CSINode['spec']>['drivers']>[number];

function node(drivers: Driver[]): CSINode {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'CSINode',
    metadata: { name: 'node-1', creationTimestamp: '2024-05-01T11:59:00Z' },
    spec: { drivers },
  };
}

function errors(obj: CSINode, old?: CSINode): string[] {
  const kind = old ? csiNodeResource.validateUpdate!(obj, old) : csiNodeResource.validate!(obj);
  return [...validateSchema(obj, schema), ...kind].map(errorString);
}

const hostpath: Driver = { name: 'hostpath.csi.kubets.io', nodeID: 'node-1', topologyKeys: ['topology.hostpath.csi/node'], allocatable: { count: 10 } };

const cases: { name: string; obj: CSINode; want: string[] }[] = [
  { name: 'a node with one registered driver is valid', obj: node([hostpath]), want: [] },
  { name: 'a node without drivers is valid', obj: node([]), want: [] },
  {
    name: 'a driver name is required and must be a DNS subdomain',
    obj: node([{ name: '', nodeID: 'n' }]),
    want: [
      'spec.drivers[0].name: Required value',
      "spec.drivers[0].name: Invalid value: \"\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ],
  },
  { name: 'a node ID is required', obj: node([{ name: 'd.example.com', nodeID: '' }]), want: ['spec.drivers[0].nodeID: Required value'] },
  {
    name: 'a node ID is at most 256 characters',
    obj: node([{ name: 'd.example.com', nodeID: 'x'.repeat(257) }]),
    want: [`spec.drivers[0].nodeID: Invalid value: "${'x'.repeat(257)}": must be 256 characters or less`],
  },
  {
    name: 'a negative volume limit is rejected',
    obj: node([{ name: 'd.example.com', nodeID: 'n', allocatable: { count: -1 } }]),
    want: ['spec.drivers[0].allocatable.count: Invalid value: -1: must be greater than or equal to 0'],
  },
  {
    name: 'a driver may be registered once',
    obj: node([hostpath, { ...hostpath }]),
    want: ['spec.drivers[1].name: Duplicate value: "hostpath.csi.kubets.io"'],
  },
  {
    name: 'topology key problems are reported on the driver entry',
    obj: node([{ name: 'd.example.com', nodeID: 'n', topologyKeys: ['zone', 'zone'] }]),
    want: ['spec.drivers[0]: Duplicate value: "zone"'],
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(errors(c.obj), c.want);
  });
}

test('a registered driver cannot change but drivers can be added and removed', () => {
  const old = node([hostpath]);
  const changed = node([{ ...hostpath, nodeID: 'node-2' }]);
  const errs = csiNodeResource.validateUpdate!(changed, old);
  assert.deepEqual(errs.map((e) => [e.field, e.detail]), [['spec.drivers', 'field is immutable']]);
  assert.deepEqual(errors(node([hostpath, { name: 'other.example.com', nodeID: 'n' }]), old), []);
  assert.deepEqual(errors(node([]), old), []);
});

test('the table counts the drivers', () => {
  assert.deepEqual(csiNodeResource.table!.cells(node([hostpath]), now), ['node-1', 1, '60s']);
  assert.deepEqual(csiNodeResource.table!.columns.map((c) => c.name), ['Name', 'Drivers', 'Age']);
});

test('drivers merge by name in a strategic merge patch', () => {
  const drivers = schema.properties!['spec']!.properties!['drivers']!;
  assert.equal(drivers['x-kubernetes-patch-merge-key'], 'name');
  assert.deepEqual(drivers['x-kubernetes-list-map-keys'], ['name']);
});
