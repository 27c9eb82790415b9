// The scheduling queue, shaped like kube-scheduler's PriorityQueue:
// - activeQ: pods ready to be tried, ordered by the QueueSort plugin (priority, then age);
// - backoffQ: pods that failed, waiting 1 s doubling to 10 s per attempt before they return;
// - unschedulable: pods no node fits; a cluster event that could change that (a node added or
//   changed, a pod deleted...) moves them back, and any that waited 5 minutes go back anyway.
// A pod whose cycle overlapped a cluster event goes to backoffQ rather than unschedulable, so an
// event that arrived while it was being tried is never missed.
import type { Clock, Timer } from '../../client/clock.js';
import { KeyedHeap } from './heap.js';

export interface QueuedPod<P> {
  readonly key: string;
  pod: P;
  /** When it was (re)queued: orders equal priorities, and starts its backoff. */
  timestamp: number;
  /** Scheduling attempts so far. */
  attempts: number;
  /** When it was first popped. */
  initialAttemptAt?: number;
  /** The cycle in which it was last popped. */
  cycle: number;
  /** Plugins that rejected it last time (for messages and metrics). */
  unschedulablePlugins: ReadonlySet<string>;
}

export interface SchedulingQueueOptions<P> {
  readonly keyOf: (pod: P) => string;
  /** QueueSort: true when `a` should be tried before `b`. */
  readonly less: (a: QueuedPod<P>, b: QueuedPod<P>) => boolean;
  readonly clock: Clock;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Unschedulable pods are retried after this long even without an event (upstream: 5 min). */
  readonly maxUnschedulableMs?: number;
}

export interface QueueStats {
  readonly active: number;
  readonly backoff: number;
  readonly unschedulable: number;
}

export class SchedulingQueue<P> {
  private readonly active: KeyedHeap<QueuedPod<P>>;
  private readonly backoff: KeyedHeap<QueuedPod<P>>;
  private readonly unschedulable = new Map<string, QueuedPod<P>>();
  private readonly inFlight = new Set<string>();
  private schedulingCycle = 0;
  private moveRequestCycle = -1;
  private waiters: (() => void)[] = [];
  private backoffTimer: Timer | undefined;
  private unschedulableTimer: Timer | undefined;
  private closed = false;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxUnschedulableMs: number;

  constructor(private readonly opts: SchedulingQueueOptions<P>) {
    const key = (q: QueuedPod<P>): string => q.key;
    this.active = new KeyedHeap(key, opts.less);
    this.backoff = new KeyedHeap(key, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
    this.initialBackoffMs = opts.initialBackoffMs ?? 1_000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = opts.maxUnschedulableMs ?? 5 * 60_000;
  }

  stats(): QueueStats {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size };
  }

  /** Where a pod is now, for tests and debugging. */
  whereIs(key: string): 'active' | 'backoff' | 'unschedulable' | 'in-flight' | undefined {
    if (this.active.has(key)) return 'active';
    if (this.backoff.has(key)) return 'backoff';
    if (this.unschedulable.has(key)) return 'unschedulable';
    return this.inFlight.has(key) ? 'in-flight' : undefined;
  }

  /** A new pending pod; a pod already queued is updated instead. */
  add(pod: P): void {
    const key = this.opts.keyOf(pod);
    if (this.update(pod, true)) return;
    if (this.inFlight.has(key)) return;
    this.pushActive({ key, pod, timestamp: this.opts.clock.now(), attempts: 0, cycle: 0, unschedulablePlugins: new Set() });
  }

  /**
   * A queued pod changed. `relevant`: the change could make it schedulable (its spec, labels or
   * tolerations changed, not just its status), which moves an unschedulable pod back to be tried.
   * Returns false when the pod is not queued.
   */
  update(pod: P, relevant: boolean): boolean {
    const key = this.opts.keyOf(pod);
    const inActive = this.active.get(key);
    if (inActive) {
      inActive.pod = pod;
      this.active.upsert(inActive);
      return true;
    }
    const inBackoff = this.backoff.get(key);
    if (inBackoff) {
      inBackoff.pod = pod;
      this.backoff.upsert(inBackoff);
      return true;
    }
    const waiting = this.unschedulable.get(key);
    if (waiting) {
      waiting.pod = pod;
      if (relevant) {
        this.unschedulable.delete(key);
        this.requeue(waiting);
      }
      return true;
    }
    return false;
  }

