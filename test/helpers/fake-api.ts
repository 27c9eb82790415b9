// An in-memory API for controller unit tests, in the manner of client-go's fake clientset: an
// object tracker per resource (with watches, so informers built on it see every write), an
// ObjectClient that records each action and applies it with the API's basic semantics (uids,
// generateName, resourceVersion preconditions, finalizers holding a delete, status apart from
// spec), and an EventSink that records Events. Nothing here waits on real time or I/O.
import { pino } from 'pino';
import { alreadyExists, conflict, notFound, OBJECT_MODIFIED } from '../../pkg/api/errors.js';
import { builtinRegistry } from '../../pkg/api/index.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../../pkg/api/patch/index.js';
import type { ResourceDef } from '../../pkg/api/registry.js';
import { asNode } from '../../pkg/api/schema/dsl.js';
import { FakeClock, type Clock } from '../../pkg/client/clock.js';
import type { EventType } from '../../pkg/client/events.js';
import { SharedInformerFactory } from '../../pkg/client/informer/factory.js';
import type { DeepReadonly } from '../../pkg/client/informer/store.js';
import type { DeleteCallOptions, KubeObject, PatchOptions, PatchType, ResourceDescriptor, WriteOptions } from '../../pkg/client/resource.js';
import type { ControllerContext, DiscoveryResult, EventSink, ObjectClient } from '../../pkg/controller/framework/index.js';
import { selectorFilter } from '../../pkg/apiserver/handlers/context.js';
import { FakeListWatch } from './fake-listwatch.js';

export { settle } from './fake-listwatch.js';

export type ActionVerb = 'get' | 'list' | 'create' | 'update' | 'update-status' | 'patch' | 'delete' | 'delete-collection' | 'update-subresource' | 'create-subresource';

export interface Action {
  readonly verb: ActionVerb;
  /** Plural resource name, e.g. "pods". */
  readonly resource: string;
  readonly namespace: string;
  readonly name: string;
  readonly object?: KubeObject;
  readonly patch?: unknown;
  readonly patchType?: PatchType;
  readonly subresource?: string;
  readonly deleteOptions?: DeleteCallOptions;
}

export interface RecordedEvent {
  readonly type: EventType;
  readonly reason: string;
  readonly action: string;
  readonly note: string;
  readonly kind: string | undefined;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly component: string;
}

const registry = builtinRegistry();

function defOf(r: ResourceDescriptor): ResourceDef {
  const def = registry.lookup(r.group, r.version, r.plural);
  if (def === undefined) throw new Error(`fake API: unknown resource ${r.group}/${r.version}/${r.plural}`);
  return def;
}

const field = (o: KubeObject | undefined, k: string): unknown => (o as Record<string, unknown> | undefined)?.[k];
const keyOf = (namespace: string, name: string): string => (namespace === '' ? name : `${namespace}/${name}`);
const qualified = (def: ResourceDef) => ({ group: def.group, resource: def.plural });

/** A write the test wants refused: the next matching action throws `error`. */
export interface Reactor {
  readonly verb: ActionVerb;
  readonly resource: string;
  readonly error: unknown;
  /** Refuse only this many times (default: once). */
  times?: number;
  /** The write happens and then the error is returned (a reply lost on the way back). */
  readonly landed?: boolean;
}

export class FakeApi implements ObjectClient {
  readonly actions: Action[] = [];
  readonly events: RecordedEvent[] = [];
  readonly clock: Clock;
  private readonly trackers = new Map<string, FakeListWatch<KubeObject>>();
  private readonly reactors: Reactor[] = [];
  private uid = 0;
  private suffix = 0;

  constructor(clock: Clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'))) {
    this.clock = clock;
  }

  /** The object tracker (list + watch) of a resource. */
  tracker(r: ResourceDescriptor): FakeListWatch<KubeObject> {
    const def = defOf(r);
    const k = `${def.group}/${def.version}/${def.plural}`;
    let t = this.trackers.get(k);
    if (t === undefined) {
      t = new FakeListWatch<KubeObject>([], 1000);
      this.trackers.set(k, t);
    }
    return t;
  }

  /** Puts objects in place without recording actions (the cluster's state before the test). */
  seed<T extends KubeObject>(r: ResourceDescriptor, ...objs: T[]): T[] {
    return objs.map((o) => this.tracker(r).upsert(this.stamp(defOf(r), structuredClone(o))) as T);
  }

  /** The stored object, or undefined. */
  peek<T extends KubeObject>(r: ResourceDescriptor, namespace: string, name: string): T | undefined {
    return this.all<T>(r).find((o) => (o.metadata?.namespace ?? '') === (r.namespaced ? namespace : '') && o.metadata?.name === name);
  }

