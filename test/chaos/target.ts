// What the fault injector needs from a cluster, whatever runs it: the local launcher's processes
// or the compose file's containers. One implementation per kind (local.ts, compose.ts).
import type { LeakCheck } from './history.js';
import type { FaultKind } from './plan.js';

/** Components that run as leader-elected replicas. */
export type LeaderKind = 'scheduler' | 'controller-manager';

/** `runtime`: a node's containerd (its containers outlive it). */
export type MemberKind = 'etcd' | 'apiserver' | LeaderKind | 'kubelet' | 'runtime';

/** One etcd member or apiserver replica, as it is right now. */
export interface Member {
  /** Plan name: etcd-0, apiserver-1, scheduler-0, node-1 (a kubelet) ... */
  readonly name: string;
  readonly kind: MemberKind;
  /** Its own URL (etcd client URL, apiserver URL, scheduler or kubelet health URL), reachable from the harness. */
  readonly url: string;
  /** Changes whenever the member is started again: "pid 123@<start time>", "container abc@<start>". */
  readonly incarnation: string;
  /** Times the supervisor restarted it so far. */
  readonly restarts: number;
}

export interface InjectOptions {
  /** How long a freeze or network cut lasts. */
  readonly durationMs: number;
  /** How long a SIGTERMed member may take to exit before it is killed. */
  readonly termGraceMs: number;
  readonly signal: AbortSignal;
}

export interface InjectResult {
  /** The member was let go again: thawed, reconnected, or its old incarnation exited (ms since the run started). */
  readonly resumedAt?: number;
  /** How long the member took to exit after SIGTERM. */
  readonly exitMs?: number;
  /** SIGTERM was not enough: it was killed after the grace period. */
  readonly termEscalated?: boolean;
  /** The fault ends with a new incarnation (a restart), not the same one resumed. */
  readonly expectNew: boolean;
  /** The member is gone for good (a removed node): the Node object's name it registered. */
  readonly removedNode?: string;
}

export interface ChaosCluster {
  readonly kind: 'local' | 'compose';
  /** Where it runs: the launcher's directory or the compose project. */
  readonly where: string;
  /** The faults this kind of cluster can inject. */
  readonly faultKinds: readonly FaultKind[];
  /** The servers the workload's clients are given (every apiserver, or the load balancer). */
  readonly clientServers: readonly string[];
  members(): Promise<Member[]>;
  /** The apiserver member behind the client's current server, for the current-apiserver target. */
  currentApiserver(clientServer: string): Promise<string | undefined>;
  /** The `kind` member whose identity holds the Lease `holderIdentity`, for the *-leader targets. */
  leaderFor(kind: LeaderKind, holderIdentity: string): Promise<string | undefined>;
  /** Injects one fault and returns when it has been let go (or the member exited). */
  inject(fault: FaultKind, member: Member, now: () => number, opts: InjectOptions): Promise<InjectResult>;
  /** Extra time the supervisor waits before starting the member again after this fault. */
  restartDelayMs(member: Member, fault: FaultKind): number;
  /** "name: why" for each member not healthy now; empty when the whole cluster is healthy. */
  unhealthy(): Promise<string[]>;
  /** Lets go of every frozen or cut member (cleanup on any path). */
  release(): Promise<void>;
  /** Stops everything and reports what outlived it. */
  stop(log: (line: string) => void): Promise<LeakCheck>;
}
