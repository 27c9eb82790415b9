// Jobs as a kubectl user runs them on `npm start`: run to completion, in parallel, indexed, retried
// with back-off until the backoff limit (per index too), failed by a pod failure policy or a deadline, suspended
// and resumed, deleted after ttlSecondsAfterFinished, and started by a CronJob every minute.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { pollUntil } from '../helpers/local-leaders.js';

function jobYaml(name: string, spec: string, podSpec: string): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
${spec}
  template:
    spec:
      restartPolicy: Never
${podSpec}
`;
}

describe('jobs', () => {
  let c: LocalCluster;
  before(async () => {
    c = await startLocalCluster();
    // Made first: its first run comes at the next minute, while the other tests run.
    c.kubectlOk(['create', 'cronjob', 'tick', '--image=busybox:1.36', '--schedule=* * * * *', '--', 'sh', '-c', 'echo tick']);
  });
  after(async () => {
    await c.stop();
  });

  const jsonpath = (what: string, path: string): string => c.kubectlOk(['get', what, '-o', `jsonpath=${path}`]);
  const conditions = (job: string): string => jsonpath(`job/${job}`, '{range .status.conditions[*]}{.type}={.status}/{.reason}: {.message}{"\\n"}{end}');

  test('kubectl create job runs its pod to completion: Complete 1/1, the pod Completed without the tracking finalizer, kubectl logs job/', () => {
    c.kubectlOk(['create', 'job', 'hello', '--image=busybox:1.36', '--', 'sh', '-c', 'echo hello from the job']);
    c.kubectlOk(['wait', '--for=condition=complete', 'job/hello', '--timeout=60s']);
    assert.match(c.kubectlOk(['get', 'job', 'hello']), /hello\s+Complete\s+1\/1\s/);
    assert.match(conditions('hello'), /^SuccessCriteriaMet=True\/CompletionsReached: Reached expected number of succeeded pods$/m);
    assert.match(conditions('hello'), /^Complete=True\/CompletionsReached: Reached expected number of succeeded pods$/m);
    assert.equal(jsonpath('pods', '{range .items[?(@.metadata.labels.job-name=="hello")]}{.status.phase} [{.metadata.finalizers}]{end}'), 'Succeeded []');
    assert.equal(c.kubectlOk(['logs', 'job/hello']).trim(), 'hello from the job');
    assert.match(c.kubectlOk(['describe', 'job', 'hello']), /Pods Statuses:\s+0 Active \(0 Ready\) \/ 1 Succeeded \/ 0 Failed[\s\S]*Normal\s+Completed\s+\S+\s+job-controller\s+Job completed\n/);
    assert.notEqual(jsonpath('job/hello', '{.status.completionTime}'), '');
  });

  test('completions 4 with parallelism 2: four pods succeed, never more than two at once', async () => {
    c.kubectlOk(['apply', '-f', '-'], { input: jobYaml('batch', '  completions: 4\n  parallelism: 2', '      containers:\n      - { name: work, image: busybox:1.36, command: [sleep, "1"] }') });
    let most = 0;
    await pollUntil(
      'batch Complete',
      () => {
        most = Math.max(most, Number(jsonpath('job/batch', '{.status.active}') || '0'));
        return /Complete=True/.test(conditions('batch')) ? true : undefined;
      },
      90_000,
      300,
    );
    assert.ok(most <= 2, `at most 2 active, saw ${most}`);
    assert.equal(jsonpath('job/batch', '{.status.succeeded}/{.status.failed}'), '4/');
    assert.equal(jsonpath('pods', '{range .items[?(@.metadata.labels.job-name=="batch")]}{.status.phase} {end}').trim(), 'Succeeded Succeeded Succeeded Succeeded');
  });

  test('an Indexed job gives each pod its JOB_COMPLETION_INDEX and hostname, and records completedIndexes', () => {
    c.kubectlOk(['apply', '-f', '-'], {
      input: jobYaml('indexed', '  completions: 3\n  parallelism: 3\n  completionMode: Indexed', '      containers:\n      - { name: work, image: busybox:1.36, command: [echo, "index $(JOB_COMPLETION_INDEX)"] }'),
    });
    c.kubectlOk(['wait', '--for=condition=complete', 'job/indexed', '--timeout=60s']);
    assert.equal(jsonpath('job/indexed', '{.status.completedIndexes}'), '0-2');
    const pods = jsonpath('pods', '{range .items[?(@.metadata.labels.job-name=="indexed")]}{.metadata.name} {.spec.hostname} {.metadata.annotations.batch\\.kubernetes\\.io/job-completion-index}{"\\n"}{end}')
      .trim()
      .split('\n')
      .sort();
    assert.equal(pods.length, 3);
    for (const [i, line] of pods.entries()) {
      const [name, hostname, index] = line.split(' ');
      assert.match(name!, new RegExp(`^indexed-${i}-`));
      assert.equal(hostname, `indexed-${i}`);
      assert.equal(index, String(i));
      assert.equal(c.kubectlOk(['logs', name!]).trim(), `index ${i}`);
    }
  });

  test('backoffLimitPerIndex: each failing index is retried once after its own back-off, then failed; the Job ends Failed with FailedIndexes', () => {
    // Index 0 exits 0; indexes 1 and 2 exit with their index.
    c.kubectlOk(['apply', '-f', '-'], {
      input: jobYaml('per-index', '  completions: 3\n  parallelism: 3\n  completionMode: Indexed\n  backoffLimitPerIndex: 1', '      containers:\n      - { name: work, image: busybox:1.36, command: [sh, -c, "exit $(JOB_COMPLETION_INDEX)"] }'),
    });
    c.kubectlOk(['wait', '--for=condition=failed', 'job/per-index', '--timeout=120s']);
    assert.match(conditions('per-index'), /^FailureTarget=True\/FailedIndexes: Job has failed indexes$/m);
    assert.match(conditions('per-index'), /^Failed=True\/FailedIndexes: Job has failed indexes$/m);
    assert.equal(jsonpath('job/per-index', '{.status.completedIndexes} {.status.failedIndexes} {.status.succeeded} {.status.failed}'), '0 1,2 1 4');
    assert.match(c.kubectlOk(['get', 'job', 'per-index']), /per-index\s+Failed\s+1\/3\s/);
    const pods = jsonpath('pods', '{range .items[?(@.metadata.labels.job-name=="per-index")]}{.metadata.annotations.batch\\.kubernetes\\.io/job-completion-index} {.metadata.annotations.batch\\.kubernetes\\.io/job-index-failure-count} {.metadata.creationTimestamp} {.status.containerStatuses[0].state.terminated.exitCode} {.status.containerStatuses[0].state.terminated.finishedAt}{"\\n"}{end}')
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`));
    assert.deepEqual(pods.map(([index, failures, , code]) => `${index}:${failures}:${code}`), ['0:0:0', '1:0:1', '1:1:1', '2:0:2', '2:1:2']);
    // Each retry waited out its index's own back-off (10 s) from the failed pod's end.
    for (const index of ['1', '2']) {
      const [first, retry] = pods.filter((p) => p[0] === index);
      assert.ok(Date.parse(retry![2]!) - Date.parse(first![4]!) >= 9_000, `index ${index}: retry made at ${retry![2]}, the first pod ended at ${first![4]}`);
    }
  });

  test('a failing pod is retried after a back-off until backoffLimit, then FailureTarget and Failed (BackoffLimitExceeded)', () => {
    c.kubectlOk(['apply', '-f', '-'], { input: jobYaml('flaky', '  backoffLimit: 1', '      containers:\n      - { name: work, image: busybox:1.36, command: [sh, -c, "exit 3"] }') });
    c.kubectlOk(['wait', '--for=condition=failed', 'job/flaky', '--timeout=90s']);
    assert.match(conditions('flaky'), /^FailureTarget=True\/BackoffLimitExceeded: Job has reached the specified backoff limit$/m);
    assert.match(conditions('flaky'), /^Failed=True\/BackoffLimitExceeded: Job has reached the specified backoff limit$/m);
    assert.equal(jsonpath('job/flaky', '{.status.failed}'), '2');
    const finished = jsonpath('pods', '{range .items[?(@.metadata.labels.job-name=="flaky")]}{.status.containerStatuses[0].state.terminated.finishedAt} {.metadata.creationTimestamp}{"\\n"}{end}')
      .trim()
      .split('\n')
      .map((l) => l.split(' ').map((t) => Date.parse(t)))
      .sort((a, b) => a[1]! - b[1]!);
    assert.equal(finished.length, 2);
    // The replacement waited out the 10 s back-off after the first failure (creation times have 1 s resolution).
    assert.ok(finished[1]![1]! - finished[0]![0]! >= 9_000, `second pod created ${finished[1]![1]! - finished[0]![0]!} ms after the first failed`);
    assert.match(c.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=flaky']), /BackoffLimitExceeded\s+job\/flaky\s+Job has reached the specified backoff limit/);
  });

  test('a pod failure policy FailJob rule fails the job at the first matching exit code', () => {
    c.kubectlOk(['apply', '-f', '-'], {
      input: jobYaml(
        'policy',
        '  backoffLimit: 6\n  podFailurePolicy:\n    rules:\n    - action: FailJob\n      onExitCodes: { containerName: main, operator: In, values: [42] }',
        '      containers:\n      - { name: main, image: busybox:1.36, command: [sh, -c, "exit 42"] }',
      ),
    });
    c.kubectlOk(['wait', '--for=condition=failed', 'job/policy', '--timeout=60s']);
    const pod = jsonpath('pods', '{.items[?(@.metadata.labels.job-name=="policy")].metadata.name}');
    assert.match(conditions('policy'), new RegExp(`^Failed=True/PodFailurePolicy: Container main for pod default/${pod} failed with exit code 42 matching FailJob rule at index 0$`, 'm'));
    assert.equal(jsonpath('job/policy', '{.status.failed}'), '1');
  });

  test('activeDeadlineSeconds: the running pod is deleted and the job fails with DeadlineExceeded', () => {
    c.kubectlOk(['apply', '-f', '-'], { input: jobYaml('slow', '  activeDeadlineSeconds: 3', '      terminationGracePeriodSeconds: 1\n      containers:\n      - { name: work, image: busybox:1.36, command: [sleep, "3600"] }') });
    c.kubectlOk(['wait', '--for=condition=failed', 'job/slow', '--timeout=60s']);
    assert.match(conditions('slow'), /^Failed=True\/DeadlineExceeded: Job was active longer than specified deadline$/m);
    assert.match(c.kubectlOk(['get', 'job', 'slow']), /slow\s+Failed\s+0\/1\s/);
  });

  test('a suspended job runs nothing until resumed; ttlSecondsAfterFinished deletes it and its pods after it completes', async () => {
    c.kubectlOk(['apply', '-f', '-'], { input: jobYaml('later', '  suspend: true\n  ttlSecondsAfterFinished: 2', '      containers:\n      - { name: work, image: busybox:1.36, command: ["true"] }') });
    await pollUntil('Suspended', () => (/^Suspended=True\/JobSuspended: Job suspended$/m.test(conditions('later')) ? true : undefined), 30_000, 500);
    assert.match(c.kubectlOk(['get', 'job', 'later']), /later\s+Suspended\s+0\/1\s/);
    assert.equal(jsonpath('pods', '{.items[?(@.metadata.labels.job-name=="later")].metadata.name}'), '');
    c.kubectlOk(['patch', 'job', 'later', '--type=merge', '-p', '{"spec":{"suspend":false}}']);
    await pollUntil('later Complete', () => (/Complete=True/.test(conditions('later')) ? true : undefined), 60_000, 300);
    assert.match(conditions('later'), /^Suspended=False\/JobResumed: Job resumed$/m);
    await pollUntil('the job deleted after its TTL', () => (c.kubectl(['get', 'job', 'later']).code !== 0 ? true : undefined), 60_000, 500);
    await pollUntil('its pod deleted', () => (jsonpath('pods', '{.items[?(@.metadata.labels.job-name=="later")].metadata.name}') === '' ? true : undefined), 30_000, 500);
  });

  test('a CronJob starts a Job at each minute: named by the minute, completed, recorded in lastScheduleTime and lastSuccessfulTime', async () => {
    const done = await pollUntil(
      'a Job of the CronJob Complete',
      () => {
        const jobs = jsonpath('jobs', '{range .items[?(@.metadata.ownerReferences[0].name=="tick")]}{.metadata.name}={.status.succeeded} {end}').trim();
        return jobs.split(' ').find((j) => /^tick-\d+=1$/.test(j));
      },
      120_000,
      1000,
    );
    const name = done.split('=')[0]!;
    const minute = Number(name.slice('tick-'.length));
    assert.equal(jsonpath(`job/${name}`, '{.metadata.annotations.batch\\.kubernetes\\.io/cronjob-scheduled-timestamp}'), new Date(minute * 60_000).toISOString().replace('.000Z', 'Z'));
    assert.equal(c.kubectlOk(['logs', `job/${name}`]).trim(), 'tick');
    await pollUntil('lastSuccessfulTime', () => (jsonpath('cronjob/tick', '{.status.lastSuccessfulTime}') !== '' ? true : undefined), 30_000, 500);
    assert.match(c.kubectlOk(['get', 'cronjob', 'tick']), /tick\s+\* \* \* \* \*\s+<none>\s+False\s+\d+\s+\d+s\s/);
    assert.match(c.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=tick']), new RegExp(`SuccessfulCreate\\s+cronjob/tick\\s+Created job ${name}`));
    // kubectl's own --from=cronjob makes a Job from the template, run as any other.
    c.kubectlOk(['create', 'job', 'manual', '--from=cronjob/tick']);
    c.kubectlOk(['wait', '--for=condition=complete', 'job/manual', '--timeout=60s']);
  });
});
