import { test } from 'node:test';
import assert from 'node:assert/strict';
import { namespaceResource, prepareNamespaceForUpdate, type Namespace } from '../../../../pkg/api/core/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { applyDefaults, validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const def = namespaceResource;
const schema = asNode(def.schema);
const now = new Date('2024-05-01T12:00:00Z');

function ns(fields: Partial<Namespace> = {}): Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', creationTimestamp: '2024-05-01T10:00:00Z' }, ...fields };
}

function created(obj: Namespace): Namespace {
  applyDefaults(obj, schema);
  def.defaults!(obj);
  def.prepareForCreate!(obj);
  return obj;
}

test('a new namespace is Active, holds the kubernetes finalizer and is labelled with its name', () => {
  const n = created(ns({ status: { phase: 'Terminating' } }));
  assert.deepEqual(n.status, { phase: 'Active' });
  assert.deepEqual(n.spec, { finalizers: ['kubernetes'] });
  assert.equal(n.metadata!.labels!['kubernetes.io/metadata.name'], 'team-a');
});

test('the kubernetes finalizer is added after the ones given', () => {
  assert.deepEqual(created(ns({ spec: { finalizers: ['example.com/cleanup'] } })).spec!.finalizers, ['example.com/cleanup', 'kubernetes']);
  assert.deepEqual(created(ns({ spec: { finalizers: ['kubernetes'] } })).spec!.finalizers, ['kubernetes']);
});

const cases: { name: string; obj: () => Namespace; want: string[] }[] = [
  { name: 'qualified finalizers are valid', obj: () => ns({ spec: { finalizers: ['example.com/cleanup'] } }), want: [] },
  {
    name: 'unqualified finalizers must be standard ones, reported at the list',
    obj: () => ns({ spec: { finalizers: ['cleanup'] } }),
    want: ['spec.finalizers: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified'],
  },
];

for (const tc of cases) test(tc.name, () => assert.deepEqual([...validateSchema(tc.obj(), schema), ...def.validate!(tc.obj())].map(errorString), tc.want));

test('a main-resource update keeps the finalizers and status and restores the name label', () => {
  const old = created(ns());
  const next = ns({ spec: { finalizers: [] }, status: { phase: 'Terminating' } });
  prepareNamespaceForUpdate(next, old);
  assert.deepEqual(next.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(next.status, { phase: 'Active' });
  assert.equal(next.metadata!.labels!['kubernetes.io/metadata.name'], 'team-a');
});

test('the table shows the phase', () => {
  assert.deepEqual(def.table!.cells(created(ns()), now), ['team-a', 'Active', '120m']);
});

test('namespaces can be selected by phase', () => {
  assert.equal(def.fieldSelectors!['status.phase']!(created(ns())), 'Active');
});

test('a namespace is cluster-scoped and named like a DNS label', () => {
  assert.equal(def.namespaced, false);
  assert.equal(def.nameValidation, 'label');
  assert.deepEqual(def.shortNames, ['ns']);
});
