// The kubelet's flags, named as upstream's where upstream has them.
import { readFileSync } from 'node:fs';
import { cpus, hostname, networkInterfaces, totalmem } from 'node:os';
import { FlagError, parseFlags } from '../cli/component.js';
import type { ClientFlags } from '../cli/client.js';
import { parseQuantity, Quantity } from '../api/resource/quantity.js';
import type { Taint } from '../api/core/v1/common.js';

export interface KubeletFlags extends ClientFlags {
  readonly nodeName: string;
  readonly nodeIp: string;
  readonly podCidr: string;
  readonly maxPods: number;
  readonly nodeLabels: Readonly<Record<string, string>>;
  readonly registerWithTaints: readonly Taint[];
  /** cpu, memory, ephemeral-storage of the machine (or as given for a simulated node). */
  readonly capacity: Readonly<Record<string, string>>;
  readonly systemReserved: Readonly<Record<string, string>>;
  readonly kubeReserved: Readonly<Record<string, string>>;
  /** unix:///path of the CRI runtime; empty with --runtime=fake: the kubelet starts one. */
  readonly containerRuntimeEndpoint: string;
  readonly runtime: 'fake' | 'remote';
  readonly rootDir: string;
  readonly podLogsDir: string;
  readonly nodeStatusUpdateFrequencyMs: number;
  readonly nodeLeaseDurationSeconds: number;
  readonly port: number;
  readonly address: string;
  readonly logLevel: string;
}

export const KUBELET_USAGE = `Usage: kubelet [flags]
  --kubeconfig=PATH                     kubeconfig to reach the apiserver (default: $KUBECONFIG, ~/.kube/config)
  --master=URL[,URL...]                 apiserver address(es), overriding the kubeconfig's
  --hostname-override=NAME              the Node's name (default: the host name, lower-cased)
  --node-ip=IP                          the Node's InternalIP (default: the host's first non-loopback IPv4 address)
  --pod-cidr=CIDR                       pod IP range of this node, when the Node does not name one
  --max-pods=N                          pods this node takes (default 110)
  --node-labels=k=v[,k=v...]            labels added to the Node at registration
  --register-with-taints=k=v:Effect[,...] taints the Node registers with
  --capacity=cpu=N,memory=Q,...         the node's resources (default: this machine's cpu, memory; 100Gi ephemeral-storage)
  --system-reserved=cpu=N,memory=Q      resources kept for the system (subtracted from allocatable)
  --kube-reserved=cpu=N,memory=Q        resources kept for kubernetes daemons (subtracted from allocatable)
  --container-runtime-endpoint=ENDPOINT the CRI runtime's socket (unix:///path); with --runtime=fake and no endpoint the kubelet starts a simulated runtime of its own
  --runtime=fake|remote                 remote (default): the runtime at --container-runtime-endpoint
  --root-dir=DIR                        the kubelet's state (default /var/lib/kubelet)
  --pod-logs-dir=DIR                    container logs (default /var/log/pods)
  --node-status-update-frequency=D      how often node status is computed (default 10s)
  --node-lease-duration-seconds=N       the node Lease's duration (default 40; renewed every quarter of it)
  --port=N                              the kubelet's HTTP port (default 10250; 0 picks a free one)
  --address=IP                          where it listens (default 0.0.0.0)
  --log-level=LEVEL                     pino level (default info)`;

/** "a=b,c=d" (values may contain "=" after the first). */
function parseMap(flag: string, text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (text === undefined || text === '') return out;
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new FlagError(`invalid argument ${JSON.stringify(text)} for "--${flag}" flag: ${JSON.stringify(part)} is not key=value`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

function parseResources(flag: string, text: string | undefined): Record<string, string> {
  const out = parseMap(flag, text);
  for (const [k, v] of Object.entries(out)) {
    try {
      parseQuantity(v);
    } catch {
      throw new FlagError(`invalid argument ${JSON.stringify(text)} for "--${flag}" flag: quantity ${JSON.stringify(v)} of ${k} is not valid`);
    }
  }
  return out;
}

/** key=value:Effect or key:Effect, as upstream's --register-with-taints. */
function parseTaints(text: string | undefined): Taint[] {
  if (text === undefined || text === '') return [];
  return text.split(',').map((spec) => {
    const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(spec.trim());
    if (!m) throw new FlagError(`invalid argument ${JSON.stringify(text)} for "--register-with-taints" flag: invalid taint spec: ${spec}`);
    return { key: m[1]!, ...(m[2] !== undefined && m[2] !== '' ? { value: m[2] } : {}), effect: m[3]! };
  });
}

/** Go durations as the kubelet takes them: 10s, 500ms, 1m30s. */
function parseDurationMs(flag: string, text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    consumed += m[0].length;
  }
  if (consumed !== text.length || text === '' || total <= 0) throw new FlagError(`invalid argument ${JSON.stringify(text)} for "--${flag}" flag: time: invalid duration ${JSON.stringify(text)}`);
  return total;
}

function positiveInt(flag: string, text: string, allowZero = false): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) throw new FlagError(`invalid argument ${JSON.stringify(text)} for "--${flag}" flag: must be a ${allowZero ? 'non-negative' : 'positive'} integer`);
  return n;
}

