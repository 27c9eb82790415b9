import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPodSpec, imageTag, podQOSClass, podResource, type PodSpec } from '../../../../pkg/api/core/v1/pod.js';
import { defaulted, pod } from './pod-helpers.js';

const tagCases: { image: string; tag: string }[] = [
  { image: 'nginx', tag: 'latest' },
  { image: 'nginx:1.25', tag: '1.25' },
  { image: 'registry.local:5000/team/app', tag: 'latest' },
  { image: 'registry.local:5000/team/app:v2', tag: 'v2' },
  { image: 'nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', tag: '' },
  { image: 'NGINX', tag: '' },
];

for (const tc of tagCases) {
  test(`the tag of ${tc.image} is "${tc.tag}"`, () => assert.equal(imageTag(tc.image), tc.tag));
}

test('imagePullPolicy is Always for :latest or no tag and IfNotPresent otherwise', () => {
  const spec: PodSpec = {
    containers: [
      { name: 'a', image: 'nginx' },
      { name: 'b', image: 'nginx:latest' },
      { name: 'c', image: 'nginx:1.25' },
      { name: 'd', image: 'nginx:1.25', imagePullPolicy: 'Never' },
    ],
    initContainers: [{ name: 'i', image: 'busybox:1' }],
  };
  defaultPodSpec(spec);
  assert.deepEqual(spec.containers!.map((c) => c.imagePullPolicy), ['Always', 'Always', 'IfNotPresent', 'Never']);
  assert.equal(spec.initContainers![0]!.imagePullPolicy, 'IfNotPresent');
});

test('a volume without a source becomes an emptyDir', () => {
  const spec: PodSpec = { containers: [{ name: 'a', image: 'x' }], volumes: [{ name: 'scratch' }] };
  defaultPodSpec(spec);
  assert.deepEqual(spec.volumes![0], { name: 'scratch', emptyDir: {} });
});

test('a created pod gets the static defaults of its spec, containers, probes and volumes', () => {
  const p = defaulted(
    pod({
      containers: [
        {
          name: 'app',
          image: 'nginx:1.25',
          ports: [{ containerPort: 80 }],
          readinessProbe: { httpGet: { port: 80 } },
        },
      ],
      volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }, { name: 'host', hostPath: { path: '/var/log' } }],
    }),
  );
  const spec = p.spec!;
  assert.equal(spec.restartPolicy, 'Always');
  assert.equal(spec.dnsPolicy, 'ClusterFirst');
  assert.equal(spec.terminationGracePeriodSeconds, 30);
  assert.equal(spec.schedulerName, 'default-scheduler');
  assert.deepEqual(spec.securityContext, {});
  assert.equal(spec.enableServiceLinks, true);
  assert.equal(spec.priority, 0);
  assert.equal(spec.preemptionPolicy, 'PreemptLowerPriority');
  const c = spec.containers![0]!;
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.equal(c.imagePullPolicy, 'IfNotPresent');
  assert.equal(c.ports![0]!.protocol, 'TCP');
  assert.deepEqual(c.readinessProbe, {
    httpGet: { port: 80, path: '/', scheme: 'HTTP' },
    timeoutSeconds: 1,
    periodSeconds: 10,
    successThreshold: 1,
    failureThreshold: 3,
  });
  assert.equal(spec.volumes![0]!.configMap!.defaultMode, 420);
  assert.equal(spec.volumes![1]!.hostPath!.type, '');
});

test('requests default to limits for resources that only have a limit', () => {
  const p = defaulted(pod({ containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } } }] }));
  assert.deepEqual(p.spec!.containers![0]!.resources!.requests, { cpu: '500m', memory: '1Gi' });
});

test('host network pods expose container ports on the same host ports', () => {
  const p = defaulted(pod({ hostNetwork: true, containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 9100 }] }] }));
  assert.equal(p.spec!.containers![0]!.ports![0]!.hostPort, 9100);
});

test('created pods get the not-ready and unreachable NoExecute tolerations for 300 seconds', () => {
  const p = defaulted(pod({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] }));
  podResource.prepareForCreate!(p);
  assert.deepEqual(p.spec!.tolerations, [
    { key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ]);
});

test('a pod that tolerates everything gets no extra tolerations', () => {
  const p = defaulted(pod({ tolerations: [{ operator: 'Exists' }] }));
  podResource.prepareForCreate!(p);
  assert.deepEqual(p.spec!.tolerations, [{ operator: 'Exists' }]);
});

const qosCases: { name: string; resources: NonNullable<PodSpec['containers']>[number]['resources'][]; want: string }[] = [
  { name: 'no requests or limits is BestEffort', resources: [undefined], want: 'BestEffort' },
  { name: 'equal cpu and memory requests and limits is Guaranteed', resources: [{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1Gi' } }], want: 'Guaranteed' },
  { name: 'requests below limits is Burstable', resources: [{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } }], want: 'Burstable' },
  { name: 'one container without limits makes the pod Burstable', resources: [{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } }, { requests: { cpu: '1' } }], want: 'Burstable' },
  { name: 'only extended resources is BestEffort', resources: [{ limits: { 'example.com/gpu': '1' }, requests: { 'example.com/gpu': '1' } }], want: 'BestEffort' },
];

for (const tc of qosCases) {
  test(`QoS: ${tc.name}`, () => {
    const spec: PodSpec = { containers: tc.resources.map((r, i) => ({ name: `c${i}`, image: 'x', resources: r })) };
    assert.equal(podQOSClass(spec), tc.want);
  });
}

test('on create the status is reset to Pending with the QoS class', () => {
  const p = defaulted(pod({ containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '1', memory: '64Mi' } } }] }, { status: { phase: 'Running', podIP: '10.0.0.1' } }));
  podResource.prepareForCreate!(p);
  assert.deepEqual(p.status, { phase: 'Pending', qosClass: 'Guaranteed' });
});

test('a gated pod is created with the SchedulingGated condition', () => {
  const p = defaulted(pod({ schedulingGates: [{ name: 'example.com/quota' }] }));
  podResource.prepareForCreate!(p);
  assert.deepEqual(p.status!.conditions, [
    { type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' },
  ]);
});
