// Watching the scheduler leaders while faults happen: a trickle of pods to schedule onto a few
// Node objects, and three informers — the kube-scheduler Lease, the pods, and the Scheduled
// events (which name the replica that bound each pod). etcd revisions order them all, so the
// invariant can ask, for every binding: did the replica that made it hold the Lease at that
// revision? Fencing promises it did.
import type { Lease } from '../../pkg/api/coordination/v1/index.js';
import type { Node, Pod } from '../../pkg/api/core/v1/index.js';
import type { Event as EventV1 } from '../../pkg/api/events/v1/index.js';
import { EVENTS_V1 } from '../../pkg/client/events.js';
import { SharedInformerFactory, silentLogger, type RestClient } from '../../pkg/client/index.js';
import type { BindingRecord, LeaderHistory, LeaseRecord } from './history.js';
import { sleep } from './sleep.js';
import { errorText } from './workload.js';

const LEASES = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true } as const;
const PODS = { group: '', version: 'v1', plural: 'pods', namespaced: true } as const;
const NODES = { group: '', version: 'v1', plural: 'nodes', namespaced: false } as const;
const FIXTURE_KEY = 'chaos.kubets.io/fixture';
const NODE_COUNT = 3;

export interface LeaderAuditOptions {
  readonly client: RestClient;
  readonly namespace: string;
  readonly now: () => number;
  /** One pod every this many ms. */
  readonly podEveryMs: number;
  readonly log: (line: string) => void;
}

export class LeaderAudit {
  private readonly leases: LeaseRecord[] = [];
  private readonly bindings = new Map<string, BindingRecord>();
  private readonly binders = new Map<string, string>();
  private readonly created: string[] = [];
  private createErrors = 0;
  private loop: Promise<void> | undefined;
  private heartbeats: Promise<void> | undefined;
  private readonly factory: SharedInformerFactory;

  constructor(private readonly opts: LeaderAuditOptions) {
    this.factory = new SharedInformerFactory(opts.client, { logger: silentLogger });
  }

  private nodeName(i: number): string {
    return `${this.opts.namespace}-node-${i}`;
  }

  /** Creates the nodes, starts watching (until `watchSignal`) and creating pods (until `createSignal`). */
  async start(watchSignal: AbortSignal, createSignal: AbortSignal): Promise<void> {
    const nodes = this.opts.client.resource<Node>(NODES);
    for (let i = 0; i < NODE_COUNT; i++) {
      await nodes.create({
        apiVersion: 'v1',
        kind: 'Node',
        // Nodes without a kubelet: only the audit's pods (which select and tolerate them) go there,
        // so the workloads' pods land on the real kubelets when the cluster has some.
        metadata: { name: this.nodeName(i), labels: { 'kubernetes.io/hostname': this.nodeName(i), [FIXTURE_KEY]: 'true' } },
        spec: { taints: [{ key: FIXTURE_KEY, value: 'true', effect: 'NoSchedule' }] },
        status: {
          capacity: { cpu: '1000', memory: '1000Gi', pods: '100000' },
          allocatable: { cpu: '1000', memory: '1000Gi', pods: '100000' },
          conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'chaos fixture node', lastHeartbeatTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
        },
      });
    }
    // As a kubelet would, the fixture renews its nodes' Leases: the node lifecycle controller
    // would otherwise find them silent, taint them and count their zone as disrupted.
    this.heartbeats = this.renewLeases(watchSignal);
    const lease = this.factory.forResource<Lease>(LEASES, { namespace: 'kube-system', fieldSelector: 'metadata.name=kube-scheduler' });
    const pods = this.factory.forResource<Pod>(PODS, { namespace: this.opts.namespace });
    const events = this.factory.forResource<EventV1>(EVENTS_V1, { namespace: this.opts.namespace });
    const onLease = (l: { metadata?: { resourceVersion?: string }; spec?: { holderIdentity?: string; leaseTransitions?: number } }): void => {
      this.leases.push({ rv: Number(l.metadata?.resourceVersion ?? 0), holder: l.spec?.holderIdentity ?? '', transitions: l.spec?.leaseTransitions ?? 0 });
    };
    lease.addEventHandler({ onAdd: onLease, onUpdate: (_o, n) => onLease(n) });
    const onPod = (p: { metadata?: { name?: string; resourceVersion?: string }; spec?: { nodeName?: string } }): void => {
      const name = p.metadata?.name ?? '';
      if ((p.spec?.nodeName ?? '') !== '' && !this.bindings.has(name)) this.bindings.set(name, { pod: name, node: p.spec?.nodeName ?? '', rv: Number(p.metadata?.resourceVersion ?? 0), at: this.opts.now() });
    };
    pods.addEventHandler({ onAdd: onPod, onUpdate: (_o, n) => onPod(n) });
    events.addEventHandler({
      onAdd: (e) => {
        if (e.reason === 'Scheduled' && e.regarding?.name !== undefined && e.reportingInstance !== undefined) this.binders.set(e.regarding.name, e.reportingInstance);
      },
    });
    this.factory.start(watchSignal);
    await this.factory.waitForCacheSync(watchSignal);
    this.loop = this.createPods(createSignal);
  }

