// Fault injection, one fault at a time, against any ChaosCluster (processes or containers). Each
// fault measures how long the API was unavailable and waits until the cluster is healthy again
// before it returns.
import type { FaultRecord } from './history.js';
import { CONTROLLER_MANAGER_LEADER, CURRENT_APISERVER, SCHEDULER_LEADER, type FaultStep } from './plan.js';
import { apiserverReady, etcdHealthy, kubeletHealthy, probeApiserver, runtimeHealthy } from './cluster.js';
import { sleep } from './sleep.js';
import type { ChaosCluster, LeaderKind, Member, MemberKind } from './target.js';

export interface FaultContext {
  readonly cluster: ChaosCluster;
  readonly namespace: string;
  /** ms since the run started. */
  readonly now: () => number;
  /** The workload client's current server URL. */
  readonly currentServer: () => string;
  /** The holder of a kube-system Lease now ("kube-scheduler", "kube-controller-manager"), read through the API. */
  readonly leaseHolder: (lease: string) => Promise<string | undefined>;
  /** Allowed unavailability after a fault (the supervisor's restart delay is added for the faulted member). */
  readonly boundMs: number;
  /** How long to wait for the whole cluster to be healthy again. */
  readonly recoveryTimeoutMs: number;
  /** How long a SIGTERMed member may take to exit before it is killed. */
  readonly termGraceMs: number;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
}

const PROBE_EVERY_MS = 100;
const PROBE_TIMEOUT_MS = 2_000;
const MAX_PROBES_IN_FLIGHT = 8;

/**
 * Probes the API (every client server and every apiserver) and the faulted member every 100 ms
 * from injection on, and keeps the first success of a request started after injection (any
 * server) and after the recovery point (the faulted member, whose URL may change when it comes
 * back, e.g. a container reconnected to its network).
 */
class AvailabilityProbe {
  firstAny: number | undefined;
  firstFaulted: number | undefined;
  private recoveryPoint: number | undefined;
  private readonly inFlight = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly servers: readonly string[],
    private readonly faulted: { kind: MemberKind; url: string },
    private readonly namespace: string,
    private readonly now: () => number,
    private readonly injectedAt: number,
  ) {}

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), PROBE_EVERY_MS);
  }

  recoveredAt(t: number, url: string): void {
    this.recoveryPoint = t;
    this.faulted.url = url;
  }

  get done(): boolean {
    return this.firstAny !== undefined && this.firstFaulted !== undefined;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private launch(target: string, probe: () => Promise<boolean>, onOk: (startedAt: number, at: number) => void): void {
    const n = this.inFlight.get(target) ?? 0;
    if (n >= MAX_PROBES_IN_FLIGHT) return;
    this.inFlight.set(target, n + 1);
    const startedAt = this.now();
    void probe().then((ok) => {
      this.inFlight.set(target, (this.inFlight.get(target) ?? 1) - 1);
      if (ok) onOk(startedAt, this.now());
    });
  }

  private tick(): void {
    if (this.firstAny === undefined) {
      for (const server of this.servers) {
        if (server === this.faulted.url) continue;
        this.launch(server, () => probeApiserver(server, this.namespace, PROBE_TIMEOUT_MS), (startedAt, at) => {
          if (startedAt >= this.injectedAt && (this.firstAny === undefined || at < this.firstAny)) this.firstAny = at;
        });
      }
    }
    if (this.firstFaulted === undefined && this.faulted.url !== '') {
      const { kind, url } = this.faulted;
      const probe =
        kind === 'etcd' ? () => etcdHealthy(url, PROBE_TIMEOUT_MS)
        : kind === 'scheduler' || kind === 'controller-manager' ? () => apiserverReady(url, PROBE_TIMEOUT_MS)
        : kind === 'kubelet' ? () => kubeletHealthy(url, PROBE_TIMEOUT_MS)
        : kind === 'runtime' ? () => runtimeHealthy(url, PROBE_TIMEOUT_MS)
        : () => probeApiserver(url, this.namespace, PROBE_TIMEOUT_MS);
      this.launch(url, probe, (startedAt, at) => {
        // An apiserver that answers is also "the API answers".
        if (kind === 'apiserver' && startedAt >= this.injectedAt && (this.firstAny === undefined || at < this.firstAny)) this.firstAny = at;
        this.faultedOk(startedAt, at);
      });
    }
  }

  private faultedOk(startedAt: number, at: number): void {
    if (this.recoveryPoint === undefined || startedAt < this.recoveryPoint) return;
    if (this.firstFaulted === undefined || at < this.firstFaulted) this.firstFaulted = at;
  }
}

