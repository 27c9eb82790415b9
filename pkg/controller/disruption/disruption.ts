// Disruption controller (upstream's disruption-controller): keeps each PodDisruptionBudget's
// status — the pods it covers, how many are healthy (Ready, not being deleted, not just evicted),
// how many must be, and so how many disruptions are allowed now — which the apiserver's eviction
// subresource spends one at a time, so `kubectl drain` evicts within the budget. A percentage or
// maxUnavailable counts against the replicas the pods' controllers ask for (Deployment through
// its ReplicaSet, ReplicaSet, StatefulSet); a pod without such a controller makes the budget fail
// safe (no disruption allowed, SyncFailed). An eviction is remembered in disruptedPods until the
// pod is seen going, for at most two minutes.
import type { Deployment } from '../../api/apps/v1/deployment.js';
import { deploymentResource } from '../../api/apps/v1/deployment.js';
import type { ReplicaSet } from '../../api/apps/v1/replicaset.js';
import { replicaSetResource } from '../../api/apps/v1/replicaset.js';
import type { StatefulSet } from '../../api/apps/v1/statefulset.js';
import { statefulSetResource } from '../../api/apps/v1/statefulset.js';
import type { Pod } from '../../api/core/v1/pod-types.js';
import { podResource } from '../../api/core/v1/pod.js';
import { formatTime } from '../../api/meta/v1.js';
import type { PodDisruptionBudget } from '../../api/policy/v1/poddisruptionbudget.js';
import { podDisruptionBudgetResource } from '../../api/policy/v1/poddisruptionbudget.js';
import { labelSelectorAsSelectorOrNothing } from '../../api/selectors/labels.js';
import type { Lister } from '../../client/informer/lister.js';
import { splitMetaNamespaceKey, unwrapTombstone, type DeepReadonly } from '../../client/informer/store.js';
import { scaledValue } from '../framework/index.js';
import { canonicalJson, controllerRefOf, isNotFound, isPodReady, type ControllerContext, type ControllerDefinition, type ReconcileResult, WorkloadController } from '../framework/index.js';

/** How long an accepted eviction counts before the pod is seen going (upstream's DeletionTimeout). */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

type PdbView = DeepReadonly<PodDisruptionBudget>;
type PodView = DeepReadonly<Pod>;
type PdbStatus = NonNullable<PodDisruptionBudget['status']>;

export class DisruptionController extends WorkloadController {
  private readonly budgets: Lister<PodDisruptionBudget>;
  private readonly pods: Lister<Pod>;
  private readonly replicaSets: Lister<ReplicaSet>;
  private readonly deployments: Lister<Deployment>;
  private readonly statefulSets: Lister<StatefulSet>;

