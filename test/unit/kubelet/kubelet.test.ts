// The kubelet's pure parts: node status, pod phase and status, restart back-off.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../../../pkg/api/core/v1/node.js';
import type { Container, Pod } from '../../../pkg/api/core/v1/pod-types.js';
import { EnvError, resolveEnv, type EnvSources } from '../../../pkg/kubelet/env.js';
import { admitPod } from '../../../pkg/kubelet/admission.js';
import type { ContainerStatus } from '../../../pkg/cri/types.js';
import { Backoff } from '../../../pkg/kubelet/backoff.js';
import { nodeResources, nodeStatus, nodeStatusChanged, type SystemInfo } from '../../../pkg/kubelet/node-status.js';
import { parseKubeletFlags } from '../../../pkg/kubelet/options.js';
import { computePodStatus } from '../../../pkg/kubelet/pod-status.js';
import { CONTAINER_NAME_LABEL, RESTART_COUNT_ANNOTATION, type RuntimePod } from '../../../pkg/kubelet/runtime-pod.js';

const T0 = Date.parse('2026-12-06T10:00:00Z');
const SYSTEM: SystemInfo = { machineID: 'm', bootID: 'b', kernelVersion: '6.1.0', osImage: 'Debian GNU/Linux 12 (bookworm)' };
const flags = parseKubeletFlags(['--runtime=fake', '--hostname-override=Node-A', '--capacity=cpu=4,memory=8Gi', '--system-reserved=cpu=500m,memory=1Gi', '--max-pods=50']);
const READY = { version: 'kubets-fake://0.1.0', conditions: [{ type: 'RuntimeReady', status: true, reason: '', message: '' }, { type: 'NetworkReady', status: true, reason: '', message: '' }] };

