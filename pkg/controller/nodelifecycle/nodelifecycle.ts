// Node lifecycle (upstream's node-lifecycle-controller with taint-based eviction, as in v1.32).
// Every --node-monitor-period it reads each node's heartbeats (the Ready condition's
// lastHeartbeatTime and the node's Lease in kube-node-lease); when neither moved for
// --node-monitor-grace-period (--node-startup-grace-period for a node that never reported), it
// sets Ready, MemoryPressure, DiskPressure and PIDPressure to Unknown and marks the node's pods not
// Ready. NoExecute taints follow the observed Ready condition (not-ready for False, unreachable for
// Unknown), added to at most --node-eviction-rate nodes per second in each zone and removed as soon
// as the node is Ready again; the taint eviction controller deletes the pods. When every node of
// every zone is down the control plane, not the nodes, is the likely fault: no taints then.
// NoSchedule taints follow the node's conditions and spec.unschedulable at once.
import type { Logger } from 'pino';
import type { Lease } from '../../api/coordination/v1/lease.js';
import { leaseResource } from '../../api/coordination/v1/lease.js';
import type { Taint } from '../../api/core/v1/common.js';
import type { Node } from '../../api/core/v1/node.js';
import { nodeResource } from '../../api/core/v1/node.js';
import { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE } from '../../api/core/v1/pod-defaults.js';
import type { Pod } from '../../api/core/v1/pod-types.js';
import { podResource } from '../../api/core/v1/pod.js';
import { parseGoDurationMs } from '../../api/meta/duration.js';
import { formatTime } from '../../api/meta/v1.js';
import type { Clock } from '../../client/clock.js';
import type { Lister } from '../../client/informer/lister.js';
import type { DeepReadonly } from '../../client/informer/store.js';
import { isConflict, isNotFound, ReconcileLoop, type Controller, type ControllerContext, type ControllerDefinition, type EventSink, type ObjectClient } from '../framework/index.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
/** Node condition → the NoSchedule taint each of its statuses brings (upstream's nodeConditionToTaintKeyStatusMap). */
const CONDITION_TAINTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Ready: { False: TAINT_NODE_NOT_READY, Unknown: TAINT_NODE_UNREACHABLE },
  MemoryPressure: { True: 'node.kubernetes.io/memory-pressure' },
  DiskPressure: { True: 'node.kubernetes.io/disk-pressure' },
  NetworkUnavailable: { True: 'node.kubernetes.io/network-unavailable' },
  PIDPressure: { True: 'node.kubernetes.io/pid-pressure' },
};
const NO_SCHEDULE_KEYS = new Set([TAINT_UNSCHEDULABLE, ...Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m))]);
/** The conditions the controller sets to Unknown when the kubelet goes silent. */
const MONITORED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];
const STATUS_UPDATE_RETRIES = 5;

type NodeCondition = NonNullable<NonNullable<Node['status']>['conditions']>[number];
/** How often the queued NoExecute taints are tried against the zone's rate (upstream: 100 ms). */
const TAINT_PASS_MS = 100;

export type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

interface NodeHealth {
  /** When, on this controller's clock, a heartbeat last moved. */
  probeTimestamp: number;
  heartbeat: string | undefined;
  leaseRenew: string | undefined;
}

const readyOf = (n: DeepReadonly<Node>): DeepReadonly<NodeCondition> | undefined => n.status?.conditions?.find((c) => c.type === 'Ready');
const sameTaint = (a: DeepReadonly<Taint>, b: DeepReadonly<Taint>): boolean => a.key === b.key && a.effect === b.effect;
const notReadyTaint = (): Taint => ({ key: TAINT_NODE_NOT_READY, effect: 'NoExecute' });
const unreachableTaint = (): Taint => ({ key: TAINT_NODE_UNREACHABLE, effect: 'NoExecute' });

