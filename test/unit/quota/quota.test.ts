// What quotas and LimitRanges compute, apart from any server: a pod's charge (init containers,
// sidecars, overhead; nothing once finished), quota scopes, the "must specify" constraint, and
// LimitRanger's defaults and bound messages as upstream words them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LimitRange } from '../../../pkg/api/core/v1/limitrange.js';
import type { Pod } from '../../../pkg/api/core/v1/pod-types.js';
import type { ResourceQuota } from '../../../pkg/api/core/v1/resourcequota.js';
import { defaultPodResources, limitViolations, LIMIT_RANGER_ANNOTATION } from '../../../pkg/apiserver/admission/limitranger.js';
import { claimEvaluator, kindOfCountName, objectCountEvaluator, podEvaluator, prettyPrint, quotaMatches, serviceEvaluator } from '../../../pkg/quota/evaluators.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const usage = (m: ReadonlyMap<string, { toString(): string }>): Record<string, string> => Object.fromEntries([...m].map(([k, v]) => [k, v.toString()]));

const pod = (spec: Pod['spec'], extra: Partial<Pod> = {}): Pod => ({ metadata: { name: 'p', namespace: 'q' }, spec, status: { phase: 'Running' }, ...extra });

describe('quota evaluators', () => {
  test("a pod is charged its requests and limits: containers and sidecars summed, a plain init container's peak when larger, overhead added", () => {
    const p = pod({
      initContainers: [
        { name: 'sidecar', image: 'x', restartPolicy: 'Always', resources: { requests: { cpu: '100m' } } },
        { name: 'migrate', image: 'x', resources: { requests: { cpu: '2', memory: '1Gi' }, limits: { memory: '1Gi' } } },
      ],
      containers: [
        { name: 'a', image: 'x', resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } } },
        { name: 'b', image: 'x', resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } } },
      ],
      overhead: { cpu: '10m' },
    });
    assert.deepEqual(usage(podEvaluator.usage(p, NOW)), {
      pods: '1',
      'count/pods': '1',
      // max(0.1 + 0.25 + 0.25, 2 + 0.1) + 0.01
      'requests.cpu': '2110m',
      cpu: '2110m',
      'requests.memory': '1Gi',
      memory: '1Gi',
      // overhead goes on a limit that is set
      'limits.cpu': '1010m',
      'limits.memory': '1Gi',
    });
    assert.deepEqual(usage(podEvaluator.usage({ ...p, status: { phase: 'Succeeded' } }, NOW)), {}, 'a finished pod is charged nothing');
    const deleting = { ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 } };
    assert.equal(podEvaluator.usage(deleting, NOW + 10_000).size > 0, true, 'within its grace period it still counts');
    assert.deepEqual(usage(podEvaluator.usage(deleting, NOW + 31_000)), {}, 'past it, no longer');
  });

  test('services, claims and other kinds', () => {
    assert.deepEqual(usage(serviceEvaluator.usage({ spec: { type: 'NodePort', ports: [{ port: 80 }, { port: 443 }] } }, NOW)), { services: '1', 'count/services': '1', 'services.loadbalancers': '0', 'services.nodeports': '2' });
    assert.deepEqual(usage(claimEvaluator.usage({ spec: { storageClassName: 'fast', resources: { requests: { storage: '5Gi' } } } }, NOW)), {
      persistentvolumeclaims: '1',
      'count/persistentvolumeclaims': '1',
      'requests.storage': '5Gi',
      'fast.storageclass.storage.k8s.io/persistentvolumeclaims': '1',
      'fast.storageclass.storage.k8s.io/requests.storage': '5Gi',
    });
    assert.deepEqual(usage(objectCountEvaluator('', 'configmaps').usage({}, NOW)), { 'count/configmaps': '1', configmaps: '1' });
    assert.deepEqual(objectCountEvaluator('apps', 'deployments').matchingResources(['count/deployments.apps', 'pods']), ['count/deployments.apps']);
    assert.deepEqual(kindOfCountName('count/deployments.apps'), { group: 'apps', resource: 'deployments' });
    assert.deepEqual(kindOfCountName('secrets'), { group: '', resource: 'secrets' });
    assert.equal(kindOfCountName('requests.cpu'), undefined);
  });

  test('scopes select pods only: BestEffort, Terminating, PriorityClass In', () => {
    const quota = (spec: ResourceQuota['spec']): ResourceQuota => ({ metadata: { name: 'q' }, spec });
    const bestEffort = pod({ containers: [{ name: 'a', image: 'x' }] });
    const burstable = pod({ containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '1' } } }], activeDeadlineSeconds: 60, priorityClassName: 'high' });
    const be = quota({ hard: { pods: '1' }, scopes: ['BestEffort'] });
    assert.equal(quotaMatches(be, ['pods'], podEvaluator, bestEffort), true);
    assert.equal(quotaMatches(be, ['pods'], podEvaluator, burstable), false);
    assert.equal(quotaMatches(quota({ hard: { pods: '1' }, scopes: ['Terminating'] }), ['pods'], podEvaluator, burstable), true);
    const high = quota({ hard: { pods: '1' }, scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } });
    assert.equal(quotaMatches(high, ['pods'], podEvaluator, burstable), true);
    assert.equal(quotaMatches(high, ['pods'], podEvaluator, bestEffort), false);
    assert.equal(quotaMatches(quota({ hard: { services: '1' }, scopes: ['BestEffort'] }), ['services'], serviceEvaluator, {}), false, 'a scoped quota charges no Service');
    assert.equal(quotaMatches(quota({ hard: { services: '1' } }), ['services'], podEvaluator, bestEffort), false, 'nothing it limits');
  });

  test('a cpu or memory quota needs every container to state it', () => {
    const p = pod({ initContainers: [{ name: 'init', image: 'x', resources: { limits: { memory: '1Gi' } } }], containers: [{ name: 'b', image: 'x' }, { name: 'a', image: 'x', resources: { requests: { cpu: '1' } } }] });
    assert.equal(podEvaluator.constraints!(['requests.cpu', 'limits.memory', 'pods'], p), 'must specify limits.memory for: a,b; requests.cpu for: b,init');
    assert.equal(podEvaluator.constraints!(['pods'], p), undefined);
    assert.equal(prettyPrint(new Map([['pods', { toString: () => '2' }], ['limits.cpu', { toString: () => '1' }]] as never)), 'limits.cpu=1,pods=2');
  });
});

