import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cronJobResource, type CronJob } from '../../../../pkg/api/batch/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { applyDefaults, validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const def = cronJobResource;
const schema = asNode(def.schema);
const now = new Date('2024-05-01T12:00:00Z');

type Spec = NonNullable<CronJob['spec']>;

function cronJob(spec: Partial<Spec> = {}, name = 'hello'): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'default', creationTimestamp: '2024-05-01T10:00:00Z' },
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: { spec: { template: { spec: { containers: [{ name: 'hello', image: 'busybox' }], restartPolicy: 'OnFailure' } } } },
      ...spec,
    } as Spec,
  };
}

function defaulted(obj: CronJob): CronJob {
  applyDefaults(obj, schema);
  def.defaults!(obj);
  return obj;
}

function errors(obj: CronJob, old?: CronJob): string[] {
  defaulted(obj);
  const kind = old ? def.validateUpdate!(obj, defaulted(old)) : def.validate!(obj);
  return [...validateSchema(obj, schema), ...kind].map(errorString);
}

test('a cron job allows concurrent runs, is not suspended and keeps 3 successful and 1 failed job', () => {
  const s = defaulted(cronJob()).spec!;
  assert.equal(s.concurrencyPolicy, 'Allow');
  assert.equal(s.suspend, false);
  assert.equal(s.successfulJobsHistoryLimit, 3);
  assert.equal(s.failedJobsHistoryLimit, 1);
});

test('the job template of a cron job keeps its job spec undefaulted', () => {
  const jobSpec = defaulted(cronJob()).spec!.jobTemplate!.spec!;
  assert.equal(jobSpec.completions, undefined);
  assert.equal(jobSpec.backoffLimit, undefined);
  assert.equal(jobSpec.template!.spec!.restartPolicy, 'OnFailure');
});

const cases: { name: string; obj: () => CronJob; want: string[] }[] = [
  { name: 'a cron job every five minutes is valid', obj: () => cronJob(), want: [] },
  { name: 'a cron job with a time zone is valid', obj: () => cronJob({ schedule: '@daily', timeZone: 'Europe/Paris' }), want: [] },
  { name: 'a cron job without schedule is rejected', obj: () => cronJob({ schedule: '' }), want: ['spec.schedule: Required value'] },
  {
    name: 'a schedule with too many fields is rejected',
    obj: () => cronJob({ schedule: '0 0 * * * *' }),
    want: ['spec.schedule: Invalid value: "0 0 * * * *": expected exactly 5 fields, found 6: [0 0 * * * *]'],
  },
  {
    name: 'a TZ prefix in the schedule is rejected in favour of timeZone',
    obj: () => cronJob({ schedule: 'TZ=UTC 0 0 * * *' }),
    want: ['spec.schedule: Invalid value: "TZ=UTC 0 0 * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead'],
  },
  {
    name: 'an unknown time zone is rejected',
    obj: () => cronJob({ timeZone: 'Mars/Olympus' }),
    want: ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus'],
  },
  {
    name: 'the Local time zone is rejected',
    obj: () => cronJob({ timeZone: 'Local' }),
    want: ['spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'],
  },
  {
    name: 'an empty time zone is rejected',
    obj: () => cronJob({ timeZone: '' }),
    want: ['spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string'],
  },
  {
    name: 'an unknown concurrency policy is not supported',
    obj: () => cronJob({ concurrencyPolicy: 'Queue' }),
    want: ['spec.concurrencyPolicy: Unsupported value: "Queue": supported values: "Allow", "Forbid", "Replace"'],
  },
  {
    name: 'a negative history limit is rejected',
    obj: () => cronJob({ failedJobsHistoryLimit: -1 }),
    want: ['spec.failedJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0'],
  },
  {
    name: 'a job template whose pods restart always is rejected',
    obj: () => cronJob({ jobTemplate: { spec: { template: { spec: { containers: [{ name: 'x', image: 'busybox' }] } } } } }),
    want: ['spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
  },
  {
    name: 'a selector in the job template is rejected',
    obj: () => {
      const c = cronJob();
      c.spec!.jobTemplate!.spec!.selector = { matchLabels: { app: 'x' } };
      return c;
    },
    want: ['spec.jobTemplate.spec.selector: Invalid value: {"matchLabels":{"app":"x"}}: `selector` will be auto-generated'],
  },
  {
    name: 'a manual selector in the job template is not supported',
    obj: () => {
      const c = cronJob();
      c.spec!.jobTemplate!.spec!.manualSelector = true;
      return c;
    },
    want: ['spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: "nil", "false"'],
  },
  {
    name: 'a name longer than 52 characters is rejected on create',
    obj: () => cronJob({}, 'c'.repeat(53)),
    want: [`metadata.name: Invalid value: "${'c'.repeat(53)}": must be no more than 52 characters`],
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(errors(c.obj()), c.want);
  });
}

test('a long name and a TZ schedule stored earlier stay valid on update', () => {
  const old = cronJob({ schedule: 'TZ=UTC 0 0 * * *' }, 'c'.repeat(60));
  const next = cronJob({ schedule: 'TZ=UTC 0 1 * * *', suspend: true }, 'c'.repeat(60));
  assert.deepEqual(errors(next, old), []);
});

test('a stored schedule with TZ cannot be combined with the timeZone field', () => {
  const old = cronJob({ schedule: 'CRON_TZ=UTC 0 0 * * *' });
  const next = cronJob({ schedule: 'CRON_TZ=UTC 0 0 * * *', timeZone: 'UTC' });
  assert.deepEqual(errors(next, old), ['spec.schedule: Invalid value: "CRON_TZ=UTC 0 0 * * *": cannot use both timeZone field and TZ or CRON_TZ in schedule']);
});

test('the table shows schedule, time zone, suspension, active jobs and last schedule', () => {
  const c = defaulted(cronJob({ timeZone: 'Etc/UTC' }));
  c.status = { active: [{ kind: 'Job', name: 'hello-28573020', namespace: 'default' }], lastScheduleTime: '2024-05-01T11:55:00Z' };
  assert.deepEqual(def.table!.cells(c, now), ['hello', '*/5 * * * *', 'Etc/UTC', 'False', 1, '5m', '120m', 'hello', 'busybox', '<none>']);
  const fresh = defaulted(cronJob());
  assert.deepEqual(def.table!.cells(fresh, now).slice(2, 6), ['<none>', 'False', 0, '<none>']);
  assert.deepEqual(
    def.table!.columns.map((col) => col.name),
    ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', 'Containers', 'Images', 'Selector'],
  );
});
