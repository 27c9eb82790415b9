import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leaseResource, resources, type Lease } from '../../../../pkg/api/coordination/v1/index.js';
import { asNode, DefinitionName } from '../../../../pkg/api/schema/dsl.js';
import { validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const now = new Date('2024-05-01T12:00:00Z');

function lease(spec: Lease['spec']): Lease {
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'kube-scheduler', namespace: 'kube-system' }, spec };
}

function errors(obj: Lease, old?: Lease): string[] {
  const kind = old ? leaseResource.validateUpdate!(obj, old) : leaseResource.validate!(obj);
  return [...validateSchema(obj, asNode(leaseResource.schema)), ...kind].map(errorString);
}

const cases: { name: string; spec: Lease['spec']; want: string[] }[] = [
  {
    name: 'a lease held by a candidate with timestamps in microseconds is valid',
    spec: {
      holderIdentity: 'node-1_3f2a',
      leaseDurationSeconds: 15,
      acquireTime: '2024-05-01T11:00:00.123456Z',
      renewTime: '2024-05-01T11:59:59.654321Z',
      leaseTransitions: 3,
    },
    want: [],
  },
  { name: 'an empty spec is valid', spec: {}, want: [] },
  {
    name: 'a zero lease duration is rejected',
    spec: { leaseDurationSeconds: 0 },
    want: ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0'],
  },
  {
    name: 'a negative transition count is rejected',
    spec: { leaseTransitions: -1 },
    want: ['spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0'],
  },
  {
    name: 'an unknown built-in strategy is reported one level below the strategy field',
    spec: { strategy: 'Newest' },
    want: ['spec.strategy.strategy: Unsupported value: "Newest": supported values: "OldestEmulationVersion"'],
  },
  { name: 'a vendor strategy with a prefix is accepted', spec: { strategy: 'example.com/fastest' }, want: [] },
  {
    name: 'a preferred holder without a strategy is forbidden',
    spec: { preferredHolder: 'node-2' },
    want: ['spec.preferredHolder: Forbidden: may only be specified if `strategy` is defined'],
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(errors(lease(c.spec)), c.want);
  });
}

test('an update runs the same checks as a create', () => {
  assert.deepEqual(errors(lease({ leaseDurationSeconds: -5 }), lease({ leaseDurationSeconds: 15 })), [
    'spec.leaseDurationSeconds: Invalid value: -5: must be greater than 0',
  ]);
});

test('create drops the coordinated leader election fields, which are off by default', () => {
  const l = lease({ holderIdentity: 'a', strategy: 'OldestEmulationVersion', preferredHolder: 'b' });
  leaseResource.prepareForCreate!(l);
  assert.deepEqual(l.spec, { holderIdentity: 'a' });
});

test('acquire and renew times are MicroTime fields', () => {
  const spec = asNode(leaseResource.schema).properties!['spec']!;
  for (const f of ['acquireTime', 'renewTime']) {
    assert.equal(spec.properties![f]![DefinitionName], 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime');
  }
});

test('the table shows name, holder and age', () => {
  const l = lease({ holderIdentity: 'node-1' });
  l.metadata!.creationTimestamp = '2024-05-01T11:58:30Z';
  assert.deepEqual(leaseResource.table!.cells(l, now), ['kube-scheduler', 'node-1', '90s']);
  assert.deepEqual(leaseResource.table!.cells(lease({}), now), ['kube-scheduler', '', '<unknown>']);
  assert.deepEqual(
    leaseResource.table!.columns.map((c) => c.name),
    ['Name', 'Holder', 'Age'],
  );
});

test('the group exports the lease as a namespaced resource', () => {
  assert.deepEqual(
    resources.map((r) => [r.group, r.version, r.plural, r.namespaced]),
    [['coordination.k8s.io', 'v1', 'leases', true]],
  );
});
