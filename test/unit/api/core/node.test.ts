import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeResource, type Node } from '../../../../pkg/api/core/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { applyDefaults, validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const def = nodeResource;
const schema = asNode(def.schema);
const now = new Date('2024-05-01T12:00:00Z');

function node(fields: Partial<Node> = {}): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', creationTimestamp: '2024-04-20T12:00:00Z' }, ...fields };
}

function errors(obj: Node, old?: Node): string[] {
  applyDefaults(obj, schema);
  def.defaults!(obj);
  return [...validateSchema(obj, schema), ...(old ? def.validateUpdate!(obj, old) : def.validate!(obj))].map(errorString);
}

test('allocatable defaults to capacity', () => {
  const n = node({ status: { capacity: { cpu: '4', memory: '8Gi' } } });
  def.defaults!(n);
  assert.deepEqual(n.status!.allocatable, { cpu: '4', memory: '8Gi' });
});

test('a node keeps its status on create, except the removed dynamic config', () => {
  const n = node({ spec: { configSource: { configMap: { name: 'c' } } }, status: { capacity: { cpu: '2' }, allocatable: { cpu: '2' }, config: { error: 'x' } } });
  def.defaults!(n);
  def.prepareForCreate!(n);
  assert.deepEqual(n.spec, {});
  assert.deepEqual(n.status, { capacity: { cpu: '2' }, allocatable: { cpu: '2' } });
});

const cases: { name: string; obj: () => Node; want: string[] }[] = [
  { name: 'a node with taints and a pod CIDR is valid', obj: () => node({ spec: { podCIDRs: ['10.244.1.0/24'], taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } }), want: [] },
  {
    name: 'taints are reported under metadata and must be unique by key and effect',
    obj: () => node({ spec: { taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'a', effect: 'NoSchedule' }, { key: 'b', effect: 'Sometimes' }] } }),
    want: [
      'metadata.taints[1]: Duplicate value: {"key":"a","effect":"NoSchedule"}: taints must be unique by key and effect pair',
      'metadata.taints[2].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ],
  },
  {
    name: 'pod CIDRs must be valid and one per family',
    obj: () => node({ spec: { podCIDRs: ['10.244.1.0/24', '10.244.2.0/24'] } }),
    want: ['spec.podCIDRs: Invalid value: []string{"10.244.1.0/24", "10.244.2.0/24"}: may specify no more than one CIDR for each IP family'],
  },
  { name: 'a dual-stack pair of pod CIDRs is valid', obj: () => node({ spec: { podCIDRs: ['10.244.1.0/24', 'fd00:10:244:1::/64'] } }), want: [] },
  {
    name: 'capacity may not be negative',
    obj: () => node({ status: { capacity: { cpu: '-1' }, allocatable: { cpu: '1' } } }),
    want: ['status.capacity.cpu: Invalid value: "-1": must be greater than or equal to 0'],
  },
];

for (const tc of cases) test(tc.name, () => assert.deepEqual(errors(tc.obj()), tc.want));

test('pod CIDRs and the provider ID are fixed once set', () => {
  const old = node({ spec: { podCIDRs: ['10.244.1.0/24'], providerID: 'kubets://node-1' } });
  assert.deepEqual(errors(node({ spec: { podCIDRs: ['10.244.9.0/24'], providerID: 'kubets://other' } }), old), [
    'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
    'spec.providerID: Forbidden: node updates may not change providerID except from "" to valid',
  ]);
  assert.deepEqual(errors(node({ spec: { podCIDRs: ['10.244.1.0/24'], providerID: 'kubets://node-1', unschedulable: true } }), old), []);
});

test('pod CIDRs may be assigned to a node that had none', () => {
  assert.deepEqual(errors(node({ spec: { podCIDRs: ['10.244.3.0/24'] } }), node({ spec: {} })), []);
});

test('duplicate addresses are rejected on update', () => {
  const addr = { type: 'InternalIP', address: '192.168.1.10' };
  assert.deepEqual(errors(node({ status: { addresses: [addr, addr] } }), node()), ['status.addresses[1]: Duplicate value: {"type":"InternalIP","address":"192.168.1.10"}']);
});

const ready = (status: string) => ({ type: 'Ready', status });

const tableCases: { name: string; obj: () => Node; want: unknown[] }[] = [
  {
    name: 'a ready control-plane node shows its role, version and addresses',
    obj: () =>
      node({
        metadata: { name: 'cp', creationTimestamp: '2024-04-20T12:00:00Z', labels: { 'node-role.kubernetes.io/control-plane': '' } },
        status: {
          conditions: [ready('True')],
          addresses: [{ type: 'InternalIP', address: '10.0.0.2' }, { type: 'Hostname', address: 'cp' }],
          nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://1.6.20' },
        },
      }),
    want: ['cp', 'Ready', 'control-plane', '11d', 'v1.32.0', '10.0.0.2', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0', 'containerd://1.6.20'],
  },
  {
    name: 'a cordoned node that is not ready shows both',
    obj: () => node({ spec: { unschedulable: true }, status: { conditions: [ready('False')] } }),
    want: ['node-1', 'NotReady,SchedulingDisabled', '<none>', '11d', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
  },
  {
    name: 'a node without a Ready condition is Unknown; roles are sorted',
    obj: () => node({ metadata: { name: 'n', creationTimestamp: '2024-04-20T12:00:00Z', labels: { 'node-role.kubernetes.io/worker': '', 'kubernetes.io/role': 'gpu' } } }),
    want: ['n', 'Unknown', 'gpu,worker', '11d', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
  },
];

for (const tc of tableCases) test(tc.name, () => assert.deepEqual(def.table!.cells(tc.obj(), now), tc.want));

test('nodes can be selected by schedulability', () => {
  assert.equal(def.fieldSelectors!['spec.unschedulable']!(node({ spec: { unschedulable: true } })), 'true');
  assert.equal(def.fieldSelectors!['spec.unschedulable']!(node()), 'false');
});
