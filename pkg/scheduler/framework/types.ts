// PodInfo (a pod with everything the plugins need pre-parsed), NodeInfo (a node and the pods on
// it, with running totals) and Snapshot (all NodeInfos of one scheduling cycle).
import type { Node, Pod } from '../../api/core/v1/index.js';
import type { PersistentVolume } from '../../api/core/v1/persistentvolume.js';
import type { PersistentVolumeClaim } from '../../api/core/v1/persistentvolumeclaim.js';
import type { StorageClass } from '../../api/storage/v1/storageclass.js';
import type { DeepReadonly } from '../../client/informer/store.js';
import { affinityTermMatches, compileAffinityTerm, type AffinityTerm, type WeightedAffinityTerm } from './affinity-term.js';
import { computePodResources, resourceFromList, Resource, RESOURCE_PODS, quantityValue } from './resources.js';

type Labels = Readonly<Record<string, string>> | undefined;

export interface HostPort {
  readonly ip: string;
  readonly protocol: string;
  readonly port: number;
}

export const DEFAULT_BIND_ALL_HOST_IP = '0.0.0.0';

export class PodInfo {
  readonly key: string;
  readonly namespace: string;
  readonly priority: number;
  readonly requests: Resource;
  readonly nonZeroMilliCPU: number;
  readonly nonZeroMemory: number;
  readonly hostPorts: readonly HostPort[];
  readonly requiredAffinityTerms: readonly AffinityTerm[];
  readonly requiredAntiAffinityTerms: readonly AffinityTerm[];
  readonly preferredAffinityTerms: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinityTerms: readonly WeightedAffinityTerm[];
  /** Epoch ms of status.startTime; +Infinity when not started (upstream treats it as "now"). */
  readonly startTime: number;

  constructor(readonly pod: Pod) {
    this.namespace = pod.metadata?.namespace ?? '';
    this.key = `${this.namespace}/${pod.metadata?.name ?? ''}`;
    this.priority = pod.spec?.priority ?? 0;
    const res = computePodResources(pod);
    this.requests = res.requests;
    this.nonZeroMilliCPU = res.nonZeroMilliCPU;
    this.nonZeroMemory = res.nonZeroMemory;
    this.hostPorts = hostPortsOf(pod);
    const a = pod.spec?.affinity;
    this.requiredAffinityTerms = (a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compileAffinityTerm(pod, t));
    this.requiredAntiAffinityTerms = (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) =>
      compileAffinityTerm(pod, t),
    );
    this.preferredAffinityTerms = (a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({
      ...compileAffinityTerm(pod, w.podAffinityTerm ?? {}),
      weight: w.weight ?? 0,
    }));
    this.preferredAntiAffinityTerms = (a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({
      ...compileAffinityTerm(pod, w.podAffinityTerm ?? {}),
      weight: w.weight ?? 0,
    }));
    const st = pod.status?.startTime;
    this.startTime = st ? Date.parse(st) : Number.POSITIVE_INFINITY;
  }

  get labels(): Labels {
    return this.pod.metadata?.labels;
  }

  get terminating(): boolean {
    return !!this.pod.metadata?.deletionTimestamp;
  }

  /** The pod declares some pod affinity or anti-affinity (required or preferred). */
  get hasAffinity(): boolean {
    const a = this.pod.spec?.affinity;
    return !!a && (!!a.podAffinity || !!a.podAntiAffinity);
  }
}

/** Host ports of app containers and sidecars (restartable init containers), with defaults filled in. */
function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  const visit = (ports: readonly { hostPort?: number; hostIP?: string; protocol?: string }[] | undefined): void => {
    for (const p of ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || DEFAULT_BIND_ALL_HOST_IP, protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  };
  for (const c of pod.spec?.initContainers ?? []) if (c.restartPolicy === 'Always') visit(c.ports);
  for (const c of pod.spec?.containers ?? []) visit(c.ports);
  return out;
}

/** Host ports in use on a node: "protocol/port" → host IPs. */
export class HostPortSet {
  private readonly m = new Map<string, Map<string, number>>();

  add(p: HostPort, delta: 1 | -1 = 1): void {
    const k = `${p.protocol}/${p.port}`;
    let ips = this.m.get(k);
    if (!ips) this.m.set(k, (ips = new Map()));
    const n = (ips.get(p.ip) ?? 0) + delta;
    if (n > 0) ips.set(p.ip, n);
    else ips.delete(p.ip);
    if (ips.size === 0) this.m.delete(k);
  }

  /** 0.0.0.0 conflicts with every IP on the same protocol and port. */
  conflicts(p: HostPort): boolean {
    const ips = this.m.get(`${p.protocol}/${p.port}`);
    if (!ips) return false;
    if (p.ip === DEFAULT_BIND_ALL_HOST_IP) return ips.size > 0;
    return ips.has(p.ip) || ips.has(DEFAULT_BIND_ALL_HOST_IP);
  }

  get size(): number {
    return this.m.size;
  }

  clone(): HostPortSet {
    const c = new HostPortSet();
    for (const [k, ips] of this.m) c.m.set(k, new Map(ips));
    return c;
  }
}

export class NodeInfo {
  readonly name: string;
  pods: PodInfo[] = [];
  podsWithAffinity: PodInfo[] = [];
  podsWithRequiredAntiAffinity: PodInfo[] = [];
  usedPorts = new HostPortSet();
  /** Sum of the pods' requests. */
  requested = new Resource();
  /** Like requested, with the scoring defaults for containers that request no cpu/memory. */
  nonZeroRequested = new Resource();
  readonly allocatable: Resource;
  readonly allowedPodNumber: number;

