// The pod workload and its measurement: pods created at a fixed concurrency into a fresh
// namespace, a watch that notes when each pod's spec.nodeName first appears, and (for the bind
// ceiling) a trivial binder that sends every new pod to the next node in turn.
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { RestClient } from '../../pkg/client/rest.js';
import type { ResourceClient } from '../../pkg/client/resource.js';
import { summarize, type LatencySummary } from '../apiserver/stats.js';
import { createNamespace, message, nodeName, PODS, pool, sleep, zoneName } from './cluster.js';

interface BenchPod {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; resourceVersion?: string };
  spec?: { nodeName?: string };
}

export type PodShape = 'plain' | 'antiAffinity' | 'spread' | 'nodeSelector';

/** Pod i's shape: 20% preferred anti-affinity, 20% zone spread, 2% a zone nodeSelector, the rest plain. */
export function shapeOf(i: number): PodShape {
  const r = i % 50;
  if (r === 7 || r === 32) return 'nodeSelector';
  const d = i % 10;
  if (d === 0 || d === 1) return 'antiAffinity';
  if (d === 2 || d === 3) return 'spread';
  return 'plain';
}

export function podName(i: number): string {
  return `bench-pod-${String(i).padStart(5, '0')}`;
}

/** Pod i of the workload; `schedulerName` undefined leaves the default scheduler in charge. */
export function podManifest(i: number, schedulerName?: string): Record<string, unknown> {
  const app = `group-${i % 50}`;
  const selector = { matchLabels: { app } };
  const shape = shapeOf(i);
  const spec: Record<string, unknown> = {
    containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '128Mi' } } }],
    terminationGracePeriodSeconds: 0,
    ...(schedulerName !== undefined ? { schedulerName } : {}),
  };
  if (shape === 'antiAffinity') {
    spec.affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: selector, topologyKey: 'kubernetes.io/hostname' } }] } };
  } else if (shape === 'spread') {
    spec.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: selector }];
  } else if (shape === 'nodeSelector') {
    spec.nodeSelector = { 'topology.kubernetes.io/zone': zoneName(i) };
  }
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: podName(i), labels: { app, shape } }, spec };
}

export interface WorkloadOptions {
  readonly namespace: string;
  readonly pods: number;
  readonly concurrency: number;
  /** Set for the ceiling: pods nobody schedules, bound by this benchmark to these many nodes in turn. */
  readonly bindToNodes?: number;
  readonly schedulerName?: string;
  /** Give up when no pod got bound for this long. */
  readonly stallMs: number;
  readonly log: (line: string) => void;
}

export interface WorkloadResult {
  readonly pods: number;
  readonly created: number;
  readonly bound: number;
  /** First create sent → last pod seen bound. */
  readonly durationMs: number;
  readonly podsPerSec: number;
  /** Create acknowledged → bound seen (0 when the watch saw the binding before the create's reply). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly latency: LatencySummary;
  readonly createMs: number;
  readonly createErrors: number;
  readonly bindErrors?: number;
  readonly watchRestarts: number;
  readonly errorSamples: string[];
  /** Bound pods per node shape check: how many distinct nodes got at least one pod. */
  readonly nodesUsed: number;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

class Samples {
  readonly list: string[] = [];
  count = 0;
  add(s: string): void {
    this.count++;
    if (this.list.length < 5 && !this.list.includes(s)) this.list.push(s);
  }
}

/** Watches the namespace from a fresh list; relists and rewatches whenever the stream ends. */
class BoundTracker {
  readonly bound = new Map<string, number>();
  readonly nodes = new Set<string>();
  restarts = 0;
  private onProgress: (() => void) | undefined;

  constructor(
    private readonly pods: ResourceClient<BenchPod>,
    private readonly onUnbound: ((name: string) => void) | undefined,
    private readonly errors: Samples,
  ) {}

  /** Resolves once the first watch is open; the loop runs until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    let rv = await this.relist(signal);
    let opened: () => void = () => undefined;
    const first = new Promise<void>((r) => (opened = r));
    void (async () => {
      while (!signal.aborted) {
        try {
          const w = await this.pods.watch({ resourceVersion: rv, allowWatchBookmarks: true, signal });
          opened();
          for await (const ev of w) {
            if (ev.type === 'ERROR') break;
            rv = ev.object.metadata?.resourceVersion ?? rv;
            if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.see(ev.object, ev.type === 'ADDED');
          }
        } catch (err) {
          if (signal.aborted) return;
          this.errors.add(`watch: ${message(err)}`);
        }
        if (signal.aborted) return;
        this.restarts++;
        await sleep(100);
        try {
          rv = await this.relist(signal);
        } catch (err) {
          this.errors.add(`relist: ${message(err)}`);
        }
      }
    })();
    await first;
  }

  /** Resolves at the next binding seen, or after `ms`. */
  progress(ms: number): Promise<void> {
    return new Promise((r) => {
      const t = setTimeout(() => {
        this.onProgress = undefined;
        r();
      }, ms);
      this.onProgress = () => {
        clearTimeout(t);
        this.onProgress = undefined;
        r();
      };
    });
  }

