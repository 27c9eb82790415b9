// core/v1 PersistentVolume: a piece of storage in the cluster, provisioned by an administrator or
// dynamically, that a PersistentVolumeClaim binds to.
import { posix } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { listSchema, resourceSchema } from '../../meta/v1.js';
import { age } from '../../printers/age.js';
import type { ResourceDef } from '../../registry.js';
import { QuantityParseError, parseQuantity } from '../../resource/quantity.js';
import { array, map, quantity, string, struct, time, withDefault, withDescription, type Static } from '../../schema/dsl.js';
import { FieldPath, forbidden, invalid, notSupported, required, type FieldError } from '../../validation/field.js';
import { isDNS1123Subdomain } from '../../validation/names.js';
import { fieldImmutableErrorMsg } from '../../validation/objectmeta.js';
import { NodeSelectorSchema, ObjectReferenceSchema, validateNodeSelector, type NodeSelector } from './common.js';
import {
  validateAWSElasticBlockStoreVolumeSource,
  validateAzureDisk,
  validateAzureFilePV,
  validateCSIPersistentVolumeSource,
  validateCinderPersistentVolumeSource,
  validateFCVolumeSource,
  validateFlexVolumeSource,
  validateFlockerVolumeSource,
  validateGCEPersistentDiskVolumeSource,
  validateGlusterfsPersistentVolumeSource,
  validateHostPathVolumeSource,
  validateISCSIPersistentVolumeSource,
  validateLocalVolumeSource,
  validateNFSVolumeSource,
  validateQuobyteVolumeSource,
  validateStorageOSPersistentVolumeSource,
} from './pod-volumes.js';
import { persistentVolumeSourceFields } from './volumes.js';

const P = 'io.k8s.api.core.v1.';

/** Access modes a volume or claim may list, in upstream's (sorted) order for messages. */
export const supportedAccessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'] as const;
/** Annotation that predates spec.storageClassName and still wins over it for display. */
export const betaStorageClassAnnotation = 'volume.beta.kubernetes.io/storage-class';
const mountOptionsAnnotation = 'volume.beta.kubernetes.io/mount-options';

export const VolumeNodeAffinitySchema = struct(P + 'VolumeNodeAffinity', 'Nodes from which a volume can be accessed.', {
  required: withDescription(NodeSelectorSchema, 'Hard constraints a node must meet.'),
});

// The claim reference is merged field by field, unlike ObjectReference elsewhere.
const claimRefSchema = { ...withDescription(ObjectReferenceSchema, 'The claim bound to this volume; set by the binder (or by hand to pre-bind).'), 'x-kubernetes-map-type': 'granular' as const };

export const PersistentVolumeSpecSchema = struct(P + 'PersistentVolumeSpec', 'What a persistent volume is and how it may be used.', {
  capacity: map(quantity(''), 'Resources of the volume; only "storage" is supported.'),
  ...persistentVolumeSourceFields,
  accessModes: array(string(''), 'Ways the volume can be mounted: ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod.', { listType: 'atomic' }),
  claimRef: claimRefSchema,
  persistentVolumeReclaimPolicy: withDefault(
    string('What happens when the claim is released: Retain (default for manual volumes), Delete, or Recycle (deprecated).', { enum: ['Delete', 'Recycle', 'Retain'] }),
    'Retain',
  ),
  storageClassName: string('StorageClass the volume belongs to; empty for none.'),
  mountOptions: array(string(''), 'Mount options, not validated, e.g. ["ro", "soft"].', { listType: 'atomic' }),
  volumeMode: withDefault(string('Filesystem (default) or Block.', { enum: ['Block', 'Filesystem'] }), 'Filesystem'),
  nodeAffinity: withDescription(VolumeNodeAffinitySchema, 'Nodes the volume can be used from; influences scheduling of its pods.'),
  volumeAttributesClassName: string('VolumeAttributesClass of the volume (beta, off by default).'),
});
export type PersistentVolumeSpec = Static<typeof PersistentVolumeSpecSchema>;

