import { test } from 'node:test';
import assert from 'node:assert/strict';
import { persistentVolumeResource, type PersistentVolume } from '../../../../pkg/api/core/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { applyDefaults, validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const def = persistentVolumeResource;
const schema = asNode(def.schema);
const now = new Date('2024-05-01T12:00:00Z');

type Spec = NonNullable<PersistentVolume['spec']>;

function pv(spec: Partial<Spec> = {}, extra: Partial<PersistentVolume> = {}): PersistentVolume {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pv-1', creationTimestamp: '2024-05-01T11:00:00Z' },
    spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data/pv-1' }, ...spec },
    ...extra,
  };
}

function created(obj: PersistentVolume): PersistentVolume {
  applyDefaults(obj, schema);
  def.prepareForCreate!(obj);
  return obj;
}

function errors(obj: PersistentVolume, old?: PersistentVolume): string[] {
  created(obj);
  return [...validateSchema(obj, schema), ...(old ? def.validateUpdate!(obj, created(old)) : def.validate!(obj))].map(errorString);
}

test('a new volume is Pending, retained on release and a filesystem', () => {
  const v = created(pv({}, { status: { phase: 'Bound' } }));
  assert.equal(v.status!.phase, 'Pending');
  assert.match(v.status!.lastPhaseTransitionTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(v.spec!.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(v.spec!.volumeMode, 'Filesystem');
});

const cases: { name: string; obj: () => PersistentVolume; want: string[] }[] = [
  { name: 'a host-path volume is valid', obj: () => pv(), want: [] },
  { name: 'a volume needs access modes', obj: () => pv({ accessModes: [] }), want: ['spec.accessModes: Required value'] },
  {
    name: 'access modes must be known, and ReadWriteOncePod stands alone',
    obj: () => pv({ accessModes: ['ReadWriteOncePod', 'ReadWriteMany', 'Everything'] }),
    want: [
      'spec.accessModes: Unsupported value: "Everything": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
      'spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes',
    ],
  },
  { name: 'a volume needs a capacity', obj: () => pv({ capacity: {} }), want: ['spec.capacity: Required value', 'spec.capacity: Unsupported value: {}: supported values: "storage"'] },
  { name: 'the capacity must be positive', obj: () => pv({ capacity: { storage: '0' } }), want: ['spec.capacity[storage]: Invalid value: "0": must be greater than zero'] },
  { name: 'a volume needs a source', obj: () => pv({ hostPath: undefined }), want: ['spec: Required value: must specify a volume type'] },
  {
    name: 'a volume has only one source',
    obj: () => pv({ nfs: { server: 'nfs.example.com', path: '/exports' } }),
    want: ['spec.nfs: Forbidden: may not specify more than 1 volume type'],
  },
  {
    name: 'a local volume needs node affinity',
    obj: () => pv({ hostPath: undefined, local: { path: '/mnt/disks/ssd1' } }),
    want: ['spec.nodeAffinity: Required value: Local volume requires node affinity'],
  },
  {
    name: 'a local volume with node affinity is valid',
    obj: () =>
      pv({
        hostPath: undefined,
        local: { path: '/mnt/disks/ssd1' },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1'] }] }] } },
      }),
    want: [],
  },
  {
    name: 'the root directory cannot be recycled',
    obj: () => pv({ hostPath: { path: '/' }, persistentVolumeReclaimPolicy: 'Recycle' }),
    want: ["spec.persistentVolumeReclaimPolicy: Forbidden: may not be 'recycle' for a hostPath mount of '/'"],
  },
  {
    name: 'the reclaim policy must be known',
    obj: () => pv({ persistentVolumeReclaimPolicy: 'Keep' }),
    want: ['spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"'],
  },
];

for (const tc of cases) test(tc.name, () => assert.deepEqual(errors(tc.obj()), tc.want));

test('the source of a volume is fixed, the claim reference is not', () => {
  const old = pv();
  const moved = pv({ hostPath: { path: '/data/other' } });
  const errs = errors(moved, old);
  assert.equal(errs.length, 1);
  assert.match(errs[0]!, /^spec\.persistentvolumesource: Forbidden: spec\.persistentvolumesource is immutable after creation\n/);
  assert.deepEqual(errors(pv({ claimRef: { namespace: 'default', name: 'data' } }), pv()), []);
});

test('the volume mode is fixed', () => {
  assert.deepEqual(errors(pv({ volumeMode: 'Block' }), pv()), ['volumeMode: Invalid value: "Block": field is immutable']);
});

test('node affinity may only move from beta labels to GA ones', () => {
  const affinity = (key: string): Spec['nodeAffinity'] => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key, operator: 'In', values: ['a'] }] }] } });
  const old = pv({ nodeAffinity: affinity('failure-domain.beta.kubernetes.io/zone') });
  assert.deepEqual(errors(pv({ nodeAffinity: affinity('topology.kubernetes.io/zone') }), old), []);
  assert.deepEqual(errors(pv({ nodeAffinity: affinity('example.com/rack') }), old).map((e) => e.replace(/Invalid value: .*: /, '')), [
    'nodeAffinity: field is immutable, except for updating from beta label to GA',
  ]);
});

test('the table shows capacity, modes, policy, phase, claim and class', () => {
  const v = created(pv({ accessModes: ['ReadWriteMany', 'ReadWriteOnce'], claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'manual' }));
  v.status = { phase: 'Bound' };
  assert.deepEqual(def.table!.cells(v, now), ['pv-1', '10Gi', 'RWO,RWX', 'Retain', 'Bound', 'default/data', 'manual', '<unset>', '', '60m', 'Filesystem']);
});

test('a volume being deleted shows Terminating, and the beta class annotation wins', () => {
  const v = pv({ storageClassName: 'fast' }, { status: { phase: 'Released' } });
  v.metadata = { ...v.metadata, deletionTimestamp: '2024-05-01T11:59:00Z', annotations: { 'volume.beta.kubernetes.io/storage-class': 'slow' } };
  const cells = def.table!.cells(v, now);
  assert.deepEqual([cells[4], cells[6]], ['Terminating', 'slow']);
});
