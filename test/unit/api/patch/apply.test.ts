import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplyConflictError, applyPatch, PatchError, updateManagedFields, type ManagedFieldsEntry } from '../../../../pkg/api/patch/index.js';
import { deploymentSchema as schema } from './schema.fixture.js';

const T0 = new Date('2025-01-02T03:04:05.678Z');
const T1 = new Date('2025-01-02T03:05:00.000Z');
const T2 = new Date('2025-01-02T03:06:00.000Z');
type Obj = Record<string, unknown>;

function config(spec: Obj, labels: Obj = { app: 'web' }): Obj {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', labels }, spec };
}

const baseSpec = (replicas?: number): Obj => ({
  ...(replicas === undefined ? {} : { replicas }),
  selector: { matchLabels: { app: 'web' } },
  template: {
    metadata: { labels: { app: 'web' } },
    spec: { containers: [{ name: 'app', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
  },
});

function apply(live: unknown, applied: Obj, manager: string, now = T1, force = false) {
  return applyPatch({ live, applied, manager, force, schema, apiVersion: 'apps/v1', now });
}

function stored(result: { object: Obj }): Obj {
  // What the apiserver persists gets a uid; later writes start from it.
  const o = structuredClone(result.object);
  (o['metadata'] as Obj)['uid'] = 'uid-1';
  return o;
}

function entry(fields: readonly ManagedFieldsEntry[], manager: string): ManagedFieldsEntry | undefined {
  return fields.find((e) => e.manager === manager);
}

function spec(o: Obj): Obj {
  return o['spec'] as Obj;
}

test('creating by apply records the applied fields in fieldsV1 format, to the second', () => {
  const r = apply(null, config(baseSpec(2)), 'kubectl', T0);
  assert.deepEqual(r.managedFields, [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: '2025-01-02T03:04:05Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                'k:{"name":"app"}': {
                  '.': {},
                  'f:image': {},
                  'f:name': {},
                  'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
                },
              },
            },
          },
        },
      },
    },
  ]);
  assert.deepEqual((r.object['metadata'] as Obj)['managedFields'], r.managedFields);
  assert.equal(spec(r.object)['replicas'], 2);
});

test('a second applier setting the same value shares ownership without conflict', () => {
  const live = stored(apply(null, config(baseSpec(2)), 'a'));
  const r = apply(live, config({ replicas: 2 }), 'b', T2);
  assert.deepEqual(entry(r.managedFields, 'b')?.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:replicas': {} } });
  assert.ok(JSON.stringify(entry(r.managedFields, 'a')?.fieldsV1).includes('f:replicas'));
});

test('two appliers setting different values conflict', () => {
  const live = stored(apply(null, config(baseSpec(2)), 'a'));
  assert.throws(
    () => apply(live, config({ replicas: 5 }), 'b', T2),
    (e: unknown) =>
      e instanceof ApplyConflictError &&
      e.code === 409 &&
      e.message === 'Apply failed with 1 conflict: conflict with "a": .spec.replicas' &&
      e.causes[0]?.field === '.spec.replicas' &&
      e.causes[0]?.message === 'conflict with "a"',
  );
});

test('several conflicts are grouped by manager in the message', () => {
  const live = stored(apply(null, config(baseSpec(2)), 'a'));
  const other = config({ ...baseSpec(5), template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } });
  assert.throws(
    () => apply(live, other, 'b', T2),
    (e: unknown) =>
      e instanceof ApplyConflictError &&
      e.message === 'Apply failed with 2 conflicts: conflicts with "a":\n- .spec.replicas\n- .spec.template.spec.containers[name="app"].image',
  );
});

test('force takes the conflicting field and the previous owner loses it', () => {
  const live = stored(apply(null, config(baseSpec(2)), 'a'));
  const r = apply(live, config({ replicas: 5 }), 'b', T2, true);
  assert.equal(spec(r.object)['replicas'], 5);
  assert.ok(!JSON.stringify(entry(r.managedFields, 'a')?.fieldsV1).includes('f:replicas'));
  assert.ok(JSON.stringify(entry(r.managedFields, 'b')?.fieldsV1).includes('f:replicas'));
});

