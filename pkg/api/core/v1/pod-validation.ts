// Validation of PodSpec and PodTemplateSpec (everything but the containers themselves, which
// pod-containers.ts checks), with kube-apiserver's messages and field paths.
import type { LabelSelector, ObjectMeta } from '../../meta/v1.js';
import {
  duplicate,
  forbidden,
  invalid,
  notSupported,
  required,
  type FieldError,
  type FieldPath,
} from '../../validation/field.js';
import {
  inclusiveRangeError,
  isDNS1123Label,
  isDNS1123Subdomain,
  isValidGroupID,
  isValidIP,
  isValidUserID,
  validateAnnotations,
  validateDNS1123Label,
  validateLabelName,
  validateLabels,
  validateLabelSelector,
  validateQualifiedName,
} from '../../validation/names.js';
import { validateResourceRequirements } from '../../validation/resources.js';
import { validateNodeSelector, validateNodeSelectorTerm, validateTolerations } from './common.js';
import {
  validateAppArmorProfileField,
  validateContainers,
  validateEphemeralContainers,
  validateImageWhitespace,
  validateInitContainers,
  validateSeccompProfileField,
  validateWindowsSecurityContextOptions,
  type ContainerContext,
} from './pod-containers.js';
import type { Affinity, PodAffinityTerm, PodSecurityContext, PodSpec, PodTemplateSpec, TopologySpreadConstraint } from './pod-types.js';
import { validateVolumes } from './pod-volumes.js';

export interface PodSpecValidationOptions {
  /** Metadata of the pod the spec belongs to (ephemeral volume claim names are derived from it). */
  readonly podMeta?: ObjectMeta;
  /** The spec belongs to a Pod, not a template embedded in another kind. */
  readonly resourceIsPod?: boolean;
}

const MAX_INT32 = 2147483647;

function validateRestartPolicy(policy: string | undefined, path: FieldPath): FieldError[] {
  const valid = ['Always', 'OnFailure', 'Never'];
  if (!policy) return [required(path)];
  return valid.includes(policy) ? [] : [notSupported(path, policy, valid)];
}

function validateDNSPolicy(policy: string | undefined, path: FieldPath): FieldError[] {
  const valid = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
  if (!policy) return [required(path)];
  return valid.includes(policy) ? [] : [notSupported(path, policy, valid)];
}

