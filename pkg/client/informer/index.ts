// Public surface of informers, listers and their cache.
export { SharedInformerFactory, informerKey } from './factory.js';
export type { InformerRequest, SharedInformerFactoryOptions } from './factory.js';
export { Lister, NamespaceLister } from './lister.js';
export type { ListerSelector } from './lister.js';
export { listWatcherFor } from './list-watch.js';
export type { ListWatcher, ListWatchListOptions, ListWatchScope, ListWatchWatchOptions, WatchHandle } from './list-watch.js';
export { REFLECTOR_BACKOFF, Reflector, silentLogger } from './reflector.js';
export type { InformerLogger, ReflectorOptions, ReflectorSink } from './reflector.js';
export { MIN_RESYNC_PERIOD_MS, SharedIndexInformer } from './shared-informer.js';
export type { HandlerOptions, HandlerRegistration, ResourceEventHandler, SharedIndexInformerOptions } from './shared-informer.js';
export {
  DeletedFinalStateUnknown,
  Indexer,
  NAMESPACE_INDEX,
  deepFreeze,
  deletionHandlingKey,
  metaNamespaceKey,
  namespaceIndexFunc,
  splitMetaNamespaceKey,
  unwrapTombstone,
} from './store.js';
export type { DeepReadonly, IndexFunc, Indexers, Store } from './store.js';
export { waitForCacheSync } from './wait.js';
export { MUTATION_TTL_MS, MutationCache } from './mutation-cache.js';