test('a field the applier stops applying is removed', () => {
  const live = stored(apply(null, config(baseSpec(2), { app: 'web', tier: 'front' }), 'a'));
  const r = apply(live, config(baseSpec(2), { app: 'web' }), 'a', T2);
  assert.deepEqual((r.object['metadata'] as Obj)['labels'], { app: 'web' });
});

test('a field the applier stops applying stays when another manager owns it', () => {
  const first = stored(apply(null, config(baseSpec(2), { app: 'web', tier: 'front' }), 'a'));
  const second = stored(apply(first, config({}, { tier: 'front' }), 'b', T1));
  const r = apply(second, config(baseSpec(2), { app: 'web' }), 'a', T2);
  assert.deepEqual((r.object['metadata'] as Obj)['labels'], { app: 'web', tier: 'front' });
});

test('list-map items from two appliers are merged by key and each removal only affects its owner', () => {
  const first = stored(apply(null, config(baseSpec(2)), 'a'));
  const sidecar = config({ template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } } });
  const second = stored(apply(first, sidecar, 'b', T1));
  const names = (o: Obj) => (((spec(o)['template'] as Obj)['spec'] as Obj)['containers'] as Obj[]).map((c) => c['name']);
  assert.deepEqual(names(second), ['app', 'sidecar']);
  const r = apply(second, config({}), 'b', T2);
  assert.deepEqual(names(r.object), ['app']);
});

test('an update moves ownership of the fields it changes to the updater', () => {
  const live = stored(apply(null, config(baseSpec(2)), 'a'));
  const updated = structuredClone(live);
  spec(updated)['replicas'] = 4;
  const r = updateManagedFields({ old: live, updated, manager: 'kube-controller-manager', operation: 'Update', schema, apiVersion: 'apps/v1', now: T2 });
  const u = entry(r.managedFields, 'kube-controller-manager');
  assert.deepEqual(u, {
    manager: 'kube-controller-manager',
    operation: 'Update',
    apiVersion: 'apps/v1',
    time: '2025-01-02T03:06:00Z',
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:spec': { 'f:replicas': {} } },
  });
  assert.ok(!JSON.stringify(entry(r.managedFields, 'a')?.fieldsV1).includes('f:replicas'));
  assert.deepEqual(r.managedFields.map((e) => e.operation), ['Apply', 'Update']);
});

test('an update then an apply of a different value conflicts with the updater', () => {
  const created = updateManagedFields({
    old: null,
    updated: config(baseSpec(2)),
    manager: 'kubectl-client-side-apply',
    operation: 'Update',
    schema,
    apiVersion: 'apps/v1',
    now: T0,
  });
  const fields = entry(created.managedFields, 'kubectl-client-side-apply')?.fieldsV1 as Obj;
  assert.deepEqual(Object.keys(fields['f:metadata'] as Obj), ['f:labels']);
  assert.deepEqual((fields['f:metadata'] as Obj)['f:labels'], { '.': {}, 'f:app': {} });
  assert.throws(
    () => apply(stored(created), config({ replicas: 3 }), 'my-applier', T2),
    (e: unknown) => e instanceof ApplyConflictError && e.message === 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
  );
});

test('replicas changed through kubectl scale conflict with a later apply', () => {
  const live = stored(apply(null, config(baseSpec(2)), 'kubectl', T0));
  const scaled = structuredClone(live);
  spec(scaled)['replicas'] = 7;
  const afterScale = updateManagedFields({ old: live, updated: scaled, manager: 'kubectl-scale', subresource: 'scale', operation: 'Update', schema, apiVersion: 'apps/v1', now: T1 });
  const scaleEntry = entry(afterScale.managedFields, 'kubectl-scale');
  assert.equal(scaleEntry?.subresource, 'scale');
  assert.throws(
    () => apply(stored(afterScale), config(baseSpec(2)), 'kubectl', T2),
    (e: unknown) =>
      e instanceof ApplyConflictError &&
      e.message === 'Apply failed with 1 conflict: conflict with "kubectl-scale" with subresource "scale" using apps/v1: .spec.replicas',
  );
  const forced = apply(stored(afterScale), config(baseSpec(2)), 'kubectl', T2, true);
  assert.equal(spec(forced.object)['replicas'], 2);
  assert.equal(entry(forced.managedFields, 'kubectl-scale'), undefined);
});

