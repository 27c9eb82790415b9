// core/v1 PersistentVolumeClaim: a user's request for storage. The spec is fixed at creation,
// except that a claim may be bound to a volume once and a bound claim may ask for more storage.
import { isDeepStrictEqual } from 'node:util';
import { listSchema, resourceSchema } from '../../meta/v1.js';
import { age } from '../../printers/age.js';
import type { ResourceDef } from '../../registry.js';
import { QuantityParseError, parseQuantity, tryParseQuantity } from '../../resource/quantity.js';
import { array, map, quantity, string, struct, time, withDescription, type Static } from '../../schema/dsl.js';
import { FieldPath, forbidden, invalid, type FieldError } from '../../validation/field.js';
import { fieldImmutableErrorMsg } from '../../validation/objectmeta.js';
import { accessModesString, betaStorageClassAnnotation, quantityCell } from './persistentvolume.js';
import { validatePersistentVolumeClaimSpec } from './pod-volumes.js';
import { PersistentVolumeClaimSpecSchema, type PersistentVolumeClaimSpec } from './volumes.js';

const P = 'io.k8s.api.core.v1.';

export const PersistentVolumeClaimConditionSchema = struct(P + 'PersistentVolumeClaimCondition', 'One aspect of the state of a claim, e.g. that its volume is being resized.', {
  type: string('Type of the condition, e.g. Resizing or FileSystemResizePending.'),
  status: string('True, False or Unknown.'),
  lastProbeTime: time('Last time the condition was probed.'),
  lastTransitionTime: time('Last time the status changed.'),
  reason: string('Short machine-readable reason for the last transition.'),
  message: string('Human-readable details of the last transition.'),
});

export const ModifyVolumeStatusSchema = struct(P + 'ModifyVolumeStatus', 'State of an ongoing change of the volume attributes class.', {
  targetVolumeAttributesClassName: string('The class the claim is being moved to.'),
  status: string('Pending, InProgress or Infeasible.'),
});

export const PersistentVolumeClaimStatusSchema = struct(P + 'PersistentVolumeClaimStatus', 'Observed state of a claim.', {
  phase: string('Pending, Bound or Lost.'),
  accessModes: array(string(''), 'Access modes of the bound volume.', { listType: 'atomic' }),
  capacity: map(quantity(''), 'Actual resources of the bound volume.'),
  conditions: array(PersistentVolumeClaimConditionSchema, 'Current conditions of the claim.', { mergeKey: 'type', strategy: 'merge', listType: 'map', mapKeys: ['type'] }),
  allocatedResources: map(quantity(''), 'Resources allocated to the claim, which may exceed the capacity during an expansion.'),
  allocatedResourceStatuses: map(string(''), 'State of an ongoing resize per resource, e.g. ControllerResizeInProgress.', { mapType: 'granular' }),
  currentVolumeAttributesClassName: string('The VolumeAttributesClass the claim currently uses.'),
  modifyVolumeStatus: withDescription(ModifyVolumeStatusSchema, 'State of an ongoing attributes-class change.'),
});

export const PersistentVolumeClaimSchema = resourceSchema(P + 'PersistentVolumeClaim', "A user's request for, and claim to, a persistent volume.", {
  spec: withDescription(PersistentVolumeClaimSpecSchema, 'The storage the claim asks for.'),
  status: withDescription(PersistentVolumeClaimStatusSchema, 'Observed state of the claim.'),
});
export type PersistentVolumeClaim = Static<typeof PersistentVolumeClaimSchema>;
export const PersistentVolumeClaimListSchema = listSchema(P + 'PersistentVolumeClaimList', PersistentVolumeClaimSchema);

const specPath = FieldPath.root('spec');

export function validatePersistentVolumeClaim(pvc: PersistentVolumeClaim): FieldError[] {
  const errs = validatePersistentVolumeClaimSpec(pvc.spec ?? {}, specPath);
  const storage = pvc.spec?.resources?.requests?.['storage'];
  if (storage !== undefined) {
    try {
      parseQuantity(storage);
    } catch (e) {
      if (!(e instanceof QuantityParseError)) throw e;
      errs.push(invalid(specPath.child('resources').key('storage'), storage, e.message));
    }
  }
  return errs;
}

