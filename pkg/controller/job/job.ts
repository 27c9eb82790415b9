// Job controller (upstream's job-controller, v1.32 behaviour). Runs a Job's pods until enough
// succeed: `parallelism` at a time, `completions` successes (NonIndexed), one success per index
// (Indexed, JOB_COMPLETION_INDEX), or any success with no completions (a work queue). Failed pods
// are replaced after an exponential back-off (10 s doubling, at most 6 min) until `backoffLimit`
// is passed; `activeDeadlineSeconds`, `podFailurePolicy`, `successPolicy` and `suspend` as upstream.
//
// Counting is exact across crashes and failovers, as upstream's job tracking: every pod carries
// the batch.kubernetes.io/job-tracking finalizer; a finished pod's uid first goes into
// status.uncountedTerminatedPods, then its finalizer is removed, then the uid moves into the
// succeeded/failed counts. A pod without the finalizer is never counted again, and an update
// that does not start from the latest status fails on its resourceVersion.
//
// A finished Job first gets SuccessCriteriaMet or FailureTarget; its remaining pods are deleted,
// and Complete or Failed follows once none is left terminating.
import type { Job } from '../../api/batch/v1/job.js';
import { jobResource } from '../../api/batch/v1/job.js';
import type { Pod } from '../../api/core/v1/pod-types.js';
import { podResource } from '../../api/core/v1/pod.js';
import { formatTime } from '../../api/meta/v1.js';
import { labelSelectorAsSelectorOrNothing } from '../../api/selectors/labels.js';
import type { Lister } from '../../client/informer/lister.js';
import type { SharedIndexInformer } from '../../client/informer/shared-informer.js';
import { metaNamespaceKey, splitMetaNamespaceKey, unwrapTombstone, type DeepReadonly } from '../../client/informer/store.js';
import {
  claimChildren,
  controllerRefOf,
  ControllerExpectations,
  generateNamePrefix,
  isConflict,
  isNotFound,
  newControllerRef,
  podFromTemplate,
  PodControl,
  type ControllerContext,
  type ControllerDefinition,
  type ReconcileResult,
  WorkloadController,
} from '../framework/index.js';
import { CONTROLLER_UID_INDEX, byControllerUid } from '../framework/index.js';
import { formatIndexes, parseIndexes } from './indexes.js';
import { matchPodFailurePolicy, matchSuccessPolicy } from './policy.js';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
/** With backoffLimitPerIndex: the failures of the pod's index before this pod (upstream's annotations). */
export const JOB_INDEX_FAILURE_COUNT = 'batch.kubernetes.io/job-index-failure-count';
export const JOB_INDEX_IGNORED_FAILURE_COUNT = 'batch.kubernetes.io/job-index-ignored-failure-count';
/** Upstream's DefaultJobPodFailureBackOff, doubled per failure since the last success. */
export const POD_FAILURE_BACKOFF_MS = 10_000;
/** The documented cap of the back-off. */
export const MAX_POD_FAILURE_BACKOFF_MS = 6 * 60_000;
/** The most pods created or deleted in one sync (upstream's burst). */
const BURST = 500;
const JOB_KIND = { apiVersion: 'batch/v1', kind: 'Job' } as const;

type JobView = DeepReadonly<Job>;
type PodView = DeepReadonly<Pod>;
type JobStatus = NonNullable<Job['status']>;
type JobCondition = NonNullable<JobStatus['conditions']>[number];

const hasCondition = (job: JobView, type: string): boolean => job.status?.conditions?.some((c) => c.type === type && c.status === 'True') === true;
export const isJobFinished = (job: JobView): boolean => hasCondition(job, 'Complete') || hasCondition(job, 'Failed');
const hasFinalizer = (p: PodView): boolean => p.metadata?.finalizers?.includes(JOB_TRACKING_FINALIZER) === true;
const indexOf = (p: PodView): number | undefined => {
  const v = p.metadata?.annotations?.[JOB_COMPLETION_INDEX] ?? p.metadata?.labels?.[JOB_COMPLETION_INDEX];
  const n = Number(v);
  return v !== undefined && Number.isInteger(n) && n >= 0 ? n : undefined;
};

