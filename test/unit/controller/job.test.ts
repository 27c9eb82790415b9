// The Job controller on a fake API: pods created up to parallelism with the tracking finalizer,
// finished pods counted exactly once (uncounted first, finalizer off, then the counts) even when
// the cache is behind or the controller stopped half-way, back-off, policies and index lists.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { jobResource, type Job } from '../../../pkg/api/batch/v1/job.js';
import type { Pod } from '../../../pkg/api/core/v1/pod-types.js';
import { podResource } from '../../../pkg/api/core/v1/pod.js';
import { formatTime } from '../../../pkg/api/meta/v1.js';
import { FakeClock } from '../../../pkg/client/clock.js';
import { formatIndexes, JOB_TRACKING_FINALIZER, JobController, matchPodFailurePolicy, MAX_POD_FAILURE_BACKOFF_MS, parseIndexes, replacementDelay } from '../../../pkg/controller/job/index.js';
import { FakeApi, settle } from '../../helpers/fake-api.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

const job = (spec: Job['spec'] = {}, status: Job['status'] = {}): Job => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'work', namespace: 'default', uid: 'job-uid' },
  spec: {
    completions: 1,
    parallelism: 1,
    backoffLimit: 6,
    completionMode: 'NonIndexed',
    selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'job-uid' } },
    template: { metadata: { labels: { 'batch.kubernetes.io/controller-uid': 'job-uid' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } },
    ...spec,
  },
  status,
});

const pod = (name: string, phase: string, extra: { finalizer?: boolean; exitCode?: number; finishedAt?: number } = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'default',
    uid: `uid-${name}`,
    labels: { 'batch.kubernetes.io/controller-uid': 'job-uid' },
    ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'work', uid: 'job-uid', controller: true, blockOwnerDeletion: true }],
    ...(extra.finalizer !== false ? { finalizers: [JOB_TRACKING_FINALIZER] } : {}),
  },
  spec: { containers: [{ name: 'main', image: 'busybox' }] },
  status: {
    phase,
    ...(extra.exitCode !== undefined ? { containerStatuses: [{ name: 'main', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: extra.exitCode, finishedAt: formatTime(extra.finishedAt ?? T0) } } }] } : {}),
  },
});

async function start(api: FakeApi): Promise<{ c: JobController; stop: AbortController }> {
  const { c, stop } = await api.startController((ctx) => new JobController(ctx));
  return { c, stop };
}

const current = (api: FakeApi): Job => api.peek<Job>(jobResource, 'default', 'work')!;
const statusWrites = (api: FakeApi): Job['status'][] => api.writes('jobs').filter((a) => a.verb === 'update-status').map((a) => (a.object as Job).status);

