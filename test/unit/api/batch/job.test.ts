import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobResource, type Job } from '../../../../pkg/api/batch/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { applyDefaults, validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const def = jobResource;
const schema = asNode(def.schema);
const now = new Date('2024-05-01T12:00:00Z');
const uid = '0d9f3c2e-1111-4222-8333-944455556666';

type Spec = NonNullable<Job['spec']>;

function job(spec: Partial<Spec> = {}): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default' },
    spec: {
      template: { spec: { containers: [{ name: 'pi', image: 'perl:5.34' }], restartPolicy: 'Never' } },
      ...spec,
    } as Spec,
  };
}

/** Decoding defaults, then what the apiserver does on create once uid and timestamp are set. */
function created(obj: Job): Job {
  applyDefaults(obj, schema);
  def.defaults!(obj);
  obj.metadata = { ...obj.metadata, uid, creationTimestamp: '2024-05-01T11:59:00Z' };
  def.prepareForCreate!(obj);
  return obj;
}

function createErrors(obj: Job): string[] {
  created(obj);
  return [...validateSchema(obj, schema), ...def.validate!(obj)].map(errorString);
}

function updateErrors(obj: Job, old: Job): string[] {
  applyDefaults(obj, schema);
  def.defaults!(obj);
  return [...validateSchema(obj, schema), ...def.validateUpdate!(obj, old)].map(errorString);
}

test('a job without completions or parallelism runs one pod once, with 6 retries', () => {
  const s = created(job()).spec!;
  assert.equal(s.completions, 1);
  assert.equal(s.parallelism, 1);
  assert.equal(s.backoffLimit, 6);
  assert.equal(s.completionMode, 'NonIndexed');
  assert.equal(s.suspend, false);
  assert.equal(s.podReplacementPolicy, 'TerminatingOrFailed');
  assert.equal(s.manualSelector, undefined);
});

test('a job with only parallelism keeps completions unset', () => {
  const s = created(job({ parallelism: 3 })).spec!;
  assert.equal(s.completions, undefined);
  assert.equal(s.parallelism, 3);
});

test('a per-index backoff limit makes the global one unlimited', () => {
  const s = created(job({ completionMode: 'Indexed', completions: 3, backoffLimitPerIndex: 1 })).spec!;
  assert.equal(s.backoffLimit, 2147483647);
});

test('a pod failure policy defaults condition statuses to True and replacement to Failed', () => {
  const s = created(job({ podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] } })).spec!;
  assert.equal(s.podFailurePolicy!.rules![0]!.onPodConditions![0]!.status, 'True');
  assert.equal(s.podReplacementPolicy, 'Failed');
});