  private async relist(signal: AbortSignal): Promise<string> {
    const list = await this.pods.listAll({ signal });
    for (const p of list.items) this.see(p, true);
    return list.metadata.resourceVersion ?? '';
  }

  private see(p: BenchPod, added: boolean): void {
    const name = p.metadata?.name ?? '';
    const node = p.spec?.nodeName;
    if (node !== undefined && node !== '') {
      if (!this.bound.has(name)) {
        this.bound.set(name, performance.now());
        this.nodes.add(node);
        this.onProgress?.();
      }
    } else if (added) this.onUnbound?.(name);
  }
}

/** The ceiling's binder: every pod seen unbound goes to the next node, `concurrency` POSTs at a time. */
class TrivialBinder {
  private readonly queue: string[] = [];
  private readonly seen = new Set<string>();
  private readonly parked: Array<() => void> = [];
  private next = 0;

  constructor(
    private readonly pods: ResourceClient<BenchPod>,
    private readonly nodes: number,
    private readonly errors: Samples,
  ) {}

  push(name: string): void {
    if (this.seen.has(name)) return;
    this.seen.add(name);
    this.queue.push(name);
    this.parked.shift()?.();
  }

  run(concurrency: number, signal: AbortSignal): Promise<void> {
    const worker = async (): Promise<void> => {
      while (!signal.aborted) {
        const name = this.queue.shift();
        if (name === undefined) {
          await new Promise<void>((r) => {
            const done = (): void => {
              signal.removeEventListener('abort', done);
              r();
            };
            this.parked.push(done);
            signal.addEventListener('abort', done, { once: true });
          });
          continue;
        }
        const target = nodeName(this.next++ % this.nodes);
        try {
          await this.pods.createSubresource(name, 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: target } }, { signal });
        } catch (err) {
          if (!signal.aborted) this.errors.add(`bind ${name}: ${message(err)}`);
        }
      }
    };
    return Promise.all(Array.from({ length: concurrency }, worker)).then(() => undefined);
  }
}

export async function runWorkload(client: RestClient, opts: WorkloadOptions, outer: AbortSignal): Promise<WorkloadResult> {
  const stop = new AbortController();
  const signal = AbortSignal.any([outer, stop.signal]);
  // Every request in flight and every parked binder listens on it.
  setMaxListeners(0, signal);
  await createNamespace(client, opts.namespace, signal);
  const pods = client.resource<BenchPod>(PODS).namespace(opts.namespace);
  const createErrors = new Samples();
  const otherErrors = new Samples();
  const bindErrors = new Samples();
  const binder = opts.bindToNodes !== undefined ? new TrivialBinder(pods, opts.bindToNodes, bindErrors) : undefined;
  const tracker = new BoundTracker(pods, binder ? (n) => binder.push(n) : undefined, otherErrors);
  const acked = new Map<string, number>();
  try {
    await tracker.start(signal);
    const binding = binder?.run(opts.concurrency, signal);
    const t0 = performance.now();
    let created = 0;
    await pool(
      opts.pods,
      opts.concurrency,
      async (i) => {
        try {
          await pods.create(podManifest(i, opts.schedulerName) as BenchPod, { signal });
          acked.set(podName(i), performance.now());
          created++;
        } catch (err) {
          if (!signal.aborted) createErrors.add(`create ${podName(i)}: ${message(err)}`);
        }
      },
      signal,
    );
    const createMs = performance.now() - t0;
    opts.log(`${opts.namespace}: ${created} pods created in ${Math.round(createMs)} ms, ${tracker.bound.size} bound so far`);
    let lastCount = -1;
    let lastChange = Date.now();
    while (!signal.aborted && tracker.bound.size < created) {
      await tracker.progress(1000);
      if (tracker.bound.size !== lastCount) {
        if (Math.floor(tracker.bound.size / 1000) !== Math.floor(Math.max(0, lastCount) / 1000)) opts.log(`${opts.namespace}: ${tracker.bound.size}/${created} bound`);
        lastCount = tracker.bound.size;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > opts.stallMs) {
        otherErrors.add(`no pod bound for ${opts.stallMs} ms; ${created - tracker.bound.size} of ${created} still unbound`);
        break;
      }
    }
    stop.abort();
    await binding;
    const lastBound = Math.max(t0, ...tracker.bound.values());
    const latencies: number[] = [];
    for (const [name, t] of tracker.bound) {
      const a = acked.get(name);
      if (a !== undefined) latencies.push(Math.max(0, t - a));
    }
    const latency = summarize(latencies);
    const durationMs = lastBound - t0;
    return {
      pods: opts.pods,
      created,
      bound: tracker.bound.size,
      durationMs: Math.round(durationMs),
      podsPerSec: durationMs > 0 ? round((tracker.bound.size / durationMs) * 1000) : 0,
      p50Ms: latency.p50Ms,
      p99Ms: latency.p99Ms,
      latency,
      createMs: Math.round(createMs),
      createErrors: createErrors.count,
      ...(binder ? { bindErrors: bindErrors.count } : {}),
      watchRestarts: tracker.restarts,
      errorSamples: [...createErrors.list, ...bindErrors.list, ...otherErrors.list].slice(0, 8),
      nodesUsed: tracker.nodes.size,
    };
  } finally {
    stop.abort();
  }
}
