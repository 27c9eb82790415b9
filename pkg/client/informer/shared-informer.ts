// A shared informer: one reflector filling one indexed cache, and any number of event handlers.
// Each handler has its own queue of notifications, delivered in order on later microtasks, so a
// handler registered late sees the current contents first and then every change, and a handler
// that throws hurts nobody else.
import { realClock, type Clock, type Timer } from '../clock.js';
import type { KubeObject } from '../resource.js';
import { Lister } from './lister.js';
import type { ListWatcher } from './list-watch.js';
import { Reflector, silentLogger, type InformerLogger, type ReflectorOptions, type ReflectorSink } from './reflector.js';
import { deepFreeze, DeletedFinalStateUnknown, Indexer, metaNamespaceKey, type DeepReadonly, type Indexers, type Store } from './store.js';

/**
 * Callbacks for cache changes. Objects are frozen and shared with the cache: structuredClone
 * before modifying. onDelete gets a DeletedFinalStateUnknown when the delete was only noticed by
 * relisting. A resync calls onUpdate with the same object twice.
 */
export interface ResourceEventHandler<T> {
  onAdd?(obj: DeepReadonly<T>, isInInitialList: boolean): void;
  onUpdate?(oldObj: DeepReadonly<T>, newObj: DeepReadonly<T>): void;
  onDelete?(obj: DeepReadonly<T> | DeletedFinalStateUnknown<T>): void;
}

export interface HandlerOptions {
  /** Re-deliver every cached object to this handler as onUpdate(obj, obj) this often; 0 = never. */
  readonly resyncPeriodMs?: number;
}

export interface HandlerRegistration {
  /** True once the informer synced and this handler has been given the initial contents. */
  hasSynced(): boolean;
}

export interface SharedIndexInformerOptions<T> extends Omit<ReflectorOptions, 'clock' | 'logger' | 'name'> {
  readonly name?: string;
  readonly clock?: Clock;
  readonly logger?: InformerLogger;
  readonly indexers?: Indexers<T>;
  /** Resync period of handlers added without their own. Default 0 (no resync). */
  readonly defaultResyncPeriodMs?: number;
}

/** Resync periods below this are raised to it, as client-go does. */
export const MIN_RESYNC_PERIOD_MS = 1000;

type Notification<T> =
  | { readonly kind: 'add'; readonly obj: DeepReadonly<T>; readonly initial: boolean }
  | { readonly kind: 'update'; readonly oldObj: DeepReadonly<T>; readonly newObj: DeepReadonly<T> }
  | { readonly kind: 'delete'; readonly obj: DeepReadonly<T> | DeletedFinalStateUnknown<T> };

class Listener<T extends KubeObject> implements HandlerRegistration {
  private queue: Notification<T>[] = [];
  private draining = false;
  private initialPending = 0;
  private timer: Timer | undefined;
  removed = false;

  constructor(
    private readonly informer: SharedIndexInformer<T>,
    readonly handler: ResourceEventHandler<T>,
    readonly resyncPeriodMs: number,
    private readonly log: InformerLogger,
    private readonly name: string,
  ) {}

  hasSynced(): boolean {
    return this.informer.hasSynced() && this.initialPending === 0;
  }

  push(n: Notification<T>): void {
    if (this.removed) return;
    if (n.kind === 'add' && n.initial) this.initialPending++;
    this.queue.push(n);
    if (!this.draining) {
      this.draining = true;
      queueMicrotask(() => this.drain());
    }
  }