const countAnnotation = (p: PodView, name: string): number => {
  const n = Number(p.metadata?.annotations?.[name] ?? '0');
  return Number.isInteger(n) && n >= 0 ? n : 0;
};

/** The latest failed pod of each index (the one carrying the highest failure count), for per-index back-off. */
function lastFailedPerIndex(pods: readonly PodView[], job: JobView): Map<number, PodView> {
  const out = new Map<number, PodView>();
  for (const p of pods) {
    const i = indexOf(p);
    if (i === undefined || !isPodFailed(p, job)) continue;
    const prev = out.get(i);
    if (prev === undefined || countAnnotation(p, JOB_INDEX_FAILURE_COUNT) + countAnnotation(p, JOB_INDEX_IGNORED_FAILURE_COUNT) >= countAnnotation(prev, JOB_INDEX_FAILURE_COUNT) + countAnnotation(prev, JOB_INDEX_IGNORED_FAILURE_COUNT)) out.set(i, p);
  }
  return out;
}

/** A failure a podFailurePolicy rule said to ignore: counted neither against the limits nor for back-off. */
function isIgnoredFailure(p: PodView, job: JobView): boolean {
  return p.status?.phase === 'Failed' && job.spec?.podFailurePolicy !== undefined && matchPodFailurePolicy(job, p)?.action === 'Ignore';
}

/** How long an index waits after its latest failed pod: 10 s doubled per failure of that index, at most 6 min. */
export function indexBackoff(last: PodView, job: JobView, nowMs: number): number {
  if (isIgnoredFailure(last, job)) return 0;
  const failures = countAnnotation(last, JOB_INDEX_FAILURE_COUNT) + 1;
  const delay = Math.min(MAX_POD_FAILURE_BACKOFF_MS, POD_FAILURE_BACKOFF_MS * 2 ** (failures - 1));
  return Math.max(0, finishTime(last, nowMs) + delay - nowMs);
}

/** Whether a pod has failed for the Job: Failed, or (unless only failed pods are replaced) deleted before succeeding. */
export function isPodFailed(p: PodView, job: JobView): boolean {
  if (p.status?.phase === 'Failed') return true;
  if (job.spec?.podReplacementPolicy === 'Failed') return false;
  return p.metadata?.deletionTimestamp !== undefined && p.status?.phase !== 'Succeeded';
}

/** When a pod finished: its containers' last finishedAt, else its deletion, else now. */
function finishTime(p: PodView, now: number): number {
  let latest = NaN;
  for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
    const t = Date.parse(s.state?.terminated?.finishedAt ?? '');
    if (Number.isFinite(t) && !(t <= latest)) latest = t;
  }
  if (Number.isFinite(latest)) return latest;
  const deleted = Date.parse(p.metadata?.deletionTimestamp ?? '');
  return Number.isFinite(deleted) ? deleted : now;
}

/**
 * The back-off before a replacement pod: 10 s doubled for every failure since the last success,
 * at most 6 min, counted from the latest failure. Read from the pods, so a new leader keeps it.
 */
export function replacementDelay(failedAt: readonly number[], lastSuccessAt: number | undefined, now: number): number {
  const after = failedAt.filter((t) => lastSuccessAt === undefined || t > lastSuccessAt);
  if (after.length === 0) return 0;
  const delay = Math.min(MAX_POD_FAILURE_BACKOFF_MS, POD_FAILURE_BACKOFF_MS * 2 ** (after.length - 1));
  return Math.max(0, Math.max(...after) + delay - now);
}

