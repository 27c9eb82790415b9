// Garbage collector: a graph of ownerReferences over every resource the API serves (from
// discovery, so a new kind needs no change here), kept by one informer per resource. It deletes
// dependents whose owners are all gone (a dangling reference, or an owner with another uid),
// finishes foreground deletions (dependents first, then the owner's foregroundDeletion finalizer)
// and orphan deletions (dependents released, then the owner's orphan finalizer), as upstream's.
import type { OwnerReference } from '../../api/meta/v1.js';
import type { SharedIndexInformer } from '../../client/informer/shared-informer.js';
import { unwrapTombstone, type DeepReadonly } from '../../client/informer/store.js';
import type { KubeObject } from '../../client/resource.js';
import type { Logger } from 'pino';
import { isNotFound, ReconcileLoop, releasePatch, type Controller, type ControllerContext, type ControllerDefinition, type ObjectClient, type Reconciler, type ReconcileResult } from '../framework/index.js';
import type { DiscoveredResource, Discovery } from '../framework/discovery.js';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';
/** Kinds upstream's collector ignores by default: events are many and never own anything. */
const IGNORED = new Set(['/events', 'events.k8s.io/events']);
/** How often the collector looks for resources the API started serving. */
const REDISCOVER_MS = 30_000;
/** Until every informer synced, how soon to look again. */
const SYNC_WAIT_MS = 250;
/** While a foreground deletion waits for blocking dependents, how soon to look again. */
const FOREGROUND_WAIT_MS = 1_000;

type View = DeepReadonly<KubeObject>;

interface ItemRef {
  readonly resource: DiscoveredResource;
  readonly namespace: string;
  readonly name: string;
}

const resourceId = (r: Pick<DiscoveredResource, 'group' | 'plural'>): string => `${r.group}/${r.plural}`;
const itemKey = (r: DiscoveredResource, namespace: string, name: string): string => `${resourceId(r)}|${namespace}|${name}`;
const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

export class GarbageCollector implements Controller, Reconciler {
  private readonly loop: ReconcileLoop;
  private readonly client: ObjectClient;
  private readonly discovery: Discovery;
  private readonly ctx: ControllerContext;
  private readonly log: Logger;
  private readonly resources = new Map<string, DiscoveredResource>();
  /** group + kind → resource, to resolve an ownerReference (any version of the group). */
  private readonly kinds = new Map<string, DiscoveredResource>();
  private readonly informers = new Map<string, SharedIndexInformer<KubeObject>>();
  /** uid → where the object is. */
  private readonly byUid = new Map<string, ItemRef>();
  /** owner uid → keys of objects naming it in their ownerReferences. */
  private readonly dependents = new Map<string, Set<string>>();
  /** The owners each object named when last seen (to keep `dependents` exact). */
  private readonly ownersOf = new Map<string, readonly string[]>();

  constructor(ctx: ControllerContext) {
    this.ctx = ctx;
    this.client = ctx.client;
    this.discovery = ctx.discovery;
    this.log = ctx.log;
    this.loop = new ReconcileLoop({ name: 'garbagecollector', reconciler: this, workers: ctx.workers, clock: ctx.clock, log: ctx.log });
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.syncMonitors(signal);
    // Work starts once the whole graph is read: an owner's dependents are all known before any
    // foreground deletion could conclude it has none.
    await this.ctx.informers.waitForCacheSync(signal);
    const looping = this.loop.run(signal);
    const timer = setInterval(() => void this.syncMonitors(signal).catch(() => undefined), REDISCOVER_MS);
    timer.unref();
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
    await looping;
  }