/** The first non-loopback IPv4 address of the host (a container's own address in compose). */
/** The interface of the IPv4 default route, from /proc/net/route (destination 00000000). */
export function defaultRouteInterface(procNetRoute: string): string | undefined {
  for (const line of procNetRoute.split('\n').slice(1)) {
    const [iface, destination, , , , , , mask] = line.trim().split(/\s+/);
    if (destination === '00000000' && mask === '00000000' && iface !== undefined) return iface;
  }
  return undefined;
}

/**
 * As upstream: the address of the interface holding the default route, so a node whose pod bridge
 * came up first (a restarted kubelet beside its running pods) keeps its address; else the first
 * non-loopback IPv4 address; else loopback.
 */
function defaultNodeIp(): string {
  const interfaces = networkInterfaces();
  let routes = '';
  try {
    routes = readFileSync('/proc/net/route', 'utf8');
  } catch {
    // Not Linux: no route table to read.
  }
  const iface = defaultRouteInterface(routes);
  const onRoute = iface !== undefined ? interfaces[iface]?.find((a) => a.family === 'IPv4' && !a.internal) : undefined;
  if (onRoute !== undefined) return onRoute.address;
  for (const list of Object.values(interfaces)) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

export function parseKubeletFlags(argv: readonly string[]): KubeletFlags {
  const v = parseFlags(argv, {
    kubeconfig: { type: 'string' },
    master: { type: 'string' },
    'hostname-override': { type: 'string' },
    'node-ip': { type: 'string' },
    'pod-cidr': { type: 'string', default: '' },
    'max-pods': { type: 'string', default: '110' },
    'node-labels': { type: 'string' },
    'register-with-taints': { type: 'string' },
    capacity: { type: 'string' },
    'system-reserved': { type: 'string' },
    'kube-reserved': { type: 'string' },
    'container-runtime-endpoint': { type: 'string', default: '' },
    runtime: { type: 'string', default: 'remote' },
    'root-dir': { type: 'string', default: '/var/lib/kubelet' },
    'pod-logs-dir': { type: 'string', default: '/var/log/pods' },
    'node-status-update-frequency': { type: 'string', default: '10s' },
    'node-lease-duration-seconds': { type: 'string', default: '40' },
    port: { type: 'string', default: '10250' },
    address: { type: 'string', default: '0.0.0.0' },
    'log-level': { type: 'string', default: 'info' },
  });
  if (v.runtime !== 'fake' && v.runtime !== 'remote') throw new FlagError(`--runtime must be fake or remote, not ${JSON.stringify(v.runtime)}`);
  if (v.runtime === 'remote' && v['container-runtime-endpoint'] === '') throw new FlagError('--container-runtime-endpoint is required unless --runtime=fake');
  const nodeName = (v['hostname-override'] ?? hostname()).toLowerCase();
  const capacity = {
    cpu: String(cpus().length),
    memory: Quantity.fromInt(totalmem(), 'BinarySI').toString(),
    'ephemeral-storage': '100Gi',
    ...parseResources('capacity', v.capacity),
  };
  return {
    ...(v.kubeconfig !== undefined ? { kubeconfig: v.kubeconfig } : {}),
    ...(v.master !== undefined ? { master: v.master } : {}),
    nodeName,
    nodeIp: v['node-ip'] ?? defaultNodeIp(),
    podCidr: v['pod-cidr'],
    maxPods: positiveInt('max-pods', v['max-pods']),
    nodeLabels: parseMap('node-labels', v['node-labels']),
    registerWithTaints: parseTaints(v['register-with-taints']),
    capacity,
    systemReserved: parseResources('system-reserved', v['system-reserved']),
    kubeReserved: parseResources('kube-reserved', v['kube-reserved']),
    containerRuntimeEndpoint: v['container-runtime-endpoint'],
    runtime: v.runtime,
    rootDir: v['root-dir'],
    podLogsDir: v['pod-logs-dir'],
    nodeStatusUpdateFrequencyMs: parseDurationMs('node-status-update-frequency', v['node-status-update-frequency']),
    nodeLeaseDurationSeconds: positiveInt('node-lease-duration-seconds', v['node-lease-duration-seconds']),
    port: positiveInt('port', v.port, true),
    address: v.address,
    logLevel: v['log-level'],
  };
}
