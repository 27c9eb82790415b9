import { test } from 'node:test';
import assert from 'node:assert/strict';
import { persistentVolumeClaimResource, type PersistentVolumeClaim } from '../../../../pkg/api/core/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { applyDefaults, validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const def = persistentVolumeClaimResource;
const schema = asNode(def.schema);
const now = new Date('2024-05-01T12:00:00Z');

type Spec = NonNullable<PersistentVolumeClaim['spec']>;

function pvc(spec: Partial<Spec> = {}, extra: Partial<PersistentVolumeClaim> = {}): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: 'default', creationTimestamp: '2024-05-01T11:00:00Z' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
    ...extra,
  };
}

function created(obj: PersistentVolumeClaim): PersistentVolumeClaim {
  applyDefaults(obj, schema);
  def.defaults!(obj);
  def.prepareForCreate!(obj);
  return obj;
}

function errors(obj: PersistentVolumeClaim, old?: PersistentVolumeClaim): string[] {
  applyDefaults(obj, schema);
  def.defaults!(obj);
  if (!old) def.prepareForCreate!(obj);
  return [...validateSchema(obj, schema), ...(old ? def.validateUpdate!(obj, old) : def.validate!(obj))].map(errorString);
}

test('a new claim is Pending and a filesystem', () => {
  const c = created(pvc({}, { status: { phase: 'Bound' } }));
  assert.deepEqual(c.status, { phase: 'Pending' });
  assert.equal(c.spec!.volumeMode, 'Filesystem');
});

test('dataSource and dataSourceRef mirror each other on create', () => {
  assert.deepEqual(created(pvc({ dataSource: { kind: 'PersistentVolumeClaim', name: 'src' } })).spec!.dataSourceRef, { kind: 'PersistentVolumeClaim', name: 'src' });
  assert.deepEqual(created(pvc({ dataSourceRef: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 's' } })).spec!.dataSource, {
    apiGroup: 'snapshot.storage.k8s.io',
    kind: 'VolumeSnapshot',
    name: 's',
  });
});

test('an update from a client that omits dataSourceRef gets it mirrored again', () => {
  const old = created(pvc({ dataSource: { kind: 'PersistentVolumeClaim', name: 'src' } }));
  const next = pvc({ dataSource: { kind: 'PersistentVolumeClaim', name: 'src' } });
  assert.deepEqual(errors(next, old), []);
});

test('the VolumeAttributesClass field is dropped while its feature is off', () => {
  assert.equal(created(pvc({ volumeAttributesClassName: 'gold' })).spec!.volumeAttributesClassName, undefined);
});

test('an unsupported dataSource without dataSourceRef is dropped', () => {
  assert.equal(created(pvc({ dataSource: { apiGroup: 'example.com', kind: 'Thing', name: 'x' } })).spec!.dataSource, undefined);
});

const cases: { name: string; obj: () => PersistentVolumeClaim; want: string[] }[] = [
  { name: 'a claim for 1Gi is valid', obj: () => pvc(), want: [] },
  {
    name: 'a claim needs access modes and a storage request',
    obj: () => pvc({ accessModes: [], resources: {} }),
    want: ['spec.accessModes: Required value: at least 1 access mode is required', 'spec.resources[storage]: Required value'],
  },
  { name: 'the storage request must be positive', obj: () => pvc({ resources: { requests: { storage: '0' } } }), want: ['spec.resources[storage]: Invalid value: "0": must be greater than zero'] },
];

for (const tc of cases) test(tc.name, () => assert.deepEqual(errors(tc.obj()), tc.want));

function bound(): PersistentVolumeClaim {
  const c = created(pvc({ storageClassName: 'standard' }));
  c.spec!.volumeName = 'pv-1';
  c.status = { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] };
  return c;
}

test('a claim can be bound to a volume once', () => {
  const old = created(pvc());
  const next = structuredClone(old);
  next.spec!.volumeName = 'pv-1';
  assert.deepEqual(errors(next, old), []);
});

test('a bound claim may grow', () => {
  const old = bound();
  const next = structuredClone(old);
  next.spec!.resources!.requests!['storage'] = '2Gi';
  assert.deepEqual(errors(next, old), []);
});

test('a bound claim may not shrink to its current capacity', () => {
  const old = bound();
  old.spec!.resources!.requests!['storage'] = '2Gi';
  const next = structuredClone(old);
  next.spec!.resources!.requests!['storage'] = '1Gi';
  assert.deepEqual(errors(next, old), ['spec.resources.requests.storage: Forbidden: field can not be less than status.capacity']);
});

test('the rest of the spec is fixed', () => {
  const old = bound();
  const next = structuredClone(old);
  next.spec!.accessModes = ['ReadWriteMany'];
  const errs = errors(next, old);
  assert.equal(errs.length, 1);
  assert.match(errs[0]!, /^spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n/);
});

test('a storage class may be set on a claim that had none', () => {
  const old = created(pvc());
  const next = structuredClone(old);
  next.spec!.storageClassName = 'standard';
  assert.deepEqual(errors(next, old), []);
});

test('the table shows capacity and modes only once bound', () => {
  assert.deepEqual(def.table!.cells(created(pvc({ storageClassName: 'standard' })), now), ['data', 'Pending', '', '', '', 'standard', '<unset>', '60m', 'Filesystem']);
  assert.deepEqual(def.table!.cells(bound(), now), ['data', 'Bound', 'pv-1', '1Gi', 'RWO', 'standard', '<unset>', '60m', 'Filesystem']);
});
