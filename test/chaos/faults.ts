// Fault injection against the launcher's processes: kill -9, SIGTERM, freeze (SIGSTOP, then
// SIGCONT) and restart, one at a time. Each fault measures how long the API was unavailable and
// waits until the cluster is healthy again before it returns.
import type { FaultRecord } from './history.js';
import { CURRENT_APISERVER, type FaultStep } from './plan.js';
import { etcdHealthy, isRunning, probeApiserver, procStat, readClusterRecord, unhealthyComponents, type ClusterRecord } from './cluster.js';

export interface FaultContext {
  readonly dir: string;
  readonly namespace: string;
  /** ms since the run started. */
  readonly now: () => number;
  /** The workload client's current apiserver URL. */
  readonly currentServer: () => string;
  /** Allowed unavailability after a fault (the launcher's restart backoff is added for the faulted component). */
  readonly boundMs: number;
  /** How long to wait for the whole cluster to be healthy again. */
  readonly recoveryTimeoutMs: number;
  /** How long a SIGTERMed process may take to exit before it is SIGKILLed. */
  readonly termGraceMs: number;
  /** pids currently SIGSTOPped, so cleanup can SIGCONT them whatever happens. */
  readonly frozen: Set<number>;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
}

const PROBE_EVERY_MS = 100;
const PROBE_TIMEOUT_MS = 2_000;
const MAX_PROBES_IN_FLIGHT = 8;
const HEALTH_TIMEOUT_MS = 2_000;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Launcher restart delay after `restarts` earlier restarts (pkg/cluster/launcher.ts: 1 s doubling, 30 s cap). */
export function launcherBackoffMs(restarts: number): number {
  return Math.min(1000 * 2 ** restarts, 30_000);
}

/**
 * Probes every apiserver (and the faulted etcd member) every 100 ms from injection on and keeps
 * the first success of a request started after injection (any apiserver) and after the recovery
 * point (the faulted component).
 */
class AvailabilityProbe {
  firstAny: number | undefined;
  firstFaulted: number | undefined;
  private recoveryPoint: number | undefined;
  private readonly inFlight = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly apiservers: readonly string[],
    private readonly faulted: { kind: 'etcd' | 'apiserver'; url: string },
    private readonly namespace: string,
    private readonly now: () => number,
    private readonly injectedAt: number,
  ) {}

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), PROBE_EVERY_MS);
  }

  recoveredAt(t: number): void {
    this.recoveryPoint = t;
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
    for (const server of this.apiservers) {
      if (this.firstAny !== undefined && (this.faulted.kind === 'etcd' || server !== this.faulted.url)) continue;
      this.launch(server, () => probeApiserver(server, this.namespace, PROBE_TIMEOUT_MS), (startedAt, at) => {
        if (startedAt >= this.injectedAt && (this.firstAny === undefined || at < this.firstAny)) this.firstAny = at;
        if (this.faulted.kind === 'apiserver' && server === this.faulted.url) this.faultedOk(startedAt, at);
      });
    }
    if (this.faulted.kind === 'etcd' && this.firstFaulted === undefined) {
      const url = this.faulted.url;
      this.launch(url, () => etcdHealthy(url, PROBE_TIMEOUT_MS), (startedAt, at) => this.faultedOk(startedAt, at));
    }
  }

  private faultedOk(startedAt: number, at: number): void {
    if (this.recoveryPoint === undefined || startedAt < this.recoveryPoint) return;
    if (this.firstFaulted === undefined || at < this.firstFaulted) this.firstFaulted = at;
  }
}

interface ResolvedTarget {
  readonly name: string;
  readonly kind: 'etcd' | 'apiserver';
  readonly url: string;
  readonly pid: number;
  readonly restarts: number;
}

function resolveTarget(step: FaultStep, record: ClusterRecord, currentServer: string): ResolvedTarget | string {
  const c = step.target === CURRENT_APISERVER ? record.components.find((x) => x.url === currentServer && x.name.startsWith('apiserver')) : record.components.find((x) => x.name === step.target);
  if (c === undefined) return step.target === CURRENT_APISERVER ? `the client's current server ${currentServer} is no apiserver of the cluster` : `no component ${step.target} in cluster.json`;
  if (c.pid === undefined || !isRunning(c.pid)) return `${c.name} has no running process`;
  return { name: c.name, kind: c.name.startsWith('etcd') ? 'etcd' : 'apiserver', url: c.url, pid: c.pid, restarts: c.restarts };
}