  all<T extends KubeObject>(r: ResourceDescriptor): T[] {
    return (this.trackerItems(r) as T[]).map((o) => structuredClone(o));
  }

  /** Makes the next `verb` on `resource` fail with `error`. */
  react(reactor: Reactor): void {
    this.reactors.push({ times: 1, ...reactor });
  }

  /** Actions other than reads, optionally of one resource. */
  writes(resource?: string): Action[] {
    return this.actions.filter((a) => a.verb !== 'get' && a.verb !== 'list' && (resource === undefined || a.resource === resource));
  }

  clearActions(): void {
    this.actions.length = 0;
    this.events.length = 0;
  }

  /** Informers that list and watch this fake. */
  informerFactory(): SharedInformerFactory {
    return new SharedInformerFactory(undefined, { clock: this.clock, listWatcher: (d) => this.tracker(d) });
  }

  eventSink(component: string): EventSink {
    return {
      record: (regarding: DeepReadonly<KubeObject> & { apiVersion?: string; kind?: string }, type: EventType, reason: string, action: string, note: string) => {
        this.events.push({ type, reason, action, note, kind: regarding.kind, namespace: regarding.metadata?.namespace, name: regarding.metadata?.name, component });
      },
    };
  }

  /** A controller context on this fake: informers, client, events, silent logger. */
  context(workers = 1, flags: Readonly<Record<string, string>> = {}): ControllerContext {
    const flag = (name: string): string => {
      const v = flags[name];
      if (v === undefined) throw new Error(`fake context: flag --${name} not given to context()`);
      return v;
    };
    return { client: this, informers: this.informerFactory(), discovery: this, events: (c) => this.eventSink(c), clock: this.clock, log: pino({ level: 'silent' }), workers, flag };
  }

  /**
   * A controller built on a fresh context of this fake, with its informers started and synced
   * (its workers are not: a test runs them, or calls reconcile itself). `stop` ends the informers.
   */
  async startController<C>(make: (ctx: ControllerContext) => C, opts: { workers?: number; flags?: Readonly<Record<string, string>> } = {}): Promise<{ c: C; stop: AbortController }> {
    const ctx = this.context(opts.workers ?? 1, opts.flags ?? {});
    const c = make(ctx);
    const stop = new AbortController();
    ctx.informers.start(stop.signal);
    await ctx.informers.waitForCacheSync(stop.signal);
    return { c, stop };
  }

  // ---- ObjectClient ----

  get<T extends KubeObject>(r: ResourceDescriptor, namespace: string, name: string): Promise<T> {
    return this.act({ verb: 'get', resource: r.plural, namespace, name }, () => {
      const found = this.peek<T>(r, namespace, name);
      if (found === undefined) throw notFound(qualified(defOf(r)), name);
      return found;
    });
  }

  /** Lists with label and field selectors applied exactly as the apiserver applies them. */
  list<T extends KubeObject>(r: ResourceDescriptor, namespace: string, opts?: { labelSelector?: string; fieldSelector?: string }): Promise<T[]> {
    return this.act({ verb: 'list', resource: r.plural, namespace, name: '' }, () => {
      const { filter } = selectorFilter(defOf(r), opts?.labelSelector ?? null, opts?.fieldSelector ?? null);
      return this.all<T>(r).filter((o) => (namespace === '' || o.metadata?.namespace === namespace) && filter(o as unknown as Parameters<typeof filter>[0]));
    });
  }

  create<T extends KubeObject>(r: ResourceDescriptor, namespace: string, obj: T, _opts?: WriteOptions): Promise<T> {
    const def = defOf(r);
    const o = structuredClone(obj);
    o.metadata = { ...o.metadata };
    if (r.namespaced) o.metadata.namespace = namespace;
    if ((o.metadata.name ?? '') === '' && o.metadata.generateName !== undefined) o.metadata.name = `${o.metadata.generateName}${(++this.suffix).toString(36).padStart(5, '0')}`;
    return this.act({ verb: 'create', resource: r.plural, namespace, name: o.metadata.name ?? '', object: structuredClone(o) }, () => {
      if (this.peek(r, namespace, o.metadata?.name ?? '') !== undefined) throw alreadyExists(qualified(def), o.metadata?.name ?? '');
      return this.tracker(r).upsert(this.stamp(def, o)) as T;
    });
  }

  update<T extends KubeObject>(r: ResourceDescriptor, obj: T): Promise<T> {
    return this.write('update', r, obj, (current, incoming) => ({ ...incoming, status: field(current, 'status') }));
  }

