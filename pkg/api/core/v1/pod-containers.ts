// Validation of containers (regular, init and ephemeral): names, images, ports, environment,
// probes, lifecycle hooks, mounts, resources and security contexts.
import {
  duplicate,
  forbidden,
  invalid,
  notFound,
  notSupported,
  required,
  tooLong,
  type FieldError,
  type FieldPath,
} from '../../validation/field.js';
import {
  isConfigMapKey,
  isDNS1123Subdomain,
  isHTTPHeaderName,
  isRelaxedEnvVarName,
  isValidGroupID,
  isValidPortName,
  isValidPortNum,
  isValidUserID,
  validateDNS1123Label,
  validateNonnegativeField,
} from '../../validation/names.js';
import { validateResourceRequirements } from '../../validation/resources.js';
import type {
  AppArmorProfileSchema,
  Container,
  ContainerPort,
  EnvFromSource,
  EnvVar,
  EphemeralContainer,
  HTTPGetAction,
  LifecycleHandler,
  Probe,
  SeccompProfileSchema,
  SecurityContext,
  WindowsSecurityContextOptionsSchema,
} from './pod-types.js';
import {
  validateLocalDescendingPath,
  validateObjectFieldSelector,
  validateResourceFieldSelector,
  validateVolumeDevices,
  validateVolumeMounts,
} from './pod-volumes.js';
import type { Static } from '../../schema/dsl.js';
import type { Volume } from './volumes.js';

/** What container validation needs to know about the pod around it. */
export interface ContainerContext {
  readonly volumes: ReadonlyMap<string, Volume>;
  readonly podClaimNames: ReadonlySet<string>;
  readonly gracePeriod: number | undefined;
  readonly restartPolicy: string | undefined;
  readonly hostUsers: boolean;
}

const blank = (v: string | undefined | null): boolean => v === undefined || v === null || v === '';
const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

export function validateContainerPorts(ports: readonly ContainerPort[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const p = path.index(i);
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length > 0) for (const m of msgs) errs.push(invalid(p.child('name'), port.name, m));
      else if (names.has(port.name)) errs.push(duplicate(p.child('name'), port.name));
      else names.add(port.name);
    }
    if (port.containerPort === 0) errs.push(required(p.child('containerPort')));
    else if (port.containerPort !== undefined) {
      for (const m of isValidPortNum(port.containerPort)) errs.push(invalid(p.child('containerPort'), port.containerPort, m));
    }
    if (port.hostPort) for (const m of isValidPortNum(port.hostPort)) errs.push(invalid(p.child('hostPort'), port.hostPort, m));
    if (blank(port.protocol)) errs.push(required(p.child('protocol')));
    else if (!PORT_PROTOCOLS.includes(port.protocol!)) errs.push(notSupported(p.child('protocol'), port.protocol, PORT_PROTOCOLS));
  });
  return errs;
}

const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];

function validateKeySelector(s: { name?: string; key: string }, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const m of isDNS1123Subdomain(s.name ?? '')) errs.push(invalid(path.child('name'), s.name ?? '', m));
  if (s.key) for (const m of isConfigMapKey(s.key)) errs.push(invalid(path.child('key'), s.key, m));
  return errs;
}

