// The apiserver benchmark: a real etcd and the kubets apiserver as its own process, measured
// against raw etcd through the same client library in the same run. Prints one JSON document.
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEtcd } from '../../test/helpers/etcd.js';
import { measureCreates, type CreateLevel } from './creates.js';
import { ApiClient } from './http.js';
import { Cleanup, openFileLimits, processCpuMs, reexecWithOpenFiles, startApiServerProcess, type ApiServerProcess } from './processes.js';
import { measureGets, measureLists, seed, type GetResult, type ListCase, type SeedResult } from './reads.js';
import type { CpuProbe, LoadResult, PacedResult } from './stats.js';
import { measureEtcdWatch, measureWatchFanout, type EtcdWatchResult, type WatchResult } from './watch.js';
import { runBenchmark } from './processes.js';

const USAGE = `Usage: node dist/bench/apiserver/main.js [flags]
  --quick                  small sizes, finishes in under a minute
  --concurrency=1,16,64    create concurrency levels
  --create-seconds=N       seconds per create level and side (default 10, quick 2)
  --rounds=N               rounds per create level; the best counts (default 2, quick 1)
  --objects=N              ConfigMaps stored for GET/LIST (default 10000, quick 1000)
  --get-rate=N             paced GETs per second (default 200)
  --get-seconds=N          seconds of paced GETs per side (default 15, quick 3)
  --list-iterations=N      full LISTs per case (default 20, quick 3); limit=500 pages get 2.5x
  --watchers=N             concurrent watch streams (default 1000, quick 200)
  --watch-writes=N         updates during the watch phase (default 50, quick 10)
  --watch-interval-ms=N    spacing of those updates (default 100)
  --apiserver-log-level=L  passed to the apiserver as --log-level (default: its own default)`;

interface Config {
  readonly quick: boolean;
  readonly concurrencies: number[];
  readonly createSeconds: number;
  readonly rounds: number;
  readonly objects: number;
  readonly getRate: number;
  readonly getSeconds: number;
  readonly listIterations: number;
  readonly pageIterations: number;
  watchers: number;
  readonly watchWrites: number;
  readonly watchIntervalMs: number;
  readonly apiserverLogLevel?: string;
}

