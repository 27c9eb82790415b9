// Validation of each volume source (pod volumes, and the persistent volume sources that
// PersistentVolume reuses) and of a pod volume as a whole: exactly one source, in upstream's order.
import type { ObjectMeta } from '../../meta/v1.js';
import { tryParseQuantity } from '../../resource/quantity.js';
import type { Static } from '../../schema/dsl.js';
import { forbidden, invalid, notSupported, required, tooLong, type FieldError, type FieldPath } from '../../validation/field.js';
import { inclusiveRangeError, isDNS1123Label, isDNS1123Subdomain, validateDNS1123Label, validateLabelSelector } from '../../validation/names.js';
import type { SecretReference } from './common.js';
import {
  validateLocalDescendingPath,
  validateLocalNonReservedPath,
  validateMode,
  validateObjectFieldSelector,
  validatePathNoBacksteps,
  validatePersistentVolumeClaimSpec,
  validateResourceFieldSelector,
  validateTemplateObjectMeta,
} from './pod-volume-common.js';
import {
  volumeSourceFields,
  type CSIPersistentVolumeSource,
  type DownwardAPIVolumeFile,
  type GlusterfsPersistentVolumeSourceSchema,
  type ISCSIPersistentVolumeSourceSchema,
  type KeyToPath,
  type PersistentVolumeClaimTemplate,
  type Volume,
} from './volumes.js';

type Src<K extends keyof typeof volumeSourceFields> = Static<(typeof volumeSourceFields)[K]>;

const PD_PARTITION_ERROR = inclusiveRangeError(1, 255);
const MORE_THAN_ONE = 'may not specify more than 1 volume type';

// Empty required fields are reported by the schema's generic validation, not here.
const empty = (v: string | undefined | null): boolean => v === undefined || v === null || v === '';
const isAbs = (p: string): boolean => p.startsWith('/');
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

export function validateHostPathVolumeSource(src: Src<'hostPath'>, path: FieldPath): FieldError[] {
  if (empty(src.path)) return [];
  const errs = validatePathNoBacksteps(src.path, path.child('path'));
  if (src.type !== undefined && src.type !== null && !HOST_PATH_TYPES.includes(src.type)) {
    errs.push(notSupported(path.child('type'), src.type, HOST_PATH_TYPES));
  }
  return errs;
}

function validateGitRepo(src: Src<'gitRepo'>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateLocalDescendingPath(src.directory ?? '', path.child('directory')));
  return errs;
}

const iqnRe = /iqn\.\d{4}-\d{2}\.([A-Za-z0-9\-.]+)(:[^,;*&$|\s]+)$/;
const euiRe = /^eui.[A-Za-z0-9]{16}$/;
const naaRe = /^naa.[A-Za-z0-9]{32}$/;

function iqnFormatErrors(value: string, path: FieldPath, prefixDetail: string): FieldError[] {
  if (!value.startsWith('iqn') && !value.startsWith('eui') && !value.startsWith('naa')) return [invalid(path, value, prefixDetail)];
  if (value.startsWith('iqn') && !iqnRe.test(value)) return [invalid(path, value, 'must be valid format')];
  if (value.startsWith('eui') && !euiRe.test(value)) return [invalid(path, value, 'must be valid format')];
  if (value.startsWith('naa') && !naaRe.test(value)) return [invalid(path, value, 'must be valid format')];
  return [];
}

const PREFIX_DETAIL = 'must be valid format starting with iqn, eui, or naa';

function validateISCSICommon(src: Src<'iscsi'> | ISCSIPV, path: FieldPath, iqnPrefixDetail: string): FieldError[] {
  const errs: FieldError[] = [];
  if (src.iqn) errs.push(...iqnFormatErrors(src.iqn, path.child('iqn'), iqnPrefixDetail));
  const lun = src.lun ?? 0;
  if (lun < 0 || lun > 255) errs.push(invalid(path.child('lun'), lun, inclusiveRangeError(0, 255)));
  if ((src.chapAuthDiscovery || src.chapAuthSession) && !src.secretRef) errs.push(required(path.child('secretRef')));
  return errs;
}

