// ReplicaSet controller: keeps `spec.replicas` active pods matching each ReplicaSet. It adopts
// orphans that match and releases pods that stopped matching, creates missing pods in slow-start
// batches and deletes surplus ones by rank, and acts on a ReplicaSet again only once its informer
// has seen the pods it created or deleted (expectations), so a slow watch never causes overshoot.
import type { ReplicaSet } from '../../api/apps/v1/replicaset.js';
import { replicaSetResource } from '../../api/apps/v1/replicaset.js';
import type { Pod } from '../../api/core/v1/pod-types.js';
import { podResource } from '../../api/core/v1/pod.js';
import { labelSelectorAsSelectorOrNothing, type Selector } from '../../api/selectors/labels.js';
import type { Lister } from '../../client/informer/lister.js';
import type { SharedIndexInformer } from '../../client/informer/shared-informer.js';
import { metaNamespaceKey, splitMetaNamespaceKey, unwrapTombstone, type DeepReadonly } from '../../client/informer/store.js';
import {
  byControllerUid,
  claimChildren,
  CONTROLLER_UID_INDEX,
  controllerRefOf,
  ControllerExpectations,
  generateNamePrefix,
  isNotFound,
  isPodActive,
  newControllerRef,
  podFromTemplate,
  PodControl,
  type ControllerContext,
  type ControllerDefinition,
  type ReconcileResult,
  WorkloadController,
} from '../framework/index.js';
import { podsToDelete } from './ranking.js';
import { computeReplicaSetStatus, statusEqual } from './status.js';

/** Upstream's burstReplicas: the most pods created or deleted in one sync. */
export const BURST_REPLICAS = 500;

const RS_KIND = { apiVersion: 'apps/v1', kind: 'ReplicaSet' } as const;

type RSView = DeepReadonly<ReplicaSet>;
type PodView = DeepReadonly<Pod>;

export class ReplicaSetController extends WorkloadController {
  private readonly sets: Lister<ReplicaSet>;
  private readonly podInformer: SharedIndexInformer<Pod>;
  private readonly pods: Lister<Pod>;
  readonly expectations: ControllerExpectations;
  private readonly podControl: PodControl;

  constructor(ctx: ControllerContext) {
    super(ctx, { queue: 'replicaset', component: 'replicaset-controller' });
    this.expectations = new ControllerExpectations(ctx.clock);
    this.podControl = new PodControl(this.client, this.events, this.expectations);
    const rsInformer = ctx.informers.forResource<ReplicaSet>(replicaSetResource);
    this.podInformer = ctx.informers.forResource<Pod>(podResource, { indexers: { [CONTROLLER_UID_INDEX]: byControllerUid } });
    this.sets = rsInformer.lister();
    this.pods = this.podInformer.lister();
    rsInformer.addEventHandler({
      onAdd: (rs) => this.loop.enqueueObject(rs),
      onUpdate: (_old, rs) => this.loop.enqueueObject(rs),
      onDelete: (rs) => {
        const o = unwrapTombstone(rs);
        this.expectations.forget(metaNamespaceKey(o));
        this.loop.enqueueObject(rs);
      },
    });
    this.podInformer.addEventHandler({
      onAdd: (p) => this.podAdded(p),
      onUpdate: (old, p) => this.podUpdated(old, p),
      onDelete: (p) => this.podDeleted(unwrapTombstone(p)),
    });
  }

