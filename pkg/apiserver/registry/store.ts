// The generic store of one resource type on etcd: keys, encoding, optimistic concurrency,
// consistent and cached lists with paging, and watches served from the watch cache.
import type { KubeObject, ResourceDef } from '../../api/registry.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  gone,
  notFound,
  OBJECT_MODIFIED,
  type QualifiedResource,
} from '../../api/errors.js';
import { CasFailedError, CompactedError, type EtcdStore, type StoredValue } from '../storage/etcd.js';
import { ResourceCache, type CacheWatcher, type ObjectFilter, type WatchCacheSet } from '../watchcache.js';

export interface ListOptions {
  readonly filter: ObjectFilter;
  /** True when filter accepts everything in the namespace (enables remainingItemCount). */
  readonly unfiltered: boolean;
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: string;
}

export interface ListResult {
  readonly items: KubeObject[];
  readonly resourceVersion: string;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

interface ContinueToken {
  readonly v: string;
  readonly rv: number;
  readonly start: string;
}

export function registryPrefix(def: Pick<ResourceDef, 'group' | 'plural'>): string {
  return `/registry/${def.group === '' ? 'core' : def.group}/${def.plural}/`;
}

export function decodeStored(kv: StoredValue): KubeObject {
  const obj = JSON.parse(kv.value.toString()) as KubeObject;
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(kv.modRevision) };
  return obj;
}

export function encodeStored(obj: KubeObject): Buffer {
  const meta = { ...(obj.metadata ?? {}) };
  delete meta.resourceVersion;
  return Buffer.from(JSON.stringify({ ...obj, metadata: meta }));
}

const TOO_OLD_CONTINUE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

export class ResourceStore {
  readonly prefix: string;
  readonly qualified: QualifiedResource;
  readonly cache: ResourceCache;

  /** Stored form to served form; the identity except for kinds stored as another kind. */
  private readonly view: (obj: KubeObject) => KubeObject;
  private readonly toStored: (obj: KubeObject) => KubeObject;

  constructor(
    readonly def: ResourceDef,
    private readonly etcd: EtcdStore,
    private readonly caches: WatchCacheSet,
    cacheOpts: { capacity: number; maxEventBytes?: number; watcherQueueLimit: number },
  ) {
    const storedAs = def.storedAs;
    this.prefix = registryPrefix(storedAs ?? def);
    this.qualified = { group: def.group, resource: def.plural };
    // Two views of one storage share one cache (one etcd watch feeds both).
    const existing = caches.cacheFor(this.prefix);
    this.cache = existing ?? new ResourceCache({ prefix: this.prefix, decode: decodeStored, ...cacheOpts });
    if (!existing) caches.add(this.cache);
    if (storedAs) {
      // Each stored object is converted once, however many watchers and lists read it.
      const converted = new WeakMap<KubeObject, KubeObject>();
      this.view = (o) => {
        let v = converted.get(o);
        if (!v) {
          v = storedAs.fromStored(o);
          converted.set(o, v);
        }
        return v;
      };
      this.toStored = (o) => storedAs.toStored(o);
    } else {
      this.view = (o) => o;
      this.toStored = (o) => o;
    }
  }

  key(namespace: string | undefined, name: string): string {
    return this.def.namespaced ? `${this.prefix}${namespace ?? ''}/${name}` : `${this.prefix}${name}`;
  }

  private scopePrefix(namespace: string | undefined): string {
    return this.def.namespaced && namespace ? `${this.prefix}${namespace}/` : this.prefix;
  }

  async get(namespace: string | undefined, name: string): Promise<KubeObject> {
    const kv = await this.etcd.get(this.key(namespace, name));
    if (!kv) throw notFound(this.qualified, name);
    return this.view(decodeStored(kv));
  }

  async getStored(namespace: string | undefined, name: string): Promise<StoredValue | undefined> {
    return this.etcd.get(this.key(namespace, name));
  }

  /** Reads from the watch cache (may be slightly stale); for admission checks and RV=0 reads. */
  getCached(namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.cache.objects.get(this.key(namespace, name));
    return o ? this.view(o) : undefined;
  }

  async create(obj: KubeObject, extra: { puts?: { key: string; value: Buffer }[] } = {}): Promise<KubeObject> {
    const meta = obj.metadata ?? {};
    const key = this.key(meta.namespace, meta.name ?? '');
    const value = encodeStored(this.toStored(obj));
    try {
      const rev = await this.etcd.createAll([{ key, value }, ...(extra.puts ?? [])]);
      return { ...obj, metadata: { ...meta, resourceVersion: String(rev) } };
    } catch (err) {
      if (err instanceof CasFailedError) {
        if (err.current?.key === key || extra.puts === undefined || extra.puts.length === 0) throw alreadyExists(this.qualified, meta.name ?? '');
        throw conflict(this.qualified, meta.name ?? '', 'an allocated value is already in use');
      }
      throw err;
    }
  }

