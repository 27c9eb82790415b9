// The controller-manager benchmark: a real etcd, the kubets apiserver and cmd/controller-manager as
// their own processes. The benchmark plays every kubelet: it marks each new pod Running and Ready
// as soon as the watch shows it (a Job's pod: Succeeded). Measured: 200 Deployments × 10 replicas
// from create until every one reports all replicas available, then a rolling update of all of
// them, then 1000 Jobs of one completion until every one is Complete, then 100 StatefulSets of 3
// (OrderedReady: each pod waits for the one before it) until every one has 3 ready, set against the
// apiserver's raw pod-create rate measured in the same run. Prints one JSON document.
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Job } from '../../pkg/api/batch/v1/job.js';
import { jobResource } from '../../pkg/api/batch/v1/job.js';
import type { Deployment } from '../../pkg/api/apps/v1/deployment.js';
import type { StatefulSet } from '../../pkg/api/apps/v1/statefulset.js';
import { statefulSetResource } from '../../pkg/api/apps/v1/statefulset.js';
import { deploymentResource } from '../../pkg/api/apps/v1/deployment.js';
import type { Pod } from '../../pkg/api/core/v1/pod-types.js';
import { podResource } from '../../pkg/api/core/v1/pod.js';
import { RestClient } from '../../pkg/client/rest.js';
import { startEtcd } from '../../test/helpers/etcd.js';
import { KubeletStandIn } from '../../test/helpers/kubelet-stand-in.js';
import { Cleanup, processCpuMs, startApiServerProcess, withCpu } from '../apiserver/processes.js';
import { createNamespace, message, pool, SchedulerProcess, sleep, writeKubeconfig } from '../scheduler/cluster.js';
import { runBenchmark } from '../apiserver/processes.js';

const USAGE = `Usage: node dist/bench/controllers/main.js [flags]
  --quick                  40 Deployments of 10 replicas, 200 Jobs
  --deployments=N          Deployments (default 200, quick 40)
  --jobs=N                 Jobs of one completion (default 1000, quick 200)
  --statefulsets=N         StatefulSets of 3 replicas (default 100, quick 20)
  --replicas=N             replicas each (default 10)
  --concurrency=N          concurrent writes of the benchmark (creates, readiness) (default 32)
  --stall-seconds=N        give a phase up when nothing progressed for this long (default 60)
  --keep-dir               keep the work directory (logs, kubeconfig)`;

interface Config {
  readonly deployments: number;
  readonly jobs: number;
  readonly statefulsets: number;
  readonly replicas: number;
  readonly concurrency: number;
  readonly stallMs: number;
  readonly keepDir: boolean;
}

function parseConfig(argv: string[]): Config {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      deployments: { type: 'string' },
      jobs: { type: 'string' },
      statefulsets: { type: 'string' },
      replicas: { type: 'string' },
      concurrency: { type: 'string' },
      'stall-seconds': { type: 'string' },
      'keep-dir': { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const int = (name: 'deployments' | 'jobs' | 'statefulsets' | 'replicas' | 'concurrency' | 'stall-seconds', dflt: number): number => {
    const raw = values[name];
    if (raw === undefined) return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`invalid --${name} ${raw}`);
    return n;
  };
  return {
    deployments: int('deployments', values.quick === true ? 40 : 200),
    jobs: int('jobs', values.quick === true ? 200 : 1000),
    statefulsets: int('statefulsets', values.quick === true ? 20 : 100),
    replicas: int('replicas', 10),
    concurrency: int('concurrency', 32),
    stallMs: int('stall-seconds', 60) * 1000,
    keepDir: values['keep-dir'] === true,
  };
}

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

const round = (n: number, d = 1): number => Math.round(n * 10 ** d) / 10 ** d;

function podManifest(i: number): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `raw-${i}`, labels: { bench: 'raw' } },
    spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  } as Pod;
}

