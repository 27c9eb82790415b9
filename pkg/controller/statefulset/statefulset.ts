// StatefulSet controller (upstream's statefulset-controller): pods with stable identities
// `<set>-<ordinal>`, each with its own claims from volumeClaimTemplates. OrderedReady creates pods
// one at a time in ordinal order, each only once its predecessors are Running and Ready, and
// removes them highest ordinal first; Parallel creates and removes them all at once. Templates are
// recorded in ControllerRevisions; RollingUpdate replaces pods from the highest ordinal down to the
// partition, one at a time; OnDelete builds new pods from the update revision and waits for the user.
//
// No expectations are kept (as upstream): a pod's name is its identity, so the API itself refuses
// a second pod for an ordinal — a create from a stale cache fails with AlreadyExists, and two pods
// of one ordinal can never exist at once, whoever leads.
import type { ControllerRevision } from '../../api/apps/v1/controllerrevision.js';
import { controllerRevisionResource } from '../../api/apps/v1/controllerrevision.js';
import type { StatefulSet } from '../../api/apps/v1/statefulset.js';
import { statefulSetResource } from '../../api/apps/v1/statefulset.js';
import type { PersistentVolumeClaim } from '../../api/core/v1/persistentvolumeclaim.js';
import { persistentVolumeClaimResource } from '../../api/core/v1/persistentvolumeclaim.js';
import type { Pod } from '../../api/core/v1/pod-types.js';
import { podResource } from '../../api/core/v1/pod.js';
import { labelSelectorAsSelectorOrNothing } from '../../api/selectors/labels.js';
import type { Lister } from '../../client/informer/lister.js';
import type { SharedIndexInformer } from '../../client/informer/shared-informer.js';
import { metaNamespaceKey, splitMetaNamespaceKey, unwrapTombstone, type DeepReadonly } from '../../client/informer/store.js';
import {
  byControllerUid,
  claimChildren,
  CONTROLLER_UID_INDEX,
  controllerRefOf,
  equalRevision,
  findEqualRevisions,
  hashControllerRevision,
  controllerRevisionName,
  CONTROLLER_REVISION_HASH_LABEL,
  isAlreadyExists,
  isConflict,
  isNotFound,
  newControllerRevision,
  nextRevision,
  slowStartBatch,
  sortRevisions,
  templateRevisionData,
  type ControllerContext,
  type ControllerDefinition,
  type ReconcileResult,
  WorkloadController,
} from '../framework/index.js';
import {
  applyRevision,
  claimIsStale,
  claimOwnerRefs,
  claimsFor,
  endOrdinal,
  identityMatches,
  inOrdinalRange,
  isMemberOf,
  isRunningAndAvailable,
  isRunningAndReady,
  isTerminated,
  isTerminating,
  isUnavailable,
  newVersionedStatefulSetPod,
  ordinalOf,
  podRevision,
  replicaCounts,
  startOrdinal,
  STS_KIND,
  withIdentityAndStorage,
} from './util.js';

type SetView = DeepReadonly<StatefulSet>;
type PodView = DeepReadonly<Pod>;
type RevisionView = DeepReadonly<ControllerRevision>;
type Status = NonNullable<StatefulSet['status']>;

/** How soon to look again when waiting on something no informer event announces (a stale claim's removal, a name still taken). */
const RETRY_SOON_MS = 1000;

/** What a sync step says: stop here for this sync (ordered mode waits on this pod), and whether to look again soon. */
interface Step {
  readonly stop: boolean;
  readonly retrySoon?: boolean;
}
const GO_ON: Step = { stop: false };
const WAIT: Step = { stop: true };

export class StatefulSetController extends WorkloadController {
  private readonly sets: Lister<StatefulSet>;
  private readonly podInformer: SharedIndexInformer<Pod>;
  private readonly pods: Lister<Pod>;
  private readonly claims: Lister<PersistentVolumeClaim>;
  private readonly revisionInformer: SharedIndexInformer<ControllerRevision>;