  constructor(ctx: ControllerContext) {
    super(ctx, { queue: 'disruption', component: 'controllermanager' });
    const pdbInformer = ctx.informers.forResource<PodDisruptionBudget>(podDisruptionBudgetResource);
    const podInformer = ctx.informers.forResource<Pod>(podResource);
    this.budgets = pdbInformer.lister();
    this.pods = podInformer.lister();
    this.replicaSets = ctx.informers.forResource<ReplicaSet>(replicaSetResource).lister();
    this.deployments = ctx.informers.forResource<Deployment>(deploymentResource).lister();
    this.statefulSets = ctx.informers.forResource<StatefulSet>(statefulSetResource).lister();
    pdbInformer.addEventHandler({ onAdd: (b) => this.loop.enqueueObject(b), onUpdate: (_o, b) => this.loop.enqueueObject(b), onDelete: (b) => this.loop.enqueueObject(b) });
    const onPod = (p: PodView): void => {
      for (const b of this.budgets.namespace(p.metadata?.namespace ?? '').list()) {
        if (labelSelectorAsSelectorOrNothing(b.spec?.selector).matches(p.metadata?.labels)) this.loop.enqueueObject(b);
      }
    };
    podInformer.addEventHandler({ onAdd: onPod, onUpdate: (_o, p) => onPod(p), onDelete: (p) => onPod(unwrapTombstone(p)) });
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const pdb = this.budgets.namespace(namespace).get(name);
    if (pdb === undefined) return;
    const pods = this.pods.namespace(namespace).list(labelSelectorAsSelectorOrNothing(pdb.spec?.selector));
    const now = this.clock.now();
    let status: PdbStatus;
    let recheckMs: number | undefined;
    try {
      const { expected, desired } = this.expectedAndDesired(pdb, pods);
      const { disrupted, nextExpiry } = this.disruptedPods(pdb, pods, now);
      const healthy = pods.filter((p) => p.metadata?.deletionTimestamp === undefined && isPodReady(p) && !((p.metadata?.name ?? '') in disrupted)).length;
      const allowed = Math.max(0, healthy - desired);
      status = {
        observedGeneration: pdb.metadata?.generation ?? 0,
        ...(Object.keys(disrupted).length > 0 ? { disruptedPods: disrupted } : {}),
        disruptionsAllowed: allowed,
        currentHealthy: healthy,
        desiredHealthy: desired,
        expectedPods: expected,
        conditions: [this.condition(pdb, allowed > 0 ? 'True' : 'False', allowed > 0 ? 'SufficientPods' : 'InsufficientPods', '', now)],
      };
      recheckMs = nextExpiry !== undefined ? nextExpiry - now : undefined;
    } catch (err) {
      // Fail safe: no disruption allowed until the budget can be computed.
      const message = err instanceof Error ? err.message : String(err);
      void this.events.record(pdb, 'Warning', 'CalculateExpectedPodCountFailed', 'Sync', `Failed to calculate the number of expected pods: ${message}`);
      status = {
        ...(structuredClone(pdb.status) as PdbStatus),
        observedGeneration: pdb.metadata?.generation ?? 0,
        disruptionsAllowed: 0,
        conditions: [this.condition(pdb, 'False', 'SyncFailed', message, now)],
      };
    }
    if (canonicalJson(status) !== canonicalJson(pdb.status ?? {})) {
      try {
        await this.client.updateStatus<PodDisruptionBudget>(podDisruptionBudgetResource, { ...(structuredClone(pdb) as PodDisruptionBudget), status });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    if (recheckMs !== undefined) return { requeueAfterMs: Math.max(recheckMs, 1) };
  }

  /** The DisruptionAllowed condition; its transition time moves only when its status does. */
  private condition(pdb: PdbView, status: 'True' | 'False', reason: string, message: string, now: number): NonNullable<PdbStatus['conditions']>[number] {
    const old = pdb.status?.conditions?.find((c) => c.type === 'DisruptionAllowed');
    return { type: 'DisruptionAllowed', status, reason, message, observedGeneration: pdb.metadata?.generation ?? 0, lastTransitionTime: old?.status === status && old.lastTransitionTime ? old.lastTransitionTime : formatTime(now) };
  }

  /** upstream's getExpectedPodCount: how many pods the budget counts and how many must be healthy. */
  private expectedAndDesired(pdb: PdbView, pods: readonly PodView[]): { expected: number; desired: number } {
    const { minAvailable, maxUnavailable } = pdb.spec ?? {};
    if (maxUnavailable !== undefined) {
      const expected = this.expectedScale(pods);
      return { expected, desired: Math.max(0, expected - scaledValue(maxUnavailable, expected, true)) };
    }
    if (minAvailable !== undefined && typeof minAvailable === 'number') return { expected: pods.length, desired: minAvailable };
    if (minAvailable !== undefined) {
      const expected = this.expectedScale(pods);
      return { expected, desired: scaledValue(minAvailable, expected, true) };
    }
    return { expected: pods.length, desired: 0 };
  }

  /** The replicas the pods' controllers ask for, each controller counted once. */
  private expectedScale(pods: readonly PodView[]): number {
    const scales = new Map<string, number>();
    for (const p of pods) {
      const ref = controllerRefOf(p);
      const ns = p.metadata?.namespace ?? '';
      if (ref === undefined) throw new Error(`found no controller ref for pod "${p.metadata?.name ?? ''}"`);
      if (ref.kind === 'ReplicaSet') {
        const rs = this.replicaSets.namespace(ns).get(ref.name);
        if (rs === undefined || rs.metadata?.uid !== ref.uid) throw new Error(`found no controllers for pod "${p.metadata?.name ?? ''}"`);
        const owner = controllerRefOf(rs);
        const d = owner?.kind === 'Deployment' ? this.deployments.namespace(ns).get(owner.name) : undefined;
        if (d !== undefined && d.metadata?.uid === owner?.uid) scales.set(`Deployment/${d.metadata?.uid}`, d.spec?.replicas ?? 1);
        else scales.set(`ReplicaSet/${rs.metadata?.uid}`, rs.spec?.replicas ?? 1);
      } else if (ref.kind === 'StatefulSet') {
        const ss = this.statefulSets.namespace(ns).get(ref.name);
        if (ss === undefined || ss.metadata?.uid !== ref.uid) throw new Error(`found no controllers for pod "${p.metadata?.name ?? ''}"`);
        scales.set(`StatefulSet/${ss.metadata?.uid}`, ss.spec?.replicas ?? 1);
      } else {
        throw new Error(`found no controllers for pod "${p.metadata?.name ?? ''}"`);
      }
    }
    return [...scales.values()].reduce((a, b) => a + b, 0);
  }

  /** Evicted pods still counted out: those not yet seen going, for two minutes at most. */
  private disruptedPods(pdb: PdbView, pods: readonly PodView[], now: number): { disrupted: Record<string, string>; nextExpiry?: number } {
    const byName = new Map(pods.map((p) => [p.metadata?.name ?? '', p]));
    const disrupted: Record<string, string> = {};
    let nextExpiry: number | undefined;
    for (const [name, at] of Object.entries(pdb.status?.disruptedPods ?? {})) {
      const p = byName.get(name);
      if (p === undefined || p.metadata?.deletionTimestamp !== undefined) continue;
      const expiry = Date.parse(at) + DELETION_TIMEOUT_MS;
      if (!(expiry > now)) {
        this.log.info({ pdb: `${pdb.metadata?.namespace}/${pdb.metadata?.name}`, pod: name }, 'an evicted pod was not deleted in time; counting it again');
        continue;
      }
      disrupted[name] = at;
      nextExpiry = Math.min(nextExpiry ?? Infinity, expiry);
    }
    return nextExpiry !== undefined ? { disrupted, nextExpiry } : { disrupted };
  }
}

export const disruptionControllerDefinition: ControllerDefinition = {
  name: 'disruption-controller',
  aliases: ['disruption'],
  create: (ctx) => new DisruptionController(ctx),
};