function validateInitiatorName(name: string | undefined | null, path: FieldPath, prefixDetail: string): FieldError[] {
  if (name === undefined || name === null) return [];
  const p = path.child('initiatorname');
  const errs: FieldError[] = [];
  if (!name.startsWith('iqn') && !name.startsWith('eui') && !name.startsWith('naa')) errs.push(invalid(p, name, prefixDetail));
  if (name.startsWith('iqn') && !iqnRe.test(name)) errs.push(invalid(p, name, 'must be valid format'));
  else if (name.startsWith('eui') && !euiRe.test(name)) errs.push(invalid(p, name, 'must be valid format'));
  else if (name.startsWith('naa') && !naaRe.test(name)) errs.push(invalid(p, name, 'must be valid format'));
  return errs;
}

function validateISCSIVolumeSource(src: Src<'iscsi'>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateISCSICommon(src, path, PREFIX_DETAIL));
  errs.push(...validateInitiatorName(src.initiatorName, path, PREFIX_DETAIL));
  return errs;
}

type ISCSIPV = Static<typeof ISCSIPersistentVolumeSourceSchema>;

const ISCSI_TOO_LONG = 'Total length of <volume name>:<iscsi.targetPortal> must be under 64 characters if iscsi.initiatorName is specified.';

export function validateISCSIPersistentVolumeSource(src: ISCSIPV, pvName: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (src.initiatorName !== undefined && src.initiatorName !== null && `${pvName}:${src.targetPortal ?? ''}`.length > 64) {
    errs.push(invalid(path.child('targetportal'), src.targetPortal ?? '', ISCSI_TOO_LONG));
  }
  errs.push(...validateISCSICommon(src, path, 'must be valid format'));
  if (src.secretRef && empty(src.secretRef.name)) errs.push(required(path.child('secretRef', 'name')));
  errs.push(...validateInitiatorName(src.initiatorName, path, 'must be valid format'));
  return errs;
}

export function validateFCVolumeSource(src: Src<'fc'>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const wwns = src.targetWWNs ?? [];
  const wwids = src.wwids ?? [];
  if (wwns.length < 1 && wwids.length < 1) {
    errs.push(required(path.child('targetWWNs'), 'must specify either targetWWNs or wwids, but not both'));
  }
  if (wwns.length !== 0 && wwids.length !== 0) {
    errs.push(invalid(path.child('targetWWNs'), wwns, 'targetWWNs and wwids can not be specified simultaneously'));
  }
  if (wwns.length !== 0) {
    if (src.lun === undefined || src.lun === null) errs.push(required(path.child('lun'), 'lun is required if targetWWNs is specified'));
    else if (src.lun < 0 || src.lun > 255) errs.push(invalid(path.child('lun'), src.lun, inclusiveRangeError(0, 255)));
  }
  return errs;
}

/** Upstream reports this source's errors under "persistentDisk", not "gcePersistentDisk". */
export function validateGCEPersistentDiskVolumeSource(src: Src<'gcePersistentDisk'>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (empty(src.pdName)) errs.push(required(path.child('pdName')));
  const part = src.partition ?? 0;
  if (part < 0 || part > 255) errs.push(invalid(path.child('partition'), part, PD_PARTITION_ERROR));
  return errs;
}

export function validateAWSElasticBlockStoreVolumeSource(src: Src<'awsElasticBlockStore'>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const part = src.partition ?? 0;
  if (part < 0 || part > 255) errs.push(invalid(path.child('partition'), part, PD_PARTITION_ERROR));
  return errs;
}

function validateKeyToPath(kp: KeyToPath, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateLocalNonReservedPath(kp.path ?? '', path.child('path')));
  errs.push(...validateMode(kp.mode, path.child('mode')));
  return errs;
}

function validateItems(items: readonly KeyToPath[] | undefined, path: FieldPath): FieldError[] {
  return (items ?? []).flatMap((kp, i) => validateKeyToPath(kp, path.child('items').index(i)));
}

