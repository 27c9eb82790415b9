// `npm run chaos`: starts an HA cluster (3 etcd members, 2 apiservers, 2 schedulers, 2
// controller-managers) with the local launcher
// (processes, crashed ones restarted) or with deploy/docker-compose.yml (containers, restarted by
// Docker), writes and watches through the API while faults hit its members, then checks the
// invariants and prints a JSON report (stdout or --out) and a summary (stderr). Exit 1 when an
// invariant fails, 2 on bad flags, 130 when interrupted.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { StatusError } from '../../pkg/api/errors.js';
import { RestClient } from '../../pkg/client/index.js';
import { ComposeChaosCluster } from './compose.js';
import { runFault, type FaultContext } from './faults.js';
import type { FaultRecord, FinalState, ObjectState, WriteRecord } from './history.js';
import { checkAll, findLostWrites } from './invariants.js';
import { LocalChaosCluster } from './local.js';
import { DEFAULT_INTERVAL_MS, generatePlan, parsePlan, REMOVE, type FaultStep, type Topology } from './plan.js';
import { buildReport, humanSummary } from './report.js';
import { sleep } from './sleep.js';
import { NamespaceWatcher } from './watcher.js';
import { LeaderAudit } from './leaders.js';
import { CONTAINERD_IMAGES, SIMULATED_IMAGES } from './apps.js';
import { DeploymentWorkload } from './deployments.js';
import { DaemonSetWorkload } from './daemonsets.js';
import { JobWorkload } from './jobs.js';
import { StatefulSetWorkload } from './statefulsets.js';
import { CONTROLLERS } from '../../pkg/controller-manager/controllers.js';
import type { Lease } from '../../pkg/api/coordination/v1/index.js';
import { CONFIGMAPS, NAMESPACES, Workload, errorText, writeIdOf, type ConfigMap } from './workload.js';
import { nodeResource, type Node } from '../../pkg/api/core/v1/node.js';
import type { Pod } from '../../pkg/api/core/v1/pod-types.js';
import { podResource } from '../../pkg/api/core/v1/pod.js';

const DEFAULT_NODES = 2;

const USAGE = `Usage: npm run chaos -- [flags]
  --seed N             seed of the fault plan and the workload (default: random, printed)
  --duration S         seconds of workload under faults (default 120)
  --faults N           number of faults, spread over the run
  --interval S         one fault every S seconds (default ${DEFAULT_INTERVAL_MS / 1000}; exclusive with --faults)
  --target T           local (the launcher's processes, default) or compose (deploy/docker-compose.yml;
                       needs Docker and the images: npm run images)
  --plan FILE          explicit fault plan: JSON [{atMs, target, fault, durationMs?}]
                       targets: etcd-0..2, apiserver-0..1, current-apiserver (the apiserver serving
                       the workload client), scheduler-0..1, scheduler-leader,
                       controller-manager-0..1, controller-manager-leader (the Lease holders),
                       node-1..2 (a node's kubelet; its runtime process runs on)
                       faults: kill (SIGKILL), term (SIGTERM, SIGKILL after 15 s), freeze (SIGSTOP or
                       docker pause for durationMs), restart (SIGTERM, or docker restart), netcut
                       (compose only: docker network disconnect for durationMs, then reconnect);
                       a kubelet in compose gets signals, not docker pause or restart;
                       the launcher or Docker restarts whatever exits, so every fault ends with the
                       member back
  --out FILE           write the JSON report to FILE instead of stdout
  --dir DIR            local: run the cluster in DIR (must be empty) and keep it for inspection
  --keep               keep the cluster (local: its directory; compose: its containers and volumes)
  --concurrency N      workload writers (default 4)
  --bound S            allowed API unavailability after a fault, in seconds (default 30)
  --nodes N            kubelets running the Deployments' pods (default ${DEFAULT_NODES}; 0: a stand-in marks them Ready)
  --runtime R          local: the nodes' runtime, fake (simulated, default) or containerd (real
                       containers; each node's containerd is a target too: node-1-runtime ...;
                       the workloads run the pause and node images the nodes import)`;

