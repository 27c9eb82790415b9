// Public surface of the REST client.
export { RestClient, encodeQuery } from './rest.js';
export type { CallOptions, Credentials, QueryValue, RawRequest, RawResponse, ResponseStream, RestClientOptions } from './rest.js';
export { PATCH_CONTENT_TYPES, ResourceClient, resourcePath, selectorString } from './resource.js';
export type {
  DeleteCallOptions,
  DeleteCollectionOptions,
  FieldValidation,
  GetOptions,
  KubeObject,
  ListOptions,
  ObjectList,
  PatchOptions,
  PatchType,
  ResourceDescriptor,
  Scale,
  Selector,
  WatchOptions,
  WriteOptions,
} from './resource.js';
export { WatchStream, decodeWatchLine, decodeWatchStream, throwIfGone } from './watch.js';
export type { WatchEvent, WatchEventType } from './watch.js';
export { ConnectionError, WatchDecodeError, errorFromResponse, parseRetryAfter } from './errors.js';
export type { RequestSubject } from './errors.js';
export { Backoff, backoffDelay, defaultRetryPolicy, isTransientError, resolvePolicy, retry, retryAfterMs, sleep } from './retry.js';
export type { RetryDecision, RetryOptions, RetryPolicy, Sleep } from './retry.js';
export { linkSignals } from './signals.js';
export type { LinkedSignal } from './signals.js';
export {
  KubeconfigError,
  SERVERS_EXTENSION,
  SERVICE_ACCOUNT_DIR,
  inClusterConfig,
  kubeconfigPaths,
  loadKubeconfig,
  mergeKubeconfigs,
  parseKubeconfig,
  readKubeconfig,
  resolveKubeconfig,
} from './kubeconfig.js';
export type { InClusterOptions, Kubeconfig, KubeconfigCluster, KubeconfigContext, KubeconfigUser, LoadOptions, Named, ResolvedKubeconfig } from './kubeconfig.js';
export type { TlsOptions } from './transport.js';
