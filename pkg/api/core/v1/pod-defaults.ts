// Pod defaulting that schema defaults cannot express: pull policy from the image tag, an implied
// emptyDir, requests copied from limits, the tolerations the DefaultTolerationSeconds admission
// plugin adds, and the pod's QoS class.
import { Quantity, tryParseQuantity } from '../../resource/quantity.js';
import type { Toleration } from './common.js';
import type { Container, EphemeralContainer, Pod, PodSpec } from './pod-types.js';
import { volumeSourceFields, type Volume } from './volumes.js';

export type PodQOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

// The reference grammar of container images (distribution/reference), to tell a tag from a port.
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainPart = `${domainComponent}(?:\\.${domainComponent})*(?::[0-9]+)?`;
const pathComponent = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const referenceRe = new RegExp(
  `^((?:${domainPart}/)?${pathComponent}(?:/${pathComponent})*)(?::([\\w][\\w.-]{0,127}))?` +
    '(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}))?$',
);

/**
 * The tag a container runtime would pull: "latest" when neither a tag nor a digest is given, ""
 * when the reference does not parse.
 */
export function imageTag(image: string): string {
  const m = referenceRe.exec(image);
  if (!m || m[1]!.length > 255) return '';
  if (m[2] !== undefined) return m[2];
  return m[3] !== undefined ? '' : 'latest';
}

/** Always for ":latest" (or no tag), IfNotPresent otherwise. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  return imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: Container | EphemeralContainer): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultPullPolicy(c.image ?? '');
}

const volumeSourceNames = Object.keys(volumeSourceFields) as (keyof typeof volumeSourceFields)[];

function defaultVolume(v: Volume): void {
  if (volumeSourceNames.every((k) => v[k] === undefined || v[k] === null)) v.emptyDir = {};
  if (v.image && !v.image.pullPolicy) v.image.pullPolicy = defaultPullPolicy(v.image.reference ?? '');
}

/**
 * Conditional defaults of a PodSpec wherever it appears (pods and pod templates). Static defaults
 * (restartPolicy, dnsPolicy, probe timings, ...) come from the schema.
 */
export function defaultPodSpec(spec: PodSpec): void {
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) defaultVolume(v);
}

/** Requests default to limits for the resources that only have a limit (pods only, not templates). */
function defaultRequestsFromLimits(c: Container): void {
  const limits = c.resources?.limits;
  if (!limits) return;
  const resources = (c.resources ??= {});
  const requests = (resources.requests ??= {});
  for (const [name, value] of Object.entries(limits)) if (!(name in requests)) requests[name] = value;
}

export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const DEFAULT_TOLERATION_SECONDS = 300;

function tolerates(tolerations: readonly Toleration[], key: string): boolean {
  return tolerations.some((t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
}

/**
 * What the DefaultTolerationSeconds admission plugin adds to a pod that lacks these tolerations.
 * Create only: on update a changed toleration must not be silently re-added.
 */
export function addDefaultTolerations(spec: PodSpec): void {
  const current = spec.tolerations ?? [];
  const added: Toleration[] = [];
  for (const key of [TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE]) {
    if (!tolerates(current, key)) {
      added.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
    }
  }
  if (added.length > 0) spec.tolerations = [...current, ...added];
}

/** Defaults a Pod gets on top of defaultPodSpec (SetDefaults_Pod and the default admission plugins). */
export function defaultPod(pod: Pod): void {
  const spec = pod.spec;
  if (!spec) return;
  defaultPodSpec(spec);
  for (const c of spec.containers ?? []) defaultRequestsFromLimits(c);
  for (const c of spec.initContainers ?? []) defaultRequestsFromLimits(c);
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) spec.enableServiceLinks = true;
  if (spec.hostNetwork) {
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
  // The Priority admission plugin resolves an empty priorityClassName to priority 0 when no
  // global default class exists; named classes are resolved by admission against PriorityClasses.
  if (!spec.priorityClassName && spec.priority === undefined) spec.priority = 0;
  if (!spec.priorityClassName && spec.preemptionPolicy === undefined) spec.preemptionPolicy = 'PreemptLowerPriority';
}

const QOS_RESOURCES = ['cpu', 'memory'] as const;

function positive(v: unknown): Quantity | undefined {
  const q = tryParseQuantity(v);
  return q && q.sign() > 0 ? q : undefined;
}

/** The QoS class the kubelet and scheduler treat the pod as (upstream ComputePodQOS, container level). */
export function podQOSClass(spec: PodSpec): PodQOSClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    for (const name of QOS_RESOURCES) {
      const req = positive(c.resources?.requests?.[name]);
      if (req) requests.set(name, (requests.get(name) ?? Quantity.zero()).add(req));
    }
    const found = new Set<string>();
    for (const name of QOS_RESOURCES) {
      const lim = positive(c.resources?.limits?.[name]);
      if (lim) {
        found.add(name);
        limits.set(name, (limits.get(name) ?? Quantity.zero()).add(lim));
      }
    }
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (!lim || lim.cmp(req) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