/** Sets a condition's status (moving lastTransitionTime only when it changes); false when nothing changed. */
function setCondition(status: JobStatus, type: string, value: 'True' | 'False', reason: string, message: string, now: string, addIfMissing = true): boolean {
  const c = status.conditions?.find((x) => x.type === type);
  if (c === undefined) {
    if (!addIfMissing) return false;
    (status.conditions ??= []).push({ type, status: value, reason, message, lastProbeTime: now, lastTransitionTime: now } as JobCondition);
    return true;
  }
  if (c.status === value && c.reason === reason && c.message === message) return false;
  if (c.status !== value) c.lastTransitionTime = now;
  Object.assign(c, { status: value, reason, message, lastProbeTime: now });
  return true;
}

interface Terminal {
  readonly complete: boolean;
  readonly reason: string;
  readonly message: string;
}

export class JobController extends WorkloadController {
  private readonly jobs: Lister<Job>;
  private readonly podInformer: SharedIndexInformer<Pod>;
  private readonly pods: Lister<Pod>;
  readonly expectations: ControllerExpectations;
  private readonly podControl: PodControl;
  /** Per Job: uids of pods whose finalizer this controller removed but the informer has not shown gone. */
  private readonly finalizerRemovals = new Map<string, Set<string>>();

  constructor(ctx: ControllerContext) {
    super(ctx, { queue: 'job', component: 'job-controller' });
    this.expectations = new ControllerExpectations(ctx.clock);
    this.podControl = new PodControl(this.client, this.events, this.expectations);
    const jobInformer = ctx.informers.forResource<Job>(jobResource);
    this.podInformer = ctx.informers.forResource<Pod>(podResource, { indexers: { [CONTROLLER_UID_INDEX]: byControllerUid } });
    this.jobs = jobInformer.lister();
    this.pods = this.podInformer.lister();
    jobInformer.addEventHandler({
      onAdd: (j) => this.loop.enqueueObject(j),
      onUpdate: (_o, j) => this.loop.enqueueObject(j),
      onDelete: (j) => {
        const key = metaNamespaceKey(unwrapTombstone(j));
        this.expectations.forget(key);
        this.finalizerRemovals.delete(key);
        this.loop.enqueueObject(j);
      },
    });
    this.podInformer.addEventHandler({
      onAdd: (p) => this.podEvent(p, 'add'),
      onUpdate: (old, p) => {
        if (old.metadata?.deletionTimestamp === undefined && p.metadata?.deletionTimestamp !== undefined) this.podEvent(p, 'delete');
        else this.podEvent(p, 'update');
      },
      onDelete: (p) => this.podEvent(unwrapTombstone(p), 'gone'),
    });
  }

  private ownerKey(p: PodView): string | undefined {
    const ref = controllerRefOf(p);
    if (ref === undefined || ref.kind !== 'Job') return undefined;
    const job = this.jobs.namespace(p.metadata?.namespace ?? '').get(ref.name);
    return job !== undefined && job.metadata?.uid === ref.uid ? metaNamespaceKey(job) : undefined;
  }

  private podEvent(p: PodView, what: 'add' | 'update' | 'delete' | 'gone'): void {
    const key = this.ownerKey(p);
    if (key === undefined) return;
    if (what === 'add') this.expectations.creationObserved(key);
    if (what === 'delete' || what === 'gone') this.expectations.deletionObserved(key, metaNamespaceKey(p));
    const uid = p.metadata?.uid ?? '';
    if (what === 'gone' || !hasFinalizer(p)) this.finalizerRemovals.get(key)?.delete(uid);
    this.loop.enqueue(key);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.jobs.namespace(namespace).get(name);
    if (cached === undefined) {
      this.expectations.forget(key);
      this.finalizerRemovals.delete(key);
      return;
    }
    // A Job another controller manages (spec.managedBy) is left alone.
    const managedBy = cached.spec?.managedBy;
    if (managedBy !== undefined && managedBy !== 'kubernetes.io/job-controller') return;
    if ((this.finalizerRemovals.get(key)?.size ?? 0) > 0) return; // the informer will show them and requeue
    const satisfied = this.expectations.satisfied(key);
    const selector = labelSelectorAsSelectorOrNothing(cached.spec?.selector);
    const pods = await claimChildren<Pod>({
      owner: cached,
      ownerKind: JOB_KIND,
      ownerResource: jobResource,
      childResource: podResource,
      client: this.client,
      selector,
      owned: this.podInformer.indexer.byIndex(CONTROLLER_UID_INDEX, cached.metadata?.uid ?? ''),
      matching: this.pods.namespace(namespace).list(selector),
    });
    if (isJobFinished(cached)) {
      await this.removeFinalizers(key, pods.filter(hasFinalizer));
      return;
    }
    return this.sync(key, cached, pods, satisfied);
  }