  startResync(clock: Clock, store: Store<T>): void {
    if (this.resyncPeriodMs <= 0 || this.removed || this.timer !== undefined) return;
    const tick = (): void => {
      this.timer = undefined;
      if (this.removed) return;
      for (const obj of store.list()) this.push({ kind: 'update', oldObj: obj, newObj: obj });
      this.timer = clock.setTimer(this.resyncPeriodMs, tick);
    };
    this.timer = clock.setTimer(this.resyncPeriodMs, tick);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  remove(): void {
    this.removed = true;
    this.queue = [];
    this.stop();
  }

  private drain(): void {
    while (this.queue.length > 0 && !this.removed) {
      const n = this.queue.shift()!;
      try {
        switch (n.kind) {
          case 'add':
            this.handler.onAdd?.(n.obj, n.initial);
            break;
          case 'update':
            this.handler.onUpdate?.(n.oldObj, n.newObj);
            break;
          case 'delete':
            this.handler.onDelete?.(n.obj);
            break;
        }
      } catch (err: unknown) {
        this.log.error({ informer: this.name, err, event: n.kind }, 'event handler failed');
      } finally {
        if (n.kind === 'add' && n.initial) this.initialPending--;
      }
    }
    this.draining = false;
  }
}

export class SharedIndexInformer<T extends KubeObject> implements ReflectorSink<T> {
  private readonly store: Indexer<T>;
  private readonly reflector: Reflector<T>;
  private readonly listeners = new Set<Listener<T>>();
  private readonly clock: Clock;
  private readonly log: InformerLogger;
  private readonly name: string;
  private readonly defaultResyncMs: number;
  private synced = false;
  private markSynced!: () => void;
  private readonly syncedPromise: Promise<void>;
  private running: Promise<void> | undefined;
  private stopped = false;

  private readonly lw: ListWatcher<T>;

  constructor(lw: ListWatcher<T>, opts: SharedIndexInformerOptions<T> = {}) {
    this.lw = lw;
    this.clock = opts.clock ?? realClock;
    this.log = opts.logger ?? silentLogger;
    this.name = opts.name ?? 'informer';
    this.defaultResyncMs = opts.defaultResyncPeriodMs ?? 0;
    this.store = new Indexer<T>(opts.indexers);
    this.syncedPromise = new Promise<void>((resolve) => (this.markSynced = resolve));
    this.reflector = new Reflector<T>(lw, this, { ...opts, clock: this.clock, logger: this.log, name: this.name });
  }

  /** The cache, read-only. */
  get indexer(): Store<T> {
    return this.store;
  }

  /** A lister over this informer's cache. */
  lister(): Lister<T> {
    return new Lister<T>(this.store);
  }

  addIndexers(indexers: Indexers<T>): void {
    this.store.addIndexers(indexers);
  }

