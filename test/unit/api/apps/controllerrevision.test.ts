import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controllerRevisionResource, type ControllerRevision } from '../../../../pkg/api/apps/v1/index.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const def = controllerRevisionResource;
const now = new Date('2024-05-01T12:00:00Z');

function revision(fields: Partial<ControllerRevision> = {}): ControllerRevision {
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: 'web-7c9f',
      namespace: 'default',
      creationTimestamp: '2024-05-01T11:55:00Z',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true }],
    },
    data: { spec: { template: { metadata: { labels: { app: 'web' } } } } },
    revision: 2,
    ...fields,
  };
}

const cases: { name: string; obj: ControllerRevision; old?: ControllerRevision; want: string[] }[] = [
  { name: 'a revision with data is valid', obj: revision(), want: [] },
  { name: 'a revision without data is rejected', obj: revision({ data: undefined }), want: ['data: Required value: data is mandatory'] },
  { name: 'a negative revision number is rejected', obj: revision({ revision: -1 }), want: ['revision: Invalid value: -1: must be greater than or equal to 0'] },
  { name: 'the revision number may change on update', obj: revision({ revision: 3 }), old: revision(), want: [] },
  { name: 'the data of a revision cannot change', obj: revision({ data: { spec: {} } }), old: revision(), want: ['data: Invalid value: {"spec":{}}: field is immutable'] },
];

for (const c of cases) {
  test(c.name, () => {
    const errs = c.old ? def.validateUpdate!(c.obj, c.old) : def.validate!(c.obj);
    assert.deepEqual(errs.map(errorString), c.want);
  });
}

test('the table names the controlling owner by kind, group and name', () => {
  assert.deepEqual(def.table!.cells(revision(), now), ['web-7c9f', 'statefulset.apps/web', 2, '5m']);
  const core = revision();
  core.metadata!.ownerReferences = [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u2', controller: true }];
  assert.equal(def.table!.cells(core, now)[1], 'pod/p');
  const orphan = revision();
  orphan.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1' }];
  assert.equal(def.table!.cells(orphan, now)[1], '<none>');
});