/** upstream's zone key: region and zone labels. */
export function zoneOf(n: DeepReadonly<Node>): string {
  const l = n.metadata?.labels ?? {};
  const region = l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\x00:${zone}`;
}

/** upstream's ComputeZoneState over the Ready conditions of a zone's nodes. */
export function zoneState(readyStatuses: readonly (string | undefined)[], unhealthyThreshold: number): ZoneState {
  const ready = readyStatuses.filter((s) => s === 'True').length;
  const notReady = readyStatuses.length - ready;
  if (ready === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / (ready + notReady) >= unhealthyThreshold) return 'PartialDisruption';
  return 'Normal';
}

/** The NoSchedule taints a node's conditions and cordon call for. */
export function noScheduleTaints(n: DeepReadonly<Node>): Taint[] {
  const taints: Taint[] = [];
  for (const c of n.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type ?? '']?.[c.status ?? ''];
    if (key !== undefined) taints.push({ key, effect: 'NoSchedule' });
  }
  if (n.spec?.unschedulable === true) taints.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  return taints;
}

/** A token bucket that refuses rather than waits (upstream's TryAccept), with a rate that can change; 0 never accepts. */
class TryBucket {
  private tokens = 1;
  private last: number;

  constructor(
    private qps: number,
    private readonly clock: Clock,
  ) {
    this.last = clock.now();
  }

  setRate(qps: number): void {
    this.refill();
    this.qps = qps;
  }

  tryAccept(): boolean {
    if (this.qps <= 0) return false;
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private refill(): void {
    const now = this.clock.now();
    if (this.qps > 0) this.tokens = Math.min(1, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }
}

interface Flags {
  monitorPeriodMs: number;
  monitorGraceMs: number;
  startupGraceMs: number;
  evictionQps: number;
  secondaryEvictionQps: number;
  largeClusterThreshold: number;
  unhealthyZoneThreshold: number;
}

function flagsOf(ctx: ControllerContext): Flags {
  const duration = (name: string): number => {
    const v = parseGoDurationMs(ctx.flag(name));
    if (!(v > 0)) throw new Error(`node-lifecycle-controller: --${name} must be a positive duration, not ${JSON.stringify(ctx.flag(name))}`);
    return v;
  };
  const number = (name: string): number => {
    const v = Number(ctx.flag(name));
    if (!Number.isFinite(v) || v < 0) throw new Error(`node-lifecycle-controller: --${name} must be a number >= 0, not ${JSON.stringify(ctx.flag(name))}`);
    return v;
  };
  return {
    monitorPeriodMs: duration('node-monitor-period'),
    monitorGraceMs: duration('node-monitor-grace-period'),
    startupGraceMs: duration('node-startup-grace-period'),
    evictionQps: number('node-eviction-rate'),
    secondaryEvictionQps: number('secondary-node-eviction-rate'),
    largeClusterThreshold: number('large-cluster-size-threshold'),
    unhealthyZoneThreshold: number('unhealthy-zone-threshold'),
  };
}

export class NodeLifecycleController implements Controller {
  private readonly nodes: Lister<Node>;
  private readonly pods: Lister<Pod>;
  private readonly leases: Lister<Lease>;
  private readonly client: ObjectClient;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly events: EventSink;
  private readonly flags: Flags;
  private readonly health = new Map<string, NodeHealth>();
  private readonly zoneStates = new Map<string, ZoneState>();
  /** Per zone: the rate limiter and the nodes waiting for their NoExecute taint, oldest first. */
  private readonly tainters = new Map<string, { bucket: TryBucket; queue: Set<string> }>();
  /** Nodes whose pods could not all be marked not Ready: tried again next pass. */
  private readonly podsToRetry = new Set<string>();
  private readonly noScheduleLoop: ReconcileLoop;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.log = ctx.log;
    this.events = ctx.events('node-controller');
    this.flags = flagsOf(ctx);
    const nodeInformer = ctx.informers.forResource<Node>(nodeResource);
    this.nodes = nodeInformer.lister();
    this.pods = ctx.informers.forResource<Pod>(podResource).lister();
    this.leases = ctx.informers.forResource<Lease>(leaseResource, { namespace: NODE_LEASE_NAMESPACE }).lister();
    this.noScheduleLoop = new ReconcileLoop({ name: 'node-lifecycle-noschedule', reconciler: { reconcile: (key) => this.syncNoScheduleTaints(key) }, workers: ctx.workers, clock: ctx.clock, log: ctx.log });
    nodeInformer.addEventHandler({
      onAdd: (n) => this.noScheduleLoop.enqueueObject(n),
      onUpdate: (_o, n) => this.noScheduleLoop.enqueueObject(n),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const every = async (ms: number, what: string, fn: () => Promise<void>): Promise<void> => {
      while (!signal.aborted) {
        try {
          await fn();
        } catch (err) {
          this.log.warn({ err: err instanceof Error ? err.message : String(err) }, `${what} failed; will retry`);
        }
        await this.clock.sleep(ms, signal).catch(() => undefined);
      }
    };
    await Promise.all([this.noScheduleLoop.run(signal), every(this.flags.monitorPeriodMs, 'node health monitoring', () => this.monitorNodeHealth()), every(TAINT_PASS_MS, 'node tainting', () => this.noExecuteTaintingPass())]);
  }

  /** One pass over every node: heartbeats, Unknown conditions, NoExecute taints queued or removed, zone states. */
  async monitorNodeHealth(): Promise<void> {
    const nodes = this.nodes.list();
    const names = new Set(nodes.map((n) => n.metadata?.name ?? ''));
    for (const name of [...this.health.keys()]) {
      if (names.has(name)) continue;
      this.health.delete(name);
      this.podsToRetry.delete(name);
      for (const t of this.tainters.values()) t.queue.delete(name);
      this.nodeEvent(name, 'Normal', 'RemovingNode', `Node ${name} event: Removing Node ${name} from Controller`);
    }
    const zoneReady = new Map<string, (string | undefined)[]>();
    for (const seen of nodes) {
      const name = seen.metadata?.name ?? '';
      const zone = zoneOf(seen);
      if (!this.tainters.has(zone)) this.tainters.set(zone, { bucket: new TryBucket(this.flags.evictionQps, this.clock), queue: new Set() });
      if (!this.zoneStates.has(zone)) this.zoneStates.set(zone, 'Initial');
      if (!this.health.has(name)) this.nodeEvent(name, 'Normal', 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`);
      let result: { node: DeepReadonly<Node>; observed: DeepReadonly<NodeCondition> | undefined; current: DeepReadonly<NodeCondition> | undefined };
      try {
        result = await this.updateNodeHealth(seen);
      } catch (err) {
        if (isNotFound(err)) continue;
        this.log.warn({ node: name, err: err instanceof Error ? err.message : String(err) }, 'updating node health failed; skipping the node this pass');
        continue;
      }
      const { node, observed, current } = result;
      const statuses = zoneReady.get(zone) ?? [];
      statuses.push(current?.status);
      zoneReady.set(zone, statuses);
      if (current === undefined) continue;
      await this.processTaintBasedEviction(node, observed);
      const turnedNotReady = current.status !== 'True' && observed?.status === 'True';
      if (turnedNotReady) this.nodeEvent(name, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      if (turnedNotReady || (this.podsToRetry.has(name) && observed?.status !== 'True')) {
        if (await this.markPodsNotReady(name)) this.podsToRetry.delete(name);
        else this.podsToRetry.add(name);
      } else this.podsToRetry.delete(name);
    }
    await this.handleDisruption(zoneReady, nodes);
  }

  /**
   * Moves the probe timestamp when a heartbeat moved; past the grace period sets the monitored
   * conditions Unknown. Returns the Ready condition as read and as it is now.
   */
  private async updateNodeHealth(seen: DeepReadonly<Node>): Promise<{ node: DeepReadonly<Node>; observed: DeepReadonly<NodeCondition> | undefined; current: DeepReadonly<NodeCondition> | undefined }> {
    const name = seen.metadata?.name ?? '';
    let node = seen;
    for (let attempt = 0; ; attempt++) {
      const now = this.clock.now();
      const observed = readyOf(node);
      const heartbeat = observed?.lastHeartbeatTime;
      const leaseRenew = this.leases.namespace(NODE_LEASE_NAMESPACE).get(name)?.spec?.renewTime;
      let h = this.health.get(name);
      if (h === undefined) {
        // A node that never reported is judged from its creation, with the startup grace.
        const created = Date.parse(node.metadata?.creationTimestamp ?? '');
        h = { probeTimestamp: observed === undefined && Number.isFinite(created) ? Math.min(created, now) : now, heartbeat, leaseRenew };
        this.health.set(name, h);
      } else {
        if (heartbeat !== h.heartbeat) h.probeTimestamp = now;
        if (leaseRenew !== undefined && leaseRenew !== h.leaseRenew && (h.leaseRenew === undefined || Date.parse(leaseRenew) > Date.parse(h.leaseRenew))) h.probeTimestamp = now;
        h.heartbeat = heartbeat;
        h.leaseRenew = leaseRenew ?? h.leaseRenew;
      }
      const grace = observed === undefined ? this.flags.startupGraceMs : this.flags.monitorGraceMs;
      if (now <= h.probeTimestamp + grace) return { node, observed, current: observed };
      const next = structuredClone(node) as Node;
      const status = (next.status ??= {});
      const conditions = (status.conditions ??= []);
      const stamp = formatTime(now);
      let changed = false;
      for (const type of MONITORED_CONDITIONS) {
        const c = conditions.find((x) => x.type === type);
        if (c === undefined) {
          conditions.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: node.metadata?.creationTimestamp ?? stamp, lastTransitionTime: stamp });
          changed = true;
        } else if (c.status !== 'Unknown') {
          Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: stamp });
          changed = true;
        }
      }
      if (!changed) return { node, observed, current: observed };
      try {
        const written = await this.client.updateStatus<Node>(nodeResource, next);
        this.log.info({ node: name, silentForMs: now - h.probeTimestamp }, 'node stopped posting status: conditions Unknown');
        return { node: written, observed, current: readyOf(written) };
      } catch (err) {
        if (!isConflict(err) || attempt + 1 >= STATUS_UPDATE_RETRIES) throw err;
        node = await this.client.get<Node>(nodeResource, '', name);
      }
    }
  }

  private async processTaintBasedEviction(node: DeepReadonly<Node>, observed: DeepReadonly<NodeCondition> | undefined): Promise<void> {
    const name = node.metadata?.name ?? '';
    const taints = node.spec?.taints ?? [];
    const tainter = this.tainters.get(zoneOf(node));
    switch (observed?.status) {
      case 'False':
        // A node already tainted unreachable gets the other taint at once, past the rate limit.
        if (taints.some((t) => sameTaint(t, unreachableTaint()))) await this.swapTaints(name, [{ ...notReadyTaint(), timeAdded: formatTime(this.clock.now()) }], [unreachableTaint()]);
        else if (!taints.some((t) => sameTaint(t, notReadyTaint()))) tainter?.queue.add(name);
        break;
      case 'Unknown':
        if (taints.some((t) => sameTaint(t, notReadyTaint()))) await this.swapTaints(name, [{ ...unreachableTaint(), timeAdded: formatTime(this.clock.now()) }], [notReadyTaint()]);
        else if (!taints.some((t) => sameTaint(t, unreachableTaint()))) tainter?.queue.add(name);
        break;
      case 'True':
        await this.markNodeAsReachable(name);
        break;
      default:
    }
  }

  private async markNodeAsReachable(name: string): Promise<void> {
    await this.swapTaints(name, [], [unreachableTaint(), notReadyTaint()]);
    for (const t of this.tainters.values()) t.queue.delete(name);
  }

  /** Takes queued nodes as each zone's rate allows and gives them the NoExecute taint their Ready condition calls for. */
  async noExecuteTaintingPass(): Promise<void> {
    for (const { bucket, queue } of this.tainters.values()) {
      for (const name of [...queue]) {
        const node = this.nodes.get(name);
        const status = node === undefined ? undefined : readyOf(node)?.status;
        if (status !== 'False' && status !== 'Unknown') {
          queue.delete(name);
          continue;
        }
        if (!bucket.tryAccept()) break;
        const [add, remove] = status === 'False' ? [notReadyTaint(), unreachableTaint()] : [unreachableTaint(), notReadyTaint()];
        try {
          await this.swapTaints(name, [{ ...add, timeAdded: formatTime(this.clock.now()) }], [remove]);
          queue.delete(name);
          this.log.info({ node: name, taint: add.key }, 'node tainted NoExecute');
        } catch (err) {
          this.log.warn({ node: name, err: err instanceof Error ? err.message : String(err) }, 'tainting the node failed; will retry');
        }
      }
    }
  }

  /** Zone states from this pass; rates follow them, and all zones down means no taints at all. */
  private async handleDisruption(zoneReady: ReadonlyMap<string, readonly (string | undefined)[]>, nodes: readonly DeepReadonly<Node>[]): Promise<void> {
    const next = new Map<string, ZoneState>();
    for (const [zone, statuses] of zoneReady) next.set(zone, zoneState(statuses, this.flags.unhealthyZoneThreshold));
    for (const zone of [...this.zoneStates.keys()]) {
      if (!zoneReady.has(zone)) {
        this.zoneStates.delete(zone);
        this.tainters.delete(zone);
      }
    }
    const allNow = next.size > 0 && [...next.values()].every((s) => s === 'FullDisruption');
    const allBefore = this.zoneStates.size > 0 && [...this.zoneStates.values()].every((s) => s === 'FullDisruption');
    if (allNow) {
      if (!allBefore) this.log.warn('every node is not Ready: entering master disruption mode, no NoExecute taints until one is back');
      for (const n of nodes) await this.markNodeAsReachable(n.metadata?.name ?? '').catch((err: unknown) => this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'removing a NoExecute taint failed'));
      for (const t of this.tainters.values()) t.bucket.setRate(0);
      for (const zone of next.keys()) this.zoneStates.set(zone, 'FullDisruption');
      return;
    }
    if (allBefore) {
      // Back from a control-plane-wide outage: every node gets its full grace period again.
      this.log.info('some nodes are Ready: leaving master disruption mode');
      const now = this.clock.now();
      for (const h of this.health.values()) h.probeTimestamp = now;
    }
    for (const [zone, state] of next) {
      if (allBefore || this.zoneStates.get(zone) !== state) this.tainters.get(zone)?.bucket.setRate(this.rateFor(state, zoneReady.get(zone)?.length ?? 0));
      this.zoneStates.set(zone, state);
    }
  }

  private rateFor(state: ZoneState, zoneSize: number): number {
    if (state === 'PartialDisruption') return zoneSize > this.flags.largeClusterThreshold ? this.flags.secondaryEvictionQps : 0;
    return this.flags.evictionQps;
  }

  /** Sets the Ready condition of every pod on the node to False; false when some write failed. */
  private async markPodsNotReady(nodeName: string): Promise<boolean> {
    let ok = true;
    const stamp = formatTime(this.clock.now());
    for (const pod of this.pods.list()) {
      if (pod.spec?.nodeName !== nodeName) continue;
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      if (ready === undefined || ready.status === 'False') continue;
      const next = structuredClone(pod) as Pod;
      const c = next.status?.conditions?.find((x) => x.type === 'Ready');
      if (c) Object.assign(c, { status: 'False', lastTransitionTime: stamp });
      try {
        await this.client.updateStatus<Pod>(podResource, next);
        void this.events.record({ ...pod, apiVersion: 'v1', kind: 'Pod' }, 'Warning', 'NodeNotReady', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        if (isNotFound(err)) continue;
        ok = false;
        this.log.warn({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, err: err instanceof Error ? err.message : String(err) }, 'marking a pod not Ready failed');
      }
    }
    return ok;
  }

  /** Brings the node's NoSchedule taints in line with its conditions and cordon. */
  async syncNoScheduleTaints(name: string): Promise<void> {
    const node = this.nodes.get(name);
    if (node === undefined) return;
    const want = noScheduleTaints(node);
    const have = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoSchedule' && NO_SCHEDULE_KEYS.has(t.key ?? ''));
    const add = want.filter((w) => !have.some((h) => sameTaint(h, w)));
    const remove = have.filter((h) => !want.some((w) => sameTaint(h, w))).map((t) => ({ key: t.key, effect: t.effect }));
    if (add.length > 0 || remove.length > 0) await this.swapTaints(name, add, remove);
  }

  /**
   * Adds and removes taints (by key and effect) with an update that fails on a concurrent write,
   * read again and retried; a taint already there keeps its timeAdded.
   */
  private async swapTaints(name: string, add: readonly Taint[], remove: readonly Taint[]): Promise<void> {
    let node: DeepReadonly<Node> | undefined = this.nodes.get(name);
    for (let attempt = 0; node !== undefined; attempt++) {
      const current = node.spec?.taints ?? [];
      const kept = current.filter((t) => !remove.some((r) => sameTaint(r, t)));
      const added = add.filter((a) => !kept.some((t) => sameTaint(a, t)));
      if (kept.length === current.length && added.length === 0) return;
      const next = structuredClone(node) as Node;
      const spec = (next.spec ??= {});
      const taints = [...(kept as Taint[]), ...added];
      if (taints.length > 0) spec.taints = taints;
      else delete spec.taints;
      try {
        await this.client.update<Node>(nodeResource, next);
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt + 1 >= STATUS_UPDATE_RETRIES) throw err;
        node = await this.client.get<Node>(nodeResource, '', name).catch((e: unknown) => {
          if (isNotFound(e)) return undefined;
          throw e;
        });
      }
    }
  }

  private nodeEvent(name: string, type: 'Normal' | 'Warning', reason: string, note: string): void {
    // Node events name the node as their uid, as upstream's controllers do.
    void this.events.record({ apiVersion: 'v1', kind: 'Node', metadata: { name, uid: name } }, type, reason, reason, note);
  }
}

export const nodeLifecycleControllerDefinition: ControllerDefinition = {
  name: 'node-lifecycle-controller',
  aliases: ['nodelifecycle'],
  flags: {
    'node-monitor-period': { default: '5s', usage: 'how often node heartbeats are checked' },
    'node-monitor-grace-period': { default: '50s', usage: 'how long a running node may stay silent before its conditions go Unknown' },
    'node-startup-grace-period': { default: '1m0s', usage: 'how long a node that never reported may stay silent' },
    'node-eviction-rate': { default: '0.1', usage: 'nodes per second per zone given a NoExecute taint while the zone is healthy' },
    'secondary-node-eviction-rate': { default: '0.01', usage: 'the same rate in a zone with many nodes down (0 for zones of at most --large-cluster-size-threshold nodes)' },
    'large-cluster-size-threshold': { default: '50', usage: 'zone size above which the secondary rate applies instead of none' },
    'unhealthy-zone-threshold': { default: '0.55', usage: 'share of not-Ready nodes (at least 3) that makes a zone partially disrupted' },
  },
  create: (ctx) => new NodeLifecycleController(ctx),
};
