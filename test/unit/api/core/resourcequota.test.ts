import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceQuotaResource, type ResourceQuota } from '../../../../pkg/api/core/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const def = resourceQuotaResource;
const schema = asNode(def.schema);
const now = new Date('2024-05-01T12:00:00Z');

type Spec = NonNullable<ResourceQuota['spec']>;

function rq(spec: Spec = {}, status?: ResourceQuota['status']): ResourceQuota {
  return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute', namespace: 'default', creationTimestamp: '2024-05-01T11:58:00Z' }, spec, ...(status ? { status } : {}) };
}

const errors = (obj: ResourceQuota, old?: ResourceQuota): string[] =>
  [...validateSchema(obj, schema), ...(old ? def.validateUpdate!(obj, old) : def.validate!(obj))].map(errorString);

test('create clears the status', () => {
  const q = rq({ hard: { pods: '10' } }, { used: { pods: '3' } });
  def.prepareForCreate!(q);
  assert.deepEqual(q.status, {});
});

const cases: { name: string; obj: () => ResourceQuota; want: string[] }[] = [
  { name: 'a quota on standard resources and object counts is valid', obj: () => rq({ hard: { 'requests.cpu': '2', pods: '10', 'count/deployments.apps': '5' } }), want: [] },
  { name: 'unprefixed resources must be quota resources', obj: () => rq({ hard: { storage: '1Gi' } }), want: ['spec.hard[storage]: Invalid value: "storage": must be a standard resource for quota'] },
  { name: 'object counts must be whole', obj: () => rq({ hard: { pods: '1500m' } }), want: ['spec.hard[pods]: Invalid value: "1500m": must be an integer'] },
  {
    name: 'scopes must be known, fit the resources and not conflict',
    obj: () => rq({ hard: { services: '1' }, scopes: ['BestEffort', 'NotBestEffort', 'Sometimes'] }),
    want: [
      'spec.scopes: Invalid value: []string{"BestEffort", "NotBestEffort", "Sometimes"}: unsupported scope applied to resource',
      'spec.scopes: Invalid value: []string{"BestEffort", "NotBestEffort", "Sometimes"}: unsupported scope applied to resource',
      'spec.scopes: Invalid value: []string{"BestEffort", "NotBestEffort", "Sometimes"}: unsupported scope',
      'spec.scopes: Invalid value: []string{"BestEffort", "NotBestEffort", "Sometimes"}: conflicting scopes',
    ],
  },
  {
    name: 'scope selectors need Exists for the pod-state scopes and values for In',
    obj: () => rq({ hard: { pods: '1' }, scopeSelector: { matchExpressions: [{ scopeName: 'Terminating', operator: 'In', values: ['x'] }, { scopeName: 'PriorityClass', operator: 'In' }] } }),
    want: [
      "spec.scopeSelector.matchExpressions.operator: Invalid value: \"In\": must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
      "spec.scopeSelector.matchExpressions.values: Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
    ],
  },
];

for (const tc of cases) test(tc.name, () => assert.deepEqual(errors(tc.obj()), tc.want));

test('the scopes of a quota are fixed, in any order', () => {
  const old = rq({ hard: { pods: '1' }, scopes: ['Terminating', 'BestEffort'] });
  assert.deepEqual(errors(rq({ hard: { pods: '2' }, scopes: ['BestEffort', 'Terminating'] }), old), []);
  assert.deepEqual(errors(rq({ hard: { pods: '2' }, scopes: ['Terminating'] }), old), ['spec.scopes: Invalid value: []string{"Terminating"}: field is immutable']);
});

test('the table lists used/hard, requests and counts apart from limits', () => {
  const q = rq({}, { hard: { 'limits.memory': '2Gi', pods: '10', 'requests.cpu': '1', 'limits.cpu': '2' }, used: { pods: '3', 'requests.cpu': '500m' } });
  assert.deepEqual(def.table!.cells(q, now), ['compute', '2m', 'pods: 3/10, requests.cpu: 500m/1', 'limits.cpu: 0/2, limits.memory: 0/2Gi']);
});

test('a quota without status shows empty columns', () => {
  assert.deepEqual(def.table!.cells(rq(), now), ['compute', '2m', '', '']);
});
