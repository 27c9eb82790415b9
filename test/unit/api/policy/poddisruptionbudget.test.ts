import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EvictionSchema, podDisruptionBudgetResource, type PodDisruptionBudget } from '../../../../pkg/api/policy/v1/index.js';
import { asNode, DefinitionName } from '../../../../pkg/api/schema/dsl.js';
import { validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const now = new Date('2024-05-01T12:00:00Z');
const schema = asNode(podDisruptionBudgetResource.schema);

function pdb(spec: PodDisruptionBudget['spec'], status?: PodDisruptionBudget['status']): PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-05-01T11:59:15Z' },
    spec,
    ...(status ? { status } : {}),
  };
}

function errors(obj: PodDisruptionBudget, old?: PodDisruptionBudget): string[] {
  const kind = old ? podDisruptionBudgetResource.validateUpdate!(obj, old) : podDisruptionBudgetResource.validate!(obj);
  return [...validateSchema(obj, schema), ...kind].map(errorString);
}

const percentMsg =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

const cases: { name: string; spec: PodDisruptionBudget['spec']; want: string[] }[] = [
  { name: 'a budget with minAvailable and a selector is valid', spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } }, want: [] },
  { name: 'a percentage of unavailable pods is valid', spec: { maxUnavailable: '25%', unhealthyPodEvictionPolicy: 'AlwaysAllow' }, want: [] },
  {
    name: 'a negative minAvailable is rejected',
    spec: { minAvailable: -1 },
    want: ['spec.minAvailable: Invalid value: -1: must be greater than or equal to 0'],
  },
  { name: 'a string that is no percentage is rejected', spec: { maxUnavailable: '3' }, want: [`spec.maxUnavailable: Invalid value: "3": ${percentMsg}`] },
  {
    name: 'a percentage above 100 is rejected',
    spec: { minAvailable: '150%' },
    want: ['spec.minAvailable: Invalid value: "150%": must not be greater than 100%'],
  },
  {
    name: 'an unknown unhealthy pod eviction policy is not supported',
    spec: { unhealthyPodEvictionPolicy: 'Never' },
    want: ['spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"'],
  },
  {
    name: 'a selector with a bad operator is rejected',
    spec: { selector: { matchExpressions: [{ key: 'app', operator: 'Has' }] } },
    want: ['spec.selector.matchExpressions[0].operator: Invalid value: "Has": not a valid selector operator'],
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(errors(pdb(c.spec)), c.want);
  });
}

test('minAvailable and maxUnavailable cannot both be set', () => {
  const errs = podDisruptionBudgetResource.validate!(pdb({ minAvailable: 1, maxUnavailable: 1 }));
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.field, 'spec');
  assert.equal(errs[0]!.detail, 'minAvailable and maxUnavailable cannot be both set');
});

test('an update may keep selector values stored before they were checked', () => {
  const bad = pdb({ selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['a b'] }] } });
  assert.equal(errors(bad).length, 1);
  assert.deepEqual(errors(structuredClone(bad), bad), []);
});

test('create resets the status to zero counters', () => {
  const p = pdb({ minAvailable: 1 }, { disruptionsAllowed: 5, expectedPods: 9 });
  podDisruptionBudgetResource.prepareForCreate!(p);
  assert.deepEqual(p.status, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
  assert.deepEqual(podDisruptionBudgetResource.subresources, { status: true });
});

test('the table shows N/A for the bound that is not set', () => {
  assert.deepEqual(podDisruptionBudgetResource.table!.cells(pdb({ minAvailable: '50%' }, { disruptionsAllowed: 1 }), now), [
    'web',
    '50%',
    'N/A',
    1,
    '45s',
  ]);
  assert.deepEqual(podDisruptionBudgetResource.table!.cells(pdb({ maxUnavailable: 1 }), now), ['web', 'N/A', '1', 0, '45s']);
  assert.deepEqual(
    podDisruptionBudgetResource.table!.columns.map((c) => c.name),
    ['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age'],
  );
});

test('the selector is replaced, not merged, by a strategic merge patch', () => {
  const spec = schema.properties!['spec']!;
  assert.equal(spec.properties!['selector']!['x-kubernetes-patch-strategy'], 'replace');
  assert.equal(spec.properties!['minAvailable']!['x-kubernetes-int-or-string'], true);
});

test('an eviction carries metadata and delete options', () => {
  const e = asNode(EvictionSchema);
  assert.equal(e[DefinitionName], 'io.k8s.api.policy.v1.Eviction');
  assert.deepEqual(Object.keys(e.properties!), ['apiVersion', 'kind', 'metadata', 'deleteOptions']);
  assert.equal(e.properties!['deleteOptions']![DefinitionName], 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions');
});