  /** True once the first list has been stored. */
  hasSynced(): boolean {
    return this.synced;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  get lastSyncResourceVersion(): string {
    return this.reflector.lastSyncResourceVersion;
  }

  /**
   * Resolves true once the cache holds at least what a consistent read of the API holds now:
   * every listed object at its listed version or newer, none the read no longer has (unless made
   * after it). False when `signal` aborts, `timeoutMs` passes or the read fails. A cache filled
   * long ago (a standby's) can lag the writes of the moment; this is the barrier against that.
   */
  async waitUntilFresh(signal: AbortSignal, timeoutMs: number): Promise<boolean> {
    const deadline = this.clock.now() + timeoutMs;
    let page;
    try {
      page = await this.lw.list({ signal });
    } catch {
      return false;
    }
    const listRv = Number(page.metadata?.resourceVersion ?? '');
    const want = new Map<string, number>(page.items.map((o) => [metaNamespaceKey(o as KubeObject), Number((o as KubeObject).metadata?.resourceVersion ?? '')]));
    const fresh = (): boolean => {
      if (Number.isFinite(listRv) && Number(this.reflector.lastSyncResourceVersion) >= listRv) return true;
      for (const [key, rv] of want) {
        const have = this.store.get(key);
        if (have === undefined || !(Number(have.metadata?.resourceVersion ?? '') >= rv)) return false;
      }
      for (const o of this.store.list()) {
        if (!want.has(metaNamespaceKey(o as KubeObject)) && !(Number(o.metadata?.resourceVersion ?? '') > listRv)) return false;
      }
      return true;
    };
    while (!signal.aborted) {
      if (this.synced && fresh()) return true;
      if (this.clock.now() >= deadline) return false;
      await this.clock.sleep(25, signal).catch(() => undefined);
    }
    return false;
  }

  /** Resolves true once synced, false if `signal` aborts first. */
  waitForCacheSync(signal: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const onAbort = (): void => resolve(false);
      signal.addEventListener('abort', onAbort, { once: true });
      void this.syncedPromise.then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      });
    });
  }

  /**
   * Registers a handler. If the informer already holds objects, the handler first gets an
   * onAdd(obj, true) for each. Throws once the informer has stopped.
   */
  addEventHandler(handler: ResourceEventHandler<T>, opts: HandlerOptions = {}): HandlerRegistration {
    if (this.stopped) throw new Error('handler was not added to shared informer because it has stopped already');
    let period = opts.resyncPeriodMs ?? this.defaultResyncMs;
    if (period > 0 && period < MIN_RESYNC_PERIOD_MS) period = MIN_RESYNC_PERIOD_MS;
    const l = new Listener<T>(this, handler, period, this.log, this.name);
    this.listeners.add(l);
    for (const obj of this.store.list()) l.push({ kind: 'add', obj, initial: true });
    if (this.running !== undefined) l.startResync(this.clock, this.store);
    return l;
  }

  removeEventHandler(reg: HandlerRegistration): void {
    if (!(reg instanceof Listener) || !this.listeners.has(reg as Listener<T>)) return;
    (reg as Listener<T>).remove();
    this.listeners.delete(reg as Listener<T>);
  }

  /** Lists and watches until `signal` aborts; the promise settles after the stop. Idempotent. */
  run(signal: AbortSignal): Promise<void> {
    if (this.running !== undefined) return this.running;
    for (const l of this.listeners) l.startResync(this.clock, this.store);
    this.running = this.reflector.run(signal).then(() => {
      this.stopped = true;
      for (const l of this.listeners) l.stop();
    });
    return this.running;
  }

  /** True once run() was called. */
  get started(): boolean {
    return this.running !== undefined;
  }

  // ReflectorSink: the reflector's view of this informer.

  replace(items: T[], _resourceVersion: string): void {
    const initial = !this.synced;
    const seen = new Set<string>();
    for (const item of items) {
      let key: string;
      try {
        key = metaNamespaceKey(item);
      } catch (err: unknown) {
        this.log.error({ informer: this.name, err }, 'listed object skipped');
        continue;
      }
      seen.add(key);
      const old = this.store.get(key);
      // Unchanged objects keep their cached identity and cause no notification.
      if (old !== undefined && sameVersion(old, item)) continue;
      const { stored } = this.store.set(item);
      this.notify(old === undefined ? { kind: 'add', obj: stored, initial } : { kind: 'update', oldObj: old, newObj: stored });
    }
    for (const key of this.store.listKeys()) {
      if (seen.has(key)) continue;
      const old = this.store.delete(key)!;
      this.notify({ kind: 'delete', obj: new DeletedFinalStateUnknown<T>(key, old) });
    }
    if (!this.synced) {
      this.synced = true;
      this.markSynced();
    }
  }

  add(obj: T): void {
    const { old, stored } = this.store.set(obj);
    this.notify(old === undefined ? { kind: 'add', obj: stored, initial: false } : { kind: 'update', oldObj: old, newObj: stored });
  }

  update(obj: T): void {
    this.add(obj);
  }

  delete(obj: T): void {
    const frozen = deepFreeze(obj);
    this.store.delete(metaNamespaceKey(frozen));
    this.notify({ kind: 'delete', obj: frozen });
  }

  private notify(n: Notification<T>): void {
    for (const l of this.listeners) l.push(n);
  }
}

function sameVersion(a: DeepReadonly<KubeObject>, b: KubeObject): boolean {
  const ra = a.metadata?.resourceVersion;
  return ra !== undefined && ra !== '' && ra === b.metadata?.resourceVersion;
}
