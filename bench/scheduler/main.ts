// The scheduler benchmark: a real etcd, the kubets apiserver and cmd/scheduler as their own
// processes; Nodes and Pods created through the API; scheduling throughput and latency set
// against a trivial binder's in the same run, then leader failover. Prints one JSON document.
import { setMaxListeners } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RestClient } from '../../pkg/client/rest.js';
import { startEtcd } from '../../test/helpers/etcd.js';
import { Cleanup, processCpuMs, startApiServerProcess, withCpu, type CpuProbe } from '../apiserver/processes.js';
import { createNodes, message, SupervisedScheduler, waitForHolder, writeKubeconfig } from './cluster.js';
import { measureFailover, type FailoverResult } from './failover.js';
import { summarizeProfiles } from './profile.js';
import { runWorkload, type WorkloadResult } from './workload.js';
import { runBenchmark } from '../apiserver/processes.js';

const USAGE = `Usage: node dist/bench/scheduler/main.js [flags]
  --quick                  100 nodes, 500 pods, 1 failover round per signal
  --nodes=N                Node objects (default 1000, quick 100)
  --pods=N                 pods per phase (default 5000, quick 500)
  --concurrency=N          concurrent creates, and binds for the ceiling (default 32)
  --failover-rounds=N      rounds per signal (default 3, quick 1; 0 skips failover)
  --stall-seconds=N        give a phase up when no pod got bound for this long (default 60)
  --scheduler-cpu-prof     run the measured scheduler under node --cpu-prof and rank its hot spots
  --keep-dir               keep the work directory (logs, kubeconfig, profiles)`;

interface Config {
  readonly quick: boolean;
  readonly nodes: number;
  readonly pods: number;
  readonly concurrency: number;
  readonly failoverRounds: number;
  readonly stallMs: number;
  readonly cpuProf: boolean;
  readonly keepDir: boolean;
}

function parseConfig(argv: string[]): Config {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      nodes: { type: 'string' },
      pods: { type: 'string' },
      concurrency: { type: 'string' },
      'failover-rounds': { type: 'string' },
      'stall-seconds': { type: 'string' },
      'scheduler-cpu-prof': { type: 'boolean', default: false },
      'keep-dir': { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const q = values.quick === true;
  const int = (name: 'nodes' | 'pods' | 'concurrency' | 'failover-rounds' | 'stall-seconds', full: number, quick: number, min = 1): number => {
    const raw = values[name];
    if (raw === undefined) return q ? quick : full;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`invalid --${name} ${raw}`);
    return n;
  };
  return {
    quick: q,
    nodes: int('nodes', 1000, 100),
    pods: int('pods', 5000, 500),
    concurrency: int('concurrency', 32, 32),
    failoverRounds: int('failover-rounds', 3, 1, 0),
    stallMs: int('stall-seconds', 60, 60) * 1000,
    cpuProf: values['scheduler-cpu-prof'] === true,
    keepDir: values['keep-dir'] === true,
  };
}

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

function brief(r: WorkloadResult): Record<string, unknown> {
  return { podsPerSec: r.podsPerSec, p50Ms: r.p50Ms, p99Ms: r.p99Ms, durationMs: r.durationMs, created: r.created, bound: r.bound, createMs: r.createMs, latency: r.latency, createErrors: r.createErrors, ...(r.bindErrors !== undefined ? { bindErrors: r.bindErrors } : {}), watchRestarts: r.watchRestarts, nodesUsed: r.nodesUsed, ...(r.errorSamples.length ? { errorSamples: r.errorSamples } : {}) };
}

