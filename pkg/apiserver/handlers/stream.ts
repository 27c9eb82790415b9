// Writing long responses (lists, watches) without holding the event loop. A socket that takes
// every write at once still reports backpressure past its high-water mark and then emits 'drain'
// from a nextTick, so a loop of write → await drain → write runs entirely in microtasks and
// starves timers (Lease renewals, probes) for the whole response. Writers here also yield a
// macrotask turn once they have worked for a few milliseconds.
import type { ServerResponse } from 'node:http';
import { setImmediate } from 'node:timers/promises';

/** Synchronous work one response may do before it lets the event loop take a turn. */
export const TURN_BUDGET_MS = 3;

export class ResponseWriter {
  private turnStarted = performance.now();

  constructor(private readonly res: ServerResponse, private readonly signal?: AbortSignal) {}

  /** Whether the time since the last turn is used up (checked between encodes). */
  spent(): boolean {
    return performance.now() - this.turnStarted >= TURN_BUDGET_MS;
  }

  /**
   * Writes `text`, waits for the socket to drain when it is full, and yields a turn of the event
   * loop when the budget is used up. Resolves false once the response is gone.
   */
  async write(text: string): Promise<boolean> {
    if (this.res.destroyed) return false;
    const flushed = this.res.write(text);
    if (!flushed) await this.drained();
    if (this.spent() || !flushed) {
      await setImmediate();
      this.turnStarted = performance.now();
    }
    return !this.res.destroyed && this.signal?.aborted !== true;
  }

  private drained(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.res.off('drain', done);
        this.res.off('close', done);
        this.signal?.removeEventListener('abort', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
      this.signal?.addEventListener('abort', done, { once: true });
    });
  }
}
