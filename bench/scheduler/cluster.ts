// The scheduler benchmark's cluster pieces beyond etcd and the apiserver: Node objects created
// straight through the API, scheduler replicas as their own processes (identified by what they
// log), and the kube-scheduler Lease.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { processCpuMs, type Cleanup } from '../apiserver/processes.js';
import { kubeconfigFor } from '../../pkg/cluster/launcher.js';
import { RestClient } from '../../pkg/client/rest.js';

export const PODS = { group: '', version: 'v1', plural: 'pods', namespaced: true } as const;
export const NODES = { group: '', version: 'v1', plural: 'nodes', namespaced: false } as const;
export const NAMESPACES = { group: '', version: 'v1', plural: 'namespaces', namespaced: false } as const;
const LEASES = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true } as const;

export const ZONES = 10;

export function zoneName(i: number): string {
  return `zone-${i % ZONES}`;
}

export function nodeName(i: number): string {
  return `bench-node-${String(i).padStart(4, '0')}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs `op(0..count-1)` on `concurrency` workers; the first failure stops the rest and is thrown. */
export async function pool(count: number, concurrency: number, op: (i: number) => Promise<void>, signal: AbortSignal): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async (): Promise<void> => {
    while (failed === undefined && !signal.aborted && next < count) {
      const i = next++;
      try {
        await op(i);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (failed !== undefined) throw failed;
}

/** A Node as a kubelet would register it: hostname and zone labels, allocatable, Ready. */
export function nodeManifest(i: number): Record<string, unknown> {
  const name = nodeName(i);
  const capacity = { cpu: '32', memory: '128Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': zoneName(i) } },
    spec: {},
    status: {
      capacity,
      allocatable: capacity,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'bench node', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }],
    },
  };
}

export async function createNodes(client: RestClient, count: number, concurrency: number, signal: AbortSignal): Promise<{ count: number; ms: number; perSec: number }> {
  const nodes = client.resource(NODES);
  const t0 = performance.now();
  await pool(count, concurrency, async (i) => void (await nodes.create(nodeManifest(i), { signal })), signal);
  const ms = performance.now() - t0;
  return { count, ms: Math.round(ms), perSec: Math.round((count / ms) * 1000 * 10) / 10 };
}

export async function createNamespace(client: RestClient, name: string, signal: AbortSignal): Promise<void> {
  await client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { signal });
}

/** holderIdentity of kube-system/kube-scheduler; '' when released, undefined when absent or unreadable. */
export async function leaseHolder(client: RestClient, signal?: AbortSignal): Promise<string | undefined> {
  try {
    const lease = await client.resource<{ metadata?: { name?: string }; spec?: { holderIdentity?: string } }>(LEASES).namespace('kube-system').get('kube-scheduler', { signal, timeoutMs: 1000 });
    return lease.spec?.holderIdentity ?? '';
  } catch {
    return undefined;
  }
}

export function writeKubeconfig(dir: string, apiserverUrl: string): string {
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, kubeconfigFor([apiserverUrl]));
  return path;
}

/** A leader-elected component of ours the benchmarks run as its own process. */
export type ComponentName = 'scheduler' | 'controller-manager';

/** One `cmd/scheduler` (or `cmd/controller-manager`) process; what it has logged so far tells who it is and what it does. */
export class SchedulerProcess {
  identity: string | undefined;
  /** Wall-clock ms (the log record's own time) of its "became leader" line. */
  becameLeaderAt: number | undefined;
  synced = false;
  /** The leader this replica last saw while standing by. */
  sawLeader: string | undefined;
  /** The msg (and reason) of its last warn/error log record. */
  lastError: string | undefined;
  private readonly waiters = new Set<() => void>();
  private lastCpuMs = 0;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    private readonly log: WriteStream,
  ) {}

  /**
   * Starts `node [nodeArgs] <distDir>/cmd/<component>/main.js --kubeconfig <file> --secure-port -1 [args]`
   * with stdout and stderr copied to `<dir>/<name>.log`.
   */
  static start(opts: { name: string; distDir: string; kubeconfig: string; dir: string; cleanup: Cleanup; nodeArgs?: string[]; component?: ComponentName; args?: string[] }): SchedulerProcess {
    const args = [...(opts.nodeArgs ?? []), join(opts.distDir, 'cmd', opts.component ?? 'scheduler', 'main.js'), '--kubeconfig', opts.kubeconfig, '--secure-port=-1', ...(opts.args ?? [])];
    // setpriv makes the kernel kill the scheduler if this benchmark dies without cleaning up.
    const setpriv = '/usr/bin/setpriv';
    const [cmd, argv] = existsSync(setpriv) ? [setpriv, ['--pdeathsig', 'KILL', '--', process.execPath, ...args]] : [process.execPath, args];
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    opts.cleanup.track(child);
    const log = createWriteStream(join(opts.dir, `${opts.name}.log`), { flags: 'a' });
    const p = new SchedulerProcess(opts.name, child, log);
    opts.cleanup.add(async () => void (await p.stop('SIGKILL')));
    child.stderr?.pipe(log, { end: false });
    createInterface({ input: child.stdout! }).on('line', (line) => p.onLine(line));
    // /proc forgets a process once it is reaped: sample its CPU while it lives.
    const sampler = setInterval(() => p.cpuMs(), 250);
    sampler.unref();
    child.once('exit', () => {
      clearInterval(sampler);
      p.notify();
      // Let the last lines land before the file is closed.
      setTimeout(() => log.end(), 100);
    });
    return p;
  }

  /** CPU ms used so far (the last sample once the process is gone). */
  cpuMs(): number {
    if (this.exited() === undefined) this.lastCpuMs = processCpuMs(this.child.pid) ?? this.lastCpuMs;
    return this.lastCpuMs;
  }

  exited(): string | undefined {
    const c = this.child;
    return c.exitCode !== null ? `exit code ${c.exitCode}` : c.signalCode !== null ? `signal ${c.signalCode}` : undefined;
  }

  /** Resolves once `test()` holds; throws when the process exits first or the time runs out. */
  async waitFor(what: string, test: () => boolean, timeoutMs: number, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      const why = this.exited();
      if (why !== undefined) throw new Error(`${this.name} exited (${why}) while waiting until ${what}`);
      if (signal.aborted) throw new Error('aborted');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name}: not ${what} within ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        const done = (): void => {
          clearTimeout(t);
          this.waiters.delete(done);
          r();
        };
        const t = setTimeout(done, Math.min(left, 200));
        this.waiters.add(done);
      });
    }
  }

  /** Waits up to `timeoutMs` for the process to end by itself; its exit, or undefined. */
  async waitExit(timeoutMs: number): Promise<string | undefined> {
    if (this.exited() === undefined) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, timeoutMs);
        this.child.once('exit', () => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.exited();
  }

  /** Resolves once the process used under `maxCores` of CPU over a `windowMs` window (or `timeoutMs` passed). */
  async waitIdle(maxCores: number, windowMs: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let before = this.cpuMs();
    while (Date.now() < deadline && this.exited() === undefined) {
      await sleep(windowMs);
      const now = this.cpuMs();
      if (now - before < maxCores * windowMs) return true;
      before = now;
    }
    return false;
  }

  /** Sends `sig` and waits for the exit (SIGKILL after 10 s); the exit description. */
  async stop(sig: NodeJS.Signals): Promise<string> {
    const already = this.exited();
    if (already !== undefined) return already;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill(sig);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
    return this.exited() ?? 'exited';
  }

  private onLine(line: string): void {
    this.log.write(`${line}\n`);
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      return;
    }
    if (typeof rec !== 'object' || rec === null) return;
    const r = rec as { msg?: unknown; identity?: unknown; leader?: unknown; time?: unknown; level?: unknown; reason?: unknown };
    if (typeof r.level === 'number' && r.level >= 40 && r.msg !== 'binding failed') this.lastError = `${String(r.msg)}${typeof r.reason === 'string' ? `: ${r.reason}` : ''}`;
    if ((r.msg === 'scheduler starting' || r.msg === 'controller-manager starting') && typeof r.identity === 'string') this.identity = r.identity;
    else if (r.msg === 'became leader') this.becameLeaderAt = typeof r.time === 'number' ? r.time : Date.now();
    else if (r.msg === 'caches synced; scheduling' || r.msg === 'caches synced; starting controllers') this.synced = true;
    else if (r.msg === 'new leader elected' && typeof r.leader === 'string') this.sawLeader = r.leader;
    else return;
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** Polls the Lease until `test(holder)` holds; the holder then. */
export async function waitForHolder(client: RestClient, test: (holder: string | undefined) => boolean, timeoutMs: number, signal: AbortSignal, periodMs = 100): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const h = await leaseHolder(client, signal);
    if (test(h)) return h;
    if (signal.aborted) throw new Error('aborted');
    if (Date.now() > deadline) throw new Error(`the kube-scheduler Lease did not reach the expected holder within ${timeoutMs} ms (holder: ${JSON.stringify(h)})`);
    await sleep(periodMs);
  }
}

/**
 * Keeps one scheduler running the way a supervisor (the launcher, compose) does: a replica that
 * exits (it lost its lease) is replaced at once, and every exit is recorded.
 */
export class SupervisedScheduler {
  current: SchedulerProcess;
  readonly exits: Array<{ name: string; exit: string; atMs: number; lastError?: string }> = [];
  private stopped = false;
  private seq = 0;

  constructor(private readonly opts: Omit<Parameters<typeof SchedulerProcess.start>[0], 'name'>) {
    this.current = this.spawn();
  }

  /** Every process this supervisor started, for CPU accounting. */
  readonly all: SchedulerProcess[] = [];

  get restarts(): number {
    return this.seq - 1;
  }

  cpuMs(): number {
    return this.all.reduce((n, p) => n + p.cpuMs(), 0);
  }

  async stop(sig: NodeJS.Signals): Promise<string> {
    this.stopped = true;
    return this.current.stop(sig);
  }

  private spawn(): SchedulerProcess {
    const p = SchedulerProcess.start({ ...this.opts, name: this.seq === 0 ? 'scheduler' : `scheduler-restart-${this.seq}` });
    this.seq++;
    this.all.push(p);
    const t0 = performance.now();
    p.child.once('exit', () => {
      if (this.stopped) return;
      this.exits.push({ name: p.name, exit: p.exited() ?? 'exited', atMs: Math.round(performance.now() - t0), ...(p.lastError ? { lastError: p.lastError } : {}) });
      this.current = this.spawn();
    });
    return p;
  }
}
