// What a reflector needs from the API: list and watch one collection. The adapter fixes the
// scope (namespace, selectors) of a ResourceClient so the reflector only deals in versions.
import type { KubeObject, ListOptions, ObjectList, ResourceClient, Selector, WatchOptions } from '../resource.js';
import type { WatchEvent } from '../watch.js';

/** An open watch: iterate once; close() ends it and frees the connection. */
export interface WatchHandle<T> extends AsyncIterable<WatchEvent<T>> {
  close(): void;
}

/** Paging and version options of the reflector's list calls. */
export type ListWatchListOptions = Pick<ListOptions, 'limit' | 'continue' | 'resourceVersion' | 'resourceVersionMatch' | 'signal'>;
/** Version options of the reflector's watch calls. */
export type ListWatchWatchOptions = Pick<WatchOptions, 'resourceVersion' | 'allowWatchBookmarks' | 'timeoutSeconds' | 'signal'>;

export interface ListWatcher<T> {
  list(opts: ListWatchListOptions): Promise<ObjectList<T>>;
  watch(opts: ListWatchWatchOptions): Promise<WatchHandle<T>>;
}

export interface ListWatchScope {
  /** Only this namespace (namespaced types); all namespaces when absent or "". */
  readonly namespace?: string;
  readonly labelSelector?: Selector;
  readonly fieldSelector?: Selector;
}

/** A ListWatcher over a ResourceClient, restricted to a namespace and selectors. */
export function listWatcherFor<T extends KubeObject>(client: ResourceClient<T>, scope: ListWatchScope = {}): ListWatcher<T> {
  const scoped = scope.namespace !== undefined && scope.namespace !== '' ? client.namespace(scope.namespace) : client;
  const selectors = { labelSelector: scope.labelSelector, fieldSelector: scope.fieldSelector };
  return {
    list: (opts) => scoped.list({ ...opts, ...selectors }),
    watch: (opts) => scoped.watch({ ...opts, ...selectors }),
  };
}