  /** Starts an informer for every deletable resource discovery lists that has none yet. */
  private async syncMonitors(signal: AbortSignal): Promise<void> {
    let found: readonly DiscoveredResource[];
    try {
      found = (await this.discovery.preferredResources(signal)).resources;
    } catch (err) {
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'garbage collector: discovery failed; will retry');
      return;
    }
    for (const r of found) {
      this.kinds.set(`${r.group}/${r.kind}`, r);
      const id = resourceId(r);
      if (IGNORED.has(id) || this.informers.has(id)) continue;
      if (!['list', 'watch', 'delete'].every((v) => r.verbs.includes(v))) continue;
      this.resources.set(id, r);
      const informer = this.ctx.informers.forResource<KubeObject>(r);
      this.informers.set(id, informer);
      informer.addEventHandler({
        onAdd: (o) => this.observe(r, o),
        onUpdate: (_old, o) => this.observe(r, o),
        onDelete: (o) => this.forget(r, unwrapTombstone(o)),
      });
    }
    this.ctx.informers.start(signal);
  }

  private observe(r: DiscoveredResource, o: View): void {
    const ns = o.metadata?.namespace ?? '';
    const name = o.metadata?.name ?? '';
    const key = itemKey(r, ns, name);
    const uid = o.metadata?.uid ?? '';
    if (uid !== '') this.byUid.set(uid, { resource: r, namespace: ns, name });
    const owners = (o.metadata?.ownerReferences ?? []).map((ref) => ref.uid ?? '').filter((u) => u !== '');
    this.relink(key, owners);
    // Something to do: owners to check, or a deletion of ours to carry on.
    const finalizers = o.metadata?.finalizers ?? [];
    if (owners.length > 0 || (o.metadata?.deletionTimestamp !== undefined && (finalizers.includes(FOREGROUND_FINALIZER) || finalizers.includes(ORPHAN_FINALIZER)))) this.loop.enqueue(key);
    // An owner waiting in foreground deletion hears about every change of its dependents.
    for (const owner of owners) this.enqueueIfDeletingForeground(owner);
  }

  private forget(r: DiscoveredResource, o: View): void {
    const key = itemKey(r, o.metadata?.namespace ?? '', o.metadata?.name ?? '');
    const uid = o.metadata?.uid ?? '';
    const owners = this.ownersOf.get(key) ?? [];
    this.relink(key, []);
    if (uid !== '') {
      this.byUid.delete(uid);
      // Its dependents may be orphans now.
      for (const dep of this.dependents.get(uid) ?? []) this.loop.enqueue(dep);
    }
    for (const owner of owners) this.enqueueIfDeletingForeground(owner);
  }

  private relink(key: string, owners: readonly string[]): void {
    for (const old of this.ownersOf.get(key) ?? []) {
      const set = this.dependents.get(old);
      set?.delete(key);
      if (set?.size === 0) this.dependents.delete(old);
    }
    if (owners.length === 0) {
      this.ownersOf.delete(key);
      return;
    }
    this.ownersOf.set(key, owners);
    for (const owner of owners) {
      let set = this.dependents.get(owner);
      if (set === undefined) this.dependents.set(owner, (set = new Set()));
      set.add(key);
    }
  }

  private enqueueIfDeletingForeground(ownerUid: string): void {
    const at = this.byUid.get(ownerUid);
    if (at === undefined) return;
    const owner = this.cached(at);
    if (owner?.metadata?.deletionTimestamp !== undefined && (owner.metadata.finalizers ?? []).includes(FOREGROUND_FINALIZER)) this.loop.enqueue(itemKey(at.resource, at.namespace, at.name));
  }

  private cached(at: ItemRef): View | undefined {
    const informer = this.informers.get(resourceId(at.resource));
    const key = at.namespace === '' ? at.name : `${at.namespace}/${at.name}`;
    return informer?.indexer.get(key);
  }

  private parse(key: string): ItemRef | undefined {
    const [id, namespace, name] = key.split('|');
    const resource = this.resources.get(id ?? '');
    return resource === undefined || namespace === undefined || name === undefined ? undefined : { resource, namespace, name };
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const at = this.parse(key);
    if (at === undefined) return;
    // The graph is only complete once every informer listed: a foreground deletion must not
    // see "no dependents" merely because their kind has not been read yet.
    if (![...this.informers.values()].every((i) => i.hasSynced())) return { requeueAfterMs: SYNC_WAIT_MS };
    const item = this.cached(at);
    if (item === undefined) return;
    const finalizers = item.metadata?.finalizers ?? [];
    if (item.metadata?.deletionTimestamp !== undefined) {
      if (finalizers.includes(ORPHAN_FINALIZER)) return this.orphanDependents(at, item);
      if (finalizers.includes(FOREGROUND_FINALIZER)) return this.deleteDependentsFirst(at, item);
    }
    const refs = item.metadata?.ownerReferences ?? [];
    if (refs.length === 0 || item.metadata?.deletionTimestamp !== undefined) return;
    const absent: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    let solid = 0;
    for (const ref of refs as OwnerReference[]) {
      const owner = await this.ownerOf(at, ref);
      if (owner === undefined) absent.push(ref);
      else if (owner.metadata?.deletionTimestamp !== undefined && (owner.metadata.finalizers ?? []).includes(FOREGROUND_FINALIZER)) waiting.push(ref);
      else solid++;
    }
    if (solid === 0 && waiting.length === 0) {
      // Every owner is gone: so is this, its own dependents after it (background).
      await this.remove(at, item, 'Background');
      return;
    }
    if (solid === 0) {
      // Its only owners wait for their dependents to go first: this goes in the foreground too.
      await this.remove(at, item, 'Foreground');
      return;
    }
    // Some owners live: only the references to vanished owners go.
    for (const ref of absent) await this.patchOrGone(at, releasePatch(item, ref.uid ?? ''));
  }

  /** The owner an ownerReference names, if it exists with that uid (cache first, then the API). */
  private async ownerOf(at: ItemRef, ref: OwnerReference): Promise<View | undefined> {
    const known = this.byUid.get(ref.uid ?? '');
    if (known !== undefined) {
      const cached = this.cached(known);
      if (cached?.metadata?.uid === ref.uid) return cached;
    }
    const r = this.kinds.get(`${groupOf(ref.apiVersion ?? '')}/${ref.kind ?? ''}`);
    // A kind the API does not serve can never be an existing owner.
    if (r === undefined) return undefined;
    try {
      const live = await this.client.get<KubeObject>(r, r.namespaced ? at.namespace : '', ref.name ?? '');
      return live.metadata?.uid === ref.uid ? live : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Foreground: delete the dependents; once none that block remain, let the owner go. */
  private async deleteDependentsFirst(at: ItemRef, owner: View): Promise<ReconcileResult | void> {
    const uid = owner.metadata?.uid ?? '';
    let blocking = 0;
    for (const depKey of [...(this.dependents.get(uid) ?? [])]) {
      const dat = this.parse(depKey);
      const dep = dat === undefined ? undefined : this.cached(dat);
      if (dat === undefined || dep === undefined) continue;
      const ref = (dep.metadata?.ownerReferences ?? []).find((r) => r.uid === uid);
      if (ref?.blockOwnerDeletion === true) blocking++;
      if (dep.metadata?.deletionTimestamp === undefined) await this.remove(dat, dep, 'Foreground');
    }
    if (blocking > 0) return { requeueAfterMs: FOREGROUND_WAIT_MS };
    await this.dropFinalizer(at, owner, FOREGROUND_FINALIZER);
  }

  /** Orphan: every dependent forgets this owner, then the owner's orphan finalizer goes. */
  private async orphanDependents(at: ItemRef, owner: View): Promise<void> {
    const uid = owner.metadata?.uid ?? '';
    for (const depKey of [...(this.dependents.get(uid) ?? [])]) {
      const dat = this.parse(depKey);
      const dep = dat === undefined ? undefined : this.cached(dat);
      if (dat === undefined || dep === undefined) continue;
      await this.patchOrGone(dat, releasePatch(dep, uid));
    }
    await this.dropFinalizer(at, owner, ORPHAN_FINALIZER);
  }

  private async dropFinalizer(at: ItemRef, obj: View, finalizer: string): Promise<void> {
    const rest = (obj.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
    // Guarded by the resourceVersion: a finalizer someone added meanwhile is never dropped.
    await this.patchOrGone(at, { metadata: { finalizers: rest.length > 0 ? rest : null, resourceVersion: obj.metadata?.resourceVersion } }, 'merge');
  }

  private async remove(at: ItemRef, obj: View, propagationPolicy: 'Background' | 'Foreground'): Promise<void> {
    try {
      await this.client.delete(at.resource, at.namespace, at.name, { propagationPolicy, preconditions: { uid: obj.metadata?.uid ?? '' } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async patchOrGone(at: ItemRef, patch: unknown, type: 'strategic' | 'merge' = 'strategic'): Promise<void> {
    try {
      await this.client.patch(at.resource, at.namespace, at.name, patch, type);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** For tests: the dependents the graph knows of an owner. */
  dependentsOf(uid: string): string[] {
    return [...(this.dependents.get(uid) ?? [])].sort();
  }

  /** For tests and health: the resources under watch. */
  monitored(): string[] {
    return [...this.resources.keys()].sort();
  }
}

export const garbageCollectorControllerDefinition: ControllerDefinition = {
  name: 'garbage-collector-controller',
  aliases: ['garbagecollector'],
  workers: { flag: 'concurrent-gc-syncs', default: 20 },
  create: (ctx) => new GarbageCollector(ctx),
};
