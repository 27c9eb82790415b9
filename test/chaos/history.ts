// What a chaos run records: the workload's writes, the watcher's events and relists, the faults
// and the processes. Plain data, so the invariant checks are pure functions over it.
import type { FaultKind, FaultStep } from './plan.js';

export type WriteOp = 'create' | 'update' | 'delete';

/**
 * acknowledged: the API answered 2xx. failed: it surely did not happen (a 4xx answer, or the
 * request never left this process). unknown: it may or may not have happened (timeout, connection
 * lost after sending, 5xx).
 */
export type WriteOutcome = 'acknowledged' | 'failed' | 'unknown';

export interface WriteRecord {
  /** Unique per run; also stored in the ConfigMap's data, so the final state names its writer. */
  readonly id: number;
  readonly worker: number;
  /** ConfigMap name. Each key has one writer, which sends one request at a time. */
  readonly key: string;
  readonly op: WriteOp;
  /** ms since the run started. */
  readonly sentAt: number;
  endedAt: number;
  outcome: WriteOutcome;
  /** resourceVersion of an acknowledged create or update. */
  rv?: number;
  /** uid of the object written (create/update answer) or deleted (delete precondition). */
  uid?: string;
  /** resourceVersion precondition of an update or delete. */
  readonly precondition?: number;
  /** The server the client was on when the call ended. */
  server?: string;
  error?: string;
  /** The harness' watchdog fired: no answer well past the client's own deadline. */
  stuck?: boolean;
}

export type WatchEventKind = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchRecord {
  readonly type: WatchEventKind;
  readonly key: string;
  readonly rv: number;
  readonly uid: string;
  /** The writer's id from the object's data, when it carries one. */
  readonly writeId?: number;
  /** ms since the run started. */
  readonly at: number;
  /** Which watch connection delivered it (0 for events made up by a relist). */
  readonly stream: number;
  /** Derived from a relist (diff of the list against the watcher's state), not received. */
  readonly synthetic: boolean;
}

export interface RelistRecord {
  readonly at: number;
  readonly reason: 'initial' | 'gone';
  /** The watcher's resourceVersion before the list: events in (fromRv, listRv] may be missing. */
  readonly fromRv: number;
  readonly listRv: number;
}

export interface WatchHistory {
  readonly events: readonly WatchRecord[];
  readonly relists: readonly RelistRecord[];
  readonly streams: number;
  readonly reconnects: number;
  /** Streams closed by the harness because nothing arrived for a while (a frozen server). */
  readonly idleReconnects: number;
  readonly errors: readonly string[];
  /** The watcher saw the end-of-run fence object. */
  readonly caughtUp: boolean;
}

export interface ObjectState {
  readonly rv: number;
  readonly uid: string;
  readonly writeId?: number;
}

/** The namespace's ConfigMaps at the end, from a consistent list. */
export interface FinalState {
  readonly listRv: number;
  readonly objects: ReadonlyMap<string, ObjectState>;
}

export interface FaultRecord {
  readonly index: number;
  readonly step: FaultStep;
  readonly fault: FaultKind;
  /** Component actually hit (current-apiserver resolved): "etcd-1", "apiserver-0". */
  component?: string;
  /** Its URL (client URL for etcd). */
  url?: string;
  /** The member's incarnation when hit ("pid 123@<start>", "container 3f2a…@<start>"). */
  incarnation?: string;
  /** The incarnation that replaced it (kill, term, restart). */
  newIncarnation?: string;
  /** ms since the run started. */
  injectedAt?: number;
  /** SIGCONT (freeze) or the old process' exit (term, restart), ms since the run started. */
  resumedAt?: number;
  /** Time the process needed to exit after SIGTERM. */
  exitMs?: number;
  /** SIGTERM did not stop the process within the grace period, so it was SIGKILLed. */
  termEscalated?: boolean;
  /** From injection to the first successful request through any apiserver. */
  unavailableAnyMs?: number;
  /** From recovery (SIGCONT, exit, kill) to the first success through the faulted component. */
  unavailableFaultedMs?: number;
  /** From injection until every component was back and healthy. */
  recoveredMs?: number;
  /** Allowed unavailability for this fault (the bound plus the launcher's restart backoff). */
  boundAnyMs?: number;
  boundFaultedMs?: number;
  /** A node removed for good: the Node object it had registered. */
  removedNode?: string;
  /** What the cluster made of the removed node by the end of the run (no node lifecycle controller yet). */
  afterRemoval?: string;
  /** Why the fault was not injected. */
  skipped?: string;
  error?: string;
}

