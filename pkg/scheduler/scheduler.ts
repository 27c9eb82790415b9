// The scheduler's control loop: informers feed the cache (nodes and bound pods) and the queue
// (pending pods with one of our scheduler names); one pod at a time is popped, placed by its
// profile's framework over a snapshot of the cache, assumed in the cache, and bound through
// pods/binding while the next pod is already being scheduled. Failures go back to the queue with
// the PodScheduled=False condition and a FailedScheduling event, as upstream reports them.
import { setImmediate } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Namespace, Node, Pod } from '../api/core/v1/index.js';
import { StatusError } from '../api/errors.js';
import { realClock, type Clock } from '../client/clock.js';
import type { EventRecorder } from '../client/events.js';
import { unwrapTombstone, type DeletedFinalStateUnknown, type DeepReadonly, type Lister, type SharedInformerFactory } from '../client/informer/index.js';
import type { RestClient } from '../client/rest.js';
import { microTime } from '../client/leaderelection/record.js';
import { SchedulerCache, podKey } from './cache/cache.js';
import { isSuccess, PodInfo, statusMessage, type CycleState, type Framework } from './framework/index.js';
import { PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, STORAGE_CLASSES, storageListers, type StorageListers } from './volume-binder.js';
import { bindingFor } from './plugins/defaultbinder/default-binder.js';
import { SchedulingQueue, type QueuedPod } from './queue/scheduling-queue.js';

/** Longest stretch of scheduling without letting the event loop run. */
const YIELD_AFTER_MS = 5;
/**
 * Bindings in flight at once. More only queue inside a saturated apiserver, where the Lease
 * renewal then waits behind them: with 256 the leader lost its Lease under a burst (the
 * benchmark's 1500 pods), with 32 it keeps it and binds as fast.
 */
const MAX_BINDS_IN_FLIGHT = 32;

export const PODS = { group: '', version: 'v1', plural: 'pods', namespaced: true } as const;
export const NODES = { group: '', version: 'v1', plural: 'nodes', namespaced: false } as const;
export const NAMESPACES = { group: '', version: 'v1', plural: 'namespaces', namespaced: false } as const;

export interface SchedulerOptions {
  /** For bindings, status and victims; fenced by the leader election when there is one. */
  readonly client: RestClient;
  readonly informers: SharedInformerFactory;
  /** One framework per profile, by scheduler name. */
  readonly frameworks: ReadonlyMap<string, Framework>;
  readonly recorder: EventRecorder;
  readonly log: Logger;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly podInitialBackoffMs?: number;
  readonly podMaxBackoffMs?: number;
}

type Obj<T> = DeepReadonly<T> | DeletedFinalStateUnknown<T>;

