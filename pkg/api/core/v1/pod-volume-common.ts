// Helpers shared by the volume validators: relative paths, file modes, downward API selectors,
// template metadata and the claim spec that PersistentVolumeClaims and ephemeral volumes share.
import type { ObjectMeta } from '../../meta/v1.js';
import { tryParseQuantity } from '../../resource/quantity.js';
import { forbidden, invalid, notSupported, required, type FieldError, type FieldPath } from '../../validation/field.js';
import { isDNS1123Subdomain, validateAnnotations, validateLabels, validateLabelSelector, validateQualifiedName } from '../../validation/names.js';
import type { PersistentVolumeClaimSpec } from './volumes.js';

const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';
const isAbs = (p: string): boolean => p.startsWith('/');

/** File mode bits must fit 0-0777. */
export function validateMode(mode: number | undefined | null, path: FieldPath): FieldError[] {
  return mode !== undefined && mode !== null && (mode > 0o777 || mode < 0) ? [invalid(path, mode, FILE_MODE_ERROR)] : [];
}

/** No ".." element anywhere in the path. */
export function validatePathNoBacksteps(target: string, path: FieldPath): FieldError[] {
  return target.replace(/\\/g, '/').split('/').includes('..') ? [invalid(path, target, "must not contain '..'")] : [];
}

/** A relative path without "..". */
export function validateLocalDescendingPath(target: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (isAbs(target)) errs.push(invalid(path, target, 'must be a relative path'));
  errs.push(...validatePathNoBacksteps(target, path));
  return errs;
}

/** A relative path without ".." that does not start with "..". */
export function validateLocalNonReservedPath(target: string, path: FieldPath): FieldError[] {
  const errs = validateLocalDescendingPath(target, path);
  if (target.startsWith('..') && !target.startsWith('../')) errs.push(invalid(path, target, "must not start with '..'"));
  return errs;
}

const SUPPORTED_DOWNWARD_LABELS = new Set([
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.serviceAccountName',
  'spec.schedulerName',
  'status.phase',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
]);

/** "metadata.labels['app']" → ["metadata.labels", "app"]. */
function splitSubscriptedPath(fieldPath: string): [string, string] | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const s = fieldPath.slice(0, -2);
  const at = s.indexOf("['");
  if (at <= 0) return undefined;
  return [s.slice(0, at), s.slice(at + 2)];
}

/** Maps a v1 downward API field path to the internal one, as the apiserver's conversion does. */
function convertDownwardAPIFieldLabel(version: string, label: string): string | Error {
  if (version !== 'v1') return new Error(`unsupported pod version: ${version}`);
  const sub = splitSubscriptedPath(label);
  if (sub) {
    return sub[0] === 'metadata.annotations' || sub[0] === 'metadata.labels'
      ? label
      : new Error(`field label does not support subscript: ${label}`);
  }
  if (SUPPORTED_DOWNWARD_LABELS.has(label)) return label;
  if (label === 'spec.host') return 'spec.nodeName';
  return new Error(`field label not supported: ${label}`);
}

/** A downward API field reference, limited to the given field paths. */
export function validateObjectFieldSelector(
  fs: { apiVersion?: string; fieldPath: string },
  allowed: readonly string[],
  path: FieldPath,
): FieldError[] {
  if (!fs.apiVersion) return fs.apiVersion === '' ? [required(path.child('apiVersion'))] : [];
  // An empty fieldPath is reported by the schema (required).
  if (!fs.fieldPath) return [];
  const internal = convertDownwardAPIFieldLabel(fs.apiVersion, fs.fieldPath);
  if (internal instanceof Error) return [invalid(path.child('fieldPath'), fs.fieldPath, `error converting fieldPath: ${internal.message}`)];
  const sub = splitSubscriptedPath(internal);
  if (sub) {
    const [base, key] = sub;
    if (base === 'metadata.annotations') return validateQualifiedName(key.toLowerCase(), path);
    if (base === 'metadata.labels') return validateQualifiedName(key, path);
    return [invalid(path, base, 'does not support subscript')];
  }
  if (!allowed.includes(internal)) return [notSupported(path.child('fieldPath'), internal, [...allowed].sort())];
  return [];
}

