// The node side of a kubelet: registers its Node, tells the runtime the node's pod CIDR, reports
// node status (every --node-status-update-frequency, written when it changed or every five minutes
// as upstream's nodeStatusReportFrequency), and renews its Lease in kube-node-lease every quarter
// of the lease duration — the heartbeat the node lifecycle controller watches.
import type { Logger } from 'pino';
import { leaseResource, type Lease } from '../api/coordination/v1/lease.js';
import type { Node } from '../api/core/v1/node.js';
import { nodeResource } from '../api/core/v1/node.js';
import { formatMicroTime } from '../api/meta/v1.js';
import type { Clock } from '../client/clock.js';
import type { EventRecorder } from '../client/events.js';
import type { RestClient } from '../client/rest.js';
import { isAlreadyExists, isConflict, isNotFound } from '../controller/framework/errors.js';
import type { CriClient } from '../cri/client.js';
import { nodeForRegistration, nodeStatus, nodeStatusChanged, readSystemInfo, type RuntimeState } from './node-status.js';
import type { KubeletFlags } from './options.js';

/** Upstream's nodeStatusReportFrequency: an unchanged status is still written this often. */
export const NODE_STATUS_REPORT_FREQUENCY_MS = 5 * 60_000;
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeAgentOptions {
  readonly flags: KubeletFlags;
  readonly client: RestClient;
  readonly cri: CriClient;
  readonly clock: Clock;
  readonly log: Logger;
  readonly events: EventRecorder;
  /** The port the kubelet's HTTP server really listens on (daemonEndpoints). */
  readonly kubeletPort: () => number;
}

export class NodeAgent {
  private node: Node | undefined;
  private lastReportAt = -Infinity;
  private podCidr = '';
  private readonly system = readSystemInfo();

  constructor(private readonly o: NodeAgentOptions) {}

  /** The Node as last written or read. */
  current(): Node | undefined {
    return this.node;
  }

  /** The pod CIDR the runtime allocates from: the Node's, else --pod-cidr. */
  get cidr(): string {
    return this.podCidr;
  }