  private async sync(key: string, cached: JobView, pods: readonly PodView[], satisfied: boolean): Promise<ReconcileResult | void> {
    const nowMs = this.clock.now();
    const now = formatTime(nowMs);
    let job = structuredClone(cached) as Job;
    const spec = job.spec ?? {};
    const status = (job.status ??= {});
    const indexed = spec.completionMode === 'Indexed';
    const completions = spec.completions;
    const uncounted = { succeeded: new Set(status.uncountedTerminatedPods?.succeeded ?? []), failed: new Set(status.uncountedTerminatedPods?.failed ?? []) };
    const completedIndexes = indexed ? parseIndexes(status.completedIndexes, completions ?? 0) : new Set<number>();
    // backoffLimitPerIndex: each index has its own retries; one past them (or a FailIndex rule) fails that index only.
    const perIndex = indexed && spec.backoffLimitPerIndex !== undefined;
    const failedIndexes = perIndex ? parseIndexes(status.failedIndexes, completions ?? 0) : new Set<number>();

    // Newly finished pods: tracked (finalizer) and not yet in the uncounted lists.
    let failJob: Terminal | undefined;
    let newlyFinished = false;
    const ignoredFailures: PodView[] = [];
    for (const p of pods) {
      const uid = p.metadata?.uid ?? '';
      if (!hasFinalizer(p) || uncounted.succeeded.has(uid) || uncounted.failed.has(uid)) continue;
      if (p.status?.phase === 'Succeeded') {
        const index = indexOf(p);
        if (indexed && (index === undefined || index >= (completions ?? 0) || completedIndexes.has(index))) {
          ignoredFailures.push(p); // a duplicate or out-of-range index: finalizer off, not counted
          continue;
        }
        if (index !== undefined && indexed) completedIndexes.add(index);
        uncounted.succeeded.add(uid);
        newlyFinished = true;
      } else if (isPodFailed(p, cached) && !(cached.spec?.suspend === true && p.status?.phase !== 'Failed')) {
        const match = p.status?.phase === 'Failed' && spec.podFailurePolicy !== undefined ? matchPodFailurePolicy(cached, p) : undefined;
        if (match?.action === 'Ignore') {
          ignoredFailures.push(p);
          continue;
        }
        if (match?.action === 'FailJob' && failJob === undefined) failJob = { complete: false, reason: 'PodFailurePolicy', message: match.message };
        const index = indexOf(p);
        if (perIndex && index !== undefined && index < (completions ?? 0)) {
          const failures = countAnnotation(p, JOB_INDEX_FAILURE_COUNT) + 1;
          if (match?.action === 'FailIndex' || failures > (spec.backoffLimitPerIndex ?? 0)) failedIndexes.add(index);
        }
        uncounted.failed.add(uid);
        newlyFinished = true;
      } else if (p.metadata?.deletionTimestamp !== undefined && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed') {
        // Deleted while suspended (or only failed pods are replaced): not a failure, not tracked.
        if (cached.spec?.suspend === true) ignoredFailures.push(p);
      }
    }

    const active = pods.filter((p) => p.metadata?.deletionTimestamp === undefined && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    const terminating = pods.filter((p) => p.metadata?.deletionTimestamp !== undefined && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    const succeeded = (status.succeeded ?? 0) + uncounted.succeeded.size;
    const failed = (status.failed ?? 0) + uncounted.failed.size;

    // Step 1: the newly finished pods' uids recorded before their finalizers go.
    if (newlyFinished) {
      status.uncountedTerminatedPods = { succeeded: [...uncounted.succeeded], failed: [...uncounted.failed] };
      if (indexed) status.completedIndexes = formatIndexes(completedIndexes);
      if (perIndex) status.failedIndexes = formatIndexes(failedIndexes);
      job = await this.writeStatus(job);
    }
    // Step 2: finalizers off every counted (and every ignored) pod.
    const counted = new Set([...uncounted.succeeded, ...uncounted.failed]);
    const released = await this.removeFinalizers(key, [...pods.filter((p) => hasFinalizer(p) && counted.has(p.metadata?.uid ?? '')), ...ignoredFailures.filter(hasFinalizer)]);

    // What the Job has come to.
    const startMs = Date.parse(job.status?.startTime ?? '');
    let terminal: Terminal | undefined = failJob;
    const existingTarget = job.status?.conditions?.find((c) => (c.type === 'FailureTarget' || c.type === 'SuccessCriteriaMet') && c.status === 'True');
    if (existingTarget !== undefined) terminal = { complete: existingTarget.type === 'SuccessCriteriaMet', reason: existingTarget.reason ?? '', message: existingTarget.message ?? '' };
    if (terminal === undefined && failed > (spec.backoffLimit ?? 6)) terminal = { complete: false, reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
    if (terminal === undefined && perIndex && spec.maxFailedIndexes !== undefined && failedIndexes.size > spec.maxFailedIndexes) {
      terminal = { complete: false, reason: 'MaxFailedIndexesExceeded', message: 'Job has exceeded the specified maximal number of failed indexes' };
    }
    if (terminal === undefined && spec.activeDeadlineSeconds !== undefined && !spec.suspend && Number.isFinite(startMs) && nowMs - startMs >= spec.activeDeadlineSeconds * 1000) {
      terminal = { complete: false, reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
    }
    if (terminal === undefined) {
      const rule = indexed && spec.successPolicy !== undefined ? matchSuccessPolicy(cached, completedIndexes) : undefined;
      if (rule !== undefined) terminal = { complete: true, reason: 'SuccessPolicy', message: `Matched rules at index ${rule}` };
      else if (indexed ? completedIndexes.size >= (completions ?? 0) : completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0) {
        terminal = { complete: true, reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' };
      } else if (perIndex && failedIndexes.size > 0 && completedIndexes.size + failedIndexes.size >= (completions ?? 0)) {
        terminal = { complete: false, reason: 'FailedIndexes', message: 'Job has failed indexes' };
      }
    }

    const next = structuredClone(job);
    const ns = (next.status ??= {});
    let requeueAfterMs: number | undefined;
    let manageError: unknown;
    let activeCount = active.length;
    // Events about the Job's status go out once the status that says it is written.
    const events: [type: 'Normal' | 'Warning', reason: string, action: string, note: string][] = [];
    let terminatingCount = terminating.length;
    if (terminal !== undefined) {
      if (setCondition(ns, terminal.complete ? 'SuccessCriteriaMet' : 'FailureTarget', 'True', terminal.reason, terminal.message, now)) {
        this.log.info({ job: key, reason: terminal.reason }, terminal.complete ? 'job succeeded' : 'job failed');
      }
    }
    if (spec.suspend === true && terminal === undefined && setCondition(ns, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now)) events.push(['Normal', 'Suspended', 'Suspend', 'Job suspended']);
    if ((terminal !== undefined || spec.suspend === true) && active.length > 0) {
      // A finished or suspended Job keeps no pod running.
      try {
        await this.podControl.deletePods(cached, key, active);
      } catch (err) {
        manageError = err;
      }
      terminatingCount += active.length;
      activeCount = 0;
    } else if (terminal === undefined && spec.suspend !== true) {
      if (setCondition(ns, 'Suspended', 'False', 'JobResumed', 'Job resumed', now, false)) {
        events.push(['Normal', 'Resumed', 'Resume', 'Job resumed']);
        // The deadline counts the time the Job runs without a break, as upstream.
        ns.startTime = now;
      }
      ns.startTime ??= now;
      if (satisfied) {
        try {
          const r = await this.manage(key, cached, active, terminating, pods, succeeded, completedIndexes, failedIndexes, nowMs);
          activeCount += r.created - r.deleted;
          terminatingCount += r.deleted;
          requeueAfterMs = r.requeueAfterMs;
        } catch (err) {
          manageError = err;
        }
      }
      const start = Date.parse(ns.startTime);
      if (spec.activeDeadlineSeconds !== undefined) {
        const left = start + spec.activeDeadlineSeconds * 1000 - nowMs;
        requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, Math.max(left, 0));
      }
    }

    // Step 3: uncounted uids whose finalizers are gone move into the counts.
    const stillTracked = new Set(pods.filter(hasFinalizer).map((p) => p.metadata?.uid ?? ''));
    const moved = { succeeded: 0, failed: 0 };
    const left = { succeeded: [] as string[], failed: [] as string[] };
    for (const kind of ['succeeded', 'failed'] as const) {
      for (const uid of uncounted[kind]) {
        if (stillTracked.has(uid) && !released.has(uid)) left[kind].push(uid);
        else moved[kind]++;
      }
    }
    ns.succeeded = (job.status?.succeeded ?? 0) + moved.succeeded;
    ns.failed = (job.status?.failed ?? 0) + moved.failed;
    ns.uncountedTerminatedPods = { succeeded: left.succeeded, failed: left.failed };
    if (indexed) ns.completedIndexes = formatIndexes(completedIndexes);
    if (perIndex) ns.failedIndexes = formatIndexes(failedIndexes);
    ns.active = activeCount;
    ns.ready = active.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    ns.terminating = terminatingCount;
    // Complete or Failed once the Job's pods are all gone or counted.
    const settled = terminal !== undefined && activeCount === 0 && terminatingCount === 0 && left.succeeded.length === 0 && left.failed.length === 0 && manageError === undefined;
    if (terminal !== undefined && settled) {
      setCondition(ns, terminal.complete ? 'Complete' : 'Failed', 'True', terminal.reason, terminal.message, now);
      if (terminal.complete) {
        ns.completionTime = now;
        events.push(['Normal', 'Completed', 'Complete', 'Job completed']);
      } else events.push(['Warning', terminal.reason, 'Fail', terminal.message]);
    }
    // Counts of zero are left out, as upstream's omitempty fields are.
    for (const f of ['active', 'succeeded', 'failed'] as const) if (ns[f] === 0) delete ns[f];
    if (JSON.stringify(next.status) !== JSON.stringify(job.status)) {
      await this.writeStatus(next);
      for (const [type, reason, action, note] of events) void this.events.record(cached, type, reason, action, note);
    }
    if (manageError !== undefined) throw manageError;
    if (terminal !== undefined && !settled) return { requeueAfterMs: 1000 };
    // Waiting on expectations: look again when they expire, even if no event comes.
    requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, this.expectations.recheckInMs(key) ?? Infinity);
    if (Number.isFinite(requeueAfterMs)) return { requeueAfterMs: Math.max(requeueAfterMs, 1) };
  }

  /** Creates and deletes pods toward the wanted number of active ones; returns what it did. */
  private async manage(
    key: string,
    job: JobView,
    active: readonly PodView[],
    terminating: readonly PodView[],
    pods: readonly PodView[],
    succeeded: number,
    completedIndexes: ReadonlySet<number>,
    failedIndexes: ReadonlySet<number>,
    nowMs: number,
  ): Promise<{ created: number; deleted: number; requeueAfterMs?: number }> {
    const spec = job.spec ?? {};
    const parallelism = spec.parallelism ?? 1;
    const completions = spec.completions;
    const indexed = spec.completionMode === 'Indexed';
    let wantActive: number;
    if (indexed) wantActive = Math.min(parallelism, (completions ?? 0) - completedIndexes.size - failedIndexes.size);
    else if (completions !== undefined) wantActive = Math.min(parallelism, completions - succeeded);
    else wantActive = succeeded > 0 ? Math.min(active.length, parallelism) : parallelism;
    wantActive = Math.max(0, wantActive);

    // Indexed: an index run twice keeps its older pod.
    let toDelete: PodView[] = [];
    let keep = [...active];
    if (indexed) {
      const seen = new Set<number>();
      const sorted = [...active].sort((a, b) => (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? ''));
      keep = [];
      for (const p of sorted) {
        const i = indexOf(p);
        if (i === undefined || i >= (completions ?? 0) || seen.has(i) || completedIndexes.has(i) || failedIndexes.has(i)) toDelete.push(p);
        else {
          seen.add(i);
          keep.push(p);
        }
      }
    }
    if (keep.length > wantActive) {
      // Not yet running first, then the youngest.
      const rank = (p: PodView): number => (p.status?.phase === 'Running' ? 1 : 0);
      const sorted = [...keep].sort((a, b) => rank(a) - rank(b) || (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? ''));
      toDelete = [...toDelete, ...sorted.slice(0, keep.length - wantActive)];
    }
    if (toDelete.length > 0) {
      const batch = toDelete.slice(0, BURST);
      await this.podControl.deletePods(job, key, batch);
      return { created: 0, deleted: batch.length };
    }
    // With podReplacementPolicy Failed a terminating pod still holds its place.
    const occupied = keep.length + (spec.podReplacementPolicy === 'Failed' ? terminating.length : 0);
    const missing = Math.min(wantActive - occupied, BURST);
    if (missing <= 0) return { created: 0, deleted: 0 };
    const perIndex = indexed && spec.backoffLimitPerIndex !== undefined;
    // Per index, each index waits out its own back-off; otherwise the Job's failures since its last success count.
    const lastFailed = perIndex ? lastFailedPerIndex(pods, job) : new Map<number, PodView>();
    if (!perIndex) {
      const failedAt = pods.filter((p) => isPodFailed(p, job)).map((p) => finishTime(p, nowMs));
      const succeededAt = pods.filter((p) => p.status?.phase === 'Succeeded').map((p) => finishTime(p, nowMs));
      const wait = replacementDelay(failedAt, succeededAt.length > 0 ? Math.max(...succeededAt) : undefined, nowMs);
      if (wait > 0) return { created: 0, deleted: 0, requeueAfterMs: wait };
    }

    const ns = job.metadata?.namespace ?? '';
    const ref = newControllerRef(job, JOB_KIND);
    const template = job.spec!.template!;
    let make: () => Pod;
    let count = missing;
    if (indexed) {
      const busy = new Set(keep.map(indexOf).filter((i): i is number => i !== undefined));
      if (spec.podReplacementPolicy === 'Failed') for (const p of terminating) if (indexOf(p) !== undefined) busy.add(indexOf(p)!);
      const free: number[] = [];
      let soonest = Infinity;
      for (let i = 0; i < (completions ?? 0) && free.length < missing; i++) {
        if (completedIndexes.has(i) || failedIndexes.has(i) || busy.has(i)) continue;
        const last = lastFailed.get(i);
        if (last !== undefined) {
          const wait = indexBackoff(last, job, nowMs);
          if (wait > 0) {
            soonest = Math.min(soonest, wait);
            continue;
          }
        }
        free.push(i);
      }
      count = free.length;
      let n = 0;
      make = () => {
        const i = free[n++]!;
        const pod = this.indexedPod(job, ns, ref, i);
        if (perIndex) {
          const last = lastFailed.get(i);
          const annotations = (pod.metadata!.annotations ??= {});
          annotations[JOB_INDEX_FAILURE_COUNT] = String(last === undefined ? 0 : countAnnotation(last, JOB_INDEX_FAILURE_COUNT) + (isIgnoredFailure(last, job) ? 0 : 1));
          const ignored = last === undefined ? 0 : countAnnotation(last, JOB_INDEX_IGNORED_FAILURE_COUNT) + (isIgnoredFailure(last, job) ? 1 : 0);
          if (ignored > 0) annotations[JOB_INDEX_IGNORED_FAILURE_COUNT] = String(ignored);
        }
        return pod;
      };
      if (count === 0 && Number.isFinite(soonest)) return { created: 0, deleted: 0, requeueAfterMs: soonest };
    } else {
      make = () => this.trackedPod(podFromTemplate({ namespace: ns, template, controllerRef: ref, generateName: generateNamePrefix(job.metadata?.name ?? '') }));
    }
    await this.podControl.createPods(job, key, count, make);
    return { created: count, deleted: 0 };
  }

  private trackedPod(pod: Pod): Pod {
    const meta = (pod.metadata ??= {});
    meta.finalizers = [...(meta.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER), JOB_TRACKING_FINALIZER];
    return pod;
  }

  /** An Indexed Job's pod: the index in an annotation and label, JOB_COMPLETION_INDEX, hostname <job>-<index>. */
  private indexedPod(job: JobView, ns: string, ref: ReturnType<typeof newControllerRef>, index: number): Pod {
    const name = job.metadata?.name ?? '';
    const pod = this.trackedPod(podFromTemplate({ namespace: ns, template: job.spec!.template!, controllerRef: ref, generateName: generateNamePrefix(`${name}-${index}`) }));
    const meta = (pod.metadata ??= {});
    meta.annotations = { ...meta.annotations, [JOB_COMPLETION_INDEX]: String(index) };
    meta.labels = { ...meta.labels, [JOB_COMPLETION_INDEX]: String(index) };
    const spec = pod.spec!;
    spec.hostname ??= `${name}-${index}`;
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      if ((c.env ?? []).some((e) => e.name === 'JOB_COMPLETION_INDEX')) continue;
      c.env = [...(c.env ?? []), { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.labels['${JOB_COMPLETION_INDEX}']` } } }];
    }
    return pod;
  }

  /**
   * Removes the tracking finalizer; each removal is expected until the informer shows it. Returns
   * the uids of the pods that no longer have it (removed now, or gone).
   */
  private async removeFinalizers(key: string, pods: readonly PodView[]): Promise<Set<string>> {
    const released = new Set<string>();
    if (pods.length === 0) return released;
    const pending = this.finalizerRemovals.get(key) ?? new Set<string>();
    this.finalizerRemovals.set(key, pending);
    const results = await Promise.allSettled(
      pods.map(async (p) => {
        const uid = p.metadata?.uid ?? '';
        const finalizers = p.metadata?.finalizers ?? [];
        pending.add(uid);
        try {
          // The test keeps a concurrent change to the list from being overwritten.
          await this.client.patch(
            podResource,
            p.metadata?.namespace ?? '',
            p.metadata?.name ?? '',
            [
              { op: 'test', path: '/metadata/uid', value: uid },
              { op: 'test', path: '/metadata/finalizers', value: finalizers },
              { op: 'replace', path: '/metadata/finalizers', value: finalizers.filter((f) => f !== JOB_TRACKING_FINALIZER) },
            ],
            'json',
          );
          released.add(uid);
        } catch (err) {
          pending.delete(uid);
          if (!isNotFound(err)) throw err;
          released.add(uid);
        }
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    return released;
  }

  private async writeStatus(job: Job): Promise<Job> {
    try {
      return await this.client.updateStatus<Job>(jobResource, job);
    } catch (err) {
      if (isConflict(err)) this.log.debug({ job: `${job.metadata?.namespace}/${job.metadata?.name}` }, 'job status changed under us; syncing again');
      throw err;
    }
  }
}

export const jobControllerDefinition: ControllerDefinition = {
  name: 'job-controller',
  aliases: ['job'],
  workers: { flag: 'concurrent-job-syncs', default: 5 },
  create: (ctx) => new JobController(ctx),
};