const CONTAINER_RESOURCE_FIELDS = [
  'limits.cpu',
  'limits.ephemeral-storage',
  'limits.memory',
  'requests.cpu',
  'requests.ephemeral-storage',
  'requests.memory',
];
const HUGEPAGE_PREFIXES = ['limits.hugepages-', 'requests.hugepages-'];
const SIZE_DIVISORS = ['1', '1k', '1M', '1G', '1T', '1P', '1E', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei'];
const SIZE_DIVISOR_LIST = SIZE_DIVISORS.join(', ');

function validateResourceDivisor(resource: string, divisor: string | number | undefined, path: FieldPath): FieldError[] {
  const q = tryParseQuantity(divisor);
  if (!q || q.isZero()) return [];
  const d = q.toString();
  const p = path.child('divisor');
  const errs: FieldError[] = [];
  if ((resource === 'limits.cpu' || resource === 'requests.cpu') && d !== '1m' && d !== '1') {
    errs.push(invalid(p, resource, "only divisor's values 1m and 1 are supported with the cpu resource"));
  }
  if ((resource === 'limits.memory' || resource === 'requests.memory') && !SIZE_DIVISORS.includes(d)) {
    errs.push(invalid(p, resource, `only divisor's values ${SIZE_DIVISOR_LIST} are supported with the memory resource`));
  }
  if ((resource === 'limits.ephemeral-storage' || resource === 'requests.ephemeral-storage') && !SIZE_DIVISORS.includes(d)) {
    errs.push(invalid(p, resource, `only divisor's values ${SIZE_DIVISOR_LIST} are supported with the local ephemeral storage resource`));
  }
  if (HUGEPAGE_PREFIXES.some((pre) => resource.startsWith(pre)) && !SIZE_DIVISORS.includes(d)) {
    errs.push(invalid(p, resource, `only divisor's values ${SIZE_DIVISOR_LIST} are supported with the hugepages resource`));
  }
  return errs;
}

/** A downward API container resource reference; volumes must name the container. */
export function validateResourceFieldSelector(
  fs: { containerName?: string; resource: string; divisor?: string | number },
  path: FieldPath,
  volume: boolean,
): FieldError[] {
  const errs: FieldError[] = [];
  const resource = fs.resource ?? '';
  if (volume && !fs.containerName) errs.push(required(path.child('containerName')));
  else if (resource !== '' && !CONTAINER_RESOURCE_FIELDS.includes(resource) && !HUGEPAGE_PREFIXES.some((pre) => resource.startsWith(pre))) {
    errs.push(notSupported(path.child('resource'), resource, CONTAINER_RESOURCE_FIELDS));
  }
  errs.push(...validateResourceDivisor(resource, fs.divisor, path));
  return errs;
}

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];

/** The rules every claim spec follows (PersistentVolumeClaim and ephemeral volume templates). */
export function validatePersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const modes = spec.accessModes ?? [];
  if (modes.length === 0) errs.push(required(path.child('accessModes'), 'at least 1 access mode is required'));
  if (spec.selector) errs.push(...validateLabelSelector(spec.selector, path.child('selector')));
  let rwop = false;
  let other = false;
  for (const mode of modes) {
    if (!ACCESS_MODES.includes(mode)) errs.push(notSupported(path.child('accessModes'), mode, ACCESS_MODES));
    if (mode === 'ReadWriteOncePod') rwop = true;
    else if (ACCESS_MODES.includes(mode)) other = true;
  }
  if (rwop && other) errs.push(forbidden(path.child('accessModes'), 'may not use ReadWriteOncePod with other access modes'));
  const storagePath = path.child('resources').key('storage');
  const storage = spec.resources?.requests?.['storage'];
  if (storage === undefined) {
    errs.push(required(storagePath));
  } else {
    const q = tryParseQuantity(storage);
    if (q && q.sign() <= 0) errs.push(invalid(storagePath, q.toString(), 'must be greater than zero'));
  }
  if (spec.storageClassName) {
    for (const msg of isDNS1123Subdomain(spec.storageClassName)) errs.push(invalid(path.child('storageClassName'), spec.storageClassName, msg));
  }
  if (spec.volumeMode !== undefined && !VOLUME_MODES.includes(spec.volumeMode)) {
    errs.push(notSupported(path.child('volumeMode'), spec.volumeMode, VOLUME_MODES));
  }
  const ds = spec.dataSource;
  if (ds) errs.push(...validateDataSource(ds, path.child('dataSource')));
  const dsr = spec.dataSourceRef;
  if (dsr) errs.push(...validateDataSource(dsr, path.child('dataSourceRef')));
  if (dsr?.namespace) {
    if (ds) errs.push(invalid(path, path.child('dataSource').toString(), 'may not be specified when dataSourceRef.namespace is specified'));
  } else if (ds && dsr) {
    if ((ds.apiGroup ?? '') !== (dsr.apiGroup ?? '') || ds.kind !== dsr.kind || ds.name !== dsr.name) {
      errs.push(invalid(path, path.child('dataSource').toString(), 'must match dataSourceRef'));
    }
  }
  return errs;
}

function validateDataSource(ref: { apiGroup?: string; kind: string; name: string }, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const group = ref.apiGroup ?? '';
  if (group === '' && ref.kind !== 'PersistentVolumeClaim') {
    errs.push(invalid(path, ref.kind, "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
  }
  if (group !== '') for (const msg of isDNS1123Subdomain(group)) errs.push(invalid(path.child('apiGroup'), group, msg));
  return errs;
}

/** Embedded object metadata of a template may only carry labels and annotations. */
export function validateTemplateObjectMeta(meta: ObjectMeta | undefined, path: FieldPath): FieldError[] {
  const errs = validateAnnotations(meta?.annotations, path.child('annotations'));
  errs.push(...validateLabels(meta?.labels, path.child('labels')));
  for (const [k, v] of Object.entries(meta ?? {})) {
    if (k === 'labels' || k === 'annotations' || v === undefined || v === null || v === '' || v === 0) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    errs.push(forbidden(path.child(k), 'cannot be set'));
  }
  return errs;
}

