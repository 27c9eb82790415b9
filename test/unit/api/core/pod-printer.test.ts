import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podResource, type ContainerStatus, type Pod, type PodStatus } from '../../../../pkg/api/core/v1/pod.js';
import { pod } from './pod-helpers.js';

const now = new Date('2024-05-01T12:00:00Z');
const table = podResource.table!;

const running = (name: string, extra: Partial<ContainerStatus> = {}): ContainerStatus => ({
  name,
  ready: true,
  restartCount: 0,
  image: 'x',
  imageID: '',
  state: { running: { startedAt: '2024-05-01T11:00:00Z' } },
  ...extra,
});

function withStatus(status: PodStatus, spec: Partial<NonNullable<Pod['spec']>> = {}, meta: Partial<NonNullable<Pod['metadata']>> = {}): Pod {
  const p = pod(spec, { status });
  p.metadata = { ...p.metadata, ...meta };
  return p;
}

const cases: { name: string; pod: Pod; cells: (string | number | boolean | null)[] }[] = [
  {
    name: 'a new pod is Pending with nothing ready',
    pod: withStatus({ phase: 'Pending' }),
    cells: ['web', '0/1', 'Pending', '0', '60m'],
  },
  {
    name: 'a waiting container shows its reason',
    pod: withStatus({ phase: 'Pending', containerStatuses: [{ ...running('app'), ready: false, state: { waiting: { reason: 'ContainerCreating' } } }] }),
    cells: ['web', '0/1', 'ContainerCreating', '0', '60m'],
  },
  {
    name: 'a ready running pod is Running',
    pod: withStatus({ phase: 'Running', containerStatuses: [running('app')] }),
    cells: ['web', '1/1', 'Running', '0', '60m'],
  },
  {
    name: 'restarts show when the last container exited',
    pod: withStatus({
      phase: 'Running',
      containerStatuses: [
        {
          ...running('app'),
          ready: false,
          restartCount: 5,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2024-05-01T11:55:00Z' } },
        },
      ],
    }),
    cells: ['web', '0/1', 'CrashLoopBackOff', '5 (5m ago)', '60m'],
  },
  {
    name: 'init containers in progress show Init:N/M',
    pod: withStatus(
      { phase: 'Pending', initContainerStatuses: [{ ...running('i1'), ready: false, state: { running: {} } }, { ...running('i2'), ready: false, state: { waiting: { reason: 'PodInitializing' } } }] },
      { initContainers: [{ name: 'i1', image: 'x' }, { name: 'i2', image: 'x' }] },
    ),
    cells: ['web', '0/1', 'Init:0/2', '0', '60m'],
  },
  {
    name: 'a crash-looping init container shows Init:CrashLoopBackOff',
    pod: withStatus(
      { phase: 'Pending', initContainerStatuses: [{ ...running('i1'), ready: false, restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
      { initContainers: [{ name: 'i1', image: 'x' }] },
    ),
    cells: ['web', '0/1', 'Init:CrashLoopBackOff', '2', '60m'],
  },
  {
    name: 'a failed init container without a reason shows its exit code',
    pod: withStatus(
      { phase: 'Pending', initContainerStatuses: [{ ...running('i1'), ready: false, state: { terminated: { exitCode: 3 } } }] },
      { initContainers: [{ name: 'i1', image: 'x' }] },
    ),
    cells: ['web', '0/1', 'Init:ExitCode:3', '0', '60m'],
  },
  {
    name: 'a finished pod is Completed',
    pod: withStatus({ phase: 'Succeeded', containerStatuses: [{ ...running('app'), ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }),
    cells: ['web', '0/1', 'Completed', '0', '60m'],
  },
  {
    name: 'a completed container next to a running one without Ready shows NotReady',
    pod: withStatus(
      {
        phase: 'Running',
        containerStatuses: [running('app'), { ...running('job'), ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      },
      { containers: [{ name: 'app', image: 'x' }, { name: 'job', image: 'x' }] },
    ),
    cells: ['web', '1/2', 'NotReady', '0', '60m'],
  },
  {
    name: 'a pod being deleted is Terminating',
    pod: withStatus({ phase: 'Running', containerStatuses: [running('app')] }, {}, { deletionTimestamp: '2024-05-01T11:59:00Z' }),
    cells: ['web', '1/1', 'Terminating', '0', '60m'],
  },
  {
    name: 'a deleted pod on a lost node is Unknown',
    pod: withStatus({ phase: 'Running', reason: 'NodeLost' }, {}, { deletionTimestamp: '2024-05-01T11:59:00Z' }),
    cells: ['web', '0/1', 'Unknown', '0', '60m'],
  },
  {
    name: 'a gated pod is SchedulingGated',
    pod: withStatus({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }),
    cells: ['web', '0/1', 'SchedulingGated', '0', '60m'],
  },
  {
    name: 'a started sidecar counts as a ready container',
    pod: withStatus(
      {
        phase: 'Running',
        initContainerStatuses: [{ ...running('proxy'), started: true }],
        containerStatuses: [running('app')],
        conditions: [{ type: 'Initialized', status: 'True' }],
      },
      { initContainers: [{ name: 'proxy', image: 'x', restartPolicy: 'Always' }] },
    ),
    cells: ['web', '2/2', 'Running', '0', '60m'],
  },
];

for (const tc of cases) {
  test(`pod table: ${tc.name}`, () => {
    assert.deepEqual(table.cells(tc.pod, now).slice(0, 5), tc.cells);
  });
}

test('wide columns show IP, node, nominated node and readiness gates', () => {
  const p = withStatus(
    { phase: 'Running', podIPs: [{ ip: '10.1.0.5' }], conditions: [{ type: 'example.com/ready', status: 'True' }], containerStatuses: [running('app')] },
    { nodeName: 'node-1', readinessGates: [{ conditionType: 'example.com/ready' }, { conditionType: 'example.com/other' }] },
  );
  assert.deepEqual(table.cells(p, now).slice(5), ['10.1.0.5', 'node-1', '<none>', '1/2']);
  assert.deepEqual(table.cells(pod(), now).slice(5), ['<none>', '<none>', '<none>', '<none>']);
});

test('the table has kube-apiserver\'s pod columns', () => {
  assert.deepEqual(
    table.columns.map((c) => [c.name, c.priority]),
    [
      ['Name', 0],
      ['Ready', 0],
      ['Status', 0],
      ['Restarts', 0],
      ['Age', 0],
      ['IP', 1],
      ['Node', 1],
      ['Nominated Node', 1],
      ['Readiness Gates', 1],
    ],
  );
});

test('field selectors expose node, phase, pod IP and host network', () => {
  const p = withStatus({ phase: 'Running', podIPs: [{ ip: '10.1.0.5' }] }, { nodeName: 'node-1', hostNetwork: true });
  const fs = podResource.fieldSelectors!;
  assert.equal(fs['spec.nodeName']!(p), 'node-1');
  assert.equal(fs['status.phase']!(p), 'Running');
  assert.equal(fs['status.podIP']!(p), '10.1.0.5');
  assert.equal(fs['spec.hostNetwork']!(p), 'true');
  assert.equal(fs['spec.hostNetwork']!(pod()), 'false');
});
