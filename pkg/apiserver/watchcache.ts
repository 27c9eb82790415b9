// The watch cache: one etcd watch per apiserver feeds an in-memory cache per resource (current
// objects plus a window of recent events). Every client watch and every resourceVersion="0" list
// is served from it, so a thousand watchers cost no more etcd work than one.
import type { IKeyValue, Watcher as EtcdWatcher } from 'etcd3';
import type { Logger } from 'pino';
import type { KubeObject } from '../api/registry.js';
import { timeout, tooOldResourceVersion } from '../api/errors.js';
import type { EtcdStore, StoredValue } from './storage/etcd.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEvent {
  readonly type: EventType;
  readonly key: string;
  readonly object: KubeObject;
  readonly prevObject?: KubeObject;
  readonly revision: number;
  /** Stored bytes this event holds on to (object and previous object), for the cache's byte budget. */
  readonly bytes?: number;
}

export interface WatchOutput {
  readonly type: EventType | 'BOOKMARK' | 'ERROR';
  readonly object: KubeObject;
}

/** Decides whether an object is visible to one watcher (namespace, label and field selectors). */
export type ObjectFilter = (obj: KubeObject) => boolean;

export interface ResourceCacheOptions {
  readonly prefix: string;
  readonly decode: (kv: StoredValue) => KubeObject;
  /** Events kept for resuming watches; older resourceVersions get 410 Gone. */
  readonly capacity: number;
  /**
   * Bytes those events may hold (as stored), whatever their number: a burst of large objects
   * shortens the resumable window instead of growing the heap without bound.
   */
  readonly maxEventBytes?: number;
  /** Events a slow watcher may have pending before it is dropped. */
  readonly watcherQueueLimit: number;
}

/** One client watch: a bounded queue drained by the HTTP handler. */
export class CacheWatcher {
  private readonly queue: WatchOutput[] = [];
  private wake: (() => void) | undefined;
  closed = false;
  /** Set when the watcher was dropped for falling behind. */
  overflowed = false;
  /** Called once when the watcher is dropped for falling behind (the stream is then cut). */
  onOverflow: (() => void) | undefined;

  constructor(
    private readonly filter: ObjectFilter,
    private readonly limit: number,
    private readonly onClose: (w: CacheWatcher) => void,
    /** Converts stored objects to the served form (events.k8s.io views of core Events). */
    private readonly view: (obj: KubeObject) => KubeObject = (o) => o,
  ) {}

  /** Translates a cache event for this watcher's selectors (objects leaving the selection are DELETED). */
  offer(ev: CacheEvent): void {
    if (this.closed) return;
    const object = this.view(ev.object);
    const now = this.filter(object);
    const before = ev.prevObject !== undefined && this.filter(this.view(ev.prevObject));
    let out: WatchOutput | undefined;
    if (ev.type === 'ADDED') out = now ? { type: 'ADDED', object } : undefined;
    else if (ev.type === 'DELETED') out = before || (ev.prevObject === undefined && now) ? { type: 'DELETED', object } : undefined;
    else if (now && before) out = { type: 'MODIFIED', object };
    else if (now && !before) out = { type: 'ADDED', object };
    else if (!now && before) out = { type: 'DELETED', object };
    if (out) this.push(out);
  }

  push(out: WatchOutput): void {
    if (this.closed) return;
    if (this.queue.length >= this.limit) {
      this.overflowed = true;
      this.queue.length = 0;
      this.close();
      this.onOverflow?.();
      return;
    }
    this.queue.push(out);
    this.wake?.();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
    this.wake?.();
  }

  /** Next event, or undefined once closed and drained (a dropped watcher is not drained). */
  async next(signal: AbortSignal): Promise<WatchOutput | undefined> {
    while (true) {
      if (this.overflowed) return undefined;
      const ev = this.queue.shift();
      if (ev) return ev;
      if (this.closed || signal.aborted) return undefined;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          signal.removeEventListener('abort', done);
          this.wake = undefined;
          resolve();
        };
        this.wake = done;
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }
}

/** Current state and recent history of one resource type. */
export class ResourceCache {
  readonly objects = new Map<string, KubeObject>();
  private events: CacheEvent[] = [];
  private eventBytes = 0;
  /** Oldest revision a watch may resume from (exclusive of earlier history). */
  private windowStart = 0;
  private readonly watchers = new Set<CacheWatcher>();

  constructor(readonly opts: ResourceCacheOptions) {}

  reset(kvs: readonly StoredValue[], revision: number): void {
    this.objects.clear();
    for (const kv of kvs) this.objects.set(kv.key, this.opts.decode(kv));
    this.events = [];
    this.eventBytes = 0;
    this.windowStart = revision;
    for (const w of [...this.watchers]) w.close();
  }

