// The reflector keeps a sink in step with the server: a consistent (paged) list, then a watch
// from the list's resourceVersion, resumed from the last version seen whenever it ends. A 410
// means the history it needs is gone, so it lists again and the sink replaces its contents.
// It never gives up: every failure is retried with backoff until the signal aborts.
import { fromStatus, GoneError } from '../../api/errors.js';
import { realClock, type Clock } from '../clock.js';
import type { KubeObject } from '../resource.js';
import { Backoff, isTransientError, type RetryPolicy } from '../retry.js';
import type { WatchEvent } from '../watch.js';
import type { ListWatcher, WatchHandle } from './list-watch.js';

/** Structured logging, shaped so a pino logger fits. */
export interface InformerLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: InformerLogger = {
  debug: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Where a reflector delivers what it learns. */
export interface ReflectorSink<T> {
  /** The full contents at `resourceVersion` (after a list). */
  replace(items: T[], resourceVersion: string): void;
  add(obj: T): void;
  update(obj: T): void;
  delete(obj: T): void;
}

export interface ReflectorOptions {
  /** Shown in logs: the resource and scope. */
  readonly name?: string;
  readonly clock?: Clock;
  readonly logger?: InformerLogger;
  /** Page size of list calls; 0 lists in one request. Default 500. */
  readonly pageSize?: number;
  /** Reconnect backoff; default 800 ms doubling to 30 s. */
  readonly backoff?: Partial<RetryPolicy>;
  /** The backoff starts over once this long has passed since the last backoff. Default 2 min. */
  readonly healthyResetMs?: number;
  /** Watches ask the server to end them after between 1 and 2 times this. Default 300 s. */
  readonly minWatchTimeoutSeconds?: number;
  readonly random?: () => number;
}

/** client-go's reflector backoff: 800 ms, doubling, at most 30 s. */
export const REFLECTOR_BACKOFF: Partial<RetryPolicy> = { initialMs: 800, maxMs: 30_000, factor: 2, jitter: 0.25, maxRetries: Infinity };
const DEFAULT_PAGE_SIZE = 500;
const DEFAULT_HEALTHY_RESET_MS = 2 * 60_000;
const DEFAULT_MIN_WATCH_TIMEOUT_S = 300;
/** A watch that ends sooner than this without any event counts as a failure (backoff). */
const SHORT_WATCH_MS = 1000;

type WatchOutcome = { readonly kind: 'stopped' | 'ended' | 'short' } | { readonly kind: 'gone'; readonly events: number } | { readonly kind: 'error'; readonly err: unknown };

export class Reflector<T extends KubeObject> {
  private lastRV = '';
  private running: Promise<void> | undefined;
  private readonly clock: Clock;
  private readonly log: InformerLogger;
  private readonly name: string;
  private readonly backoff: Backoff;
  private readonly random: () => number;
  private lastBackoffAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly lw: ListWatcher<T>,
    private readonly sink: ReflectorSink<T>,
    private readonly opts: ReflectorOptions = {},
  ) {
    this.clock = opts.clock ?? realClock;
    this.log = opts.logger ?? silentLogger;
    this.name = opts.name ?? 'reflector';
    this.random = opts.random ?? Math.random;
    this.backoff = new Backoff({ ...REFLECTOR_BACKOFF, ...opts.backoff }, this.random);
  }

  /** The resourceVersion of the last list or event applied ("" before the first list). */
  get lastSyncResourceVersion(): string {
    return this.lastRV;
  }

  /** Lists and watches until `signal` aborts; resolves then, never rejects. Idempotent. */
  run(signal: AbortSignal): Promise<void> {
    this.running ??= this.loop(signal);
    return this.running;
  }

