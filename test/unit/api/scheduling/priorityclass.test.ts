import { test } from 'node:test';
import assert from 'node:assert/strict';
import { priorityClassResource, type PriorityClass } from '../../../../pkg/api/scheduling/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { applyDefaults, validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const now = new Date('2024-05-01T12:00:00Z');
const schema = asNode(priorityClassResource.schema);

function pc(name: string, fields: Partial<PriorityClass> = {}): PriorityClass {
  return {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name, creationTimestamp: '2024-04-30T12:00:00Z' },
    value: 1000,
    ...fields,
  };
}

function errors(obj: PriorityClass, old?: PriorityClass): string[] {
  const kind = old ? priorityClassResource.validateUpdate!(obj, old) : priorityClassResource.validate!(obj);
  return [...validateSchema(obj, schema), ...kind].map(errorString);
}

test('the preemption policy defaults to PreemptLowerPriority and an absent value to 0', () => {
  const p = pc('low', { value: undefined });
  applyDefaults(p, schema);
  priorityClassResource.defaults!(p);
  assert.equal(p.preemptionPolicy, 'PreemptLowerPriority');
  assert.equal(p.value, 0);
});

const cases: { name: string; obj: PriorityClass; want: string[] }[] = [
  { name: 'a user class with a modest value is valid', obj: pc('high', { globalDefault: true, description: 'x' }), want: [] },
  { name: 'the highest user value is allowed', obj: pc('top', { value: 1000000000 }), want: [] },
  {
    name: 'a user class above one billion is forbidden',
    obj: pc('too-high', { value: 1000000001 }),
    want: ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000'],
  },
  { name: 'the system node critical class with its exact value is valid', obj: pc('system-node-critical', { value: 2000001000 }), want: [] },
  {
    name: 'an unknown system- class is reserved',
    obj: pc('system-mine'),
    want: [
      "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class",
    ],
  },
  {
    name: 'a system class must keep its value',
    obj: pc('system-cluster-critical', { value: 5 }),
    want: [
      "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of system-cluster-critical PriorityClass must be 2000000000",
    ],
  },
  {
    name: 'an unknown preemption policy is not supported',
    obj: pc('p', { preemptionPolicy: 'Always' }),
    want: ['preemptionPolicy: Unsupported value: "Always": supported values: "PreemptLowerPriority", "Never"'],
  },
  { name: 'an empty preemption policy is required', obj: pc('p', { preemptionPolicy: '' }), want: ['preemptionPolicy: Required value'] },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(errors(c.obj), c.want);
  });
}

test('value and preemption policy cannot change', () => {
  const old = pc('p', { preemptionPolicy: 'PreemptLowerPriority' });
  assert.deepEqual(errors(pc('p', { value: 2000, preemptionPolicy: 'Never' }), old), [
    'value: Forbidden: may not be changed in an update.',
    'preemptionPolicy: Invalid value: "Never": field is immutable',
  ]);
  assert.deepEqual(errors(pc('p', { description: 'new text', preemptionPolicy: 'PreemptLowerPriority' }), old), []);
});

test('the table shows value, global default and age and preemption policy by default', () => {
  const p = pc('high', { globalDefault: true, preemptionPolicy: 'Never' });
  assert.deepEqual(priorityClassResource.table!.cells(p, now), ['high', 1000, true, '24h', 'Never']);
  assert.deepEqual(
    priorityClassResource.table!.columns.map((c) => [c.name, c.priority]),
    [['Name', 0], ['Value', 0], ['Global-Default', 0], ['Age', 0], ['PreemptionPolicy', 0]],
  );
  assert.deepEqual(priorityClassResource.shortNames, ['pc']);
  assert.equal(priorityClassResource.namespaced, false);
});
