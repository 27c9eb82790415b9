// meta.k8s.io/v1: the object and list metadata every kind carries, and the shared small types.
import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import {
  array,
  boolean,
  freeForm,
  int32,
  int64,
  map,
  string,
  struct,
  time,
  withDescription,
  type Static,
} from '../schema/dsl.js';

const P = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

export const OwnerReferenceSchema = struct(
  P + 'OwnerReference',
  'Identifies an owning object. The owner must be in the same namespace as the dependent, or cluster-scoped.',
  {
    apiVersion: string('API version of the owner.'),
    kind: string('Kind of the owner.'),
    name: string('Name of the owner.'),
    uid: string('UID of the owner.'),
    controller: boolean('True when this owner is the managing controller of the object.'),
    blockOwnerDeletion: boolean('When true, the owner cannot be deleted from the key-value store until this reference is removed (foreground deletion).'),
  },
  { required: ['apiVersion', 'kind', 'name', 'uid'], mapType: 'atomic' },
);
export type OwnerReference = Static<typeof OwnerReferenceSchema>;

export const ManagedFieldsEntrySchema = struct(
  P + 'ManagedFieldsEntry',
  'A workflow (manager) and the set of fields it manages, for server-side apply.',
  {
    manager: string('Name of the workflow managing these fields.'),
    operation: string('The operation that created this entry: Apply or Update.'),
    apiVersion: string('Version of the resource the field set applies to.'),
    time: time('When these fields were last changed by this manager.'),
    fieldsType: string('Format of fieldsV1; only "FieldsV1" exists.'),
    fieldsV1: freeForm('The managed field set, as a trie of field paths.'),
    subresource: string('The subresource used to update the object, empty for the main resource.'),
  },
);
export type ManagedFieldsEntry = Static<typeof ManagedFieldsEntrySchema>;

export const ObjectMetaSchema = struct(
  P + 'ObjectMeta',
  'Metadata that every persisted resource has.',
  {
    name: string('Unique name within a namespace. Required on create unless generateName is set. Cannot be updated.'),
    generateName: string('Prefix from which the server builds a unique name when name is empty.'),
    namespace: string('Namespace of the object; empty for cluster-scoped kinds. Cannot be updated.'),
    selfLink: string('Deprecated and always empty.'),
    uid: string('Unique identifier of this object in time and space, set by the server. Read-only.'),
    resourceVersion: string('Opaque version of this object, changed on every write; used for optimistic concurrency and watch. Read-only.'),
    generation: int64('Sequence number of the desired state (spec). Read-only.'),
    creationTimestamp: time('When the server created this object. Read-only.'),
    deletionTimestamp: time('When this object will be deleted; set by the server when a graceful deletion is requested. Read-only.'),
    deletionGracePeriodSeconds: int64('Seconds allowed for graceful termination before removal. Read-only.'),
    labels: map(string(''), 'Key/value pairs used to organize and select objects.'),
    annotations: map(string(''), 'Unstructured key/value data stored with the object, not used for selection.'),
    ownerReferences: array(OwnerReferenceSchema, 'Objects this object depends on; used by garbage collection.', {
      mergeKey: 'uid',
      strategy: 'merge',
      listType: 'map',
      mapKeys: ['uid'],
    }),
    finalizers: array(string(''), 'Entries that must be removed before the object is deleted from the registry.', {
      strategy: 'merge',
      listType: 'set',
    }),
    managedFields: array(ManagedFieldsEntrySchema, 'Fields managed by each workflow (server-side apply).', { listType: 'atomic' }),
  },
);
export type ObjectMeta = Static<typeof ObjectMetaSchema>;

export const ListMetaSchema = struct(P + 'ListMeta', 'Metadata of a list response.', {
  selfLink: string('Deprecated and always empty.'),
  resourceVersion: string('Revision of the store this list was read at.'),
  continue: string('Token to request the next chunk of a paged list.'),
  remainingItemCount: int64('Number of items after this chunk, when known.'),
});
export type ListMeta = Static<typeof ListMetaSchema>;

export const LabelSelectorRequirementSchema = struct(
  P + 'LabelSelectorRequirement',
  'A selector requirement: a key, an operator and values.',
  {
    key: string('The label key the selector applies to.'),
    operator: string('Relation of the key to the values: In, NotIn, Exists, DoesNotExist.'),
    values: array(string(''), 'Values for In and NotIn; empty for Exists and DoesNotExist.', { listType: 'atomic' }),
  },
  { required: ['key', 'operator'] },
);