function validateSecretVolumeSource(src: Src<'secret'>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateMode(src.defaultMode, path.child('defaultMode')));
  errs.push(...validateItems(src.items, path));
  return errs;
}

function validateConfigMapVolumeSource(src: Src<'configMap'>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateMode(src.defaultMode, path.child('defaultMode')));
  errs.push(...validateItems(src.items, path));
  return errs;
}

export function validateNFSVolumeSource(src: Src<'nfs'>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!isAbs(src.path ?? '')) errs.push(invalid(path.child('path'), src.path ?? '', 'must be an absolute path'));
  return errs;
}

function splitsAsHostPort(hp: string): boolean {
  if (hp.startsWith('[')) {
    const end = hp.indexOf(']');
    return end > 0 && hp[end + 1] === ':' && !hp.slice(end + 2).includes(':');
  }
  return hp.split(':').length === 2 && !hp.includes('[') && !hp.includes(']');
}

export function validateQuobyteVolumeSource(src: Src<'quobyte'>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const registry = src.registry ?? '';
  if (registry === '') {
    errs.push(required(path.child('registry'), 'must be a host:port pair or multiple pairs separated by commas'));
  } else if ((src.tenant ?? '').length >= 65) {
    errs.push(required(path.child('tenant'), 'must be a UUID and may not exceed a length of 64 characters'));
  } else {
    for (const hp of registry.split(',')) {
      if (!splitsAsHostPort(hp)) {
        errs.push(invalid(path.child('registry'), registry, 'must be a host:port pair or multiple pairs separated by commas'));
      }
    }
  }
  return errs;
}

export function validateGlusterfsPersistentVolumeSource(
  src: Static<typeof GlusterfsPersistentVolumeSourceSchema>,
  path: FieldPath,
): FieldError[] {
  const errs: FieldError[] = [];
  const ns = src.endpointsNamespace;
  if (ns !== undefined && ns !== null) {
    const p = path.child('endpointsNamespace');
    if (ns === '') errs.push(invalid(p, ns, 'if the endpointnamespace is set, it must be a valid namespace name'));
    else for (const msg of isDNS1123Label(ns)) errs.push(invalid(p, ns, msg));
  }
  return errs;
}

export function validateFlockerVolumeSource(src: Src<'flocker'>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = src.datasetName ?? '';
  const uuid = src.datasetUUID ?? '';
  if (name === '' && uuid === '') errs.push(required(path, 'one of datasetName and datasetUUID is required'));
  if (name !== '' && uuid !== '') errs.push(invalid(path, 'resource', 'datasetName and datasetUUID can not be specified simultaneously'));
  if (name.includes('/')) errs.push(invalid(path.child('datasetName'), name, "must not contain '/'"));
  return errs;
}

const DOWNWARD_VOLUME_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];