export function validateEnv(vars: readonly EnvVar[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (vars ?? []).forEach((ev, i) => {
    const p = path.index(i);
    if (ev.name) for (const m of isRelaxedEnvVarName(ev.name)) errs.push(invalid(p.child('name'), ev.name, m));
    const from = ev.valueFrom;
    if (!from) return;
    const vp = p.child('valueFrom');
    let n = 0;
    if (from.fieldRef) {
      n++;
      errs.push(...validateObjectFieldSelector(from.fieldRef, ENV_FIELD_PATHS, vp.child('fieldRef')));
    }
    if (from.resourceFieldRef) {
      n++;
      errs.push(...validateResourceFieldSelector(from.resourceFieldRef, vp.child('resourceFieldRef'), false));
    }
    if (from.configMapKeyRef) {
      n++;
      errs.push(...validateKeySelector(from.configMapKeyRef, vp.child('configMapKeyRef')));
    }
    if (from.secretKeyRef) {
      n++;
      errs.push(...validateKeySelector(from.secretKeyRef, vp.child('secretKeyRef')));
    }
    if (n === 0) errs.push(invalid(vp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (ev.value) errs.push(invalid(vp, '', 'may not be specified when `value` is not empty'));
    else if (n > 1) errs.push(invalid(vp, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

/** NameIsDNSSubdomain with prefix=true: a trailing "-" is allowed. */
function prefixNameErrors(name: string): string[] {
  const masked = name.length > 1 && name.endsWith('-') ? name.slice(0, -2) + 'a' : name;
  return isDNS1123Subdomain(masked);
}

export function validateEnvFrom(sources: readonly EnvFromSource[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (sources ?? []).forEach((ev, i) => {
    const p = path.index(i);
    if (ev.prefix) for (const m of isRelaxedEnvVarName(ev.prefix)) errs.push(invalid(p.child('prefix'), ev.prefix, m));
    let n = 0;
    for (const kind of ['configMapRef', 'secretRef'] as const) {
      const ref = ev[kind];
      if (!ref) continue;
      n++;
      if (ref.name) for (const m of prefixNameErrors(ref.name)) errs.push(invalid(p.child(kind, 'name'), ref.name, m));
    }
    if (n === 0) errs.push(invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1) errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

export function validatePortNumOrName(port: number | string | undefined, path: FieldPath): FieldError[] {
  if (typeof port === 'string') return isValidPortName(port).map((m) => invalid(path, port, m));
  const n = port ?? 0;
  return isValidPortNum(n).map((m) => invalid(path, n, m));
}

function validateHTTPGet(h: HTTPGetAction, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (h.path === '') errs.push(required(path.child('path')));
  errs.push(...validatePortNumOrName(h.port, path.child('port')));
  if (h.scheme !== 'HTTP' && h.scheme !== 'HTTPS') errs.push(notSupported(path.child('scheme'), h.scheme ?? '', ['HTTP', 'HTTPS']));
  for (const header of h.httpHeaders ?? []) {
    for (const m of isHTTPHeaderName(header.name ?? '')) errs.push(invalid(path.child('httpHeaders'), header.name ?? '', m));
  }
  return errs;
}

type Handler = Probe | LifecycleHandler;

function validateHandler(h: Handler, gracePeriod: number | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  const one = (name: string, check: () => FieldError[]): void => {
    if (n > 0) errs.push(forbidden(path.child(name), 'may not specify more than 1 handler type'));
    else {
      n++;
      errs.push(...check());
    }
  };
  // An empty exec command is reported by the schema (required).
  if (h.exec) one('exec', () => []);
  if (h.httpGet) {
    const get = h.httpGet;
    one('httpGet', () => validateHTTPGet(get, path.child('httpGet')));
  }
  if (h.tcpSocket) {
    const tcp = h.tcpSocket;
    one('tcpSocket', () => validatePortNumOrName(tcp.port, path.child('tcpSocket', 'port')));
  }
  if ('grpc' in h && h.grpc) {
    const grpc = h.grpc;
    one('grpc', () => validatePortNumOrName(grpc.port ?? 0, path.child('grpc', 'port')));
  }
  if ('sleep' in h && h.sleep) {
    const seconds = h.sleep.seconds ?? 0;
    one('sleep', () =>
      gracePeriod !== undefined && (seconds <= 0 || seconds > gracePeriod)
        ? [
            invalid(
              path.child('sleep'),
              seconds,
              `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`,
            ),
          ]
        : [],
    );
  }
  if (n === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

function validateProbe(probe: Probe, gracePeriod: number | undefined, path: FieldPath): FieldError[] {
  const errs = validateHandler(probe, gracePeriod, path);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    errs.push(...validateNonnegativeField(probe[f] ?? 0, path.child(f)));
  }
  const tgp = probe.terminationGracePeriodSeconds;
  if (tgp !== undefined && tgp !== null && tgp <= 0) errs.push(invalid(path.child('terminationGracePeriodSeconds'), tgp, 'must be greater than 0'));
  return errs;
}

function validateProbes(c: Container, gracePeriod: number | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (c.livenessProbe) {
    errs.push(...validateProbe(c.livenessProbe, gracePeriod, path.child('livenessProbe')));
    if ((c.livenessProbe.successThreshold ?? 0) !== 1) {
      errs.push(invalid(path.child('livenessProbe', 'successThreshold'), c.livenessProbe.successThreshold ?? 0, 'must be 1'));
    }
  }
  if (c.readinessProbe) {
    errs.push(...validateProbe(c.readinessProbe, gracePeriod, path.child('readinessProbe')));
    const tgp = c.readinessProbe.terminationGracePeriodSeconds;
    if (tgp !== undefined && tgp !== null) {
      errs.push(invalid(path.child('readinessProbe', 'terminationGracePeriodSeconds'), tgp, 'must not be set for readinessProbes'));
    }
  }
  if (c.startupProbe) {
    errs.push(...validateProbe(c.startupProbe, gracePeriod, path.child('startupProbe')));
    if ((c.startupProbe.successThreshold ?? 0) !== 1) {
      errs.push(invalid(path.child('startupProbe', 'successThreshold'), c.startupProbe.successThreshold ?? 0, 'must be 1'));
    }
  }
  if (c.lifecycle) {
    if (c.lifecycle.postStart) errs.push(...validateHandler(c.lifecycle.postStart, gracePeriod, path.child('lifecycle', 'postStart')));
    if (c.lifecycle.preStop) errs.push(...validateHandler(c.lifecycle.preStop, gracePeriod, path.child('lifecycle', 'preStop')));
  }
  return errs;
}

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

function validateResizePolicy(c: Container, restartPolicy: string | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (c.resizePolicy ?? []).forEach((rp, i) => {
    const name = rp.resourceName ?? '';
    const policy = rp.restartPolicy ?? '';
    if (seen.has(name)) errs.push(duplicate(path.index(i), name));
    seen.add(name);
    if (name === '') errs.push(required(path));
    else if (name !== 'cpu' && name !== 'memory') errs.push(notSupported(path, name, ['cpu', 'memory']));
    if (policy === '') errs.push(required(path));
    else if (policy !== 'NotRequired' && policy !== 'RestartContainer') errs.push(notSupported(path, policy, ['NotRequired', 'RestartContainer']));
    if (restartPolicy === 'Never' && policy !== 'NotRequired') {
      errs.push(invalid(path, policy, "must be 'NotRequired' when `restartPolicy` is 'Never'"));
    }
  });
  return errs;
}

type Seccomp = Static<typeof SeccompProfileSchema>;
type AppArmor = Static<typeof AppArmorProfileSchema>;
type WindowsOptions = Static<typeof WindowsSecurityContextOptionsSchema>;

export function validateSeccompProfileField(sp: Seccomp | undefined, path: FieldPath): FieldError[] {
  if (!sp) return [];
  const errs: FieldError[] = [];
  const types = ['Localhost', 'RuntimeDefault', 'Unconfined'];
  if (!sp.type) errs.push(required(path.child('type'), 'type is required when seccompProfile is set'));
  else if (!types.includes(sp.type)) errs.push(notSupported(path.child('type'), sp.type, types));
  if (sp.type === 'Localhost') {
    if (sp.localhostProfile === undefined || sp.localhostProfile === null) {
      errs.push(required(path.child('localhostProfile'), 'must be set when seccomp type is Localhost'));
    } else {
      errs.push(...validateLocalDescendingPath(sp.localhostProfile, path.child('localhostProfile')));
    }
  } else if (sp.localhostProfile !== undefined && sp.localhostProfile !== null) {
    errs.push(invalid(path.child('localhostProfile'), sp, 'can only be set when seccomp type is Localhost'));
  }
  return errs;
}

export function validateAppArmorProfileField(profile: AppArmor | undefined, path: FieldPath): FieldError[] {
  if (!profile) return [];
  const errs: FieldError[] = [];
  const lp = profile.localhostProfile;
  switch (profile.type) {
    case 'Localhost':
      if (lp === undefined || lp === null) {
        errs.push(required(path.child('localhostProfile'), 'must be set when AppArmor type is Localhost'));
      } else {
        if (lp.trim() !== lp) errs.push(invalid(path.child('localhostProfile'), lp, 'must not be padded with whitespace'));
        else if (lp === '') errs.push(required(path.child('localhostProfile'), 'must be set when AppArmor type is Localhost'));
        if (lp.length > 4095) errs.push(tooLong(path.child('localhostProfile'), '', 4095));
      }
      break;
    case 'RuntimeDefault':
    case 'Unconfined':
      if (lp !== undefined && lp !== null) errs.push(invalid(path.child('localhostProfile'), lp, 'can only be set when AppArmor type is Localhost'));
      break;
    case '':
    case undefined:
      errs.push(required(path.child('type'), 'type is required when appArmorProfile is set'));
      break;
    default:
      errs.push(notSupported(path.child('type'), profile.type, ['Localhost', 'RuntimeDefault', 'Unconfined']));
  }
  return errs;
}

const netBiosRe = /^[^\\/:*?"<>|.][^\\/:*?"<>|]{0,14}$/;
const windowsDomainDNSRe = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

export function validateWindowsSecurityContextOptions(w: WindowsOptions | undefined, path: FieldPath): FieldError[] {
  if (!w) return [];
  const errs: FieldError[] = [];
  if (w.gmsaCredentialSpecName !== undefined) {
    for (const m of isDNS1123Subdomain(w.gmsaCredentialSpecName)) errs.push(invalid(path.child('gmsaCredentialSpecName'), w.gmsaCredentialSpecName, m));
  }
  if (w.gmsaCredentialSpec !== undefined) {
    const p = path.child('gmsaCredentialSpec');
    if (w.gmsaCredentialSpec.length === 0) errs.push(invalid(p, w.gmsaCredentialSpec, 'gmsaCredentialSpec cannot be an empty string'));
    else if (Buffer.byteLength(w.gmsaCredentialSpec) > 64 * 1024) errs.push(invalid(p, w.gmsaCredentialSpec, 'gmsaCredentialSpec size must be under 64 KiB'));
  }
  const user = w.runAsUserName;
  if (user !== undefined) {
    const p = path.child('runAsUserName');
    const parts = user.split('\\');
    if (user.length === 0) errs.push(invalid(p, user, 'runAsUserName cannot be an empty string'));
    // eslint-disable-next-line no-control-regex
    else if (/[\x00-\x1f\x7f]/.test(user)) errs.push(invalid(p, user, 'runAsUserName cannot contain control characters'));
    else if (parts.length > 2) errs.push(invalid(p, user, 'runAsUserName cannot contain more than one backslash'));
    else {
      const hasDomain = parts.length === 2;
      const domain = hasDomain ? parts[0]! : '';
      const name = hasDomain ? parts[1]! : parts[0]!;
      if (domain.length >= 256) errs.push(invalid(p, user, "runAsUserName's Domain length must be under 256 characters"));
      if (hasDomain && !(netBiosRe.test(domain) || windowsDomainDNSRe.test(domain))) {
        errs.push(invalid(p, user, "runAsUserName's Domain doesn't match the NetBios nor the DNS format"));
      }
      if (name.length === 0) errs.push(invalid(p, user, "runAsUserName's User cannot be empty"));
      else if (name.length > 104) errs.push(invalid(p, user, "runAsUserName's User length must not be longer than 104 characters"));
      if (/^[. ]+$/.test(name)) errs.push(invalid(p, user, "runAsUserName's User cannot contain only periods or spaces"));
      if (/["/\\:;|=,+*?<>@[\]]/.test(name)) {
        errs.push(invalid(p, user, 'runAsUserName\'s User cannot contain the following characters: "/\\:;|=,+*?<>@[]'));
      }
    }
  }
  return errs;
}

export function validateSecurityContext(sc: SecurityContext | undefined, path: FieldPath, hostUsers: boolean): FieldError[] {
  if (!sc) return [];
  const errs: FieldError[] = [];
  if (sc.runAsUser !== undefined) for (const m of isValidUserID(sc.runAsUser)) errs.push(invalid(path.child('runAsUser'), sc.runAsUser, m));
  if (sc.runAsGroup !== undefined) for (const m of isValidGroupID(sc.runAsGroup)) errs.push(invalid(path.child('runAsGroup'), sc.runAsGroup, m));
  if (sc.procMount !== undefined) {
    if (sc.procMount !== 'Default' && sc.procMount !== 'Unmasked') errs.push(notSupported(path.child('procMount'), sc.procMount, ['Default', 'Unmasked']));
    if (hostUsers && sc.procMount === 'Unmasked') errs.push(invalid(path.child('procMount'), sc.procMount, '`hostUsers` must be false to use `Unmasked`'));
  }
  errs.push(...validateSeccompProfileField(sc.seccompProfile, path.child('seccompProfile')));
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) errs.push(invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
    for (const cap of sc.capabilities?.add ?? []) {
      if (cap === 'CAP_SYS_ADMIN') errs.push(invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
    }
  }
  errs.push(...validateWindowsSecurityContextOptions(sc.windowsOptions, path.child('windowsOptions')));
  errs.push(...validateAppArmorProfileField(sc.appArmorProfile, path.child('appArmorProfile')));
  return errs;
}

/** Checks every kind of container makes (upstream validateContainerCommon). */
function validateContainerCommon(c: Container, ctx: ContainerContext, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (c.name) errs.push(...validateDNS1123Label(c.name, path.child('name')));
  const tmp = c.terminationMessagePolicy ?? '';
  if (tmp === '') errs.push(required(path.child('terminationMessagePolicy')));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') {
    errs.push(notSupported(path.child('terminationMessagePolicy'), tmp, ['File', 'FallbackToLogsOnError']));
  }
  const mounts = new Map((c.volumeMounts ?? []).map((m) => [m.name ?? '', m.mountPath ?? ''] as const));
  const devices = new Map((c.volumeDevices ?? []).map((d) => [d.name ?? '', d.devicePath ?? ''] as const));
  errs.push(...validateContainerPorts(c.ports, path.child('ports')));
  errs.push(...validateEnv(c.env, path.child('env')));
  errs.push(...validateEnvFrom(c.envFrom, path.child('envFrom')));
  errs.push(...validateVolumeMounts(c.volumeMounts, devices, ctx.volumes, c, path.child('volumeMounts')));
  errs.push(...validateVolumeDevices(c.volumeDevices, mounts, ctx.volumes, path.child('volumeDevices')));
  const pull = c.imagePullPolicy ?? '';
  if (pull === '') errs.push(required(path.child('imagePullPolicy')));
  else if (!PULL_POLICIES.includes(pull)) errs.push(notSupported(path.child('imagePullPolicy'), pull, PULL_POLICIES));
  errs.push(...validateResourceRequirements(c.resources, path.child('resources'), { podClaimNames: ctx.podClaimNames }));
  errs.push(...validateResizePolicy(c, ctx.restartPolicy, path.child('resizePolicy')));
  errs.push(...validateSecurityContext(c.securityContext, path.child('securityContext'), ctx.hostUsers));
  return errs;
}

/** host ports must not collide within one set of containers (keyed by protocol, host IP and port). */
export function checkHostPortConflicts(containers: readonly Container[], path: FieldPath, seen = new Set<string>()): FieldError[] {
  const errs: FieldError[] = [];
  containers.forEach((c, ci) => {
    (c.ports ?? []).forEach((port, pi) => {
      if (!port.hostPort) return;
      const key = `${port.protocol ?? ''}/${port.hostIP ?? ''}/${port.hostPort}`;
      if (seen.has(key)) errs.push(duplicate(path.index(ci).child('ports').index(pi).child('hostPort'), key));
      else seen.add(key);
    });
  });
  return errs;
}

export function validateContainers(containers: readonly Container[] | undefined, ctx: ContainerContext, path: FieldPath): FieldError[] {
  if (!containers || containers.length === 0) return [required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const p = path.index(i);
    errs.push(...validateContainerCommon(c, ctx, p));
    if (names.has(c.name)) errs.push(duplicate(p.child('name'), c.name));
    else names.add(c.name);
    errs.push(...validateProbes(c, ctx.gracePeriod, p));
    if (c.restartPolicy !== undefined && c.restartPolicy !== null) errs.push(forbidden(p.child('restartPolicy'), 'may not be set for non-init containers'));
  });
  errs.push(...checkHostPortConflicts(containers, path));
  return errs;
}

const NOT_FOR_PLAIN_INIT = 'may not be set for init containers without restartPolicy=Always';

export function validateInitContainers(
  containers: readonly Container[] | undefined,
  regular: readonly Container[] | undefined,
  ctx: ContainerContext,
  path: FieldPath,
): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set((regular ?? []).map((c) => c.name));
  (containers ?? []).forEach((c, i) => {
    const p = path.index(i);
    errs.push(...validateContainerCommon(c, ctx, p));
    const restartable = c.restartPolicy === 'Always';
    if (c.restartPolicy !== undefined && c.restartPolicy !== null && !restartable) {
      errs.push(notSupported(p.child('restartPolicy'), c.restartPolicy, ['Always']));
    }
    if (names.has(c.name)) errs.push(duplicate(p.child('name'), c.name));
    else if (c.name) names.add(c.name);
    errs.push(...checkHostPortConflicts([c], path));
    if (restartable) {
      errs.push(...validateProbes(c, ctx.gracePeriod, p));
    } else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
        if (c[f]) errs.push(forbidden(p.child(f), NOT_FOR_PLAIN_INIT));
      }
    }
    if ((c.resizePolicy ?? []).length > 0) errs.push(invalid(p.child('resizePolicy'), c.resizePolicy, 'must not be set for init containers'));
  });
  return errs;
}

// Ephemeral containers may only set these fields (upstream's allow list, in struct order).
const EPHEMERAL_FORBIDDEN = [
  'ports',
  'resources',
  'resizePolicy',
  'restartPolicy',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle',
] as const;

function isZeroValue(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === false || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v as Record<string, unknown>).every(isZeroValue);
  return false;
}

export function validateEphemeralContainers(
  ephemeral: readonly EphemeralContainer[] | undefined,
  containers: readonly Container[] | undefined,
  initContainers: readonly Container[] | undefined,
  ctx: ContainerContext,
  path: FieldPath,
): FieldError[] {
  if (!ephemeral || ephemeral.length === 0) return [];
  const errs: FieldError[] = [];
  const others = new Set([...(containers ?? []), ...(initContainers ?? [])].map((c) => c.name));
  const all = new Set(others);
  ephemeral.forEach((ec, i) => {
    const p = path.index(i);
    errs.push(...validateContainerCommon(ec, ctx, p));
    errs.push(...validateImageWhitespace(ec, p));
    if (all.has(ec.name)) errs.push(duplicate(p.child('name'), ec.name));
    else all.add(ec.name);
    if (ec.targetContainerName && !others.has(ec.targetContainerName)) errs.push(notFound(p.child('targetContainerName'), ec.targetContainerName));
    for (const f of EPHEMERAL_FORBIDDEN) {
      if (!isZeroValue(ec[f])) errs.push(forbidden(p.child(f), 'cannot be set for an Ephemeral Container'));
    }
    (ec.volumeMounts ?? []).forEach((vm, j) => {
      if (vm.subPath) errs.push(forbidden(p.child('volumeMounts').index(j).child('subPath'), 'cannot be set for an Ephemeral Container'));
      if (vm.subPathExpr) errs.push(forbidden(p.child('volumeMounts').index(j).child('subPathExpr'), 'cannot be set for an Ephemeral Container'));
    });
  });
  return errs;
}

/** Pods (not templates) may not have images with surrounding whitespace. */
export function validateImageWhitespace(c: Container, path: FieldPath): FieldError[] {
  const image = c.image ?? '';
  return image.trim() !== image ? [invalid(path.child('image'), image, 'must not have leading or trailing whitespace')] : [];
}