/** How long a fault aimed at a leader waits for the Lease to have a holder. */
const LEADER_WAIT_MS = 20_000;

async function resolveTarget(step: FaultStep, ctx: FaultContext): Promise<Member | string> {
  const { cluster } = ctx;
  const members = await cluster.members();
  let name = step.target;
  if (step.target === CURRENT_APISERVER) {
    const current = await cluster.currentApiserver(ctx.currentServer());
    if (current === undefined) return `no apiserver of the cluster serves the client's current server ${ctx.currentServer()}`;
    name = current;
  }
  const leaderKind: LeaderKind | undefined = step.target === SCHEDULER_LEADER ? 'scheduler' : step.target === CONTROLLER_MANAGER_LEADER ? 'controller-manager' : undefined;
  if (leaderKind !== undefined) {
    const lease = `kube-${leaderKind}`;
    // The Lease may be between holders (a leader that missed a renewal stands down, the other
    // takes over a moment later): the fault waits for the next holder, within the recovery bound.
    const deadline = ctx.now() + LEADER_WAIT_MS;
    let holder = await ctx.leaseHolder(lease);
    while ((holder === undefined || holder === '') && ctx.now() < deadline && !ctx.signal.aborted) {
      await sleep(250, ctx.signal);
      holder = await ctx.leaseHolder(lease);
    }
    if (holder === undefined || holder === '') return `no ${leaderKind} holds the ${lease} Lease (waited ${LEADER_WAIT_MS / 1000}s)`;
    const leader = await cluster.leaderFor(leaderKind, holder);
    if (leader === undefined) return `no ${leaderKind} member has the Lease holder's identity ${holder}`;
    name = leader;
  }
  const m = members.find((x) => x.name === name);
  if (m === undefined) return `no member ${name} in the cluster`;
  if (m.incarnation === 'not running') return `${m.name} is not running`;
  return m;
}

/**
 * Healthy again: the member runs (a new incarnation unless it was only frozen or cut) and every
 * member of the cluster is healthy. Returns the member as it is then, or undefined on timeout.
 */
async function waitRecovered(ctx: FaultContext, name: string, old: string, expectNew: boolean, deadline: number): Promise<Member | undefined> {
  while (ctx.now() < deadline && !ctx.signal.aborted) {
    const m = (await ctx.cluster.members()).find((x) => x.name === name);
    if (m !== undefined && m.incarnation !== 'not running' && (!expectNew || m.incarnation !== old)) {
      const bad = await ctx.cluster.unhealthy();
      if (bad.length === 0) return m;
    }
    await sleep(200, ctx.signal);
  }
  return undefined;
}

async function urlOf(cluster: ChaosCluster, name: string): Promise<string | undefined> {
  return (await cluster.members()).find((m) => m.name === name)?.url;
}

