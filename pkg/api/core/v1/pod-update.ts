// What may change in a pod after creation: its spec is immutable except for images, a shrinking
// activeDeadlineSeconds, added tolerations, removed scheduling gates and (while gated) added
// node selector labels. Status updates have their own rules.
import { FieldPath, duplicate, forbidden, invalid, notSupported, required, type FieldError } from '../../validation/field.js';
import { inclusiveRangeError, isDNS1123Subdomain, isValidIP, validateQualifiedName } from '../../validation/names.js';
import { validateTolerations, type Toleration } from './common.js';
import type { Container, ContainerStatus, Pod, PodSpec } from './pod-types.js';
import { validatePodMetadataAndSpec } from './pod-validation.js';

const MAX_INT32 = 2147483647;

/** The wording of upstream's list of mutable pod spec fields (part of the error message). */
export const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
const APPARMOR_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

/** Deep equality of JSON values, with absent and undefined members treated alike. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!jsonEqual(ao[k], bo[k])) return false;
  return true;
}

/** A readable list of the differing leaves ("- path: old" / "+ path: new"), for the Forbidden message. */
export function describeDiff(oldV: unknown, newV: unknown, path = ''): string[] {
  if (jsonEqual(oldV, newV)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(oldV) && isObj(newV)) {
    const keys = [...new Set([...Object.keys(oldV), ...Object.keys(newV)])].sort();
    return keys.flatMap((k) => describeDiff(oldV[k], newV[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(oldV) && Array.isArray(newV) && oldV.length === newV.length) {
    return oldV.flatMap((x, i) => describeDiff(x, newV[i], `${path}[${i}]`));
  }
  const lines: string[] = [];
  if (oldV !== undefined) lines.push(`- ${path}: ${JSON.stringify(oldV)}`);
  if (newV !== undefined) lines.push(`+ ${path}: ${JSON.stringify(newV)}`);
  return lines;
}

function validateAnnotationUpdates(pod: Pod, old: Pod): FieldError[] {
  const errs: FieldError[] = [];
  const path = FieldPath.root('metadata').child('annotations');
  const newA = pod.metadata?.annotations ?? {};
  const oldA = old.metadata?.annotations ?? {};
  for (const [k, v] of Object.entries(oldA)) {
    if (k in newA && newA[k] === v) continue;
    if (k.startsWith(APPARMOR_PREFIX)) errs.push(forbidden(path.key(k), 'may not remove or update AppArmor annotations'));
    if (k === MIRROR_ANNOTATION) errs.push(forbidden(path.key(k), 'may not remove or update mirror pod annotation'));
  }
  for (const k of Object.keys(newA)) {
    if (k in oldA) continue;
    if (k.startsWith(APPARMOR_PREFIX)) errs.push(forbidden(path.key(k), 'may not add AppArmor annotations'));
    if (k === MIRROR_ANNOTATION) errs.push(forbidden(path.key(k), 'may not add mirror pod annotation'));
  }
  return errs;
}

function validateContainerUpdates(newC: readonly Container[], oldC: readonly Container[], path: FieldPath): { errs: FieldError[]; stop: boolean } {
  if (newC.length !== oldC.length) return { errs: [forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errs: FieldError[] = [];
  newC.forEach((c, i) => {
    const image = c.image ?? '';
    if (image === '') errs.push(required(path.index(i).child('image')));
    if (image.trim() !== image) errs.push(invalid(path.index(i).child('image'), image, 'must not have leading or trailing whitespace'));
  });
  return { errs, stop: false };
}

function validateOnlyAddedTolerations(newT: readonly Toleration[], oldT: readonly Toleration[], path: FieldPath): FieldError[] {
  for (const o of oldT) {
    // tolerationSeconds of an existing toleration may change; nothing else may.
    const found = newT.some((n) => jsonEqual({ ...o, tolerationSeconds: n.tolerationSeconds }, n));
    if (!found) return [forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(newT, path);
}

/** Update validation of a pod (upstream ValidatePodUpdate); metadata immutability is checked generically. */
export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const specPath = FieldPath.root('spec');
  const spec: PodSpec = pod.spec ?? {};
  const oldSpec: PodSpec = old.spec ?? {};
  const errs = validatePodMetadataAndSpec(pod.metadata, spec, specPath, FieldPath.root('metadata').child('annotations'));
  errs.push(...validateAnnotationUpdates(pod, old));

  for (const kind of ['containers', 'initContainers'] as const) {
    const r = validateContainerUpdates(spec[kind] ?? [], oldSpec[kind] ?? [], specPath.child(kind));
    errs.push(...r.errs);
    if (r.stop) return errs;
  }

  const ads = spec.activeDeadlineSeconds;
  const oldAds = oldSpec.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null) {
    if (ads < 0 || ads > MAX_INT32) {
      errs.push(invalid(specPath.child('activeDeadlineSeconds'), ads, inclusiveRangeError(0, MAX_INT32)));
      return errs;
    }
    if (oldAds !== undefined && oldAds !== null && oldAds < ads) {
      errs.push(invalid(specPath.child('activeDeadlineSeconds'), ads, 'must be less than or equal to previous value'));
      return errs;
    }
  } else if (oldAds !== undefined && oldAds !== null) {
    errs.push(invalid(specPath.child('activeDeadlineSeconds'), null, 'must not update from a positive integer to nil value'));
  }

  errs.push(...validateOnlyAddedTolerations(spec.tolerations ?? [], oldSpec.tolerations ?? [], specPath.child('tolerations')));

  const oldGates = new Set((oldSpec.schedulingGates ?? []).map((g) => g.name));
  (spec.schedulingGates ?? []).forEach((g, i) => {
    if (!oldGates.has(g.name)) {
      errs.push(forbidden(specPath.child('schedulingGates').index(i).child('name'), `only deletion is allowed, but found new scheduling gate '${g.name ?? ''}'`));
    }
  });

  if (jsonEqual(spec, oldSpec)) return errs;

  // Put the mutable fields back to their old values; whatever still differs is forbidden.
  const munged: PodSpec = structuredClone(spec);
  munged.containers = (munged.containers ?? []).map((c, i) => ({ ...c, image: oldSpec.containers?.[i]?.image ?? c.image }));
  if (munged.initContainers) munged.initContainers = munged.initContainers.map((c, i) => ({ ...c, image: oldSpec.initContainers?.[i]?.image ?? c.image }));
  if (oldSpec.containers === undefined && munged.containers.length === 0) delete munged.containers;
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.schedulingGates = oldSpec.schedulingGates;
  munged.tolerations = oldSpec.tolerations;
  const oldGrace = oldSpec.terminationGracePeriodSeconds;
  if (oldGrace !== undefined && oldGrace !== null && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldGrace;
  }
  if ((oldSpec.schedulingGates ?? []).length > 0 && !jsonEqual(munged.nodeSelector, oldSpec.nodeSelector)) {
    const newSel = munged.nodeSelector ?? {};
    for (const [k, v] of Object.entries(oldSpec.nodeSelector ?? {})) {
      if (newSel[k] !== v) {
        errs.push(invalid(specPath.child('nodeSelector'), newSel, 'only additions to spec.nodeSelector are allowed (no mutations or deletions)'));
        break;
      }
    }
    munged.nodeSelector = oldSpec.nodeSelector;
  }
  if (!jsonEqual(munged, oldSpec)) {
    const diff = describeDiff(oldSpec, munged, 'spec').join('\n');
    errs.push(forbidden(specPath, `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${diff}`));
  }
  return errs;
}

function validateStateTransitions(
  newS: readonly ContainerStatus[],
  oldS: readonly ContainerStatus[],
  path: FieldPath,
  restartPolicy: string | undefined,
  restartable: (name: string) => boolean = () => false,
): FieldError[] {
  if (restartPolicy === 'Always') return [];
  const errs: FieldError[] = [];
  oldS.forEach((o, i) => {
    const term = o.state?.terminated;
    if (!term) return;
    if ((term.exitCode ?? 0) !== 0 && restartPolicy === 'OnFailure') return;
    if (restartable(o.name ?? '')) return;
    for (const n of newS) {
      if (n.name === o.name && !n.state?.terminated) errs.push(forbidden(path.index(i).child('state'), 'may not be transitioned to non-terminated state'));
    }
  });
  return errs;
}

function validateIPList(ips: readonly { ip?: string }[] | undefined, path: FieldPath): FieldError[] {
  const list = ips ?? [];
  const errs: FieldError[] = [];
  list.forEach((e, i) => {
    for (const m of isValidIP(e.ip ?? '')) errs.push(invalid(path.index(i), e.ip ?? '', m));
  });
  if (list.length > 1) {
    const v6 = list.map((e) => (e.ip ?? '').includes(':'));
    if (list.length > 2 || v6[0] === v6[1]) errs.push(invalid(path, list, 'may specify no more than one IP for each IP family'));
    const seen = new Set<string>();
    list.forEach((e, i) => {
      if (seen.has(e.ip ?? '')) errs.push(duplicate(path.index(i), e));
      seen.add(e.ip ?? '');
    });
  }
  return errs;
}

const SYSTEM_CONDITIONS = new Set(['PodScheduled', 'Ready', 'Initialized']);

/** Update validation of pods/status (upstream ValidatePodStatusUpdate, without metadata checks). */
export function validatePodStatusUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs: FieldError[] = [];
  const status = pod.status ?? {};
  const oldStatus = old.status ?? {};
  // Upstream reports condition types under metadata.conditions.
  (status.conditions ?? []).forEach((c, i) => {
    if (!SYSTEM_CONDITIONS.has(c.type ?? '')) errs.push(...validateQualifiedName(c.type ?? '', FieldPath.root('metadata').child('conditions').index(i).child('Type')));
  });
  const sp = FieldPath.root('status');
  if ((pod.spec?.nodeName ?? '') !== (old.spec?.nodeName ?? '')) errs.push(forbidden(sp.child('nodeName'), 'may not be changed directly'));
  const nominated = status.nominatedNodeName ?? '';
  if (nominated !== (oldStatus.nominatedNodeName ?? '') && nominated !== '') {
    for (const m of isDNS1123Subdomain(nominated)) errs.push(invalid(sp.child('nominatedNodeName'), nominated, m));
  }
  if ((status.qosClass ?? '') !== (oldStatus.qosClass ?? '')) errs.push(invalid(sp.child('qosClass'), status.qosClass ?? '', 'field is immutable'));
  const restartPolicy = old.spec?.restartPolicy;
  const restartableInit = new Set((old.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  errs.push(...validateStateTransitions(status.containerStatuses ?? [], oldStatus.containerStatuses ?? [], sp.child('containerStatuses'), restartPolicy));
  errs.push(
    ...validateStateTransitions(status.initContainerStatuses ?? [], oldStatus.initContainerStatuses ?? [], sp.child('initContainerStatuses'), restartPolicy, (n) =>
      restartableInit.has(n),
    ),
  );
  errs.push(...validateStateTransitions(status.ephemeralContainerStatuses ?? [], oldStatus.ephemeralContainerStatuses ?? [], sp.child('ephemeralContainerStatuses'), 'Never'));
  const claimNames = new Set((pod.spec?.resourceClaims ?? []).map((c) => c.name));
  (status.resourceClaimStatuses ?? []).forEach((s, i) => {
    if (!claimNames.has(s.name ?? '')) {
      errs.push(invalid(sp.child('resourceClaimStatuses').index(i).child('name'), s.name ?? '', 'must match the name of an entry in `spec.resourceClaims`'));
    }
  });
  errs.push(...validateIPList(status.podIPs, sp.child('podIPs')));
  const hostIPs = status.hostIPs ?? [];
  if (hostIPs.length > 0) {
    if ((status.hostIP ?? '') !== (hostIPs[0]!.ip ?? '')) errs.push(invalid(sp.child('hostIPs').index(0).child('ip'), hostIPs[0]!.ip ?? '', 'must be equal to `hostIP`'));
    errs.push(...validateIPList(hostIPs, sp.child('hostIPs')));
  }
  return errs;
}

/** pods/binding: the target must be a node (kind empty or "Node") with a name. */
export function validatePodBinding(binding: { target?: { kind?: string; name?: string } }): FieldError[] {
  const errs: FieldError[] = [];
  const target = binding.target ?? {};
  const tp = FieldPath.root('target');
  if (target.kind && target.kind !== 'Node') errs.push(notSupported(tp.child('kind'), target.kind, ['Node', '<empty>']));
  if (!target.name) errs.push(required(tp.child('name')));
  return errs;
}