  constructor(ctx: ControllerContext) {
    super(ctx, { queue: 'statefulset', component: 'statefulset-controller' });
    const setInformer = ctx.informers.forResource<StatefulSet>(statefulSetResource);
    this.podInformer = ctx.informers.forResource<Pod>(podResource, { indexers: { [CONTROLLER_UID_INDEX]: byControllerUid } });
    this.revisionInformer = ctx.informers.forResource<ControllerRevision>(controllerRevisionResource, { indexers: { [CONTROLLER_UID_INDEX]: byControllerUid } });
    const claimInformer = ctx.informers.forResource<PersistentVolumeClaim>(persistentVolumeClaimResource);
    this.sets = setInformer.lister();
    this.pods = this.podInformer.lister();
    this.claims = claimInformer.lister();
    setInformer.addEventHandler({
      onAdd: (s) => this.loop.enqueueObject(s),
      onUpdate: (_o, s) => this.loop.enqueueObject(s),
      onDelete: (s) => this.loop.enqueueObject(s),
    });
    this.podInformer.addEventHandler({
      onAdd: (p) => this.podChanged(p),
      onUpdate: (old, p) => {
        const oldRef = controllerRefOf(old);
        if (oldRef !== undefined && oldRef.uid !== controllerRefOf(p)?.uid) this.podChanged(old);
        this.podChanged(p);
      },
      onDelete: (p) => this.podChanged(unwrapTombstone(p)),
    });
  }

  /** The pod's set looks again; an orphan goes to every set that may adopt it. */
  private podChanged(p: PodView): void {
    const ns = p.metadata?.namespace ?? '';
    const ref = controllerRefOf(p);
    if (ref !== undefined) {
      if (ref.kind !== 'StatefulSet') return;
      const set = this.sets.namespace(ns).get(ref.name);
      if (set?.metadata?.uid !== ref.uid) return;
      this.loop.enqueueObject(set);
      // A pod that became ready becomes available minReadySeconds later.
      const minReady = set.spec?.minReadySeconds ?? 0;
      if (minReady > 0) this.loop.enqueueAfter(metaNamespaceKey(set), minReady * 1000 + 100);
      return;
    }
    if (p.metadata?.deletionTimestamp !== undefined) return;
    for (const set of this.sets.namespace(ns).list()) {
      if (isMemberOf(set, p) && labelSelectorAsSelectorOrNothing(set.spec?.selector).matches(p.metadata?.labels)) this.loop.enqueueObject(set);
    }
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const set = this.sets.namespace(namespace).get(name);
    if (set === undefined) return;
    const selector = labelSelectorAsSelectorOrNothing(set.spec?.selector);
    const pods = await claimChildren<Pod>({
      owner: set,
      ownerKind: STS_KIND,
      ownerResource: statefulSetResource,
      childResource: podResource,
      client: this.client,
      selector,
      owned: this.podInformer.indexer.byIndex(CONTROLLER_UID_INDEX, set.metadata?.uid ?? ''),
      // Only pods named as members of this set are adopted (upstream's isMemberOf filter).
      matching: this.pods.namespace(namespace).list(selector).filter((p) => isMemberOf(set, p)),
    });
    const revisions = sortRevisions(this.revisionInformer.indexer.byIndex(CONTROLLER_UID_INDEX, set.metadata?.uid ?? ''));
    const { current, update, collisionCount } = await this.revisions(set, revisions);
    let syncError: unknown;
    let result: { status: Status; retrySoon: boolean } | undefined;
    try {
      result = await this.sync(set, pods, current, update, collisionCount);
    } catch (err) {
      syncError = err;
    }
    const status = result?.status ?? this.statusOf(set, pods, current, update, collisionCount);
    await this.writeStatus(set, status);
    await this.truncateHistory(set, pods, revisions, current, update);
    if (syncError !== undefined) throw syncError;
    const minReady = set.spec?.minReadySeconds ?? 0;
    if (result?.retrySoon === true) return { requeueAfterMs: RETRY_SOON_MS };
    if (minReady > 0 && (status.readyReplicas ?? 0) > (status.availableReplicas ?? 0)) return { requeueAfterMs: minReady * 1000 };
  }

