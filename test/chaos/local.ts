// The local launcher's cluster as a chaos target: members are processes (pids from cluster.json),
// faults are signals, and the launcher (--restart-crashed) starts whatever exits again.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isNodeSidecar } from '../../pkg/cluster/launcher.js';
import { restartDelayMs } from '../../pkg/cluster/supervisor.js';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { ProcessTracker, isRunning, procStat, readClusterRecord, unhealthyComponents } from './cluster.js';
import type { LeakCheck } from './history.js';
import type { FaultKind } from './plan.js';
import { sleep } from './sleep.js';
import type { ChaosCluster, InjectOptions, InjectResult, LeaderKind, Member } from './target.js';

const HEALTH_TIMEOUT_MS = 2_000;



/** Waits for `pid` (with the given start time) to exit; false after `ms`. */
async function waitExit(pid: number, startTime: string | undefined, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isRunning(pid, startTime)) return true;
    await sleep(25);
  }
  return !isRunning(pid, startTime);
}

function resume(pid: number): void {
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // Already gone: nothing to resume.
  }
}

export class LocalChaosCluster implements ChaosCluster {
  readonly kind = 'local';
  readonly faultKinds: readonly FaultKind[] = ['kill', 'term', 'freeze', 'restart'];
  readonly clientServers: readonly string[];
  private readonly frozen = new Set<number>();
  private readonly tracker: ProcessTracker;

  private constructor(
    private readonly cluster: LocalCluster,
    readonly where: string,
    private readonly removeDir: boolean,
    apiservers: readonly string[],
    /** The nodes run containerd, whose processes are fault targets (node-N-runtime). */
    private readonly runtimeTargets: boolean,
  ) {
    this.clientServers = apiservers;
    this.tracker = new ProcessTracker(where);
    if (cluster.launcher.pid !== undefined) this.tracker.add('launcher', cluster.launcher.pid);
    this.tracker.start(500);
  }

  /** Starts the launcher with the topology; in `dir` (kept) or a temp dir (removed at stop unless `keep`). */
  static async start(opts: { etcdMembers: number; apiservers: number; schedulers?: number; controllerManagers?: number; nodes?: number; runtime?: 'fake' | 'containerd'; dir?: string; keep: boolean }): Promise<LocalChaosCluster> {
    const runtime = opts.runtime ?? 'fake';
    const cluster = await startLocalCluster(['--etcd-members', String(opts.etcdMembers), '--apiservers', String(opts.apiservers), '--schedulers', String(opts.schedulers ?? 0), '--controller-managers', String(opts.controllerManagers ?? 0), '--nodes', String(opts.nodes ?? 0), '--runtime', runtime, '--restart-crashed', ...(opts.dir !== undefined ? ['--dir', opts.dir] : [])]);
    const dir = opts.dir ?? cluster.dir;
    // With --dir the helper's own temp dir stays empty: the launcher took the later --dir.
    if (opts.dir !== undefined && cluster.dir !== opts.dir) rmSync(cluster.dir, { recursive: true, force: true });
    const record = readClusterRecord(dir);
    if (record === undefined) throw new Error(`no readable cluster.json in ${dir}`);
    return new LocalChaosCluster(cluster, dir, !opts.keep && opts.dir === undefined, record.apiservers, runtime === 'containerd');
  }

  members(): Promise<Member[]> {
    const record = readClusterRecord(this.where);
    const out: Member[] = [];
    for (const c of record?.components ?? []) {
      // A node's CSI driver and CNI service are not fault targets (the kubelet is; and containerd,
      // whose containers outlive it — the simulated runtime's die with it); their health still counts.
      const runtime = /^node-.+-runtime$/.test(c.name);
      if (isNodeSidecar(c.name) && !(runtime && this.runtimeTargets)) continue;
      const startTime = c.pid !== undefined ? procStat(c.pid)?.startTime : undefined;
      out.push({
        name: c.name,
        kind: c.name.startsWith('etcd') ? 'etcd' : c.name.startsWith('scheduler') ? 'scheduler' : c.name.startsWith('controller-manager') ? 'controller-manager' : runtime ? 'runtime' : c.name.startsWith('node-') ? 'kubelet' : 'apiserver',
        url: c.url,
        incarnation: c.pid !== undefined && startTime !== undefined && isRunning(c.pid) ? `pid ${c.pid}@${startTime}` : 'not running',
        restarts: c.restarts,
      });
    }
    return Promise.resolve(out);
  }