export const PersistentVolumeStatusSchema = struct(P + 'PersistentVolumeStatus', 'Observed state of a persistent volume.', {
  phase: string('Pending, Available, Bound, Released or Failed.'),
  message: string('Human-readable reason for the current state.'),
  reason: string('Brief CamelCase reason for a failure.'),
  lastPhaseTransitionTime: time('When the phase last changed.'),
});

export const PersistentVolumeSchema = resourceSchema(P + 'PersistentVolume', 'A storage resource in the cluster that claims bind to, like a node is a compute resource.', {
  spec: withDescription(PersistentVolumeSpecSchema, 'What the volume is and how it may be used.'),
  status: withDescription(PersistentVolumeStatusSchema, 'Observed state of the volume.'),
});
export type PersistentVolume = Static<typeof PersistentVolumeSchema>;
export const PersistentVolumeListSchema = listSchema(P + 'PersistentVolumeList', PersistentVolumeSchema);

/** "RWO,ROX,RWX,RWOP": the modes present, in this fixed order. */
export function accessModesString(modes: readonly string[] | undefined): string {
  const set = new Set(modes ?? []);
  const short: [string, string][] = [
    ['ReadWriteOnce', 'RWO'],
    ['ReadOnlyMany', 'ROX'],
    ['ReadWriteMany', 'RWX'],
    ['ReadWriteOncePod', 'RWOP'],
  ];
  return short.filter(([m]) => set.has(m)).map(([, s]) => s).join(',');
}

/** A quantity in its canonical form ("0" when absent), as the table shows it. */
export function quantityCell(v: string | number | undefined): string {
  if (v === undefined) return '0';
  try {
    return parseQuantity(v).toString();
  } catch (e) {
    if (e instanceof QuantityParseError) return String(v);
    throw e;
  }
}