  /**
   * The current and update revisions (upstream's getStatefulSetRevisions): the update revision is
   * the set's template; an equal older revision is renumbered to be the newest (rollout undo), a
   * new template gets a new revision, named with the collision count when its hash is taken.
   */
  private async revisions(set: SetView, revisions: readonly RevisionView[]): Promise<{ current: RevisionView; update: RevisionView; collisionCount: number }> {
    let collisionCount = set.status?.collisionCount ?? 0;
    const candidate = newControllerRevision(set, STS_KIND, set.spec?.template?.metadata?.labels, templateRevisionData(set.spec?.template), nextRevision(revisions), collisionCount);
    const equal = findEqualRevisions(revisions, candidate);
    let update: RevisionView;
    const newest = revisions[revisions.length - 1];
    const lastEqual = equal[equal.length - 1];
    if (lastEqual !== undefined && equalRevision(newest, lastEqual)) {
      update = newest!;
    } else if (lastEqual !== undefined) {
      update = await this.client.update<ControllerRevision>(controllerRevisionResource, { ...(structuredClone(lastEqual) as ControllerRevision), revision: candidate.revision });
    } else {
      for (;;) {
        const hash = hashControllerRevision(candidate, collisionCount);
        const attempt: ControllerRevision = { ...candidate, metadata: { ...candidate.metadata, name: controllerRevisionName(set.metadata?.name ?? '', hash), labels: { ...candidate.metadata?.labels, [CONTROLLER_REVISION_HASH_LABEL]: hash } } };
        try {
          update = await this.client.create<ControllerRevision>(controllerRevisionResource, set.metadata?.namespace ?? '', attempt);
          break;
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
          const existing = await this.client.get<ControllerRevision>(controllerRevisionResource, set.metadata?.namespace ?? '', attempt.metadata!.name!);
          if (equalRevision(existing, attempt)) {
            update = existing;
            break;
          }
          collisionCount++;
        }
      }
    }
    const current = revisions.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;
    return { current, update, collisionCount };
  }

  /** Status from the pods as listed, before this sync changed anything. */
  private statusOf(set: SetView, pods: readonly PodView[], current: RevisionView, update: RevisionView, collisionCount: number): Status {
    return {
      ...(set.status?.conditions !== undefined ? { conditions: structuredClone(set.status.conditions) as Status['conditions'] } : {}),
      observedGeneration: set.metadata?.generation ?? 0,
      currentRevision: current.metadata?.name ?? '',
      updateRevision: update.metadata?.name ?? '',
      collisionCount,
      ...replicaCounts(pods, set.spec?.minReadySeconds ?? 0, this.clock.now(), current.metadata?.name ?? '', update.metadata?.name ?? ''),
    };
  }

