// The work queue of controllers: fair (FIFO), stingy (an item is never handed to two workers at
// once, and repeated adds collapse into one), and an item added while it is being processed is
// handed out once more after done(). Workers are async loops; the guarantees hold across awaits.
import { realClock, type Clock, type Timer } from '../clock.js';

/** Hooks for metrics; each is optional. Times are in ms of the queue's clock. */
export interface QueueMetrics<K> {
  /** An item entered the queue (not called for adds that collapsed into a queued item). */
  added?(e: { readonly queue: string; readonly item: K; readonly depth: number }): void;
  /** A worker took an item; waitMs is how long it was queued. */
  got?(e: { readonly queue: string; readonly item: K; readonly depth: number; readonly waitMs: number }): void;
  /** A worker finished an item; workMs is how long it held it. */
  done?(e: { readonly queue: string; readonly item: K; readonly workMs: number }): void;
  /** An item was put back with a rate-limited delay. */
  retried?(e: { readonly queue: string; readonly item: K; readonly requeues: number }): void;
}

export interface QueueOptions<K> {
  /** Passed to the metrics hooks. */
  readonly name?: string;
  readonly clock?: Clock;
  readonly metrics?: QueueMetrics<K>;
}

export interface WorkQueue<K> {
  /** Queues the item unless it is already queued; ignored after shutdown. */
  add(item: K): void;
  /** The next item, waiting for one; undefined once shut down and empty, or when `signal` aborts. */
  get(signal?: AbortSignal): Promise<K | undefined>;
  /** Marks the item processed; if it was added meanwhile it is queued again. */
  done(item: K): void;
  /** Items waiting to be handed out. */
  len(): number;
  /** Stops accepting items; waiting get() calls return undefined. Queued items are still handed out. */
  shutDown(): void;
  /** shutDown(), then resolves once every item being processed is done. */
  shutDownWithDrain(): Promise<void>;
  readonly shuttingDown: boolean;
}

export interface DelayingQueue<K> extends WorkQueue<K> {
  /** Adds the item after `ms`; an earlier pending time for the same item wins. */
  addAfter(item: K, ms: number): void;
}

/** A FIFO with O(1) amortised removal from the front. */
class Fifo<K> {
  private items: K[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(k: K): void {
    this.items.push(k);
  }
  shift(): K | undefined {
    if (this.head >= this.items.length) return undefined;
    const k = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return k;
  }
}

export class BasicWorkQueue<K> implements WorkQueue<K> {
  protected readonly clock: Clock;
  protected readonly name: string;
  protected readonly metrics: QueueMetrics<K> | undefined;
  private readonly queue = new Fifo<K>();
  /** Items that need processing: queued, or added again while being processed. */
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly queuedAt = new Map<K, number>();
  private readonly startedAt = new Map<K, number>();
  private waiters: ((item: K | undefined) => void)[] = [];
  private drained: (() => void)[] = [];
  private shutting = false;

  constructor(opts: QueueOptions<K> = {}) {
    this.clock = opts.clock ?? realClock;
    this.name = opts.name ?? '';
    this.metrics = opts.metrics;
  }

  get shuttingDown(): boolean {
    return this.shutting;
  }

  add(item: K): void {
    if (this.shutting || this.dirty.has(item)) return;
    this.dirty.add(item);
    this.queuedAt.set(item, this.clock.now());
    if (this.processing.has(item)) return;
    this.enqueue(item);
  }

  get(signal?: AbortSignal): Promise<K | undefined> {
    if (this.queue.length > 0) return Promise.resolve(this.handOut(this.queue.shift()!));
    if (this.shutting || signal?.aborted) return Promise.resolve(undefined);
    return new Promise<K | undefined>((resolve) => {
      const waiter = (item: K | undefined): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(item);
      };
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(undefined);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  done(item: K): void {
    const started = this.startedAt.get(item);
    if (started !== undefined) {
      this.startedAt.delete(item);
      this.metrics?.done?.({ queue: this.name, item, workMs: this.clock.now() - started });
    }
    this.processing.delete(item);
    if (this.dirty.has(item)) this.enqueue(item);
    else if (this.processing.size === 0) this.releaseDrain();
  }

  len(): number {
    return this.queue.length;
  }

  shutDown(): void {
    this.shutting = true;
    // Waiters exist only while the queue is empty, so none of them misses an item.
    for (const w of this.waiters.splice(0)) w(undefined);
    if (this.processing.size === 0) this.releaseDrain();
  }

  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.drained.push(resolve));
  }

  private enqueue(item: K): void {
    this.queue.push(item);
    this.metrics?.added?.({ queue: this.name, item, depth: this.queue.length });
    while (this.waiters.length > 0 && this.queue.length > 0) {
      const w = this.waiters.shift()!;
      w(this.handOut(this.queue.shift()!));
    }
  }

  private handOut(item: K): K {
    const now = this.clock.now();
    this.processing.add(item);
    this.dirty.delete(item);
    this.startedAt.set(item, now);
    const queued = this.queuedAt.get(item) ?? now;
    this.queuedAt.delete(item);
    this.metrics?.got?.({ queue: this.name, item, depth: this.queue.length, waitMs: now - queued });
    return item;
  }

  private releaseDrain(): void {
    for (const r of this.drained.splice(0)) r();
  }
}

export class DelayingWorkQueue<K> extends BasicWorkQueue<K> implements DelayingQueue<K> {
  private readonly waiting = new Map<K, { readonly due: number; readonly timer: Timer }>();

  addAfter(item: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(item);
      return;
    }
    const due = this.clock.now() + ms;
    const pending = this.waiting.get(item);
    if (pending !== undefined) {
      if (pending.due <= due) return;
      pending.timer.cancel();
    }
    const timer = this.clock.setTimer(ms, () => {
      this.waiting.delete(item);
      this.add(item);
    });
    this.waiting.set(item, { due, timer });
  }

  /** Items waiting for their delay to pass. */
  pendingDelayed(): number {
    return this.waiting.size;
  }

  override shutDown(): void {
    for (const w of this.waiting.values()) w.timer.cancel();
    this.waiting.clear();
    super.shutDown();
  }
}