const CONTROL_PLANE: Topology = { etcdMembers: 3, apiservers: 2, schedulers: 2, controllerManagers: 2 };
/** How long the Deployments may take to match their spec once the faults stop. */
const CONVERGE_BOUND_MS = 60_000;
/**
 * On containerd nodes a pod costs about 1.5 CPU-seconds to start (its shim, runc, the CNI plugins
 * and their iptables rules), so under the run's load a sandbox takes 7-20 s on 2 CPUs and a rolling
 * update of a few replicas, one surge at a time, takes minutes rather than seconds.
 */
const CONTAINERD_CONVERGE_BOUND_MS = 180_000;
/**
 * After a node is removed for good its pods are replaced only once the node lifecycle controller
 * notices (--node-monitor-grace-period 50 s, a 5 s monitor period) and their 10 s toleration of
 * the NoExecute taint runs out: that much more time to converge.
 */
const NODE_LOSS_DETECTION_MS = 65_000;
const TARGETS = ['local', 'compose'] as const;
type TargetKind = (typeof TARGETS)[number];
const CLIENT_TIMEOUT_MS = 10_000;
const FENCE = 'chaos-fence';

interface ChaosOptions {
  readonly target: TargetKind;
  readonly seed: number;
  readonly durationMs: number;
  readonly faults?: number;
  readonly intervalMs?: number;
  readonly planFile?: string;
  readonly out?: string;
  readonly dir?: string;
  readonly keep: boolean;
  readonly concurrency: number;
  readonly boundMs: number;
  /** Kubelets (with their runtimes) that run the Deployments' pods; 0: a stand-in plays them. */
  readonly nodes: number;
  readonly runtime: 'fake' | 'containerd';
}

function positive(name: string, v: string | undefined, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new Error(`--${name} takes a positive ${integer ? 'integer' : 'number'}, not ${JSON.stringify(v)}`);
  return n;
}

