// Pod garbage collector (upstream's podgc controller). Every 20 s it force-deletes (grace 0):
// terminated pods above --terminated-pod-gc-threshold, oldest first; pods bound to a node that no
// longer exists (once the node has been missing for the 40 s quarantine and a read confirms it,
// after marking them Failed with a DisruptionTarget condition); terminating pods that were never
// scheduled; and terminating pods on a NotReady node carrying the out-of-service taint.
import type { Node } from '../../api/core/v1/node.js';
import { nodeResource } from '../../api/core/v1/node.js';
import type { Pod, PodCondition } from '../../api/core/v1/pod-types.js';
import { podResource } from '../../api/core/v1/pod.js';
import type { Clock } from '../../client/clock.js';
import type { DeepReadonly } from '../../client/informer/store.js';
import type { Lister } from '../../client/informer/lister.js';
import { formatTime } from '../../api/meta/v1.js';
import { isNotFound, type Controller, type ControllerContext, type ControllerDefinition, type ObjectClient } from '../framework/index.js';
import type { Logger } from 'pino';

/** Upstream's gcCheckPeriod. */
export const GC_CHECK_PERIOD_MS = 20_000;
/** How long a node must be missing from the cache before its pods are collected (upstream's quarantineTime). */
export const QUARANTINE_MS = 40_000;
const OUT_OF_SERVICE_TAINT = 'node.kubernetes.io/out-of-service';

const isTerminated = (p: DeepReadonly<Pod>): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

export class PodGcController implements Controller {
  private readonly pods: Lister<Pod>;
  private readonly nodes: Lister<Node>;
  private readonly client: ObjectClient;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly threshold: number;
  /** Nodes pods are bound to but the cache lacks, with when that was first seen. */
  private readonly missingSince = new Map<string, number>();

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.log = ctx.log;
    this.threshold = Number(ctx.flag('terminated-pod-gc-threshold'));
    if (!Number.isInteger(this.threshold)) throw new Error(`pod-garbage-collector: --terminated-pod-gc-threshold must be an integer, not ${JSON.stringify(ctx.flag('terminated-pod-gc-threshold'))}`);
    this.pods = ctx.informers.forResource<Pod>(podResource).lister();
    this.nodes = ctx.informers.forResource<Node>(nodeResource).lister();
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.gc();
      } catch (err) {
        this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'pod garbage collection failed; next round in 20s');
      }
      await this.clock.sleep(GC_CHECK_PERIOD_MS, signal).catch(() => undefined);
    }
  }

  /** One round: each kind of garbage in upstream's order. */
  async gc(): Promise<void> {
    const pods = this.pods.list();
    if (this.threshold > 0) await this.gcTerminated(pods);
    await this.gcTerminatingOutOfService(pods);
    await this.gcOrphaned(pods);
    await this.gcUnscheduledTerminating(pods);
  }

  private async gcTerminated(pods: readonly DeepReadonly<Pod>[]): Promise<void> {
    const terminated = pods.filter(isTerminated);
    const excess = terminated.length - this.threshold;
    if (excess <= 0) return;
    // Evicted pods first, then the oldest.
    const evicted = (p: DeepReadonly<Pod>): number => (p.status?.reason === 'Evicted' ? 0 : 1);
    const sorted = [...terminated].sort((a, b) => evicted(a) - evicted(b) || (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? ''));
    this.log.info({ count: excess, threshold: this.threshold }, 'garbage collecting terminated pods');
    for (const p of sorted.slice(0, excess)) await this.markFailedAndDelete(p);
  }

  private async gcTerminatingOutOfService(pods: readonly DeepReadonly<Pod>[]): Promise<void> {
    for (const p of pods) {
      if (p.metadata?.deletionTimestamp === undefined || !p.spec?.nodeName) continue;
      const node = this.nodes.get(p.spec.nodeName);
      if (node === undefined) continue;
      const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      if (!ready && (node.spec?.taints ?? []).some((t) => t.key === OUT_OF_SERVICE_TAINT)) await this.markFailedAndDelete(p);
    }
  }

  private async gcOrphaned(pods: readonly DeepReadonly<Pod>[]): Promise<void> {
    const now = this.clock.now();
    const missing = new Set<string>();
    for (const p of pods) {
      const node = p.spec?.nodeName;
      if (node && this.nodes.get(node) === undefined) missing.add(node);
    }
    for (const name of this.missingSince.keys()) if (!missing.has(name)) this.missingSince.delete(name);
    const deleted = new Set<string>();
    for (const name of missing) {
      const since = this.missingSince.get(name) ?? now;
      this.missingSince.set(name, since);
      if (now - since < QUARANTINE_MS) continue;
      // The cache may lag: only a read that finds no node makes it gone.
      try {
        await this.client.get<Node>(nodeResource, '', name);
        continue;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      deleted.add(name);
    }
    if (deleted.size === 0) return;
    const condition: PodCondition = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', lastTransitionTime: formatTime(now) };
    for (const p of pods) {
      if (!deleted.has(p.spec?.nodeName ?? '')) continue;
      this.log.info({ pod: `${p.metadata?.namespace}/${p.metadata?.name}`, node: p.spec?.nodeName }, 'garbage collecting a pod of a node that no longer exists');
      await this.markFailedAndDelete(p, condition);
    }
    for (const name of deleted) this.missingSince.delete(name);
  }

  private async gcUnscheduledTerminating(pods: readonly DeepReadonly<Pod>[]): Promise<void> {
    for (const p of pods) if (p.metadata?.deletionTimestamp !== undefined && !p.spec?.nodeName) await this.markFailedAndDelete(p);
  }

  /** A pod not yet terminal is marked Failed (with `condition`), then deleted with grace 0. */
  private async markFailedAndDelete(p: DeepReadonly<Pod>, condition?: PodCondition): Promise<void> {
    const ns = p.metadata?.namespace ?? '';
    const name = p.metadata?.name ?? '';
    const uid = p.metadata?.uid ?? '';
    try {
      if (!isTerminated(p)) {
        const conditions = [...((p.status?.conditions ?? []) as PodCondition[]).filter((c) => c.type !== condition?.type), ...(condition ? [condition] : [])];
        await this.client.patch<Pod>(podResource, ns, name, { metadata: { uid }, status: { phase: 'Failed', conditions } }, 'merge', { subresource: 'status' });
      }
      await this.client.delete(podResource, ns, name, { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

export const podGcControllerDefinition: ControllerDefinition = {
  name: 'pod-garbage-collector-controller',
  aliases: ['podgc'],
  flags: {
    'terminated-pod-gc-threshold': { default: '12500', usage: 'terminated pods kept before the oldest are deleted; 0 keeps them all' },
  },
  create: (ctx) => new PodGcController(ctx),
};
