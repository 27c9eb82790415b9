import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replicaSetResource, type ReplicaSet } from '../../../../pkg/api/apps/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { applyDefaults, validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const def = replicaSetResource;
const schema = asNode(def.schema);
const now = new Date('2024-05-01T12:00:00Z');

type Spec = NonNullable<ReplicaSet['spec']>;

function replicaSet(spec: Partial<Spec> = {}, status?: ReplicaSet['status']): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-5d8f', namespace: 'default', creationTimestamp: '2024-05-01T11:59:00Z' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web', 'pod-template-hash': '5d8f' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
      ...spec,
    } as Spec,
    ...(status ? { status } : {}),
  };
}

function defaulted(obj: ReplicaSet): ReplicaSet {
  applyDefaults(obj, schema);
  def.defaults!(obj);
  return obj;
}

function errors(obj: ReplicaSet, old?: ReplicaSet): string[] {
  defaulted(obj);
  const kind = old ? def.validateUpdate!(obj, defaulted(old)) : def.validate!(obj);
  return [...validateSchema(obj, schema), ...kind].map(errorString);
}

test('a replica set without replicas wants one', () => {
  assert.equal(defaulted(replicaSet()).spec!.replicas, 1);
});

const cases: { name: string; obj: () => ReplicaSet; want: string[] }[] = [
  { name: 'a replica set whose selector matches its template is valid', obj: () => replicaSet(), want: [] },
  {
    name: 'a replica set without selector is rejected',
    obj: () => replicaSet({ selector: undefined }),
    want: [
      'spec.selector: Required value',
      'spec.template.metadata.labels: Invalid value: {"app":"web","pod-template-hash":"5d8f"}: `selector` does not match template `labels`',
    ],
  },
  {
    name: 'an empty selector is rejected with the same words as for deployments',
    obj: () => replicaSet({ selector: { matchLabels: {} } }),
    want: ['spec.selector: Invalid value: {"matchLabels":{}}: empty selector is invalid for deployment'],
  },
  {
    name: 'a negative minReadySeconds is rejected',
    obj: () => replicaSet({ minReadySeconds: -5 }),
    want: ['spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0'],
  },
  {
    name: 'a set-based selector that matches the template is valid',
    obj: () => replicaSet({ selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] } }),
    want: [],
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(errors(c.obj()), c.want);
  });
}

test('the selector of a replica set cannot change', () => {
  const next = replicaSet({ selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d8f' } } });
  assert.deepEqual(errors(next, replicaSet()), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "pod-template-hash":"5d8f"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  ]);
});

test('creating a replica set resets its status to zero replicas', () => {
  const rs = replicaSet({}, { replicas: 4, readyReplicas: 4 });
  def.prepareForCreate!(rs);
  assert.deepEqual(rs.status, { replicas: 0 });
});

test('the table shows desired, current and ready replicas', () => {
  const rs = defaulted(replicaSet({ replicas: 3 }, { replicas: 3, readyReplicas: 1 }));
  assert.deepEqual(def.table!.cells(rs, now), ['web-5d8f', 3, 3, 1, '60s', 'web', 'nginx', 'app=web']);
  assert.deepEqual(
    def.table!.columns.map((c) => c.name),
    ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers', 'Images', 'Selector'],
  );
});

test('replica sets can be selected by status.replicas', () => {
  assert.equal(def.fieldSelectors!['status.replicas']!(replicaSet({}, { replicas: 2 })), '2');
  assert.equal(def.fieldSelectors!['status.replicas']!(replicaSet()), '0');
});