describe('job controller', () => {
  test('creates parallelism pods, each with the tracking finalizer and a controller reference', async () => {
    const api = new FakeApi(new FakeClock(T0));
    api.seed(jobResource, job({ completions: 5, parallelism: 2 }));
    const { c, stop } = await start(api);
    await c.reconcile('default/work');
    await settle();
    const pods = api.all<Pod>(podResource);
    assert.equal(pods.length, 2);
    for (const p of pods) {
      assert.deepEqual(p.metadata?.finalizers, [JOB_TRACKING_FINALIZER]);
      assert.equal(p.metadata?.ownerReferences?.[0]?.uid, 'job-uid');
      assert.match(p.metadata?.name ?? '', /^work-/);
    }
    assert.equal(current(api).status?.active, 2);
    assert.ok(current(api).status?.startTime);
    stop.abort();
  });

  test('a succeeded pod is counted once: uid into uncountedTerminatedPods, finalizer off, then succeeded; a cache behind does not count it again', async () => {
    const api = new FakeApi(new FakeClock(T0));
    api.seed(jobResource, job({ completions: 2, parallelism: 1 }, { startTime: formatTime(T0) }));
    api.seed(podResource, pod('a', 'Succeeded', { exitCode: 0 }));
    const { c, stop } = await start(api);
    api.clearActions();
    api.tracker(podResource).holdEvents();
    await c.reconcile('default/work');
    const writes = statusWrites(api);
    assert.deepEqual(writes[0]?.uncountedTerminatedPods, { succeeded: ['uid-a'], failed: [] }, 'recorded before the finalizer goes');
    assert.equal(writes[0]?.succeeded ?? 0, 0);
    assert.deepEqual(writes.at(-1)?.uncountedTerminatedPods, { succeeded: [], failed: [] });
    assert.equal(writes.at(-1)?.succeeded, 1);
    assert.deepEqual(api.peek<Pod>(podResource, 'default', 'a')?.metadata?.finalizers, []);
    // Before the informer shows the removal, another sync changes nothing.
    const before = api.writes().length;
    await c.reconcile('default/work');
    assert.equal(api.writes().length, before);
    api.tracker(podResource).releaseEvents();
    await settle();
    await c.reconcile('default/work');
    await settle();
    assert.equal(current(api).status?.succeeded, 1, 'still one');
    stop.abort();
  });

  test('after a stop between the steps, an uncounted uid whose pod lost its finalizer is counted, not recorded again', async () => {
    const api = new FakeApi(new FakeClock(T0));
    api.seed(jobResource, job({ completions: 1 }, { startTime: formatTime(T0), failed: 1, uncountedTerminatedPods: { succeeded: ['uid-a'], failed: [] } }));
    api.seed(podResource, pod('a', 'Succeeded', { exitCode: 0, finalizer: false }));
    const { c, stop } = await start(api);
    await c.reconcile('default/work');
    await settle();
    await c.reconcile('default/work');
    const s = current(api).status!;
    assert.equal(s.succeeded, 1);
    assert.equal(s.failed, 1);
    assert.deepEqual(s.uncountedTerminatedPods, { succeeded: [], failed: [] });
    assert.deepEqual(
      s.conditions?.map((x) => [x.type, x.status, x.reason]),
      [
        ['SuccessCriteriaMet', 'True', 'CompletionsReached'],
        ['Complete', 'True', 'CompletionsReached'],
      ],
    );
    stop.abort();
  });

  test('failures past backoffLimit: FailureTarget, the active pod deleted, Failed once nothing is left', async () => {
    const clock = new FakeClock(T0);
    const api = new FakeApi(clock);
    api.seed(jobResource, job({ backoffLimit: 1, completions: 3, parallelism: 2 }, { startTime: formatTime(T0), failed: 1 }));
    api.seed(podResource, pod('b', 'Failed', { exitCode: 1 }), pod('c', 'Running'));
    const { c, stop } = await start(api);
    await c.reconcile('default/work');
    await settle();
    const s = current(api).status!;
    assert.deepEqual(
      s.conditions?.map((x) => [x.type, x.reason, x.message]),
      [['FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit']],
    );
    assert.ok(api.writes('pods').some((a) => a.verb === 'delete' && a.name === 'c'));
    assert.equal(s.terminating, 1);
    stop.abort();
  });

  test('a replacement waits 10 s doubling per failure since the last success, at most 6 min', () => {
    assert.equal(replacementDelay([], undefined, T0), 0);
    assert.equal(replacementDelay([T0], undefined, T0), 10_000);
    assert.equal(replacementDelay([T0 - 5_000], undefined, T0), 5_000);
    assert.equal(replacementDelay([T0 - 1, T0 - 2, T0], undefined, T0), 40_000);
    assert.equal(replacementDelay([T0 - 1, T0 - 2, T0], T0 - 1, T0), 10_000, 'failures before the last success do not count');
    assert.equal(replacementDelay(Array.from({ length: 12 }, () => T0), undefined, T0), MAX_POD_FAILURE_BACKOFF_MS);
  });

  test('pod failure policy rules: first match, In and NotIn, exit code 0 never matches, container names, pod conditions', () => {
    const j = job({
      podFailurePolicy: {
        rules: [
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
          { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
          { action: 'Count', onExitCodes: { operator: 'NotIn', values: [1] } },
        ],
      },
    });
    assert.deepEqual(matchPodFailurePolicy(j, pod('p', 'Failed', { exitCode: 42 })), { action: 'FailJob', message: 'Container main for pod default/p failed with exit code 42 matching FailJob rule at index 1' });
    assert.equal(matchPodFailurePolicy(j, pod('p', 'Failed', { exitCode: 1 })), undefined);
    assert.equal(matchPodFailurePolicy(j, pod('p', 'Failed', { exitCode: 0 })), undefined);
    assert.equal(matchPodFailurePolicy(j, pod('p', 'Failed', { exitCode: 7 }))?.action, 'Count');
    const disrupted = pod('d', 'Failed', { exitCode: 42 });
    disrupted.status!.conditions = [{ type: 'DisruptionTarget', status: 'True' }];
    assert.deepEqual(matchPodFailurePolicy(j, disrupted), { action: 'Ignore', message: 'Pod default/d has condition DisruptionTarget matching Ignore rule at index 0' });
  });

  test('completed indexes as upstream writes and reads them', () => {
    assert.equal(formatIndexes([]), '');
    assert.equal(formatIndexes([0, 1, 2]), '0-2');
    assert.equal(formatIndexes([5, 1, 3, 4, 7, 8]), '1,3-5,7,8');
    assert.deepEqual([...parseIndexes('1,3-5,7', 6)].sort(), [1, 3, 4, 5]);
    assert.deepEqual([...parseIndexes('', 3)], []);
  });

  test('backoffLimitPerIndex: an index retries on its own back-off with its failure count, then fails alone; the Job ends Failed with FailedIndexes', async () => {
    const clock = new FakeClock(T0);
    const api = new FakeApi(clock);
    api.seed(jobResource, job({ completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimitPerIndex: 1, backoffLimit: 2147483647 }));
    const { c, stop } = await start(api);
    const sync = async (): Promise<void> => {
      await c.reconcile('default/work');
      await settle();
    };
    const live = (i: number): Pod => api.all<Pod>(podResource).find((p) => p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'] === String(i) && p.status?.phase !== 'Failed')!;
    const finish = async (i: number, phase: 'Succeeded' | 'Failed'): Promise<void> => {
      const p = live(i);
      await api.updateStatus(podResource, { ...p, status: { phase, containerStatuses: [{ name: 'main', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: phase === 'Failed' ? 1 : 0, finishedAt: formatTime(clock.now()) } } }] } });
      await settle();
    };
    await sync();
    assert.deepEqual(api.all<Pod>(podResource).map((p) => p.metadata?.annotations?.['batch.kubernetes.io/job-index-failure-count']), ['0', '0', '0']);
    await finish(0, 'Succeeded');
    await finish(1, 'Failed');
    await sync();
    await sync();
    assert.equal(current(api).status?.failedIndexes, '', 'one retry left');
    assert.equal(api.all<Pod>(podResource).length, 3, 'index 1 waits out its 10 s back-off');
    clock.advance(10_000);
    await sync();
    assert.equal(live(1).metadata?.annotations?.['batch.kubernetes.io/job-index-failure-count'], '1');
    await finish(1, 'Failed');
    await sync();
    await sync();
    let s = current(api).status!;
    assert.equal(s.failedIndexes, '1');
    clock.advance(60_000);
    await sync();
    assert.equal(api.all<Pod>(podResource).length, 4, 'a failed index gets no more pods');
    await finish(2, 'Succeeded');
    await sync();
    await sync();
    s = current(api).status!;
    assert.deepEqual([s.completedIndexes, s.failedIndexes, s.failed, s.succeeded], ['0,2', '1', 2, 2]);
    assert.deepEqual(
      s.conditions?.filter((x) => x.status === 'True').map((x) => [x.type, x.reason, x.message]),
      [
        ['FailureTarget', 'FailedIndexes', 'Job has failed indexes'],
        ['Failed', 'FailedIndexes', 'Job has failed indexes'],
      ],
    );
    stop.abort();
  });

  test('a FailIndex rule fails the index at once, and more failed indexes than maxFailedIndexes fail the Job', async () => {
    const clock = new FakeClock(T0);
    const api = new FakeApi(clock);
    api.seed(
      jobResource,
      job({ completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimitPerIndex: 5, maxFailedIndexes: 0, backoffLimit: 2147483647, podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [42] } }] } }),
    );
    const { c, stop } = await start(api);
    await c.reconcile('default/work');
    await settle();
    const p = api.all<Pod>(podResource).find((x) => x.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'] === '2')!;
    await api.updateStatus(podResource, { ...p, status: { phase: 'Failed', containerStatuses: [{ name: 'main', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 42, finishedAt: formatTime(T0) } } }] } });
    await settle();
    await c.reconcile('default/work');
    await settle();
    const s = current(api).status!;
    assert.equal(s.failedIndexes, '2');
    assert.deepEqual(s.conditions?.map((x) => [x.type, x.reason, x.message]), [['FailureTarget', 'MaxFailedIndexesExceeded', 'Job has exceeded the specified maximal number of failed indexes']]);
    assert.equal(api.writes('pods').filter((a) => a.verb === 'delete').length, 2, 'the other indexes are stopped');
    stop.abort();
  });
});