  private async renewLeases(signal: AbortSignal): Promise<void> {
    const leases = this.opts.client.resource<Lease>(LEASES).namespace('kube-node-lease');
    while (!signal.aborted) {
      for (let i = 0; i < NODE_COUNT && !signal.aborted; i++) {
        const name = this.nodeName(i);
        const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date().toISOString().replace('Z', '000Z') };
        try {
          const current = await leases.get(name, { signal }).catch(() => undefined);
          if (current === undefined) await leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec }, { signal });
          else await leases.update({ ...current, spec: { ...current.spec, ...spec } }, { signal });
        } catch {
          // Faults make some renewals fail; the next round (10 s) tries again, as a kubelet does.
        }
      }
      await sleep(10_000, signal);
    }
  }

  private async createPods(signal: AbortSignal): Promise<void> {
    const pods = this.opts.client.resource<Pod>(PODS).namespace(this.opts.namespace);
    for (let i = 0; !signal.aborted; i++) {
      const name = `sched-${i}`;
      try {
        await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeSelector: { [FIXTURE_KEY]: 'true' }, tolerations: [{ key: FIXTURE_KEY, operator: 'Exists', effect: 'NoSchedule' }], containers: [{ name: 'c', image: 'pause', resources: { requests: { cpu: '10m', memory: '1Mi' } } }] } }, { signal });
        this.created.push(name);
      } catch (err) {
        // Faults make some creates fail; those pods simply do not exist (a retry would be a new name).
        if (!signal.aborted && this.createErrors++ < 3) this.opts.log(`leader audit: creating ${name}: ${errorText(err)}`);
      }
      await sleep(this.opts.podEveryMs, signal);
    }
  }

  /** Waits until every pod created so far is bound (or `ms` passed). */
  async settle(ms: number): Promise<void> {
    await this.loop;
    const deadline = this.opts.now() + ms;
    while (this.opts.now() < deadline && this.created.some((p) => !this.bindings.has(p) || !this.binders.has(p))) await sleep(200);
  }

  async stop(): Promise<void> {
    await this.factory.stopped().catch(() => undefined);
    await this.heartbeats;
    const nodes = this.opts.client.resource<Node>(NODES);
    const leases = this.opts.client.resource<Lease>(LEASES).namespace('kube-node-lease');
    for (let i = 0; i < NODE_COUNT; i++) {
      await nodes.delete(this.nodeName(i)).catch(() => undefined);
      await leases.delete(this.nodeName(i)).catch(() => undefined);
    }
  }

  history(): LeaderHistory {
    return {
      leases: [...this.leases].sort((a, b) => a.rv - b.rv),
      bindings: [...this.bindings.values()].map((b) => ({ ...b, ...(this.binders.has(b.pod) ? { binder: this.binders.get(b.pod)! } : {}) })),
      created: this.created.length,
      unbound: this.created.filter((p) => !this.bindings.has(p)),
    };
  }
}
