// Node IPAM controller (upstream's range allocator): with --allocate-node-cidrs, every Node without
// a pod range gets the next free /--node-cidr-mask-size subnet of --cluster-cidr in spec.podCIDR,
// and its kubelet hands it to the runtime. Ranges already on nodes are never given twice; a full
// cluster range is a CIDRNotAvailable Event on the node.
import type { Node } from '../../api/core/v1/node.js';
import { nodeResource } from '../../api/core/v1/node.js';
import type { Lister } from '../../client/informer/lister.js';
import { isNotFound, ReconcileLoop, type Controller, type ControllerContext, type ControllerDefinition, type EventSink, type ObjectClient, type Reconciler } from '../framework/index.js';

export interface Ipv4Cidr {
  readonly base: number;
  readonly bits: number;
}

export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const ip = octets.reduce((n, o) => n * 256 + o, 0);
  const size = 2 ** (32 - bits);
  return { base: ip - (ip % size), bits };
}

export function formatIpv4Cidr(c: Ipv4Cidr): string {
  return `${[24, 16, 8, 0].map((s) => Math.floor(c.base / 2 ** s) % 256).join('.')}/${c.bits}`;
}

/** The first subnet of `mask` bits in `cluster` that is not in `used`, or undefined when all are. */
export function nextFreeSubnet(cluster: Ipv4Cidr, mask: number, used: ReadonlySet<string>): string | undefined {
  const count = 2 ** (mask - cluster.bits);
  const size = 2 ** (32 - mask);
  for (let i = 0; i < count; i++) {
    const candidate = formatIpv4Cidr({ base: cluster.base + i * size, bits: mask });
    if (!used.has(candidate)) return candidate;
  }
  return undefined;
}

export class NodeIpamController implements Controller, Reconciler {
  private readonly loop: ReconcileLoop;
  private readonly nodes: Lister<Node> | undefined;
  private readonly client: ObjectClient;
  private readonly events: EventSink;
  private readonly cluster: Ipv4Cidr | undefined;
  private readonly mask: number;
  /** Ranges handed out by this controller whose Node update the informer may not show yet. */
  private readonly assigned = new Set<string>();

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.events = ctx.events('node-ipam-controller');
    // One worker: two nodes must never be given the same range.
    this.loop = new ReconcileLoop({ name: 'nodeipam', reconciler: this, workers: 1, clock: ctx.clock, log: ctx.log });
    const allocate = ctx.flag('allocate-node-cidrs') === 'true';
    this.mask = Number(ctx.flag('node-cidr-mask-size'));
    const cluster = parseIpv4Cidr(ctx.flag('cluster-cidr'));
    if (allocate && (cluster === undefined || !Number.isInteger(this.mask) || this.mask < cluster.bits || this.mask > 30)) {
      throw new Error(`node-ipam-controller: --allocate-node-cidrs needs an IPv4 --cluster-cidr (got ${JSON.stringify(ctx.flag('cluster-cidr'))}) and a --node-cidr-mask-size within it`);
    }
    this.cluster = allocate ? cluster : undefined;
    if (this.cluster === undefined) {
      this.nodes = undefined;
      return;
    }
    const informer = ctx.informers.forResource<Node>(nodeResource);
    this.nodes = informer.lister();
    informer.addEventHandler({
      onAdd: (n) => this.loop.enqueue(n.metadata?.name ?? ''),
      onUpdate: (_o, n) => {
        if (!n.spec?.podCIDR) this.loop.enqueue(n.metadata?.name ?? '');
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (this.cluster === undefined) {
      // Not asked to allocate (upstream's default): nothing to do for as long as the term lasts.
      await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
      return;
    }
    await this.loop.run(signal);
  }

  async reconcile(name: string): Promise<void> {
    const node = this.nodes?.get(name);
    if (node === undefined || node.spec?.podCIDR || this.cluster === undefined) return;
    const used = new Set(this.assigned);
    for (const n of this.nodes!.list()) if (n.spec?.podCIDR) used.add(n.spec.podCIDR);
    const cidr = nextFreeSubnet(this.cluster, this.mask, used);
    if (cidr === undefined) {
      void this.events.record({ ...node, apiVersion: 'v1', kind: 'Node' }, 'Normal', 'CIDRNotAvailable', 'Allocate', `Node ${name} status is now: CIDRNotAvailable`);
      return;
    }
    this.assigned.add(cidr);
    try {
      await this.client.patch<Node>(nodeResource, '', name, { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, 'strategic');
    } catch (err) {
      this.assigned.delete(cidr);
      if (isNotFound(err)) return;
      throw err;
    }
  }
}

export const nodeIpamControllerDefinition: ControllerDefinition = {
  name: 'node-ipam-controller',
  aliases: ['nodeipam'],
  flags: {
    'allocate-node-cidrs': { default: 'false', usage: 'give each Node a pod range (spec.podCIDR) from --cluster-cidr' },
    'cluster-cidr': { default: '', usage: 'the pod range of the cluster (IPv4 CIDR), split into node ranges' },
    'node-cidr-mask-size': { default: '24', usage: 'prefix length of each node range' },
  },
  create: (ctx) => new NodeIpamController(ctx),
};