function validatePodDNSConfig(spec: PodSpec, path: FieldPath): FieldError[] {
  const cfg = spec.dnsConfig;
  if (spec.dnsPolicy === 'None') {
    if (!cfg) return [required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if ((cfg.nameservers ?? []).length === 0) {
      return [required(path.child('nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
    }
  }
  if (!cfg) return [];
  const errs: FieldError[] = [];
  const nameservers = cfg.nameservers ?? [];
  if (nameservers.length > 3) errs.push(invalid(path.child('nameservers'), nameservers, 'must not have more than 3 nameservers'));
  nameservers.forEach((ns, i) => {
    for (const m of isValidIP(ns)) errs.push(invalid(path.child('nameservers').index(i), ns, m));
  });
  const searches = cfg.searches ?? [];
  if (searches.length > 32) errs.push(invalid(path.child('searches'), searches, 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) {
    errs.push(invalid(path.child('searches'), searches, 'must not have more than 2048 characters (including spaces) in the search list'));
  }
  searches.forEach((s, i) => {
    // RelaxedDNSSearchValidation is off in v1.32: a trailing dot is ignored, nothing else is relaxed.
    const search = s.endsWith('.') ? s.slice(0, -1) : s;
    for (const m of isDNS1123Subdomain(search)) errs.push(invalid(path.child('searches').index(i), search, m));
  });
  (cfg.options ?? []).forEach((o, i) => {
    if (!o.name) errs.push(required(path.child('options').index(i), 'must not be empty'));
  });
  return errs;
}

function validatePodAffinityTerm(term: PodAffinityTerm, path: FieldPath): FieldError[] {
  const errs = validateLabelSelector(term.labelSelector, path.child('labelSelector'));
  errs.push(...validateLabelSelector(term.namespaceSelector, path.child('namespaceSelector')));
  for (const ns of term.namespaces ?? []) {
    for (const m of isDNS1123Label(ns)) errs.push(invalid(path.child('namespace'), ns, m));
  }
  errs.push(...validateMatchLabelKeys(path, term.matchLabelKeys, term.mismatchLabelKeys, term.labelSelector));
  if (!term.topologyKey) errs.push(required(path.child('topologyKey'), 'can not be empty'));
  errs.push(...validateLabelName(term.topologyKey ?? '', path.child('topologyKey')));
  return errs;
}

function validateLabelKeyList(keys: readonly string[] | undefined, selector: LabelSelector | undefined, path: FieldPath): FieldError[] {
  if (!keys || keys.length === 0) return [];
  if (!selector) return [forbidden(path, 'must not be specified when labelSelector is not set')];
  return keys.flatMap((k, i) => validateLabelName(k, path.index(i)));
}

function validateMatchLabelKeys(
  path: FieldPath,
  matchLabelKeys: readonly string[] | undefined,
  mismatchLabelKeys: readonly string[] | undefined,
  selector: LabelSelector | undefined,
): FieldError[] {
  const errs = validateLabelKeyList(matchLabelKeys, selector, path.child('matchLabelKeys'));
  errs.push(...validateLabelKeyList(mismatchLabelKeys, selector, path.child('mismatchLabelKeys')));
  if (selector) {
    const index = new Map((matchLabelKeys ?? []).map((k, i) => [k, i] as const));
    const selectorKeys = new Set(Object.keys(selector.matchLabels ?? {}));
    for (const expr of selector.matchExpressions ?? []) {
      const i = index.get(expr.key);
      if (i !== undefined && selectorKeys.has(expr.key)) errs.push(invalid(path.index(i), expr.key, 'exists in both matchLabelKeys and labelSelector'));
      selectorKeys.add(expr.key);
    }
  }
  const mismatch = new Set(mismatchLabelKeys ?? []);
  (matchLabelKeys ?? []).forEach((k, i) => {
    if (mismatch.has(k)) errs.push(invalid(path.child('matchLabelKeys').index(i), k, 'exists in both matchLabelKeys and mismatchLabelKeys'));
  });
  return errs;
}

function validateAffinity(affinity: Affinity | undefined, path: FieldPath): FieldError[] {
  if (!affinity) return [];
  const errs: FieldError[] = [];
  const na = affinity.nodeAffinity;
  if (na) {
    const np = path.child('nodeAffinity');
    if (na.requiredDuringSchedulingIgnoredDuringExecution) {
      errs.push(...validateNodeSelector(na.requiredDuringSchedulingIgnoredDuringExecution, false, np.child('requiredDuringSchedulingIgnoredDuringExecution')));
    }
    (na.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const p = np.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
      const w = t.weight ?? 0;
      if (w <= 0 || w > 100) errs.push(invalid(p.child('weight'), w, 'must be in the range 1-100'));
      // Preferred terms may use any label value: they only score nodes.
      errs.push(...validateNodeSelectorTerm(t.preference ?? {}, true, p.child('preference')));
    });
  }
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    const pa = affinity[kind];
    if (!pa) continue;
    const kp = path.child(kind);
    (pa.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) =>
      errs.push(...validatePodAffinityTerm(t, kp.child('requiredDuringSchedulingIgnoredDuringExecution').index(i))),
    );
    (pa.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const p = kp.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
      const w = t.weight ?? 0;
      if (w <= 0 || w > 100) errs.push(invalid(p.child('weight'), w, 'must be in the range 1-100'));
      errs.push(...validatePodAffinityTerm(t.podAffinityTerm ?? { topologyKey: '' }, p.child('podAffinityTerm')));
    });
  }
  return errs;
}

function validateTopologySpreadConstraints(constraints: readonly TopologySpreadConstraint[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const list = constraints ?? [];
  list.forEach((c, i) => {
    const p = path.index(i);
    const maxSkew = c.maxSkew ?? 0;
    if (maxSkew <= 0) errs.push(invalid(p.child('maxSkew'), maxSkew, 'must be greater than zero'));
    if (!c.topologyKey) errs.push(required(p.child('topologyKey'), 'can not be empty'));
    const action = c.whenUnsatisfiable ?? '';
    if (action !== 'DoNotSchedule' && action !== 'ScheduleAnyway') {
      errs.push(notSupported(p.child('whenUnsatisfiable'), action, ['DoNotSchedule', 'ScheduleAnyway']));
    }
    if (list.slice(i + 1).some((o) => o.topologyKey === c.topologyKey && o.whenUnsatisfiable === c.whenUnsatisfiable)) {
      errs.push(duplicate(p.child('{topologyKey, whenUnsatisfiable}'), `{${c.topologyKey ?? ''}, ${action}}`));
    }
    if (c.minDomains !== undefined && c.minDomains !== null) {
      if (c.minDomains <= 0) errs.push(invalid(p.child('minDomains'), c.minDomains, 'must be greater than zero'));
      if (action !== 'DoNotSchedule') {
        errs.push(invalid(p.child('minDomains'), c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${action}`));
      }
    }
    for (const f of ['nodeAffinityPolicy', 'nodeTaintsPolicy'] as const) {
      const v = c[f];
      if (v !== undefined && v !== null && v !== 'Honor' && v !== 'Ignore') errs.push(notSupported(p.child(f), v, ['Honor', 'Ignore']));
    }
    const keys = c.matchLabelKeys ?? [];
    if (keys.length > 0) {
      const kp = p.child('matchLabelKeys');
      const selectorKeys = new Set<string>();
      if (c.labelSelector) {
        for (const k of Object.keys(c.labelSelector.matchLabels ?? {})) selectorKeys.add(k);
        for (const e of c.labelSelector.matchExpressions ?? []) selectorKeys.add(e.key);
      } else {
        errs.push(forbidden(kp, 'must not be specified when labelSelector is not set'));
      }
      keys.forEach((k, j) => {
        errs.push(...validateLabelName(k, kp.index(j)));
        if (selectorKeys.has(k)) errs.push(invalid(kp.index(j), k, 'exists in both matchLabelKeys and labelSelector'));
      });
    }
    errs.push(...validateLabelSelector(c.labelSelector, p.child('labelSelector')));
  });
  return errs;
}

const sysctlRe = /^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/;
const SYSCTL_ERROR = 'must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$';
const IPC_SYSCTLS = new Set([
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
]);

/** "net/ipv4/ip_forward" is the same sysctl as "net.ipv4.ip_forward". */
function normalizeSysctl(name: string): string {
  const dot = name.indexOf('.');
  const slash = name.indexOf('/');
  if (slash === -1 || (dot !== -1 && dot < slash)) return name;
  return name.replace(/[./]/g, (c) => (c === '/' ? '.' : '/'));
}

function validateSysctls(sc: PodSecurityContext, spec: PodSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (sc.sysctls ?? []).forEach((s, i) => {
    const p = path.index(i).child('name');
    const name = s.name ?? '';
    if (name === '') {
      // reported by the schema (required)
    } else if (name.length > 253 || !sysctlRe.test(name)) errs.push(invalid(p, name, SYSCTL_ERROR));
    else if (names.has(name)) errs.push(duplicate(p, name));
    const normalized = normalizeSysctl(name);
    if (spec.hostNetwork && normalized.startsWith('net.')) errs.push(invalid(p, name, "may not be specified when 'hostNetwork' is true"));
    else if (spec.hostIPC && (IPC_SYSCTLS.has(normalized) || normalized.startsWith('fs.mqueue.'))) {
      errs.push(invalid(p, name, "may not be specified when 'hostIPC' is true"));
    }
    names.add(name);
  });
  return errs;
}

function validatePodSecurityContext(spec: PodSpec, path: FieldPath): FieldError[] {
  const sc = spec.securityContext;
  if (!sc) return [];
  const errs: FieldError[] = [];
  if (sc.fsGroup !== undefined) for (const m of isValidGroupID(sc.fsGroup)) errs.push(invalid(path.child('fsGroup'), sc.fsGroup, m));
  if (sc.runAsUser !== undefined) for (const m of isValidUserID(sc.runAsUser)) errs.push(invalid(path.child('runAsUser'), sc.runAsUser, m));
  if (sc.runAsGroup !== undefined) for (const m of isValidGroupID(sc.runAsGroup)) errs.push(invalid(path.child('runAsGroup'), sc.runAsGroup, m));
  (sc.supplementalGroups ?? []).forEach((g, i) => {
    for (const m of isValidGroupID(g)) errs.push(invalid(path.child('supplementalGroups').index(i), g, m));
  });
  // Upstream keeps shareProcessNamespace in the security context internally, hence this path.
  if (spec.shareProcessNamespace === true && spec.hostPID) {
    errs.push(invalid(path.child('shareProcessNamespace'), true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
  }
  if ((sc.sysctls ?? []).length > 0) errs.push(...validateSysctls(sc, spec, path.child('sysctls')));
  if (sc.fsGroupChangePolicy !== undefined && sc.fsGroupChangePolicy !== 'Always' && sc.fsGroupChangePolicy !== 'OnRootMismatch') {
    errs.push(notSupported(path.child('fsGroupChangePolicy'), sc.fsGroupChangePolicy, ['Always', 'OnRootMismatch']));
  }
  errs.push(...validateSeccompProfileField(sc.seccompProfile, path.child('seccompProfile')));
  errs.push(...validateWindowsSecurityContextOptions(sc.windowsOptions, path.child('windowsOptions')));
  errs.push(...validateAppArmorProfileField(sc.appArmorProfile, path.child('appArmorProfile')));
  if (sc.supplementalGroupsPolicy !== undefined && sc.supplementalGroupsPolicy !== 'Merge' && sc.supplementalGroupsPolicy !== 'Strict') {
    errs.push(notSupported(path.child('supplementalGroupsPolicy'), sc.supplementalGroupsPolicy, ['Merge', 'Strict']));
  }
  if (sc.seLinuxChangePolicy !== undefined && sc.seLinuxChangePolicy !== 'MountOption' && sc.seLinuxChangePolicy !== 'Recursive') {
    errs.push(notSupported(path.child('seLinuxChangePolicy'), sc.seLinuxChangePolicy, ['MountOption', 'Recursive']));
  }
  return errs;
}

function allContainers(spec: PodSpec): { c: { securityContext?: { windowsOptions?: { hostProcess?: boolean } } }; path: string[] }[] {
  const out: { c: { securityContext?: { windowsOptions?: { hostProcess?: boolean } } }; path: string[] }[] = [];
  for (const kind of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    (spec[kind] ?? []).forEach((c, i) => out.push({ c, path: [kind, String(i)] }));
  }
  return out;
}

function validateWindowsHostProcessPod(spec: PodSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const podHostProcess = spec.securityContext?.windowsOptions?.hostProcess;
  let total = 0;
  let hostProcess = 0;
  for (const { c, path: cp } of allContainers(spec)) {
    total++;
    const own = c.securityContext?.windowsOptions?.hostProcess;
    if (podHostProcess !== undefined && own !== undefined && podHostProcess !== own) {
      const p = path.child(cp[0]!).index(Number(cp[1])).child('securityContext', 'windowsOptions', 'hostProcess');
      errs.push(invalid(p, own, `pod hostProcess value must be identical if both are specified, was ${String(podHostProcess)}`));
    }
    if (own === true || (own === undefined && podHostProcess === true)) hostProcess++;
  }
  if (hostProcess > 0) {
    if (hostProcess !== total) errs.push(invalid(path, '', 'If pod contains any hostProcess containers then all containers must be HostProcess containers'));
    if (!spec.hostNetwork) errs.push(invalid(path.child('hostNetwork'), false, 'hostNetwork must be true if pod contains any hostProcess containers'));
  }
  return errs;
}

function validateOS(spec: PodSpec, path: FieldPath): FieldError[] {
  const os = spec.os;
  if (!os) return [];
  if (!os.name) return [required(path.child('os', 'name'), 'cannot be empty')];
  if (os.name !== 'linux' && os.name !== 'windows') return [notSupported(path.child('os'), os.name, ['linux', 'windows'])];
  const errs: FieldError[] = [];
  const sc = spec.securityContext;
  if (os.name === 'linux') {
    if (sc?.windowsOptions) errs.push(forbidden(path.child('securityContext', 'windowsOptions'), 'windows options cannot be set for a linux pod'));
    forEachContainer(spec, path, (c, cp) => {
      if (c.securityContext?.windowsOptions) {
        errs.push(forbidden(cp.child('securityContext', 'windowsOptions'), 'windows options cannot be set for a linux pod'));
      }
    });
    return errs;
  }
  const notForWindows = 'cannot be set for a windows pod';
  if (sc) {
    const scp = path.child('securityContext');
    if (sc.appArmorProfile) errs.push(forbidden(scp.child('appArmorProfile'), notForWindows));
    if (sc.seLinuxOptions) errs.push(forbidden(scp.child('seLinuxOptions'), notForWindows));
  }
  if (spec.hostUsers !== undefined) errs.push(forbidden(path.child('hostUsers'), notForWindows));
  if (spec.hostPID) errs.push(forbidden(path.child('hostPID'), notForWindows));
  if (spec.hostIPC) errs.push(forbidden(path.child('hostIPC'), notForWindows));
  if (sc) {
    const scp = path.child('securityContext');
    for (const f of ['seccompProfile', 'fsGroup', 'fsGroupChangePolicy'] as const) if (sc[f] !== undefined) errs.push(forbidden(scp.child(f), notForWindows));
    if ((sc.sysctls ?? []).length > 0) errs.push(forbidden(scp.child('sysctls'), notForWindows));
  }
  if (spec.shareProcessNamespace !== undefined) errs.push(forbidden(path.child('shareProcessNamespace'), notForWindows));
  if (sc) {
    const scp = path.child('securityContext');
    for (const f of ['runAsUser', 'runAsGroup', 'supplementalGroups', 'supplementalGroupsPolicy', 'seLinuxChangePolicy'] as const) {
      if (sc[f] !== undefined) errs.push(forbidden(scp.child(f), notForWindows));
    }
  }
  forEachContainer(spec, path, (c, cp) => {
    const csc = c.securityContext;
    if (!csc) return;
    const p = cp.child('securityContext');
    for (const f of [
      'appArmorProfile',
      'seLinuxOptions',
      'seccompProfile',
      'capabilities',
      'readOnlyRootFilesystem',
      'privileged',
      'allowPrivilegeEscalation',
      'procMount',
      'runAsUser',
      'runAsGroup',
    ] as const) {
      if (csc[f] !== undefined) errs.push(forbidden(p.child(f), notForWindows));
    }
  });
  return errs;
}

type AnyContainer = NonNullable<PodSpec['containers']>[number];

function forEachContainer(spec: PodSpec, path: FieldPath, fn: (c: AnyContainer, p: FieldPath) => void): void {
  for (const kind of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    (spec[kind] ?? []).forEach((c, i) => fn(c, path.child(kind).index(i)));
  }
}

function validatePodResourceClaims(spec: PodSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (spec.resourceClaims ?? []).forEach((claim, i) => {
    const p = path.index(i);
    if (!claim.name) {
      // reported by the schema (required)
    } else if (names.has(claim.name)) errs.push(duplicate(p.child('name'), claim.name));
    else {
      errs.push(...validateDNS1123Label(claim.name, p.child('name')));
      names.add(claim.name);
    }
    const hasName = claim.resourceClaimName !== undefined && claim.resourceClaimName !== null;
    const hasTemplate = claim.resourceClaimTemplateName !== undefined && claim.resourceClaimTemplateName !== null;
    if (hasName && hasTemplate) errs.push(invalid(p, claim, 'at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified'));
    if (!hasName && !hasTemplate) errs.push(invalid(p, claim, 'must specify one of: `resourceClaimName`, `resourceClaimTemplateName`'));
    if (hasName) for (const m of isDNS1123Subdomain(claim.resourceClaimName!)) errs.push(invalid(p.child('resourceClaimName'), claim.resourceClaimName, m));
    if (hasTemplate) {
      for (const m of isDNS1123Subdomain(claim.resourceClaimTemplateName!)) {
        errs.push(invalid(p.child('resourceClaimTemplateName'), claim.resourceClaimTemplateName, m));
      }
    }
  });
  return errs;
}

const subdomainErrors = (value: string | undefined, path: FieldPath): FieldError[] =>
  value ? isDNS1123Subdomain(value).map((m) => invalid(path, value, m)) : [];

/** The checks upstream's ValidatePodSpec makes, for pods and for pod templates of other kinds. */
export function validatePodSpec(spec: PodSpec, path: FieldPath, opts: PodSpecValidationOptions = {}): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.terminationGracePeriodSeconds === null) errs.push(required(path.child('terminationGracePeriodSeconds')));
  const gracePeriod = spec.terminationGracePeriodSeconds ?? undefined;
  const hostUsers = spec.hostUsers !== false;
  const vols = validateVolumes(spec.volumes, opts.podMeta, path.child('volumes'), { resourceIsPod: opts.resourceIsPod });
  errs.push(...vols.errors);
  const podClaimNames = new Set((spec.resourceClaims ?? []).map((c) => c.name).filter((n) => n));
  errs.push(...validatePodResourceClaims(spec, path.child('resourceClaims')));
  const ctx: ContainerContext = { volumes: vols.volumes, podClaimNames, gracePeriod, restartPolicy: spec.restartPolicy, hostUsers };
  errs.push(...validateContainers(spec.containers, ctx, path.child('containers')));
  errs.push(...validateInitContainers(spec.initContainers, spec.containers, ctx, path.child('initContainers')));
  errs.push(...validateEphemeralContainers(spec.ephemeralContainers, spec.containers, spec.initContainers, ctx, path.child('ephemeralContainers')));
  if (spec.hostNetwork) {
    (spec.containers ?? []).forEach((c, i) =>
      (c.ports ?? []).forEach((port, j) => {
        const hp = port.hostPort ?? 0;
        if ((opts.resourceIsPod || hp !== 0) && hp !== port.containerPort) {
          const p = path.child('containers').index(i).child('ports').index(j).child('hostPort');
          errs.push(invalid(p, hp, 'must match `containerPort` when `hostNetwork` is true'));
        }
      }),
    );
  }
  errs.push(...validateRestartPolicy(spec.restartPolicy, path.child('restartPolicy')));
  errs.push(...validateDNSPolicy(spec.dnsPolicy, path.child('dnsPolicy')));
  errs.push(...validateLabels(spec.nodeSelector, path.child('nodeSelector')));
  errs.push(...validatePodSecurityContext(spec, path.child('securityContext')));
  errs.push(...validateAffinity(spec.affinity, path.child('affinity')));
  errs.push(...validatePodDNSConfig(spec, path.child('dnsConfig')));
  (spec.readinessGates ?? []).forEach((g, i) => errs.push(...validateQualifiedName(g.conditionType ?? '', path.child('readinessGates').index(i).child('conditionType'))));
  const gates = new Set<string>();
  (spec.schedulingGates ?? []).forEach((g, i) => {
    const p = path.child('schedulingGates').index(i);
    errs.push(...validateQualifiedName(g.name ?? '', p));
    if (gates.has(g.name ?? '')) errs.push(duplicate(p, g.name ?? ''));
    gates.add(g.name ?? '');
  });
  errs.push(...validateTopologySpreadConstraints(spec.topologySpreadConstraints, path.child('topologySpreadConstraints')));
  errs.push(...validateWindowsHostProcessPod(spec, path));
  if (!hostUsers) {
    if (spec.hostNetwork) errs.push(forbidden(path.child('hostNetwork'), 'when `pod.Spec.HostUsers` is false'));
    if (spec.hostPID) errs.push(forbidden(path.child('HostPID'), 'when `pod.Spec.HostUsers` is false'));
    if (spec.hostIPC) errs.push(forbidden(path.child('HostIPC'), 'when `pod.Spec.HostUsers` is false'));
  }
  errs.push(...subdomainErrors(spec.serviceAccountName, path.child('serviceAccountName')));
  errs.push(...subdomainErrors(spec.nodeName, path.child('nodeName')));
  const ads = spec.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null && (ads < 1 || ads > MAX_INT32)) {
    errs.push(invalid(path.child('activeDeadlineSeconds'), ads, inclusiveRangeError(1, MAX_INT32)));
  }
  if (spec.hostname) errs.push(...validateDNS1123Label(spec.hostname, path.child('hostname')));
  if (spec.subdomain) errs.push(...validateDNS1123Label(spec.subdomain, path.child('subdomain')));
  if ((spec.tolerations ?? []).length > 0) errs.push(...validateTolerations(spec.tolerations, path.child('tolerations')));
  (spec.hostAliases ?? []).forEach((ha, i) => {
    const p = path.child('hostAliases').index(i);
    for (const m of isValidIP(ha.ip ?? '')) errs.push(invalid(p.child('ip'), ha.ip ?? '', m));
    (ha.hostnames ?? []).forEach((h, j) => {
      for (const m of isDNS1123Subdomain(h)) errs.push(invalid(p.child('hostnames').index(j), h, m));
    });
  });
  errs.push(...subdomainErrors(spec.priorityClassName, path.child('priorityClassName')));
  if (spec.runtimeClassName !== undefined && spec.runtimeClassName !== null) {
    for (const m of isDNS1123Subdomain(spec.runtimeClassName)) errs.push(invalid(path.child('runtimeClassName'), spec.runtimeClassName, m));
  }
  if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== null) {
    const pp = spec.preemptionPolicy;
    if (pp === '') errs.push(required(path.child('preemptionPolicy')));
    else if (pp !== 'PreemptLowerPriority' && pp !== 'Never') errs.push(notSupported(path.child('preemptionPolicy'), pp, ['PreemptLowerPriority', 'Never']));
  }
  if (spec.overhead) errs.push(...validateResourceRequirements({ limits: spec.overhead }, path.child('overhead')));
  errs.push(...validateOS(spec, path));
  return errs;
}

/** Annotations with a meaning for pods: mirror pods, deletion cost, seccomp profiles. */
export function validatePodSpecificAnnotations(annotations: Record<string, string> | undefined, spec: PodSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const ann = annotations ?? {};
  const mirror = ann['kubernetes.io/config.mirror'];
  if (mirror !== undefined && !spec.nodeName) {
    errs.push(invalid(path.key('kubernetes.io/config.mirror'), mirror, 'must set spec.nodeName if mirror pod annotation is set'));
  }
  const cost = ann['controller.kubernetes.io/pod-deletion-cost'];
  if (cost !== undefined && !/^[+-]?\d+$/.test(cost.trim() === cost ? cost : 'x')) {
    errs.push(invalid(path.key('controller.kubernetes.io/pod-deletion-cost'), cost, 'must be a 32bit integer'));
  } else if (cost !== undefined && (Number(cost) > MAX_INT32 || Number(cost) < -MAX_INT32 - 1)) {
    errs.push(invalid(path.key('controller.kubernetes.io/pod-deletion-cost'), cost, 'must be a 32bit integer'));
  }
  for (const [k, v] of Object.entries(ann)) {
    if (k !== 'seccomp.security.alpha.kubernetes.io/pod' && !k.startsWith('container.seccomp.security.alpha.kubernetes.io/')) continue;
    if (v === 'runtime/default' || v === 'docker/default' || v === 'unconfined') continue;
    if (v.startsWith('localhost/')) {
      const rel = v.slice('localhost/'.length);
      if (rel.startsWith('/')) errs.push(invalid(path.child(k), rel, 'must be a relative path'));
      if (rel.split('/').includes('..')) errs.push(invalid(path.child(k), rel, "must not contain '..'"));
      continue;
    }
    errs.push(invalid(path.child(k), v, 'must be a valid seccomp profile'));
  }
  return errs;
}

/** A pod template: labels, annotations and the spec (ephemeral containers are not allowed). */
export function validatePodTemplateSpec(tpl: PodTemplateSpec, path: FieldPath): FieldError[] {
  const meta = tpl.metadata ?? {};
  const errs = validateLabels(meta.labels, path.child('labels'));
  errs.push(...validateAnnotations(meta.annotations, path.child('annotations')));
  const spec = tpl.spec ?? {};
  errs.push(...validatePodSpecificAnnotations(meta.annotations, spec, path.child('annotations')));
  errs.push(...validatePodSpec(spec, path.child('spec')));
  if ((spec.ephemeralContainers ?? []).length > 0) {
    errs.push(forbidden(path.child('spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}

/** The pod-only checks on top of validatePodSpec (upstream validatePodMetadataAndSpec). */
export function validatePodMetadataAndSpec(meta: ObjectMeta | undefined, spec: PodSpec, specPath: FieldPath, annotationsPath: FieldPath): FieldError[] {
  const errs = validatePodSpecificAnnotations(meta?.annotations, spec, annotationsPath);
  errs.push(...validatePodSpec(spec, specPath, { podMeta: meta, resourceIsPod: true }));
  if (!spec.serviceAccountName) {
    (spec.volumes ?? []).forEach((v, vi) =>
      (v.projected?.sources ?? []).forEach((s, si) => {
        if (s.serviceAccountToken) {
          const p = specPath.child('volumes').index(vi).child('projected', 'sources').index(si).child('serviceAccountToken');
          errs.push(forbidden(p, 'must not be specified when serviceAccountName is not set'));
        }
      }),
    );
  }
  (spec.containers ?? []).forEach((c, i) => errs.push(...validateImageWhitespace(c, specPath.child('containers').index(i))));
  (spec.initContainers ?? []).forEach((c, i) => errs.push(...validateImageWhitespace(c, specPath.child('initContainers').index(i))));
  return errs;
}