test('creating a job generates its selector and pod labels from its uid and name', () => {
  const j = created(job());
  assert.deepEqual(j.spec!.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
  assert.deepEqual(j.spec!.template!.metadata!.labels, {
    'job-name': 'pi',
    'batch.kubernetes.io/job-name': 'pi',
    'controller-uid': uid,
    'batch.kubernetes.io/controller-uid': uid,
  });
  // A job without labels of its own shows its pods' labels.
  assert.deepEqual(j.metadata!.labels, j.spec!.template!.metadata!.labels);
  assert.deepEqual(j.status, {});
  assert.equal(j.metadata!.generation, 1);
});

test('a job with its own labels keeps them when the selector is generated', () => {
  const j = job();
  j.metadata!.labels = { team: 'data' };
  assert.deepEqual(created(j).metadata!.labels, { team: 'data' });
});

test('a manual selector is kept as given', () => {
  const j = created(
    job({
      manualSelector: true,
      selector: { matchLabels: { app: 'pi' } },
      template: { metadata: { labels: { app: 'pi' } }, spec: { containers: [{ name: 'pi', image: 'perl' }], restartPolicy: 'OnFailure' } },
    }),
  );
  assert.deepEqual(j.spec!.selector, { matchLabels: { app: 'pi' } });
  assert.deepEqual(j.spec!.template!.metadata!.labels, { app: 'pi' });
});

const cases: { name: string; obj: () => Job; want: string[] }[] = [
  { name: 'a simple job is valid', obj: () => job(), want: [] },
  {
    name: 'a job whose pods restart always is rejected',
    obj: () => job({ template: { spec: { containers: [{ name: 'pi', image: 'perl' }], restartPolicy: 'Always' } } }),
    want: ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
  },
  {
    name: 'a job without a restart policy is rejected the same way',
    obj: () => job({ template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } }),
    want: ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
  },
  {
    name: 'negative counts are rejected',
    obj: () => job({ parallelism: -1, backoffLimit: -1, activeDeadlineSeconds: -5 }),
    want: [
      'spec.parallelism: Invalid value: -1: must be greater than or equal to 0',
      'spec.activeDeadlineSeconds: Invalid value: -5: must be greater than or equal to 0',
      'spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0',
    ],
  },
  {
    name: 'an unknown completion mode is not supported',
    obj: () => job({ completionMode: 'Sometimes' }),
    want: ['spec.completionMode: Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"'],
  },
  {
    name: 'an indexed job needs completions',
    obj: () => job({ completionMode: 'Indexed', parallelism: 2 }),
    want: ['spec.completions: Required value: when completion mode is Indexed'],
  },
  {
    name: 'a per-index backoff limit needs indexed completion',
    obj: () => job({ backoffLimitPerIndex: 1 }),
    want: ['spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode'],
  },
  {
    name: 'a user selector without manualSelector is not the generated one',
    obj: () => job({ selector: { matchLabels: { app: 'pi' } }, template: { metadata: { labels: { app: 'pi' } }, spec: { containers: [{ name: 'pi', image: 'perl' }], restartPolicy: 'Never' } } }),
    want: ['spec.selector: Invalid value: {"matchLabels":{"app":"pi","batch.kubernetes.io/controller-uid":"' + uid + '"}}: `selector` not auto-generated'],
  },
  {
    name: 'a pod label that contradicts the generated job-name label is rejected',
    obj: () => job({ template: { metadata: { labels: { 'job-name': 'other' } }, spec: { containers: [{ name: 'pi', image: 'perl' }], restartPolicy: 'Never' } } }),
    want: [
      `spec.template.metadata.labels[job-name]: Invalid value: {"job-name":"other","batch.kubernetes.io/job-name":"pi","controller-uid":"${uid}","batch.kubernetes.io/controller-uid":"${uid}"}: must be 'pi'`,
    ],
  },
  {
    name: 'a pod failure policy needs restartPolicy Never',
    obj: () =>
      job({
        podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] },
        template: { spec: { containers: [{ name: 'pi', image: 'perl' }], restartPolicy: 'OnFailure' } },
      }),
    want: ['spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified'],
  },
  {
    name: 'pod failure policy rules are checked one by one',
    obj: () =>
      job({
        podFailurePolicy: {
          rules: [
            { action: '', onExitCodes: { operator: 'In', containerName: 'nope', values: [3, 0, 3] } },
            { action: 'Retry', onPodConditions: [{ type: 'DisruptionTarget', status: 'Maybe' }] },
          ],
        },
      }),
    want: [
      'spec.podFailurePolicy.rules[0].action: Required value: valid values: ["Count" "FailIndex" "FailJob" "Ignore"]',
      'spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: "nope": must be one of the container or initContainer names in the pod template',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[1]: Invalid value: 0: must not be 0 for the In operator',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[2]: Duplicate value: 3',
      'spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []interface {}{3, 0, 3}: must be ordered',
      'spec.podFailurePolicy.rules[1].action: Unsupported value: "Retry": supported values: "Count", "FailIndex", "FailJob", "Ignore"',
      'spec.podFailurePolicy.rules[1].onPodConditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"',
    ],
  },
  {
    name: 'a success policy needs indexed completion',
    obj: () => job({ successPolicy: { rules: [{ succeededCount: 1 }] } }),
    want: ['spec.successPolicy: Invalid value: {"rules":[{"succeededCount":1}]}: requires indexed completion mode'],
  },
  {
    name: 'success policy indexes must parse and counts must fit the completions',
    obj: () => job({ completionMode: 'Indexed', completions: 5, successPolicy: { rules: [{ succeededIndexes: '1,3-7' }, { succeededIndexes: '0-2', succeededCount: 4 }] } }),
    want: [
      'spec.successPolicy.rules[0].succeededIndexes: Invalid value: "1,3-7": error parsing succeededIndexes: too large index: "7"',
      'spec.successPolicy.rules[1].succeededCount: Invalid value: 4: must be less than or equal to 3 (the number of indexes in the specified succeededIndexes field)',
    ],
  },
  {
    name: 'only Failed replacement is allowed with a pod failure policy',
    obj: () =>
      job({
        podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] },
        podReplacementPolicy: 'TerminatingOrFailed',
      }),
    want: ['spec.podReplacementPolicy: Unsupported value: "TerminatingOrFailed": supported values: "Failed"'],
  },
  {
    name: 'managedBy must be a domain-prefixed path',
    obj: () => job({ managedBy: 'kueue' }),
    want: ['spec.managedBy: Invalid value: "kueue": must be a domain-prefixed path (such as "acme.io/foo")'],
  },
  {
    name: 'an indexed job whose last pod hostname is no DNS label is rejected',
    obj: () => {
      const j = job({ completionMode: 'Indexed', completions: 10 });
      j.metadata!.name = 'a'.repeat(62);
      return j;
    },
    want: [`metadata.name: Invalid value: "${'a'.repeat(62)}": will not able to create pod with invalid DNS label: ${'a'.repeat(62)}-9`],
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(createErrors(c.obj()), c.want);
  });
}

