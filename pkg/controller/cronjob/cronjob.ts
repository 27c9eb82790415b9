// CronJob controller (upstream's cronjob-controller, v2). At each time the schedule fires (in
// spec.timeZone, else this process's zone) it creates the Job <cronjob>-<minutes since the epoch>
// from the jobTemplate, honouring suspend, concurrencyPolicy (Allow, Forbid, Replace) and
// startingDeadlineSeconds; after downtime only the most recent missed time runs (with a
// TooManyMissedTimes warning past 100), never a burst. It keeps status.active, lastScheduleTime
// and lastSuccessfulTime, and deletes finished Jobs beyond the history limits. The Job's name is
// its schedule time, so a second leader or a retried create cannot run the same time twice.
import { parseCronSchedule } from '../../api/batch/v1/cron.js';
import type { CronJob } from '../../api/batch/v1/cronjob.js';
import { cronJobResource } from '../../api/batch/v1/cronjob.js';
import type { Job } from '../../api/batch/v1/job.js';
import { jobResource } from '../../api/batch/v1/job.js';
import { formatTime } from '../../api/meta/v1.js';
import type { Lister } from '../../client/informer/lister.js';
import type { SharedIndexInformer } from '../../client/informer/shared-informer.js';
import { metaNamespaceKey, splitMetaNamespaceKey, unwrapTombstone, type DeepReadonly } from '../../client/informer/store.js';
import {
  controllerRefOf,
  isAlreadyExists,
  isConflict,
  isNotFound,
  newControllerRef,
  type ControllerContext,
  type ControllerDefinition,
  type ReconcileResult,
  WorkloadController,
} from '../framework/index.js';
import { CONTROLLER_UID_INDEX } from '../framework/index.js';
import { formatInZone, mostRecentScheduleTime } from './schedule.js';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
const CRONJOB_KIND = { apiVersion: 'batch/v1', kind: 'CronJob' } as const;
/** Requeue a little after the next schedule time, so the time has surely come. */
const NEXT_SLACK_MS = 100;

type CronJobView = DeepReadonly<CronJob>;
type JobView = DeepReadonly<Job>;

const jobsByControllerUid = (j: JobView): readonly string[] => {
  const ref = controllerRefOf(j);
  return ref !== undefined ? [ref.uid] : [];
};

/** 'Complete' or 'Failed' for a finished Job. */
function finishedAs(j: JobView): 'Complete' | 'Failed' | undefined {
  for (const c of j.status?.conditions ?? []) if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  return undefined;
}

/** The Job name for a schedule time: the time in minutes since the epoch, as upstream names it. */
export function jobNameFor(cronJobName: string, scheduledMs: number): string {
  return `${cronJobName}-${Math.floor(scheduledMs / 60_000)}`;
}

export class CronJobController extends WorkloadController {
  private readonly cronJobs: Lister<CronJob>;
  private readonly jobInformer: SharedIndexInformer<Job>;
  private readonly defaultTimeZone: string;

