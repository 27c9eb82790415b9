// CronJob schedules (next times across DST, day-of-month/day-of-week rules, missed runs) and the
// controller on a fake API: a Job per schedule time named after it, concurrency policies, one run
// after downtime, history limits.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCronSchedule } from '../../../pkg/api/batch/v1/cron.js';
import { cronJobResource, type CronJob } from '../../../pkg/api/batch/v1/cronjob.js';
import { jobResource, type Job } from '../../../pkg/api/batch/v1/job.js';
import { FakeClock } from '../../../pkg/client/clock.js';
import { CronJobController, formatInZone, mostRecentScheduleTime, nextScheduleTime } from '../../../pkg/controller/cronjob/index.js';
import { FakeApi, settle } from '../../helpers/fake-api.js';

const schedule = (text: string) => {
  const r = parseCronSchedule(text);
  if (!r.ok) throw new Error(r.error);
  return r.schedule;
};
const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());
const next = (text: string, after: string, tz = 'UTC'): string | undefined => iso(nextScheduleTime(schedule(text), Date.parse(after), tz));

describe('cron schedules', () => {
  test('next times as cron computes them', () => {
    assert.equal(next('*/5 * * * *', '2026-01-01T10:02:30Z'), '2026-01-01T10:05:00.000Z');
    assert.equal(next('*/5 * * * *', '2026-01-01T10:05:00Z'), '2026-01-01T10:10:00.000Z', 'strictly after');
    assert.equal(next('0 9 * * 1-5', '2026-01-02T10:00:00Z'), '2026-01-05T09:00:00.000Z', 'Friday 10:00 → Monday 09:00');
    assert.equal(next('@hourly', '2026-12-31T23:30:00Z'), '2027-01-01T00:00:00.000Z');
    assert.equal(next('0 0 29 2 *', '2026-03-01T00:00:00Z'), '2028-02-29T00:00:00.000Z');
    assert.equal(next('59 23 31 2 *', '2026-01-01T00:00:00Z'), undefined, 'February 31st never comes');
    // Day of month and day of week: either matches unless one is a star.
    assert.equal(next('0 0 13 * 5', '2026-02-01T00:00:00Z'), '2026-02-06T00:00:00.000Z', 'the first Friday comes before the 13th');
    assert.equal(next('0 0 13 * *', '2026-02-01T00:00:00Z'), '2026-02-13T00:00:00.000Z');
    assert.equal(next('@every 90s', '2026-01-01T00:00:00.400Z'), '2026-01-01T00:01:30.000Z');
  });

  test('time zones and DST: a skipped wall time does not fire that day, a repeated one fires once', () => {
    assert.equal(next('0 9 * * *', '2026-01-01T00:00:00Z', 'Asia/Kolkata'), '2026-01-01T03:30:00.000Z');
    assert.equal(next('CRON_TZ=America/New_York 0 9 * * *', '2026-07-01T00:00:00Z'), '2026-07-01T13:00:00.000Z', 'EDT is UTC-4');
    // 2026-03-08: New York springs forward at 02:00 → 03:00.
    assert.equal(next('30 2 * * *', '2026-03-07T08:00:00Z', 'America/New_York'), '2026-03-09T06:30:00.000Z');
    // 2026-11-01: 01:30 happens twice (EDT then EST); the job runs at the first.
    assert.equal(next('30 1 * * *', '2026-11-01T04:00:00Z', 'America/New_York'), '2026-11-01T05:30:00.000Z');
    assert.equal(next('30 1 * * *', '2026-11-01T05:30:00Z', 'America/New_York'), '2026-11-02T06:30:00.000Z');
    assert.equal(formatInZone(Date.parse('2026-01-01T03:30:00Z'), 'Asia/Kolkata'), '2026-01-01T09:00:00+05:30');
    assert.equal(formatInZone(Date.parse('2026-01-01T03:30:00Z'), 'UTC'), '2026-01-01T03:30:00Z');
  });

  test('after downtime only the most recent missed time is due; more than 100 missed is reported', () => {
    const hourly = schedule('0 * * * *');
    const r = mostRecentScheduleTime(hourly, Date.parse('2026-01-01T00:00:00Z'), Date.parse('2026-01-01T05:10:00Z'), 'UTC');
    assert.deepEqual([iso(r.scheduledMs), r.tooManyMissed, iso(r.nextMs)], ['2026-01-01T05:00:00.000Z', false, '2026-01-01T06:00:00.000Z']);
    const none = mostRecentScheduleTime(hourly, Date.parse('2026-01-01T05:00:00Z'), Date.parse('2026-01-01T05:10:00Z'), 'UTC');
    assert.equal(none.scheduledMs, undefined);
    const many = mostRecentScheduleTime(schedule('* * * * *'), Date.parse('2026-01-01T00:00:00Z'), Date.parse('2026-01-01T03:00:30Z'), 'UTC');
    assert.deepEqual([iso(many.scheduledMs), many.tooManyMissed], ['2026-01-01T03:00:00.000Z', true]);
  });
});

const T0 = Date.parse('2026-01-01T00:00:30Z');

const cronJob = (spec: Partial<CronJob['spec']> = {}, status: CronJob['status'] = {}): CronJob => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'tick', namespace: 'default', uid: 'cj-uid', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: {
    schedule: '* * * * *',
    concurrencyPolicy: 'Allow',
    suspend: false,
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 1,
    jobTemplate: { metadata: { labels: { app: 'tick' } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } },
    ...spec,
  } as CronJob['spec'],
  status,
});

