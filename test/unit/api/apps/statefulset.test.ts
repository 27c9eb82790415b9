import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statefulSetResource, type StatefulSet } from '../../../../pkg/api/apps/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { applyDefaults, validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const def = statefulSetResource;
const schema = asNode(def.schema);
const now = new Date('2024-05-01T12:00:00Z');

type Spec = NonNullable<StatefulSet['spec']>;

function statefulSet(spec: Partial<Spec> = {}): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'default', creationTimestamp: '2024-04-30T12:00:00Z' },
    spec: {
      selector: { matchLabels: { app: 'db' } },
      serviceName: 'db',
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'postgres', image: 'postgres:16' }] } },
      ...spec,
    } as Spec,
  };
}

function defaulted(obj: StatefulSet): StatefulSet {
  applyDefaults(obj, schema);
  def.defaults!(obj);
  return obj;
}

function errors(obj: StatefulSet, old?: StatefulSet): string[] {
  defaulted(obj);
  const kind = old ? def.validateUpdate!(obj, defaulted(old)) : def.validate!(obj);
  return [...validateSchema(obj, schema), ...kind].map(errorString);
}

test('a stateful set gets ordered pod management, a partitioned rolling update and retained claims', () => {
  const s = defaulted(statefulSet()).spec!;
  assert.equal(s.replicas, 1);
  assert.equal(s.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(s.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.equal(s.revisionHistoryLimit, 10);
  assert.deepEqual(s.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
});

test('an explicit RollingUpdate type without parameters stays without them', () => {
  const s = defaulted(statefulSet({ updateStrategy: { type: 'RollingUpdate' } })).spec!;
  assert.deepEqual(s.updateStrategy, { type: 'RollingUpdate' });
});

test('a stateful set without serviceName is valid', () => {
  assert.deepEqual(errors(statefulSet({ serviceName: undefined })), []);
});

const cases: { name: string; obj: () => StatefulSet; want: string[] }[] = [
  { name: 'a plain stateful set is valid', obj: () => statefulSet(), want: [] },
  {
    name: 'an unknown pod management policy is rejected',
    obj: () => statefulSet({ podManagementPolicy: 'Random' }),
    want: ['spec.podManagementPolicy: Invalid value: "Random": must be \'OrderedReady\' or \'Parallel\''],
  },
  {
    name: 'rolling update parameters are rejected with the OnDelete strategy',
    obj: () => statefulSet({ updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 1 } } }),
    want: ['spec.updateStrategy.rollingUpdate: Invalid value: {"partition":1}: only allowed for updateStrategy \'RollingUpdate\''],
  },
  {
    name: 'a negative partition is rejected',
    obj: () => statefulSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: -1 } } }),
    want: ['spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0'],
  },
  {
    name: 'an unknown update strategy is rejected',
    obj: () => statefulSet({ updateStrategy: { type: 'Blue' } }),
    want: ['spec.updateStrategy: Invalid value: {"type":"Blue"}: must be \'RollingUpdate\' or \'OnDelete\''],
  },
  {
    name: 'an unknown claim retention policy is not supported',
    obj: () => statefulSet({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Keep' } }),
    want: ['spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"'],
  },
  {
    name: 'a negative start ordinal is rejected',
    obj: () => statefulSet({ ordinals: { start: -1 } }),
    want: ['spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0'],
  },
  {
    name: 'an empty selector is rejected',
    obj: () => statefulSet({ selector: {} }),
    want: ['spec.selector: Invalid value: {}: empty selector is invalid for statefulset'],
  },
  {
    name: 'template labels that do not match the selector are rejected',
    obj: () => statefulSet({ selector: { matchLabels: { app: 'cache' } } }),
    want: ['spec.template.metadata.labels: Invalid value: {"app":"db"}: `selector` does not match template `labels`'],
  },
  {
    name: 'a template that does not always restart is not supported',
    obj: () => {
      const s = statefulSet();
      s.spec!.template!.spec!.restartPolicy = 'Never';
      return s;
    },
    want: ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
  },
  {
    name: 'an active deadline on the template is forbidden',
    obj: () => {
      const s = statefulSet();
      s.spec!.template!.spec!.activeDeadlineSeconds = 10;
      return s;
    },
    want: ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported'],
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(errors(c.obj()), c.want);
  });
}

const forbiddenUpdate =
  "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

const updates: { name: string; change: (s: Spec) => void; want: string[] }[] = [
  { name: 'scaling a stateful set is allowed', change: (s) => (s.replicas = 5), want: [] },
  { name: 'a new image in the template is allowed', change: (s) => (s.template!.spec!.containers![0]!.image = 'postgres:17'), want: [] },
  { name: 'a new update strategy is allowed', change: (s) => (s.updateStrategy = { type: 'OnDelete' }), want: [] },
  { name: 'a new minReadySeconds is allowed', change: (s) => (s.minReadySeconds = 10), want: [] },
  { name: 'a new claim retention policy is allowed', change: (s) => (s.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Delete' }), want: [] },
  { name: 'a new service name is forbidden', change: (s) => (s.serviceName = 'other'), want: [forbiddenUpdate] },
  { name: 'a new pod management policy is forbidden', change: (s) => (s.podManagementPolicy = 'Parallel'), want: [forbiddenUpdate] },
  { name: 'a new revision history limit is forbidden', change: (s) => (s.revisionHistoryLimit = 3), want: [forbiddenUpdate] },
];

for (const u of updates) {
  test(u.name, () => {
    const next = defaulted(statefulSet());
    u.change(next.spec!);
    assert.deepEqual(errors(next, statefulSet()), u.want);
  });
}

test('stateful set names must be DNS labels', () => {
  assert.equal(def.nameValidation, 'label');
  assert.deepEqual(def.shortNames, ['sts']);
});

test('creating a stateful set zeroes its status and drops the alpha maxUnavailable', () => {
  const s = defaulted(statefulSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 2 } } }));
  s.status = { replicas: 3, readyReplicas: 3 };
  def.prepareForCreate!(s);
  assert.deepEqual(s.status, { replicas: 0, availableReplicas: 0 });
  assert.deepEqual(s.spec!.updateStrategy!.rollingUpdate, { partition: 0 });
});

test('the table shows ready/desired pods and, wide, the containers', () => {
  const s = defaulted(statefulSet({ replicas: 3 }));
  s.status = { replicas: 3, readyReplicas: 2, availableReplicas: 2 };
  assert.deepEqual(def.table!.cells(s, now), ['db', '2/3', '24h', 'postgres', 'postgres:16']);
  assert.deepEqual(
    def.table!.columns.map((c) => c.name),
    ['Name', 'Ready', 'Age', 'Containers', 'Images'],
  );
});