  /** Writes `obj` over the stored revision `expected`; a lost race is a 409 Conflict. */
  async update(obj: KubeObject, expected: number, extra: { puts?: { key: string; value: Buffer }[]; deletes?: string[] } = {}): Promise<KubeObject> {
    const meta = obj.metadata ?? {};
    const key = this.key(meta.namespace, meta.name ?? '');
    try {
      const rev = await this.etcd.update(key, encodeStored(this.toStored(obj)), expected, { ...extra, mustNotExist: extra.puts?.map((p) => p.key) ?? [] });
      return { ...obj, metadata: { ...meta, resourceVersion: String(rev) } };
    } catch (err) {
      if (err instanceof CasFailedError) {
        if (!err.current) throw notFound(this.qualified, meta.name ?? '');
        throw conflict(this.qualified, meta.name ?? '', OBJECT_MODIFIED);
      }
      throw err;
    }
  }

  /** Removes the object if it is still at revision `expected`. Returns the revision of the delete. */
  async remove(namespace: string | undefined, name: string, expected: number, alsoDelete: string[] = []): Promise<number> {
    try {
      return await this.etcd.delete(this.key(namespace, name), expected, alsoDelete);
    } catch (err) {
      if (err instanceof CasFailedError) {
        if (!err.current) throw notFound(this.qualified, name);
        throw conflict(this.qualified, name, OBJECT_MODIFIED);
      }
      throw err;
    }
  }

  async list(namespace: string | undefined, opts: ListOptions): Promise<ListResult> {
    const rv = opts.resourceVersion ?? '';
    const match = opts.resourceVersionMatch ?? '';
    if (match !== '' && match !== 'NotOlderThan' && match !== 'Exact') {
      throw badRequest(`resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`);
    }
    if (match !== '' && rv === '') throw badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
    if (opts.continue) return this.listFromEtcd(namespace, opts);
    if (rv !== '' && !/^\d+$/.test(rv)) throw badRequest(`invalid resource version: "${rv}"`);
    if (match === 'Exact') return this.listFromEtcd(namespace, { ...opts, exactRevision: Number(rv) });
    if (rv === '0') return this.listFromCache(namespace, opts);
    if (rv !== '') {
      await this.caches.waitFresh(Number(rv));
      return this.listFromCache(namespace, opts);
    }
    if (opts.limit !== undefined && opts.limit > 0) return this.listFromEtcd(namespace, opts);
    // A consistent read: the cache must have seen the store's current revision.
    await this.caches.waitFresh(await this.etcd.currentRevision());
    return this.listFromCache(namespace, opts);
  }

  private listFromCache(namespace: string | undefined, opts: ListOptions): ListResult {
    const prefix = this.scopePrefix(namespace);
    const matched: [string, KubeObject][] = [];
    for (const [key, stored] of this.cache.objects) {
      if (!key.startsWith(prefix)) continue;
      const obj = this.view(stored);
      if (opts.filter(obj)) matched.push([key, obj]);
    }
    // In etcd key order, as a list from etcd comes. A plain comparison: localeCompare (ICU) took
    // hundreds of milliseconds for a few thousand keys, holding the event loop the whole time.
    matched.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return { items: matched.map(([, obj]) => obj), resourceVersion: String(this.caches.revision) };
  }