/** The storage class may move from the old beta annotation to the field, keeping its value. */
function classMovedFromAnnotation(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): boolean {
  const oldAnn = old.metadata?.annotations ?? {};
  const newAnn = pvc.metadata?.annotations ?? {};
  if (!(betaStorageClassAnnotation in oldAnn) || old.spec?.storageClassName !== undefined) return false;
  const oldClass = oldAnn[betaStorageClassAnnotation];
  return pvc.spec?.storageClassName === oldClass && (!(betaStorageClassAnnotation in newAnn) || newAnn[betaStorageClassAnnotation] === oldClass);
}

const storageOf = (spec: PersistentVolumeClaimSpec | undefined): string | number | undefined => spec?.resources?.requests?.['storage'];

export function validatePersistentVolumeClaimUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): FieldError[] {
  const errs = validatePersistentVolumeClaim(pvc);
  const newSpec: PersistentVolumeClaimSpec = structuredClone(pvc.spec ?? {});
  const oldSpec: PersistentVolumeClaimSpec = structuredClone(old.spec ?? {});
  // The binder sets volumeName once.
  if (!oldSpec.volumeName) {
    if (newSpec.volumeName === undefined) delete oldSpec.volumeName;
    else oldSpec.volumeName = newSpec.volumeName;
  }
  const oldAnn = old.metadata?.annotations ?? {};
  if (classMovedFromAnnotation(pvc, old)) {
    delete newSpec.storageClassName;
  } else {
    const newVal = pvc.metadata?.annotations?.[betaStorageClassAnnotation] ?? '';
    if (newVal !== (oldAnn[betaStorageClassAnnotation] ?? '')) {
      errs.push(invalid(FieldPath.root('metadata').child('annotations', betaStorageClassAnnotation), newVal, fieldImmutableErrorMsg));
    }
    // A class may be set on a claim that had none (and no conflicting annotation).
    const newClass = pvc.spec?.storageClassName;
    if (newClass !== undefined && old.spec?.storageClassName === undefined && (!(betaStorageClassAnnotation in oldAnn) || newClass === oldAnn[betaStorageClassAnnotation])) {
      delete newSpec.storageClassName;
    }
  }
  // A bound claim may change its storage request and attributes class.
  if (pvc.status?.phase === 'Bound') {
    if (newSpec.resources?.requests) {
      const oldStorage = storageOf(old.spec);
      if (oldStorage === undefined) delete newSpec.resources.requests['storage'];
      else newSpec.resources.requests['storage'] = oldStorage;
    }
    if (newSpec.volumeAttributesClassName !== undefined) {
      if (oldSpec.volumeAttributesClassName === undefined) delete newSpec.volumeAttributesClassName;
      else newSpec.volumeAttributesClassName = oldSpec.volumeAttributesClassName;
    }
  }
  if (!isDeepStrictEqual(newSpec, oldSpec)) {
    errs.push(
      forbidden(
        specPath,
        `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n- ${JSON.stringify(oldSpec)}\n+ ${JSON.stringify(newSpec)}`,
      ),
    );
  }
  const newSize = tryParseQuantity(storageOf(pvc.spec) ?? 0);
  const oldSize = tryParseQuantity(storageOf(old.spec) ?? 0);
  const statusSize = tryParseQuantity(old.status?.capacity?.['storage'] ?? 0);
  // RecoverVolumeExpansionFailure (beta, on in v1.32): a request may shrink, but not to or below
  // the capacity the volume already has.
  if (newSize && oldSize && statusSize && newSize.cmp(oldSize) < 0 && newSize.cmp(statusSize) <= 0) {
    errs.push(forbidden(specPath.child('resources', 'requests', 'storage'), 'field can not be less than status.capacity'));
  }
  // Upstream reports this one without the "spec." prefix.
  if ((pvc.spec?.volumeMode ?? null) !== (old.spec?.volumeMode ?? null)) errs.push(invalid(FieldPath.root('volumeMode'), pvc.spec?.volumeMode, fieldImmutableErrorMsg));
  const vac = pvc.spec?.volumeAttributesClassName;
  const oldVac = old.spec?.volumeAttributesClassName;
  if ((vac ?? null) !== (oldVac ?? null)) {
    const path = specPath.child('volumeAttributesClassName');
    errs.push(forbidden(path, 'update is forbidden when the VolumeAttributesClass feature gate is disabled'));
    if (oldVac !== undefined && vac === undefined) errs.push(forbidden(path, 'update from non-nil value to nil is forbidden'));
    else if (oldVac !== undefined && vac === '') errs.push(forbidden(path, 'update from non-nil value to an empty string is forbidden'));
  }
  return errs;
}