function deploymentManifest(i: number, replicas: number): Deployment {
  const app = `web-${String(i).padStart(4, '0')}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app },
    spec: {
      replicas,
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app } },
        spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
      },
    },
  } as Deployment;
}

function jobManifest(i: number): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `job-${String(i).padStart(4, '0')}` },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox:1.36', command: ['true'], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } } },
  } as Job;
}

const STS_REPLICAS = 3;

function statefulSetManifest(i: number): StatefulSet {
  const app = `db-${String(i).padStart(3, '0')}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: app },
    spec: {
      replicas: STS_REPLICAS,
      serviceName: app,
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app } },
        spec: { containers: [{ name: 'db', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
      },
    },
  } as StatefulSet;
}

interface PhaseResult {
  readonly ms: number;
  readonly deploymentsPerSec: number;
  readonly podsPerSec: number;
  readonly complete: boolean;
  readonly done: number;
}

/** Polls the Deployments until `done(d)` holds for all of them (or nothing moved for stallMs). */
async function waitDeployments(client: RestClient, namespace: string, count: number, done: (d: Deployment) => boolean, podsEach: number, t0: number, stallMs: number, signal: AbortSignal): Promise<PhaseResult> {
  const deployments = client.resource<Deployment>(deploymentResource).namespace(namespace);
  let last = -1;
  let lastMove = performance.now();
  for (;;) {
    const list = await deployments.listAll({});
    const n = list.items.filter(done).length;
    if (n !== last) {
      last = n;
      lastMove = performance.now();
    }
    const ms = performance.now() - t0;
    if (n >= count || performance.now() - lastMove > stallMs || signal.aborted) {
      return { ms: Math.round(ms), deploymentsPerSec: round((n / ms) * 1000), podsPerSec: round(((n * podsEach) / ms) * 1000), complete: n >= count, done: n };
    }
    await sleep(100);
  }
}