function parseConfig(argv: string[]): Config {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      'create-seconds': { type: 'string' },
      rounds: { type: 'string' },
      objects: { type: 'string' },
      'get-rate': { type: 'string' },
      'get-seconds': { type: 'string' },
      'list-iterations': { type: 'string' },
      watchers: { type: 'string' },
      'watch-writes': { type: 'string' },
      'watch-interval-ms': { type: 'string' },
      'apiserver-log-level': { type: 'string' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const q = values.quick === true;
  const num = (name: keyof typeof values, full: number, quick: number): number => {
    const raw = values[name];
    if (raw === undefined) return q ? quick : full;
    const n = Number(raw);
    if (typeof raw !== 'string' || !Number.isFinite(n) || n <= 0) throw new Error(`invalid --${name} ${String(raw)}`);
    return n;
  };
  const concurrencies = (values.concurrency ?? '1,16,64').split(',').map((s) => Number(s.trim()));
  if (concurrencies.some((c) => !Number.isInteger(c) || c <= 0)) throw new Error(`invalid --concurrency ${values.concurrency}`);
  const listIterations = Math.round(num('list-iterations', 20, 3));
  return {
    quick: q,
    concurrencies,
    createSeconds: num('create-seconds', 10, 2),
    rounds: Math.round(num('rounds', 2, 1)),
    objects: Math.round(num('objects', 10_000, 1000)),
    getRate: num('get-rate', 200, 200),
    getSeconds: num('get-seconds', 15, 3),
    listIterations,
    pageIterations: Math.ceil(listIterations * 2.5),
    watchers: Math.round(num('watchers', 1000, 200)),
    watchWrites: Math.round(num('watch-writes', 50, 10)),
    watchIntervalMs: num('watch-interval-ms', 100, 100),
    ...(values['apiserver-log-level'] ? { apiserverLogLevel: values['apiserver-log-level'] } : {}),
  };
}

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function brief(r: LoadResult | PacedResult): Record<string, unknown> {
  return {
    ...r.latency,
    ops: r.ops,
    perSec: r.perSec,
    errors: r.errors,
    ...(r.errorSamples.length ? { errorSamples: r.errorSamples } : {}),
    ...('sendLagMs' in r ? { clientSendLagP99Ms: r.sendLagMs.p99Ms } : {}),
    ...(r.cpuMsPerOp ? { cpuMsPerOp: r.cpuMsPerOp } : {}),
  };
}

function ratio(a: number, b: number): number | null {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? Math.round((a / b) * 100) / 100 : null;
}

// Each fd budget: the watch sockets on our side, the same on the apiserver's, plus slack.
const FD_SLACK = 512;

async function main(): Promise<number> {
  const cfg = parseConfig(process.argv.slice(2));
  const raised = await reexecWithOpenFiles(cfg.watchers + FD_SLACK);
  if (raised !== undefined) return raised;
  const limits = openFileLimits();
  const watchersRequested = cfg.watchers;
  if (limits.soft < cfg.watchers + FD_SLACK) {
    cfg.watchers = Math.max(1, limits.soft - FD_SLACK);
    log(`open-file limit ${limits.soft} allows only ${cfg.watchers} watchers`);
  }

  const started = Date.now();
  const root = new AbortController();
  const signal = root.signal;
  const cleanup = new Cleanup();
  cleanup.installSignalHandlers(root);
  const errors: Array<{ phase: string; error: string }> = [];
  const out: Record<string, unknown> = {
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', node: process.version, platform: process.platform, memGiB: Math.round(totalmem() / 2 ** 30), loadavgAtStart: loadavg().map((l) => Math.round(l * 100) / 100), openFiles: limits.soft },
    config: { ...cfg, watchersRequested },
  };
  try {
    const dir = mkdtempSync(join(tmpdir(), 'kubets-bench-'));
    cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
    const etcd = await startEtcd();
    cleanup.track(etcd.process);
    cleanup.add(() => etcd.stop());
    log(`etcd at ${etcd.url}`);
    const distDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
    let restarts = 0;
    const extraArgs = cfg.apiserverLogLevel ? ['--log-level', cfg.apiserverLogLevel] : [];
    let apiserver: ApiServerProcess = await startApiServerProcess({ distDir, etcdUrl: etcd.url, dir, cleanup, signal, extraArgs });
    log(`apiserver at ${apiserver.url} (pid ${apiserver.child.pid})`);
    const client = new Etcd3({
      hosts: etcd.url,
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + 5000 }),
      // A full range of every stored object is bigger than gRPC's default 4 MiB message cap.
      grpcOptions: { 'grpc.max_receive_message_length': 256 * 1024 * 1024 },
      // No retries and no circuit breaker: a failure is counted once and never hides later calls.
      faultHandling: { host: () => noop, global: noop },
    });
    cleanup.add(() => client.close());
    const cpu: CpuProbe = () => {
      const own = process.cpuUsage();
      return { apiserver: processCpuMs(apiserver.child.pid), etcd: processCpuMs(etcd.process.pid), bench: (own.user + own.system) / 1000 };
    };

    // A phase failure is recorded and the run goes on; a dead apiserver is restarted for the next phase.
    const phase = async <T>(name: string, fn: (api: ApiClient) => Promise<T>): Promise<T | undefined> => {
      if (signal.aborted) return undefined;
      const why = apiserver.exited();
      if (why !== undefined) {
        errors.push({ phase: name, error: `apiserver had exited (${why}) before this phase; log tail: ${apiserver.logTail()}` });
        restarts++;
        apiserver = await startApiServerProcess({ distDir, etcdUrl: etcd.url, dir, cleanup, signal, extraArgs });
      }
      log(`${name}...`);
      try {
        return await fn(new ApiClient(apiserver.url));
      } catch (err) {
        const dead = apiserver.exited();
        errors.push({ phase: name, error: message(err) + (dead !== undefined ? ` (apiserver ${dead}; log tail: ${apiserver.logTail()})` : '') });
        log(`${name} failed: ${message(err)}`);
        return undefined;
      }
    };

    const creates = await phase('creates', (api) => measureCreates(api, client, { concurrencies: cfg.concurrencies, seconds: cfg.createSeconds, rounds: cfg.rounds, namespace: 'bench-creates', log, cpu }, signal));
    out.creates = creates?.levels ?? [];
    if (creates) out.createStoredBytes = creates.storedBytes;

    const ns = 'bench-reads';
    const seeded: SeedResult | undefined = await phase('seed', (api) => seed(api, client, ns, cfg.objects, signal, cpu));
    let get: GetResult | undefined;
    let lists: ListCase[] | undefined;
    if (seeded) {
      out.seed = { objects: seeded.objects, storedBytes: seeded.storedBytes, concurrency: 32, apiserverCreatesPerSec: seeded.apiserver.perSec, etcdPutsPerSec: seeded.etcd.perSec, ratio: ratio(seeded.apiserver.perSec, seeded.etcd.perSec), apiserverCpuMsPerCreate: seeded.apiserver.cpuMsPerOp ?? null, etcdCpuMsPerPut: seeded.etcd.cpuMsPerOp ?? null, apiserverErrors: seeded.apiserver.errors, ...(seeded.apiserver.errorSamples.length ? { errorSamples: seeded.apiserver.errorSamples } : {}) };
      get = await phase('get', (api) => measureGets(api, client, ns, cfg.objects, cfg.getRate, cfg.getSeconds, signal, cpu));
      lists = await phase('list', (api) => measureLists(api, client, ns, cfg.objects, cfg.listIterations, cfg.pageIterations, signal, cpu));
    }
    if (get) {
      out.get = { objects: get.objects, ratePerSec: cfg.getRate, seconds: cfg.getSeconds, openLoop: true, apiserver: brief(get.apiserver), etcd: brief(get.etcd), p50Ratio: ratio(get.apiserver.latency.p50Ms, get.etcd.latency.p50Ms), p99Ratio: ratio(get.apiserver.latency.p99Ms, get.etcd.latency.p99Ms) };
    }
    for (const c of lists ?? []) {
      if (c.firstAnswerError) errors.push({ phase: `list ${c.query}`, error: `first answer: ${c.firstAnswerError}${c.error ? `; after a ConfigMap write: ${c.error}` : '; answered correctly after a ConfigMap write elsewhere'}` });
      else if (c.error) errors.push({ phase: `list ${c.query}`, error: c.error });
    }
    if (lists) {
      out.list = {
        objects: cfg.objects,
        cases: lists.map((c) => ({
          query: c.query,
          items: c.items,
          responseBytes: c.responseBytes,
          ...(c.firstAnswerError ? { firstAnswerError: c.firstAnswerError } : {}),
          ...(c.error ? { error: c.error } : {}),
          ...(c.apiserver ? { apiserver: brief(c.apiserver) } : {}),
          etcd: brief(c.etcd),
          ...(c.apiserver ? { p50Ratio: ratio(c.apiserver.latency.p50Ms, c.etcd.latency.p50Ms), p99Ratio: ratio(c.apiserver.latency.p99Ms, c.etcd.latency.p99Ms) } : {}),
        })),
      };
    }

    const watchOpts = { namespace: 'bench-watch', writes: cfg.watchWrites, intervalMs: cfg.watchIntervalMs, log };
    const single: WatchResult | undefined = await phase('watch (1 watcher)', (api) => measureWatchFanout(api, { ...watchOpts, watchers: 1 }, signal));
    const etcdValue = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched', namespace: 'bench-watch', uid: '6f1c2a9e-0b7d-4c55-9a53-0d9c7e1f2b11', creationTimestamp: new Date().toISOString() }, data: { 'bench-seq': 'init', payload: 'y'.repeat(256) } });
    let etcdWatch: EtcdWatchResult | undefined;
    try {
      log('etcd watch (1 watcher)...');
      etcdWatch = await measureEtcdWatch(client, cfg.watchWrites, cfg.watchIntervalMs, etcdValue, signal);
    } catch (err) {
      errors.push({ phase: 'etcd watch', error: message(err) });
    }
    const fanout: WatchResult | undefined = await phase(`watch (${cfg.watchers} watchers)`, (api) => measureWatchFanout(api, { ...watchOpts, watchers: cfg.watchers }, signal));
    out.watch = {
      ...(fanout ? { fanout } : {}),
      ...(single ? { apiserverSingle: single } : {}),
      ...(etcdWatch ? { etcdSingle: etcdWatch } : {}),
      ...(fanout && etcdWatch ? { fanoutP99VsEtcdSingle: ratio(fanout.latencyFromAckMs.p99Ms, etcdWatch.latencyFromAckMs.p99Ms) } : {}),
    };

    const levels: CreateLevel[] = creates?.levels ?? [];
    const minRatio = levels.length ? Math.min(...levels.map((l) => l.ratio)) : null;
    const getP99 = get ? get.apiserver.latency.p99Ms : null;
    const watchP99 = fanout ? fanout.latencyFromAckMs.p99Ms : null;
    const targets = {
      createRatio: { target: '>= 0.5 at every concurrency', min: minRatio, met: levels.length === cfg.concurrencies.length && minRatio !== null && minRatio >= 0.5 },
      getP99Ms: { target: `<= 10 at ${cfg.getRate} rps with ${cfg.objects} objects`, value: getP99, met: get !== undefined && getP99 !== null && getP99 <= 10 && get.apiserver.errors === 0 },
      watchP99Ms: {
        target: `<= 100 with ${cfg.watchers} watchers, every event delivered`,
        value: watchP99,
        met: fanout !== undefined && watchP99 !== null && watchP99 <= 100 && fanout.watchersConnected === fanout.watchers && fanout.deliveredEvents === fanout.expectedEvents,
      },
    };
    out.targets = { ...targets, allMet: targets.createRatio.met && targets.getP99Ms.met && targets.watchP99Ms.met };
    out.apiserverRestarts = restarts;
  } catch (err) {
    errors.push({ phase: 'setup', error: message(err) });
  } finally {
    await cleanup.run();
  }
  out.errors = errors;
  out.durationSec = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  return 0;
}

runBenchmark(main, USAGE);
