// An in-memory API for one resource type, for reflector and informer tests: resourceVersions
// that grow with each write, paged lists, watches replaying history from a version, and faults
// to inject (compaction → 410, expired watches, dropped connections, bookmarks, failing calls).
import { tooOldResourceVersion } from '../../pkg/api/errors.js';
import { ConnectionError } from '../../pkg/client/errors.js';
import type { ListWatcher, ListWatchListOptions, ListWatchWatchOptions, WatchHandle } from '../../pkg/client/informer/list-watch.js';
import type { KubeObject, ObjectList } from '../../pkg/client/resource.js';
import type { WatchEvent } from '../../pkg/client/watch.js';

/** Lets every pending promise chain run (nothing here waits on real timers or I/O). */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

export interface TestObject extends KubeObject {
  data?: Record<string, string>;
}

export function obj(namespace: string, name: string, labels?: Record<string, string>, data?: Record<string, string>): TestObject {
  const metadata: NonNullable<KubeObject['metadata']> = { name };
  if (namespace !== '') metadata.namespace = namespace;
  if (labels !== undefined) metadata.labels = labels;
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata, ...(data !== undefined ? { data } : {}) };
}

function keyOf(o: KubeObject): string {
  const ns = o.metadata?.namespace;
  const name = o.metadata?.name ?? '';
  return ns === undefined || ns === '' ? name : `${ns}/${name}`;
}

type Terminal = { readonly kind: 'end' } | { readonly kind: 'fail'; readonly err: unknown };

/** One open watch: a queue of events that ends cleanly or with an error. */
export class FakeWatch<T> implements WatchHandle<T> {
  private readonly events: WatchEvent<T>[] = [];
  private terminal: Terminal | undefined;
  private wake: (() => void) | undefined;
  closed = false;

  constructor(
    readonly opts: ListWatchWatchOptions,
    private readonly onClose: (w: FakeWatch<T>) => void,
  ) {
    if (opts.signal?.aborted) this.closed = true;
    else opts.signal?.addEventListener('abort', () => this.close(), { once: true });
  }

  push(ev: WatchEvent<T>): void {
    if (this.terminal !== undefined || this.closed) return;
    this.events.push(ev);
    this.poke();
  }

  end(): void {
    this.terminal ??= { kind: 'end' };
    this.poke();
  }

  fail(err: unknown): void {
    this.terminal ??= { kind: 'fail', err };
    this.poke();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
    this.poke();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    try {
      for (;;) {
        if (this.closed) return;
        const ev = this.events.shift();
        if (ev !== undefined) {
          yield ev;
          continue;
        }
        if (this.terminal?.kind === 'end') return;
        if (this.terminal?.kind === 'fail') throw this.terminal.err;
        await new Promise<void>((r) => (this.wake = r));
      }
    } finally {
      this.close();
    }
  }
}

interface HistoryEntry<T> {
  readonly rv: number;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: T;
}

export class FakeListWatch<T extends KubeObject> implements ListWatcher<T> {
  /** The current resourceVersion of the collection. */
  rv: number;
  readonly listCalls: ListWatchListOptions[] = [];
  readonly watchCalls: ListWatchWatchOptions[] = [];
  /** How a too-old watch is refused: an HTTP 410 when opening, or an ERROR event in the stream. */
  goneAs: 'response' | 'event' = 'event';
  private readonly objects = new Map<string, T>();
  private history: HistoryEntry<T>[] = [];
  private compactedRv = 0;
  private readonly watches = new Set<FakeWatch<T>>();
  private readonly listFailures: unknown[] = [];
  private readonly watchFailures: unknown[] = [];
  private held: { type: HistoryEntry<T>['type']; object: T }[] | undefined;

  constructor(initial: readonly T[] = [], startRv = 100) {
    this.rv = startRv;
    for (const o of initial) this.upsert(o);
  }

  /** Creates or replaces the object; the stored copy gets the next resourceVersion. */
  upsert(o: T): T {
    const key = keyOf(o);
    const type = this.objects.has(key) ? 'MODIFIED' : 'ADDED';
    const stored = structuredClone(o);
    stored.metadata = { ...stored.metadata, resourceVersion: String(++this.rv) };
    this.objects.set(key, stored);
    this.record(type, stored);
    return structuredClone(stored);
  }

