// core/v1 Namespace: a scope for names. A new namespace is Active and carries the "kubernetes"
// finalizer, which the namespace controller removes once the namespace's content is gone.
import { listSchema, resourceSchema } from '../../meta/v1.js';
import { age } from '../../printers/age.js';
import type { ResourceDef } from '../../registry.js';
import { array, string, struct, time, withDescription, type Static } from '../../schema/dsl.js';
import { FieldPath, invalid, type FieldError } from '../../validation/field.js';
import { finalizerDeleteDependents, finalizerKubernetes, finalizerOrphanDependents, validateFinalizerName } from '../../validation/objectmeta.js';

const P = 'io.k8s.api.core.v1.';

/** Label the apiserver puts on every namespace, holding its name (for namespace selectors). */
export const namespaceNameLabel = 'kubernetes.io/metadata.name';

export const NamespaceSpecSchema = struct(P + 'NamespaceSpec', 'Desired state of a namespace.', {
  finalizers: array(string(''), 'Opaque values that must all be removed before the namespace is deleted from storage.', { listType: 'atomic' }),
});

export const NamespaceConditionSchema = struct(
  P + 'NamespaceCondition',
  'One aspect of the state of a namespace, mostly about its deletion.',
  {
    type: string('Type of the condition, e.g. NamespaceContentRemaining.'),
    status: string('True, False or Unknown.'),
    lastTransitionTime: time('Last time the status changed.'),
    reason: string('One-word CamelCase reason for the last transition.'),
    message: string('Human-readable details of the last transition.'),
  },
);

export const NamespaceStatusSchema = struct(P + 'NamespaceStatus', 'Observed state of a namespace.', {
  phase: string('Lifecycle phase: Active or Terminating.'),
  conditions: array(NamespaceConditionSchema, 'Latest observations of the namespace state.', {
    mergeKey: 'type',
    strategy: 'merge',
    listType: 'map',
    mapKeys: ['type'],
  }),
});

export const NamespaceSchema = resourceSchema(P + 'Namespace', 'A scope for the names of namespaced objects.', {
  spec: withDescription(NamespaceSpecSchema, 'Desired state of the namespace.'),
  status: withDescription(NamespaceStatusSchema, 'Observed state of the namespace.'),
});
export type Namespace = Static<typeof NamespaceSchema>;
export const NamespaceListSchema = listSchema(P + 'NamespaceList', NamespaceSchema);

const standardFinalizers = new Set([finalizerKubernetes, finalizerOrphanDependents, finalizerDeleteDependents]);

function validateNamespaceFinalizers(finalizers: readonly string[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of finalizers ?? []) {
    errs.push(...validateFinalizerName(f, path));
    if (!f.includes('/') && !standardFinalizers.has(f)) {
      errs.push(invalid(path, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
  return errs;
}

export function validateNamespace(ns: Namespace): FieldError[] {
  // Upstream reports every bad finalizer at the list's path, without an index.
  return validateNamespaceFinalizers(ns.spec?.finalizers, FieldPath.root('spec').child('finalizers'));
}

function labelWithName(ns: Namespace): void {
  const name = ns.metadata?.name;
  if (!name) return;
  ns.metadata = { ...ns.metadata, labels: { ...(ns.metadata?.labels ?? {}), [namespaceNameLabel]: name } };
}

export function prepareNamespaceForCreate(ns: Namespace): void {
  ns.status = { phase: 'Active' };
  const finalizers = ns.spec?.finalizers ?? [];
  if (!finalizers.includes(finalizerKubernetes)) ns.spec = { ...(ns.spec ?? {}), finalizers: [...finalizers, finalizerKubernetes] };
  // Names from generateName only exist now, so the label is (re)applied here too.
  labelWithName(ns);
}

/**
 * What the apiserver does to a namespace on a main-resource update: spec.finalizers only change
 * through the /finalize subresource, status only through /status, and the name label is kept.
 */
export function prepareNamespaceForUpdate(ns: Namespace, old: Namespace): void {
  if (old.spec === undefined) delete ns.spec;
  else ns.spec = structuredClone(old.spec);
  if (old.status === undefined) delete ns.status;
  else ns.status = structuredClone(old.status);
  labelWithName(ns);
}

export const namespaceResource: ResourceDef<Namespace> = {
  prepareForUpdate: prepareNamespaceForUpdate,
  group: '',
  version: 'v1',
  kind: 'Namespace',
  listKind: 'NamespaceList',
  plural: 'namespaces',
  singular: 'namespace',
  shortNames: ['ns'],
  namespaced: false,
  schema: NamespaceSchema,
  nameValidation: 'label',
  subresources: { status: true },
  defaults: labelWithName,
  prepareForCreate: prepareNamespaceForCreate,
  validate: validateNamespace,
  validateUpdate: validateNamespace,
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the namespace.', priority: 0 },
      { name: 'Status', type: 'string', description: 'The status of the namespace', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the namespace was created.', priority: 0 },
    ],
    cells: (ns, now) => [ns.metadata?.name ?? '', ns.status?.phase ?? '', age(ns.metadata?.creationTimestamp, now)],
  },
  fieldSelectors: {
    'status.phase': (ns) => ns.status?.phase ?? '',
    // A historical alias upstream keeps for compatibility.
    name: (ns) => ns.metadata?.name ?? '',
  },
};
