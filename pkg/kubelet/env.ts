// A container's environment as upstream's kubelet builds it: envFrom sources first (ConfigMaps
// and Secrets, with their prefix), then env entries in order — values with $(VAR) references to
// what came before, pod fields, container resources, ConfigMap and Secret keys. A required source
// that is missing stops the container from being created (CreateContainerConfigError) with
// upstream's message.
import type { Container, Pod } from '../api/core/v1/pod-types.js';
import { parseQuantity } from '../api/resource/quantity.js';

/** Reads a ConfigMap's or Secret's data (Secret values decoded); undefined when it does not exist. */
export interface EnvSources {
  configMap(namespace: string, name: string): Promise<Readonly<Record<string, string>> | undefined>;
  secret(namespace: string, name: string): Promise<Readonly<Record<string, string>> | undefined>;
}

/** Why a container's environment could not be built (its waiting reason is CreateContainerConfigError). */
export class EnvError extends Error {
  override readonly name = 'EnvError';
}

const VALID_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const REFERENCE = /\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)|\$\$\(/g;

/** Expands $(VAR) from `env`; $$( is a literal $(; unknown references stay as written. */
export function expandReferences(text: string, env: ReadonlyMap<string, string>): string {
  return text.replace(REFERENCE, (m, name: string | undefined) => (name === undefined ? '$(' : (env.get(name) ?? m)));
}

/** metadata.name, .namespace, .uid, .labels['k'] and .annotations['k'] of a pod; undefined for any other path. */
export function metadataFieldValue(pod: Pod, path: string): string | undefined {
  switch (path) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    default: {
      const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
      return m ? ((m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[m[2]!] ?? '') : undefined;
    }
  }
}

function fieldValue(pod: Pod, path: string, podIp: string, hostIp: string): string {
  switch (path) {
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
    case 'status.podIPs':
      return podIp;
    case 'status.hostIP':
    case 'status.hostIPs':
      return hostIp;
    default:
      return metadataFieldValue(pod, path) ?? '';
  }
}

/**
 * limits.cpu, requests.memory ... of a container, divided by the divisor and rounded up; a limit
 * the container leaves out is the node's allocatable, as upstream.
 */
export function resourceValue(pod: Pod, c: Container, resource: string, divisor: string | number | undefined, allocatable: Readonly<Record<string, string>>): string {
  const [kind, name] = resource.split('.', 2) as [string, string];
  const own = (kind === 'limits' ? c.resources?.limits : c.resources?.requests)?.[name ?? ''];
  const fallback = kind === 'limits' ? allocatable[name ?? ''] : undefined;
  const value = own ?? fallback;
  if (value === undefined) return '0';
  const q = parseQuantity(value);
  const d = parseQuantity(divisor ?? 1);
  if (name === 'cpu') return String(Number((q.milliValue() + d.milliValue() - 1n) / d.milliValue()));
  return String(Number((q.value() + d.value() - 1n) / d.value()));
}

/** The container's environment, in the order the runtime gets it. */
export async function resolveEnv(pod: Pod, c: Container, podIp: string, hostIp: string, sources: EnvSources, allocatable: Readonly<Record<string, string>> = {}): Promise<Map<string, string>> {
  const ns = pod.metadata?.namespace ?? '';
  const env = new Map<string, string>();
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    let data: Readonly<Record<string, string>> | undefined;
    if (from.configMapRef) {
      data = await sources.configMap(ns, from.configMapRef.name ?? '');
      if (data === undefined && from.configMapRef.optional !== true) throw new EnvError(`configmap "${from.configMapRef.name ?? ''}" not found`);
    } else if (from.secretRef) {
      data = await sources.secret(ns, from.secretRef.name ?? '');
      if (data === undefined && from.secretRef.optional !== true) throw new EnvError(`secret "${from.secretRef.name ?? ''}" not found`);
    }
    for (const [k, v] of Object.entries(data ?? {})) if (VALID_NAME.test(prefix + k)) env.set(prefix + k, v);
  }
  for (const e of c.env ?? []) {
    const from = e.valueFrom;
    if (e.value !== undefined || from === undefined) {
      env.set(e.name, expandReferences(e.value ?? '', env));
    } else if (from.fieldRef?.fieldPath) {
      env.set(e.name, fieldValue(pod, from.fieldRef.fieldPath, podIp, hostIp));
    } else if (from.resourceFieldRef?.resource) {
      const target = from.resourceFieldRef.containerName ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((x) => x.name === from.resourceFieldRef!.containerName) ?? c : c;
      env.set(e.name, resourceValue(pod, target, from.resourceFieldRef.resource, from.resourceFieldRef.divisor, allocatable));
    } else if (from.configMapKeyRef || from.secretKeyRef) {
      const secret = from.configMapKeyRef === undefined;
      const ref = (from.configMapKeyRef ?? from.secretKeyRef)!;
      const data = secret ? await sources.secret(ns, ref.name ?? '') : await sources.configMap(ns, ref.name ?? '');
      const v = data?.[ref.key];
      if (v !== undefined) env.set(e.name, v);
      else if (ref.optional !== true) {
        throw new EnvError(data === undefined ? `${secret ? 'secret' : 'configmap'} "${ref.name ?? ''}" not found` : `couldn't find key ${ref.key} in ${secret ? 'Secret' : 'ConfigMap'} ${ns}/${ref.name ?? ''}`);
      }
    }
  }
  return env;
}
