// apps/v1 ControllerRevision: an immutable snapshot of state, kept by controllers for rollbacks.
import { freeForm, int64, type Static } from '../../schema/dsl.js';
import { listSchema, resourceSchema, type OwnerReference } from '../../meta/v1.js';
import { type FieldError, FieldPath, required } from '../../validation/field.js';
import type { ResourceDef } from '../../registry.js';
import { age } from '../../printers/age.js';
import { validateImmutable, validateNonnegative } from './workload.js';

const P = 'io.k8s.api.apps.v1.';

export const ControllerRevisionSchema = resourceSchema(
  P + 'ControllerRevision',
  'An immutable snapshot of state data. Controllers (DaemonSet, StatefulSet) use them to record and roll back to earlier revisions.',
  {
    data: freeForm('The serialized state of this revision.'),
    revision: int64('The number of the revision this object holds.'),
  },
);
export type ControllerRevision = Static<typeof ControllerRevisionSchema>;
export const ControllerRevisionListSchema = listSchema(P + 'ControllerRevisionList', ControllerRevisionSchema);

export function validateControllerRevision(obj: ControllerRevision): FieldError[] {
  const errs: FieldError[] = [];
  if (obj.data === undefined) errs.push(required(FieldPath.root().child('data'), 'data is mandatory'));
  errs.push(...validateNonnegative(obj.revision ?? 0, FieldPath.root().child('revision')));
  return errs;
}

export const validateControllerRevisionUpdate = (obj: ControllerRevision, old: ControllerRevision): FieldError[] => [
  ...validateControllerRevision(obj),
  ...validateImmutable(obj.data, old.data, FieldPath.root().child('data')),
];

/** "statefulset.apps/web": the kind and group of the controller owner, lower-cased, and its name. */
function controllerName(refs: readonly OwnerReference[] | undefined): string {
  const ref = refs?.find((r) => r.controller === true);
  if (!ref) return '<none>';
  const slash = ref.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  if (!ref.kind && !group) return ref.name;
  return `${(group ? `${ref.kind}.${group}` : ref.kind).toLowerCase()}/${ref.name}`;
}

export const controllerRevisionResource: ResourceDef<ControllerRevision> = {
  group: 'apps',
  version: 'v1',
  kind: 'ControllerRevision',
  listKind: 'ControllerRevisionList',
  plural: 'controllerrevisions',
  singular: 'controllerrevision',
  namespaced: true,
  schema: ControllerRevisionSchema,
  nameValidation: 'subdomain',
  validate: validateControllerRevision,
  validateUpdate: validateControllerRevisionUpdate,
  // There is no spec: revisions never have a generation of their own.
  generationChanged: () => false,
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the revision.', priority: 0 },
      { name: 'Controller', type: 'string', description: 'Controller of the object', priority: 0 },
      { name: 'Revision', type: 'string', description: 'Revision number held by this object.', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the object was created.', priority: 0 },
    ],
    cells: (obj, now) => [obj.metadata?.name ?? '', controllerName(obj.metadata?.ownerReferences), obj.revision ?? 0, age(obj.metadata?.creationTimestamp, now)],
  },
};