  currentApiserver(clientServer: string): Promise<string | undefined> {
    const record = readClusterRecord(this.where);
    return Promise.resolve(record?.components.find((c) => c.url === clientServer && c.name.startsWith('apiserver'))?.name);
  }

  /** Every replica logs its identity when it starts ("scheduler starting"); the last such line is the running one's. */
  leaderFor(kind: LeaderKind, holderIdentity: string): Promise<string | undefined> {
    const record = readClusterRecord(this.where);
    for (const c of record?.components ?? []) {
      if (!c.name.startsWith(kind)) continue;
      const log = join(this.where, 'logs', `${c.name}.log`);
      if (!existsSync(log)) continue;
      let identity: string | undefined;
      for (const line of readFileSync(log, 'utf8').split('\n')) {
        if (!line.includes(`"${kind} starting"`)) continue;
        try {
          identity = (JSON.parse(line) as { identity?: string }).identity;
        } catch {
          // A line cut by a crash.
        }
      }
      if (identity === holderIdentity) return Promise.resolve(c.name);
    }
    return Promise.resolve(undefined);
  }

  async inject(fault: FaultKind, member: Member, now: () => number, opts: InjectOptions): Promise<InjectResult> {
    const m = /^pid (\d+)@(.*)$/.exec(member.incarnation);
    if (m === null) throw new Error(`${member.name} has no running process`);
    const pid = Number(m[1]);
    const startTime = m[2];
    const injectedAt = now();
    switch (fault) {
      case 'kill':
        process.kill(pid, 'SIGKILL');
        return { expectNew: true };
      case 'freeze':
        process.kill(pid, 'SIGSTOP');
        this.frozen.add(pid);
        try {
          await sleep(opts.durationMs, opts.signal);
        } finally {
          resume(pid);
          this.frozen.delete(pid);
        }
        return { resumedAt: now(), expectNew: false };
      case 'term':
      case 'restart': {
        process.kill(pid, 'SIGTERM');
        let termEscalated = false;
        if (!(await waitExit(pid, startTime, opts.termGraceMs))) {
          termEscalated = true;
          process.kill(pid, 'SIGKILL');
          await waitExit(pid, startTime, 5_000);
        }
        const resumedAt = now();
        return { resumedAt, exitMs: resumedAt - injectedAt, termEscalated, expectNew: true };
      }
      case 'netcut':
        throw new Error('network cuts need the compose target (the local launcher runs every process in one network namespace)');
      case 'remove':
        throw new Error('removing a node needs the compose target (the launcher starts whatever exits again)');
    }
  }

  restartDelayMs(member: Member, fault: FaultKind): number {
    return fault === 'freeze' ? 0 : restartDelayMs(member.restarts);
  }

  async unhealthy(): Promise<string[]> {
    const record = readClusterRecord(this.where);
    if (record === undefined) return ['cluster.json: unreadable'];
    return unhealthyComponents(record, HEALTH_TIMEOUT_MS);
  }

  release(): Promise<void> {
    for (const pid of this.frozen) resume(pid);
    this.frozen.clear();
    return Promise.resolve();
  }

  /** Last resort on process exit: thaw and SIGTERM the launcher (its children follow it). */
  releaseSync(): void {
    for (const pid of this.frozen) resume(pid);
    const l = this.cluster.launcher;
    if (l.exitCode === null && l.signalCode === null) l.kill('SIGTERM');
  }

  async stop(log: (line: string) => void): Promise<LeakCheck> {
    await this.release();
    this.tracker.poll();
    this.tracker.stop();
    const launcher = this.cluster.launcher;
    if (launcher.exitCode === null && launcher.signalCode === null) {
      const exited = new Promise<void>((r) => launcher.once('exit', () => r()));
      launcher.kill('SIGTERM');
      // A containerd node takes each of its sandboxes down (a CNI DEL each) before it stops.
      const graceMs = this.runtimeTargets ? 120_000 : 30_000;
      const timer = setTimeout(() => {
        log(`launcher did not stop within ${graceMs / 1000}s: SIGKILL`);
        launcher.kill('SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
    }
    const leaks = await this.tracker.leakCheck(15_000);
    // Reported by the caller; still, nothing may outlive the harness.
    for (const p of this.tracker.running()) {
      resume(p.pid);
      process.kill(p.pid, 'SIGKILL');
    }
    if (this.removeDir) rmSync(this.where, { recursive: true, force: true });
    return leaks;
  }
}