function validateDownwardAPIVolumeFile(file: DownwardAPIVolumeFile, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateLocalNonReservedPath(file.path ?? '', path.child('path')));
  if (file.fieldRef) {
    errs.push(...validateObjectFieldSelector(file.fieldRef, DOWNWARD_VOLUME_FIELD_PATHS, path.child('fieldRef')));
    if (file.resourceFieldRef) errs.push(invalid(path, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
  } else if (file.resourceFieldRef) {
    errs.push(...validateResourceFieldSelector(file.resourceFieldRef, path.child('resourceFieldRef'), true));
  } else {
    errs.push(required(path, 'one of fieldRef and resourceFieldRef is required'));
  }
  errs.push(...validateMode(file.mode, path.child('mode')));
  return errs;
}

function validateDownwardAPIVolumeSource(src: Src<'downwardAPI'>, path: FieldPath): FieldError[] {
  const errs = validateMode(src.defaultMode, path.child('defaultMode'));
  for (const file of src.items ?? []) errs.push(...validateDownwardAPIVolumeFile(file, path));
  return errs;
}

function validateProjectedVolumeSource(src: Src<'projected'>, path: FieldPath, opts: VolumeValidationOptions): FieldError[] {
  const errs = validateMode(src.defaultMode, path.child('defaultMode'));
  const allPaths = new Set<string>();
  const claimPath = (p: string, onDup: () => FieldError): void => {
    if (allPaths.has(p)) errs.push(onDup());
    else allPaths.add(p);
  };
  (src.sources ?? []).forEach((source, i) => {
    let numSources = 0;
    const srcPath = path.child('sources').index(i);
    for (const kind of ['secret', 'configMap'] as const) {
      const s = source[kind];
      if (!s) continue;
      numSources++;
      const projPath = srcPath.child(kind);
      (s.items ?? []).forEach((kp, j) => {
        errs.push(...validateKeyToPath(kp, projPath.child('items').index(j)));
        if (kp.path) claimPath(kp.path, () => invalid(path, s.name ?? '', 'conflicting duplicate paths'));
      });
    }
    if (source.downwardAPI) {
      numSources++;
      for (const file of source.downwardAPI.items ?? []) {
        errs.push(...validateDownwardAPIVolumeFile(file, srcPath.child('downwardAPI')));
        if (file.path) claimPath(file.path, () => invalid(path, file.path, 'conflicting duplicate paths'));
      }
    }
    const sat = source.serviceAccountToken;
    if (sat) {
      numSources++;
      const expiration = sat.expirationSeconds ?? 0;
      const expPath = srcPath.child('serviceAccountToken', 'expirationSeconds');
      if (expiration < 600) errs.push(invalid(expPath, expiration, 'may not specify a duration less than 10 minutes'));
      if (expiration > 2 ** 32) errs.push(invalid(expPath, expiration, 'may not specify a duration larger than 2^32 seconds'));
      // Upstream reports these under the projected volume's own path.
      if (!sat.path) errs.push(required(path.child('path')));
      else if (!opts.allowNonLocalProjectedTokenPath) errs.push(...validateLocalNonReservedPath(sat.path, path.child('path')));
    }
    const ctb = source.clusterTrustBundle;
    if (ctb) {
      numSources++;
      const projPath = srcPath.child('clusterTrustBundle');
      const usingName = ctb.name !== undefined && ctb.name !== null;
      const usingSigner = ctb.signerName !== undefined && ctb.signerName !== null;
      if (usingName && usingSigner) {
        errs.push(invalid(projPath, ctb, 'only one of name and signerName may be used'));
      } else if (usingName) {
        if (ctb.name === '') errs.push(required(projPath.child('name'), 'must be a valid object name'));
        if (ctb.labelSelector) errs.push(invalid(projPath.child('labelSelector'), ctb.labelSelector, 'labelSelector must be unset if name is specified'));
      } else if (usingSigner) {
        if (ctb.signerName === '') errs.push(required(projPath.child('signerName'), 'must be a valid signer name'));
        errs.push(...validateLabelSelector(ctb.labelSelector, projPath.child('labelSelector')));
      } else {
        errs.push(required(projPath, 'either name or signerName must be specified'));
      }
      errs.push(...validateLocalNonReservedPath(ctb.path ?? '', projPath.child('path')));
      claimPath(ctb.path ?? '', () => invalid(path, ctb.path ?? '', 'conflicting duplicate paths'));
    }
    if (numSources > 1) errs.push(forbidden(srcPath, 'may not specify more than 1 volume type per source'));
  });
  return errs;
}


function validateCinderVolumeSource(src: Src<'cinder'>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (src.secretRef && empty(src.secretRef.name)) errs.push(required(path.child('secretRef', 'name')));
  return errs;
}

export function validateCinderPersistentVolumeSource(
  src: { volumeID?: string; secretRef?: SecretReference },
  path: FieldPath,
): FieldError[] {
  const errs: FieldError[] = [];
  if (src.secretRef) {
    if (empty(src.secretRef.name)) errs.push(required(path.child('secretRef', 'name')));
    if (empty(src.secretRef.namespace)) errs.push(required(path.child('secretRef', 'namespace')));
  }
  return errs;
}


/** FlexVolume options may not use the kubernetes.io and k8s.io namespaces (pod and PV sources). */
export function validateFlexVolumeSource(src: { driver?: string; options?: Record<string, string> }, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of Object.keys(src.options ?? {})) {
    const slash = k.indexOf('/');
    const ns = slash >= 0 ? k.slice(0, slash) : k;
    const normalized = '.' + ns.toLowerCase();
    if (normalized.endsWith('.kubernetes.io') || normalized.endsWith('.k8s.io')) {
      errs.push(invalid(path.child('options').key(k), k, 'kubernetes.io and k8s.io namespaces are reserved'));
    }
  }
  return errs;
}

