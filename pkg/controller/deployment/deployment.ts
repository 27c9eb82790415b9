// Deployment controller: rolls a Deployment's pod template out through ReplicaSets named
// `<deployment>-<pod-template-hash>`, with RollingUpdate (maxSurge/maxUnavailable) or Recreate,
// proportional scaling during a rollout, pause/resume, revisions and history, and the
// Progressing/Available conditions, as upstream's deployment controller does.
import { formatTime } from '../../api/meta/v1.js';
import { deploymentResource, type Deployment } from '../../api/apps/v1/deployment.js';
import { replicaSetResource, type ReplicaSet } from '../../api/apps/v1/replicaset.js';
import type { Pod, PodTemplateSpec } from '../../api/core/v1/pod-types.js';
import { podResource } from '../../api/core/v1/pod.js';
import { labelSelectorAsSelectorOrNothing } from '../../api/selectors/labels.js';
import type { Lister } from '../../client/informer/lister.js';
import { MutationCache } from '../../client/informer/mutation-cache.js';
import type { SharedIndexInformer } from '../../client/informer/shared-informer.js';
import { splitMetaNamespaceKey, unwrapTombstone, type DeepReadonly } from '../../client/informer/store.js';
import {
  claimChildren,
  controllerRefOf,
  isAlreadyExists,
  isNotFound,
  isTimeout,
  newControllerRef,
  UNCERTAIN_TIMEOUT_MS,
  type ControllerContext,
  type ControllerDefinition,
  type ReconcileResult,
  WorkloadController,
} from '../framework/index.js';
import { CONTROLLER_UID_INDEX, byControllerUid } from '../framework/index.js';
import {
  calculateStatus,
  copiedAnnotations,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  DESIRED_REPLICAS_ANNOTATION,
  findNewReplicaSet,
  getCondition,
  hasProgressDeadline,
  MAX_REPLICAS_ANNOTATION,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newCondition,
  newRSNewReplicas,
  surgeRoom,
  oldestFirst,
  oldScaleDownBudget,
  POD_TEMPLATE_HASH_LABEL,
  podTemplateHash,
  proportion,
  removeCondition,
  replicasOf,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  revisionOf,
  setCondition,
  statusEqual,
  sumReplicas,
  type DeploymentStatus,
} from './util.js';

type D = DeepReadonly<Deployment>;
type RS = DeepReadonly<ReplicaSet>;
const DEPLOYMENT_KIND = { apiVersion: 'apps/v1', kind: 'Deployment' } as const;
/** How soon a Deployment is looked at again while a write of ours to one of its ReplicaSets may have landed (the informer's update also brings it back). */
const UNCERTAIN_REQUEUE_MS = 1000;

export class DeploymentController extends WorkloadController {
  private readonly deployments: Lister<Deployment>;
  private readonly rsInformer: SharedIndexInformer<ReplicaSet>;
  private readonly sets: Lister<ReplicaSet>;
  private readonly podInformer: SharedIndexInformer<Pod>;
  /**
   * Our own ReplicaSet writes, until the informer shows them: a sync right after a scale-up would
   * otherwise see the old size and give the same surge room away twice (pods past replicas + maxSurge).
   */
  private readonly ownWrites: MutationCache<ReplicaSet>;

