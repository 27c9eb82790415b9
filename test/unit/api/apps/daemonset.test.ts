import { test } from 'node:test';
import assert from 'node:assert/strict';
import { daemonSetResource, prepareDaemonSetUpdate, templateGenerationAnnotation, type DaemonSet } from '../../../../pkg/api/apps/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { applyDefaults, validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const def = daemonSetResource;
const schema = asNode(def.schema);
const now = new Date('2024-05-01T12:00:00Z');

type Spec = NonNullable<DaemonSet['spec']>;

function daemonSet(spec: Partial<Spec> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'kube-system', creationTimestamp: '2024-05-01T11:58:30Z' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'agent:2' }] } },
      ...spec,
    },
  };
}

function defaulted(obj: DaemonSet): DaemonSet {
  applyDefaults(obj, schema);
  def.defaults!(obj);
  return obj;
}

function errors(obj: DaemonSet, old?: DaemonSet): string[] {
  defaulted(obj);
  const kind = old ? def.validateUpdate!(obj, defaulted(old)) : def.validate!(obj);
  return [...validateSchema(obj, schema), ...kind].map(errorString);
}

test('a daemon set rolls out one node at a time without surge by default', () => {
  const s = defaulted(daemonSet()).spec!;
  assert.deepEqual(s.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(s.revisionHistoryLimit, 10);
});

test('an OnDelete daemon set gets no rolling update parameters', () => {
  assert.deepEqual(defaulted(daemonSet({ updateStrategy: { type: 'OnDelete' } })).spec!.updateStrategy, { type: 'OnDelete' });
});

const cases: { name: string; obj: () => DaemonSet; want: string[] }[] = [
  { name: 'a plain daemon set is valid', obj: () => daemonSet(), want: [] },
  {
    name: 'a daemon set without selector only fails the template match',
    obj: () => daemonSet({ selector: undefined }),
    want: ['spec.template.metadata.labels: Invalid value: {"app":"agent"}: `selector` does not match template `labels`'],
  },
  {
    name: 'an empty selector is rejected',
    obj: () => daemonSet({ selector: {} }),
    want: ['spec.selector: Invalid value: {}: empty selector is invalid for daemonset'],
  },
  {
    name: 'maxSurge may not be set together with a non-zero maxUnavailable',
    obj: () => daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: '10%' } } }),
    want: ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: "10%": may not be set when maxUnavailable is non-zero'],
  },
  {
    name: 'maxUnavailable and maxSurge may not both be zero',
    obj: () => daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }),
    want: ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0'],
  },
  {
    name: 'a surge above 100% is rejected',
    obj: () => daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '200%' } } }),
    want: ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: "200%": must not be greater than 100%'],
  },
  {
    name: 'an unknown update strategy is not supported',
    obj: () => daemonSet({ updateStrategy: { type: 'Canary' } }),
    want: ['spec.updateStrategy: Unsupported value: {"type":"Canary"}: supported values: "RollingUpdate", "OnDelete"'],
  },
  {
    name: 'an active deadline on the template is forbidden',
    obj: () => {
      const d = daemonSet();
      d.spec!.template!.spec!.activeDeadlineSeconds = 5;
      return d;
    },
    want: ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported'],
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(errors(c.obj()), c.want);
  });
}

test('the selector of a daemon set cannot change', () => {
  const next = daemonSet({ selector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] } });
  assert.deepEqual(errors(next, daemonSet()), ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"Exists", Values:[]string(nil)}}}: field is immutable']);
});

test('a created daemon set starts at template generation 1 with a zeroed status', () => {
  const d = defaulted(daemonSet());
  def.prepareForCreate!(d);
  assert.equal(d.metadata!.annotations![templateGenerationAnnotation], '1');
  assert.deepEqual(d.status, { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });
});

test('the template generation moves only when the template changes', () => {
  const old = defaulted(daemonSet());
  old.metadata!.annotations = { [templateGenerationAnnotation]: '3' };
  const same = defaulted(daemonSet({ minReadySeconds: 5 }));
  prepareDaemonSetUpdate(same, old);
  assert.equal(same.metadata!.annotations![templateGenerationAnnotation], '3');
  const changed = defaulted(daemonSet());
  changed.spec!.template!.spec!.containers![0]!.image = 'agent:3';
  changed.metadata!.annotations = { [templateGenerationAnnotation]: '99' };
  prepareDaemonSetUpdate(changed, old);
  assert.equal(changed.metadata!.annotations![templateGenerationAnnotation], '4');
});

test('the table shows the scheduling counters, the node selector and, wide, containers and selector', () => {
  const d = defaulted(daemonSet());
  d.spec!.template!.spec!.nodeSelector = { 'kubernetes.io/os': 'linux', disk: 'ssd' };
  d.status = { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2, numberMisscheduled: 0 };
  assert.deepEqual(def.table!.cells(d, now), ['agent', 3, 3, 2, 3, 2, 'disk=ssd,kubernetes.io/os=linux', '90s', 'agent', 'agent:2', 'app=agent']);
  const noSelector = defaulted(daemonSet());
  assert.equal(def.table!.cells(noSelector, now)[6], '<none>');
  assert.deepEqual(
    def.table!.columns.map((c) => c.name),
    ['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers', 'Images', 'Selector'],
  );
});
