// A stand-in for every kubelet, for benchmarks and chaos runs without nodes: each pod the watch
// shows that is not yet Ready gets a Running + Ready status, and pods being deleted are finished
// at once (the kubelet's grace-0 delete); `passive` when real kubelets do that. It also counts, per group of pods (a workload's label),
// the most pods alive at once — what the "never above replicas + maxSurge" checks read.
import type { Pod } from '../../pkg/api/core/v1/pod-types.js';
import { podResource } from '../../pkg/api/core/v1/pod.js';
import type { RestClient } from '../../pkg/client/rest.js';
import type { WatchEvent } from '../../pkg/client/watch.js';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface KubeletStandInOptions {
  readonly client: RestClient;
  readonly namespace: string;
  /** Status writes and deletes in flight at most. */
  readonly concurrency: number;
  /** Only pods matching this label selector. */
  readonly labelSelector?: string;
  /** Pods are counted per value of this label (a workload's pods share one). */
  readonly groupLabel: string;
  readonly log: (line: string) => void;
  /** Real kubelets run the pods: only watch and count, never write. */
  readonly passive?: boolean;
  /** Every pod the watch shows, as it shows it. */
  readonly onPod?: (type: string, pod: Pod) => void;
  /** A (re)list: the whole truth, before its pods are handed to onPod — deletions the watch missed are not reported. */
  readonly onList?: (pods: readonly Pod[]) => void;
  /** Pods that run to completion (a Job's): reported Succeeded, their container exited 0, instead of Running. */
  readonly completes?: (pod: Pod) => boolean;
}

export class KubeletStandIn {
  private readonly pending = new Map<string, Pod>();
  private readonly inFlight = new Set<string>();
  /** Pods alive (not being deleted) per group, as the watch shows them now. */
  readonly livePerGroup = new Map<string, Set<string>>();
  /** The most pods alive at once per group. */
  readonly peakPerGroup = new Map<string, number>();
  /** Each time a group's alive count reached a new peak: when (ms since start) and how many. */
  readonly peaks: { group: string; at: number; alive: number }[] = [];
  /** The pods alive at each group's peak, as "name (owner kind/name, created at)": what made it. */
  readonly peakPods = new Map<string, string[]>();
  private readonly described = new Map<string, string>();
  readyWrites = 0;
  errors = 0;
  /** Idle workers; every one is woken, since with a single slot the others would sleep forever. */
  private readonly idle = new Set<() => void>();
  private readonly started = Date.now();

  constructor(private readonly opts: KubeletStandInOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    const pods = this.opts.client.resource<Pod>(podResource).namespace(this.opts.namespace);
    const workers = this.opts.passive === true ? [] : Array.from({ length: this.opts.concurrency }, () => this.worker(pods, signal));
    const selector = this.opts.labelSelector !== undefined ? { labelSelector: this.opts.labelSelector } : {};
    let rv: string | undefined;
    while (!signal.aborted) {
      try {
        if (rv === undefined) {
          const list = await pods.listAll(selector);
          rv = list.metadata?.resourceVersion;
          this.relisted(list.items);
        }
        const stream = await pods.watch({ ...selector, resourceVersion: rv, allowWatchBookmarks: true, signal });
        for await (const ev of stream as AsyncIterable<WatchEvent<Pod>>) {
          if (ev.type === 'ERROR') {
            rv = undefined;
            break;
          }
          rv = ev.object.metadata?.resourceVersion ?? rv;
          if (ev.type !== 'BOOKMARK') this.observe(ev.type, ev.object);
        }
      } catch (err) {
        if (signal.aborted) break;
        this.opts.log(`kubelet stand-in watch: ${message(err)}`);
        rv = undefined;
        await sleep(200);
      }
    }
    this.wakeAll();
    await Promise.all(workers);
  }

  /**
   * A (re)list is the whole truth at one moment. Pods deleted, or marked for deletion, while the
   * watch was down leave the live sets before any listed pod is added: counted the other way round,
   * a pod created in the gap would sit beside one that had already gone, and the peak would show a
   * moment that never was.
   */
  relisted(items: readonly Pod[]): void {
    const listed = new Set(items.map((p) => p.metadata?.name ?? ''));
    const alive = new Set(items.filter((p) => p.metadata?.deletionTimestamp === undefined).map((p) => p.metadata?.name ?? ''));
    for (const live of this.livePerGroup.values()) for (const name of [...live]) if (!alive.has(name)) live.delete(name);
    for (const name of [...this.pending.keys()]) if (!listed.has(name)) this.pending.delete(name);
    this.opts.onList?.(items);
    for (const p of items) this.observe('ADDED', p);
  }

  private observe(type: string, p: Pod): void {
    this.opts.onPod?.(type, p);
    const name = p.metadata?.name ?? '';
    const group = p.metadata?.labels?.[this.opts.groupLabel];
    if (group !== undefined) {
      const live = this.livePerGroup.get(group) ?? new Set<string>();
      this.livePerGroup.set(group, live);
      if (type === 'DELETED' || p.metadata?.deletionTimestamp !== undefined) {
        live.delete(name);
        this.described.delete(name);
      } else {
        live.add(name);
        const owner = p.metadata?.ownerReferences?.find((r) => r.controller === true);
        this.described.set(name, `${name} (${owner !== undefined ? `${owner.kind}/${owner.name}` : 'no owner'}, created ${p.metadata?.creationTimestamp ?? '?'})`);
      }
      if (live.size > (this.peakPerGroup.get(group) ?? 0)) {
        this.peakPerGroup.set(group, live.size);
        this.peaks.push({ group, at: Date.now() - this.started, alive: live.size });
        this.peakPods.set(group, [...live].map((n) => this.described.get(n) ?? n));
      }
    }
    if (type === 'DELETED' || this.opts.passive === true) {
      this.pending.delete(name);
      return;
    }
    const ready = p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
    const done = this.opts.completes?.(p) === true ? p.status?.phase === 'Succeeded' : ready;
    if (!done || p.metadata?.deletionTimestamp !== undefined) {
      this.pending.set(name, p);
      this.wakeAll();
    }
  }

  private async worker(pods: ReturnType<RestClient['resource']>, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const next = [...this.pending.keys()].find((k) => !this.inFlight.has(k));
      if (next === undefined) {
        await new Promise<void>((r) => this.idle.add(r));
        continue;
      }
      const p = this.pending.get(next)!;
      this.pending.delete(next);
      this.inFlight.add(next);
      try {
        if (p.metadata?.deletionTimestamp !== undefined) {
          await pods.delete(next, { gracePeriodSeconds: 0, signal });
        } else if (this.opts.completes?.(p) === true) {
          const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
          const containerStatuses = (p.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image, imageID: '', ready: false, restartCount: 0, started: false, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now } } }));
          const conditions = [{ type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: now }];
          await pods.patch(next, { status: { phase: 'Succeeded', conditions, containerStatuses, startTime: now } }, 'merge', { subresource: 'status', signal });
          this.readyWrites++;
        } else {
          const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
          const conditions = ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastTransitionTime: now }));
          await pods.patch(next, { status: { phase: 'Running', conditions, startTime: now } }, 'merge', { subresource: 'status', signal });
          this.readyWrites++;
        }
      } catch (err) {
        if (!signal.aborted && !/not found/i.test(message(err))) this.errors++;
      } finally {
        this.inFlight.delete(next);
      }
      // Another worker may be waiting for work this one just made room for.
      this.wakeAll();
    }
  }

  private wakeAll(): void {
    const waiting = [...this.idle];
    this.idle.clear();
    for (const wake of waiting) wake();
  }
}