  apply(ev: CacheEvent): void {
    if (ev.type === 'DELETED') this.objects.delete(ev.key);
    else this.objects.set(ev.key, ev.object);
    this.events.push(ev);
    this.eventBytes += ev.bytes ?? 0;
    const maxBytes = this.opts.maxEventBytes ?? Infinity;
    let drop = Math.max(0, this.events.length - this.opts.capacity);
    let bytes = this.eventBytes;
    for (let i = 0; i < drop; i++) bytes -= this.events[i]!.bytes ?? 0;
    // The newest event always stays, however large: a watcher one revision behind can resume.
    while (bytes > maxBytes && drop < this.events.length - 1) bytes -= this.events[drop++]!.bytes ?? 0;
    if (drop > 0) {
      const dropped = this.events.splice(0, drop);
      this.eventBytes = bytes;
      this.windowStart = dropped[dropped.length - 1]!.revision;
    }
    for (const w of this.watchers) w.offer(ev);
  }

  /**
   * Starts a watch after `fromRevision` (events with a greater revision), or with the current
   * objects as ADDED events first when `initial` is set. Throws 410 Gone when history is gone.
   */
  watch(fromRevision: number, currentRevision: number, filter: ObjectFilter, initial: boolean, view?: (obj: KubeObject) => KubeObject): CacheWatcher {
    const w = new CacheWatcher(filter, this.opts.watcherQueueLimit, (x) => this.watchers.delete(x), view);
    if (initial) {
      for (const stored of this.objects.values()) {
        const obj = view ? view(stored) : stored;
        if (filter(obj)) w.push({ type: 'ADDED', object: obj });
      }
    } else {
      if (fromRevision < this.windowStart) throw tooOldResourceVersion(fromRevision, currentRevision);
      for (const ev of this.events) if (ev.revision > fromRevision) w.offer(ev);
    }
    if (!w.closed) this.watchers.add(w);
    return w;
  }

  closeAll(): void {
    for (const w of [...this.watchers]) w.close();
  }

  get watcherCount(): number {
    return this.watchers.size;
  }
}

const INITIAL_LIST_PAGE = 2000;

interface Waiter {
  readonly revision: number;
  readonly resolve: () => void;
}

/**
 * Feeds every ResourceCache from one etcd watch on the whole keyspace. Because every etcd revision
 * is then an event of this watch (keys outside the registry included), `revision` is exactly
 * "everything up to here has been seen", which lets requests wait for freshness.
 */
/** How often the cache checks that its etcd watch still moves, and how long it may stand still while etcd is ahead. */
const WATCHDOG_INTERVAL_MS = 1_000;
const STALL_MS = 3_000;
const WATCH_OPEN_TIMEOUT_MS = 5_000;

export class WatchCacheSet {
  private readonly caches = new Map<string, ResourceCache>();
  private watcher: EtcdWatcher | undefined;
  private waiters: Waiter[] = [];
  revision = 0;
  private readyPromise: Promise<void> | undefined;
  private stopped = false;
  /** When `revision` last moved (ms, performance.now()). */
  private lastAdvance = performance.now();
  private watchdog: NodeJS.Timeout | undefined;
  private checking = false;
  /** A (re)list is under way: it opens its own watch. */
  private initializing = false;
  /** Bumped for every watch opened: a watch whose creation finishes after a newer one is dropped. */
  private generation = 0;

  constructor(
    private readonly store: EtcdStore,
    private readonly rootPrefix: string,
    private readonly log: Logger,
  ) {}

  add(cache: ResourceCache): void {
    this.caches.set(cache.opts.prefix, cache);
  }

  cacheFor(prefix: string): ResourceCache | undefined {
    return this.caches.get(prefix);
  }

  /** Lists everything at one revision, then watches from the next. Retries until it succeeds. */
  start(): Promise<void> {
    this.readyPromise ??= this.initialize();
    return this.readyPromise;
  }