/** The informers give frozen objects; the framework only reads them. */
const asPod = (p: DeepReadonly<Pod>): Pod => p as Pod;
const assigned = (p: Pod): boolean => (p.spec?.nodeName ?? '') !== '';

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class Scheduler {
  private readonly cache: SchedulerCache;
  private readonly storage: StorageListers;
  private readonly queue: SchedulingQueue<PodInfo>;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly binds = new Set<Promise<void>>();
  private pods: Lister<Pod> | undefined;
  /** Pods bound by this process, for tests and the benchmark. */
  scheduled = 0;

  constructor(private readonly opts: SchedulerOptions) {
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
    this.storage = storageListers(opts.informers);
    this.cache = new SchedulerCache(this.storage);
    const first = [...opts.frameworks.values()][0];
    if (first === undefined) throw new Error('the scheduler needs at least one profile');
    this.queue = new SchedulingQueue<PodInfo>({
      keyOf: (pi) => pi.key,
      // One queue for every profile, as upstream: the first profile's QueueSort orders it.
      less: (a, b) => first.less({ podInfo: a.pod, timestamp: a.timestamp }, { podInfo: b.pod, timestamp: b.timestamp }),
      clock: this.clock,
      ...(opts.podInitialBackoffMs !== undefined ? { initialBackoffMs: opts.podInitialBackoffMs } : {}),
      ...(opts.podMaxBackoffMs !== undefined ? { maxBackoffMs: opts.podMaxBackoffMs } : {}),
    });
  }

  private ours(p: Pod): boolean {
    return this.opts.frameworks.has(p.spec?.schedulerName ?? 'default-scheduler') && !p.metadata?.deletionTimestamp;
  }

  /** Runs until the signal aborts (leadership lost, SIGTERM); waits for bindings in flight. */
  async run(signal: AbortSignal): Promise<void> {
    const { informers, log } = this.opts;
    // Terminal pods hold no resources; upstream's informer leaves them out the same way.
    const podInformer = informers.forResource<Pod>(PODS, { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' });
    const nodeInformer = informers.forResource<Node>(NODES);
    const nsInformer = informers.forResource<Namespace>(NAMESPACES);
    // A claim bound, a volume made or freed, a class added: pods waiting on volumes may fit now.
    const storageInformers = [PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, STORAGE_CLASSES].map((r) => informers.forResource(r));
    const requeue = (): void => this.queue.moveAllToActiveOrBackoff();
    const storageRegs = storageInformers.map((inf) => inf.addEventHandler({ onAdd: requeue, onUpdate: requeue, onDelete: requeue }));
    this.pods = podInformer.lister();
    const regs = [
      podInformer.addEventHandler({
        onAdd: (p) => this.podAdded(asPod(p)),
        onUpdate: (o, n) => this.podUpdated(asPod(o), asPod(n)),
        onDelete: (p) => this.podDeleted(p),
      }),
      nodeInformer.addEventHandler({
        onAdd: (n) => {
          this.cache.setNode(n as Node);
          this.queue.moveAllToActiveOrBackoff();
        },
        onUpdate: (o, n) => {
          this.cache.setNode(n as Node);
          // Heartbeats change only conditions and times: nothing a pod could now fit because of.
          if (!sameJson(o.spec, n.spec) || !sameJson(o.metadata?.labels, n.metadata?.labels) || !sameJson(o.status?.allocatable, n.status?.allocatable)) this.queue.moveAllToActiveOrBackoff();
        },
        onDelete: (n) => this.cache.removeNode(unwrapTombstone(n).metadata?.name ?? ''),
      }),
      nsInformer.addEventHandler({
        onAdd: (ns) => this.cache.setNamespaceLabels(ns.metadata?.name ?? '', ns.metadata?.labels ?? {}),
        onUpdate: (_o, ns) => this.cache.setNamespaceLabels(ns.metadata?.name ?? '', ns.metadata?.labels ?? {}),
        onDelete: (ns) => this.cache.setNamespaceLabels(unwrapTombstone(ns).metadata?.name ?? '', undefined),
      }),
    ];
    informers.start(signal);
    if (!(await informers.waitForCacheSync(signal))) return;
    log.info({ nodes: this.cache.nodeCount(), pending: this.queue.stats().active }, 'caches synced; scheduling');
    const onAbort = (): void => this.queue.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      let slice = performance.now();
      for (;;) {
        const qp = await this.queue.pop(signal);
        if (qp === undefined) break;
        this.scheduleOne(qp, signal);
        // pop() resolves at once while pods wait, so without a real yield this loop would starve
        // timers and sockets: Lease renewals, binding replies, informer events.
        if (performance.now() - slice > YIELD_AFTER_MS) {
          await setImmediate();
          slice = performance.now();
        }
        // Bindings are pipelined, but not without bound: each is a request waiting for the apiserver.
        while (this.binds.size >= MAX_BINDS_IN_FLIGHT && !signal.aborted) await Promise.race(this.binds);
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      podInformer.removeEventHandler(regs[0]!);
      nodeInformer.removeEventHandler(regs[1]!);
      nsInformer.removeEventHandler(regs[2]!);
      storageInformers.forEach((inf, i) => inf.removeEventHandler(storageRegs[i]!));
      await Promise.allSettled([...this.binds]);
    }
  }

  private podAdded(p: Pod): void {
    if (assigned(p)) this.cache.setBoundPod(p);
    else if (this.ours(p)) this.queue.add(new PodInfo(p));
  }

  private podUpdated(o: Pod, n: Pod): void {
    if (assigned(n)) {
      if (!assigned(o)) this.queue.delete(podKey(o));
      this.cache.setBoundPod(n);
      return;
    }
    if (!this.ours(n)) {
      this.queue.delete(podKey(n));
      return;
    }
    const relevant = !sameJson(o.spec, n.spec) || !sameJson(o.metadata?.labels, n.metadata?.labels);
    const pi = new PodInfo(n);
    if (!this.queue.update(pi, relevant)) this.queue.add(pi);
  }

  private podDeleted(obj: Obj<Pod>): void {
    const p = asPod(unwrapTombstone(obj));
    if (assigned(p)) {
      this.cache.removePod(podKey(p));
      // Its resources, ports and affinity are free now.
      this.queue.moveAllToActiveOrBackoff();
    } else this.queue.delete(podKey(p));
  }

  /** The pod as the informer has it now: undefined when it is gone, bound or being deleted. */
  private current(qp: QueuedPod<PodInfo>): Pod | undefined {
    const [ns = '', name = ''] = qp.key.split('/');
    const p = this.pods?.namespace(ns).get(name);
    if (p === undefined) return undefined;
    const pod = asPod(p);
    return assigned(pod) || !this.ours(pod) ? undefined : pod;
  }

  private scheduleOne(qp: QueuedPod<PodInfo>, signal: AbortSignal): void {
    const pod = this.current(qp);
    if (pod === undefined || this.cache.isAssumed(qp.key)) {
      this.queue.done(qp.key);
      return;
    }
    // The queue keeps the PodInfo of the latest version it was told about.
    const pi = qp.pod.pod === pod ? qp.pod : new PodInfo(pod);
    qp.pod = pi;
    const fw = this.opts.frameworks.get(pod.spec?.schedulerName ?? 'default-scheduler')!;
    const result = fw.scheduleOne(pi, this.cache.snapshot(), this.random);
    switch (result.kind) {
      case 'scheduled':
        this.cache.assume(pi, result.node);
        this.queue.done(qp.key);
        this.track(this.bind(qp, pi, result.node, fw, result.state, signal));
        return;
      case 'unschedulable': {
        const message = result.error.message;
        this.queue.addUnschedulable(qp, result.error.diagnosis.unschedulablePlugins ?? new Set(), true);
        this.opts.log.info({ pod: qp.key, message }, 'unschedulable');
        this.track(this.reportFailure(pod, 'Unschedulable', message));
        if (result.nominatedNodeName !== undefined) this.track(this.preempt(pod, result.nominatedNodeName, result.victims ?? []));
        return;
      }
      case 'error':
        this.queue.addBackoff(qp, true);
        this.opts.log.warn({ pod: qp.key, message: result.message }, 'scheduling error');
        this.track(this.reportFailure(pod, 'SchedulerError', result.message));
        return;
    }
  }

  private track(p: Promise<void>): void {
    this.binds.add(p);
    void p.finally(() => this.binds.delete(p));
  }

  private async bind(qp: QueuedPod<PodInfo>, pi: PodInfo, node: string, fw: Framework, state: CycleState, signal: AbortSignal): Promise<void> {
    const ns = pi.namespace;
    const name = pi.pod.metadata?.name ?? '';
    const preBind = await fw.runPreBind(state, pi, node, signal);
    if (!isSuccess(preBind)) {
      this.cache.forget(pi.key);
      fw.runUnreserve(state, pi, node);
      this.queue.addBackoff(qp, this.current(qp) !== undefined);
      if (signal.aborted) return;
      const message = statusMessage(preBind);
      this.opts.log.warn({ pod: pi.key, node, message }, 'prebind failed');
      await this.reportFailure(pi.pod, 'SchedulerError', message);
      return;
    }
    try {
      await this.opts.client.request({ method: 'POST', path: `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}/binding`, body: bindingFor(pi, node), signal });
      this.scheduled++;
      void this.opts.recorder.record(pi.pod, 'Normal', 'Scheduled', 'Binding', `Successfully assigned ${ns}/${name} to ${node}`);
    } catch (err) {
      this.cache.forget(pi.key);
      const gone = err instanceof StatusError && (err.code === 404 || err.code === 409 && /already assigned|is being deleted/.test(err.message));
      this.queue.addBackoff(qp, !gone && this.current(qp) !== undefined);
      if (signal.aborted) return;
      const message = `Binding rejected: ${err instanceof Error ? err.message : String(err)}`;
      this.opts.log.warn({ pod: pi.key, node, message }, 'binding failed');
      await this.reportFailure(pi.pod, 'SchedulerError', message);
    }
  }

  /** PodScheduled=False with the reason and message, and a FailedScheduling event. */
  private async reportFailure(pod: Pod, reason: string, message: string): Promise<void> {
    void this.opts.recorder.record(pod, 'Warning', 'FailedScheduling', 'Scheduling', message);
    const old = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (old?.status === 'False' && old.reason === reason && old.message === message) return;
    const condition = { type: 'PodScheduled', status: 'False', reason, message, lastProbeTime: null, lastTransitionTime: old?.status === 'False' ? old.lastTransitionTime : microTime(this.clock.now()).replace(/\.\d+Z$/, 'Z') };
    try {
      await this.opts.client.request({
        method: 'PATCH',
        path: `/api/v1/namespaces/${encodeURIComponent(pod.metadata?.namespace ?? '')}/pods/${encodeURIComponent(pod.metadata?.name ?? '')}/status`,
        contentType: 'application/strategic-merge-patch+json',
        body: { metadata: { uid: pod.metadata?.uid }, status: { conditions: [condition] } },
      });
    } catch (err) {
      this.opts.log.debug({ pod: podKey(pod), err: err instanceof Error ? err.message : String(err) }, 'could not update the PodScheduled condition');
    }
  }

  /** Preemption's outcome: the victims are deleted and the pod is nominated to the node. */
  private async preempt(pod: Pod, node: string, victims: readonly PodInfo[]): Promise<void> {
    const ns = pod.metadata?.namespace ?? '';
    for (const v of victims) {
      const vns = v.namespace;
      const vname = v.pod.metadata?.name ?? '';
      try {
        await this.opts.client.request({ method: 'DELETE', path: `/api/v1/namespaces/${encodeURIComponent(vns)}/pods/${encodeURIComponent(vname)}`, body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: v.pod.metadata?.uid } } });
        await this.opts.recorder.record(v.pod, 'Normal', 'Preempted', 'Preempting', `Preempted by pod ${pod.metadata?.uid ?? ''} on node ${node}`);
      } catch (err) {
        this.opts.log.info({ victim: v.key, err: err instanceof Error ? err.message : String(err) }, 'could not delete a preemption victim');
      }
    }
    try {
      await this.opts.client.request({
        method: 'PATCH',
        path: `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod.metadata?.name ?? '')}/status`,
        contentType: 'application/merge-patch+json',
        body: { status: { nominatedNodeName: node } },
      });
    } catch (err) {
      this.opts.log.debug({ pod: podKey(pod), err: err instanceof Error ? err.message : String(err) }, 'could not set nominatedNodeName');
    }
  }
}