async function main(): Promise<number> {
  const cfg = parseConfig(process.argv.slice(2));
  const root = new AbortController();
  const signal = root.signal;
  setMaxListeners(0, signal);
  const cleanup = new Cleanup();
  cleanup.installSignalHandlers(root);
  const distDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const dir = mkdtempSync(join(tmpdir(), 'kubets-bench-controllers-'));
  const out: Record<string, unknown> = {
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', node: process.version, memGiB: Math.round(totalmem() / 2 ** 30), loadavgAtStart: loadavg().map((l) => round(l, 2)) },
    config: cfg,
  };
  let code = 0;
  try {
    const etcd = await startEtcd();
    cleanup.track(etcd.process);
    cleanup.add(() => etcd.stop());
    const api = await startApiServerProcess({ distDir, etcdUrl: etcd.url, dir, cleanup, signal });
    const client = new RestClient({ servers: [api.url], component: 'bench-controllers', timeoutMs: 30_000 });
    cleanup.add(() => Promise.resolve(client.close()));
    const kubeconfig = writeKubeconfig(dir, api.url);
    const total = cfg.deployments * cfg.replicas;

    // Baseline: the apiserver's raw pod-create rate, same pods count, same concurrency.
    await createNamespace(client, 'bench-raw', signal);
    const raw = client.resource<Pod>(podResource).namespace('bench-raw');
    const r0 = performance.now();
    await pool(total, cfg.concurrency, async (i) => void (await raw.create(podManifest(i), { signal })), signal);
    const rawMs = performance.now() - r0;
    const rawPerSec = round((total / rawMs) * 1000);
    out.rawCreates = { pods: total, ms: Math.round(rawMs), podsPerSec: rawPerSec };
    log(`baseline: ${total} pod creates in ${Math.round(rawMs)} ms (${rawPerSec}/s)`);

    const cm = SchedulerProcess.start({ name: 'controller-manager', component: 'controller-manager', distDir, kubeconfig, dir, cleanup, args: ['--leader-elect=false'] });
    await cm.waitFor('caches synced', () => cm.synced, 60_000, signal);
    const probe = (): Record<string, number | undefined> => ({ apiserver: processCpuMs(api.child.pid), controllerManager: cm.cpuMs(), etcd: processCpuMs(etcd.process.pid), bench: (process.cpuUsage().user + process.cpuUsage().system) / 1000 });

    const ns = 'bench';
    await createNamespace(client, ns, signal);
    const standInStop = new AbortController();
    const standIn = new KubeletStandIn({ client, namespace: ns, concurrency: cfg.concurrency, groupLabel: 'app', log });
    const standInRun = standIn.run(AbortSignal.any([signal, standInStop.signal]));
    const deployments = client.resource<Deployment>(deploymentResource).namespace(ns);

    log(`creating ${cfg.deployments} Deployments of ${cfg.replicas} replicas...`);
    const create = await withCpu(probe, async () => {
      const t0 = performance.now();
      await pool(cfg.deployments, cfg.concurrency, async (i) => void (await deployments.create(deploymentManifest(i, cfg.replicas), { signal })), signal);
      const createMs = Math.round(performance.now() - t0);
      const allAvailable = (d: Deployment): boolean => (d.status?.availableReplicas ?? 0) === cfg.replicas && (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1);
      return { createMs, ...(await waitDeployments(client, ns, cfg.deployments, allAvailable, cfg.replicas, t0, cfg.stallMs, signal)) };
    });
    out.rollout = { ...create.result, cpu: create.cpu };
    log(`available: ${create.result.done}/${cfg.deployments} in ${create.result.ms} ms (${create.result.deploymentsPerSec} Deployments/s)`);

    log('rolling update of every Deployment...');
    const update = await withCpu(probe, async () => {
      const t0 = performance.now();
      await pool(
        cfg.deployments,
        cfg.concurrency,
        async (i) => void (await deployments.patch(`web-${String(i).padStart(4, '0')}`, { spec: { template: { metadata: { annotations: { 'bench/rev': '2' } } } } }, 'strategic', { signal })),
        signal,
      );
      const rolledOut = (d: Deployment): boolean =>
        (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
        (d.status?.updatedReplicas ?? 0) === cfg.replicas &&
        (d.status?.availableReplicas ?? 0) === cfg.replicas &&
        (d.status?.replicas ?? 0) === cfg.replicas;
      return waitDeployments(client, ns, cfg.deployments, rolledOut, cfg.replicas, t0, cfg.stallMs, signal);
    });
    out.rollingUpdate = { ...update.result, cpu: update.cpu };
    log(`rolled out: ${update.result.done}/${cfg.deployments} in ${update.result.ms} ms`);
    standInStop.abort();
    await standInRun;

    log(`creating ${cfg.jobs} Jobs of one completion...`);
    const jobsNs = 'bench-jobs';
    await createNamespace(client, jobsNs, signal);
    const jobStandInStop = new AbortController();
    const jobStandIn = new KubeletStandIn({ client, namespace: jobsNs, concurrency: cfg.concurrency, groupLabel: 'job-name', log, completes: () => true });
    const jobStandInRun = jobStandIn.run(AbortSignal.any([signal, jobStandInStop.signal]));
    const jobs = client.resource<Job>(jobResource).namespace(jobsNs);
    const jobPhase = await withCpu(probe, async () => {
      const t0 = performance.now();
      await pool(cfg.jobs, cfg.concurrency, async (i) => void (await jobs.create(jobManifest(i), { signal })), signal);
      const createMs = Math.round(performance.now() - t0);
      let last = -1;
      let lastMove = performance.now();
      for (;;) {
        const list = await jobs.listAll({});
        const complete = list.items.filter((j) => j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') === true);
        const succeeded = list.items.reduce((n, j) => n + (j.status?.succeeded ?? 0), 0);
        if (complete.length !== last) {
          last = complete.length;
          lastMove = performance.now();
        }
        const ms = performance.now() - t0;
        if (complete.length >= cfg.jobs || performance.now() - lastMove > cfg.stallMs || signal.aborted) {
          return { createMs, ms: Math.round(ms), jobsPerSec: round((complete.length / ms) * 1000), complete: complete.length >= cfg.jobs, done: complete.length, succeededCounted: succeeded };
        }
        await sleep(200);
      }
    });
    jobStandInStop.abort();
    await jobStandInRun;
    out.jobs = { jobs: cfg.jobs, ...jobPhase.result, cpu: jobPhase.cpu };
    log(`jobs complete: ${jobPhase.result.done}/${cfg.jobs} in ${jobPhase.result.ms} ms (${jobPhase.result.jobsPerSec} Jobs/s), ${jobPhase.result.succeededCounted} completions counted`);

    log(`creating ${cfg.statefulsets} StatefulSets of ${STS_REPLICAS}...`);
    const stsNs = 'bench-statefulsets';
    await createNamespace(client, stsNs, signal);
    const stsStandInStop = new AbortController();
    const stsStandIn = new KubeletStandIn({ client, namespace: stsNs, concurrency: cfg.concurrency, groupLabel: 'app', log });
    const stsStandInRun = stsStandIn.run(AbortSignal.any([signal, stsStandInStop.signal]));
    const sets = client.resource<StatefulSet>(statefulSetResource).namespace(stsNs);
    const stsPhase = await withCpu(probe, async () => {
      const t0 = performance.now();
      await pool(cfg.statefulsets, cfg.concurrency, async (i) => void (await sets.create(statefulSetManifest(i), { signal })), signal);
      const createMs = Math.round(performance.now() - t0);
      let last = -1;
      let lastMove = performance.now();
      for (;;) {
        const list = await sets.listAll({});
        const ready = list.items.filter((x) => (x.status?.readyReplicas ?? 0) === STS_REPLICAS);
        const podsReady = list.items.reduce((n, x) => n + (x.status?.readyReplicas ?? 0), 0);
        if (podsReady !== last) {
          last = podsReady;
          lastMove = performance.now();
        }
        const ms = performance.now() - t0;
        if (ready.length >= cfg.statefulsets || performance.now() - lastMove > cfg.stallMs || signal.aborted) {
          return { createMs, ms: Math.round(ms), statefulSetsPerSec: round((ready.length / ms) * 1000), podsPerSec: round((podsReady / ms) * 1000), complete: ready.length >= cfg.statefulsets, done: ready.length };
        }
        await sleep(200);
      }
    });
    stsStandInStop.abort();
    await stsStandInRun;
    out.statefulSets = { statefulSets: cfg.statefulsets, replicas: STS_REPLICAS, ...stsPhase.result, cpu: stsPhase.cpu };
    log(`statefulsets ready: ${stsPhase.result.done}/${cfg.statefulsets} in ${stsPhase.result.ms} ms (${stsPhase.result.statefulSetsPerSec}/s)`);

    // The default maxSurge is 25%, rounded up; a Deployment may never run more than replicas + surge pods.
    const surge = Math.ceil(cfg.replicas * 0.25);
    const over = [...standIn.peakPerGroup.entries()].filter(([, peak]) => peak > cfg.replicas + surge);
    out.standIn = { readyWrites: standIn.readyWrites, errors: standIn.errors };
    out.surgeCheck = { bound: cfg.replicas + surge, deployments: standIn.peakPerGroup.size, above: over.length, maxPeak: Math.max(0, ...standIn.peakPerGroup.values()) };
    const rolloutOk = create.result.complete;
    out.targets = {
      deploymentsReadyPerSec: { target: '>= 20', value: create.result.deploymentsPerSec, met: rolloutOk && create.result.deploymentsPerSec >= 20 },
      podsPerSecVsRawCreates: { value: rawPerSec > 0 ? round(create.result.podsPerSec / rawPerSec, 2) : null, note: 'pods made available per second by the controllers over the raw create rate of the same pods' },
      jobsPerSecVsRawCreates: { value: rawPerSec > 0 ? round(jobPhase.result.jobsPerSec / rawPerSec, 2) : null, note: 'Jobs completed per second (one pod each) over the raw pod create rate' },
      jobsCountedOnce: { target: `== ${cfg.jobs}`, value: jobPhase.result.succeededCounted, met: jobPhase.result.succeededCounted === cfg.jobs },
      statefulSetPodsPerSecVsRawCreates: { value: rawPerSec > 0 ? round(stsPhase.result.podsPerSec / rawPerSec, 2) : null, note: 'StatefulSet pods made ready per second (one at a time per set, OrderedReady) over the raw pod create rate' },
    };
    if (!create.result.complete || !update.result.complete || over.length > 0 || !jobPhase.result.complete || jobPhase.result.succeededCounted !== cfg.jobs || !stsPhase.result.complete) code = 1;
  } catch (err) {
    out.error = message(err);
    code = 1;
  } finally {
    await cleanup.run();
    if (!cfg.keepDir) rmSync(dir, { recursive: true, force: true });
    else out.dir = dir;
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  return code;
}

runBenchmark(main);