  /** Registers the Node (or takes the existing one) and sends the runtime its pod CIDR. Retries until it works or `signal` aborts. */
  async register(signal: AbortSignal): Promise<void> {
    const nodes = this.o.client.resource<Node>(nodeResource);
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        try {
          this.node = await nodes.create(nodeForRegistration(this.o.flags), { signal });
          this.o.log.info({ node: this.o.flags.nodeName }, 'registered node');
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
          this.node = await nodes.get(this.o.flags.nodeName, { signal });
          this.o.log.info({ node: this.o.flags.nodeName }, 'node already registered; taking it over');
        }
        // A node-ipam controller gives a new Node its range within a moment: wait a little for it
        // rather than start the first pods outside it.
        for (let i = 0; i < 20 && !this.node.spec?.podCIDR && this.o.flags.podCidr === '' && !signal.aborted; i++) {
          await this.o.clock.sleep(500, signal).catch(() => undefined);
          this.node = await nodes.get(this.o.flags.nodeName, { signal });
        }
        await this.adoptPodCidr(signal);
        return;
      } catch (err) {
        if (signal.aborted) return;
        this.o.log.warn({ err: err instanceof Error ? err.message : String(err), attempt }, 'unable to register node; retrying');
        await this.o.clock.sleep(Math.min(7000, 500 * 2 ** attempt), signal).catch(() => undefined);
      }
    }
  }

  /** Hands the runtime the Node's pod range (or --pod-cidr) when it is new to it. */
  private async adoptPodCidr(signal: AbortSignal): Promise<void> {
    const cidr = this.node?.spec?.podCIDR ?? this.o.flags.podCidr;
    if (cidr === '' || cidr === this.podCidr) return;
    await this.o.cri.updateRuntimeConfig(cidr, { signal });
    this.podCidr = cidr;
    this.o.log.info({ podCIDR: cidr }, 'pod range set');
  }

  /** One status round: read the runtime, compute, write when changed or due. */
  async syncStatus(signal: AbortSignal): Promise<void> {
    const runtime = await this.runtimeState(signal);
    const nodes = this.o.client.resource<Node>(nodeResource);
    try {
      // Read, as upstream's kubelet does each round: the node lifecycle controller may have set
      // the conditions Unknown while this kubelet was cut off, and only a fresh read shows that.
      if (this.node !== undefined) this.node = await nodes.get(this.o.flags.nodeName, { signal });
      if (this.podCidr === '' && this.node !== undefined) await this.adoptPodCidr(signal);
      const now = this.o.clock.now();
      const next = nodeStatus(this.o.flags, this.system, runtime, this.node?.status, now, this.o.kubeletPort());
      if (!nodeStatusChanged(this.node?.status, next) && now - this.lastReportAt < NODE_STATUS_REPORT_FREQUENCY_MS) return;
      const before = this.node?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
      this.node = await nodes.patch(this.o.flags.nodeName, { status: next }, 'merge', { subresource: 'status', signal });
      this.lastReportAt = now;
      // An event when Ready changes from what the API said (Unknown after a silence included).
      const ready = next.conditions?.find((c) => c.type === 'Ready')?.status;
      if (ready !== before) {
        const reason = ready === 'True' ? 'NodeReady' : 'NodeNotReady';
        void this.o.events.record(nodeRef(this.node), 'Normal', reason, reason, `Node ${this.o.flags.nodeName} status is now: ${reason}`);
      }
    } catch (err) {
      // Deleted under us (kubectl delete node): register again, as upstream's kubelet does on restart.
      if (isNotFound(err)) {
        this.node = undefined;
        await this.register(signal);
        return;
      }
      throw err;
    }
  }

  private async runtimeState(signal: AbortSignal): Promise<RuntimeState> {
    try {
      const [version, status] = await Promise.all([this.o.cri.version({ signal, timeoutMs: 5000 }), this.o.cri.status({ signal, timeoutMs: 5000 })]);
      return { version: `${version.runtimeName}://${version.runtimeVersion}`, conditions: status.status?.conditions ?? [] };
    } catch (err) {
      return { version: this.node?.status?.nodeInfo?.containerRuntimeVersion ?? '', conditions: undefined, error: err instanceof Error ? err.message : String(err) };
    }
  }

  /** Creates or renews the node's Lease (holder = the node, owned by the Node object). */
  async renewLease(signal: AbortSignal): Promise<void> {
    const leases = this.o.client.resource<Lease>(leaseResource).namespace(NODE_LEASE_NAMESPACE);
    const name = this.o.flags.nodeName;
    const now = formatMicroTime(this.o.clock.now());
    const spec = { holderIdentity: name, leaseDurationSeconds: this.o.flags.nodeLeaseDurationSeconds, renewTime: now };
    try {
      const lease = await leases.get(name, { signal });
      await leases.update({ ...lease, spec: { ...lease.spec, ...spec } }, { signal });
    } catch (err) {
      if (!isNotFound(err)) {
        if (isConflict(err)) return;
        throw err;
      }
      const owner = this.node?.metadata?.uid ? [{ apiVersion: 'v1', kind: 'Node', name, uid: this.node.metadata.uid }] : undefined;
      await leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: NODE_LEASE_NAMESPACE, ...(owner ? { ownerReferences: owner } : {}) }, spec }, { signal });
    }
  }

  /** Status and lease loops until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const loop = async (everyMs: number, what: string, fn: (s: AbortSignal) => Promise<void>): Promise<void> => {
      while (!signal.aborted) {
        try {
          await fn(signal);
        } catch (err) {
          if (!signal.aborted) this.o.log.warn({ err: err instanceof Error ? err.message : String(err) }, `${what} failed; will retry`);
        }
        await this.o.clock.sleep(everyMs, signal).catch(() => undefined);
      }
    };
    await Promise.all([
      loop(this.o.flags.nodeStatusUpdateFrequencyMs, 'node status update', (s) => this.syncStatus(s)),
      loop((this.o.flags.nodeLeaseDurationSeconds * 1000) / 4, 'node lease renewal', (s) => this.renewLease(s)),
    ]);
  }
}

/** Events about a node name it by its name as uid too, as upstream's kubelet does. */
export function nodeRef(node: Node): Node & { apiVersion: string; kind: string } {
  return { ...node, apiVersion: 'v1', kind: 'Node', metadata: { ...node.metadata, uid: node.metadata?.name ?? '' } };
}
