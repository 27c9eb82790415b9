import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csiDriverResource, type CSIDriver } from '../../../../pkg/api/storage/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { applyDefaults, validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const now = new Date('2024-05-01T12:00:00Z');
const schema = asNode(csiDriverResource.schema);

function driver(spec?: CSIDriver['spec']): CSIDriver {
  const obj: CSIDriver = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'CSIDriver',
    metadata: { name: 'hostpath.csi.kubets.io', creationTimestamp: '2024-05-01T10:00:00Z' },
    ...(spec ? { spec } : {}),
  };
  applyDefaults(obj, schema);
  csiDriverResource.defaults!(obj);
  return obj;
}

function errors(obj: CSIDriver, old?: CSIDriver): string[] {
  const kind = old ? csiDriverResource.validateUpdate!(obj, old) : csiDriverResource.validate!(obj);
  return [...validateSchema(obj, schema), ...kind].map(errorString);
}

const defaults = {
  attachRequired: true,
  podInfoOnMount: false,
  volumeLifecycleModes: ['Persistent'],
  storageCapacity: false,
  fsGroupPolicy: 'ReadWriteOnceWithFSType',
  requiresRepublish: false,
  seLinuxMount: false,
};

test('every spec field is defaulted, even when the spec is absent', () => {
  assert.deepEqual(driver().spec, defaults);
  assert.deepEqual(driver({}).spec, defaults);
});

test('an empty list of lifecycle modes defaults to Persistent', () => {
  assert.deepEqual(driver({ volumeLifecycleModes: [] }).spec!.volumeLifecycleModes, ['Persistent']);
  assert.deepEqual(driver({ attachRequired: false, volumeLifecycleModes: ['Ephemeral'] }).spec!.volumeLifecycleModes, ['Ephemeral']);
});

const cases: { name: string; obj: CSIDriver; want: string[] }[] = [
  { name: 'a defaulted driver is valid', obj: driver(), want: [] },
  {
    name: 'an unknown lifecycle mode is reported on the list',
    obj: driver({ volumeLifecycleModes: ['Persistent', 'Transient'] }),
    want: ['spec.volumeLifecycleModes: Unsupported value: "Transient": supported values: "Persistent", "Ephemeral"'],
  },
  {
    name: 'an unknown fsGroup policy is not supported',
    obj: driver({ fsGroupPolicy: 'Always' }),
    want: ['spec.fsGroupPolicy: Unsupported value: "Always": supported values: "File", "None", "ReadWriteOnceWithFSType"'],
  },
  {
    name: 'token requests need distinct audiences and sensible lifetimes',
    obj: driver({ tokenRequests: [{ audience: 'vault', expirationSeconds: 60 }, { audience: 'vault' }, { audience: '' }] }),
    want: [
      'spec.tokenRequests[0].expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
      'spec.tokenRequests[1].audience: Duplicate value: "vault"',
    ],
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(errors(c.obj), c.want);
  });
}

test('attachRequired and the lifecycle modes cannot change, other fields can', () => {
  const old = driver();
  const next = driver({ attachRequired: false, volumeLifecycleModes: ['Persistent', 'Ephemeral'] });
  const errs = csiDriverResource.validateUpdate!(next, old);
  // Upstream reports attachRequired under the misspelt path "attachedRequired".
  assert.equal(errorString(errs[0]!), 'spec.attachedRequired: Invalid value: false: field is immutable');
  assert.deepEqual([errs[1]!.field, errs[1]!.detail], ['spec.volumeLifecycleModes', 'field is immutable']);
  assert.equal(errs.length, 2);
  assert.deepEqual(errors(driver({ podInfoOnMount: true, requiresRepublish: true, tokenRequests: [{ audience: 'a' }] }), old), []);
});

test('the table shows the driver capabilities', () => {
  assert.deepEqual(csiDriverResource.table!.cells(driver(), now), [
    'hostpath.csi.kubets.io',
    true,
    false,
    false,
    '<unset>',
    false,
    'Persistent',
    '120m',
  ]);
  const d = driver({ tokenRequests: [{ audience: 'a' }, { audience: 'b' }] });
  assert.equal(csiDriverResource.table!.cells(d, now)[4], 'a,b');
  assert.deepEqual(
    csiDriverResource.table!.columns.map((c) => c.name),
    ['Name', 'AttachRequired', 'PodInfoOnMount', 'StorageCapacity', 'TokenRequests', 'RequiresRepublish', 'Modes', 'Age'],
  );
});
