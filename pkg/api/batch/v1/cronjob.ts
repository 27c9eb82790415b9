// batch/v1 CronJob: jobs created on a repeating schedule.
import { array, boolean, int32, int64, string, struct, time, withDefault, withDescription, type Static } from '../../schema/dsl.js';
import { listSchema, resourceSchema } from '../../meta/v1.js';
import { ObjectReferenceSchema } from '../../core/v1/common.js';
import type { PodTemplateSpec } from '../../core/v1/pod.js';
import { type FieldError, FieldPath, invalid, notSupported } from '../../validation/field.js';
import type { ResourceDef } from '../../registry.js';
import { age } from '../../printers/age.js';
import { defaultTemplate, templateCells, templateColumns, validateNonnegative } from '../../apps/v1/workload.js';
import { JobTemplateSpecSchema, type JobSpec, type JobTemplateSpec } from './job.js';
import { validateJobSpecCommon } from './jobvalidation.js';
import { isKnownTimeZone, parseCronSchedule } from './cron.js';

const P = 'io.k8s.api.batch.v1.';

export const CronJobSpecSchema = struct(
  P + 'CronJobSpec',
  'When and how jobs are created.',
  {
    schedule: string('The schedule in cron format: five fields (minute hour day-of-month month day-of-week) or a descriptor such as @hourly.'),
    timeZone: string('IANA time zone the schedule is interpreted in, e.g. "Etc/UTC"; the controller manager\'s zone when unset.'),
    startingDeadlineSeconds: int64('Seconds after a missed scheduled time within which the job may still start; later runs count as missed.'),
    concurrencyPolicy: withDefault(
      string('What to do when a run is due while the previous one is still running: Allow (the default), Forbid (skip the new run) or Replace.', {
        enum: ['Allow', 'Forbid', 'Replace'],
      }),
      'Allow',
    ),
    suspend: withDefault(boolean('When true, no new runs are started; running jobs are not affected. Defaults to false.'), false),
    jobTemplate: withDescription(JobTemplateSpecSchema, 'The job created at each run.'),
    successfulJobsHistoryLimit: withDefault(int32('Successful finished jobs to keep. Defaults to 3.'), 3),
    failedJobsHistoryLimit: withDefault(int32('Failed finished jobs to keep. Defaults to 1.'), 1),
  },
  { required: ['schedule'] },
);

export const CronJobStatusSchema = struct(P + 'CronJobStatus', 'The observed state of a cron job.', {
  active: array(ObjectReferenceSchema, 'The jobs of this cron job that are running.', { listType: 'atomic' }),
  lastScheduleTime: time('Last time a job was successfully scheduled.'),
  lastSuccessfulTime: time('Last time a job completed successfully.'),
});

export const CronJobSchema = resourceSchema(P + 'CronJob', 'A cron job runs a job on a repeating schedule.', {
  spec: withDescription(CronJobSpecSchema, 'Desired behaviour of the cron job, including the schedule.'),
  status: withDescription(CronJobStatusSchema, 'Most recently observed state of the cron job. Read-only.'),
});
export type CronJob = Static<typeof CronJobSchema>;
export type CronJobSpec = Static<typeof CronJobSpecSchema>;
export const CronJobListSchema = listSchema(P + 'CronJobList', CronJobSchema);

export function defaultCronJob(obj: CronJob): void {
  const spec = (obj.spec ??= {} as CronJobSpec);
  if (!spec.concurrencyPolicy) spec.concurrencyPolicy = 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  // Only the pod spec of the job template is defaulted, not the job spec itself.
  const jobSpec = ((spec.jobTemplate ??= {} as JobTemplateSpec).spec ??= {} as JobSpec);
  defaultTemplate((jobSpec.template ??= {} as PodTemplateSpec));
}

// ---- validation ----

const root = FieldPath.root();
const specPath = root.child('spec');

// The cron job controller appends an 11-character suffix to build job names, which are at most 63.
const maxCronJobNameLength = 63 - 11;

