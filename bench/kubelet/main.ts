// The kubelet benchmark: `npm start`'s launcher with its real scheduler and controller-managers and
// N kubelets on the simulated runtime. Deployments totalling 1,000 pods are created at once; a
// watch records, per pod, when it appeared, when it was bound to a node, and when it was first
// seen Running. Pod startup latency (created → Running, p50/p99; the SLO anchor is p99 ≤ 5 s) is
// set against the scheduling latency of the same pods in the same run (created → bound), so the
// kubelets' own share is the difference. Also the time until all pods run and the RSS of each
// kubelet. Prints one JSON document; every phase is bounded, so it always finishes.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Deployment } from '../../pkg/api/apps/v1/deployment.js';
import { deploymentResource } from '../../pkg/api/apps/v1/deployment.js';
import { nodeResource, type Node } from '../../pkg/api/core/v1/node.js';
import type { Pod } from '../../pkg/api/core/v1/pod-types.js';
import { isNodeSidecar } from '../../pkg/cluster/launcher.js';
import { podResource } from '../../pkg/api/core/v1/pod.js';
import { loadKubeconfig } from '../../pkg/client/kubeconfig.js';
import { RestClient } from '../../pkg/client/rest.js';
import type { WatchEvent } from '../../pkg/client/watch.js';
import { runBenchmark } from '../apiserver/processes.js';

const USAGE = `Usage: node dist/bench/kubelet/main.js [flags]
  --quick            200 pods on 4 nodes
  --pods=N           pods in all (default 1000), as Deployments of 10 replicas
  --nodes=N          kubelets (default 10)
  --stall-seconds=N  give up when no pod started running for this long (default 60)
  --runtime=NAME     fake (default) or containerd: real containers (kubets/node-base:20 running node),
                     each node with its own containerd (root, Debian's containerd, runc and CNI plugins)`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);
const round = (n: number, d = 1): number => Math.round(n * 10 ** d) / 10 ** d;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

/** The pods' container: the simulated runtime runs any image; on containerd, node idling in the image built here. */
const CONTAINERS = {
  fake: { name: 'app', image: 'nginx:1.27' },
  containerd: { name: 'app', image: 'kubets/node-base:20', command: ['node', '-e', 'setInterval(()=>{},60000)'] },
};