  updateStatus<T extends KubeObject>(r: ResourceDescriptor, obj: T): Promise<T> {
    return this.write('update-status', r, obj, (current, incoming) => ({ ...current, status: field(incoming, 'status') }));
  }

  patch<T extends KubeObject>(r: ResourceDescriptor, namespace: string, name: string, patch: unknown, type: PatchType, opts?: PatchOptions): Promise<T> {
    const def = defOf(r);
    return this.act({ verb: 'patch', resource: r.plural, namespace, name, patch: structuredClone(patch), patchType: type, ...(opts?.subresource !== undefined ? { subresource: opts.subresource } : {}) }, () => {
      const current = this.peek<T>(r, namespace, name);
      if (current === undefined) throw notFound(qualified(def), name);
      const patchedUid = (patch as { metadata?: { uid?: string } } | null)?.metadata?.uid;
      if (patchedUid !== undefined && patchedUid !== current.metadata?.uid) throw conflict(qualified(def), name, 'Precondition failed: UID in precondition does not match the UID of the object');
      let next: T;
      if (type === 'json') next = applyJsonPatch(current, patch) as T;
      else if (type === 'strategic') next = applyStrategicMergePatch(current, patch, asNode(def.schema)) as T;
      else next = applyMergePatch(current, patch) as T;
      if (opts?.subresource === 'status') next = { ...current, status: field(next, 'status') };
      else if (opts?.subresource === undefined && def.subresources?.status === true) next = { ...next, status: field(current, 'status') };
      return this.store(def, r, next);
    });
  }

  delete(r: ResourceDescriptor, namespace: string, name: string, opts?: DeleteCallOptions): Promise<void> {
    return this.act({ verb: 'delete', resource: r.plural, namespace, name, ...(opts !== undefined ? { deleteOptions: opts } : {}) }, () => this.deleteNow(r, namespace, name, opts));
  }