export function validateAzureFilePV(
  src: { secretName?: string; shareName?: string; secretNamespace?: string },
  path: FieldPath,
): FieldError[] {
  const errs: FieldError[] = [];
  if (src.secretNamespace === '') errs.push(required(path.child('secretNamespace')));
  return errs;
}

export function validateAzureDisk(src: Src<'azureDisk'>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const caching = ['None', 'ReadOnly', 'ReadWrite'];
  if (src.cachingMode !== undefined && !caching.includes(src.cachingMode)) {
    errs.push(notSupported(path.child('cachingMode'), src.cachingMode, caching));
  }
  const kinds = ['Dedicated', 'Managed', 'Shared'];
  if (src.kind !== undefined && !kinds.includes(src.kind)) errs.push(notSupported(path.child('kind'), src.kind, kinds));
  const uri = src.diskURI ?? '';
  if (src.kind === 'Managed' && !uri.startsWith('/subscriptions/')) {
    errs.push(notSupported(path.child('diskURI'), uri, ['/subscriptions/{sub-id}/resourcegroups/{group-name}/providers/microsoft.compute/disks/{disk-id}']));
  }
  if (src.kind !== undefined && src.kind !== 'Managed' && !uri.startsWith('https://')) {
    errs.push(notSupported(path.child('diskURI'), uri, ['https://{account-name}.blob.core.windows.net/{container-name}/{disk-name}.vhd']));
  }
  return errs;
}



export function validateLocalVolumeSource(src: { path?: string }, path: FieldPath): FieldError[] {
  if (empty(src.path)) return [];
  return validatePathNoBacksteps(src.path!, path.child('path'));
}

function validateStorageOSCommon(src: { volumeName?: string; volumeNamespace?: string }, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (src.volumeName) errs.push(...validateDNS1123Label(src.volumeName, path.child('volumeName')));
  if (src.volumeNamespace) errs.push(...validateDNS1123Label(src.volumeNamespace, path.child('volumeNamespace')));
  return errs;
}

function validateStorageOSVolumeSource(src: Src<'storageos'>, path: FieldPath): FieldError[] {
  const errs = validateStorageOSCommon(src, path);
  if (src.secretRef && empty(src.secretRef.name)) errs.push(required(path.child('secretRef', 'name')));
  return errs;
}

export function validateStorageOSPersistentVolumeSource(
  src: { volumeName?: string; volumeNamespace?: string; secretRef?: { name?: string; namespace?: string } },
  path: FieldPath,
): FieldError[] {
  const errs = validateStorageOSCommon(src, path);
  if (src.secretRef) {
    if (empty(src.secretRef.name)) errs.push(required(path.child('secretRef', 'name')));
    if (empty(src.secretRef.namespace)) errs.push(required(path.child('secretRef', 'namespace')));
  }
  return errs;
}

export function validateCSIDriverName(driver: string | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (driver === undefined) return errs;
  if (driver.length > 63) errs.push(tooLong(path, '', 63));
  for (const msg of isDNS1123Subdomain(driver.toLowerCase())) errs.push(invalid(path, driver, msg));
  return errs;
}

function validatePVSecretReference(ref: SecretReference, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (empty(ref.name)) errs.push(required(path.child('name')));
  else for (const msg of isDNS1123Subdomain(ref.name!)) errs.push(invalid(path.child('name'), ref.name, msg));
  if (empty(ref.namespace)) errs.push(required(path.child('namespace')));
  else errs.push(...validateDNS1123Label(ref.namespace!, path.child('namespace')));
  return errs;
}