describe('LimitRanger', () => {
  const ranges: LimitRange[] = [
    {
      metadata: { name: 'defaults', namespace: 'q' },
      spec: {
        limits: [
          { type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '200m', memory: '128Mi' }, max: { cpu: '1' }, maxLimitRequestRatio: { memory: '4' } },
          { type: 'Pod', max: { memory: '1Gi' } },
        ],
      },
    },
  ];

  test('containers without limits or requests get the defaults, noted in the annotation', () => {
    const p = pod({ containers: [{ name: 'web', image: 'x', resources: { limits: { cpu: '300m' } } }], initContainers: [{ name: 'setup', image: 'x' }] });
    defaultPodResources(p, ranges);
    assert.deepEqual(p.spec?.containers?.[0]?.resources, { limits: { cpu: '300m', memory: '256Mi' }, requests: { cpu: '200m', memory: '128Mi' } });
    assert.deepEqual(p.spec?.initContainers?.[0]?.resources, { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '200m', memory: '128Mi' } });
    assert.equal(p.metadata?.annotations?.[LIMIT_RANGER_ANNOTATION], 'LimitRanger plugin set: cpu, memory request for container web; memory limit for container web; cpu, memory request for init container setup; cpu, memory limit for init container setup');
  });

  test('bounds are checked per container and per pod with upstream messages', () => {
    const over = pod({ containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '2', memory: '1Gi' }, requests: { cpu: '2', memory: '100Mi' } } }, { name: 'b', image: 'x', resources: { limits: { cpu: '1', memory: '200Mi' }, requests: { cpu: '1', memory: '200Mi' } } }] });
    assert.deepEqual(limitViolations({ group: '', kind: 'Pod' }, over, ranges), [
      'maximum cpu usage per Container is 1, but limit is 2',
      'memory max limit to request ratio per Container is 4, but provided ratio is 10.240000',
      'maximum memory usage per Pod is 1Gi, but limit is 1224Mi',
    ]);
    const noLimit = pod({ containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '100m', memory: '10Mi' } } }] });
    assert.deepEqual(limitViolations({ group: '', kind: 'Pod' }, noLimit, ranges), [
      'maximum cpu usage per Container is 1.  No limit is specified',
      'memory max limit to request ratio per Container is 4, but no limit is specified or limit is 0',
      'maximum memory usage per Pod is 1Gi.  No limit is specified',
    ]);
    const claims: LimitRange[] = [{ metadata: { name: 'storage' }, spec: { limits: [{ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } }] } }];
    assert.deepEqual(limitViolations({ group: '', kind: 'PersistentVolumeClaim' }, { spec: { resources: { requests: { storage: '500Mi' } } } }, claims), ['minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi']);
    assert.deepEqual(limitViolations({ group: '', kind: 'PersistentVolumeClaim' }, { spec: { resources: { requests: { storage: '20Gi' } } } }, claims), ['maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi']);
  });
});
