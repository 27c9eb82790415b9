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
export { FakeClock, realClock } from './clock.js';
export type { Clock, Timer } from './clock.js';
export * from './informer/index.js';
export * from './workqueue/index.js';
export { LeaderElector } from './leaderelection/leaderelection.js';
export type { ElectionEvent, ElectionOutcome, LeaderElectionOptions } from './leaderelection/leaderelection.js';
export { LEADER_ELECTION_DEFAULTS, LeaderElectionFlagError, leaderElectionOptions, leaderElectionUsage, parseLeaderElectionFlags } from './leaderelection/flags.js';
export type { LeaderElectionFlags } from './leaderelection/flags.js';