export function validateCSIPersistentVolumeSource(src: CSIPersistentVolumeSource, path: FieldPath): FieldError[] {
  const errs = validateCSIDriverName(src.driver, path.child('driver'));
  for (const ref of ['controllerPublishSecretRef', 'controllerExpandSecretRef', 'nodePublishSecretRef', 'nodeExpandSecretRef'] as const) {
    const r = src[ref];
    if (r) errs.push(...validatePVSecretReference(r, path.child(ref)));
  }
  return errs;
}

function validateCSIVolumeSource(src: Src<'csi'>, path: FieldPath): FieldError[] {
  const errs = validateCSIDriverName(src.driver, path.child('driver'));
  const ref = src.nodePublishSecretRef;
  if (ref) {
    if (empty(ref.name)) errs.push(required(path.child('nodePublishSecretRef', 'name')));
    else for (const msg of isDNS1123Subdomain(ref.name!)) errs.push(invalid(path.child('name'), ref.name, msg));
  }
  return errs;
}

function validatePersistentVolumeClaimTemplate(tpl: PersistentVolumeClaimTemplate, path: FieldPath): FieldError[] {
  const errs = validateTemplateObjectMeta(tpl.metadata, path.child('metadata'));
  errs.push(...validatePersistentVolumeClaimSpec(tpl.spec ?? {}, path.child('spec')));
  return errs;
}

function validateImageVolumeSource(src: Src<'image'>, path: FieldPath, opts: VolumeValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  if (opts.resourceIsPod && !src.reference) errs.push(required(path.child('reference')));
  const policies = ['Always', 'IfNotPresent', 'Never'];
  const policy = src.pullPolicy ?? '';
  if (policy === '') errs.push(required(path.child('pullPolicy')));
  else if (policy !== '' && !policies.includes(policy)) errs.push(notSupported(path.child('pullPolicy'), policy, policies));
  return errs;
}

export interface VolumeValidationOptions {
  /** The spec belongs to a Pod (not a template): ephemeral claim names and image references are checked. */
  readonly resourceIsPod?: boolean;
  readonly allowNonLocalProjectedTokenPath?: boolean;
}

interface SourceContext {
  /** Path of the source itself (volumes[i].nfs). */
  readonly path: FieldPath;
  /** Path of the volume (volumes[i]). */
  readonly volPath: FieldPath;
  readonly volName: string;
  readonly podMeta: ObjectMeta | undefined;
  readonly opts: VolumeValidationOptions;
}

type SourceValidator = (src: never, ctx: SourceContext) => FieldError[];

// Sources whose only rules are required fields, which the schema checks.
const noChecks: SourceValidator = () => [];