  private async loop(signal: AbortSignal): Promise<void> {
    let needList = true;
    let goneStreak = 0;
    while (!signal.aborted) {
      if (needList) {
        try {
          await this.listAndReplace(signal);
          needList = false;
        } catch (err: unknown) {
          if (signal.aborted) return;
          this.log.warn({ reflector: this.name, err }, 'list failed; retrying with backoff');
          await this.wait(signal);
          continue;
        }
      }
      if (signal.aborted) return;
      const out = await this.watchOnce(signal);
      switch (out.kind) {
        case 'stopped':
          return;
        case 'ended':
          goneStreak = 0;
          break;
        case 'short':
          goneStreak = 0;
          this.log.debug({ reflector: this.name }, 'watch closed at once without events; backing off');
          await this.wait(signal);
          break;
        case 'gone':
          needList = true;
          goneStreak = out.events === 0 ? goneStreak + 1 : 0;
          this.log.debug({ reflector: this.name, resourceVersion: this.lastRV }, 'resourceVersion expired; relisting');
          // Relist at once; only a server that keeps expiring fresh lists gets the backoff.
          if (goneStreak > 1) await this.wait(signal);
          break;
        case 'error':
          goneStreak = 0;
          // Lost connections and overload resume the watch; anything else may mean the
          // resource changed under us (a CRD reinstalled), so start over with a list.
          if (!isTransientError(out.err)) needList = true;
          this.log.warn({ reflector: this.name, err: out.err }, 'watch failed; retrying with backoff');
          await this.wait(signal);
          break;
      }
    }
  }

  private async wait(signal: AbortSignal): Promise<void> {
    const now = this.clock.now();
    if (now - this.lastBackoffAt > (this.opts.healthyResetMs ?? DEFAULT_HEALTHY_RESET_MS)) this.backoff.reset();
    this.lastBackoffAt = now;
    try {
      await this.clock.sleep(this.backoff.next(), signal);
    } catch {
      // Only an abort rejects the sleep; the loop checks the signal next.
    }
  }

  private async listAndReplace(signal: AbortSignal): Promise<void> {
    const pageSize = this.opts.pageSize ?? DEFAULT_PAGE_SIZE;
    const items: T[] = [];
    let rv: string | undefined;
    let cont: string | undefined;
    for (;;) {
      let page;
      try {
        // No resourceVersion: a consistent read from etcd, so the cache never goes back in time.
        page = await this.lw.list({ limit: pageSize > 0 ? pageSize : undefined, continue: cont, signal });
      } catch (err: unknown) {
        if (!(err instanceof GoneError) || cont === undefined) throw err;
        // The continue token expired mid-way: one unpaged list is still one snapshot.
        page = await this.lw.list({ signal });
        items.length = 0;
        rv = undefined;
        cont = undefined;
      }
      rv ??= page.metadata?.resourceVersion ?? '';
      items.push(...page.items);
      cont = page.metadata?.continue;
      if (cont === undefined || cont === '') break;
    }
    this.sink.replace(items, rv);
    this.lastRV = rv;
  }

  private async watchOnce(signal: AbortSignal): Promise<WatchOutcome> {
    const started = this.clock.now();
    const min = this.opts.minWatchTimeoutSeconds ?? DEFAULT_MIN_WATCH_TIMEOUT_S;
    let events = 0;
    let handle: WatchHandle<T> | undefined;
    try {
      handle = await this.lw.watch({
        resourceVersion: this.lastRV,
        allowWatchBookmarks: true,
        timeoutSeconds: Math.floor(min * (1 + this.random())),
        signal,
      });
      if (signal.aborted) return { kind: 'stopped' };
      for await (const ev of handle) {
        if (signal.aborted) break;
        events++;
        this.apply(ev);
      }
    } catch (err: unknown) {
      if (signal.aborted) return { kind: 'stopped' };
      if (err instanceof GoneError) return { kind: 'gone', events };
      return { kind: 'error', err };
    } finally {
      handle?.close();
    }
    if (signal.aborted) return { kind: 'stopped' };
    if (events === 0 && this.clock.now() - started < SHORT_WATCH_MS) return { kind: 'short' };
    return { kind: 'ended' };
  }

  private apply(ev: WatchEvent<T>): void {
    if (ev.type === 'ERROR') {
      const s = ev.object;
      // WatchStream already throws GoneError for 410; other ListWatchers may pass the event on.
      throw fromStatus(s, typeof s.code === 'number' ? s.code : 500);
    }
    const obj = ev.object;
    try {
      switch (ev.type) {
        case 'ADDED':
          this.sink.add(obj);
          break;
        case 'MODIFIED':
          this.sink.update(obj);
          break;
        case 'DELETED':
          this.sink.delete(obj);
          break;
        case 'BOOKMARK':
          break;
      }
    } catch (err: unknown) {
      // A malformed object must not stop the watch; the rest of the stream is still good.
      this.log.error({ reflector: this.name, err, event: ev.type }, 'could not apply watch event');
    }
    const rv = obj.metadata?.resourceVersion;
    if (rv !== undefined && rv !== '') this.lastRV = rv;
  }
}
