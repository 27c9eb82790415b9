// What a ResourceQuota counts (upstream's pkg/quota/v1 evaluators), shared by the quota admission
// in the apiserver and the resource quota controller: for each kind of object, the quota resource
// names it is charged under and its usage of each. Pods are charged their requests and limits
// (`requests.cpu`, `cpu`, `limits.memory`, ...) while they are not finished; Services their count,
// load balancers and node ports; claims their count and storage (per storage class too); every
// other namespaced kind only its object count (`count/<resource>.<group>`, and the legacy names
// `configmaps`, `secrets`, `replicationcontrollers`, `resourcequotas`).
import type { PersistentVolumeClaim } from '../api/core/v1/persistentvolumeclaim.js';
import { podQOSClass } from '../api/core/v1/pod-defaults.js';
import type { Pod } from '../api/core/v1/pod-types.js';
import { podLimits, podRequests, type QuantityMap } from '../api/core/v1/resource-helpers.js';
import type { ResourceQuota } from '../api/core/v1/resourcequota.js';
import type { Service } from '../api/core/v1/service.js';
import { Quantity, tryParseQuantity } from '../api/resource/quantity.js';

/** How one kind of object is charged. */
export interface Evaluator {
  readonly group: string;
  readonly resource: string;
  /** Which of `names` (a quota's hard resources) this kind is charged under. */
  matchingResources(names: readonly string[]): string[];
  /** Its usage of every resource it can be charged under. */
  usage(obj: unknown, nowMs: number): QuantityMap;
  /** Whether a quota scope selects the object (only pods have scopes; a scoped quota never selects anything else). */
  matchesScope(scope: ScopeRequirement, obj: unknown): boolean;
  /** For a quota constraining `required`, what the object fails to state ("must specify ..."), or undefined. */
  constraints?(required: readonly string[], obj: unknown): string | undefined;
}

export interface ScopeRequirement {
  readonly scopeName: string;
  readonly operator: string;
  readonly values?: readonly string[];
}

const one = (): Quantity => Quantity.fromInt(1);
const countName = (group: string, resource: string): string => (group === '' ? `count/${resource}` : `count/${resource}.${group}`);

function matching(names: readonly string[], handles: (n: string) => boolean): string[] {
  return names.filter(handles);
}

// ---- pods ----

const POD_COMPUTE = ['cpu', 'memory', 'ephemeral-storage'];

/** Whether a pod still counts against quota: not finished, and not past the grace period of its deletion. */
export function podCounts(p: Pod, nowMs: number): boolean {
  if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') return false;
  const deletion = p.metadata?.deletionTimestamp;
  const grace = p.metadata?.deletionGracePeriodSeconds;
  if (deletion !== undefined && grace !== undefined) return nowMs <= Date.parse(deletion) + grace * 1000;
  return true;
}

const isPodResource = (n: string): boolean =>
  n === 'pods' ||
  n === 'count/pods' ||
  POD_COMPUTE.includes(n) ||
  n.startsWith('requests.') ||
  n.startsWith('limits.') ||
  n.startsWith('hugepages-');

export const podEvaluator: Evaluator = {
  group: '',
  resource: 'pods',
  matchingResources: (names) => matching(names, isPodResource),
  usage(obj, nowMs) {
    const pod = obj as Pod;
    const out: QuantityMap = new Map();
    if (!podCounts(pod, nowMs)) return out;
    out.set('pods', one());
    out.set('count/pods', one());
    const requests = podRequests(pod.spec);
    const limits = podLimits(pod.spec);
    for (const [k, v] of requests) {
      out.set(`requests.${k}`, v);
      if (POD_COMPUTE.includes(k)) out.set(k, v);
    }
    for (const [k, v] of limits) out.set(`limits.${k}`, v);
    return out;
  },
  matchesScope(scope, obj) {
    const pod = obj as Pod;
    const values = scope.values ?? [];
    switch (scope.scopeName) {
      case 'Terminating':
        return pod.spec?.activeDeadlineSeconds !== undefined && pod.spec.activeDeadlineSeconds >= 0;
      case 'NotTerminating':
        return pod.spec?.activeDeadlineSeconds === undefined || pod.spec.activeDeadlineSeconds < 0;
      case 'BestEffort':
        return podQOSClass(pod.spec ?? {}) === 'BestEffort';
      case 'NotBestEffort':
        return podQOSClass(pod.spec ?? {}) !== 'BestEffort';
      case 'PriorityClass': {
        const pc = pod.spec?.priorityClassName ?? '';
        switch (scope.operator) {
          case 'Exists':
            return pc !== '';
          case 'DoesNotExist':
            return pc === '';
          case 'In':
            return values.includes(pc);
          case 'NotIn':
            return !values.includes(pc);
          default:
            return false;
        }
      }
      case 'CrossNamespacePodAffinity': {
        const terms = [
          ...(pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
          ...(pod.spec?.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm),
          ...(pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
          ...(pod.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm),
        ];
        return terms.some((t) => (t?.namespaces ?? []).length > 0 || t?.namespaceSelector !== undefined);
      }
      default:
        return false;
    }
  },
  constraints(required, obj) {
    // A quota on cpu or memory requests/limits needs every container to state them.
    const pod = obj as Pod;
    const missing = new Map<string, string[]>();
    const check = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'cpu', 'memory'].filter((r) => required.includes(r));
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      for (const r of check) {
        const [kind, name] = r.includes('.') ? (r.split('.') as [string, string]) : ['requests', r];
        const list = (kind === 'limits' ? c.resources?.limits : c.resources?.requests) as Record<string, unknown> | undefined;
        if (list?.[name] === undefined) missing.set(r, [...(missing.get(r) ?? []), c.name]);
      }
    }
    if (missing.size === 0) return undefined;
    return `must specify ${[...missing.keys()]
      .sort()
      .map((r) => `${r} for: ${[...new Set(missing.get(r))].sort().join(',')}`)
      .join('; ')}`;
  },
};

