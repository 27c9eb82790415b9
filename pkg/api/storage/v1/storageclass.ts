// storage.k8s.io/v1 StorageClass: a class of dynamically provisioned persistent volumes.
import { TopologySelectorTermSchema, validateTopologySelectorTerm, type TopologySelectorTerm } from '../../core/v1/common.js';
import { listSchema, resourceSchema } from '../../meta/v1.js';
import { age } from '../../printers/age.js';
import type { ResourceDef } from '../../registry.js';
import { array, boolean, map, string, withDefault, type Static } from '../../schema/dsl.js';
import { FieldPath, duplicate, forbidden, invalid, notSupported, tooLong, type FieldError } from '../../validation/field.js';
import { isQualifiedName } from '../../validation/names.js';
import { semanticDeepEqual, validateImmutableField } from '../../validation/objectmeta.js';

const P = 'io.k8s.api.storage.v1.';

export const StorageClassSchema = resourceSchema(
  P + 'StorageClass',
  'A class of storage: the provisioner and parameters used to create persistent volumes on demand.',
  {
    provisioner: string('Name of the volume plugin or CSI driver that provisions volumes of this class. Cannot be changed.'),
    parameters: map(string(''), 'Provisioner-specific parameters for new volumes. Cannot be changed.'),
    reclaimPolicy: withDefault(string('What happens to provisioned volumes when their claim goes away: Delete or Retain. Cannot be changed.'), 'Delete'),
    mountOptions: array(string(''), 'Mount options of the provisioned volumes, not validated here.', { listType: 'atomic' }),
    allowVolumeExpansion: boolean('Whether claims of this class may be resized.'),
    volumeBindingMode: withDefault(
      string('When claims are bound and provisioned: Immediate or WaitForFirstConsumer (when a pod using the claim is scheduled).', {
        enum: ['Immediate', 'WaitForFirstConsumer'],
      }),
      'Immediate',
    ),
    allowedTopologies: array(TopologySelectorTermSchema, 'Where volumes of this class may be provisioned; empty means anywhere.', {
      listType: 'atomic',
    }),
  },
  ['provisioner'],
);
export type StorageClass = Static<typeof StorageClassSchema>;

export const StorageClassListSchema = listSchema(P + 'StorageClassList', StorageClassSchema);

export const isDefaultStorageClassAnnotation = 'storageclass.kubernetes.io/is-default-class';
export const betaIsDefaultStorageClassAnnotation = 'storageclass.beta.kubernetes.io/is-default-class';

