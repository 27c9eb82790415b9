import { test } from 'node:test';
import assert from 'node:assert/strict';
import { limitRangeResource, type LimitRange, type LimitRangeItem } from '../../../../pkg/api/core/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { applyDefaults, validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const def = limitRangeResource;
const schema = asNode(def.schema);

function lr(...limits: LimitRangeItem[]): LimitRange {
  return { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'limits', namespace: 'default', creationTimestamp: '2024-05-01T11:00:00Z' }, spec: { limits } };
}

function defaulted(obj: LimitRange): LimitRange {
  applyDefaults(obj, schema);
  def.defaults!(obj);
  return obj;
}

const errors = (obj: LimitRange): string[] => [...validateSchema(obj, schema), ...def.validate!(defaulted(obj))].map(errorString);

test('container limits default to max, and requests to the limit or else min', () => {
  const item = defaulted(lr({ type: 'Container', max: { cpu: '2', memory: '1Gi' }, min: { cpu: '100m', 'ephemeral-storage': '1Gi' }, default: { memory: '512Mi' } })).spec!.limits![0]!;
  assert.deepEqual(item.default, { memory: '512Mi', cpu: '2' });
  assert.deepEqual(item.defaultRequest, { memory: '512Mi', cpu: '2', 'ephemeral-storage': '1Gi' });
});

test('pod limits get no defaults', () => {
  const item = defaulted(lr({ type: 'Pod', max: { cpu: '4' } })).spec!.limits![0]!;
  assert.equal(item.default, undefined);
});

const cases: { name: string; obj: () => LimitRange; want: string[] }[] = [
  { name: 'a consistent container range is valid', obj: () => lr({ type: 'Container', min: { cpu: '100m' }, max: { cpu: '2' }, default: { cpu: '500m' } }), want: [] },
  { name: 'the type must be a standard one', obj: () => lr({ type: 'Deployment' }), want: ['spec.limits[0].type: Invalid value: "Deployment": must be a standard limit type or fully qualified'] },
  { name: 'each type appears once', obj: () => lr({ type: 'Pod' }, { type: 'Pod' }), want: ['spec.limits[1].type: Duplicate value: "Pod"'] },
  {
    name: 'min may not exceed max',
    obj: () => lr({ type: 'Pod', min: { cpu: '2' }, max: { cpu: '1' } }),
    want: ['spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1'],
  },
  {
    name: 'pods take no defaults',
    obj: () => lr({ type: 'Pod', default: { cpu: '1' } }),
    want: ["spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'"],
  },
  {
    name: 'a claim range needs a minimum or maximum storage',
    obj: () => lr({ type: 'PersistentVolumeClaim', max: { cpu: '1' } }),
    want: ['spec.limits[0].limits: Required value: either minimum or maximum storage value is required, but neither was provided'],
  },
  {
    name: 'the limit/request ratio is at least 1 and at most max/min',
    obj: () => lr({ type: 'Pod', min: { cpu: '1' }, max: { cpu: '2' }, maxLimitRequestRatio: { cpu: '3' } }, { type: 'Container', maxLimitRequestRatio: { memory: '500m' } }),
    want: [
      'spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: "3": ratio 3 is greater than max/min = 2.000000',
      'spec.limits[1].maxLimitRequestRatio[memory]: Invalid value: "500m": ratio 500m is less than 1',
    ],
  },
  {
    name: 'container resources must be container resources (also where max was copied to the defaults)',
    obj: () => lr({ type: 'Container', max: { pods: '1' } }),
    want: [
      'spec.limits[0].max[pods]: Invalid value: "pods": must be a standard resource for containers',
      'spec.limits[0].default[pods]: Invalid value: "pods": must be a standard resource for containers',
      'spec.limits[0].defaultRequest[pods]: Invalid value: "pods": must be a standard resource for containers',
    ],
  },
];

for (const tc of cases) test(tc.name, () => assert.deepEqual(errors(tc.obj()), tc.want));

test('a limit range is shown with the generic name and creation time columns', () => {
  assert.deepEqual(def.table!.columns.map((c) => c.name), ['Name', 'Created At']);
  assert.deepEqual(def.table!.cells(lr(), new Date()), ['limits', '2024-05-01T11:00:00Z']);
});