  constructor(ctx: ControllerContext, defaultTimeZone = Intl.DateTimeFormat().resolvedOptions().timeZone) {
    super(ctx, { queue: 'cronjob', component: 'cronjob-controller' });
    this.defaultTimeZone = defaultTimeZone;
    const informer = ctx.informers.forResource<CronJob>(cronJobResource);
    this.cronJobs = informer.lister();
    this.jobInformer = ctx.informers.forResource<Job>(jobResource, { indexers: { [CONTROLLER_UID_INDEX]: jobsByControllerUid } });
    informer.addEventHandler({
      onAdd: (c) => this.loop.enqueueObject(c),
      onUpdate: (_o, c) => this.loop.enqueueObject(c),
    });
    const onJob = (j: JobView): void => {
      const ref = controllerRefOf(j);
      if (ref?.kind !== 'CronJob') return;
      const owner = this.cronJobs.namespace(j.metadata?.namespace ?? '').get(ref.name);
      if (owner?.metadata?.uid === ref.uid) this.loop.enqueue(metaNamespaceKey(owner));
    };
    this.jobInformer.addEventHandler({ onAdd: onJob, onUpdate: (_o, j) => onJob(j), onDelete: (j) => onJob(unwrapTombstone(j)) });
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.cronJobs.namespace(namespace).get(name);
    if (cached === undefined) return;
    const cj = structuredClone(cached) as CronJob;
    const status = (cj.status ??= {});
    const jobs = this.jobInformer.indexer.byIndex(CONTROLLER_UID_INDEX, cj.metadata?.uid ?? '');
    const now = this.clock.now();

    // status.active follows the Jobs: finished or gone ones leave it, running owned ones join it.
    const active: NonNullable<NonNullable<CronJob['status']>['active']> = [];
    for (const ref of status.active ?? []) {
      const j = jobs.find((x) => x.metadata?.uid === ref.uid);
      if (j === undefined) {
        // The cache may simply be behind a Job made a moment ago: only a read says it is gone.
        const gone = await this.client.get<Job>(jobResource, ref.namespace ?? namespace, ref.name ?? '').then(
          (fresh) => fresh.metadata?.uid !== ref.uid,
          (err: unknown) => {
            if (isNotFound(err)) return true;
            throw err;
          },
        );
        if (gone) void this.events.record(cached, 'Normal', 'MissingJob', 'MissingJob', `Active job went missing: ${ref.name ?? ''}`);
        else active.push(ref);
        continue;
      }
      const done = finishedAs(j);
      if (done === undefined) {
        active.push(ref);
        continue;
      }
      void this.events.record(cached, 'Normal', 'SawCompletedJob', 'SawCompletedJob', `Saw completed job: ${j.metadata?.name ?? ''}, condition: ${done}`);
      if (done === 'Complete') {
        const t = j.status?.completionTime ?? j.status?.conditions?.find((c) => c.type === 'Complete')?.lastTransitionTime;
        if (t !== undefined && (status.lastSuccessfulTime === undefined || Date.parse(t) > Date.parse(status.lastSuccessfulTime))) status.lastSuccessfulTime = t;
      }
    }
    for (const j of jobs) {
      if (finishedAs(j) === undefined && j.metadata?.deletionTimestamp === undefined && !active.some((r) => r.uid === j.metadata?.uid)) active.push(this.refTo(j));
    }
    status.active = active;
    if (status.active.length === 0) delete status.active;

    let result: ReconcileResult | void = undefined;
    if (cj.metadata?.deletionTimestamp === undefined) result = await this.schedule(key, cached, cj, jobs, now);
    await this.cleanupFinished(cached, jobs);
    if (JSON.stringify(cj.status) !== JSON.stringify(cached.status ?? {})) {
      try {
        await this.client.updateStatus<CronJob>(cronJobResource, cj);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return result;
  }

  /** Starts the Job due now, if any; returns when to look again. */
  private async schedule(key: string, cached: CronJobView, cj: CronJob, jobs: readonly JobView[], now: number): Promise<ReconcileResult | void> {
    const spec = cj.spec!;
    const status = cj.status!;
    if (spec.suspend === true) return;
    const tz = spec.timeZone ?? this.defaultTimeZone;
    const parsed = parseCronSchedule(spec.timeZone ? `TZ=${spec.timeZone} ${spec.schedule}` : spec.schedule);
    if (!parsed.ok) {
      void this.events.record(cached, 'Warning', 'UnparseableSchedule', 'Schedule', `unparseable schedule: ${JSON.stringify(spec.schedule)} : ${parsed.error}`);
      return;
    }
    let earliest = Date.parse(status.lastScheduleTime ?? cj.metadata?.creationTimestamp ?? '');
    if (!Number.isFinite(earliest)) earliest = now;
    if (spec.startingDeadlineSeconds !== undefined) earliest = Math.max(earliest, now - spec.startingDeadlineSeconds * 1000);
    const due = mostRecentScheduleTime(parsed.schedule, earliest, now, this.defaultTimeZone);
    const requeue = due.nextMs !== undefined ? { requeueAfterMs: due.nextMs - now + NEXT_SLACK_MS } : undefined;
    if (due.scheduledMs === undefined) return requeue;
    if (due.tooManyMissed) void this.events.record(cached, 'Warning', 'TooManyMissedTimes', 'Schedule', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    const scheduled = due.scheduledMs;
    if (spec.startingDeadlineSeconds !== undefined && scheduled + spec.startingDeadlineSeconds * 1000 < now) {
      void this.events.record(cached, 'Warning', 'MissSchedule', 'Schedule', `Missed scheduled time to start a job: ${formatInZone(scheduled, tz)}`);
      return requeue;
    }
    const name = jobNameFor(cj.metadata?.name ?? '', scheduled);
    if (jobs.some((j) => j.metadata?.name === name) || (status.active ?? []).some((r) => r.name === name)) return requeue;
    const running = status.active ?? [];
    if (spec.concurrencyPolicy === 'Forbid' && running.length > 0) {
      void this.events.record(cached, 'Normal', 'JobAlreadyActive', 'Schedule', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return requeue;
    }
    if (spec.concurrencyPolicy === 'Replace') {
      for (const ref of running) {
        try {
          await this.client.delete(jobResource, ref.namespace ?? cj.metadata?.namespace ?? '', ref.name ?? '', { propagationPolicy: 'Background', ...(ref.uid ? { preconditions: { uid: ref.uid } } : {}) });
          void this.events.record(cached, 'Normal', 'SuccessfulDelete', 'Delete', `Deleted job ${ref.name ?? ''}`);
        } catch (err) {
          if (!isNotFound(err) && !isConflict(err)) throw err;
        }
      }
      status.active = [];
    }
    const job = this.jobFromTemplate(cj, name, scheduled, tz);
    let made: Job;
    try {
      made = await this.client.create<Job>(jobResource, cj.metadata?.namespace ?? '', job);
      void this.events.record(cached, 'Normal', 'SuccessfulCreate', 'Create', `Created job ${name}`);
      this.log.info({ cronjob: key, job: name }, 'created a scheduled job');
    } catch (err) {
      if (!isAlreadyExists(err)) {
        void this.events.record(cached, 'Warning', 'FailedCreate', 'Create', `Error creating job: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      }
      // Made already (a retry, or another leader): ours only if it names us as its controller.
      made = await this.client.get<Job>(jobResource, cj.metadata?.namespace ?? '', name);
      if (controllerRefOf(made)?.uid !== cj.metadata?.uid) return requeue;
    }
    status.active = [...(status.active ?? []).filter((r) => r.uid !== made.metadata?.uid), this.refTo(made)];
    status.lastScheduleTime = formatTime(scheduled);
    return requeue;
  }

  private jobFromTemplate(cj: CronJob, name: string, scheduledMs: number, tz: string): Job {
    const t = structuredClone(cj.spec?.jobTemplate ?? {});
    return {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: cj.metadata?.namespace ?? '',
        ...(t.metadata?.labels !== undefined ? { labels: t.metadata.labels } : {}),
        annotations: { ...t.metadata?.annotations, [SCHEDULED_TIMESTAMP_ANNOTATION]: formatInZone(scheduledMs, tz) },
        ownerReferences: [newControllerRef(cj, CRONJOB_KIND)],
      },
      spec: t.spec ?? {},
    } as Job;
  }

  private refTo(j: JobView): NonNullable<NonNullable<CronJob['status']>['active']>[number] {
    return { apiVersion: 'batch/v1', kind: 'Job', namespace: j.metadata?.namespace ?? '', name: j.metadata?.name ?? '', uid: j.metadata?.uid ?? '', resourceVersion: j.metadata?.resourceVersion ?? '' };
  }

  /** Deletes the oldest finished Jobs beyond successfulJobsHistoryLimit and failedJobsHistoryLimit. */
  private async cleanupFinished(cached: CronJobView, jobs: readonly JobView[]): Promise<void> {
    const limits = { Complete: cached.spec?.successfulJobsHistoryLimit ?? 3, Failed: cached.spec?.failedJobsHistoryLimit ?? 1 };
    for (const kind of ['Complete', 'Failed'] as const) {
      const done = jobs.filter((j) => finishedAs(j) === kind && j.metadata?.deletionTimestamp === undefined);
      if (done.length <= limits[kind]) continue;
      const started = (j: JobView): number => Date.parse(j.status?.startTime ?? j.metadata?.creationTimestamp ?? '') || 0;
      const oldest = [...done].sort((a, b) => started(a) - started(b)).slice(0, done.length - limits[kind]);
      for (const j of oldest) {
        try {
          await this.client.delete(jobResource, j.metadata?.namespace ?? '', j.metadata?.name ?? '', { propagationPolicy: 'Background', preconditions: { uid: j.metadata?.uid ?? '' } });
          void this.events.record(cached, 'Normal', 'SuccessfulDelete', 'Delete', `Deleted job ${j.metadata?.name ?? ''}`);
        } catch (err) {
          if (!isNotFound(err) && !isConflict(err)) throw err;
        }
      }
    }
  }
}

export const cronJobControllerDefinition: ControllerDefinition = {
  name: 'cronjob-controller',
  aliases: ['cronjob'],
  workers: { flag: 'concurrent-cron-job-syncs', default: 5 },
  create: (ctx) => new CronJobController(ctx),
};