  constructor(readonly node: Node) {
    this.name = node.metadata?.name ?? '';
    const alloc = (node.status?.allocatable ?? node.status?.capacity) as Readonly<Record<string, string | number>> | undefined;
    this.allocatable = resourceFromList(alloc);
    const pods = alloc?.[RESOURCE_PODS];
    this.allowedPodNumber = pods === undefined ? 0 : quantityValue(RESOURCE_PODS, pods);
  }

  get labels(): Labels {
    return this.node.metadata?.labels;
  }

  addPod(pi: PodInfo): void {
    this.pods.push(pi);
    if (pi.hasAffinity) this.podsWithAffinity.push(pi);
    if (pi.requiredAntiAffinityTerms.length > 0) this.podsWithRequiredAntiAffinity.push(pi);
    this.account(pi, 1);
  }

  /** Removes the pod with the same key; false when it is not on this node. */
  removePod(pi: PodInfo): boolean {
    const i = this.pods.findIndex((p) => p.key === pi.key);
    if (i < 0) return false;
    const removed = this.pods[i]!;
    this.pods.splice(i, 1);
    const drop = (list: PodInfo[]): void => {
      const j = list.findIndex((p) => p.key === pi.key);
      if (j >= 0) list.splice(j, 1);
    };
    if (removed.hasAffinity) drop(this.podsWithAffinity);
    if (removed.requiredAntiAffinityTerms.length > 0) drop(this.podsWithRequiredAntiAffinity);
    this.account(removed, -1);
    return true;
  }

  private account(pi: PodInfo, sign: 1 | -1): void {
    this.requested.addScaled(pi.requests, sign);
    this.nonZeroRequested.milliCPU += sign * pi.nonZeroMilliCPU;
    this.nonZeroRequested.memory += sign * pi.nonZeroMemory;
    for (const p of pi.hostPorts) this.usedPorts.add(p, sign);
  }

  /** A copy whose pod lists and totals can change without touching this one (pods are shared). */
  clone(): NodeInfo {
    const c = Object.create(NodeInfo.prototype) as NodeInfo;
    Object.assign(c, this, {
      pods: [...this.pods],
      podsWithAffinity: [...this.podsWithAffinity],
      podsWithRequiredAntiAffinity: [...this.podsWithRequiredAntiAffinity],
      usedPorts: this.usedPorts.clone(),
      requested: this.requested.clone(),
      nonZeroRequested: this.nonZeroRequested.clone(),
    });
    return c;
  }
}

/** The claims, volumes and storage classes the volume plugins read (the scheduler's listers). */
export interface StorageLister {
  claim(namespace: string, name: string): DeepReadonly<PersistentVolumeClaim> | undefined;
  volumes(): readonly DeepReadonly<PersistentVolume>[];
  storageClass(name: string): DeepReadonly<StorageClass> | undefined;
}

/** No claims, volumes or classes at all. */
export const NO_STORAGE: StorageLister = { claim: () => undefined, volumes: () => [], storageClass: () => undefined };

export class Snapshot {
  readonly nodeInfos: readonly NodeInfo[];
  private readonly byName: Map<string, NodeInfo>;
  /** Labels of each namespace, for affinity terms with a namespaceSelector. */
  readonly namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;

  constructor(
    nodeInfos: readonly NodeInfo[],
    namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>> = new Map(),
    /** Read live, not copied: claims and volumes change under a cycle only by their own events, which requeue the pod. */
    readonly storage: StorageLister = NO_STORAGE,
  ) {
    this.nodeInfos = nodeInfos;
    this.byName = new Map(nodeInfos.map((n) => [n.name, n]));
    this.namespaceLabels = namespaceLabels;
  }

  get(name: string): NodeInfo | undefined {
    return this.byName.get(name);
  }

  /** Nodes with at least one pod that has (anti-)affinity. */
  havePodsWithAffinity(): NodeInfo[] {
    return this.nodeInfos.filter((n) => n.podsWithAffinity.length > 0);
  }

  havePodsWithRequiredAntiAffinity(): NodeInfo[] {
    return this.nodeInfos.filter((n) => n.podsWithRequiredAntiAffinity.length > 0);
  }

  nsLabels(namespace: string): Labels {
    return this.namespaceLabels.get(namespace);
  }
}

export interface SnapshotInput {
  readonly nodes: readonly Node[];
  /** Pods with spec.nodeName set are placed on their node; others are ignored. */
  readonly pods: readonly Pod[];
  readonly namespaces?: readonly { metadata?: { name?: string; labels?: Record<string, string> } }[];
  readonly storage?: StorageLister;
}

export function buildSnapshot(input: SnapshotInput): Snapshot {
  const infos = input.nodes.map((n) => new NodeInfo(n));
  const byName = new Map(infos.map((n) => [n.name, n]));
  for (const p of input.pods) {
    const ni = p.spec?.nodeName ? byName.get(p.spec.nodeName) : undefined;
    if (ni) ni.addPod(new PodInfo(p));
  }
  const ns = new Map<string, Readonly<Record<string, string>>>();
  for (const n of input.namespaces ?? []) if (n.metadata?.name) ns.set(n.metadata.name, n.metadata.labels ?? {});
  return new Snapshot(infos, ns, input.storage);
}

export { affinityTermMatches };
export type { AffinityTerm, WeightedAffinityTerm };