// Upstream checks the sources in this order; the path of the "more than 1" error keeps its typos.
const sourceChecks: readonly [keyof typeof volumeSourceFields, string, SourceValidator][] = [
  ['emptyDir', 'emptyDir', (src: Src<'emptyDir'>, { path }) => {
    const q = tryParseQuantity(src.sizeLimit);
    return q && q.sign() < 0 ? [forbidden(path.child('sizeLimit'), 'SizeLimit field must be a valid resource quantity')] : [];
  }],
  ['hostPath', 'hostPath', (src: Src<'hostPath'>, { path }) => validateHostPathVolumeSource(src, path)],
  ['gitRepo', 'gitRepo', (src: Src<'gitRepo'>, { path }) => validateGitRepo(src, path)],
  ['gcePersistentDisk', 'gcePersistentDisk', (src: Src<'gcePersistentDisk'>, { volPath }) =>
    validateGCEPersistentDiskVolumeSource(src, volPath.child('persistentDisk'))],
  ['awsElasticBlockStore', 'awsElasticBlockStore', (src: Src<'awsElasticBlockStore'>, { path }) =>
    validateAWSElasticBlockStoreVolumeSource(src, path)],
  ['secret', 'secret', (src: Src<'secret'>, { path }) => validateSecretVolumeSource(src, path)],
  ['nfs', 'nfs', (src: Src<'nfs'>, { path }) => validateNFSVolumeSource(src, path)],
  ['iscsi', 'iscsi', (src: Src<'iscsi'>, { path, volPath, volName }) => {
    const errs = validateISCSIVolumeSource(src, path);
    if (src.initiatorName !== undefined && `${volName}:${src.targetPortal ?? ''}`.length > 64) {
      errs.push(invalid(volPath.child('name'), volName, ISCSI_TOO_LONG));
    }
    return errs;
  }],
  ['glusterfs', 'glusterfs', noChecks],
  ['flocker', 'flocker', (src: Src<'flocker'>, { path }) => validateFlockerVolumeSource(src, path)],
  ['persistentVolumeClaim', 'persistentVolumeClaim', noChecks],
  ['rbd', 'rbd', noChecks],
  ['cinder', 'cinder', (src: Src<'cinder'>, { path }) => validateCinderVolumeSource(src, path)],
  ['cephfs', 'cephFS', noChecks],
  ['quobyte', 'quobyte', (src: Src<'quobyte'>, { path }) => validateQuobyteVolumeSource(src, path)],
  ['downwardAPI', 'downwarAPI', (src: Src<'downwardAPI'>, { path }) => validateDownwardAPIVolumeSource(src, path)],
  ['fc', 'fc', (src: Src<'fc'>, { path }) => validateFCVolumeSource(src, path)],
  ['flexVolume', 'flexVolume', (src: Src<'flexVolume'>, { path }) => validateFlexVolumeSource(src, path)],
  ['configMap', 'configMap', (src: Src<'configMap'>, { path }) => validateConfigMapVolumeSource(src, path)],
  ['azureFile', 'azureFile', noChecks],
  ['vsphereVolume', 'vsphereVolume', noChecks],
  ['photonPersistentDisk', 'photonPersistentDisk', noChecks],
  ['portworxVolume', 'portworxVolume', noChecks],
  ['azureDisk', 'azureDisk', (src: Src<'azureDisk'>, { path }) => validateAzureDisk(src, path)],
  ['storageos', 'storageos', (src: Src<'storageos'>, { path }) => validateStorageOSVolumeSource(src, path)],
  ['projected', 'projected', (src: Src<'projected'>, { path, opts }) => validateProjectedVolumeSource(src, path, opts)],
  ['scaleIO', 'scaleIO', noChecks],
  ['csi', 'csi', (src: Src<'csi'>, { path }) => validateCSIVolumeSource(src, path)],
  ['ephemeral', 'ephemeral', (src: Src<'ephemeral'>, { path, volName, podMeta }) => {
    if (!src.volumeClaimTemplate) return [];
    const errs = validatePersistentVolumeClaimTemplate(src.volumeClaimTemplate, path.child('volumeClaimTemplate'));
    if (podMeta?.name && volName) {
      const pvcName = `${podMeta.name}-${volName}`;
      for (const msg of isDNS1123Subdomain(pvcName)) {
        errs.push(invalid(path.child('name'), volName, `PVC name ${JSON.stringify(pvcName)}: ${msg}`));
      }
    }
    return errs;
  }],
  ['image', 'image', (src: Src<'image'>, { path, opts }) => validateImageVolumeSource(src, path, opts)],
];

export function validateVolumeSource(vol: Volume, path: FieldPath, podMeta: ObjectMeta | undefined, opts: VolumeValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  let num = 0;
  for (const [field, forbiddenName, check] of sourceChecks) {
    const src = vol[field];
    if (src === undefined || src === null) continue;
    if (num > 0) {
      errs.push(forbidden(path.child(forbiddenName), MORE_THAN_ONE));
      continue;
    }
    num++;
    errs.push(...check(src as never, { path: path.child(field), volPath: path, volName: vol.name ?? '', podMeta, opts }));
  }
  if (num === 0) errs.push(required(path, 'must specify a volume type'));
  return errs;
}