/** Waits for `pid` (with the given start time) to exit; false after `ms`. */
async function waitExit(pid: number, startTime: string | undefined, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isRunning(pid, startTime)) return true;
    await sleep(25);
  }
  return !isRunning(pid, startTime);
}

/**
 * Healthy again: the component runs (a new process unless it was only frozen), every etcd member
 * reports health and every apiserver is ready. Returns the component's pid, or undefined on timeout.
 */
async function waitRecovered(ctx: FaultContext, name: string, oldPid: number, expectNew: boolean, deadline: number): Promise<number | undefined> {
  while (ctx.now() < deadline && !ctx.signal.aborted) {
    const record = readClusterRecord(ctx.dir);
    const pid = record?.components.find((c) => c.name === name)?.pid;
    if (record !== undefined && pid !== undefined && (!expectNew || pid !== oldPid) && isRunning(pid)) {
      const bad = await unhealthyComponents(record, HEALTH_TIMEOUT_MS);
      if (bad.length === 0) return pid;
    }
    await sleep(200, ctx.signal);
  }
  return undefined;
}

/** Injects one fault, measures unavailability, and returns once the cluster healed (or gave up). */
export async function runFault(index: number, step: FaultStep, ctx: FaultContext): Promise<FaultRecord> {
  const rec: FaultRecord = { index, step, fault: step.fault };
  const record = readClusterRecord(ctx.dir);
  if (record === undefined) {
    rec.error = 'cluster.json unreadable';
    return rec;
  }
  const target = resolveTarget(step, record, ctx.currentServer());
  if (typeof target === 'string') {
    rec.error = target;
    return rec;
  }
  rec.component = target.name;
  rec.url = target.url;
  rec.pid = target.pid;
  const startTime = procStat(target.pid)?.startTime;
  const restartsLauncher = step.fault !== 'freeze';
  rec.boundAnyMs = ctx.boundMs;
  rec.boundFaultedMs = ctx.boundMs + (restartsLauncher ? launcherBackoffMs(target.restarts) : 0);

  const injectedAt = ctx.now();
  rec.injectedAt = injectedAt;
  const probe = new AvailabilityProbe(record.apiservers, { kind: target.kind, url: target.url }, ctx.namespace, ctx.now, injectedAt);
  probe.start();
  ctx.log(`fault ${index}: ${step.fault} ${target.name} (pid ${target.pid})${step.fault === 'freeze' ? ` for ${step.durationMs ?? 0}ms` : ''} at ${injectedAt.toFixed(0)}ms`);
  try {
    switch (step.fault) {
      case 'kill':
        process.kill(target.pid, 'SIGKILL');
        probe.recoveredAt(injectedAt);
        break;
      case 'freeze':
        process.kill(target.pid, 'SIGSTOP');
        ctx.frozen.add(target.pid);
        try {
          await sleep(step.durationMs ?? 0, ctx.signal);
        } finally {
          resume(target.pid);
          ctx.frozen.delete(target.pid);
        }
        rec.resumedAt = ctx.now();
        probe.recoveredAt(rec.resumedAt);
        break;
      case 'term':
      case 'restart': {
        process.kill(target.pid, 'SIGTERM');
        if (!(await waitExit(target.pid, startTime, ctx.termGraceMs))) {
          rec.termEscalated = true;
          process.kill(target.pid, 'SIGKILL');
          await waitExit(target.pid, startTime, 5_000);
        }
        rec.resumedAt = ctx.now();
        rec.exitMs = rec.resumedAt - injectedAt;
        probe.recoveredAt(rec.resumedAt);
        break;
      }
    }
    const deadline = injectedAt + ctx.recoveryTimeoutMs;
    const pid = await waitRecovered(ctx, target.name, target.pid, restartsLauncher, deadline);
    if (pid !== undefined) {
      rec.recoveredMs = ctx.now() - injectedAt;
      if (restartsLauncher) rec.newPid = pid;
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

/** SIGCONT, ignoring a process that is gone meanwhile. */
export function resume(pid: number): void {
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // Already gone: nothing to resume.
  }
}

function fmt(ms: number | undefined): string {
  return ms === undefined ? 'unmeasured' : `${Math.round(ms)}ms`;
}