  /** upstream's updateStatefulSet: replicas first, then condemned pods, then (RollingUpdate) one step of the update. */
  private async sync(set: SetView, pods: readonly PodView[], current: RevisionView, update: RevisionView, collisionCount: number): Promise<{ status: Status; retrySoon: boolean }> {
    const status = this.statusOf(set, pods, current, update, collisionCount);
    if (set.metadata?.deletionTimestamp !== undefined) return { status, retrySoon: false };
    const now = this.clock.now();
    const minReady = set.spec?.minReadySeconds ?? 0;
    const currentSet = applyRevision(set, current);
    const updateSet = applyRevision(set, update);
    const start = startOrdinal(set);
    const count = endOrdinal(set) - start;
    const replicas: (PodView | undefined)[] = Array.from({ length: count }, () => undefined);
    const condemned: PodView[] = [];
    for (const p of pods) {
      const ordinal = ordinalOf(p);
      if (inOrdinalRange(set, ordinal)) replicas[ordinal - start] = p;
      else if (ordinal >= 0) condemned.push(p);
    }
    condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
    const firstUnavailable = replicas.find((p) => isUnavailable(p, minReady, now)) ?? [...condemned].reverse().find((p) => isUnavailable(p, minReady, now));
    const monotonic = set.spec?.podManagementPolicy !== 'Parallel';
    let retrySoon = false;
    const runForAll = async <T>(items: readonly T[], fn: (item: T, i: number) => Promise<Step>): Promise<boolean> => {
      if (monotonic) {
        for (let i = 0; i < items.length; i++) {
          const step = await fn(items[i]!, i);
          retrySoon ||= step.retrySoon === true;
          if (step.stop) return true;
        }
        return false;
      }
      let next = 0;
      const result = await slowStartBatch(items.length, 1, async () => {
        const i = next++;
        const step = await fn(items[i]!, i);
        retrySoon ||= step.retrySoon === true;
      });
      if (result.error !== undefined) throw result.error;
      return false;
    };

    const replicaStep = async (pod: PodView | undefined, i: number): Promise<Step> => {
      const ordinal = start + i;
      if (pod !== undefined && isTerminated(pod)) {
        // Replaced once it is gone from the API: the next sync makes the new one.
        if (!isTerminating(pod)) await this.deletePod(set, pod);
        return WAIT;
      }
      if (pod === undefined) {
        const fresh = newVersionedStatefulSetPod(currentSet, updateSet, current.metadata?.name ?? '', update.metadata?.name ?? '', ordinal);
        if (this.claimsStale(set, fresh, undefined)) return { stop: true, retrySoon: true };
        const created = await this.createPod(set, fresh);
        if (!created) return { stop: true, retrySoon: true };
        return monotonic ? WAIT : GO_ON;
      }
      if (pod.status?.phase === 'Pending') await this.createMissingClaims(set, pod);
      if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, now))) return WAIT;
      await this.enforceIdentity(set, updateSet, pod);
      return GO_ON;
    };
    if (await runForAll(replicas, replicaStep)) return { status, retrySoon };

    // Claims of pods a scale-down condemns change hands before the pods go (whenScaled=Delete).
    if (await runForAll(condemned, async (pod) => (await this.fixClaimOwners(updateSet, pod), GO_ON))) return { status, retrySoon };

    const condemnedStep = async (pod: PodView): Promise<Step> => {
      if (isTerminating(pod)) return monotonic ? WAIT : GO_ON;
      // Ordered: only the lowest unavailable pod may go while others are not yet available.
      if (monotonic && pod !== firstUnavailable && !isRunningAndAvailable(pod, minReady, now)) return WAIT;
      await this.deletePod(set, pod);
      return WAIT;
    };
    if (await runForAll(condemned, condemnedStep)) return { status, retrySoon };

    const done = { status, retrySoon };
    if (set.spec?.updateStrategy?.type === 'OnDelete') return done;
    const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    // The highest ordinal not at the update revision goes first; the next waits until it is back and available.
    for (let target = replicas.length - 1; target >= partition; target--) {
      const pod = replicas[target];
      if (pod !== undefined && podRevision(pod) !== update.metadata?.name && !isTerminating(pod)) {
        await this.deletePod(set, pod);
        done.status.currentReplicas = Math.max(0, (done.status.currentReplicas ?? 0) - 1);
        return done;
      }
      if (isUnavailable(pod, minReady, now)) return done;
    }
    return done;
  }

  private claimsStale(set: SetView, pod: PodView, uid: string | undefined): boolean {
    if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled !== 'Delete') {
      return [...claimsFor(set, ordinalOf(pod)).values()].some((c) => this.claims.namespace(c.metadata?.namespace ?? '').get(c.metadata?.name ?? '')?.metadata?.deletionTimestamp !== undefined);
    }
    return [...claimsFor(set, ordinalOf(pod)).values()].some((c) => claimIsStale(this.claims.namespace(c.metadata?.namespace ?? '').get(c.metadata?.name ?? ''), pod.metadata?.name ?? '', uid));
  }

  /** Creates the pod's missing claims, then the pod; false when its name is still taken (an old pod not yet gone from the API). */
  private async createPod(set: SetView, pod: Pod): Promise<boolean> {
    await this.createMissingClaims(set, pod);
    const name = pod.metadata?.name ?? '';
    try {
      await this.client.create<Pod>(podResource, set.metadata?.namespace ?? '', pod);
    } catch (err) {
      if (isAlreadyExists(err)) return false;
      void this.events.record(set, 'Warning', 'FailedCreate', 'Create', `create Pod ${name} in StatefulSet ${set.metadata?.name ?? ''} failed error: ${messageOf(err)}`);
      throw err;
    }
    void this.events.record(set, 'Normal', 'SuccessfulCreate', 'Create', `create Pod ${name} in StatefulSet ${set.metadata?.name ?? ''} successful`);
    return true;
  }

  private async deletePod(set: SetView, pod: PodView): Promise<void> {
    const name = pod.metadata?.name ?? '';
    try {
      // The uid precondition keeps a stale view from deleting a newer pod of the same name.
      await this.client.delete(podResource, pod.metadata?.namespace ?? '', name, { preconditions: { uid: pod.metadata?.uid ?? '' } });
    } catch (err) {
      // A failed uid precondition: the pod of that name is another one now.
      if (isNotFound(err) || isConflict(err)) return;
      void this.events.record(set, 'Warning', 'FailedDelete', 'Delete', `delete Pod ${name} in StatefulSet ${set.metadata?.name ?? ''} failed error: ${messageOf(err)}`);
      throw err;
    }
    void this.events.record(set, 'Normal', 'SuccessfulDelete', 'Delete', `delete Pod ${name} in StatefulSet ${set.metadata?.name ?? ''} successful`);
  }

  /** Creates the claims from volumeClaimTemplates the pod does not have yet, owned as the retention policy says. */
  private async createMissingClaims(set: SetView, pod: PodView): Promise<void> {
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      const ns = claim.metadata?.namespace ?? '';
      const name = claim.metadata?.name ?? '';
      if (this.claims.namespace(ns).get(name) !== undefined) continue;
      const refs = claimOwnerRefs(set, pod, claim);
      if (refs !== undefined && refs.length > 0) claim.metadata!.ownerReferences = refs;
      try {
        await this.client.create<PersistentVolumeClaim>(persistentVolumeClaimResource, ns, claim);
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        void this.events.record(set, 'Warning', 'FailedCreate', 'Create', `create Claim ${name} for Pod ${pod.metadata?.name ?? ''} in StatefulSet ${set.metadata?.name ?? ''} failed error: ${messageOf(err)}`);
        throw err;
      }
      void this.events.record(set, 'Normal', 'SuccessfulCreate', 'Create', `create Claim ${name} Pod ${pod.metadata?.name ?? ''} in StatefulSet ${set.metadata?.name ?? ''} success`);
    }
  }

  /** Gives the claims of a pod the owners the retention policy asks for (a pod being scaled away owns them under whenScaled=Delete). */
  private async fixClaimOwners(set: SetView, pod: PodView): Promise<void> {
    for (const want of claimsFor(set, ordinalOf(pod)).values()) {
      const claim = this.claims.namespace(want.metadata?.namespace ?? '').get(want.metadata?.name ?? '');
      if (claim === undefined) continue;
      const refs = claimOwnerRefs(set, pod, claim);
      if (refs === undefined) continue;
      const next = structuredClone(claim) as PersistentVolumeClaim;
      next.metadata!.ownerReferences = refs;
      if (refs.length === 0) delete next.metadata!.ownerReferences;
      try {
        await this.client.update<PersistentVolumeClaim>(persistentVolumeClaimResource, next);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  /**
   * A pod whose labels lost its identity gets them back; missing claims are created and claim
   * owners follow the policy. (A pod's volumes cannot change after creation: a member adopted with
   * other volumes keeps them, where upstream would retry an update the API refuses.)
   */
  private async enforceIdentity(set: SetView, updateSet: SetView, pod: PodView): Promise<void> {
    await this.fixClaimOwners(updateSet, pod);
    if (identityMatches(set, pod)) return;
    const next = withIdentityAndStorage(set, structuredClone(pod) as Pod);
    next.spec = structuredClone(pod.spec) as Pod['spec'];
    await this.client.update<Pod>(podResource, next);
    void this.events.record(set, 'Normal', 'SuccessfulUpdate', 'Update', `update Pod ${pod.metadata?.name ?? ''} in StatefulSet ${set.metadata?.name ?? ''} successful`);
  }

  /** Writes the status when it changed; a finished rolling update makes the update revision current. */
  private async writeStatus(set: SetView, status: Status): Promise<void> {
    const next = { ...status };
    if (set.spec?.updateStrategy?.type === 'RollingUpdate' && next.updatedReplicas === next.replicas && next.readyReplicas === next.replicas) {
      next.currentRevision = next.updateRevision;
      next.currentReplicas = next.updatedReplicas;
    }
    const fields = ['observedGeneration', 'replicas', 'readyReplicas', 'availableReplicas', 'currentReplicas', 'updatedReplicas', 'currentRevision', 'updateRevision', 'collisionCount'] as const;
    const old = set.status ?? {};
    if (fields.every((f) => (old[f] ?? 0) === (next[f] ?? 0))) return;
    for (const f of ['readyReplicas', 'currentReplicas', 'updatedReplicas'] as const) if (next[f] === 0) delete next[f];
    try {
      await this.client.updateStatus<StatefulSet>(statefulSetResource, { ...(structuredClone(set) as StatefulSet), status: next });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Keeps revisionHistoryLimit revisions beside the live ones (current, update, and any a pod was made from). */
  private async truncateHistory(set: SetView, pods: readonly PodView[], revisions: readonly RevisionView[], current: RevisionView, update: RevisionView): Promise<void> {
    const live = new Set([current.metadata?.name, update.metadata?.name, ...pods.map(podRevision)]);
    const history = revisions.filter((r) => !live.has(r.metadata?.name));
    const limit = set.spec?.revisionHistoryLimit ?? 10;
    if (limit < 0 || history.length <= limit) return;
    for (const r of history.slice(0, history.length - limit)) {
      await this.client.delete(controllerRevisionResource, r.metadata?.namespace ?? '', r.metadata?.name ?? '').catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    }
  }
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export const statefulSetControllerDefinition: ControllerDefinition = {
  name: 'statefulset-controller',
  aliases: ['statefulset'],
  workers: { flag: 'concurrent-statefulset-syncs', default: 5 },
  create: (ctx) => new StatefulSetController(ctx),
};