  /** The ReplicaSet a controller ref points at, if it is one of ours and the uid matches. */
  private owner(p: PodView): RSView | undefined {
    const ref = controllerRefOf(p);
    if (ref === undefined || ref.kind !== 'ReplicaSet') return undefined;
    const rs = this.sets.namespace(p.metadata?.namespace ?? '').get(ref.name);
    return rs !== undefined && rs.metadata?.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets in the pod's namespace whose selector matches it (candidates to adopt an orphan). */
  private matching(p: PodView): RSView[] {
    return this.sets.namespace(p.metadata?.namespace ?? '').list().filter((rs) => labelSelectorAsSelectorOrNothing(rs.spec?.selector).matches(p.metadata?.labels));
  }

  private podAdded(p: PodView): void {
    if (p.metadata?.deletionTimestamp !== undefined) {
      this.podDeleted(p);
      return;
    }
    const ref = controllerRefOf(p);
    if (ref !== undefined) {
      const rs = this.owner(p);
      if (rs === undefined) return;
      const key = metaNamespaceKey(rs);
      this.expectations.creationObserved(key);
      this.loop.enqueue(key);
      return;
    }
    for (const rs of this.matching(p)) this.loop.enqueueObject(rs);
  }

  private podUpdated(old: PodView, p: PodView): void {
    if (old.metadata?.resourceVersion === p.metadata?.resourceVersion) return;
    if (p.metadata?.deletionTimestamp !== undefined && old.metadata?.deletionTimestamp === undefined) {
      // A pod going away counts as deleted now: the ReplicaSet may replace it at once.
      this.podDeleted(p);
      return;
    }
    const oldRef = controllerRefOf(old);
    const ref = controllerRefOf(p);
    if (oldRef !== undefined && oldRef.uid !== ref?.uid) {
      const was = this.owner(old);
      if (was !== undefined) this.loop.enqueueObject(was);
    }
    if (ref !== undefined) {
      const rs = this.owner(p);
      if (rs === undefined) return;
      const key = metaNamespaceKey(rs);
      this.loop.enqueue(key);
      // A pod that just became ready becomes available minReadySeconds later.
      const minReady = rs.spec?.minReadySeconds ?? 0;
      if (minReady > 0) this.loop.enqueueAfter(key, minReady * 1000 + 1000);
      return;
    }
    const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(p.metadata?.labels ?? {});
    if (labelsChanged || oldRef !== undefined) for (const rs of this.matching(p)) this.loop.enqueueObject(rs);
  }

  private podDeleted(p: PodView): void {
    const rs = this.owner(p);
    if (rs === undefined) return;
    const key = metaNamespaceKey(rs);
    this.expectations.deletionObserved(key, metaNamespaceKey(p));
    this.loop.enqueue(key);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const rs = this.sets.namespace(namespace).get(name);
    if (rs === undefined) {
      this.expectations.forget(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key) && rs.metadata?.deletionTimestamp === undefined;
    const selector = labelSelectorAsSelectorOrNothing(rs.spec?.selector);
    const owned = await this.claimPods(rs, selector);
    const active = owned.filter(isPodActive);
    let manageError: unknown;
    if (needsSync) {
      try {
        await this.manageReplicas(key, rs, active);
      } catch (err) {
        manageError = err;
      }
    }
    const now = this.clock.now();
    const status = computeReplicaSetStatus(rs, active, manageError, now, needsSync);
    if (!statusEqual(rs.status, status)) {
      const updated = structuredClone(rs) as ReplicaSet;
      updated.status = status;
      try {
        await this.client.updateStatus<ReplicaSet>(replicaSetResource, updated);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        return;
      }
    }
    if (manageError !== undefined) throw manageError;
    // Waiting on expectations: look again when they expire, even if no event comes.
    const recheck = this.expectations.recheckInMs(key);
    if (recheck !== undefined) return { requeueAfterMs: recheck };
    const minReady = rs.spec?.minReadySeconds ?? 0;
    // Pods ready but not yet available: look again when the first of them gets there.
    if (minReady > 0 && (status.readyReplicas ?? 0) > (status.availableReplicas ?? 0)) return { requeueAfterMs: minReady * 1000 };
  }

  /** The pods this ReplicaSet owns after adopting matching orphans and releasing non-matching pods. */
  private claimPods(rs: RSView, selector: Selector): Promise<PodView[]> {
    return claimChildren<Pod>({
      owner: rs,
      ownerKind: RS_KIND,
      ownerResource: replicaSetResource,
      childResource: podResource,
      client: this.client,
      selector,
      owned: this.podInformer.indexer.byIndex(CONTROLLER_UID_INDEX, rs.metadata?.uid ?? ''),
      matching: this.pods.namespace(rs.metadata?.namespace ?? '').list(selector),
    });
  }

  private async manageReplicas(key: string, rs: RSView, active: readonly PodView[]): Promise<void> {
    const diff = active.length - (rs.spec?.replicas ?? 1);
    if (diff < 0) {
      const ref = newControllerRef(rs, RS_KIND);
      const ns = rs.metadata?.namespace ?? '';
      await this.podControl.createPods(rs, key, Math.min(-diff, BURST_REPLICAS), () =>
        podFromTemplate({ namespace: ns, template: rs.spec!.template!, controllerRef: ref, generateName: generateNamePrefix(rs.metadata?.name ?? '') }),
      );
      return;
    }
    if (diff > 0) await this.podControl.deletePods(rs, key, podsToDelete(active, Math.min(diff, BURST_REPLICAS)));
  }
}

export const replicaSetControllerDefinition: ControllerDefinition = {
  name: 'replicaset-controller',
  aliases: ['replicaset'],
  workers: { flag: 'concurrent-replicaset-syncs', default: 5 },
  create: (ctx) => new ReplicaSetController(ctx),
};