/** Access-mode rules shared by volumes and claims. */
export function validateAccessModes(modes: readonly string[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const supported: readonly string[] = supportedAccessModes;
  let rwop = false;
  let other = false;
  for (const m of modes) {
    if (!supported.includes(m)) errs.push(notSupported(path, m, supported));
    if (m === 'ReadWriteOncePod') rwop = true;
    else if (supported.includes(m)) other = true;
  }
  if (rwop && other) errs.push(forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

type Spec = PersistentVolumeSpec;
type SourceKey = keyof typeof persistentVolumeSourceFields;

// Sources whose only rules are required fields, which the schema checks.
const noChecks = (): FieldError[] => [];

/** Source validators in upstream's order; `at` is the path segment used in messages. */
const sourceChecks: { key: SourceKey; at?: string; check: (src: never, path: FieldPath, pvName: string) => FieldError[] }[] = [
  { key: 'hostPath', check: validateHostPathVolumeSource },
  // Upstream reports GCE disk problems under "persistentDisk".
  { key: 'gcePersistentDisk', at: 'persistentDisk', check: validateGCEPersistentDiskVolumeSource },
  { key: 'awsElasticBlockStore', check: validateAWSElasticBlockStoreVolumeSource },
  { key: 'glusterfs', check: validateGlusterfsPersistentVolumeSource },
  { key: 'flocker', check: validateFlockerVolumeSource },
  { key: 'nfs', check: validateNFSVolumeSource },
  { key: 'rbd', check: noChecks },
  { key: 'quobyte', check: validateQuobyteVolumeSource },
  { key: 'cephfs', check: noChecks },
  { key: 'iscsi', check: (src: Parameters<typeof validateISCSIPersistentVolumeSource>[0], path, name) => validateISCSIPersistentVolumeSource(src, name, path) },
  { key: 'cinder', check: validateCinderPersistentVolumeSource },
  { key: 'fc', check: validateFCVolumeSource },
  { key: 'flexVolume', check: validateFlexVolumeSource },
  { key: 'azureFile', check: validateAzureFilePV },
  { key: 'vsphereVolume', check: noChecks },
  { key: 'photonPersistentDisk', check: noChecks },
  { key: 'portworxVolume', check: noChecks },
  { key: 'azureDisk', check: validateAzureDisk },
  { key: 'scaleIO', check: noChecks },
  { key: 'local', check: validateLocalVolumeSource },
  { key: 'storageos', check: validateStorageOSPersistentVolumeSource },
  { key: 'csi', check: validateCSIPersistentVolumeSource },
];

function validateCapacity(capacity: Record<string, string | number> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const keys = Object.keys(capacity ?? {});
  if (keys.length === 0) errs.push(required(path));
  if (!keys.includes('storage') || keys.length > 1) errs.push(notSupported(path, capacity ?? {}, ['storage']));
  for (const k of keys) {
    const raw = capacity![k]!;
    let q;
    try {
      q = parseQuantity(raw);
    } catch (e) {
      if (!(e instanceof QuantityParseError)) throw e;
      errs.push(invalid(path.key(k), raw, e.message));
      continue;
    }
    if (q.value() < 0n) errs.push(invalid(path.key(k), Number(q.value()), 'must be a valid resource quantity'));
    if (q.sign() <= 0) errs.push(invalid(path.key(k), q.toString(), 'must be greater than zero'));
  }
  return errs;
}

/** Validates a volume spec; `allowAttributesClass` is on only when the old volume already used one. */
function validateSpec(spec: Spec, pvName: string, allowAttributesClass: boolean): FieldError[] {
  const path = FieldPath.root('spec');
  const errs: FieldError[] = [];
  const modes = spec.accessModes ?? [];
  if (modes.length === 0) errs.push(required(path.child('accessModes')));
  errs.push(...validateAccessModes(modes, path.child('accessModes')));
  errs.push(...validateCapacity(spec.capacity, path.child('capacity')));
  let hasAffinity = false;
  if (spec.nodeAffinity !== undefined) {
    hasAffinity = true;
    const req = spec.nodeAffinity.required;
    if (req === undefined) errs.push(required(path.child('nodeAffinity', 'required'), 'must specify required node constraints'));
    else errs.push(...validateNodeSelector(req, false, path.child('nodeAffinity', 'required')));
  }
  let count = 0;
  for (const { key, at, check } of sourceChecks) {
    const src = spec[key];
    if (src === undefined) continue;
    // Upstream never rejects a flexVolume as a second source; it only counts it.
    if (count > 0 && key !== 'flexVolume') {
      errs.push(forbidden(path.child(key === 'cephfs' ? 'cephFS' : key), 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    errs.push(...check(src as never, path.child(at ?? key), pvName));
    if (key === 'local' && !hasAffinity) errs.push(required(path.child('nodeAffinity'), 'Local volume requires node affinity'));
  }
  if (count === 0) errs.push(required(path, 'must specify a volume type'));
  if (spec.hostPath?.path !== undefined && posix.normalize(spec.hostPath.path) === '/' && spec.persistentVolumeReclaimPolicy === 'Recycle') {
    errs.push(forbidden(path.child('persistentVolumeReclaimPolicy'), "may not be 'recycle' for a hostPath mount of '/'"));
  }
  if (spec.storageClassName) {
    for (const m of isDNS1123Subdomain(spec.storageClassName)) errs.push(invalid(path.child('storageClassName'), spec.storageClassName, m));
  }
  const vac = spec.volumeAttributesClassName;
  if (vac !== undefined && allowAttributesClass) {
    if (vac === '') errs.push(required(path.child('volumeAttributesClassName'), 'an empty string is disallowed'));
    else for (const m of isDNS1123Subdomain(vac)) errs.push(invalid(path.child('volumeAttributesClassName'), vac, m));
    if (spec.csi === undefined) errs.push(required(path.child('csi'), 'has to be specified when using volumeAttributesClassName'));
  }
  return errs;
}

/** Mount options only make sense for volume types that support them. */
function validateMountOptionsAnnotation(pv: PersistentVolume): FieldError[] {
  const s = pv.spec ?? {};
  const supportsOptions = [s.gcePersistentDisk, s.awsElasticBlockStore, s.glusterfs, s.nfs, s.rbd, s.quobyte, s.iscsi, s.cinder, s.cephfs, s.azureFile, s.vsphereVolume, s.azureDisk, s.photonPersistentDisk];
  if (supportsOptions.some((x) => x !== undefined)) return [];
  if (pv.metadata?.annotations?.[mountOptionsAnnotation] === undefined) return [];
  return [forbidden(FieldPath.root('metadata').child('annotations', mountOptionsAnnotation), 'may not specify mount options for this volume type')];
}

export function validatePersistentVolume(pv: PersistentVolume): FieldError[] {
  return [...validateSpec(pv.spec ?? {}, pv.metadata?.name ?? '', false), ...validateMountOptionsAnnotation(pv)];
}

const betaToGALabel: Record<string, string> = {
  'failure-domain.beta.kubernetes.io/zone': 'topology.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region': 'topology.kubernetes.io/region',
  'beta.kubernetes.io/os': 'kubernetes.io/os',
  'beta.kubernetes.io/arch': 'kubernetes.io/arch',
  'beta.kubernetes.io/instance-type': 'node.kubernetes.io/instance-type',
};

/** Equal, except that a requirement key may have moved from a beta label to its GA name. */
function sameAffinityModuloGALabels(a: NodeSelector | undefined, b: NodeSelector | undefined): boolean {
  const rewrite = (newSel: NodeSelector | undefined, oldSel: NodeSelector | undefined): NodeSelector | undefined => {
    if (!oldSel || !newSel) return oldSel;
    const copy = structuredClone(oldSel);
    (copy.nodeSelectorTerms ?? []).forEach((term, i) => {
      (term.matchExpressions ?? []).forEach((req, j) => {
        const newKey = newSel.nodeSelectorTerms?.[i]?.matchExpressions?.[j]?.key;
        if (newKey !== undefined && req.key !== newKey && betaToGALabel[req.key ?? ''] === newKey) req.key = newKey;
      });
    });
    return copy;
  };
  return isDeepStrictEqual(a ?? null, rewrite(a, b) ?? null);
}

function volumeSource(spec: Spec | undefined): Partial<Spec> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(persistentVolumeSourceFields)) {
    const v = (spec as Record<string, unknown> | undefined)?.[k];
    if (v !== undefined) out[k] = v;
  }
  return out as Partial<Spec>;
}

export function validatePersistentVolumeUpdate(pv: PersistentVolume, old: PersistentVolume): FieldError[] {
  const errs = validateSpec(pv.spec ?? {}, pv.metadata?.name ?? '', old.spec?.volumeAttributesClassName !== undefined);
  errs.push(...validateMountOptionsAnnotation(pv));
  const newSrc = volumeSource(pv.spec);
  const oldSrc = volumeSource(old.spec);
  // A CSI volume may gain a controllerExpandSecretRef after creation.
  if (oldSrc.csi && oldSrc.csi.controllerExpandSecretRef === undefined && newSrc.csi?.controllerExpandSecretRef !== undefined) {
    const { controllerExpandSecretRef: _ignored, ...rest } = newSrc.csi;
    newSrc.csi = rest as typeof newSrc.csi;
  }
  if (!isDeepStrictEqual(newSrc, oldSrc)) {
    errs.push(forbidden(FieldPath.root('spec').child('persistentvolumesource'), `spec.persistentvolumesource is immutable after creation\n- ${JSON.stringify(oldSrc)}\n+ ${JSON.stringify(newSrc)}`));
  }
  // Upstream reports this one without the "spec." prefix.
  if ((pv.spec?.volumeMode ?? null) !== (old.spec?.volumeMode ?? null)) errs.push(invalid(FieldPath.root('volumeMode'), pv.spec?.volumeMode, fieldImmutableErrorMsg));
  if (old.spec?.nodeAffinity !== undefined && !sameAffinityModuloGALabels(pv.spec?.nodeAffinity?.required, old.spec.nodeAffinity.required)) {
    errs.push(invalid(FieldPath.root('nodeAffinity'), pv.spec?.nodeAffinity ?? null, `${fieldImmutableErrorMsg}, except for updating from beta label to GA`));
  }
  if ((pv.spec?.volumeAttributesClassName ?? null) !== (old.spec?.volumeAttributesClassName ?? null)) {
    const path = FieldPath.root('spec').child('volumeAttributesClassName');
    errs.push(forbidden(path, 'update is forbidden when the VolumeAttributesClass feature gate is disabled'));
    if (old.spec?.volumeAttributesClassName !== undefined && pv.spec?.volumeAttributesClassName === undefined) {
      errs.push(forbidden(path, 'update from non-nil value to nil is forbidden'));
    }
  }
  return errs;
}

/** The RFC 3339 second-precision timestamp Kubernetes stores. */
const nowRFC3339 = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export function preparePersistentVolumeForCreate(pv: PersistentVolume): void {
  pv.status = { phase: 'Pending', lastPhaseTransitionTime: nowRFC3339() };
}

function defaultPersistentVolume(pv: PersistentVolume): void {
  if (!pv.spec) return;
  // Empty strings get the default too: Go cannot tell them from absent fields.
  if (!pv.spec.persistentVolumeReclaimPolicy) pv.spec.persistentVolumeReclaimPolicy = 'Retain';
  // VolumeAttributesClass is a beta feature that v1.32 leaves disabled: the field is dropped.
  delete pv.spec.volumeAttributesClassName;
}

export const persistentVolumeResource: ResourceDef<PersistentVolume> = {
  group: '',
  version: 'v1',
  kind: 'PersistentVolume',
  listKind: 'PersistentVolumeList',
  plural: 'persistentvolumes',
  singular: 'persistentvolume',
  shortNames: ['pv'],
  namespaced: false,
  schema: PersistentVolumeSchema,
  nameValidation: 'subdomain',
  subresources: { status: true },
  defaults: defaultPersistentVolume,
  prepareForCreate: preparePersistentVolumeForCreate,
  validate: validatePersistentVolume,
  validateUpdate: validatePersistentVolumeUpdate,
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the volume.', priority: 0 },
      { name: 'Capacity', type: 'string', description: 'Storage capacity of the volume.', priority: 0 },
      { name: 'Access Modes', type: 'string', description: 'Ways the volume can be mounted.', priority: 0 },
      { name: 'Reclaim Policy', type: 'string', description: 'What happens to the volume when its claim is released.', priority: 0 },
      { name: 'Status', type: 'string', description: 'Phase of the volume.', priority: 0 },
      { name: 'Claim', type: 'string', description: 'The bound claim, as namespace/name.', priority: 0 },
      { name: 'StorageClass', type: 'string', description: 'StorageClass of the pv', priority: 0 },
      { name: 'VolumeAttributesClass', type: 'string', description: 'VolumeAttributesClass of the pv', priority: 0 },
      { name: 'Reason', type: 'string', description: 'Brief reason for a failure.', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the volume was created.', priority: 0 },
      { name: 'VolumeMode', type: 'string', description: 'Filesystem or Block.', priority: 1 },
    ],
    cells: (pv, now) => {
      const ref = pv.spec?.claimRef;
      const ann = pv.metadata?.annotations ?? {};
      return [
        pv.metadata?.name ?? '',
        quantityCell(pv.spec?.capacity?.['storage']),
        accessModesString(pv.spec?.accessModes),
        pv.spec?.persistentVolumeReclaimPolicy ?? '',
        pv.metadata?.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? ''),
        ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : '',
        ann[betaStorageClassAnnotation] ?? pv.spec?.storageClassName ?? '',
        pv.spec?.volumeAttributesClassName ?? '<unset>',
        pv.status?.reason ?? '',
        age(pv.metadata?.creationTimestamp, now),
        pv.spec?.volumeMode ?? '<unset>',
      ];
    },
  },
  fieldSelectors: {
    // A historical alias upstream keeps for compatibility.
    name: (pv) => pv.metadata?.name ?? '',
  },
};
