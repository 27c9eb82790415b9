// The informer's local cache: objects keyed "namespace/name" (or "name" when cluster-scoped),
// with secondary indexes. Stored objects are deep-frozen and shared by every reader: copy them
// with structuredClone before changing anything.
import type { KubeObject } from '../resource.js';

/** A read-only view of T, all the way down: what caches and handlers hand out. */
export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer E)[]
    ? readonly DeepReadonly<E>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** Maps an object to the index values it is found under (several, or none). */
export type IndexFunc<T> = (obj: DeepReadonly<T>) => readonly string[];
export type Indexers<T> = Readonly<Record<string, IndexFunc<T>>>;

/** Name of the built-in index of objects by namespace. */
export const NAMESPACE_INDEX = 'namespace';

export function namespaceIndexFunc(obj: DeepReadonly<KubeObject>): readonly string[] {
  const ns = obj.metadata?.namespace;
  return ns === undefined || ns === '' ? [] : [ns];
}

/** "namespace/name" for namespaced objects, "name" otherwise. */
export function metaNamespaceKey(obj: DeepReadonly<KubeObject>): string {
  const name = obj.metadata?.name;
  if (name === undefined || name === '') throw new Error('object has no metadata.name, so it has no cache key');
  const ns = obj.metadata?.namespace;
  return ns === undefined || ns === '' ? name : `${ns}/${name}`;
}

/** The inverse of metaNamespaceKey. */
export function splitMetaNamespaceKey(key: string): { namespace: string; name: string } {
  const parts = key.split('/');
  if (parts.length === 1) return { namespace: '', name: parts[0]! };
  if (parts.length === 2) return { namespace: parts[0]!, name: parts[1]! };
  throw new Error(`unexpected key format: "${key}"`);
}

/**
 * Handed to onDelete instead of the object when the informer missed the delete itself (it
 * learned of it by relisting): `obj` is the last state the cache knew, possibly stale.
 */
export class DeletedFinalStateUnknown<T> {
  constructor(
    readonly key: string,
    readonly obj: DeepReadonly<T>,
  ) {}
}

/** The object of a delete notification, whether a tombstone or not. */
export function unwrapTombstone<T>(obj: DeepReadonly<T> | DeletedFinalStateUnknown<T>): DeepReadonly<T> {
  return obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
}

/** Key of an object or of a tombstone. */
export function deletionHandlingKey<T extends KubeObject>(obj: DeepReadonly<T> | DeletedFinalStateUnknown<T>): string {
  return obj instanceof DeletedFinalStateUnknown ? obj.key : metaNamespaceKey(obj);
}

/** Freezes `obj` and everything reachable from it, in place, and returns it typed read-only. */
export function deepFreeze<T>(obj: T): DeepReadonly<T> {
  if (typeof obj === 'object' && obj !== null && !Object.isFrozen(obj)) {
    Object.freeze(obj);
    for (const v of Object.values(obj)) deepFreeze(v);
  }
  return obj as DeepReadonly<T>;
}

/** The reading side of a cache; what listers and controllers depend on. */
export interface Store<T> {
  get(key: string): DeepReadonly<T> | undefined;
  list(): DeepReadonly<T>[];
  listKeys(): string[];
  /** Objects whose index function yields `value`; throws for an unknown index. */
  byIndex(indexName: string, value: string): DeepReadonly<T>[];
  /** Keys of the objects under `value` in the index. */
  indexKeys(indexName: string, value: string): string[];
  hasIndex(indexName: string): boolean;
}

/**
 * A keyed store with indexes. Writes come from the informer only; objects are frozen as they go
 * in. The namespace index is always present.
 */
export class Indexer<T extends KubeObject> implements Store<T> {
  private readonly items = new Map<string, DeepReadonly<T>>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name → index value → keys. */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Indexers<T> = {}) {
    this.addIndexers({ [NAMESPACE_INDEX]: namespaceIndexFunc, ...indexers });
  }

  /** Adds indexes (also on a filled store: they are built at once). A name may not be reused for another function. */
  addIndexers(indexers: Indexers<T>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      const existing = this.indexers.get(name);
      if (existing === fn) continue;
      if (existing !== undefined) throw new Error(`indexer conflict: an index named "${name}" already exists`);
      this.indexers.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      for (const [key, obj] of this.items) addToIndex(index, fn(obj), key);
    }
  }

  hasIndex(indexName: string): boolean {
    return this.indexers.has(indexName);
  }

  get(key: string): DeepReadonly<T> | undefined {
    return this.items.get(key);
  }

  list(): DeepReadonly<T>[] {
    return [...this.items.values()];
  }

  listKeys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  byIndex(indexName: string, value: string): DeepReadonly<T>[] {
    return this.indexKeys(indexName, value).map((k) => this.items.get(k)!);
  }

  indexKeys(indexName: string, value: string): string[] {
    const index = this.indices.get(indexName);
    if (index === undefined) throw new Error(`Index with name ${indexName} does not exist`);
    return [...(index.get(value) ?? [])];
  }

  /** Stores (and freezes) `obj` under its key; returns the object it replaced. */
  set(obj: T | DeepReadonly<T>): { key: string; old: DeepReadonly<T> | undefined; stored: DeepReadonly<T> } {
    const stored = deepFreeze(obj) as DeepReadonly<T>;
    const key = metaNamespaceKey(stored);
    const old = this.items.get(key);
    if (old !== undefined) this.unindex(key, old);
    this.items.set(key, stored);
    for (const [name, fn] of this.indexers) addToIndex(this.indices.get(name)!, fn(stored), key);
    return { key, old, stored };
  }

  /** Removes the object under `key`; returns it. */
  delete(key: string): DeepReadonly<T> | undefined {
    const old = this.items.get(key);
    if (old === undefined) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  private unindex(key: string, obj: DeepReadonly<T>): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      for (const v of fn(obj)) {
        const keys = index.get(v);
        if (keys === undefined) continue;
        keys.delete(key);
        if (keys.size === 0) index.delete(v);
      }
    }
  }
}

function addToIndex(index: Map<string, Set<string>>, values: readonly string[], key: string): void {
  for (const v of values) {
    let keys = index.get(v);
    if (keys === undefined) {
      keys = new Set();
      index.set(v, keys);
    }
    keys.add(key);
  }
}
