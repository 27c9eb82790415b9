// Per-container restart back-off (CrashLoopBackOff, ImagePullBackOff), as upstream's
// flowcontrol.Backoff: the first retry is immediate, then 10 s doubling to 5 minutes; an entry
// not touched for twice the maximum starts over.

export const INITIAL_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 5 * 60_000;

interface Entry {
  delayMs: number;
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly initialMs = INITIAL_BACKOFF_MS,
    private readonly maxMs = MAX_BACKOFF_MS,
  ) {}

  private fresh(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key);
    if (e !== undefined && now - e.lastUpdate > 2 * this.maxMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** The delay that now applies to `key` (0 before any failure). */
  delay(key: string, now: number): number {
    return this.fresh(key, now)?.delayMs ?? 0;
  }

  /** Whether an event at `since` (the container's exit) is still within the back-off. */
  inBackOffSince(key: string, since: number, now: number): boolean {
    const e = this.fresh(key, now);
    return e !== undefined && now - since < e.delayMs;
  }

  /** Records a retry: the next failure waits twice as long (up to the maximum). */
  next(key: string, now: number): void {
    const e = this.fresh(key, now);
    if (e === undefined) this.entries.set(key, { delayMs: this.initialMs, lastUpdate: now });
    else {
      e.delayMs = Math.min(e.delayMs * 2, this.maxMs);
      e.lastUpdate = now;
    }
  }

  /** Forgets every key starting with `prefix` (a pod that went away). */
  forget(prefix: string): void {
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}
