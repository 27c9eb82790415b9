import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentResource, type Deployment } from '../../../../pkg/api/apps/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { applyDefaults, validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const def = deploymentResource;
const schema = asNode(def.schema);
const now = new Date('2024-05-01T12:00:00Z');

type Spec = NonNullable<Deployment['spec']>;

function deployment(spec: Partial<Spec> = {}, extra: Partial<Deployment> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-05-01T11:00:00Z' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } },
      ...spec,
    } as Spec,
    ...extra,
  };
}

/** What the apiserver does before validating: schema defaults, then the kind's defaults. */
function defaulted(obj: Deployment): Deployment {
  applyDefaults(obj, schema);
  def.defaults!(obj);
  return obj;
}

function errors(obj: Deployment, old?: Deployment): string[] {
  defaulted(obj);
  const kind = old ? def.validateUpdate!(obj, defaulted(old)) : def.validate!(obj);
  return [...validateSchema(obj, schema), ...kind].map(errorString);
}

test('a deployment without replicas, strategy or limits gets the upstream defaults', () => {
  const d = defaulted(deployment());
  assert.equal(d.spec!.replicas, 1);
  assert.deepEqual(d.spec!.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec!.revisionHistoryLimit, 10);
  assert.equal(d.spec!.progressDeadlineSeconds, 600);
  assert.equal(d.spec!.template!.spec!.restartPolicy, 'Always');
});

test('a Recreate deployment gets no rolling update parameters', () => {
  const d = defaulted(deployment({ strategy: { type: 'Recreate' } }));
  assert.deepEqual(d.spec!.strategy, { type: 'Recreate' });
});

test('a partly given rolling update keeps its values and gets the missing ones', () => {
  const d = defaulted(deployment({ strategy: { rollingUpdate: { maxSurge: 2 } } }));
  assert.deepEqual(d.spec!.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 2 } });
});

const percentMsg =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

const cases: { name: string; obj: () => Deployment; want: string[] }[] = [
  { name: 'a plain deployment is valid', obj: () => deployment(), want: [] },
  {
    name: 'a deployment without selector is rejected and its template cannot match',
    obj: () => deployment({ selector: undefined }),
    want: ['spec.selector: Required value', 'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`'],
  },
  {
    name: 'template labels that do not match the selector are rejected',
    obj: () => deployment({ selector: { matchLabels: { app: 'api' } } }),
    want: ['spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`'],
  },
  {
    name: 'an empty selector is rejected',
    obj: () => deployment({ selector: {} }),
    want: ['spec.selector: Invalid value: {}: empty selector is invalid for deployment'],
  },
  {
    name: 'a template that does not restart always is not supported',
    obj: () => {
      const d = deployment();
      d.spec!.template!.spec!.restartPolicy = 'OnFailure';
      return d;
    },
    want: ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'],
  },
  {
    name: 'an active deadline on the template is forbidden',
    obj: () => {
      const d = deployment();
      d.spec!.template!.spec!.activeDeadlineSeconds = 30;
      return d;
    },
    want: ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported'],
  },
  {
    name: 'negative replicas are rejected',
    obj: () => deployment({ replicas: -1 }),
    want: ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
  },
  {
    name: 'maxUnavailable and maxSurge may not both be zero',
    obj: () => deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } } }),
    want: ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0'],
  },
  {
    name: 'a maxSurge that is neither a number nor a percentage is rejected',
    obj: () => deployment({ strategy: { rollingUpdate: { maxSurge: 'lots' } } }),
    want: [`spec.strategy.rollingUpdate.maxSurge: Invalid value: "lots": ${percentMsg}`],
  },
  {
    name: 'maxUnavailable above 100% is rejected',
    obj: () => deployment({ strategy: { rollingUpdate: { maxUnavailable: '150%' } } }),
    want: ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%'],
  },
  {
    name: 'rolling update parameters are forbidden with the Recreate strategy',
    obj: () => deployment({ strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }),
    want: ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
  },
  {
    name: 'an unknown strategy type is not supported',
    obj: () => deployment({ strategy: { type: 'BlueGreen' } }),
    want: ['spec.strategy: Unsupported value: {"type":"BlueGreen"}: supported values: "Recreate", "RollingUpdate"'],
  },
  {
    name: 'a progress deadline not above minReadySeconds is rejected',
    obj: () => deployment({ minReadySeconds: 30, progressDeadlineSeconds: 30 }),
    want: ['spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds'],
  },
  {
    name: 'a negative revision history limit is rejected',
    obj: () => deployment({ revisionHistoryLimit: -2 }),
    want: ['spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0'],
  },
  {
    name: 'a selector with an unknown operator is reported twice, as upstream does',
    obj: () => deployment({ selector: { matchExpressions: [{ key: 'app', operator: 'Has', values: ['web'] }] } }),
    want: [
      'spec.selector.matchExpressions[0].operator: Invalid value: "Has": not a valid selector operator',
      'spec.selector: Invalid value: {"matchExpressions":[{"key":"app","operator":"Has","values":["web"]}]}: invalid label selector',
    ],
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(errors(c.obj()), c.want);
  });
}

test('changing the selector of a deployment is rejected as immutable', () => {
  const old = deployment();
  const next = deployment({
    selector: { matchLabels: { app: 'web', tier: 'front' } },
    template: { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } },
  });
  assert.deepEqual(errors(next, old), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"front"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  ]);
});

test('scaling and changing the image of a deployment are valid updates', () => {
  const next = deployment({ replicas: 5 });
  next.spec!.template!.spec!.containers![0]!.image = 'nginx:1.26';
  assert.deepEqual(errors(next, deployment()), []);
});

test('creating a deployment clears its status and starts at generation 1', () => {
  const d = deployment({}, { status: { replicas: 9, readyReplicas: 9 } });
  def.prepareForCreate!(d);
  assert.deepEqual(d.status, {});
  assert.equal(d.metadata!.generation, 1);
});

test('a new annotation makes a new generation, a new label does not', () => {
  const old = defaulted(deployment());
  const annotated = defaulted(deployment());
  annotated.metadata!.annotations = { note: 'x' };
  const labelled = defaulted(deployment());
  labelled.metadata!.labels = { team: 'a' };
  assert.equal(def.generationChanged!(annotated, old), true);
  assert.equal(def.generationChanged!(labelled, old), false);
});

test('the table shows ready/desired, up-to-date and available pods, and containers with -o wide', () => {
  const d = defaulted(deployment({ replicas: 3 }, { status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } }));
  d.spec!.template!.spec!.containers!.push({ name: 'sidecar', image: 'busybox' });
  assert.deepEqual(
    def.table!.columns.map((c) => [c.name, c.priority]),
    [
      ['Name', 0],
      ['Ready', 0],
      ['Up-to-date', 0],
      ['Available', 0],
      ['Age', 0],
      ['Containers', 1],
      ['Images', 1],
      ['Selector', 1],
    ],
  );
  assert.deepEqual(def.table!.cells(d, now), ['web', '2/3', 3, 2, '60m', 'web,sidecar', 'nginx:1.25,busybox', 'app=web']);
});

test('a deployment is scaled through spec.replicas and selects pods by spec.selector', () => {
  assert.deepEqual(def.subresources?.scale, { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'spec.selector' });
  assert.deepEqual(def.shortNames, ['deploy']);
  assert.deepEqual(def.categories, ['all']);
});