test('the selector, template and completions of a job cannot change', () => {
  const old = created(job());
  const next = structuredClone(old);
  next.spec!.completions = 2;
  next.spec!.template!.spec!.containers![0]!.image = 'perl:5.40';
  next.spec!.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid, extra: 'x' } };
  const errs = updateErrors(next, old);
  assert.ok(errs.includes('spec.completions: Invalid value: 2: field is immutable'), errs.join('\n'));
  assert.ok(errs.some((e) => e.startsWith('spec.selector: Invalid value: ') && e.endsWith(': field is immutable')));
  assert.ok(errs.some((e) => e.startsWith('spec.template: Invalid value: ') && e.endsWith(': field is immutable')));
});

test('suspending and resuming a job and changing its parallelism are valid updates', () => {
  const old = created(job());
  const next = structuredClone(old);
  next.spec!.suspend = true;
  next.spec!.parallelism = 4;
  assert.deepEqual(updateErrors(next, old), []);
});

test('a suspended job that never started may change where its pods are scheduled', () => {
  const old = created(job({ suspend: true }));
  const next = structuredClone(old);
  next.spec!.template!.spec!.nodeSelector = { zone: 'b' };
  next.spec!.template!.metadata!.annotations = { queue: 'fast' };
  assert.deepEqual(updateErrors(next, old), []);
  const started = structuredClone(old);
  started.status = { startTime: '2024-05-01T11:59:30Z' };
  const errs = updateErrors(structuredClone(next), started);
  assert.ok(errs.some((e) => e.startsWith('spec.template: Invalid value: ')));
});

test('an indexed job may change completions together with parallelism', () => {
  const old = created(job({ completionMode: 'Indexed', completions: 3, parallelism: 3 }));
  const both = structuredClone(old);
  both.spec!.completions = 5;
  both.spec!.parallelism = 5;
  assert.deepEqual(updateErrors(both, old), []);
  const alone = structuredClone(old);
  alone.spec!.completions = 5;
  assert.deepEqual(updateErrors(alone, old), ['spec.completions: Invalid value: 5: can only be modified in tandem with spec.parallelism']);
});

test('the table shows status, completions and duration', () => {
  const running = created(job({ completions: 3 }));
  running.status = { succeeded: 1, startTime: '2024-05-01T11:59:20Z' };
  assert.deepEqual(def.table!.cells(running, now), ['pi', 'Running', '1/3', '40s', '60s', 'pi', 'perl:5.34', `batch.kubernetes.io/controller-uid=${uid}`]);

  const done = created(job());
  done.status = {
    succeeded: 1,
    startTime: '2024-05-01T11:59:00Z',
    completionTime: '2024-05-01T11:59:12Z',
    conditions: [
      { type: 'SuccessCriteriaMet', status: 'True' },
      { type: 'Complete', status: 'True' },
    ],
  };
  assert.deepEqual(def.table!.cells(done, now).slice(1, 4), ['Complete', '1/1', '12s']);

  const workQueue = created(job({ parallelism: 4 }));
  assert.deepEqual(def.table!.cells(workQueue, now).slice(1, 4), ['Running', '0/1 of 4', '']);

  const suspended = created(job({ suspend: true }));
  suspended.status = { conditions: [{ type: 'Suspended', status: 'True' }] };
  assert.equal(def.table!.cells(suspended, now)[1], 'Suspended');
});

test('jobs can be selected by status.successful', () => {
  const j = created(job());
  j.status = { succeeded: 3 };
  assert.equal(def.fieldSelectors!['status.successful']!(j), '3');
});