  constructor(ctx: ControllerContext) {
    super(ctx, { queue: 'deployment', component: 'deployment-controller' });
    this.ownWrites = new MutationCache<ReplicaSet>(ctx.clock, { uncertainTtlMs: UNCERTAIN_TIMEOUT_MS });
    const dInformer = ctx.informers.forResource<Deployment>(deploymentResource);
    this.rsInformer = ctx.informers.forResource<ReplicaSet>(replicaSetResource, { indexers: { [CONTROLLER_UID_INDEX]: (rs) => byControllerUid(rs as never) } });
    this.podInformer = ctx.informers.forResource<Pod>(podResource, { indexers: { [CONTROLLER_UID_INDEX]: byControllerUid } });
    this.deployments = dInformer.lister();
    this.sets = this.rsInformer.lister();
    dInformer.addEventHandler({
      onAdd: (d) => this.loop.enqueueObject(d),
      onUpdate: (_o, d) => this.loop.enqueueObject(d),
      onDelete: (d) => this.loop.enqueueObject(d),
    });
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.rsChanged(rs),
      onUpdate: (old, rs) => {
        this.rsChanged(rs);
        const was = this.ownerOf(old);
        if (was !== undefined && controllerRefOf(rs)?.uid !== was.metadata?.uid) this.loop.enqueueObject(was);
      },
      onDelete: (rs) => this.rsChanged(unwrapTombstone(rs)),
    });
    // Recreate waits for the old pods to be gone: their deletions move it on.
    this.podInformer.addEventHandler({
      onDelete: (p) => {
        const pod = unwrapTombstone(p);
        const ref = controllerRefOf(pod);
        if (ref?.kind !== 'ReplicaSet') return;
        const rs = this.sets.namespace(pod.metadata?.namespace ?? '').get(ref.name);
        const d = rs !== undefined ? this.ownerOf(rs) : undefined;
        if (d !== undefined && d.spec?.strategy?.type === 'Recreate') this.loop.enqueueObject(d);
      },
    });
  }

  private ownerOf(rs: RS): D | undefined {
    const ref = controllerRefOf(rs);
    if (ref === undefined || ref.kind !== 'Deployment') return undefined;
    const d = this.deployments.namespace(rs.metadata?.namespace ?? '').get(ref.name);
    return d !== undefined && d.metadata?.uid === ref.uid ? d : undefined;
  }

  private rsChanged(rs: RS): void {
    const owner = this.ownerOf(rs);
    if (owner !== undefined) {
      this.loop.enqueueObject(owner);
      return;
    }
    if (controllerRefOf(rs) !== undefined) return;
    // An orphan: any Deployment whose selector matches may adopt it.
    for (const d of this.deployments.namespace(rs.metadata?.namespace ?? '').list()) {
      if (labelSelectorAsSelectorOrNothing(d.spec?.selector).matches(rs.metadata?.labels)) this.loop.enqueueObject(d);
    }
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const d = this.deployments.namespace(namespace).get(name);
    if (d === undefined) return;
    const selector = labelSelectorAsSelectorOrNothing(d.spec?.selector);
    if (selector.isEmpty()) {
      void this.events.record(d, 'Warning', 'SelectingAll', 'Select', 'This deployment is selecting all pods. A non-empty selector is required.');
      return;
    }
    const rss = await this.claimReplicaSets(d);
    // A resize of ours whose reply was lost may have landed: sizes read now could give its room away again.
    if (rss.some((rs) => this.ownWrites.uncertain(rs))) return { requeueAfterMs: UNCERTAIN_REQUEUE_MS };
    if (d.metadata?.deletionTimestamp !== undefined) {
      await this.syncStatusOnly(d, rss);
      return;
    }
    const working = structuredClone(d) as Deployment;
    await this.checkPausedConditions(working);
    if (working.spec?.paused === true) {
      await this.scaleOnly(working, rss);
      return;
    }
    if (this.isScalingEvent(working, rss)) {
      await this.scaleOnly(working, rss);
      return;
    }
    return (working.spec?.strategy?.type ?? 'RollingUpdate') === 'Recreate' ? this.rolloutRecreate(working, rss) : this.rolloutRolling(working, rss);
  }

  private async claimReplicaSets(d: D): Promise<RS[]> {
    const selector = labelSelectorAsSelectorOrNothing(d.spec?.selector);
    const claimed = await claimChildren<ReplicaSet>({
      owner: d,
      ownerKind: DEPLOYMENT_KIND,
      ownerResource: deploymentResource,
      childResource: replicaSetResource,
      client: this.client,
      selector,
      owned: this.rsInformer.indexer.byIndex(CONTROLLER_UID_INDEX, d.metadata?.uid ?? ''),
      matching: this.sets.namespace(d.metadata?.namespace ?? '').list(selector),
    });
    return claimed.map((rs) => this.ownWrites.newest(rs));
  }

  /** A resize of the Deployment that the ReplicaSets have not caught up with (desired-replicas annotation). */
  private isScalingEvent(d: D, rss: readonly RS[]): boolean {
    const active = rss.filter((rs) => replicasOf(rs) > 0);
    return active.some((rs) => {
      const desired = rs.metadata?.annotations?.[DESIRED_REPLICAS_ANNOTATION];
      return desired !== undefined && Number(desired) !== replicasOf(d);
    });
  }

  private async checkPausedConditions(d: Deployment): Promise<void> {
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, 'Progressing');
    if (cond?.reason === 'ProgressDeadlineExceeded') return;
    const paused = d.spec?.paused === true;
    const pausedCond = cond?.reason === 'DeploymentPaused';
    const now = formatTime(this.clock.now());
    const status = structuredClone(d.status ?? {}) as DeploymentStatus;
    if (paused && !pausedCond) setCondition(status, newCondition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused', now));
    else if (!paused && pausedCond) setCondition(status, newCondition('Progressing', 'Unknown', 'DeploymentResumed', 'Deployment is resumed', now));
    else return;
    d.status = status;
    const updated = await this.client.updateStatus<Deployment>(deploymentResource, d);
    d.metadata = updated.metadata;
  }

  // ---- ReplicaSets: new and old, revisions ----

  /**
   * The new ReplicaSet (template equal to the Deployment's), its revision and annotations brought
   * up to date, created when `create` and missing; and the old ones.
   */
  private async newAndOld(d: Deployment, rss: readonly RS[], create: boolean): Promise<{ newRS: RS | undefined; old: RS[] }> {
    const existing = findNewReplicaSet(d, rss);
    const old = rss.filter((rs) => rs !== existing);
    const newRevision = String(maxRevision(old) + 1);
    const ns = d.metadata?.namespace ?? '';
    const now = formatTime(this.clock.now());
    if (existing !== undefined) {
      const wanted = this.rsAnnotations(d, existing, newRevision, replicasOf(existing));
      let rs: RS = existing;
      if (wanted !== undefined || (existing.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0)) {
        const copy = structuredClone(existing) as ReplicaSet;
        copy.metadata!.annotations = wanted ?? copy.metadata?.annotations ?? {};
        copy.spec!.minReadySeconds = d.spec?.minReadySeconds ?? 0;
        rs = await this.updateReplicaSet(existing, copy);
      }
      let dirty = this.setDeploymentRevision(d, rs.metadata?.annotations?.[REVISION_ANNOTATION] ?? newRevision);
      const status = structuredClone(d.status ?? {}) as DeploymentStatus;
      if (hasProgressDeadline(d) && getCondition(status, 'Progressing') === undefined) {
        setCondition(status, newCondition('Progressing', 'True', 'FoundNewReplicaSet', `Found new replica set "${rs.metadata?.name ?? ''}"`, now));
        d.status = status;
        dirty = true;
      }
      if (dirty) await this.writeDeployment(d);
      return { newRS: rs, old };
    }
    if (!create) return { newRS: undefined, old };

    const collisionCount = d.status?.collisionCount;
    const hash = podTemplateHash(d.spec?.template, collisionCount);
    const template = structuredClone(d.spec!.template!) as PodTemplateSpec;
    template.metadata = { ...template.metadata, labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
    const selector = structuredClone(d.spec!.selector!) as NonNullable<ReplicaSet['spec']>['selector'] & object;
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const name = `${d.metadata?.name ?? ''}-${hash}`;
    const all = [...old];
    const draft: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name, namespace: ns, labels: { ...template.metadata.labels }, ownerReferences: [newControllerRef(d, DEPLOYMENT_KIND)], annotations: {} },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    } as ReplicaSet;
    const replicas = (d.spec?.strategy?.type ?? 'RollingUpdate') === 'Recreate' ? 0 : newRSNewReplicas(d, [...all, draft], draft);
    draft.spec!.replicas = replicas;
    draft.metadata!.annotations = { ...copiedAnnotations(d), [REVISION_ANNOTATION]: newRevision, [DESIRED_REPLICAS_ANNOTATION]: String(replicasOf(d)), [MAX_REPLICAS_ANNOTATION]: String(replicasOf(d) + maxSurge(d)) };
    let created: RS;
    try {
      created = await this.client.create<ReplicaSet>(replicaSetResource, ns, draft);
      this.ownWrites.mutated(created as ReplicaSet);
    } catch (err) {
      if (!isAlreadyExists(err)) {
        const status = structuredClone(d.status ?? {}) as DeploymentStatus;
        setCondition(status, newCondition('ReplicaFailure', 'True', 'FailedCreate', err instanceof Error ? err.message : String(err), now));
        d.status = status;
        await this.writeDeployment(d).catch(() => undefined);
        throw err;
      }
      // Same name: our own create whose reply was lost, or a hash collision.
      const clash = await this.client.get<ReplicaSet>(replicaSetResource, ns, name);
      const ours = controllerRefOf(clash)?.uid === d.metadata?.uid;
      if (ours && findNewReplicaSet(d, [clash]) !== undefined) return { newRS: clash, old };
      const status = structuredClone(d.status ?? {}) as DeploymentStatus;
      status.collisionCount = (status.collisionCount ?? 0) + 1;
      d.status = status;
      await this.writeDeployment(d);
      throw err;
    }
    if (replicas > 0) void this.events.record(d, 'Normal', 'ScalingReplicaSet', 'Scaling', `Scaled up replica set ${name} from 0 to ${replicas}`);
    this.setDeploymentRevision(d, newRevision);
    const status = structuredClone(d.status ?? {}) as DeploymentStatus;
    if (hasProgressDeadline(d)) setCondition(status, newCondition('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${name}"`, now));
    removeCondition(status, 'ReplicaFailure');
    d.status = status;
    await this.writeDeployment(d);
    return { newRS: created, old };
  }

  /** The annotations `rs` should carry as the new ReplicaSet, or undefined when it has them already. */
  private rsAnnotations(d: D, rs: RS, newRevision: string, replicas: number): Record<string, string> | undefined {
    const have = { ...(rs.metadata?.annotations ?? {}) };
    const want = { ...have, ...copiedAnnotations(d) };
    const old = revisionOf(rs);
    if (old < Number(newRevision)) {
      want[REVISION_ANNOTATION] = newRevision;
      if (old > 0) want[REVISION_HISTORY_ANNOTATION] = have[REVISION_HISTORY_ANNOTATION] !== undefined && have[REVISION_HISTORY_ANNOTATION] !== '' ? `${have[REVISION_HISTORY_ANNOTATION]},${old}` : String(old);
    }
    if (replicas > 0 || have[DESIRED_REPLICAS_ANNOTATION] === undefined) {
      want[DESIRED_REPLICAS_ANNOTATION] = String(replicasOf(d));
      want[MAX_REPLICAS_ANNOTATION] = String(replicasOf(d) + maxSurge(d));
    }
    return JSON.stringify(want) === JSON.stringify(have) ? undefined : want;
  }

  private setDeploymentRevision(d: Deployment, revision: string): boolean {
    if (d.metadata?.annotations?.[REVISION_ANNOTATION] === revision) return false;
    d.metadata = { ...d.metadata, annotations: { ...(d.metadata?.annotations ?? {}), [REVISION_ANNOTATION]: revision } };
    return true;
  }

  /** Writes the Deployment's annotations, then its status, keeping `d` current. */
  private async writeDeployment(d: Deployment): Promise<void> {
    const status = d.status;
    const current = this.deployments.namespace(d.metadata?.namespace ?? '').get(d.metadata?.name ?? '');
    if (JSON.stringify(current?.metadata?.annotations ?? {}) !== JSON.stringify(d.metadata?.annotations ?? {})) {
      const updated = await this.client.update<Deployment>(deploymentResource, { ...d, status: current?.status ?? {} } as Deployment);
      d.metadata = updated.metadata;
    }
    if (!statusEqual(current?.status, status ?? {})) {
      const updated = await this.client.updateStatus<Deployment>(deploymentResource, { ...d, status } as Deployment);
      d.metadata = updated.metadata;
    }
    d.status = status;
  }

  /** Writes `copy` of `rs`, remembering the result (or that it may have landed) for the syncs before the informer shows it. */
  private async updateReplicaSet(rs: RS, copy: ReplicaSet): Promise<ReplicaSet> {
    try {
      const updated = await this.client.update<ReplicaSet>(replicaSetResource, copy);
      this.ownWrites.mutated(updated);
      return updated;
    } catch (err) {
      if (isTimeout(err)) this.ownWrites.mayHaveMutated(rs);
      throw err;
    }
  }

  /** Scales `rs` to `size` with the annotations of the Deployment's current size; records the event. */
  private async scaleReplicaSet(d: D, rs: RS, size: number): Promise<RS> {
    const desired = String(replicasOf(d));
    const max = String(replicasOf(d) + maxSurge(d));
    const sizeChanged = replicasOf(rs) !== size;
    const annotationsChanged = rs.metadata?.annotations?.[DESIRED_REPLICAS_ANNOTATION] !== desired || rs.metadata?.annotations?.[MAX_REPLICAS_ANNOTATION] !== max;
    if (!sizeChanged && !annotationsChanged) return rs;
    const copy = structuredClone(rs) as ReplicaSet;
    copy.spec!.replicas = size;
    copy.metadata!.annotations = { ...(copy.metadata?.annotations ?? {}), [DESIRED_REPLICAS_ANNOTATION]: desired, [MAX_REPLICAS_ANNOTATION]: max };
    const updated = await this.updateReplicaSet(rs, copy);
    if (sizeChanged) {
      const op = size > replicasOf(rs) ? 'up' : 'down';
      void this.events.record(d, 'Normal', 'ScalingReplicaSet', 'Scaling', `Scaled ${op} replica set ${rs.metadata?.name ?? ''} from ${replicasOf(rs)} to ${size}`);
    }
    return updated;
  }

  // ---- strategies ----

  private async rolloutRolling(d: Deployment, rss: readonly RS[]): Promise<ReconcileResult | void> {
    let { newRS, old } = await this.newAndOld(d, rss, true);
    const all = (): RS[] => [...old, ...(newRS !== undefined ? [newRS] : [])];
    if (newRS !== undefined) {
      const want = replicasOf(newRS) > replicasOf(d) ? replicasOf(d) : newRSNewReplicas(d, all(), newRS);
      if (want !== replicasOf(newRS)) {
        newRS = await this.scaleReplicaSet(d, newRS, want);
        return this.syncRolloutStatus(d, all(), newRS);
      }
    }
    const scaledDown = await this.reconcileOldReplicaSets(d, all(), old, newRS);
    if (scaledDown !== undefined) {
      old = scaledDown;
      return this.syncRolloutStatus(d, all(), newRS);
    }
    const status = calculateStatus(d, all(), newRS, formatTime(this.clock.now()));
    if (deploymentComplete(d, status)) await this.cleanupHistory(d, old);
    return this.syncRolloutStatus(d, all(), newRS);
  }

  /** Scales old ReplicaSets down within the unavailability budget; the new list when something changed. */
  private async reconcileOldReplicaSets(d: D, all: readonly RS[], old: readonly RS[], newRS: RS | undefined): Promise<RS[] | undefined> {
    if (sumReplicas(old) === 0) return undefined;
    let budget = oldScaleDownBudget(d, all, newRS);
    if (budget <= 0) return undefined;
    const next = new Map(old.map((rs) => [rs.metadata?.name ?? '', rs]));
    let changed = false;
    // First the unhealthy replicas of old ReplicaSets: they hold no availability.
    for (const rs of oldestFirst(old)) {
      if (budget <= 0) break;
      const unhealthy = replicasOf(rs) - (rs.status?.availableReplicas ?? 0);
      if (unhealthy <= 0 || replicasOf(rs) === 0) continue;
      const down = Math.min(budget, unhealthy);
      next.set(rs.metadata?.name ?? '', await this.scaleReplicaSet(d, rs, replicasOf(rs) - down));
      budget -= down;
      changed = true;
    }
    // Then available ones, as far as minAvailable allows.
    const minAvailable = replicasOf(d) - maxUnavailable(d);
    const current = [...next.values(), ...(newRS !== undefined ? [newRS] : [])];
    // A ReplicaSet's pods beyond its size are about to go: counting them as available (upstream does)
    // lets a stale status scale the old ReplicaSet down twice for the same new pods.
    let surplus = current.reduce((n, rs) => n + Math.min(rs.status?.availableReplicas ?? 0, replicasOf(rs)), 0) - minAvailable;
    for (const rs of oldestFirst([...next.values()])) {
      if (surplus <= 0) break;
      if (replicasOf(rs) === 0) continue;
      const down = Math.min(replicasOf(rs), surplus);
      next.set(rs.metadata?.name ?? '', await this.scaleReplicaSet(d, rs, replicasOf(rs) - down));
      surplus -= down;
      changed = true;
    }
    return changed ? [...next.values()] : undefined;
  }

  private async rolloutRecreate(d: Deployment, rss: readonly RS[]): Promise<ReconcileResult | void> {
    let { newRS, old } = await this.newAndOld(d, rss, false);
    const activeOld = old.filter((rs) => replicasOf(rs) > 0);
    if (activeOld.length > 0) {
      const scaled = await Promise.all(old.map((rs) => (replicasOf(rs) > 0 ? this.scaleReplicaSet(d, rs, 0) : Promise.resolve(rs))));
      return this.syncRolloutStatus(d, [...scaled, ...(newRS !== undefined ? [newRS] : [])], newRS);
    }
    // Recreate means no old pod runs beside a new one: wait until the old pods are gone.
    const oldPodsRunning = old.some((rs) => this.podInformer.indexer.byIndex(CONTROLLER_UID_INDEX, rs.metadata?.uid ?? '').some((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed'));
    if (oldPodsRunning) return this.syncRolloutStatus(d, [...old, ...(newRS !== undefined ? [newRS] : [])], newRS);
    if (newRS === undefined) ({ newRS, old } = await this.newAndOld(d, rss, true));
    if (newRS !== undefined && replicasOf(newRS) !== replicasOf(d)) newRS = await this.scaleReplicaSet(d, newRS, replicasOf(d));
    const all = [...old, ...(newRS !== undefined ? [newRS] : [])];
    if (deploymentComplete(d, calculateStatus(d, all, newRS, formatTime(this.clock.now())))) await this.cleanupHistory(d, old);
    return this.syncRolloutStatus(d, all, newRS);
  }

  /** A resize (or a paused Deployment): spread the change over the active ReplicaSets. */
  private async scaleOnly(d: Deployment, rss: readonly RS[]): Promise<void> {
    const { newRS, old } = await this.newAndOld(d, rss, false);
    await this.scale(d, newRS, old);
    if (d.spec?.paused === true) await this.cleanupHistory(d, old);
    const fresh = this.claimedNow(d);
    await this.syncStatusOnly(d, fresh);
  }

  private claimedNow(d: D): RS[] {
    return this.rsInformer.indexer.byIndex(CONTROLLER_UID_INDEX, d.metadata?.uid ?? '').map((rs) => this.ownWrites.newest(rs));
  }

  private async scale(d: D, newRS: RS | undefined, old: readonly RS[]): Promise<void> {
    const all = [...(newRS !== undefined ? [newRS] : []), ...old];
    const active = all.filter((rs) => replicasOf(rs) > 0);
    const rolling = (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    // One active ReplicaSet (or none): it simply takes the Deployment's size — growing only within
    // the surge room while other ReplicaSets still have pods (beyond upstream, which may overshoot).
    if (active.length <= 1) {
      const target = active[0] ?? newRS ?? oldestFirst(old).at(-1);
      if (target === undefined) return;
      // Already the right size: the resize is still recorded on it (desired-replicas), or every
      // later sync would take it for a scaling event again and never roll out.
      if (replicasOf(target) === replicasOf(d)) {
        await this.scaleReplicaSet(d, target, replicasOf(target));
        return;
      }
      let size = replicasOf(d);
      if (rolling && size > replicasOf(target)) size = replicasOf(target) + Math.min(size - replicasOf(target), surgeRoom(d, all, target));
      if (size !== replicasOf(target)) await this.scaleReplicaSet(d, target, size);
      return;
    }
    // The new ReplicaSet is saturated: the old ones can all go.
    if (newRS !== undefined && replicasOf(newRS) === replicasOf(d) && (newRS.status?.availableReplicas ?? 0) === replicasOf(d) && newRS.metadata?.annotations?.[DESIRED_REPLICAS_ANNOTATION] === String(replicasOf(d))) {
      for (const rs of old) if (replicasOf(rs) > 0) await this.scaleReplicaSet(d, rs, 0);
      return;
    }
    if (!rolling) return;
    const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
    // Growing: not past what the pods alive now leave room for (see surgeRoom).
    const wanted = allowed - sumReplicas(active);
    const toAdd = wanted > 0 ? Math.min(wanted, surgeRoom(d, all)) : wanted;
    if (wanted === 0) {
      // The ReplicaSets already add up to the allowed size: only the resize is recorded on them (as
      // upstream's scaleReplicaSet does), else each sync would see a scaling event for ever and the
      // rollout to a new template would never start.
      for (const rs of active) await this.scaleReplicaSet(d, rs, replicasOf(rs));
      return;
    }
    // No room yet (pods told to go still run): retried when they go.
    if (toAdd === 0) return;
    // Larger ReplicaSets absorb the change first (newer first when growing, older first when shrinking).
    const sorted = [...active].sort((a, b) => {
      if (replicasOf(a) !== replicasOf(b)) return replicasOf(b) - replicasOf(a);
      const order = (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '');
      return toAdd > 0 ? -order : order;
    });
    let added = 0;
    const sizes = new Map<string, number>();
    for (const rs of sorted) {
      const p = proportion(rs, d, toAdd, added);
      sizes.set(rs.metadata?.name ?? '', replicasOf(rs) + p);
      added += p;
    }
    const first = sorted[0];
    if (first !== undefined && added !== toAdd) {
      const n = first.metadata?.name ?? '';
      sizes.set(n, Math.max(0, (sizes.get(n) ?? 0) + toAdd - added));
    }
    for (const rs of sorted) await this.scaleReplicaSet(d, rs, Math.max(0, sizes.get(rs.metadata?.name ?? '') ?? replicasOf(rs)));
  }

  /** Keeps at most revisionHistoryLimit old ReplicaSets that are scaled to zero, deleting the oldest revisions. */
  private async cleanupHistory(d: D, old: readonly RS[]): Promise<void> {
    const limit = d.spec?.revisionHistoryLimit ?? 10;
    const cleanable = old.filter((rs) => replicasOf(rs) === 0 && (rs.status?.replicas ?? 0) === 0 && (rs.metadata?.generation ?? 0) <= (rs.status?.observedGeneration ?? 0) && rs.metadata?.deletionTimestamp === undefined);
    const excess = cleanable.length - limit;
    if (excess <= 0) return;
    const byRevision = [...cleanable].sort((a, b) => revisionOf(a) - revisionOf(b) || (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? ''));
    for (const rs of byRevision.slice(0, excess)) {
      try {
        await this.client.delete(replicaSetResource, rs.metadata?.namespace ?? '', rs.metadata?.name ?? '', { preconditions: { uid: rs.metadata?.uid ?? '' } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  // ---- status ----

  private async syncStatusOnly(d: D, rss: readonly RS[]): Promise<void> {
    const newRS = findNewReplicaSet(d, rss);
    const status = calculateStatus(d, rss, newRS, formatTime(this.clock.now()));
    if (!statusEqual(d.status, status)) await this.client.updateStatus<Deployment>(deploymentResource, { ...(structuredClone(d) as Deployment), status });
  }

  /** Status with the Progressing condition (complete, progressing, timed out); requeue at the deadline. */
  private async syncRolloutStatus(d: Deployment, all: readonly RS[], newRS: RS | undefined): Promise<ReconcileResult | void> {
    const nowMs = this.clock.now();
    const now = formatTime(nowMs);
    const status = calculateStatus(d, all, newRS, now);
    if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
    const current = getCondition(status, 'Progressing');
    const complete = status.replicas === status.updatedReplicas && current?.reason === 'NewReplicaSetAvailable';
    if (hasProgressDeadline(d) && d.spec?.paused !== true && !complete && newRS !== undefined) {
      const rsName = newRS.metadata?.name ?? '';
      if (deploymentComplete(d, status)) {
        setCondition(status, newCondition('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`, now));
      } else if (deploymentProgressing(d, status)) {
        const c = newCondition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`, now);
        if (current !== undefined) {
          if (current.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
          removeCondition(status, 'Progressing');
        }
        setCondition(status, c);
      } else if (deploymentTimedOut(d, status, nowMs)) {
        setCondition(status, newCondition('Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${rsName}" has timed out progressing.`, now));
      }
    }
    // A ReplicaSet that fails to create pods makes the Deployment report it.
    const failure = all.flatMap((rs) => rs.status?.conditions ?? []).find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
    if (failure !== undefined) setCondition(status, newCondition('ReplicaFailure', 'True', failure.reason ?? 'FailedCreate', failure.message ?? '', now));
    else removeCondition(status, 'ReplicaFailure');
    if (!statusEqual(d.status, status)) {
      try {
        await this.client.updateStatus<Deployment>(deploymentResource, { ...d, status });
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
    }
    // Come back at the deadline of a rollout that is still progressing.
    const progressing = getCondition(status, 'Progressing');
    if (hasProgressDeadline(d) && progressing?.status === 'True' && progressing.reason !== 'NewReplicaSetAvailable' && !deploymentComplete(d, status)) {
      const updatedAt = Date.parse(progressing.lastUpdateTime ?? now);
      const due = updatedAt + (d.spec?.progressDeadlineSeconds ?? 600) * 1000 - nowMs;
      return { requeueAfterMs: Math.max(1000, due + 1000) };
    }
    // Pods ready but not yet available for minReadySeconds: look again then.
    const minReady = d.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && (status.readyReplicas ?? 0) > (status.availableReplicas ?? 0)) return { requeueAfterMs: minReady * 1000 };
  }
}

export const deploymentControllerDefinition: ControllerDefinition = {
  name: 'deployment-controller',
  aliases: ['deployment'],
  workers: { flag: 'concurrent-deployment-syncs', default: 5 },
  create: (ctx) => new DeploymentController(ctx),
};