  private async listFromEtcd(namespace: string | undefined, opts: ListOptions & { exactRevision?: number }): Promise<ListResult> {
    const prefix = this.scopePrefix(namespace);
    let revision = opts.exactRevision ?? 0;
    let start = prefix;
    if (opts.continue) {
      const token = decodeContinue(opts.continue);
      start = prefix + token.start;
      // -1 is the token an expired one is answered with: the rest of the list, at the latest revision.
      revision = token.rv === -1 ? 0 : token.rv;
    }
    const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : 0;
    const items: KubeObject[] = [];
    let lastKey: string | undefined;
    let hasMore = false;
    let remaining: number | undefined;
    try {
      while (true) {
        // One key past what we need tells whether more follow.
        const res = await this.etcd.range(prefix, { start, limit: limit === 0 ? 0 : limit - items.length + 1, revision });
        if (revision === 0) revision = res.revision;
        let i = 0;
        for (; i < res.kvs.length; i++) {
          const kv = res.kvs[i]!;
          if (limit > 0 && items.length >= limit) break;
          const obj = this.view(decodeStored(kv));
          lastKey = kv.key;
          if (opts.filter(obj)) items.push(obj);
        }
        const leftInBatch = i < res.kvs.length;
        if (limit > 0 && items.length >= limit) {
          hasMore = leftInBatch || res.more;
          if (hasMore && opts.unfiltered) remaining = res.count - i;
          break;
        }
        if (!res.more || res.kvs.length === 0) break;
        start = res.kvs[res.kvs.length - 1]!.key + '\x00';
      }
    } catch (err) {
      if (err instanceof CompactedError) {
        if (opts.continue) {
          // The Status carries a token for the rest of the list at the latest revision, as its message says.
          const expired = gone(TOO_OLD_CONTINUE);
          (expired.status as { metadata: Record<string, unknown> }).metadata = { continue: encodeContinue({ v: CONTINUE_VERSION, rv: -1, start: start.slice(prefix.length) }) };
          throw expired;
        }
        throw gone(`too old resource version: ${revision}`);
      }
      if (revision > 0 && revision > (await this.etcd.currentRevision().catch(() => Infinity))) {
        throw badRequest(opts.continue ? `continue key is not valid: resource version ${revision} is in the future` : `too large resource version: ${revision}`);
      }
      throw err;
    }
    const result: { items: KubeObject[]; resourceVersion: string; continue?: string; remainingItemCount?: number } = {
      items,
      resourceVersion: String(revision),
    };
    if (hasMore && lastKey !== undefined) {
      result.continue = encodeContinue({ v: CONTINUE_VERSION, rv: revision, start: lastKey.slice(prefix.length) + '\x00' });
      if (remaining !== undefined) result.remainingItemCount = remaining;
    }
    return result;
  }

  /**
   * Starts a watch from the cache. `resourceVersion` "" means "current state, then changes"
   * (after catching up with the store), "0" the cached state, N the changes after N.
   */
  async watch(namespace: string | undefined, filter: ObjectFilter, resourceVersion: string, sendInitialEvents: boolean): Promise<CacheWatcher> {
    const prefix = this.scopePrefix(namespace);
    const scoped: ObjectFilter = (o) => this.key(o.metadata?.namespace, o.metadata?.name ?? '').startsWith(prefix) && filter(o);
    if (resourceVersion !== '' && !/^\d+$/.test(resourceVersion)) throw badRequest(`invalid resource version: "${resourceVersion}"`);
    if (resourceVersion === '') {
      await this.caches.waitFresh(await this.etcd.currentRevision());
      return this.cache.watch(0, this.caches.revision, scoped, true, this.view);
    }
    if (resourceVersion === '0') {
      await this.caches.start();
      return this.cache.watch(0, this.caches.revision, scoped, true, this.view);
    }
    const rv = Number(resourceVersion);
    await this.caches.waitFresh(rv);
    return this.cache.watch(rv, this.caches.revision, scoped, sendInitialEvents, this.view);
  }
}

const CONTINUE_VERSION = 'meta.k8s.io/v1';

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

/**
 * Reads a continue token with upstream's checks and words: a revision that is not a positive
 * integer (or -1), an empty start, or a start that climbs out of the listed prefix is a 400, never
 * an empty list that looks complete.
 */
function decodeContinue(s: string): ContinueToken {
  const invalidToken = (why: string): never => {
    throw badRequest(`continue key is not valid: ${why}`);
  };
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(s)) invalidToken('illegal base64 data');
  let t: Partial<Record<keyof ContinueToken, unknown>>;
  try {
    t = JSON.parse(Buffer.from(s, 'base64url').toString()) as Partial<Record<keyof ContinueToken, unknown>>;
  } catch (err) {
    return invalidToken(err instanceof Error ? err.message : String(err));
  }
  if (typeof t !== 'object' || t === null) return invalidToken('the token is not an object');
  if (t.v !== CONTINUE_VERSION) return invalidToken(`server does not recognize this encoded version ${JSON.stringify(t.v)}`);
  const rv = t.rv;
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || (rv <= 0 && rv !== -1)) return invalidToken(`incorrect encoded start resourceVersion (version ${CONTINUE_VERSION})`);
  if (typeof t.start !== 'string' || t.start === '') return invalidToken(`encoded start key empty (version ${CONTINUE_VERSION})`);
  if (t.start.startsWith('/') || t.start.split('/').some((seg) => seg === '.' || seg === '..')) return invalidToken('the start key leaves the listed prefix');
  return { v: CONTINUE_VERSION, rv, start: t.start };
}
