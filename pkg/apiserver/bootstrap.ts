// What every cluster has from the start: the system namespaces, the `kubernetes` Service, and its
// Endpoints/EndpointSlice listing every live apiserver. Each apiserver holds an etcd lease on a key
// naming its address (upstream's "lease" endpoint reconciler); the Endpoints follow those keys, so
// an apiserver that dies drops out when its lease expires.
import { networkInterfaces } from 'node:os';
import type { Lease } from 'etcd3';
import type { KubeObject, ResourceDef } from '../api/registry.js';
import { StatusError } from '../api/errors.js';
import { systemPriorityClasses } from '../api/scheduling/v1/index.js';
import type { ServerContext } from './handlers/context.js';
import { createObject, updateObject } from './handlers/resource.js';

export const BOOTSTRAP_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const LEASE_PREFIX = '/registry/kubets/apiserverleases/';
const LEASE_TTL_S = 15;
const RECONCILE_INTERVAL_MS = 10_000;
const MANAGER = 'kube-apiserver';

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1' || ip === 'localhost';
}

/** The address clients reach this apiserver at: the bind address, or a host address for 0.0.0.0. */
export function defaultAdvertiseAddress(bindAddress: string): string {
  if (bindAddress !== '0.0.0.0' && bindAddress !== '::' && bindAddress !== '') return bindAddress;
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

function defOf(ctx: ServerContext, group: string, version: string, plural: string): ResourceDef | undefined {
  return ctx.registry.lookup(group, version, plural);
}

async function createIfMissing(ctx: ServerContext, def: ResourceDef, obj: KubeObject): Promise<void> {
  try {
    await createObject(ctx, { def, store: ctx.store(def), obj, dryRun: false, fieldManager: MANAGER });
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 409)) throw err;
  }
}

export async function ensureNamespaces(ctx: ServerContext): Promise<void> {
  const def = defOf(ctx, '', 'v1', 'namespaces');
  if (!def) return;
  for (const name of BOOTSTRAP_NAMESPACES) await createIfMissing(ctx, def, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

/** system-node-critical and system-cluster-critical, as upstream's bootstrap hook creates them. */
export async function ensureSystemPriorityClasses(ctx: ServerContext): Promise<void> {
  const def = defOf(ctx, 'scheduling.k8s.io', 'v1', 'priorityclasses');
  if (!def) return;
  for (const pc of systemPriorityClasses) {
    await createIfMissing(ctx, def, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: pc.name }, value: pc.value, globalDefault: pc.globalDefault, description: pc.description } as KubeObject);
  }
}

export interface MasterEndpointsOptions {
  readonly advertiseAddress: string;
  readonly port: number;
}

/** Keeps the `kubernetes` Service and its endpoints in the default namespace. */
export class KubernetesServiceReconciler {
  private lease: Lease | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly ctx: ServerContext,
    private readonly opts: MasterEndpointsOptions,
  ) {}

  private get leaseKey(): string {
    return `${LEASE_PREFIX}${this.opts.advertiseAddress}:${this.opts.port}`;
  }

  async start(): Promise<void> {
    await this.ensureService();
    if (isLoopback(this.opts.advertiseAddress)) {
      // Endpoints may not point at loopback (upstream validation); a loopback-only cluster has none.
      this.ctx.log.info({ advertiseAddress: this.opts.advertiseAddress }, 'kubernetes endpoints: advertise address is loopback; not publishing endpoints');
      return;
    }
    await this.holdLease();
    await this.reconcile().catch((err: unknown) => this.ctx.log.warn({ err: String(err) }, 'kubernetes endpoints: reconcile failed'));
    this.timer = setInterval(() => {
      void this.reconcile().catch((err: unknown) => this.ctx.log.warn({ err: String(err) }, 'kubernetes endpoints: reconcile failed'));
    }, RECONCILE_INTERVAL_MS);
    this.timer.unref();
  }

  private async ensureService(): Promise<void> {
    const def = defOf(this.ctx, '', 'v1', 'services');
    if (!def) return;
    await createIfMissing(this.ctx, def, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: {
        type: 'ClusterIP',
        clusterIP: this.ctx.allocator.firstIP,
        sessionAffinity: 'None',
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: this.opts.port }],
      },
    });
  }

  private async holdLease(): Promise<void> {
    const lease = this.ctx.etcd.client.lease(LEASE_TTL_S, { autoKeepAlive: true });
    lease.on('lost', () => {
      if (this.stopped) return;
      this.ctx.log.warn('kubernetes endpoints: apiserver lease lost; re-acquiring');
      void this.holdLease().catch((err: unknown) => this.ctx.log.warn({ err: String(err) }, 'kubernetes endpoints: lease re-acquire failed'));
    });
    await lease.put(this.leaseKey).value(JSON.stringify({ address: this.opts.advertiseAddress, port: this.opts.port }));
    this.lease = lease;
  }

  /** Live apiserver addresses, from the leased keys. */
  private async liveAddresses(): Promise<{ address: string; port: number }[]> {
    const res = await this.ctx.etcd.range(LEASE_PREFIX);
    const out: { address: string; port: number }[] = [];
    for (const kv of res.kvs) {
      try {
        const v = JSON.parse(kv.value.toString()) as { address?: unknown; port?: unknown };
        if (typeof v.address === 'string' && typeof v.port === 'number') out.push({ address: v.address, port: v.port });
      } catch {
        // A foreign or damaged key is ignored.
      }
    }
    return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port));
  }

  async reconcile(exclude?: string): Promise<void> {
    const live = (await this.liveAddresses()).filter((a) => `${a.address}:${a.port}` !== exclude && !isLoopback(a.address));
    const port = live[0]?.port ?? this.opts.port;
    const endpoints: KubeObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      ...(live.length > 0 ? { subsets: [{ addresses: live.map((a) => ({ ip: a.address })), ports: [{ name: 'https', port, protocol: 'TCP' }] }] } : {}),
    };
    await this.upsert(defOf(this.ctx, '', 'v1', 'endpoints'), endpoints);
    const slice: KubeObject = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: live.map((a) => ({ addresses: [a.address], conditions: { ready: true } })),
      ports: [{ name: 'https', port, protocol: 'TCP' }],
    };
    await this.upsert(defOf(this.ctx, 'discovery.k8s.io', 'v1', 'endpointslices'), slice);
  }

  private async upsert(def: ResourceDef | undefined, desired: KubeObject): Promise<void> {
    if (!def) return;
    const store = this.ctx.store(def);
    const name = desired.metadata?.name ?? '';
    const existing = await store.getStored('default', name);
    if (!existing) {
      await createIfMissing(this.ctx, def, desired);
      return;
    }
    await updateObject(this.ctx, {
      def,
      store,
      namespace: 'default',
      name,
      compute: (current) => ({ ...desired, metadata: { ...current.metadata, labels: desired.metadata?.labels } }),
      target: 'main',
      dryRun: false,
      pinnedByClient: false,
      fieldManager: MANAGER,
    });
  }

  /** Leaves the endpoints at once on a graceful stop, rather than when the lease runs out. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    try {
      await this.lease?.revoke();
      await this.reconcile(`${this.opts.advertiseAddress}:${this.opts.port}`);
    } catch (err) {
      this.ctx.log.warn({ err: String(err) }, 'kubernetes endpoints: could not remove this apiserver');
    }
  }
}