export const LabelSelectorSchema = struct(
  P + 'LabelSelector',
  'A label query over a set of resources. The requirements are ANDed; an empty selector matches everything, a null one nothing.',
  {
    matchLabels: map(string(''), 'Equality requirements: each key=value must hold.'),
    matchExpressions: array(LabelSelectorRequirementSchema, 'Set-based requirements.', { listType: 'atomic' }),
  },
  { mapType: 'atomic' },
);
export type LabelSelector = Static<typeof LabelSelectorSchema>;

export const ConditionSchema = struct(P + 'Condition', 'One aspect of the current state of a resource.', {
  type: string('Type of the condition, in CamelCase.'),
  status: string('True, False or Unknown.'),
  observedGeneration: int64('metadata.generation this condition was set from.'),
  lastTransitionTime: time('Last time the status changed.'),
  reason: string('Machine-readable CamelCase reason for the last transition.'),
  message: string('Human-readable details of the transition.'),
}, { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] });
export type Condition = Static<typeof ConditionSchema>;

export const StatusCauseSchema = struct(P + 'StatusCause', 'One cause of an error.', {
  reason: string('Machine-readable reason (FieldValueInvalid, ...).'),
  message: string('Human-readable description of the cause.'),
  field: string('Path of the field that caused the error, e.g. "spec.containers[0].name".'),
});

export const StatusDetailsSchema = struct(P + 'StatusDetails', 'Extra data about an error.', {
  name: string('Name of the resource involved.'),
  group: string('API group of the resource.'),
  kind: string('Kind (resource) involved.'),
  uid: string('UID of the resource involved.'),
  causes: array(StatusCauseSchema, 'Individual causes.', { listType: 'atomic' }),
  retryAfterSeconds: int32('Seconds the client should wait before retrying.'),
});

export const StatusSchema = struct(P + 'Status', 'The result of an operation that does not return an object.', {
  apiVersion: string('APIVersion of this representation.'),
  kind: string('Kind of this representation.'),
  metadata: withDescription(ListMetaSchema, 'Standard list metadata.'),
  status: string('Success or Failure.'),
  message: string('Human-readable description.'),
  reason: string('Machine-readable CamelCase reason (NotFound, Conflict, ...).'),
  details: withDescription(StatusDetailsSchema, 'Extra data for the reason.'),
  code: int32('HTTP status code.'),
});
export type Status = Static<typeof StatusSchema>;

export const PreconditionsSchema = struct(P + 'Preconditions', 'Conditions that must hold before a delete proceeds.', {
  uid: string('The target object must have this UID.'),
  resourceVersion: string('The target object must have this resourceVersion.'),
});

export const DeleteOptionsSchema = struct(P + 'DeleteOptions', 'Options for a delete request.', {
  apiVersion: string('APIVersion of this representation.'),
  kind: string('Kind of this representation.'),
  gracePeriodSeconds: int64('Seconds before the object is deleted; 0 deletes at once.'),
  preconditions: withDescription(PreconditionsSchema, 'Must hold or the delete fails with a Conflict.'),
  orphanDependents: boolean('Deprecated: use propagationPolicy.'),
  propagationPolicy: string('Whether and how garbage collection is performed: Orphan, Background or Foreground.'),
  dryRun: array(string(''), 'When present, changes are not persisted. The only value is "All".', { listType: 'atomic' }),
});
export type DeleteOptions = Static<typeof DeleteOptionsSchema>;

/** apiVersion + kind, shared by every top-level object. */
export const typeMeta = {
  apiVersion: string('Versioned schema of this representation of an object.'),
  kind: string('REST resource this object represents.'),
} as const;

/**
 * A top-level kind: apiVersion, kind, metadata and the given fields (spec, status, data, ...).
 * `definition` is the OpenAPI definition name, e.g. io.k8s.api.apps.v1.Deployment.
 */
export function resourceSchema<F extends Record<string, TSchema>, R extends keyof F & string = never>(
  definition: string,
  description: string,
  fields: F,
  required: readonly R[] = [],
) {
  return struct(
    definition,
    description,
    {
      ...typeMeta,
      metadata: withDescription(ObjectMetaSchema, 'Standard object metadata.'),
      ...fields,
    },
    { required },
  );
}

/** The list kind of a resource (DeploymentList), with the same item schema. */
export function listSchema<T extends TObject>(definition: string, item: T) {
  return struct(
    definition,
    `A list of ${definition.replace(/List$/, '').split('.').pop() ?? ''} objects.`,
    {
      ...typeMeta,
      metadata: withDescription(ListMetaSchema, 'Standard list metadata.'),
      items: array(item, 'The items of the list.'),
    },
    { required: ['items'] },
  );
}

export { Type };

/** A metav1.Time as it is serialized: RFC 3339 in UTC, to the second. */
/** A MicroTime (Lease renewals, Event times): RFC 3339 with exactly six fractional digits. */
export function formatMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}