/** Injects one fault, measures unavailability, and returns once the cluster healed (or gave up). */
export async function runFault(index: number, step: FaultStep, ctx: FaultContext): Promise<FaultRecord> {
  const rec: FaultRecord = { index, step, fault: step.fault };
  const target = await resolveTarget(step, ctx);
  if (typeof target === 'string') {
    rec.error = target;
    return rec;
  }
  rec.component = target.name;
  rec.url = target.url;
  rec.incarnation = target.incarnation;
  rec.boundAnyMs = ctx.boundMs;
  rec.boundFaultedMs = ctx.boundMs + ctx.cluster.restartDelayMs(target, step.fault);

  const injectedAt = ctx.now();
  rec.injectedAt = injectedAt;
  const apiservers = (await ctx.cluster.members()).filter((m) => m.kind === 'apiserver').map((m) => m.url);
  const servers = [...new Set([...ctx.cluster.clientServers, ...apiservers])];
  const probe = new AvailabilityProbe(servers, { kind: target.kind, url: target.url }, ctx.namespace, ctx.now, injectedAt);
  probe.start();
  const lasting = step.fault === 'freeze' || step.fault === 'netcut';
  ctx.log(`fault ${index}: ${step.fault} ${target.name} (${target.incarnation})${lasting ? ` for ${step.durationMs ?? 0}ms` : ''} at ${injectedAt.toFixed(0)}ms`);
  try {
    const result = await ctx.cluster.inject(step.fault, target, ctx.now, { durationMs: step.durationMs ?? 0, termGraceMs: ctx.termGraceMs, signal: ctx.signal });
    if (result.resumedAt !== undefined) rec.resumedAt = result.resumedAt;
    if (result.exitMs !== undefined) rec.exitMs = result.exitMs;
    if (result.termEscalated === true) rec.termEscalated = true;
    if (result.removedNode !== undefined) {
      // Gone for good: nothing of it will serve again; the rest of the cluster must stay healthy.
      rec.removedNode = result.removedNode;
      probe.stop();
      const deadline = injectedAt + ctx.recoveryTimeoutMs;
      let bad = await ctx.cluster.unhealthy();
      while (bad.length > 0 && ctx.now() < deadline && !ctx.signal.aborted) {
        await sleep(200, ctx.signal);
        bad = await ctx.cluster.unhealthy();
      }
      if (bad.length === 0) rec.recoveredMs = ctx.now() - injectedAt;
      else ctx.log(`fault ${index}: after removing ${target.name}, still unhealthy: ${bad.join('; ')}`);
      const probeDeadline = ctx.now() + PROBE_TIMEOUT_MS + 1_000;
      while (rec.unavailableAnyMs === undefined && ctx.now() < probeDeadline && !ctx.signal.aborted) {
        if (await probeApiserver(ctx.currentServer(), ctx.namespace, PROBE_TIMEOUT_MS)) rec.unavailableAnyMs = ctx.now() - injectedAt;
        else await sleep(100);
      }
      ctx.log(`fault ${index}: ${target.name} removed for good (Node ${result.removedNode}); the rest healthy after ${rec.recoveredMs !== undefined ? `${Math.round(rec.recoveredMs)}ms` : 'never'}`);
      return rec;
    }
    probe.recoveredAt(result.resumedAt ?? injectedAt, (await urlOf(ctx.cluster, target.name)) ?? target.url);
    const deadline = injectedAt + ctx.recoveryTimeoutMs;
    const back = await waitRecovered(ctx, target.name, target.incarnation, result.expectNew, deadline);
    if (back !== undefined) {
      rec.recoveredMs = ctx.now() - injectedAt;
      if (result.expectNew) rec.newIncarnation = back.incarnation;
      // A restarted container may come back on another address.
      probe.recoveredAt(result.resumedAt ?? injectedAt, back.url);
    }
    // Healthy means the probes will succeed within a round or two; give them a little time.
    const probeDeadline = ctx.now() + PROBE_TIMEOUT_MS + 1_000;
    while (!probe.done && ctx.now() < probeDeadline && !ctx.signal.aborted) await sleep(50);
  } catch (err: unknown) {
    rec.error = `injecting ${step.fault} into ${target.name}: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    probe.stop();
  }
  if (probe.firstAny !== undefined) rec.unavailableAnyMs = probe.firstAny - injectedAt;
  const recoveryPoint = rec.resumedAt ?? injectedAt;
  if (probe.firstFaulted !== undefined) rec.unavailableFaultedMs = probe.firstFaulted - recoveryPoint;
  ctx.log(
    `fault ${index}: ${target.name} back after ${rec.recoveredMs !== undefined ? `${Math.round(rec.recoveredMs)}ms` : 'never'}; ` +
      `API unavailable ${fmt(rec.unavailableAnyMs)} (any), ${fmt(rec.unavailableFaultedMs)} (${target.name})`,
  );
  return rec;
}

function fmt(ms: number | undefined): string {
  return ms === undefined ? 'unmeasured' : `${Math.round(ms)}ms`;
}