  delete(key: string): void {
    const old = this.objects.get(key);
    if (old === undefined) throw new Error(`no object ${key}`);
    this.objects.delete(key);
    const last = structuredClone(old);
    last.metadata = { ...last.metadata, resourceVersion: String(++this.rv) };
    this.record('DELETED', last);
  }

  /** Other writes elsewhere move the collection's version without events for this resource. */
  bumpVersion(n = 1): void {
    this.rv += n;
  }

  /** Forgets history: watches from any version before now get 410 Gone. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history = [];
  }

  /** Sends a BOOKMARK at the current version to watches that asked for bookmarks. */
  bookmark(): void {
    const mark = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { resourceVersion: String(this.rv) } } as T;
    for (const w of this.watches) if (w.opts.allowWatchBookmarks === true) w.push({ type: 'BOOKMARK', object: structuredClone(mark) });
  }

  /** Every open watch gets an ERROR 410 event and ends, as after compaction on the server. */
  expireWatches(): void {
    for (const w of [...this.watches]) {
      w.push({ type: 'ERROR', object: tooOldResourceVersion(w.opts.resourceVersion ?? '', this.rv).status });
      w.end();
    }
  }

  /** Every open watch breaks as a lost connection. */
  dropWatches(): void {
    for (const w of [...this.watches]) w.fail(new ConnectionError({ server: 'fake', code: 'ECONNRESET', maybeSent: true }));
  }

  /** Every open watch ends normally (server-side timeout). */
  closeWatches(): void {
    for (const w of [...this.watches]) w.end();
  }

  failNextList(err: unknown): void {
    this.listFailures.push(err);
  }

  failNextWatch(err: unknown): void {
    this.watchFailures.push(err);
  }

  /** Copies of the objects stored now, in key order. */
  items(): T[] {
    return [...this.objects.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => structuredClone(o));
  }

  get openWatches(): number {
    return this.watches.size;
  }

  list(opts: ListWatchListOptions): Promise<ObjectList<T>> {
    this.listCalls.push(opts);
    if (this.listFailures.length > 0) return Promise.reject(this.listFailures.shift());
    const all = this.items();
    let listRv = this.rv;
    let offset = 0;
    if (opts.continue !== undefined && opts.continue !== '') {
      const [rvText, offText] = opts.continue.split(':');
      listRv = Number(rvText);
      offset = Number(offText);
      // The fake keeps no snapshots: a token from before any later write has expired.
      if (listRv !== this.rv) return Promise.reject(tooOldResourceVersion(listRv, this.rv));
    }
    const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : all.length;
    const items = all.slice(offset, offset + limit);
    const next = offset + limit < all.length ? `${listRv}:${offset + limit}` : undefined;
    return Promise.resolve({
      apiVersion: 'v1',
      kind: 'List',
      metadata: { resourceVersion: String(listRv), ...(next !== undefined ? { continue: next } : {}) },
      items,
    });
  }

  watch(opts: ListWatchWatchOptions): Promise<WatchHandle<T>> {
    this.watchCalls.push(opts);
    if (this.watchFailures.length > 0) return Promise.reject(this.watchFailures.shift());
    const from = opts.resourceVersion !== undefined && opts.resourceVersion !== '' ? Number(opts.resourceVersion) : this.rv;
    const w = new FakeWatch<T>(opts, (x) => this.watches.delete(x));
    if (from < this.compactedRv) {
      const err = tooOldResourceVersion(from, this.rv);
      if (this.goneAs === 'response') return Promise.reject(err);
      w.push({ type: 'ERROR', object: err.status });
      w.end();
      return Promise.resolve(w);
    }
    for (const h of this.history) if (h.rv > from) w.push({ type: h.type, object: structuredClone(h.object) });
    this.watches.add(w);
    return Promise.resolve(w);
  }

  private record(type: HistoryEntry<T>['type'], object: T): void {
    this.history.push({ rv: this.rv, type, object: structuredClone(object) });
    if (this.held !== undefined) this.held.push({ type, object: structuredClone(object) });
    else for (const w of this.watches) w.push({ type, object: structuredClone(object) });
  }

  /** Watches lag: events wait until releaseEvents() (an informer cache that is behind). */
  holdEvents(): void {
    this.held ??= [];
  }

  releaseEvents(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const ev of held) for (const w of this.watches) w.push({ type: ev.type, object: structuredClone(ev.object) });
  }
}