function deployment(i: number, replicas: number, runtime: keyof typeof CONTAINERS): Deployment {
  const app = `load-${String(i).padStart(4, '0')}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app },
    spec: {
      replicas,
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app, bench: 'kubelet' } }, spec: { containers: [{ ...CONTAINERS[runtime], resources: { requests: { cpu: '1m', memory: '1Mi' } } }] } },
    },
  } as Deployment;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ args: process.argv.slice(2), strict: true, options: { quick: { type: 'boolean', default: false }, pods: { type: 'string' }, nodes: { type: 'string' }, 'stall-seconds': { type: 'string' }, runtime: { type: 'string', default: 'fake' }, help: { type: 'boolean', default: false } } });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const pods = Number(values.pods ?? (values.quick ? 200 : 1000));
  const nodes = Number(values.nodes ?? (values.quick ? 4 : 10));
  const stallMs = Number(values['stall-seconds'] ?? 60) * 1000;
  const runtime = values.runtime;
  if (runtime !== 'fake' && runtime !== 'containerd') throw new Error('--runtime takes fake or containerd');
  if (![pods, nodes, stallMs].every((n) => Number.isInteger(n) && n > 0) || nodes > 99) throw new Error('--pods, --stall-seconds take positive integers, --nodes 1 to 99');
  const distDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const dir = mkdtempSync(join(tmpdir(), 'kubets-bench-kubelet-'));
  const phases: Record<string, number> = {};
  const launcherNodes = nodes;
  const launcher = spawn(process.execPath, [join(distDir, 'cmd', 'cluster', 'main.js'), '--dir', dir, '--nodes', String(launcherNodes), '--runtime', runtime, '--schedulers', '1', '--controller-managers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const hardStop = setTimeout(() => {
    log('over the 15 minute bound; stopping');
    launcher.kill('SIGTERM');
    process.exit(1);
  }, 15 * 60_000);
  hardStop.unref();
  try {
    let out = '';
    launcher.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const kubeconfig = await (async () => {
      for (let i = 0; i < 600; i++) {
        const m = /export KUBECONFIG=(\S+)/.exec(out);
        if (m) return m[1]!;
        if (launcher.exitCode !== null) throw new Error(`launcher exited: ${out}`);
        await sleep(100);
      }
      throw new Error('the cluster did not come up in 60 s');
    })();
    const client = new RestClient({ ...loadKubeconfig({ path: kubeconfig }), component: 'bench-kubelet' });
    // Every node Ready before the clock starts.
    const started = performance.now();
    for (;;) {
      const list = await client.resource<Node>(nodeResource).list();
      const ready = list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
      if (ready === launcherNodes) break;
      if (performance.now() - started > 60_000) throw new Error(`only ${ready} of ${launcherNodes} nodes Ready after 60 s`);
      await sleep(200);
    }
    phases['nodesReadyMs'] = Math.round(performance.now() - started);

    const seen = new Map<string, { created: number; bound?: number; running?: number }>();
    const podsApi = client.resource<Pod>(podResource).namespace('default');
    const stop = new AbortController();
    const list = await podsApi.list();
    const watch = (async () => {
      const stream = await podsApi.watch({ resourceVersion: list.metadata?.resourceVersion, labelSelector: 'bench=kubelet', signal: stop.signal });
      for await (const ev of stream as AsyncIterable<WatchEvent<Pod>>) {
        if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') continue;
        const p = ev.object;
        const name = p.metadata?.name ?? '';
        const now = performance.now();
        let rec = seen.get(name);
        if (rec === undefined) {
          rec = { created: now };
          seen.set(name, rec);
        }
        if (rec.bound === undefined && p.spec?.nodeName) rec.bound = now;
        if (rec.running === undefined && p.status?.phase === 'Running') rec.running = now;
      }
    })().catch(() => undefined);

    const deployments = Math.ceil(pods / 10);
    const t0 = performance.now();
    const apps = client.resource<Deployment>(deploymentResource).namespace('default');
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < deployments) {
        const i = next++;
        await apps.create(deployment(i, Math.min(10, pods - i * 10), runtime));
      }
    }));
    phases['createMs'] = Math.round(performance.now() - t0);
    let lastProgress = performance.now();
    let lastRunning = 0;
    for (;;) {
      const running = [...seen.values()].filter((r) => r.running !== undefined).length;
      if (running >= pods) break;
      if (running > lastRunning) {
        lastRunning = running;
        lastProgress = performance.now();
      }
      if (performance.now() - lastProgress > stallMs) {
        log(`stalled at ${running} of ${pods} pods running`);
        break;
      }
      await sleep(100);
    }
    phases['allRunningMs'] = Math.round(performance.now() - t0);
    stop.abort();
    await watch;
    const records = [...seen.values()];
    const startup = records.filter((r) => r.running !== undefined).map((r) => r.running! - r.created).sort((a, b) => a - b);
    const scheduling = records.filter((r) => r.bound !== undefined).map((r) => r.bound! - r.created).sort((a, b) => a - b);
    const kubeletShare = records.filter((r) => r.running !== undefined && r.bound !== undefined).map((r) => r.running! - r.bound!).sort((a, b) => a - b);
    const cluster = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as { components: { name: string; pid?: number }[] };
    const rssOf = (pick: (name: string) => boolean): number[] => cluster.components.filter((c) => pick(c.name) && c.pid !== undefined).map((c) => rssMiB(c.pid!));
    const kubeletRss = rssOf((n) => n.startsWith('node-') && !isNodeSidecar(n));
    const runtimeRss = rssOf((n) => n.startsWith('node-') && n.endsWith('-runtime'));
    const result = {
      bench: 'kubelet',
      runtime,
      pods,
      nodes: launcherNodes,
      cpus: cpus().length,
      running: startup.length,
      podStartupMs: { p50: round(percentile(startup, 50)), p90: round(percentile(startup, 90)), p99: round(percentile(startup, 99)), max: round(startup.at(-1) ?? NaN) },
      baselineSchedulingMs: { p50: round(percentile(scheduling, 50)), p99: round(percentile(scheduling, 99)) },
      boundToRunningMs: { p50: round(percentile(kubeletShare, 50)), p99: round(percentile(kubeletShare, 99)) },
      sloP99Within5s: percentile(startup, 99) <= 5000,
      podsPerSecondUntilAllRunning: round(startup.length / ((phases['allRunningMs'] ?? 1) / 1000)),
      kubeletRssMiB: { each: kubeletRss, max: Math.max(...kubeletRss) },
      runtimeRssMiB: { each: runtimeRss, max: Math.max(...runtimeRss) },
      phases,
    };
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return startup.length === pods ? 0 : 1;
  } finally {
    clearTimeout(hardStop);
    const exited = new Promise((r) => launcher.once('exit', r));
    launcher.kill('SIGTERM');
    // Real containers take their pods down (network included) before the launcher exits.
    await Promise.race([exited, sleep(runtime === 'containerd' ? 180_000 : 30_000)]);
    rmSync(dir, { recursive: true, force: true });
  }
}

runBenchmark(main);
