// Taint eviction (upstream's taint-eviction-controller): a pod bound to a node with NoExecute
// taints it does not tolerate is deleted at once; one that tolerates them all is deleted once the
// shortest tolerationSeconds among the tolerations used has passed (a toleration without
// tolerationSeconds tolerates for ever). The clock starts at the taint's timeAdded, so a new
// leader after a failover keeps the deadline its predecessor had. Before the delete the pod gets
// the DisruptionTarget condition (DeletionByTaintManager), which tells its owner why it went.
import type { Logger } from 'pino';
import type { Taint, Toleration } from '../../api/core/v1/common.js';
import type { Node } from '../../api/core/v1/node.js';
import { nodeResource } from '../../api/core/v1/node.js';
import type { Pod } from '../../api/core/v1/pod-types.js';
import { podResource } from '../../api/core/v1/pod.js';
import { toleratesTaint } from '../../api/core/v1/toleration.js';
import { formatTime } from '../../api/meta/v1.js';
import type { Clock } from '../../client/clock.js';
import type { Lister } from '../../client/informer/lister.js';
import { unwrapTombstone, type DeepReadonly } from '../../client/informer/store.js';
import { isConflict, isNotFound, ReconcileLoop, type Controller, type ControllerContext, type ControllerDefinition, type EventSink, type ObjectClient, type ReconcileResult } from '../framework/index.js';

/**
 * When a pod on a node with these NoExecute taints must go: 'now', 'never', or the time in ms.
 * `startedMs` is when the controller first saw the pod under taints (the fallback start).
 */
export function evictionTime(taints: readonly DeepReadonly<Taint>[], tolerations: readonly DeepReadonly<Toleration>[], startedMs: number): number | 'now' | 'never' {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute');
  if (noExecute.length === 0) return 'never';
  const used: DeepReadonly<Toleration>[] = [];
  for (const taint of noExecute) {
    const t = tolerations.find((x) => toleratesTaint(x as Toleration, taint as Taint));
    if (t === undefined) return 'now';
    used.push(t);
  }
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 'now';
    min = Math.min(min, t.tolerationSeconds);
  }
  if (min === Infinity) return 'never';
  const added = noExecute.map((t) => Date.parse(t.timeAdded ?? '')).filter(Number.isFinite);
  const start = Math.min(startedMs, ...added);
  return start + min * 1000;
}

export class TaintEvictionController implements Controller {
  private readonly pods: Lister<Pod>;
  private readonly nodes: Lister<Node>;
  private readonly client: ObjectClient;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly events: EventSink;
  private readonly loop: ReconcileLoop;
  /** Pods under NoExecute taints they tolerate for a while, with when this controller first saw that. */
  private readonly scheduled = new Map<string, number>();

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.log = ctx.log;
    this.events = ctx.events('taint-eviction-controller');
    const podInformer = ctx.informers.forResource<Pod>(podResource);
    const nodeInformer = ctx.informers.forResource<Node>(nodeResource);
    this.pods = podInformer.lister();
    this.nodes = nodeInformer.lister();
    this.loop = new ReconcileLoop({ name: 'taint-eviction', reconciler: { reconcile: (key) => this.reconcile(key) }, workers: ctx.workers, clock: ctx.clock, log: ctx.log });
    const onPod = (p: DeepReadonly<Pod>): void => {
      if (p.spec?.nodeName) this.loop.enqueueObject(p);
    };
    podInformer.addEventHandler({
      onAdd: onPod,
      onUpdate: (_old, p) => onPod(p),
      onDelete: (p) => {
        const gone = unwrapTombstone(p);
        this.scheduled.delete(`${gone.metadata?.namespace}/${gone.metadata?.name}`);
      },
    });
    const onNode = (n: DeepReadonly<Node>): void => {
      const name = n.metadata?.name;
      for (const p of this.pods.list()) if (p.spec?.nodeName === name) this.loop.enqueueObject(p);
    };
    const noExecute = (n: DeepReadonly<Node> | undefined): string => JSON.stringify((n?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute'));
    nodeInformer.addEventHandler({
      onAdd: (n) => {
        if (noExecute(n) !== '[]') onNode(n);
      },
      onUpdate: (old, n) => {
        if (noExecute(old) !== noExecute(n)) onNode(n);
      },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const [ns = '', name = ''] = key.split('/');
    const pod = this.pods.namespace(ns).get(name);
    const node = pod?.spec?.nodeName ? this.nodes.get(pod.spec.nodeName) : undefined;
    if (pod === undefined || node === undefined || pod.metadata?.deletionTimestamp !== undefined) {
      this.cancel(key, pod);
      return;
    }
    const now = this.clock.now();
    const when = evictionTime(node.spec?.taints ?? [], pod.spec?.tolerations ?? [], this.scheduled.get(key) ?? now);
    if (when === 'never') {
      this.cancel(key, pod);
      return;
    }
    if (when !== 'now' && when > now) {
      if (!this.scheduled.has(key)) this.scheduled.set(key, now);
      return { requeueAfterMs: when - now };
    }
    await this.evict(pod);
    this.scheduled.delete(key);
  }

  private cancel(key: string, pod: DeepReadonly<Pod> | undefined): void {
    if (!this.scheduled.delete(key) || pod === undefined || pod.metadata?.deletionTimestamp !== undefined) return;
    void this.events.record({ ...pod, apiVersion: 'v1', kind: 'Pod' }, 'Normal', 'TaintManagerEviction', 'TaintManagerEviction', `Cancelling deletion of Pod ${pod.metadata?.namespace}/${pod.metadata?.name}`);
  }

  private async evict(pod: DeepReadonly<Pod>): Promise<void> {
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const uid = pod.metadata?.uid ?? '';
    void this.events.record({ ...pod, apiVersion: 'v1', kind: 'Pod' }, 'Normal', 'TaintManagerEviction', 'TaintManagerEviction', `Marking for deletion Pod ${ns}/${name}`);
    this.log.info({ pod: `${ns}/${name}`, node: pod.spec?.nodeName }, 'deleting a pod for a NoExecute taint');
    try {
      const target = pod.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
      if (target?.status !== 'True' || target.reason !== 'DeletionByTaintManager') {
        const condition = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: formatTime(this.clock.now()) };
        await this.client.patch<Pod>(podResource, ns, name, { metadata: { uid }, status: { conditions: [condition] } }, 'strategic', { subresource: 'status' });
      }
      await this.client.delete(podResource, ns, name, { preconditions: { uid } });
    } catch (err) {
      // Gone, or replaced by a pod of the same name: nothing left to evict.
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
  }
}

export const taintEvictionControllerDefinition: ControllerDefinition = {
  name: 'taint-eviction-controller',
  aliases: [],
  create: (ctx) => new TaintEvictionController(ctx),
};
