// Validation of a pod's volume list and of the volume mounts and devices of its containers.
import type { ObjectMeta } from '../../meta/v1.js';
import { duplicate, forbidden, invalid, notFound, notSupported, type FieldError, type FieldPath } from '../../validation/field.js';
import { validateDNS1123Label } from '../../validation/names.js';
import type { Container } from './pod-types.js';
import { validateLocalDescendingPath, validatePathNoBacksteps } from './pod-volume-common.js';
import { validateVolumeSource, type VolumeValidationOptions } from './pod-volume-sources.js';
import type { Volume, VolumeDevice, VolumeMount } from './volumes.js';

export * from './pod-volume-common.js';
export * from './pod-volume-sources.js';

export interface ValidatedVolumes {
  /** Volumes that passed validation, by name (mounts may only refer to these). */
  readonly volumes: Map<string, Volume>;
  readonly errors: FieldError[];
}

export function validateVolumes(
  volumes: readonly Volume[] | undefined,
  podMeta: ObjectMeta | undefined,
  path: FieldPath,
  opts: VolumeValidationOptions = {},
): ValidatedVolumes {
  const errors: FieldError[] = [];
  const valid = new Map<string, Volume>();
  const names = new Set<string>();
  const createdPVCs = new Set<string>();
  if (podMeta?.name) for (const v of volumes ?? []) if (v.ephemeral) createdPVCs.add(`${podMeta.name}-${v.name}`);
  (volumes ?? []).forEach((vol, i) => {
    const p = path.index(i);
    const el = validateVolumeSource(vol, p, podMeta, opts);
    const name = vol.name ?? '';
    // An empty name is reported by the schema (required); such a volume cannot be mounted.
    if (name !== '') el.push(...validateDNS1123Label(name, p.child('name')));
    if (names.has(name)) el.push(duplicate(p.child('name'), name));
    if (el.length === 0 && name !== '') {
      names.add(name);
      valid.set(name, vol);
    } else {
      errors.push(...el);
    }
    if (vol.persistentVolumeClaim && createdPVCs.has(vol.persistentVolumeClaim.claimName)) {
      errors.push(invalid(p.child('persistentVolumeClaim', 'claimName'), vol.persistentVolumeClaim.claimName, 'must not reference a PVC that gets created for an ephemeral volume'));
    }
  });
  return { volumes: valid, errors };
}

const MOUNT_PROPAGATIONS = ['Bidirectional', 'HostToContainer', 'None'];
const RECURSIVE_READ_ONLY = ['Disabled', 'Enabled', 'IfPossible'];

export function validateVolumeMounts(
  mounts: readonly VolumeMount[] | undefined,
  devices: ReadonlyMap<string, string>,
  volumes: ReadonlyMap<string, Volume>,
  container: Container | undefined,
  path: FieldPath,
): FieldError[] {
  const errs: FieldError[] = [];
  const mountpoints = new Set<string>();
  const devicePaths = new Set(devices.values());
  (mounts ?? []).forEach((m, i) => {
    const p = path.index(i);
    const name = m.name ?? '';
    const mountPath = m.mountPath ?? '';
    if (!volumes.has(name)) errs.push(notFound(p.child('name'), name));
    if (mountpoints.has(mountPath)) errs.push(invalid(p.child('mountPath'), mountPath, 'must be unique'));
    mountpoints.add(mountPath);
    if (devices.has(name)) errs.push(invalid(p.child('name'), name, 'must not already exist in volumeDevices'));
    if (devicePaths.has(mountPath)) errs.push(invalid(p.child('mountPath'), mountPath, 'must not already exist as a path in volumeDevices'));
    if (volumes.get(name)?.image) {
      if (m.subPath) errs.push(invalid(p.child('subPath'), m.subPath, 'not allowed in image volume sources'));
      if (m.subPathExpr) errs.push(invalid(p.child('subPathExpr'), m.subPathExpr, 'not allowed in image volume sources'));
    }
    // Upstream reports subPath problems on the list path, not the item.
    if (m.subPath) errs.push(...validateLocalDescendingPath(m.subPath, path.child('subPath')));
    if (m.subPathExpr) {
      if (m.subPath) errs.push(invalid(p.child('subPathExpr'), m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(m.subPathExpr, path.child('subPathExpr')));
    }
    if (m.mountPropagation !== undefined && m.mountPropagation !== null) {
      const pp = path.child('mountPropagation');
      if (!MOUNT_PROPAGATIONS.includes(m.mountPropagation)) errs.push(notSupported(pp, m.mountPropagation, MOUNT_PROPAGATIONS));
      if (container && m.mountPropagation === 'Bidirectional' && container.securityContext?.privileged !== true) {
        errs.push(forbidden(pp, 'Bidirectional mount propagation is available only to privileged containers'));
      }
    }
    if (m.recursiveReadOnly !== undefined && m.recursiveReadOnly !== null) {
      const rp = path.child('recursiveReadOnly');
      if (m.recursiveReadOnly === 'Enabled' || m.recursiveReadOnly === 'IfPossible') {
        if (!m.readOnly) errs.push(forbidden(rp, 'may only be specified when readOnly is true'));
        if (m.mountPropagation && m.mountPropagation !== 'None') {
          errs.push(forbidden(rp, 'may only be specified when mountPropagation is None or not specified'));
        }
      } else if (m.recursiveReadOnly !== 'Disabled') {
        errs.push(notSupported(rp, m.recursiveReadOnly, RECURSIVE_READ_ONLY));
      }
    }
  });
  return errs;
}

export function validateVolumeDevices(
  devices: readonly VolumeDevice[] | undefined,
  mounts: ReadonlyMap<string, string>,
  volumes: ReadonlyMap<string, Volume>,
  path: FieldPath,
): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  const names = new Set<string>();
  const mountPaths = new Set(mounts.values());
  (devices ?? []).forEach((d, i) => {
    const p = path.index(i);
    const name = d.name ?? '';
    const devPath = d.devicePath ?? '';
    const vol = volumes.get(name);
    if (names.has(name)) errs.push(invalid(p.child('name'), name, 'must be unique'));
    if (vol && !vol.persistentVolumeClaim && !vol.ephemeral) {
      errs.push(invalid(p.child('name'), name, 'can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode'));
    }
    if (!vol) errs.push(notFound(p.child('name'), name));
    if (paths.has(devPath)) errs.push(invalid(p.child('devicePath'), devPath, 'must be unique'));
    if (devPath !== '' && validatePathNoBacksteps(devPath, p).length > 0) {
      errs.push(invalid(p.child('devicePath'), devPath, "can not contain backsteps ('..')"));
    } else {
      paths.add(devPath);
    }
    if (mounts.has(name)) errs.push(invalid(p.child('name'), name, 'must not already exist in volumeMounts'));
    if (mountPaths.has(devPath)) errs.push(invalid(p.child('devicePath'), devPath, 'must not already exist as a path in volumeMounts'));
    if (name !== '') names.add(name);
  });
  return errs;
}

