// Rate limiters decide how long a failed item waits before its next try; the rate-limiting queue
// is a delaying queue whose addRateLimited(item) is addAfter(item, limiter.when(item)).
import { realClock, type Clock } from '../clock.js';
import { DelayingWorkQueue, type DelayingQueue, type QueueOptions } from './queue.js';

export interface RateLimiter<K> {
  /** The delay before the item's next try; records one more failure. */
  when(item: K): number;
  /** Clears the item's failure history (call after it succeeded). */
  forget(item: K): void;
  numRequeues(item: K): number;
}

/** Per item: baseMs × 2^failures, at most maxMs. */
export class ItemExponentialFailureRateLimiter<K> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
  ) {}

  when(item: K): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    const delay = this.baseMs * Math.pow(2, n);
    return Number.isFinite(delay) && delay < this.maxMs ? delay : this.maxMs;
  }

  forget(item: K): void {
    this.failures.delete(item);
  }

  numRequeues(item: K): number {
    return this.failures.get(item) ?? 0;
  }
}

/**
 * A token bucket shared by all items: `burst` tries at once, refilled at `qps`. Every when()
 * takes a token, reserving one from the future (and waiting for it) when the bucket is empty.
 */
export class BucketRateLimiter<K> implements RateLimiter<K> {
  private tokens: number;
  private last: number;
  private readonly clock: Clock;

  constructor(
    private readonly qps: number,
    private readonly burst: number,
    clock: Clock = realClock,
  ) {
    if (qps <= 0 || burst < 1) throw new Error('a token bucket needs qps > 0 and burst >= 1');
    this.clock = clock;
    this.tokens = burst;
    this.last = clock.now();
  }

  when(_item: K): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.round((-this.tokens / this.qps) * 1000);
  }

  forget(_item: K): void {
    // The bucket is shared; one item's success does not refund tokens.
  }

  numRequeues(_item: K): number {
    return 0;
  }
}

/** The longest delay of several limiters; every limiter records each failure. */
export class MaxOfRateLimiter<K> implements RateLimiter<K> {
  private readonly limiters: readonly RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    if (limiters.length === 0) throw new Error('MaxOfRateLimiter needs at least one limiter');
    this.limiters = limiters;
  }

  when(item: K): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(item));
    return max;
  }

  forget(item: K): void {
    for (const l of this.limiters) l.forget(item);
  }

  numRequeues(item: K): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(item));
    return max;
  }
}

/** client-go's controller default: 5 ms doubling to 1000 s per item, and 10 qps (burst 100) overall. */
export function defaultControllerRateLimiter<K>(clock: Clock = realClock): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(new ItemExponentialFailureRateLimiter<K>(5, 1_000_000), new BucketRateLimiter<K>(10, 100, clock));
}

export interface RateLimitingQueue<K> extends DelayingQueue<K> {
  /** Adds the item after the delay its limiter gives (which counts one more failure). */
  addRateLimited(item: K): void;
  /** Ends the item's backoff: call after it was processed successfully. */
  forget(item: K): void;
  numRequeues(item: K): number;
}

export interface RateLimitingQueueOptions<K> extends QueueOptions<K> {
  /** Default: defaultControllerRateLimiter on the queue's clock. */
  readonly rateLimiter?: RateLimiter<K>;
}

/** The queue controllers use: dedup, delays, and per-item backoff on failure. */
export class RateLimitingWorkQueue<K> extends DelayingWorkQueue<K> implements RateLimitingQueue<K> {
  private readonly limiter: RateLimiter<K>;

  constructor(opts: RateLimitingQueueOptions<K> = {}) {
    super(opts);
    this.limiter = opts.rateLimiter ?? defaultControllerRateLimiter<K>(this.clock);
  }

  addRateLimited(item: K): void {
    if (this.shuttingDown) return;
    const delay = this.limiter.when(item);
    this.metrics?.retried?.({ queue: this.name, item, requeues: this.limiter.numRequeues(item) });
    this.addAfter(item, delay);
  }

  forget(item: K): void {
    this.limiter.forget(item);
  }

  numRequeues(item: K): number {
    return this.limiter.numRequeues(item);
  }
}