describe('node status', () => {
  test('capacity from the flags with pods from --max-pods; allocatable less what is reserved', () => {
    const { capacity, allocatable } = nodeResources(flags);
    assert.deepEqual([capacity['cpu'], capacity['memory'], capacity['pods']], ['4', '8Gi', '50']);
    assert.deepEqual([allocatable['cpu'], allocatable['memory'], allocatable['pods']], ['3500m', '7Gi', '50']);
    assert.equal(flags.nodeName, 'node-a', 'node names are lower-cased as upstream');
  });

  test('Ready follows the runtime: a runtime down or without network is NotReady with upstream words', () => {
    const up = nodeStatus(flags, SYSTEM, READY, undefined, T0, 10250);
    const ready = up.conditions!.find((c) => c.type === 'Ready')!;
    assert.deepEqual([ready.status, ready.reason, ready.message], ['True', 'KubeletReady', 'kubelet is posting ready status']);
    assert.deepEqual(up.conditions!.map((c) => c.type), ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready']);
    const noNet = nodeStatus(flags, SYSTEM, { ...READY, conditions: [READY.conditions[0]!, { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'cni not initialized' }] }, up, T0 + 10_000, 10250);
    const nr = noNet.conditions!.find((c) => c.type === 'Ready')!;
    assert.deepEqual([nr.status, nr.reason], ['False', 'KubeletNotReady']);
    assert.equal(nr.message, 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:cni not initialized');
    assert.equal(nr.lastTransitionTime, '2026-12-06T10:00:10Z');
    const down = nodeStatus(flags, SYSTEM, { version: '', conditions: undefined, error: 'connect ENOENT' }, noNet, T0 + 20_000, 10250);
    assert.match(down.conditions!.find((c) => c.type === 'Ready')!.message!, /^container runtime is down/);
  });

  test('heartbeats alone are no change; transition times stay while a condition holds', () => {
    const a = nodeStatus(flags, SYSTEM, READY, undefined, T0, 10250);
    const b = nodeStatus(flags, SYSTEM, READY, a, T0 + 10_000, 10250);
    assert.equal(b.conditions![3]!.lastTransitionTime, a.conditions![3]!.lastTransitionTime);
    assert.notEqual(b.conditions![3]!.lastHeartbeatTime, a.conditions![3]!.lastHeartbeatTime);
    assert.ok(!nodeStatusChanged(a, b));
    assert.ok(nodeStatusChanged(a, nodeStatus(flags, SYSTEM, { ...READY, version: 'kubets-fake://0.2.0' }, a, T0, 10250)));
  });
});

describe('restart back-off', () => {
  test('the first restart is immediate, then 10 s doubling to 5 minutes; a quiet entry starts over', () => {
    const b = new Backoff();
    assert.ok(!b.inBackOffSince('p/c', T0, T0));
    const delays: number[] = [];
    let now = T0;
    for (let i = 0; i < 7; i++) {
      b.next('p/c', now);
      delays.push(b.delay('p/c', now) / 1000);
      now += 1000;
    }
    assert.deepEqual(delays, [10, 20, 40, 80, 160, 300, 300]);
    assert.ok(b.inBackOffSince('p/c', now - 1000, now));
    assert.ok(!b.inBackOffSince('p/c', now - 300_000, now));
    assert.equal(b.delay('p/c', now + 600_001), 0);
  });
});

describe('pod status', () => {
  const pod = (restartPolicy: string, containers = ['app']): Pod => ({
    metadata: { name: 'p', namespace: 'default', uid: 'u1' },
    spec: { restartPolicy, containers: containers.map((name) => ({ name, image: 'busybox:1.36' })), nodeName: 'n' },
    status: { phase: 'Pending', qosClass: 'BestEffort', conditions: [{ type: 'PodScheduled', status: 'True' }] },
  });
  const ns = (ms: number): string => (BigInt(ms) * 1_000_000n).toString();
  const container = (name: string, state: ContainerStatus['state'], exitCode = 0, attempt = 0, at = T0): ContainerStatus => ({
    id: `${name}-${attempt}`,
    metadata: { name, attempt },
    state,
    createdAt: ns(at + attempt),
    startedAt: ns(at + attempt),
    finishedAt: state === 'CONTAINER_EXITED' ? ns(at + attempt + 1000) : '0',
    exitCode,
    image: null,
    imageRef: 'sha256:x',
    reason: state === 'CONTAINER_EXITED' ? (exitCode === 0 ? 'Completed' : 'Error') : '',
    message: '',
    labels: { [CONTAINER_NAME_LABEL]: name },
    annotations: { [RESTART_COUNT_ANNOTATION]: String(attempt) },
    mounts: [],
    logPath: '',
    imageId: 'sha256:x',
  });
  const runtime = (...containers: ContainerStatus[]): RuntimePod => ({
    uid: 'u1',
    sandboxes: [{ id: 's', metadata: null, state: 'SANDBOX_READY', createdAt: ns(T0), network: { ip: '10.244.1.7', additionalIps: [] }, linux: null, labels: {}, annotations: {}, runtimeHandler: '' }],
    containers,
  });
  const status = (p: Pod, rp: RuntimePod, waiting = new Map<string, { reason: string; message?: string }>()) => computePodStatus({ pod: p, runtime: rp, waiting, runtimeName: 'kubets-fake', hostIp: '127.0.0.1', nowMs: T0 + 5000 });

  test('running containers: Running and Ready, with the pod IP and the runtime-prefixed container ID', () => {
    const s = status(pod('Always'), runtime(container('app', 'CONTAINER_RUNNING')));
    assert.equal(s.phase, 'Running');
    assert.equal(s.podIP, '10.244.1.7');
    assert.deepEqual(s.conditions!.map((c) => `${c.type}=${c.status}`), ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
    assert.equal(s.containerStatuses![0]!.containerID, 'kubets-fake://app-0');
    assert.ok(s.containerStatuses![0]!.state!.running);
  });

  test('phases by restart policy: exit 0 under Never is Succeeded, a failure Failed; OnFailure and Always keep Running', () => {
    assert.equal(status(pod('Never'), runtime(container('app', 'CONTAINER_EXITED', 0))).phase, 'Succeeded');
    assert.equal(status(pod('Never'), runtime(container('app', 'CONTAINER_EXITED', 2))).phase, 'Failed');
    assert.equal(status(pod('OnFailure'), runtime(container('app', 'CONTAINER_EXITED', 2))).phase, 'Running');
    assert.equal(status(pod('Always'), runtime(container('app', 'CONTAINER_EXITED', 0))).phase, 'Running');
    const done = status(pod('Never'), runtime(container('app', 'CONTAINER_EXITED', 0)));
    assert.equal(done.conditions!.find((c) => c.type === 'Ready')!.reason, 'PodCompleted');
  });

  test('a container waiting to restart shows the wait as its state and the exit as its last state', () => {
    const s = status(pod('Always'), runtime(container('app', 'CONTAINER_EXITED', 1, 3), container('app', 'CONTAINER_EXITED', 1, 2)), new Map([['app', { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=app pod=p_default(u1)' }]]));
    const c = s.containerStatuses![0]!;
    assert.equal(c.state!.waiting!.reason, 'CrashLoopBackOff');
    assert.equal(c.lastState!.terminated!.exitCode, 1);
    assert.equal(c.restartCount, 3);
    assert.ok(!c.ready);
    assert.equal(s.conditions!.find((x) => x.type === 'Ready')!.message, 'containers with unready status: [app]');
  });

  test('a container that never started (its runtime died while starting it) has no startedAt in its last state, as upstream\'s null', () => {
    const neverStarted = { ...container('app', 'CONTAINER_EXITED', 255, 0), startedAt: '0', reason: 'Unknown' };
    const s = status(pod('Always'), runtime(container('app', 'CONTAINER_RUNNING', 0, 1), neverStarted));
    const last = s.containerStatuses![0]!.lastState!.terminated!;
    assert.equal(last.exitCode, 255);
    assert.equal(last.startedAt, undefined);
    assert.ok(last.finishedAt !== undefined);
    assert.ok(status(pod('Always'), runtime(container('app', 'CONTAINER_RUNNING', 0, 1), container('app', 'CONTAINER_EXITED', 1, 0))).containerStatuses![0]!.lastState!.terminated!.startedAt !== undefined);
  });

  test('before any container exists: Pending, ContainerCreating (or the pull error that holds it)', () => {
    const s = status(pod('Always', ['a', 'b']), runtime(container('a', 'CONTAINER_RUNNING')), new Map([['b', { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' }]]));
    assert.equal(s.phase, 'Pending');
    assert.equal(s.containerStatuses![1]!.state!.waiting!.reason, 'ImagePullBackOff');
    assert.equal(status(pod('Always'), runtime()).containerStatuses![0]!.state!.waiting!.reason, 'ContainerCreating');
  });
});

describe('admission on the node', () => {
  const node = (extra: Partial<NonNullable<Node['spec']>> = {}, labels: Record<string, string> = {}): Node => ({
    metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1', ...labels } },
    spec: extra,
    status: { allocatable: { cpu: '2', memory: '4Gi', pods: '3' } },
  });
  const pod = (name: string, spec: Partial<NonNullable<Pod['spec']>> = {}, cpu?: string): Pod => ({
    metadata: { name, namespace: 'default', uid: name },
    spec: { containers: [{ name: 'c', image: 'i', ...(cpu !== undefined ? { resources: { requests: { cpu } } } : {}) }], ...spec },
  });

  test('resources against what the admitted pods request, then the pod count', () => {
    assert.deepEqual(admitPod(pod('a', {}, '1500m'), node(), [pod('b', {}, '500m')]), { admit: true });
    assert.deepEqual(admitPod(pod('a', {}, '1600m'), node(), [pod('b', {}, '500m')]), { admit: false, reason: 'OutOfcpu', message: "Node didn't have enough resource: cpu, requested: 1600, used: 500, capacity: 2000" });
    const full = admitPod(pod('d'), node(), [pod('a'), pod('b'), pod('c')]);
    assert.deepEqual(full, { admit: false, reason: 'OutOfpods', message: "Node didn't have enough resource: pods, requested: 1, used: 3, capacity: 3" });
  });

  test('node selector and affinity, host ports, NoExecute taints', () => {
    assert.equal((admitPod(pod('a', { nodeSelector: { disk: 'ssd' } }), node(), []) as { reason: string }).reason, 'NodeAffinity');
    assert.deepEqual(admitPod(pod('a', { nodeSelector: { disk: 'ssd' } }), node({}, { disk: 'ssd' }), []), { admit: true });
    const withPort = (name: string, ip?: string): Pod => pod(name, { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, hostPort: 8080, ...(ip ? { hostIP: ip } : {}) }] }] });
    assert.equal((admitPod(withPort('a'), node(), [withPort('b', '10.0.0.1')]) as { reason: string }).reason, 'NodePorts');
    assert.deepEqual(admitPod(withPort('a', '10.0.0.2'), node(), [withPort('b', '10.0.0.1')]), { admit: true });
    const tainted = node({ taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] });
    assert.deepEqual(admitPod(pod('a'), tainted, []), { admit: false, reason: 'TaintToleration', message: 'Predicate TaintToleration failed: node(s) had untolerated taint {dedicated: db}' });
    assert.deepEqual(admitPod(pod('a', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoExecute' }] }), tainted, []), { admit: true });
  });
});

describe('container environment', () => {
  const sources: EnvSources = {
    configMap: async (_ns, name) => (name === 'cfg' ? { GREETING: 'hello', 'bad key': 'x', LEVEL: 'debug' } : undefined),
    secret: async (_ns, name) => (name === 'creds' ? { password: 's3cret' } : undefined),
  };
  const pod = (c: Container): Pod => ({ metadata: { name: 'p', namespace: 'default', uid: 'u', labels: { app: 'web' } }, spec: { nodeName: 'n1', containers: [c] } });

  test('envFrom first (prefixed, invalid names skipped), then env in order with $(VAR) from what came before', async () => {
    const c: Container = {
      name: 'app',
      image: 'i',
      resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } },
      envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }],
      env: [
        { name: 'A', value: 'x' },
        { name: 'B', value: '$(A)-$(CFG_LEVEL)-$(NOPE)-$$(A)' },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'PASS', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
        { name: 'GREET', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'GREETING' } } },
        { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'missing', key: 'k', optional: true } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'CPU_REQ_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
        { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
      ],
    };
    const env = await resolveEnv(pod(c), c, '10.244.1.9', '127.0.0.1', sources, { cpu: '3500m', memory: '7Gi' });
    assert.deepEqual(Object.fromEntries(env), {
      CFG_GREETING: 'hello',
      CFG_LEVEL: 'debug',
      A: 'x',
      B: 'x-debug-$(NOPE)-$(A)',
      POD: 'p',
      APP: 'web',
      IP: '10.244.1.9',
      PASS: 's3cret',
      GREET: 'hello',
      MEM: '64',
      CPU_REQ_M: '250',
      CPU_LIMIT: '4',
    });
  });

  test('a missing ConfigMap, Secret or key is an error in upstream words unless optional', async () => {
    const fail = (env: Container['env'], envFrom?: Container['envFrom']) => {
      const c: Container = { name: 'app', image: 'i', env, ...(envFrom ? { envFrom } : {}) };
      return resolveEnv(pod(c), c, '', '', sources);
    };
    await assert.rejects(fail([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }]), (e: unknown) => e instanceof EnvError && e.message === 'configmap "nope" not found');
    await assert.rejects(fail([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }]), /^EnvError: couldn't find key k in ConfigMap default\/cfg$/);
    await assert.rejects(fail([{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }]), /secret "nope" not found/);
    await assert.rejects(fail([], [{ secretRef: { name: 'nope' } }]), /secret "nope" not found/);
    assert.equal((await fail([], [{ secretRef: { name: 'nope', optional: true } }])).size, 0);
  });
});