const ownedJob = (name: string, finished?: 'Complete' | 'Failed', startMs = T0): Job => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'cj-uid', controller: true }] },
  spec: {},
  status: { startTime: new Date(startMs).toISOString(), ...(finished ? { conditions: [{ type: finished, status: 'True' }] } : {}) },
});

async function start(api: FakeApi): Promise<{ c: CronJobController; stop: AbortController }> {
  const { c, stop } = await api.startController((ctx) => new CronJobController(ctx, 'UTC'));
  return { c, stop };
}

const jobNames = (api: FakeApi): string[] => api.all<Job>(jobResource).map((j) => j.metadata!.name!).sort();

describe('cronjob controller', () => {
  test('creates the Job of each schedule time, named by its minute, and records it in status', async () => {
    const clock = new FakeClock(T0);
    const api = new FakeApi(clock);
    api.seed(cronJobResource, cronJob());
    const { c, stop } = await start(api);
    const first = await c.reconcile('default/tick');
    assert.deepEqual(jobNames(api), []);
    assert.deepEqual(first, { requeueAfterMs: 30_100 });
    clock.advance(31_000);
    await c.reconcile('default/tick');
    await settle();
    const minute = Date.parse('2026-01-01T00:01:00Z') / 60_000;
    assert.deepEqual(jobNames(api), [`tick-${minute}`]);
    const job = api.peek<Job>(jobResource, 'default', `tick-${minute}`)!;
    assert.equal(job.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2026-01-01T00:01:00Z');
    assert.equal(job.metadata?.labels?.['app'], 'tick');
    assert.equal(job.metadata?.ownerReferences?.[0]?.uid, 'cj-uid');
    const s = api.peek<CronJob>(cronJobResource, 'default', 'tick')!.status!;
    assert.equal(s.lastScheduleTime, '2026-01-01T00:01:00Z');
    assert.deepEqual(s.active?.map((r) => r.name), [`tick-${minute}`]);
    assert.ok(api.events.some((e) => e.reason === 'SuccessfulCreate' && e.note === `Created job tick-${minute}`));
    // The same time is never run twice.
    await c.reconcile('default/tick');
    assert.equal(jobNames(api).length, 1);
    stop.abort();
  });

  test('Forbid skips a run while one is active; Replace deletes the active one first', async () => {
    for (const policy of ['Forbid', 'Replace'] as const) {
      const clock = new FakeClock(Date.parse('2026-01-01T00:02:05Z'));
      const api = new FakeApi(clock);
      api.seed(cronJobResource, cronJob({ concurrencyPolicy: policy }, { lastScheduleTime: '2026-01-01T00:01:00Z', active: [{ apiVersion: 'batch/v1', kind: 'Job', namespace: 'default', name: 'tick-running', uid: 'uid-tick-running' }] }));
      api.seed(jobResource, ownedJob('tick-running'));
      const { c, stop } = await start(api);
      await c.reconcile('default/tick');
      await settle();
      const minute = Date.parse('2026-01-01T00:02:00Z') / 60_000;
      if (policy === 'Forbid') {
        assert.deepEqual(jobNames(api), ['tick-running']);
        assert.ok(api.events.some((e) => e.reason === 'JobAlreadyActive'));
      } else {
        assert.deepEqual(jobNames(api), [`tick-${minute}`]);
        assert.ok(api.events.some((e) => e.reason === 'SuccessfulDelete' && e.note === 'Deleted job tick-running'));
      }
      stop.abort();
    }
  });

  test('after five hours down an hourly CronJob runs once, for the latest time; a startingDeadlineSeconds passed runs none', async () => {
    const clock = new FakeClock(Date.parse('2026-01-01T05:10:00Z'));
    const api = new FakeApi(clock);
    api.seed(cronJobResource, cronJob({ schedule: '0 * * * *' }, { lastScheduleTime: '2026-01-01T00:00:00Z' }));
    const { c, stop } = await start(api);
    await c.reconcile('default/tick');
    await settle();
    assert.deepEqual(jobNames(api), [`tick-${Date.parse('2026-01-01T05:00:00Z') / 60_000}`]);
    stop.abort();

    const late = new FakeApi(new FakeClock(Date.parse('2026-01-01T05:10:00Z')));
    late.seed(cronJobResource, cronJob({ schedule: '0 * * * *', startingDeadlineSeconds: 60 }, { lastScheduleTime: '2026-01-01T04:00:00Z' }));
    const l = await start(late);
    await l.c.reconcile('default/tick');
    assert.deepEqual(jobNames(late), []);
    l.stop.abort();
  });

  test('finished Jobs beyond the history limits are deleted, oldest first; a finished active Job leaves status.active', async () => {
    const clock = new FakeClock(Date.parse('2026-01-01T00:10:10Z'));
    const api = new FakeApi(clock);
    api.seed(cronJobResource, cronJob({ suspend: true }, { active: [{ apiVersion: 'batch/v1', kind: 'Job', namespace: 'default', name: 'done-5', uid: 'uid-done-5' }] }));
    api.seed(jobResource, ...[1, 2, 3, 4, 5].map((i) => ownedJob(`done-${i}`, 'Complete', T0 + i * 60_000)), ownedJob('bad-1', 'Failed', T0), ownedJob('bad-2', 'Failed', T0 + 60_000));
    const { c, stop } = await start(api);
    await c.reconcile('default/tick');
    await settle();
    assert.deepEqual(jobNames(api), ['bad-2', 'done-3', 'done-4', 'done-5']);
    const s = api.peek<CronJob>(cronJobResource, 'default', 'tick')!.status!;
    assert.equal(s.active, undefined);
    assert.ok(api.events.some((e) => e.reason === 'SawCompletedJob' && e.note === 'Saw completed job: done-5, condition: Complete'));
    stop.abort();
  });
});