/** The default class's name, or undefined when the cluster has none. */
export function defaultStorageClassName(classes: readonly Readonly<StorageClass>[]): string | undefined {
  const defaults = classes.filter(isDefaultStorageClass).sort((a, b) => {
    const ta = a.metadata?.creationTimestamp ?? '';
    const tb = b.metadata?.creationTimestamp ?? '';
    // Newest first; the same second: by name, so the choice does not depend on the order listed.
    return ta !== tb ? (ta < tb ? 1 : -1) : (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
  });
  return defaults[0]?.metadata?.name;
}

/** Whether a class is marked as the default one (the beta annotation still counts). */
export function isDefaultStorageClass(sc: Pick<StorageClass, 'metadata'>): boolean {
  const a = sc.metadata?.annotations ?? {};
  return a[isDefaultStorageClassAnnotation] === 'true' || a[betaIsDefaultStorageClassAnnotation] === 'true';
}

const maxProvisionerParameterSize = 256 * 1024;
const maxProvisionerParameterLen = 512;
const reclaimPolicies = ['Delete', 'Retain'];

function validateParameters(params: Readonly<Record<string, string>> | undefined, path: FieldPath): FieldError[] {
  const entries = Object.entries(params ?? {});
  if (entries.length > maxProvisionerParameterLen) return [tooLong(path, '', maxProvisionerParameterLen)];
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of entries) {
    if (k.length === 0) errs.push(invalid(path, k, 'field can not be empty.'));
    total += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (total > maxProvisionerParameterSize) errs.push(tooLong(path, '', maxProvisionerParameterSize));
  return errs;
}

/** A term's key → value-set map, used to find duplicate terms. */
function termExpressions(term: TopologySelectorTerm): Map<string, Set<string>> {
  const exprs = new Map<string, Set<string>>();
  for (const req of term.matchLabelExpressions ?? []) exprs.set(req.key ?? '', new Set(req.values ?? []));
  return exprs;
}

const sameExprs = (a: Map<string, Set<string>>, b: Map<string, Set<string>>): boolean =>
  a.size === b.size && [...a].every(([k, v]) => {
    const w = b.get(k);
    return w !== undefined && w.size === v.size && [...v].every((x) => w.has(x));
  });

function validateAllowedTopologies(terms: readonly TopologySelectorTerm[] | undefined, path: FieldPath): FieldError[] {
  const list = terms ?? [];
  if (list.length === 0) return [];
  const errs: FieldError[] = [];
  // Upstream seeds its list of seen terms with one empty entry per term, so a term without any
  // expression is reported as a duplicate of each of them.
  const seen: Map<string, Set<string>>[] = list.map(() => new Map());
  list.forEach((term, i) => {
    errs.push(...validateTopologySelectorTerm(term, path.index(i)));
    const exprs = termExpressions(term);
    for (const t of seen) if (sameExprs(exprs, t)) errs.push(duplicate(path.index(i).child('matchLabelExpressions'), ''));
    seen.push(exprs);
  });
  return errs;
}

export function validateStorageClass(sc: StorageClass): FieldError[] {
  const errs: FieldError[] = [];
  // An empty provisioner is a "Required value" from the schema.
  if (sc.provisioner) {
    for (const m of isQualifiedName(sc.provisioner.toLowerCase())) errs.push(invalid(FieldPath.root('provisioner'), sc.provisioner, m));
  }
  errs.push(...validateParameters(sc.parameters, FieldPath.root('parameters')));
  // Unlike volumeBindingMode, an empty reclaimPolicy is accepted.
  if (sc.reclaimPolicy && !reclaimPolicies.includes(sc.reclaimPolicy)) {
    errs.push(notSupported(FieldPath.root('reclaimPolicy'), sc.reclaimPolicy, reclaimPolicies));
  }
  errs.push(...validateAllowedTopologies(sc.allowedTopologies, FieldPath.root('allowedTopologies')));
  return errs;
}

export function validateStorageClassUpdate(sc: StorageClass, old: StorageClass): FieldError[] {
  const errs = validateStorageClass(sc);
  // A map's keys count even with empty values, so the entries are compared rather than the maps.
  const parameters = (p: Readonly<Record<string, string>> | undefined): [string, string][] =>
    Object.entries(p ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  if (!semanticDeepEqual(parameters(sc.parameters), parameters(old.parameters))) errs.push(forbidden(FieldPath.root('parameters'), 'updates to parameters are forbidden.'));
  if ((sc.provisioner ?? '') !== (old.provisioner ?? '')) {
    errs.push(forbidden(FieldPath.root('provisioner'), 'updates to provisioner are forbidden.'));
  }
  if ((sc.reclaimPolicy ?? '') !== (old.reclaimPolicy ?? '')) {
    errs.push(forbidden(FieldPath.root('reclaimPolicy'), 'updates to reclaimPolicy are forbidden.'));
  }
  errs.push(...validateImmutableField(sc.volumeBindingMode, old.volumeBindingMode, FieldPath.root('volumeBindingMode')));
  return errs;
}

export const storageClassResource: ResourceDef<StorageClass> = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'StorageClass',
  listKind: 'StorageClassList',
  plural: 'storageclasses',
  singular: 'storageclass',
  shortNames: ['sc'],
  namespaced: false,
  schema: StorageClassSchema,
  nameValidation: 'subdomain',
  validate: validateStorageClass,
  validateUpdate: validateStorageClassUpdate,
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the storage class; "(default)" marks the default class.', priority: 0 },
      { name: 'Provisioner', type: 'string', description: 'Plugin or CSI driver that provisions the volumes.', priority: 0 },
      { name: 'ReclaimPolicy', type: 'string', description: 'What happens to released volumes.', priority: 0 },
      { name: 'VolumeBindingMode', type: 'string', description: 'When claims are bound and provisioned.', priority: 0 },
      { name: 'AllowVolumeExpansion', type: 'string', description: 'Whether claims may be resized.', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the class was created.', priority: 0 },
    ],
    cells: (obj, now) => [
      (obj.metadata?.name ?? '') + (isDefaultStorageClass(obj) ? ' (default)' : ''),
      obj.provisioner ?? '',
      obj.reclaimPolicy ?? 'Delete',
      obj.volumeBindingMode ?? 'Immediate',
      // Declared as a string column upstream, but the cell is the boolean itself.
      obj.allowVolumeExpansion ?? false,
      age(obj.metadata?.creationTimestamp, now),
    ],
  },
};
