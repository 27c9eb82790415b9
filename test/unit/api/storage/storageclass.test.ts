import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultStorageClassName, storageClassResource, type StorageClass } from '../../../../pkg/api/storage/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { applyDefaults, validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const now = new Date('2024-05-01T12:00:00Z');
const schema = asNode(storageClassResource.schema);

function sc(fields: Partial<StorageClass> = {}): StorageClass {
  const obj: StorageClass = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'standard', creationTimestamp: '2024-04-28T12:00:00Z' },
    provisioner: 'hostpath.csi.kubets.io',
    ...fields,
  };
  applyDefaults(obj, schema);
  return obj;
}

function errors(obj: StorageClass, old?: StorageClass): string[] {
  const kind = old ? storageClassResource.validateUpdate!(obj, old) : storageClassResource.validate!(obj);
  return [...validateSchema(obj, schema), ...kind].map(errorString);
}

test('reclaim policy defaults to Delete and binding mode to Immediate', () => {
  const s = sc();
  assert.equal(s.reclaimPolicy, 'Delete');
  assert.equal(s.volumeBindingMode, 'Immediate');
});

const cases: { name: string; obj: StorageClass; want: string[] }[] = [
  {
    name: 'a class with parameters, mount options and topologies is valid',
    obj: sc({
      parameters: { type: 'ssd' },
      mountOptions: ['noatime'],
      allowVolumeExpansion: true,
      volumeBindingMode: 'WaitForFirstConsumer',
      allowedTopologies: [{ matchLabelExpressions: [{ key: 'topology.kubernetes.io/zone', values: ['a', 'b'] }] }],
    }),
    want: [],
  },
  { name: 'a provisioner is required', obj: sc({ provisioner: '' }), want: ['provisioner: Required value'] },
  {
    name: 'a provisioner must be a qualified name',
    obj: sc({ provisioner: 'kubernetes.io/aws/ebs' }),
    want: [
      "provisioner: Invalid value: \"kubernetes.io/aws/ebs\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ],
  },
  { name: 'upper case in a provisioner is accepted', obj: sc({ provisioner: 'Example.COM/Disk' }), want: [] },
  {
    name: 'an unknown reclaim policy is not supported',
    obj: sc({ reclaimPolicy: 'Recycle' }),
    want: ['reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"'],
  },
  {
    name: 'an unknown binding mode is not supported',
    obj: sc({ volumeBindingMode: 'Later' }),
    want: ['volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"'],
  },
  {
    name: 'an empty parameter key is rejected',
    obj: sc({ parameters: { '': 'x' } }),
    want: ['parameters: Invalid value: "": field can not be empty.'],
  },
  {
    name: 'a topology requirement needs values and a valid key',
    obj: sc({ allowedTopologies: [{ matchLabelExpressions: [{ key: 'zone', values: [] }, { key: 'zone', values: ['a', 'a'] }] }] }),
    want: [
      'allowedTopologies[0].matchLabelExpressions[0].values: Required value',
      'allowedTopologies[0].matchLabelExpressions[1].values[1]: Duplicate value: "a"',
      'allowedTopologies[0].matchLabelExpressions[1].key: Duplicate value: "zone"',
    ],
  },
  {
    name: 'two equal topology terms are duplicates',
    obj: sc({
      allowedTopologies: [
        { matchLabelExpressions: [{ key: 'zone', values: ['a', 'b'] }] },
        { matchLabelExpressions: [{ key: 'zone', values: ['b', 'a'] }] },
      ],
    }),
    want: ['allowedTopologies[1].matchLabelExpressions: Duplicate value: ""'],
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(errors(c.obj), c.want);
  });
}

test('provisioner, parameters, reclaim policy and binding mode cannot change', () => {
  const old = sc({ parameters: { type: 'ssd' } });
  const next = sc({
    provisioner: 'other.example.com',
    parameters: { type: 'hdd' },
    reclaimPolicy: 'Retain',
    volumeBindingMode: 'WaitForFirstConsumer',
  });
  assert.deepEqual(errors(next, old), [
    'parameters: Forbidden: updates to parameters are forbidden.',
    'provisioner: Forbidden: updates to provisioner are forbidden.',
    'reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.',
    'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
  ]);
  assert.deepEqual(errors(sc({ parameters: { type: 'ssd' }, allowVolumeExpansion: true }), old), []);
});

test('the default class is marked in the name column', () => {
  const s = sc({ allowVolumeExpansion: true });
  s.metadata!.annotations = { 'storageclass.kubernetes.io/is-default-class': 'true' };
  assert.deepEqual(storageClassResource.table!.cells(s, now), [
    'standard (default)',
    'hostpath.csi.kubets.io',
    'Delete',
    'Immediate',
    true,
    '3d',
  ]);
  const beta = sc();
  beta.metadata!.annotations = { 'storageclass.beta.kubernetes.io/is-default-class': 'true' };
  assert.equal(storageClassResource.table!.cells(beta, now)[0], 'standard (default)');
  assert.deepEqual(storageClassResource.table!.cells(sc(), now).slice(0, 1), ['standard']);
  assert.deepEqual(
    storageClassResource.table!.columns.map((c) => c.name),
    ['Name', 'Provisioner', 'ReclaimPolicy', 'VolumeBindingMode', 'AllowVolumeExpansion', 'Age'],
  );
});

test('the default class: marked by either annotation, the newest when several, none when unmarked', () => {
  const sc = (name: string, created: string, annotation?: string): StorageClass => ({
    metadata: { name, creationTimestamp: created, ...(annotation ? { annotations: { [annotation]: 'true' } } : {}) },
    provisioner: 'example.com/p',
  });
  assert.equal(defaultStorageClassName([sc('plain', '2026-01-01T00:00:00Z')]), undefined);
  assert.equal(defaultStorageClassName([sc('old', '2026-01-01T00:00:00Z', 'storageclass.kubernetes.io/is-default-class'), sc('new', '2026-02-01T00:00:00Z', 'storageclass.beta.kubernetes.io/is-default-class'), sc('plain', '2026-03-01T00:00:00Z')]), 'new');
  assert.equal(defaultStorageClassName([sc('b', '2026-01-01T00:00:00Z', 'storageclass.kubernetes.io/is-default-class'), sc('a', '2026-01-01T00:00:00Z', 'storageclass.kubernetes.io/is-default-class')]), 'a');
});