  private async initialize(): Promise<void> {
    let delay = 200;
    this.initializing = true;
    try {
      while (!this.stopped) {
        try {
          await this.listAndWatch();
          return;
        } catch (err) {
          this.log.warn({ err: String(err) }, 'watch cache: initial list failed; retrying');
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 5000);
        }
      }
    } finally {
      this.initializing = false;
    }
  }

  private async listAndWatch(): Promise<void> {
    const rev = await this.store.currentRevision();
    for (const cache of this.caches.values()) {
      // Paged at one revision, so a big resource never needs one huge response.
      const kvs: StoredValue[] = [];
      let start: string | undefined;
      while (true) {
        const res = await this.store.range(cache.opts.prefix, { revision: rev, limit: INITIAL_LIST_PAGE, ...(start !== undefined ? { start } : {}) });
        kvs.push(...res.kvs);
        if (!res.more || res.kvs.length === 0) break;
        start = res.kvs[res.kvs.length - 1]!.key + '\x00';
      }
      cache.reset(kvs, rev);
    }
    this.revision = rev;
    this.lastAdvance = performance.now();
    await this.watchFrom(rev + 1);
    this.watchdog ??= setInterval(() => void this.checkProgress(), WATCHDOG_INTERVAL_MS).unref();
  }

  private async watchFrom(revision: number): Promise<void> {
    const generation = ++this.generation;
    const watcher = await this.store.client.watch().prefix(this.rootPrefix).withPreviousKV().startRevision(String(revision)).create();
    if (generation !== this.generation || this.stopped) {
      void watcher.cancel().catch(() => undefined);
      return;
    }
    this.watcher = watcher;
    watcher.on('data', (res) => {
      if (this.watcher !== watcher) return;
      for (const ev of res.events) this.dispatch(ev.type, ev.kv, ev.prev_kv);
      const headerRev = Number(res.header.revision);
      // A progress notification (no events) says the store has nothing newer for us.
      if (res.events.length === 0 && headerRev > this.revision) this.advance(headerRev);
    });
    watcher.on('error', (err) => {
      if (this.watcher !== watcher) return;
      // Compaction of our resume revision (or a cancel): rebuild from a fresh list.
      this.log.warn({ err: String(err) }, 'watch cache: etcd watch canceled; relisting');
      void this.restart();
    });
  }

  /**
   * A watch stream can stall without an error: its member cut off the network (no reset ever
   * arrives) or wedged. When etcd is ahead of the cache and the cache has not moved for a while,
   * the watch is opened again from the cache's revision, on whichever member answers.
   */
  private async checkProgress(): Promise<void> {
    if (this.checking || this.stopped || this.initializing || this.readyPromise === undefined) return;
    if (performance.now() - this.lastAdvance < STALL_MS) return;
    this.checking = true;
    try {
      const current = await this.store.currentRevision();
      if (current <= this.revision || performance.now() - this.lastAdvance < STALL_MS || this.initializing) return;
      this.log.warn({ cacheRevision: this.revision, etcdRevision: current }, 'watch cache: etcd watch stalled; watching again');
      const old = this.watcher;
      this.watcher = undefined;
      old?.removeAllListeners();
      if (old) void old.cancel().catch(() => undefined);
      this.lastAdvance = performance.now();
      // Opening may itself wait for a member; the next check may try again meanwhile.
      await Promise.race([this.watchFrom(this.revision + 1), new Promise((r) => setTimeout(r, WATCH_OPEN_TIMEOUT_MS).unref())]);
    } catch (err) {
      this.log.debug({ err: String(err) }, 'watch cache: progress check failed');
    } finally {
      this.checking = false;
    }
  }

  private async restart(): Promise<void> {
    if (this.stopped) return;
    const old = this.watcher;
    this.watcher = undefined;
    if (old) void old.cancel().catch(() => undefined);
    this.readyPromise = this.initialize();
    await this.readyPromise;
  }

  private dispatch(type: string, kv: IKeyValue, prev?: IKeyValue): void {
    const key = kv.key.toString();
    const revision = Number(kv.mod_revision);
    const cache = this.findCache(key);
    if (cache) {
      try {
        if (type === 'Delete') {
          const before = prev ? cache.opts.decode(fromKv(prev)) : cache.objects.get(key);
          if (before) {
            const gone: KubeObject = structuredClone(before);
            gone.metadata = { ...(gone.metadata ?? {}), resourceVersion: String(revision) };
            cache.apply({ type: 'DELETED', key, object: gone, prevObject: before, revision, bytes: 2 * (prev?.value.length ?? 0) });
          }
        } else {
          const obj = cache.opts.decode(fromKv(kv));
          const before = cache.objects.get(key) ?? (prev ? cache.opts.decode(fromKv(prev)) : undefined);
          cache.apply({ type: before ? 'MODIFIED' : 'ADDED', key, object: obj, ...(before ? { prevObject: before } : {}), revision, bytes: kv.value.length + (prev?.value.length ?? 0) });
        }
      } catch (err) {
        this.log.error({ err: String(err), key }, 'watch cache: undecodable value');
      }
    }
    this.advance(revision);
  }

  private findCache(key: string): ResourceCache | undefined {
    // Prefixes are /registry/<group>/<resource>/; the longest match wins (pods vs podtemplates never clash).
    let best: ResourceCache | undefined;
    for (const [prefix, cache] of this.caches) {
      if (key.startsWith(prefix) && (!best || prefix.length > best.opts.prefix.length)) best = cache;
    }
    return best;
  }

  private advance(revision: number): void {
    if (revision <= this.revision) return;
    this.revision = revision;
    this.lastAdvance = performance.now();
    const ready = this.waiters.filter((w) => w.revision <= revision);
    this.waiters = this.waiters.filter((w) => w.revision > revision);
    for (const w of ready) w.resolve();
  }

  /** Waits until the cache has seen `revision` (bounded), as upstream's waitUntilFreshAndBlock. */
  async waitFresh(revision: number, timeoutMs = 3000): Promise<void> {
    await this.start();
    if (this.revision >= revision) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((resolve) => this.waiters.push({ revision, resolve })),
        new Promise<void>((_, reject) => {
          timer = setTimeout(() => reject(timeout(`Too large resource version: ${revision}, current: ${this.revision}`, 1)), timeoutMs);
        }),
      ]);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watchdog);
    for (const c of this.caches.values()) c.closeAll();
    const w = this.watcher;
    this.watcher = undefined;
    if (w) await w.cancel().catch(() => undefined);
  }
}

function fromKv(kv: IKeyValue): StoredValue {
  return { key: kv.key.toString(), value: kv.value, modRevision: Number(kv.mod_revision), createRevision: Number(kv.create_revision) };
}