test('kubectl moving from client-side apply takes over fields it last applied', () => {
  const lastApplied = JSON.stringify(config(baseSpec(2)));
  const withAnnotation = config(baseSpec(2));
  (withAnnotation['metadata'] as Obj)['annotations'] = { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied };
  const created = updateManagedFields({ old: null, updated: withAnnotation, manager: 'kubectl-client-side-apply', operation: 'Update', schema, apiVersion: 'apps/v1', now: T0 });
  const r = apply(stored(created), config(baseSpec(3)), 'kubectl', T2);
  assert.equal(spec(r.object)['replicas'], 3);
  const ann = ((r.object['metadata'] as Obj)['annotations'] as Obj)['kubectl.kubernetes.io/last-applied-configuration'] as string;
  assert.equal(JSON.parse(ann).spec.replicas, 3);
  assert.ok(ann.endsWith('\n'));
});

test('an apply that changes nothing keeps the previous timestamp', () => {
  const live = stored(apply(null, config(baseSpec(2)), 'a', T0));
  const r = apply(live, config(baseSpec(2)), 'a', T2);
  assert.equal(entry(r.managedFields, 'a')?.time, '2025-01-02T03:04:05Z');
});

test('fields of an object written before tracking belong to before-first-apply', () => {
  const legacy = { ...config(baseSpec(2)), metadata: { name: 'web', namespace: 'default', uid: 'u', labels: { app: 'web' } } };
  assert.throws(
    () => apply(legacy, config({ replicas: 3 }), 'a', T2),
    (e: unknown) => e instanceof ApplyConflictError && e.message === 'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas',
  );
  const r = apply(legacy, config({ replicas: 2 }), 'a', T2);
  assert.ok(JSON.stringify(entry(r.managedFields, 'before-first-apply')?.fieldsV1).includes('f:replicas'));
});

test('an update sending an empty managedFields list clears tracking', () => {
  const live = stored(apply(null, config(baseSpec(2)), 'a'));
  const updated = structuredClone(live);
  (updated['metadata'] as Obj)['managedFields'] = [];
  const r = updateManagedFields({ old: live, updated, manager: 'x', operation: 'Update', schema, apiVersion: 'apps/v1', now: T2 });
  assert.deepEqual(r.managedFields, []);
  assert.equal((r.object['metadata'] as Obj)['managedFields'], undefined);
});

const badConfigs: { name: string; applied: Obj; code: number; message: string }[] = [
  {
    name: 'an apply with another version is a bad request',
    applied: { ...config({}), apiVersion: 'apps/v1beta1' },
    code: 400,
    message: 'Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1',
  },
  {
    name: 'an apply carrying managedFields is a bad request',
    applied: { ...config({}), metadata: { name: 'web', managedFields: [] } },
    code: 400,
    message: 'metadata.managedFields must be nil',
  },
  {
    name: 'a list-map item without its key is refused',
    applied: config({ template: { spec: { containers: [{ image: 'x' }] } } }),
    code: 500,
    message:
      'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
  },
];

for (const c of badConfigs) {
  test(c.name, () => {
    assert.throws(() => apply(null, c.applied, 'a'), (e: unknown) => e instanceof PatchError && e.code === c.code && e.message === c.message);
  });
}

test('set lists are owned item by item as v:<json> entries', () => {
  const c = config({});
  delete c['spec'];
  (c['metadata'] as Obj)['finalizers'] = ['example.com/a'];
  const r = apply(null, c, 'a');
  assert.deepEqual(entry(r.managedFields, 'a')?.fieldsV1, { 'f:metadata': { 'f:finalizers': { 'v:"example.com/a"': {} }, 'f:labels': { 'f:app': {} } } });
});

test('fieldsV1 read back from stored entries encodes to the same JSON', async () => {
  const { decodeManagedFields, encodeManagedFields } = await import('../../../../pkg/api/patch/index.js');
  const stored = [
    {
      manager: 'kube-controller-manager',
      operation: 'Update',
      apiVersion: 'apps/v1',
      time: '2025-01-02T03:04:05Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:status': { 'f:conditions': { '.': {}, 'k:{"type":"Available"}': { '.': {}, 'f:status': {} } }, 'f:replicas': {} } },
      subresource: 'status',
    },
  ];
  assert.deepEqual(encodeManagedFields(decodeManagedFields(stored)), stored);
});