/** Something the cluster ran: a process ("pid 123") or a container ("container 3f2a9c01b2d4"). */
export interface ProcessRecord {
  readonly name: string;
  readonly id: string;
}

export interface LeakCheck {
  readonly tracked: readonly ProcessRecord[];
  readonly leaked: readonly ProcessRecord[];
}

/** The kube-scheduler Lease at one revision. */
export interface LeaseRecord {
  readonly rv: number;
  readonly holder: string;
  readonly transitions: number;
}

/** A pod of the scheduling trickle, bound at revision `rv` by `binder` (from its Scheduled event). */
export interface BindingRecord {
  readonly pod: string;
  readonly node: string;
  readonly rv: number;
  readonly at: number;
  readonly binder?: string;
}

export interface LeaderHistory {
  readonly leases: readonly LeaseRecord[];
  readonly bindings: readonly BindingRecord[];
  readonly created: number;
  /** Pods created and acknowledged that no scheduler bound by the end of the run. */
  readonly unbound: readonly string[];
}

/** What one Deployment was asked for and what it reached. */
export interface DeploymentRecord {
  readonly name: string;
  /** Every replicas value the run sent (acknowledged or not: a lost reply may still have applied). */
  readonly replicasSent: readonly number[];
  readonly changes: number;
  /** ms after the faults stopped when it had converged; undefined if it never did within the bound. */
  readonly convergedAfterMs?: number;
  /** Its state when the check gave up or succeeded. */
  readonly last: string;
  /** The most pods it ran at once (from the watch) and the bound they had to stay within. */
  readonly peakPods: number;
  readonly podBound: number;
  /** The pods alive at that peak, with their owners and creation times. */
  readonly peakPodNames?: readonly string[];
}

export interface DeploymentHistory {
  readonly boundMs: number;
  readonly deployments: readonly DeploymentRecord[];
  readonly standIn: { readyWrites: number; errors: number };
  /** With real kubelets: each pod container's runs as its statuses showed them (restart count, container ID). */
  readonly containers?: readonly ContainerRuns[];
}

/** One Job the run started and what it counted. */
export interface JobRecord {
  readonly name: string;
  readonly indexed: boolean;
  /** ms after the faults stopped when it had met its success criteria with nothing left uncounted. */
  readonly doneAfterMs?: number;
  /** Every create failed (a reply lost and the Job not made): nothing to judge. */
  readonly neverCreated?: boolean;
  readonly last: string;
  readonly succeeded: number;
  readonly failed: number;
  /** Its pods that succeeded (distinct indexes when Indexed). */
  readonly succeededPods: number;
  readonly completedIndexes: string;
}

export interface JobHistory {
  readonly boundMs: number;
  readonly completions: number;
  readonly jobs: readonly JobRecord[];
}

/** What one StatefulSet was asked for and what it reached. */
export interface StatefulSetRecord {
  readonly name: string;
  readonly policy: string;
  readonly replicasSent: readonly number[];
  readonly changes: number;
  readonly convergedAfterMs?: number;
  readonly last: string;
}

export interface StatefulSetHistory {
  readonly boundMs: number;
  readonly sets: readonly StatefulSetRecord[];
  /** Pod names the watch saw held (each a pod identity at one time). */
  readonly podsSeen: number;
  /** A pod seen while another pod of the same name was not deleted yet: two pods of one ordinal. */
  readonly overlaps: readonly string[];
}

export interface DaemonSetHistory {
  readonly boundMs: number;
  readonly name: string;
  /** False when every create failed: nothing to judge. */
  readonly created: boolean;
  readonly changes: number;
  readonly convergedAfterMs?: number;
  readonly last: string;
}

/** A container of a pod as its status showed it once: its restart count and ID. */
export interface ContainerRun {
  readonly restartCount: number;
  readonly containerId: string;
  /** Its predecessor never started (no startedAt): the runtime died while starting it. */
  readonly previousNeverStarted?: boolean;
}

export interface ContainerRuns {
  /** namespace/pod (uid) container */
  readonly container: string;
  readonly runs: readonly ContainerRun[];
}
