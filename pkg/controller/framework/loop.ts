// The reconcile loop every controller runs: keys from informer events go into a rate-limited
// work queue; N workers take a key, call reconcile(key), and on error put it back with per-item
// backoff. Level-triggered: reconcile reads the current state from listers, so a key queued
// twice is handled once, and any missed event is repaired by the next reconcile of that key.
import type { Logger } from 'pino';
import type { Clock } from '../../client/clock.js';
import type { KubeObject } from '../../client/resource.js';
import { deletionHandlingKey, DeletedFinalStateUnknown, type DeepReadonly } from '../../client/informer/store.js';
import { RateLimitingWorkQueue, type RateLimiter } from '../../client/workqueue/index.js';

export interface ReconcileResult {
  /** Reconcile the key again after this long (a deadline, a TTL, a backoff the controller keeps). */
  readonly requeueAfterMs?: number;
}

export interface Reconciler {
  /** Brings the object named by `key` ("ns/name" or "name") to its desired state; throws to retry. */
  reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | void>;
}

export interface ReconcileLoopOptions {
  readonly name: string;
  readonly reconciler: Reconciler;
  readonly workers: number;
  readonly clock: Clock;
  readonly log: Logger;
  readonly rateLimiter?: RateLimiter<string>;
}

export class ReconcileLoop {
  readonly queue: RateLimitingWorkQueue<string>;
  private running = 0;

  constructor(private readonly opts: ReconcileLoopOptions) {
    this.queue = new RateLimitingWorkQueue<string>({ name: opts.name, clock: opts.clock, ...(opts.rateLimiter !== undefined ? { rateLimiter: opts.rateLimiter } : {}) });
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  enqueueAfter(key: string, ms: number): void {
    this.queue.addAfter(key, ms);
  }

  /** Queues the object's key; accepts the tombstones informers hand to onDelete. */
  enqueueObject<T extends KubeObject>(obj: DeepReadonly<T> | DeletedFinalStateUnknown<T>): void {
    this.queue.add(deletionHandlingKey(obj));
  }

  /** Number of workers inside reconcile right now. */
  get busy(): number {
    return this.running;
  }

  /** Runs the workers until `signal` aborts; resolves once every worker finished its current key. */
  async run(signal: AbortSignal): Promise<void> {
    const stop = (): void => this.queue.shutDown();
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    const workers = Array.from({ length: Math.max(1, this.opts.workers) }, () => this.worker(signal));
    await Promise.all(workers);
  }

  private async worker(signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      this.running++;
      try {
        const result = await this.opts.reconciler.reconcile(key, signal);
        this.queue.forget(key);
        if (result?.requeueAfterMs !== undefined && !signal.aborted) this.queue.addAfter(key, Math.max(0, result.requeueAfterMs));
      } catch (err) {
        if (!signal.aborted) {
          const requeues = this.queue.numRequeues(key);
          const msg = err instanceof Error ? err.message : String(err);
          // Conflicts and races with other writers are routine; repeated failures are not.
          if (requeues >= 5) this.opts.log.warn({ controller: this.opts.name, key, requeues, err: msg }, 'error syncing; will retry');
          else this.opts.log.debug({ controller: this.opts.name, key, requeues, err: msg }, 'error syncing; will retry');
          this.queue.addRateLimited(key);
        }
      } finally {
        this.running--;
        this.queue.done(key);
      }
    }
  }
}
