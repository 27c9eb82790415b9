// Protobuf field numbers of the meta.k8s.io/v1 types, as Kubernetes v1.32 assigns them, keyed by our
// OpenAPI definition names and JSON field names. The schemas give the shape; this only adds numbers.
import type { WireGroup } from '../schema/protobuf.js';

const P = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

export const metaWire: WireGroup = {
  fields: {
    [`${P}Condition`]: { type: 1, status: 2, observedGeneration: 3, lastTransitionTime: 4, reason: 5, message: 6 },
    [`${P}DeleteOptions`]: { gracePeriodSeconds: 1, preconditions: 2, orphanDependents: 3, propagationPolicy: 4, dryRun: 5 },
    [`${P}LabelSelector`]: { matchLabels: 1, matchExpressions: 2 },
    [`${P}LabelSelectorRequirement`]: { key: 1, operator: 2, values: 3 },
    [`${P}ListMeta`]: { selfLink: 1, resourceVersion: 2, continue: 3, remainingItemCount: 4 },
    [`${P}ManagedFieldsEntry`]: { manager: 1, operation: 2, apiVersion: 3, time: 4, fieldsType: 6, fieldsV1: 7, subresource: 8 },
    [`${P}ObjectMeta`]: {
      name: 1, generateName: 2, namespace: 3, selfLink: 4, uid: 5, resourceVersion: 6, generation: 7, creationTimestamp: 8,
      deletionTimestamp: 9, deletionGracePeriodSeconds: 10, labels: 11, annotations: 12, ownerReferences: 13, finalizers: 14,
      managedFields: 17,
    },
    [`${P}OwnerReference`]: { apiVersion: 5, kind: 1, name: 3, uid: 4, controller: 6, blockOwnerDeletion: 7 },
    [`${P}Preconditions`]: { uid: 1, resourceVersion: 2 },
    [`${P}Status`]: { metadata: 1, status: 2, message: 3, reason: 4, details: 5, code: 6 },
    [`${P}StatusCause`]: { reason: 1, message: 2, field: 3 },
    [`${P}StatusDetails`]: { name: 1, group: 2, kind: 3, uid: 6, causes: 4, retryAfterSeconds: 5 },
  },
  keepZero: {
    [`${P}Condition`]: ['type', 'status', 'reason', 'message'],
    [`${P}DeleteOptions`]: ['gracePeriodSeconds', 'orphanDependents', 'propagationPolicy'],
    [`${P}LabelSelectorRequirement`]: ['key', 'operator'],
    [`${P}ListMeta`]: ['remainingItemCount'],
    [`${P}ObjectMeta`]: ['deletionGracePeriodSeconds'],
    [`${P}OwnerReference`]: ['apiVersion', 'kind', 'name', 'uid', 'controller', 'blockOwnerDeletion'],
    [`${P}Preconditions`]: ['uid', 'resourceVersion'],
  },
};

/**
 * Field numbers of the value types that have no struct schema of their own: the runtime envelope,
 * int-or-string, quantity, timestamps (Time and MicroTime share one message), duration and the
 * raw-JSON carriers (RawExtension, FieldsV1).
 */
export const wellKnownWire = {
  /** runtime.Unknown, the message after the "k8s\0" prefix. */
  unknown: { typeMeta: 1, raw: 2, contentEncoding: 3, contentType: 4 },
  /** runtime.TypeMeta inside runtime.Unknown. */
  typeMeta: { apiVersion: 1, kind: 2 },
  /** runtime.RawExtension; FieldsV1 carries its bytes at the same number. */
  rawExtension: { raw: 1 },
  fieldsV1: { raw: 1 },
  intOrString: { type: 1, intVal: 2, strVal: 3 },
  quantity: { string: 1 },
  timestamp: { seconds: 1, nanos: 2 },
  duration: { duration: 1 },
} as const;