/** Data sources a claim may name without dataSourceRef: another claim or a volume snapshot. */
function isKnownDataSource(ds: NonNullable<PersistentVolumeClaimSpec['dataSource']>): boolean {
  const group = ds.apiGroup ?? '';
  return (group === '' && ds.kind === 'PersistentVolumeClaim') || (group === 'snapshot.storage.k8s.io' && ds.kind === 'VolumeSnapshot');
}

/**
 * Mirrors dataSource and dataSourceRef into each other, as upstream does on every write (old
 * clients send only dataSource). An unsupported dataSource is left alone here: create drops it.
 */
export function defaultPersistentVolumeClaim(pvc: PersistentVolumeClaim): void {
  const spec = (pvc.spec ??= {});
  // VolumeAttributesClass is a beta feature that v1.32 leaves disabled: the field is dropped.
  delete spec.volumeAttributesClassName;
  const copy = (r: { apiGroup?: string; kind: string; name: string }): { apiGroup?: string; kind: string; name: string } =>
    r.apiGroup === undefined ? { kind: r.kind, name: r.name } : { apiGroup: r.apiGroup, kind: r.kind, name: r.name };
  if (spec.dataSource && !spec.dataSourceRef && isKnownDataSource(spec.dataSource)) spec.dataSourceRef = copy(spec.dataSource);
  else if (spec.dataSourceRef && !spec.dataSource && !spec.dataSourceRef.namespace) spec.dataSource = copy(spec.dataSourceRef);
}

export function preparePersistentVolumeClaimForCreate(pvc: PersistentVolumeClaim): void {
  pvc.status = { phase: 'Pending' };
  // Only claims and volume snapshots may be named without dataSourceRef.
  const spec = pvc.spec;
  if (spec?.dataSource && !spec.dataSourceRef && !isKnownDataSource(spec.dataSource)) delete spec.dataSource;
}

export const persistentVolumeClaimResource: ResourceDef<PersistentVolumeClaim> = {
  group: '',
  version: 'v1',
  kind: 'PersistentVolumeClaim',
  listKind: 'PersistentVolumeClaimList',
  plural: 'persistentvolumeclaims',
  singular: 'persistentvolumeclaim',
  shortNames: ['pvc'],
  namespaced: true,
  schema: PersistentVolumeClaimSchema,
  nameValidation: 'subdomain',
  subresources: { status: true },
  defaults: defaultPersistentVolumeClaim,
  prepareForCreate: preparePersistentVolumeClaimForCreate,
  validate: validatePersistentVolumeClaim,
  validateUpdate: validatePersistentVolumeClaimUpdate,
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the claim.', priority: 0 },
      { name: 'Status', type: 'string', description: 'Phase of the claim.', priority: 0 },
      { name: 'Volume', type: 'string', description: 'The bound volume.', priority: 0 },
      { name: 'Capacity', type: 'string', description: 'Capacity of the bound volume.', priority: 0 },
      { name: 'Access Modes', type: 'string', description: 'Access modes of the bound volume.', priority: 0 },
      { name: 'StorageClass', type: 'string', description: 'StorageClass of the pvc', priority: 0 },
      { name: 'VolumeAttributesClass', type: 'string', description: 'VolumeAttributesClass of the pvc', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the claim was created.', priority: 0 },
      { name: 'VolumeMode', type: 'string', description: 'Filesystem or Block.', priority: 1 },
    ],
    cells: (pvc, now) => {
      const bound = Boolean(pvc.spec?.volumeName);
      const ann = pvc.metadata?.annotations ?? {};
      return [
        pvc.metadata?.name ?? '',
        pvc.metadata?.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? ''),
        pvc.spec?.volumeName ?? '',
        bound ? quantityCell(pvc.status?.capacity?.['storage']) : '',
        bound ? accessModesString(pvc.status?.accessModes) : '',
        ann[betaStorageClassAnnotation] ?? pvc.spec?.storageClassName ?? '',
        pvc.spec?.volumeAttributesClassName ?? '<unset>',
        age(pvc.metadata?.creationTimestamp, now),
        pvc.spec?.volumeMode ?? '<unset>',
      ];
    },
  },
  fieldSelectors: {
    // A historical alias upstream keeps for compatibility.
    name: (pvc) => pvc.metadata?.name ?? '',
  },
};