function validateSchedule(schedule: string, allowTZInSchedule: boolean, timeZone: string | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const parsed = parseCronSchedule(schedule);
  if (!parsed.ok) errs.push(invalid(path, schedule, parsed.error));
  if (allowTZInSchedule && schedule.includes('TZ') && timeZone !== undefined) {
    errs.push(invalid(path, schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
  } else if (!allowTZInSchedule && schedule.includes('TZ')) {
    errs.push(invalid(path, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  return errs;
}

// tz database naming rules: letters, '.', '-', '_' (digits and '+' tolerated for legacy names).
const timeZonePart = /^[A-Za-z.\-_0-9+]{1,14}$/;

export function validateTimeZone(timeZone: string | undefined, path: FieldPath): FieldError[] {
  if (timeZone === undefined) return [];
  if (timeZone === '') return [invalid(path, timeZone, 'timeZone must be nil or non-empty string')];
  for (const part of timeZone.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !timeZonePart.test(part)) {
      return [invalid(path, timeZone, `unknown time zone ${timeZone}`)];
    }
  }
  const errs: FieldError[] = [];
  if (timeZone.toLowerCase() === 'local') {
    errs.push(invalid(path, timeZone, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
  }
  // "Local" itself loads fine in Go (it is the process's zone); other spellings do not.
  if (timeZone !== 'Local' && !isKnownTimeZone(timeZone)) errs.push(invalid(path, timeZone, `unknown time zone ${timeZone}`));
  return errs;
}

function validateJobTemplate(tpl: JobTemplateSpec | undefined, path: FieldPath): FieldError[] {
  const spec = tpl?.spec ?? ({} as JobSpec);
  const specP = path.child('spec');
  const errs = validateJobSpecCommon(spec, specP);
  if (spec.selector) errs.push(invalid(specP.child('selector'), spec.selector, '`selector` will be auto-generated'));
  if (spec.manualSelector === true) errs.push(notSupported(specP.child('manualSelector'), true, ['nil', 'false']));
  return errs;
}

function validateCronJobSpec(spec: CronJobSpec, old: CronJobSpec | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.schedule) {
    // Schedules stored with TZ= before the timeZone field existed stay valid.
    const allowTZ = old !== undefined && (old.schedule ?? '').includes('TZ');
    errs.push(...validateSchedule(spec.schedule, allowTZ, spec.timeZone, specPath.child('schedule')));
  }
  errs.push(...validateNonnegative(spec.startingDeadlineSeconds, specPath.child('startingDeadlineSeconds')));
  if (old === undefined || old.timeZone !== spec.timeZone) errs.push(...validateTimeZone(spec.timeZone, specPath.child('timeZone')));
  errs.push(...validateJobTemplate(spec.jobTemplate, specPath.child('jobTemplate')));
  errs.push(...validateNonnegative(spec.successfulJobsHistoryLimit, specPath.child('successfulJobsHistoryLimit')));
  errs.push(...validateNonnegative(spec.failedJobsHistoryLimit, specPath.child('failedJobsHistoryLimit')));
  return errs;
}

export function validateCronJob(obj: CronJob): FieldError[] {
  const errs = validateCronJobSpec(obj.spec ?? ({} as CronJobSpec), undefined);
  const name = obj.metadata?.name ?? '';
  if (name.length > maxCronJobNameLength) errs.push(invalid(root.child('metadata', 'name'), name, `must be no more than ${maxCronJobNameLength} characters`));
  return errs;
}

// The name length limit is not checked on update, so older long-named cron jobs stay manageable.
export const validateCronJobUpdate = (obj: CronJob, old: CronJob): FieldError[] => validateCronJobSpec(obj.spec ?? ({} as CronJobSpec), old.spec ?? ({} as CronJobSpec));

function boolCell(v: boolean | undefined): string {
  if (v === undefined) return '<unset>';
  return v ? 'True' : 'False';
}

export const cronJobResource: ResourceDef<CronJob> = {
  group: 'batch',
  version: 'v1',
  kind: 'CronJob',
  listKind: 'CronJobList',
  plural: 'cronjobs',
  singular: 'cronjob',
  shortNames: ['cj'],
  categories: ['all'],
  namespaced: true,
  schema: CronJobSchema,
  nameValidation: 'subdomain',
  subresources: { status: true },
  defaults: defaultCronJob,
  validate: validateCronJob,
  validateUpdate: validateCronJobUpdate,
  prepareForCreate(obj) {
    obj.status = {};
    (obj.metadata ??= {}).generation = 1;
  },
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the cron job.', priority: 0 },
      { name: 'Schedule', type: 'string', description: 'The schedule in cron format.', priority: 0 },
      { name: 'Timezone', type: 'string', description: 'Time zone the schedule is interpreted in.', priority: 0 },
      { name: 'Suspend', type: 'boolean', description: 'Whether new runs are suspended.', priority: 0 },
      { name: 'Active', type: 'integer', description: 'Jobs of this cron job that are running.', priority: 0 },
      { name: 'Last Schedule', type: 'string', description: 'Time since a job was last scheduled.', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the object was created.', priority: 0 },
      ...templateColumns,
    ],
    cells(obj, now) {
      const jobSpec = obj.spec?.jobTemplate?.spec;
      const last = obj.status?.lastScheduleTime;
      return [
        obj.metadata?.name ?? '',
        obj.spec?.schedule ?? '',
        obj.spec?.timeZone ?? '<none>',
        boolCell(obj.spec?.suspend),
        obj.status?.active?.length ?? 0,
        last ? age(last, now) : '<none>',
        age(obj.metadata?.creationTimestamp, now),
        ...templateCells(jobSpec?.template, jobSpec?.selector),
      ];
    },
  },
};