  /** A delete as the apiserver does it: preconditions, then finalizers hold the object or it goes. */
  private deleteNow(r: ResourceDescriptor, namespace: string, name: string, opts?: DeleteCallOptions): void {
    const def = defOf(r);
    const current = this.peek(r, namespace, name);
    if (current === undefined) throw notFound(qualified(def), name);
    if (opts?.preconditions?.uid !== undefined && opts.preconditions.uid !== current.metadata?.uid) {
      throw conflict(qualified(def), name, `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${current.metadata?.uid ?? ''}`);
    }
    if (opts?.preconditions?.resourceVersion !== undefined && opts.preconditions.resourceVersion !== current.metadata?.resourceVersion) {
      throw conflict(qualified(def), name, OBJECT_MODIFIED);
    }
    const finalizers = [...(current.metadata?.finalizers ?? [])];
    if (opts?.propagationPolicy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    if (opts?.propagationPolicy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    if (finalizers.length > 0) {
      if (current.metadata?.deletionTimestamp === undefined) {
        current.metadata = { ...current.metadata, finalizers, deletionTimestamp: new Date(this.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z'), deletionGracePeriodSeconds: 0 };
        this.tracker(r).upsert(current);
      }
      return;
    }
    this.tracker(r).delete(keyOf(r.namespaced ? namespace : '', name));
  }

  deleteCollection(r: ResourceDescriptor, namespace: string): Promise<void> {
    return this.act({ verb: 'delete-collection', resource: r.plural, namespace, name: '' }, () => {
      // Each object as a delete would treat it (finalizers hold it); the collection is one action.
      for (const o of this.all(r).filter((x) => x.metadata?.namespace === namespace)) this.deleteNow(r, namespace, o.metadata?.name ?? '');
    });
  }

  /** namespaces/finalize: writes spec.finalizers; a deleted namespace with none left goes away. */
  updateSubresource<T extends KubeObject>(r: ResourceDescriptor, obj: T, subresource: string): Promise<T> {
    const def = defOf(r);
    const name = obj.metadata?.name ?? '';
    return this.act({ verb: 'update-subresource', resource: r.plural, namespace: '', name, subresource, object: structuredClone(obj) }, () => {
      if (subresource !== 'finalize' || def.kind !== 'Namespace') throw new Error(`fake API: no ${r.plural}/${subresource}`);
      const current = this.peek<T>(r, '', name);
      if (current === undefined) throw notFound(qualified(def), name);
      const finalizers = (field(obj, 'spec') as { finalizers?: string[] } | undefined)?.finalizers ?? [];
      const next = { ...current, spec: { ...(field(current, 'spec') as object), finalizers } } as T;
      if (current.metadata?.deletionTimestamp !== undefined && finalizers.length === 0 && (current.metadata.finalizers ?? []).length === 0) {
        this.tracker(r).delete(keyOf('', name));
        return next;
      }
      return this.tracker(r).upsert(next) as T;
    });
  }

  /** Discovery over every kind the fake serves, all verbs. */
  async preferredResources(): Promise<DiscoveryResult> {
    const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
    return { resources: registry.all().map((d) => ({ group: d.group, version: d.version, plural: d.plural, namespaced: d.namespaced, kind: d.kind, verbs })), failed: [] };
  }

  createSubresource<R = unknown>(r: ResourceDescriptor, namespace: string, name: string, subresource: string, body: unknown): Promise<R> {
    return this.act({ verb: 'create-subresource', resource: r.plural, namespace, name, subresource, object: structuredClone(body) as KubeObject }, () => {
      if (subresource === 'eviction') {
        const current = this.peek(r, namespace, name);
        if (current === undefined) throw notFound(qualified(defOf(r)), name);
        this.tracker(r).delete(keyOf(namespace, name));
      }
      return { kind: 'Status', apiVersion: 'v1', status: 'Success' } as R;
    });
  }

  // ---- internals ----

  private trackerItems(r: ResourceDescriptor): KubeObject[] {
    return this.tracker(r).items();
  }

  private write<T extends KubeObject>(verb: 'update' | 'update-status', r: ResourceDescriptor, obj: T, merge: (current: T, incoming: T) => T): Promise<T> {
    const def = defOf(r);
    const namespace = r.namespaced ? (obj.metadata?.namespace ?? '') : '';
    const name = obj.metadata?.name ?? '';
    return this.act({ verb, resource: r.plural, namespace, name, object: structuredClone(obj) }, () => {
      const current = this.peek<T>(r, namespace, name);
      if (current === undefined) throw notFound(qualified(def), name);
      const rv = obj.metadata?.resourceVersion;
      if (rv !== undefined && rv !== '' && rv !== current.metadata?.resourceVersion) throw conflict(qualified(def), name, OBJECT_MODIFIED);
      const next = def.subresources?.status === true ? merge(current, structuredClone(obj)) : structuredClone(obj);
      next.metadata = { ...next.metadata, uid: current.metadata?.uid, creationTimestamp: current.metadata?.creationTimestamp };
      return this.store(def, r, next);
    });
  }

  /** Stores an updated object; one whose finalizers emptied while being deleted goes away. */
  private store<T extends KubeObject>(def: ResourceDef, r: ResourceDescriptor, next: T): T {
    const m = next.metadata ?? {};
    // A namespace also waits for its spec.finalizers (namespaces/finalize clears them), as upstream.
    const namespaceFinalizers = def.kind === 'Namespace' ? ((field(next, 'spec') as { finalizers?: string[] } | undefined)?.finalizers ?? []) : [];
    if (m.deletionTimestamp !== undefined && (m.finalizers ?? []).length === 0 && namespaceFinalizers.length === 0) {
      this.tracker(r).delete(keyOf(def.namespaced ? (m.namespace ?? '') : '', m.name ?? ''));
      return next;
    }
    if (def.kind !== 'Pod' && JSON.stringify(field(this.peek(r, m.namespace ?? '', m.name ?? ''), 'spec')) !== JSON.stringify(field(next, 'spec'))) {
      next.metadata = { ...m, generation: (m.generation ?? 1) + 1 };
    }
    return this.tracker(r).upsert(next) as T;
  }

  private stamp<T extends KubeObject>(def: ResourceDef, o: T): T {
    o.apiVersion ??= def.group === '' ? def.version : `${def.group}/${def.version}`;
    o.kind ??= def.kind;
    o.metadata = {
      ...o.metadata,
      uid: o.metadata?.uid ?? `uid-${++this.uid}`,
      creationTimestamp: o.metadata?.creationTimestamp ?? new Date(this.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z'),
      ...(def.kind !== 'Pod' ? { generation: o.metadata?.generation ?? 1 } : {}),
    };
    def.defaults?.(o as never);
    return o;
  }

  private async act<T>(action: Action, apply: () => T): Promise<T> {
    this.actions.push(action);
    const i = this.reactors.findIndex((x) => x.verb === action.verb && x.resource === action.resource);
    if (i >= 0) {
      const reactor = this.reactors[i]!;
      reactor.times = (reactor.times ?? 1) - 1;
      if (reactor.times <= 0) this.reactors.splice(i, 1);
      if (reactor.landed === true) apply();
      throw reactor.error;
    }
    return structuredClone(apply());
  }
}