function parseFlags(argv: readonly string[]): ChaosOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      target: { type: 'string', default: 'local' },
      seed: { type: 'string' },
      duration: { type: 'string' },
      faults: { type: 'string' },
      interval: { type: 'string' },
      plan: { type: 'string' },
      out: { type: 'string' },
      dir: { type: 'string' },
      keep: { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      bound: { type: 'string' },
      nodes: { type: 'string' },
      runtime: { type: 'string', default: 'fake' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const exclusive = [values.faults, values.interval, values.plan].filter((v) => v !== undefined).length;
  if (exclusive > 1) throw new Error('give at most one of --faults, --interval and --plan');
  const target = values.target ?? 'local';
  if (!(TARGETS as readonly string[]).includes(target)) throw new Error(`--target takes ${TARGETS.join(' or ')}, not ${JSON.stringify(target)}`);
  if (target === 'compose' && values.dir !== undefined) throw new Error('--dir is for the local target; compose keeps its data in volumes (see --keep)');
  const runtime = values.runtime ?? 'fake';
  if (runtime !== 'fake' && runtime !== 'containerd') throw new Error(`--runtime takes fake or containerd, not ${JSON.stringify(runtime)}`);
  if (runtime === 'containerd' && target === 'compose') throw new Error('--runtime is for the local target; compose nodes on containerd are its real profile');
  const seedText = values.seed;
  if (seedText !== undefined && !/^\d+$/.test(seedText)) throw new Error(`--seed takes a non-negative integer, not ${JSON.stringify(seedText)}`);
  const faults = values.faults === '0' ? 0 : positive('faults', values.faults, true);
  const interval = positive('interval', values.interval, false);
  return {
    target: target as TargetKind,
    seed: seedText !== undefined ? Number(seedText) % 2 ** 32 : Math.floor(Math.random() * 2 ** 31),
    durationMs: (positive('duration', values.duration, false) ?? 120) * 1000,
    ...(faults !== undefined ? { faults } : {}),
    ...(interval !== undefined ? { intervalMs: interval * 1000 } : {}),
    ...(values.plan !== undefined ? { planFile: values.plan } : {}),
    ...(values.out !== undefined ? { out: values.out } : {}),
    ...(values.dir !== undefined ? { dir: resolve(values.dir) } : {}),
    keep: values.keep ?? false,
    concurrency: positive('concurrency', values.concurrency, true) ?? 4,
    boundMs: (positive('bound', values.bound, false) ?? 30) * 1000,
    nodes: values.nodes === '0' ? 0 : (positive('nodes', values.nodes, true) ?? DEFAULT_NODES),
    runtime,
  };
}

/** Retries `fn` a bounded number of times (the cluster may still be healing). */
async function attempt<T>(what: string, tries: number, signal: AbortSignal, fn: () => Promise<T>, log: (l: string) => void): Promise<T | undefined> {
  for (let i = 0; i < tries && !signal.aborted; i++) {
    try {
      return await fn();
    } catch (err: unknown) {
      log(`${what} failed (${i + 1}/${tries}): ${errorText(err)}`);
      await sleep(1000, signal);
    }
  }
  return undefined;
}

async function leaseHolder(client: RestClient, name: string): Promise<string | undefined> {
  try {
    const lease = await client.resource<Lease>({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true }).namespace('kube-system').get(name, { timeoutMs: 5_000 });
    return lease.spec?.holderIdentity;
  } catch {
    return undefined;
  }
}

/** A free loopback port for the compose cluster's load balancer (released just before compose binds it). */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolvePort(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Everything the run started, for cleanup from any path (including process exit). */
interface Resources {
  cluster?: LocalChaosCluster | ComposeChaosCluster;
}

async function readFinal(client: RestClient, namespace: string, signal: AbortSignal, log: (l: string) => void): Promise<FinalState | undefined> {
  const list = await attempt('final list', 10, signal, () => client.resource<ConfigMap>(CONFIGMAPS).namespace(namespace).listAll(), log);
  if (list === undefined) return undefined;
  const objects = new Map<string, ObjectState>();
  for (const o of list.items) {
    const writeId = writeIdOf(o);
    objects.set(o.metadata?.name ?? '', { rv: Number(o.metadata?.resourceVersion ?? 0), uid: o.metadata?.uid ?? '', ...(writeId !== undefined ? { writeId } : {}) });
  }
  return { listRv: Number(list.metadata.resourceVersion ?? 0), objects };
}

/**
 * What the cluster shows of a node removed for good. Until a node lifecycle controller exists,
 * nothing marks it NotReady or moves its pods: this reports how stale it looks.
 */
async function describeRemovedNode(client: RestClient, nodeName: string): Promise<string> {
  let node: Node | undefined;
  try {
    node = await client.resource<Node>(nodeResource).get(nodeName);
  } catch (err) {
    if (!/not found/i.test(err instanceof Error ? err.message : String(err))) throw err;
  }
  const pods = (await client.resource<Pod>(podResource).listAll({ fieldSelector: `spec.nodeName=${nodeName}` })).items;
  const phases = new Map<string, number>();
  for (const p of pods) {
    const phase = p.metadata?.deletionTimestamp !== undefined ? 'Terminating' : (p.status?.phase ?? 'Pending');
    phases.set(phase, (phases.get(phase) ?? 0) + 1);
  }
  const ready = node?.status?.conditions?.find((c) => c.type === 'Ready');
  const lease = await client.resource<Lease>({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true }).namespace('kube-node-lease').get(nodeName).catch(() => undefined);
  const age = (t: string | undefined): string => (t !== undefined ? `${Math.round((Date.now() - Date.parse(t)) / 1000)}s ago` : 'never');
  const nodeText = node === undefined ? `Node ${nodeName} is gone` : `Node ${nodeName} still listed with Ready=${ready?.status ?? 'none'} (status heartbeat ${age(ready?.lastHeartbeatTime)}, Lease renewed ${age(lease?.spec?.renewTime)})`;
  return `${nodeText}; ${pods.length} pod(s) still bound to it (${[...phases].map(([k, v]) => `${v} ${k}`).join(', ') || 'none'})`;
}

async function runChaos(opts: ChaosOptions, signal: AbortSignal, res: Resources): Promise<ReturnType<typeof buildReport>> {
  const containerd = opts.runtime === 'containerd';
  const topology: Topology = { ...CONTROL_PLANE, nodes: opts.nodes, ...(containerd ? { nodeRuntimes: true } : {}) };
  const images = containerd ? CONTAINERD_IMAGES : SIMULATED_IMAGES;
  const log = (l: string): void => void process.stderr.write(`chaos: ${l}\n`);
  const faultKinds = opts.target === 'compose' ? ['kill', 'term', 'freeze', 'restart', 'netcut'] as const : ['kill', 'term', 'freeze', 'restart'] as const;
  const plan: FaultStep[] =
    opts.planFile !== undefined
      ? parsePlan(JSON.parse(readFileSync(opts.planFile, 'utf8')) as unknown, topology, opts.target === 'compose' ? [...faultKinds, REMOVE] : faultKinds)
      : generatePlan({ seed: opts.seed, durationMs: opts.durationMs, topology: topology, faultKinds, ...(opts.faults !== undefined ? { faults: opts.faults } : { intervalMs: opts.intervalMs ?? DEFAULT_INTERVAL_MS }) });
  log(`seed ${opts.seed}, ${opts.target} cluster, ${opts.durationMs / 1000}s, ${plan.length} fault(s) planned`);
  if (opts.dir !== undefined) {
    mkdirSync(opts.dir, { recursive: true });
    if (readdirSync(opts.dir).length > 0) throw new Error(`--dir ${opts.dir} is not empty: old etcd data would mix with this run`);
  }
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const now = (): number => performance.now() - t0;
  const cluster =
    opts.target === 'compose'
      ? await ComposeChaosCluster.start({ project: `kubets-chaos-${opts.seed}`, apiPort: await freePort(), topology: topology, keep: opts.keep, log, signal })
      : await LocalChaosCluster.start({ ...topology, runtime: opts.runtime, ...(opts.dir !== undefined ? { dir: opts.dir } : {}), keep: opts.keep });
  res.cluster = cluster;
  const initial = await cluster.members();
  const urls = (kind: 'etcd' | 'apiserver'): string[] => initial.filter((m) => m.kind === kind).map((m) => m.url);
  log(`cluster up (${cluster.where}): the workload uses ${cluster.clientServers.join(' ')}`);

  const clientOpts = { servers: [...cluster.clientServers], timeoutMs: CLIENT_TIMEOUT_MS, attemptTimeoutMs: 5_000, connectTimeoutMs: 1_000 };
  const client = new RestClient({ ...clientOpts, component: 'chaos-workload' });
  const watchClient = new RestClient({ ...clientOpts, component: 'chaos-watcher' });
  const namespace = `chaos-${opts.seed}`;
  const created = await attempt('creating the namespace', 10, signal, () => client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }), log);
  if (created === undefined && !signal.aborted) throw new Error(`could not create namespace ${namespace}`);

  const workStop = new AbortController();
  const watchStop = new AbortController();
  const onAbort = (): void => {
    workStop.abort();
    watchStop.abort();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  const workload = new Workload({ client, namespace, seed: opts.seed, concurrency: opts.concurrency, keysPerWorker: 8, thinkMs: 40, watchdogMs: CLIENT_TIMEOUT_MS + 20_000, now });
  const watcher = new NamespaceWatcher({ client: watchClient, namespace, now, idleMs: 15_000 });
  const auditClient = new RestClient({ ...clientOpts, component: 'chaos-leader-audit' });
  const leaders = (topology.schedulers ?? 0) > 0 ? new LeaderAudit({ client: auditClient, namespace, now, podEveryMs: 250, log }) : undefined;
  const appsNamespace = `${namespace}-apps`;
  const appsClient = new RestClient({ ...clientOpts, component: 'chaos-deployments' });
  const apps =
    (topology.controllerManagers ?? 0) > 0 && CONTROLLERS.some((c) => c.name === 'deployment-controller') && (await attempt('creating the apps namespace', 10, signal, () => appsClient.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: appsNamespace } }), log)) !== undefined
      ? new DeploymentWorkload({ client: appsClient, namespace: appsNamespace, seed: opts.seed, deployments: 4, changeEveryMs: 3_000, now, log, kubelets: (topology.nodes ?? 0) > 0, images })
      : undefined;
  // Jobs run on real kubelets only: their pods must really finish.
  const jobs = apps !== undefined && (topology.nodes ?? 0) > 0 && CONTROLLERS.some((c) => c.name === 'job-controller') ? new JobWorkload({ client: appsClient, namespace: appsNamespace, everyMs: 6_000, now, log, images }) : undefined;
  // StatefulSets and the DaemonSet run against the local target only: beside the HA control plane,
  // the two node containers and the Deployments and Jobs, they overload a 2-CPU machine's compose
  // cluster (kubelets back after 74 s, Deployments past their bound while every check passed locally).
  const withSets = opts.target === 'local';
  const statefulsets = withSets && apps !== undefined && CONTROLLERS.some((c) => c.name === 'statefulset-controller') ? new StatefulSetWorkload({ client: appsClient, namespace: appsNamespace, seed: opts.seed, changeEveryMs: 5_000, now, log, kubelets: (topology.nodes ?? 0) > 0, images }) : undefined;
  // A DaemonSet needs nodes of its own: real kubelets only.
  const daemonset = withSets && apps !== undefined && (topology.nodes ?? 0) > 0 && CONTROLLERS.some((c) => c.name === 'daemonset-controller') ? new DaemonSetWorkload({ client: appsClient, namespace: appsNamespace, changeEveryMs: 15_000, now, log, images }) : undefined;
  const appsStop = new AbortController();
  const standInStop = new AbortController();
  signal.addEventListener('abort', () => standInStop.abort(), { once: true });
  const auditStop = new AbortController();
  const podsStop = new AbortController();
  signal.addEventListener('abort', () => podsStop.abort(), { once: true });
  const faults: FaultRecord[] = [];
  let final: FinalState | undefined;
  let runMs = 0;
  const baseConvergeBoundMs = containerd ? CONTAINERD_CONVERGE_BOUND_MS : CONVERGE_BOUND_MS;
  let convergeBoundMs = baseConvergeBoundMs;
  try {
    await watcher.start(watchStop.signal);
    await leaders?.start(auditStop.signal, podsStop.signal);
    await apps?.start(AbortSignal.any([appsStop.signal, workStop.signal]), standInStop.signal);
    jobs?.start(AbortSignal.any([appsStop.signal, workStop.signal]));
    await statefulsets?.start(AbortSignal.any([appsStop.signal, workStop.signal]), standInStop.signal);
    await daemonset?.start(AbortSignal.any([appsStop.signal, workStop.signal]));
    const workStart = now();
    workload.start(workStop.signal);
    const end = workStart + opts.durationMs;
    const ctx: FaultContext = { cluster, namespace, now, currentServer: () => client.currentServer, leaseHolder: (name) => leaseHolder(client, name), boundMs: opts.boundMs, recoveryTimeoutMs: 120_000, termGraceMs: 15_000, signal, log };
    for (const [i, step] of plan.entries()) {
      const at = Math.max(workStart + step.atMs, now());
      if (signal.aborted || at > end) {
        faults.push({ index: i, step, fault: step.fault, skipped: signal.aborted ? 'interrupted' : 'the run ended before the previous fault healed or its start time came' });
        continue;
      }
      await sleep(at - now(), signal);
      if (signal.aborted) {
        faults.push({ index: i, step, fault: step.fault, skipped: 'interrupted' });
        continue;
      }
      faults.push(await runFault(i, step, ctx));
      await sleep(1000, signal);
    }
    await sleep(end - now(), signal);
    runMs = now() - workStart;
    log(`stopping the workload after ${(runMs / 1000).toFixed(0)}s (${workload.writes.length} writes sent)`);
    workStop.abort();
    podsStop.abort();
    await workload.done();
    if (!signal.aborted) {
      // Every pod of the trickle should find a node once the schedulers healed.
      await leaders?.settle(30_000);
      // Every Deployment should match its last spec once the controller-managers healed.
      convergeBoundMs = baseConvergeBoundMs + (faults.some((f) => f.removedNode !== undefined) ? NODE_LOSS_DETECTION_MS : 0);
      await apps?.settle(convergeBoundMs, signal);
      // Every Job should reach its completions, each counted once.
      await jobs?.settle(convergeBoundMs, signal);
      // Every StatefulSet should hold exactly its ordinals, every Ready node one daemon pod.
      await statefulsets?.settle(convergeBoundMs, signal);
      await daemonset?.settle(convergeBoundMs, signal);
      let fenceTry = 0;
      const fence = await attempt(
        'writing the fence',
        10,
        signal,
        async () => {
          // A fresh name per try: a try with an unknown outcome may have created the previous one.
          const r = await workload.createMarker(`${FENCE}-${fenceTry++}`, signal);
          if (r.outcome === 'acknowledged') return r;
          throw new Error(r.error ?? 'not acknowledged');
        },
        log,
      );
      if (fence?.rv !== undefined) {
        let caught = await watcher.waitFor(fence.key, fence.rv, 30_000);
        if (!caught) {
          log('the watcher did not see the fence in 30s: resuming it on a fresh stream');
          watcher.kick();
          caught = await watcher.waitFor(fence.key, fence.rv, 15_000);
        }
      }
      final = await readFinal(client, namespace, signal, log);
      for (const f of faults) {
        if (f.removedNode === undefined) continue;
        f.afterRemoval = await describeRemovedNode(client, f.removedNode).catch((err: unknown) => `could not be read: ${err instanceof Error ? err.message : String(err)}`);
        log(`fault ${f.index}: after removing ${f.component ?? '?'}: ${f.afterRemoval}`);
      }
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    workStop.abort();
    watchStop.abort();
    podsStop.abort();
    auditStop.abort();
    appsStop.abort();
    standInStop.abort();
    await apps?.stop();
    await jobs?.stop();
    await statefulsets?.stop();
    await daemonset?.stop();
    await workload.done();
    await watcher.stopped();
    await leaders?.stop();
    client.close();
    watchClient.close();
    auditClient.close();
    appsClient.close();
  }
  const leaks = await cluster.stop(log);
  res.cluster = undefined;
  const keep = opts.keep || opts.dir !== undefined;
  const writes: readonly WriteRecord[] = workload.writes;
  const watch = watcher.history();
  const lost = final !== undefined ? findLostWrites(writes, final).lost : [];
  const leaderHistory = leaders?.history();
  const appsHistory = apps?.history(convergeBoundMs);
  const jobHistory = jobs?.history(convergeBoundMs);
  const statefulSetHistory = statefulsets?.history(convergeBoundMs);
  const daemonSetHistory = daemonset?.history(convergeBoundMs);
  const invariants = checkAll({
    writes,
    watch,
    final,
    faults,
    leaks,
    ...(leaderHistory !== undefined && !signal.aborted ? { leaders: leaderHistory } : {}),
    ...(appsHistory !== undefined && !signal.aborted ? { deployments: appsHistory } : {}),
    ...(jobHistory !== undefined && !signal.aborted ? { jobs: jobHistory } : {}),
    ...(statefulSetHistory !== undefined && !signal.aborted ? { statefulsets: statefulSetHistory } : {}),
    ...(daemonSetHistory !== undefined && !signal.aborted ? { daemonset: daemonSetHistory } : {}),
  });
  return buildReport({
    seed: opts.seed,
    startedAt,
    durationMs: runMs,
    interrupted: signal.aborted,
    namespace,
    cluster: { kind: cluster.kind, where: cluster.where, kept: keep, etcd: urls('etcd'), apiservers: urls('apiserver') },
    plan,
    faults,
    writes,
    lost,
    watch,
    leaks,
    invariants,
    ...(leaderHistory !== undefined ? { leaders: leaderHistory } : {}),
    ...(appsHistory !== undefined ? { deployments: appsHistory } : {}),
    ...(jobHistory !== undefined ? { jobs: jobHistory } : {}),
    ...(statefulSetHistory !== undefined ? { statefulsets: statefulSetHistory } : {}),
    ...(daemonSetHistory !== undefined ? { daemonset: daemonSetHistory } : {}),
  });
}

async function main(): Promise<number> {
  let opts: ChaosOptions | 'help';
  try {
    opts = parseFlags(process.argv.slice(2));
  } catch (err: unknown) {
    process.stderr.write(`chaos: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const root = new AbortController();
  const res: Resources = {};
  let signals = 0;
  const onSignal = (): void => {
    signals++;
    if (signals === 1) {
      process.stderr.write('chaos: interrupted; stopping the cluster (again to force)\n');
      root.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Last resort on any exit: let go of frozen or cut members and stop the cluster.
  process.once('exit', () => res.cluster?.releaseSync());
  let report;
  try {
    report = await runChaos(opts, root.signal, res);
  } catch (err: unknown) {
    process.stderr.write(`chaos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    await res.cluster?.stop((l) => void process.stderr.write(`chaos: ${l}\n`));
    res.cluster = undefined;
    return root.signal.aborted ? 130 : 1;
  }
  const json = JSON.stringify(report, null, 2) + '\n';
  if (opts.out !== undefined) writeFileSync(opts.out, json);
  else process.stdout.write(json);
  process.stderr.write(humanSummary(report));
  if (report.interrupted) return 130;
  return report.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos: ${err instanceof StatusError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
