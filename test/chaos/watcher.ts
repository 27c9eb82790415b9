// The chaos watcher: follows the test namespace's ConfigMaps with the client's watch, resumes from
// the last resourceVersion after a dropped stream, relists on 410 Gone, and records every event.
import { GoneError } from '../../pkg/api/errors.js';
import { Backoff, type ResourceClient, type RestClient, type WatchStream } from '../../pkg/client/index.js';
import type { ObjectState, RelistRecord, WatchHistory, WatchRecord } from './history.js';
import { sleep } from './sleep.js';
import { CONFIGMAPS, errorText, writeIdOf, type ConfigMap } from './workload.js';

export interface WatcherOptions {
  readonly client: RestClient;
  readonly namespace: string;
  readonly now: () => number;
  /** A stream that delivers nothing (not even a bookmark) for this long is dropped and resumed. */
  readonly idleMs: number;
}

const MAX_ERRORS = 200;

export class NamespaceWatcher {
  private readonly events: WatchRecord[] = [];
  private readonly relists: RelistRecord[] = [];
  private readonly errors: string[] = [];
  private readonly state = new Map<string, ObjectState>();
  private readonly configmaps: ResourceClient<ConfigMap>;
  private lastRv = 0;
  private streams = 0;
  private reconnects = 0;
  private idleReconnects = 0;
  private caughtUp = false;
  private loop: Promise<void> | undefined;
  private waiters: { test: (ev: WatchRecord) => boolean; resolve: () => void }[] = [];
  private current: WatchStream<ConfigMap> | undefined;

  constructor(private readonly opts: WatcherOptions) {
    this.configmaps = opts.client.resource<ConfigMap>(CONFIGMAPS).namespace(opts.namespace);
  }

  /** Lists the namespace, then follows it in the background until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    await this.relist('initial');
    this.loop = this.follow(signal);
  }

  async stopped(): Promise<void> {
    await this.loop;
  }

  history(): WatchHistory {
    return {
      events: this.events,
      relists: this.relists,
      streams: this.streams,
      reconnects: this.reconnects,
      idleReconnects: this.idleReconnects,
      errors: this.errors,
      caughtUp: this.caughtUp,
    };
  }

  /** Resolves true once an event for `key` at `rv` or later arrived (or false after timeoutMs). */
  waitFor(key: string, rv: number, timeoutMs: number): Promise<boolean> {
    const test = (ev: WatchRecord): boolean => ev.key === key && ev.rv >= rv;
    if (this.events.some(test)) {
      this.caughtUp = true;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const waiter = {
        test,
        resolve: () => {
          clearTimeout(timer);
          this.caughtUp = true;
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Drops the current stream so the watcher resumes on a fresh one (e.g. a stalled connection). */
  kick(): void {
    this.current?.close();
  }

  private noteError(text: string): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push(`${this.opts.now().toFixed(0)}ms: ${text}`);
  }

  private record(ev: WatchRecord): void {
    this.events.push(ev);
    if (ev.type === 'DELETED') this.state.delete(ev.key);
    else this.state.set(ev.key, { rv: ev.rv, uid: ev.uid, ...(ev.writeId !== undefined ? { writeId: ev.writeId } : {}) });
    for (const w of [...this.waiters]) {
      if (w.test(ev)) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve();
      }
    }
  }

  /** A consistent list, diffed against what the watcher holds; the differences become synthetic events. */
  private async relist(reason: RelistRecord['reason']): Promise<void> {
    const list = await this.configmaps.listAll();
    const listRv = Number(list.metadata.resourceVersion ?? 0);
    const at = this.opts.now();
    this.relists.push({ at, reason, fromRv: this.lastRv, listRv });
    const present = new Set<string>();
    for (const obj of list.items) {
      const key = obj.metadata?.name ?? '';
      present.add(key);
      const rv = Number(obj.metadata?.resourceVersion ?? 0);
      const mine = this.state.get(key);
      if (mine !== undefined && mine.rv === rv) continue;
      const writeId = writeIdOf(obj);
      this.record({ type: mine === undefined ? 'ADDED' : 'MODIFIED', key, rv, uid: obj.metadata?.uid ?? '', ...(writeId !== undefined ? { writeId } : {}), at, stream: 0, synthetic: true });
    }
    for (const [key, mine] of [...this.state]) {
      if (!present.has(key)) this.record({ type: 'DELETED', key, rv: listRv, uid: mine.uid, at, stream: 0, synthetic: true });
    }
    this.lastRv = listRv;
  }

  private async follow(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff({ initialMs: 200, maxMs: 5_000 });
    while (!signal.aborted) {
      try {
        const stream = await this.configmaps.watch({ resourceVersion: String(this.lastRv), allowWatchBookmarks: true, signal });
        this.current = stream;
        const id = ++this.streams;
        let idle: NodeJS.Timeout | undefined;
        let idled = false;
        let delivered = 0;
        const arm = (): void => {
          clearTimeout(idle);
          idle = setTimeout(() => {
            idled = true;
            this.noteError(`stream ${id} on ${stream.server}: nothing for ${this.opts.idleMs}ms, resuming on a new stream`);
            stream.close();
          }, this.opts.idleMs);
        };
        arm();
        try {
          for await (const ev of stream) {
            arm();
            delivered++;
            backoff.reset();
            if (ev.type === 'ERROR') {
              this.noteError(`stream ${id} on ${stream.server}: ERROR event ${ev.object.code ?? '?'} ${ev.object.reason ?? ''}: ${ev.object.message ?? ''}`);
              break;
            }
            const rv = Number(ev.object.metadata?.resourceVersion ?? 0);
            if (ev.type !== 'BOOKMARK') {
              const writeId = writeIdOf(ev.object);
              this.record({
                type: ev.type,
                key: ev.object.metadata?.name ?? '',
                rv,
                uid: ev.object.metadata?.uid ?? '',
                ...(writeId !== undefined ? { writeId } : {}),
                at: this.opts.now(),
                stream: id,
                synthetic: false,
              });
            }
            // Never move backwards, even if the server does: the invariants report that.
            if (rv > this.lastRv) this.lastRv = rv;
          }
        } finally {
          clearTimeout(idle);
          this.current = undefined;
          if (idled) this.idleReconnects++;
        }
        // A server that ends streams at once must not turn this into a busy loop.
        if (delivered === 0 && !idled) await sleep(backoff.next(), signal);
      } catch (err: unknown) {
        if (signal.aborted) break;
        if (err instanceof GoneError) {
          this.noteError(`410 Gone at rv=${this.lastRv}: relisting`);
          try {
            await this.relist('gone');
          } catch (listErr: unknown) {
            this.noteError(`relist failed: ${errorText(listErr)}`);
            await sleep(backoff.next(), signal);
          }
          continue;
        }
        this.noteError(`watch: ${errorText(err)}`);
        await sleep(backoff.next(), signal);
      }
      if (!signal.aborted) this.reconnects++;
    }
  }
}


