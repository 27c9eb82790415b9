// The Node a kubelet registers and the status it reports, as pure functions of what it knows:
// its flags, the runtime's answer to Status/Version, and the clock. Conditions, reasons and
// messages are upstream's (v1.32).
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import type { Node } from '../api/core/v1/node.js';
import { formatTime } from '../api/meta/v1.js';
import { parseQuantity } from '../api/resource/quantity.js';
import type { RuntimeCondition } from '../cri/types.js';
import { canonicalJson } from '../controller/framework/hash.js';
import type { KubeletFlags } from './options.js';

export const KUBELET_VERSION = 'v1.32.0';

type NodeStatus = NonNullable<Node['status']>;
type NodeCondition = NonNullable<NodeStatus['conditions']>[number];

/** What the kubelet learned from its runtime this round. */
export interface RuntimeState {
  /** "kubets-fake://0.1.0", "containerd://1.6.20". */
  readonly version: string;
  /** Undefined when Status could not be read (the runtime is down). */
  readonly conditions: readonly RuntimeCondition[] | undefined;
  readonly error?: string;
}

/** What the machine says about itself (nodeInfo). */
export interface SystemInfo {
  readonly machineID: string;
  readonly bootID: string;
  readonly kernelVersion: string;
  readonly osImage: string;
}

/** Read once per kubelet: /etc/os-release's PRETTY_NAME, the kernel release, machine and boot IDs. */
export function readSystemInfo(): SystemInfo {
  const read = (path: string): string => {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch {
      return '';
    }
  };
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(read('/etc/os-release'))?.[1] ?? 'Linux';
  return { machineID: read('/etc/machine-id'), bootID: read('/proc/sys/kernel/random/boot_id'), kernelVersion: release(), osImage: pretty };
}

/** The Node object the kubelet creates when none exists. */
export function nodeForRegistration(flags: KubeletFlags): Node {
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': flags.nodeName,
    'kubernetes.io/os': 'linux',
    ...flags.nodeLabels,
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: flags.nodeName, labels, annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' } },
    spec: {
      ...(flags.podCidr !== '' ? { podCIDR: flags.podCidr, podCIDRs: [flags.podCidr] } : {}),
      ...(flags.registerWithTaints.length > 0 ? { taints: [...flags.registerWithTaints] } : {}),
    },
  };
}

/** Capacity from the flags (pods from --max-pods); allocatable less the reserved amounts. */
export function nodeResources(flags: KubeletFlags): { capacity: Record<string, string>; allocatable: Record<string, string> } {
  const capacity: Record<string, string> = { ...flags.capacity, 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', pods: String(flags.maxPods) };
  const allocatable: Record<string, string> = {};
  for (const [name, value] of Object.entries(capacity)) {
    let q = parseQuantity(value);
    for (const reserved of [flags.systemReserved[name], flags.kubeReserved[name]]) if (reserved !== undefined) q = q.sub(parseQuantity(reserved));
    allocatable[name] = q.sign() < 0 ? '0' : q.toString();
  }
  return { capacity, allocatable };
}

/** Why the node is not ready, in upstream's words; undefined when it is. */
export function notReadyMessage(runtime: RuntimeState): string | undefined {
  if (runtime.conditions === undefined) return `container runtime is down${runtime.error ? `: ${runtime.error}` : ''}`;
  const get = (type: string): RuntimeCondition | undefined => runtime.conditions!.find((c) => c.type === type);
  const problems: string[] = [];
  const rt = get('RuntimeReady');
  if (rt === undefined || !rt.status) problems.push(`container runtime not ready: RuntimeReady=false reason:${rt?.reason ?? ''} message:${rt?.message ?? ''}`);
  const net = get('NetworkReady');
  if (net === undefined || !net.status) problems.push(`container runtime network not ready: NetworkReady=false reason:${net?.reason ?? ''} message:${net?.message ?? ''}`);
  return problems.length > 0 ? problems.join(', ') : undefined;
}

/**
 * The status to report. Condition transition times move only when a condition's status changes;
 * heartbeats are `now`.
 */
export function nodeStatus(flags: KubeletFlags, system: SystemInfo, runtime: RuntimeState, previous: NodeStatus | undefined, nowMs: number, kubeletPort: number): NodeStatus {
  const now = formatTime(nowMs);
  const prev = (type: string): NodeCondition | undefined => previous?.conditions?.find((c) => c.type === type);
  const condition = (type: string, status: 'True' | 'False', reason: string, message: string): NodeCondition => {
    const old = prev(type);
    return { type, status, lastHeartbeatTime: now, lastTransitionTime: old?.status === status && old.lastTransitionTime ? old.lastTransitionTime : now, reason, message };
  };
  const notReady = notReadyMessage(runtime);
  const { capacity, allocatable } = nodeResources(flags);
  return {
    capacity,
    allocatable,
    conditions: [
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      notReady === undefined ? condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status') : condition('Ready', 'False', 'KubeletNotReady', notReady),
    ],
    addresses: [
      { type: 'InternalIP', address: flags.nodeIp },
      { type: 'Hostname', address: flags.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } },
    nodeInfo: {
      machineID: system.machineID,
      systemUUID: '',
      bootID: system.bootID,
      kernelVersion: system.kernelVersion,
      osImage: system.osImage,
      containerRuntimeVersion: runtime.version,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** Whether `next` says something `prev` did not, heartbeats aside (what makes a write worth it). */
export function nodeStatusChanged(prev: NodeStatus | undefined, next: NodeStatus): boolean {
  const strip = (s: NodeStatus | undefined): unknown =>
    s === undefined ? undefined : { ...s, conditions: (s.conditions ?? []).map(({ lastHeartbeatTime: _h, ...c }) => c) };
  return canonicalJson(strip(prev)) !== canonicalJson(strip(next));
}