async function main(): Promise<number> {
  const cfg = parseConfig(process.argv.slice(2));
  const started = Date.now();
  const root = new AbortController();
  const signal = root.signal;
  setMaxListeners(0, signal);
  const cleanup = new Cleanup();
  cleanup.installSignalHandlers(root);
  const errors: Array<{ phase: string; error: string }> = [];
  const out: Record<string, unknown> = {
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', node: process.version, platform: process.platform, memGiB: Math.round(totalmem() / 2 ** 30), loadavgAtStart: loadavg().map((l) => Math.round(l * 100) / 100) },
    config: cfg,
    nodes: cfg.nodes,
    pods: cfg.pods,
  };
  let scheduler: WorkloadResult | undefined;
  let ceiling: WorkloadResult | undefined;
  let failover: FailoverResult | undefined;
  try {
    const dir = mkdtempSync(join(tmpdir(), 'kubets-bench-scheduler-'));
    if (cfg.keepDir) log(`work directory ${dir}`);
    else cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
    const etcd = await startEtcd();
    cleanup.track(etcd.process);
    cleanup.add(() => etcd.stop());
    const distDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
    const apiserver = await startApiServerProcess({ distDir, etcdUrl: etcd.url, dir, cleanup, signal });
    log(`etcd at ${etcd.url}, apiserver at ${apiserver.url}`);
    const client = new RestClient({ servers: [apiserver.url], component: 'bench-scheduler' });
    cleanup.add(() => client.close());
    const kubeconfig = writeKubeconfig(dir, apiserver.url);

    log(`creating ${cfg.nodes} nodes...`);
    out.nodeCreation = await createNodes(client, cfg.nodes, cfg.concurrency, signal);

    const profDir = join(dir, 'profiles');
    if (cfg.cpuProf) mkdirSync(profDir, { recursive: true });
    const supervised = new SupervisedScheduler({ distDir, kubeconfig, dir, cleanup, ...(cfg.cpuProf ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir] } : {}) });
    const sched = supervised.current;
    await sched.waitFor('it logged its identity', () => sched.identity !== undefined, 30_000, signal);
    await waitForHolder(client, (h) => h === sched.identity, 60_000, signal);
    await sched.waitFor('its caches synced', () => sched.synced, 60_000, signal);
    const warm = await runWorkload(client, { namespace: 'bench-warmup', pods: 1, concurrency: 1, stallMs: 30_000, log }, signal);
    if (warm.bound !== 1) throw new Error(`the warm-up pod was not scheduled: ${warm.errorSamples.join('; ')}`);
    log(`scheduler ${sched.identity} leads; scheduling ${cfg.pods} pods...`);
    const probe = (extra: () => Record<string, number>): CpuProbe => () => {
      const own = process.cpuUsage();
      return { ...extra(), apiserver: processCpuMs(apiserver.child.pid), etcd: processCpuMs(etcd.process.pid), bench: (own.user + own.system) / 1000 };
    };
    const sp = await withCpu(probe(() => ({ scheduler: supervised.cpuMs() })), () => runWorkload(client, { namespace: 'bench-scheduled', pods: cfg.pods, concurrency: cfg.concurrency, stallMs: cfg.stallMs, log }, signal));
    scheduler = sp.result;
    out.scheduler = { ...brief(scheduler), cpu: sp.cpu, restarts: supervised.restarts, ...(supervised.exits.length ? { exits: supervised.exits } : {}) };
    for (const e of supervised.exits) errors.push({ phase: 'scheduler', error: `${e.name} ended with ${e.exit} ${e.atMs} ms after it started${e.lastError ? ` (last error: ${e.lastError})` : ''}; restarted` });
    log(`scheduler: ${scheduler.podsPerSec} pods/s, p99 ${scheduler.p99Ms} ms`);
    const exit = await supervised.stop('SIGTERM');
    if (exit !== 'exit code 0') errors.push({ phase: 'scheduler stop', error: `the scheduler ended with ${exit} after SIGTERM` });
    if (cfg.cpuProf) {
      try {
        out.schedulerProfile = summarizeProfiles(profDir);
      } catch (err) {
        errors.push({ phase: 'profile', error: message(err) });
      }
    }

    log(`bind ceiling: ${cfg.pods} pods bound by a trivial loop...`);
    const cp = await withCpu(probe(() => ({})), () => runWorkload(client, { namespace: 'bench-ceiling', pods: cfg.pods, concurrency: cfg.concurrency, schedulerName: 'bench-ceiling', bindToNodes: cfg.nodes, stallMs: cfg.stallMs, log }, signal));
    ceiling = cp.result;
    out.ceiling = { ...brief(ceiling), feed: 'pods seen unbound on the watch, bound round-robin', cpu: cp.cpu };
    log(`ceiling: ${ceiling.podsPerSec} pods/s, p99 ${ceiling.p99Ms} ms`);
    out.ratio = ceiling.podsPerSec > 0 ? Math.round((scheduler.podsPerSec / ceiling.podsPerSec) * 100) / 100 : null;

    if (cfg.failoverRounds > 0) {
      log('failover...');
      failover = await measureFailover(client, { distDir, kubeconfig, dir, cleanup, rounds: cfg.failoverRounds, log }, signal);
      out.failover = failover;
      for (const r of failover.rounds) if (r.error) errors.push({ phase: `failover ${r.signal}`, error: r.error });
    }
  } catch (err) {
    errors.push({ phase: 'run', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  } finally {
    await cleanup.run();
  }
  const complete = (r: WorkloadResult | undefined): boolean => r !== undefined && r.bound === r.pods;
  const ratio = typeof out.ratio === 'number' ? out.ratio : null;
  const targets = {
    podsPerSec: { target: '>= 1000', value: scheduler?.podsPerSec ?? null, met: complete(scheduler) && (scheduler?.podsPerSec ?? 0) >= 1000 },
    ratio: { target: '>= 0.8 of the bind ceiling', value: ratio, met: complete(scheduler) && complete(ceiling) && ratio !== null && ratio >= 0.8 },
    kill9Ms: { target: '<= 3000', value: failover?.kill9MaxMs ?? null, met: failover !== undefined && failover.kill9MaxMs !== null && failover.kill9MaxMs <= 3000 },
    sigtermMs: { target: '<= 1000', value: failover?.sigtermMaxMs ?? null, met: failover !== undefined && failover.sigtermMaxMs !== null && failover.sigtermMaxMs <= 1000 },
  };
  out.targets = { ...targets, allMet: Object.values(targets).every((t) => t.met) };
  out.errors = errors;
  out.durationSec = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  return 0;
}

runBenchmark(main, USAGE);