// ---- services ----

export const serviceEvaluator: Evaluator = {
  group: '',
  resource: 'services',
  matchingResources: (names) => matching(names, (n) => ['services', 'count/services', 'services.loadbalancers', 'services.nodeports'].includes(n)),
  usage(obj) {
    const svc = obj as Service;
    const type = svc.spec?.type ?? 'ClusterIP';
    const nodePorts = type === 'NodePort' || type === 'LoadBalancer' ? (svc.spec?.ports ?? []).length : 0;
    return new Map([
      ['services', one()],
      ['count/services', one()],
      ['services.loadbalancers', Quantity.fromInt(type === 'LoadBalancer' ? 1 : 0)],
      ['services.nodeports', Quantity.fromInt(nodePorts)],
    ]);
  },
  matchesScope: () => false,
};

// ---- persistent volume claims ----

const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';

export const claimEvaluator: Evaluator = {
  group: '',
  resource: 'persistentvolumeclaims',
  matchingResources: (names) =>
    matching(names, (n) => ['persistentvolumeclaims', 'count/persistentvolumeclaims', 'requests.storage'].includes(n) || n.endsWith(`${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`) || n.endsWith(`${STORAGE_CLASS_SUFFIX}requests.storage`)),
  usage(obj) {
    const pvc = obj as PersistentVolumeClaim;
    const storage = tryParseQuantity(pvc.spec?.resources?.requests?.['storage']) ?? Quantity.zero();
    const out: QuantityMap = new Map([
      ['persistentvolumeclaims', one()],
      ['count/persistentvolumeclaims', one()],
      ['requests.storage', storage],
    ]);
    const sc = pvc.spec?.storageClassName ?? (pvc.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] as string | undefined);
    if (sc) {
      out.set(`${sc}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`, one());
      out.set(`${sc}${STORAGE_CLASS_SUFFIX}requests.storage`, storage);
    }
    return out;
  },
  matchesScope: () => false,
};

// ---- every other kind: its object count ----

const LEGACY_COUNT_NAMES: Readonly<Record<string, string>> = { configmaps: 'configmaps', secrets: 'secrets', replicationcontrollers: 'replicationcontrollers', resourcequotas: 'resourcequotas' };

export function objectCountEvaluator(group: string, resource: string): Evaluator {
  const names = [countName(group, resource), ...(group === '' && LEGACY_COUNT_NAMES[resource] !== undefined ? [LEGACY_COUNT_NAMES[resource]] : [])];
  return {
    group,
    resource,
    matchingResources: (hard) => matching(hard, (n) => names.includes(n)),
    usage: () => new Map(names.map((n) => [n, one()])),
    matchesScope: () => false,
  };
}

/** The evaluator of a kind. */
export function evaluatorFor(group: string, resource: string): Evaluator {
  if (group === '' && resource === 'pods') return podEvaluator;
  if (group === '' && resource === 'services') return serviceEvaluator;
  if (group === '' && resource === 'persistentvolumeclaims') return claimEvaluator;
  return objectCountEvaluator(group, resource);
}

/** The kind a quota resource name counts, for `count/<resource>.<group>` names (and the legacy ones). */
export function kindOfCountName(name: string): { group: string; resource: string } | undefined {
  if (LEGACY_COUNT_NAMES[name] !== undefined || name === 'pods' || name === 'services' || name === 'persistentvolumeclaims') return { group: '', resource: name };
  if (!name.startsWith('count/')) return undefined;
  const rest = name.slice('count/'.length);
  const dot = rest.indexOf('.');
  return dot < 0 ? { group: '', resource: rest } : { group: rest.slice(dot + 1), resource: rest.slice(0, dot) };
}

/** The scope requirements of a quota: its `scopes` (each as Exists) and its scopeSelector's expressions. */
export function quotaScopes(q: ResourceQuota): ScopeRequirement[] {
  return [
    ...(q.spec?.scopes ?? []).map((s) => ({ scopeName: s, operator: 'Exists' })),
    ...(q.spec?.scopeSelector?.matchExpressions ?? []).map((e) => ({ scopeName: e.scopeName ?? '', operator: e.operator ?? '', values: e.values ?? [] })),
  ];
}

/** Whether the quota charges the object: it limits something the kind is charged under, and every scope selects it. */
export function quotaMatches(q: ResourceQuota, hard: readonly string[], ev: Evaluator, obj: unknown): boolean {
  if (ev.matchingResources(hard).length === 0) return false;
  return quotaScopes(q).every((s) => ev.matchesScope(s, obj));
}

/** `usage` restricted to `names`, with zero for the names it lacks. */
export function maskUsage(usage: ReadonlyMap<string, Quantity>, names: readonly string[]): QuantityMap {
  return new Map(names.map((n) => [n, usage.get(n) ?? Quantity.zero()]));
}

/** "a=1,b=2Gi", sorted by name, as upstream prints resource lists in quota errors. */
export function prettyPrint(list: ReadonlyMap<string, Quantity>): string {
  return [...list.keys()]
    .sort()
    .map((k) => `${k}=${list.get(k)!.toString()}`)
    .join(',');
}