  delete(key: string): void {
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
  }

  /** The next pod to try; waits while none is ready; undefined once the queue is closed or the signal aborts. */
  async pop(signal?: AbortSignal): Promise<QueuedPod<P> | undefined> {
    while (!this.closed && !signal?.aborted) {
      const next = this.active.pop();
      if (next !== undefined) {
        this.schedulingCycle++;
        next.cycle = this.schedulingCycle;
        next.attempts++;
        next.initialAttemptAt ??= this.opts.clock.now();
        this.inFlight.add(next.key);
        return next;
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        this.waiters.push(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    }
    return undefined;
  }

  /** The pod's cycle is over (bound, requeued, or dropped). */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * No node fits the pod: it waits for a cluster event, or in backoffQ if an event already came
   * while it was being tried. A pod deleted meanwhile is dropped.
   */
  addUnschedulable(q: QueuedPod<P>, plugins: ReadonlySet<string>, stillExists: boolean): void {
    this.inFlight.delete(q.key);
    if (!stillExists || this.closed) return;
    q.unschedulablePlugins = plugins;
    q.timestamp = this.opts.clock.now();
    if (this.moveRequestCycle >= q.cycle) this.pushBackoff(q);
    else {
      this.unschedulable.set(q.key, q);
      this.armUnschedulableTimer();
    }
  }

  /** The cycle failed for another reason (an API error while binding): retry after backoff. */
  addBackoff(q: QueuedPod<P>, stillExists: boolean): void {
    this.inFlight.delete(q.key);
    if (!stillExists || this.closed) return;
    q.timestamp = this.opts.clock.now();
    this.pushBackoff(q);
  }

  /** A cluster event that may make unschedulable pods fit: every one goes back (active or backoff). */
  moveAllToActiveOrBackoff(): void {
    for (const q of this.unschedulable.values()) this.requeue(q);
    this.unschedulable.clear();
    this.moveRequestCycle = this.schedulingCycle;
  }

  close(): void {
    this.closed = true;
    this.backoffTimer?.cancel();
    this.unschedulableTimer?.cancel();
    this.wakeAll();
  }

  backoffDurationMs(q: QueuedPod<P>): number {
    if (q.attempts <= 0) return 0;
    return Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** Math.min(q.attempts - 1, 30));
  }

  private backoffExpiry(q: QueuedPod<P>): number {
    return q.timestamp + this.backoffDurationMs(q);
  }

  private requeue(q: QueuedPod<P>): void {
    if (this.backoffExpiry(q) > this.opts.clock.now()) this.pushBackoff(q);
    else this.pushActive(q);
  }

  private pushActive(q: QueuedPod<P>): void {
    this.active.upsert(q);
    this.wakeAll();
  }

  private pushBackoff(q: QueuedPod<P>): void {
    this.backoff.upsert(q);
    this.armBackoffTimer();
  }

  private wakeAll(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const wake of w) wake();
  }

  /** One timer, for the earliest backoff expiry: pods return the moment their backoff ends. */
  private armBackoffTimer(): void {
    this.backoffTimer?.cancel();
    const first = this.backoff.peek();
    if (first === undefined || this.closed) return;
    this.backoffTimer = this.opts.clock.setTimer(Math.max(0, this.backoffExpiry(first) - this.opts.clock.now()), () => this.flushBackoff());
  }

  private flushBackoff(): void {
    const now = this.opts.clock.now();
    for (let q = this.backoff.peek(); q !== undefined && this.backoffExpiry(q) <= now; q = this.backoff.peek()) {
      this.backoff.pop();
      this.active.upsert(q);
    }
    if (this.active.size > 0) this.wakeAll();
    this.armBackoffTimer();
  }

  private armUnschedulableTimer(): void {
    if (this.unschedulableTimer !== undefined || this.closed) return;
    // Like upstream's 30 s flush: a coarse sweep is enough for a 5-minute limit.
    this.unschedulableTimer = this.opts.clock.setTimer(30_000, () => {
      this.unschedulableTimer = undefined;
      const now = this.opts.clock.now();
      for (const [key, q] of this.unschedulable) {
        if (now - q.timestamp >= this.maxUnschedulableMs) {
          this.unschedulable.delete(key);
          this.requeue(q);
        }
      }
      if (this.unschedulable.size > 0) this.armUnschedulableTimer();
    });
  }
}
