import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, PodSpec, Taint } from '../../../../pkg/api/core/v1/index.js';
import { parseSchedulerConfiguration, resolveProfile, SchedulerConfigError, type SchedulerProfile } from '../../../../pkg/scheduler/framework/config.js';
import { fitErrorMessage } from '../../../../pkg/scheduler/framework/fit-error.js';
import { newInTreeRegistry } from '../../../../pkg/scheduler/framework/registry.js';
import { computePodResources } from '../../../../pkg/scheduler/framework/resources.js';
import { Framework, numFeasibleNodesToFind, selectHost, type ScheduleResult } from '../../../../pkg/scheduler/framework/runtime.js';
import { newStatus } from '../../../../pkg/scheduler/framework/status.js';
import { buildSnapshot } from '../../../../pkg/scheduler/framework/types.js';

type Res = Record<string, string>;
const node = (name: string, cpu = '2', opts: { taints?: Taint[]; labels?: Res } = {}): Node => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
  spec: { taints: opts.taints },
  status: { allocatable: { cpu, memory: '4Gi', pods: '110' } },
});
const pod = (name: string, cpu: string, extra: Partial<PodSpec> = {}, on?: string, startTime?: string): Pod => ({
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu } } }], ...extra, ...(on ? { nodeName: on } : {}) },
  ...(startTime ? { status: { startTime } } : {}),
});
const CP: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

const registry = newInTreeRegistry();
const defaultFramework = (profile: SchedulerProfile = { schedulerName: 'default-scheduler' }): Framework => new Framework(resolveProfile(profile, registry), registry);
const seq = (...xs: number[]) => {
  let i = 0;
  return () => xs[i++ % xs.length]!;
};
const msgOf = (r: ScheduleResult): string => (r.kind === 'unschedulable' ? r.error.message : r.kind === 'error' ? r.message : `scheduled on ${r.node}`);

test('pod resources: the scoring defaults apply only to containers that leave cpu or memory out', () => {
  const r = computePodResources({
    spec: {
      containers: [
        { name: 'a', image: 'i', resources: { requests: { cpu: '250m' } } },
        { name: 'b', image: 'i', resources: { requests: { cpu: '0', memory: '0' } } },
      ],
    },
  });
  assert.deepEqual([r.requests.milliCPU, r.requests.memory, r.nonZeroMilliCPU, r.nonZeroMemory], [250, 0, 250, 200 * 1024 * 1024]);
});

test('numFeasibleNodesToFind: all nodes below 100, adaptive percentage above, never below 100', () => {
  const cases: [number, number, number][] = [
    [0, 50, 50],
    [0, 100, 100],
    [0, 1000, 420],
    [0, 5000, 500],
    [0, 6000, 300],
    [30, 1000, 300],
    [5, 1000, 100],
  ];
  for (const [pct, n, want] of cases) assert.equal(numFeasibleNodesToFind(pct, n), want, `pct=${pct} n=${n}`);
});

test('selectHost picks the highest total and breaks ties with the injected random function', () => {
  const s = (name: string, totalScore: number) => ({ name, totalScore, scores: new Map<string, number>() });
  assert.equal(selectHost([s('a', 1), s('b', 9), s('c', 3)], () => 0.99), 'b');
  // Reservoir: second max replaces with probability 1/2 (rand 0.3 → index 0 → replace).
  assert.equal(selectHost([s('a', 5), s('b', 5)], seq(0.3)), 'b');
  assert.equal(selectHost([s('a', 5), s('b', 5)], seq(0.7)), 'a');
});

test('FitError: reasons are counted per node and sorted as strings, then the preemption sentence', () => {
  const statuses = new Map([
    ['n1', newStatus('Unschedulable', 'Insufficient cpu')],
    ['n2', newStatus('UnschedulableAndUnresolvable', 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }')],
    ['n3', newStatus('UnschedulableAndUnresolvable', 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }')],
  ]);
  assert.equal(
    fitErrorMessage(3, { statuses, absentStatus: newStatus('UnschedulableAndUnresolvable'), postFilterMsg: 'preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.' }),
    '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
  );
});

test('scheduleOne: end to end, the pod lands on the least allocated feasible node', () => {
  const snap = buildSnapshot({
    nodes: [node('cp', '8', { taints: [CP] }), node('busy', '4'), node('idle', '4')],
    pods: [pod('e', '2', {}, 'busy')],
  });
  const r = defaultFramework().scheduleOne(pod('p', '1'), snap, () => 0);
  assert.equal(r.kind, 'scheduled');
  if (r.kind !== 'scheduled') return;
  assert.equal(r.node, 'idle');
  assert.deepEqual(r.scores.map((s) => s.name).sort(), ['busy', 'idle']);
  const idle = r.scores.find((s) => s.name === 'idle')!;
  // TaintToleration 100×3 + NodeResourcesFit + BalancedAllocation; the scores are weighted.
  assert.equal(idle.scores.get('TaintToleration'), 300);
});

test('scheduleOne: a pod that fits nowhere gets the upstream message with the preemption suffix', () => {
  const snap = buildSnapshot({ nodes: [node('cp', '8', { taints: [CP] }), node('w1', '1'), node('w2', '1')], pods: [pod('e', '500m', {}, 'w2')] });
  const r = defaultFramework().scheduleOne(pod('p', '2'), snap, () => 0);
  assert.equal(
    msgOf(r),
    '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
  );
});

test('scheduleOne: preemptionPolicy Never is reported instead of trying preemption', () => {
  const snap = buildSnapshot({ nodes: [node('w1', '1')], pods: [pod('low', '1', {}, 'w1')] });
  const r = defaultFramework().scheduleOne(pod('p', '1', { priority: 100, preemptionPolicy: 'Never' }), snap, () => 0);
  assert.equal(msgOf(r), '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
  assert.ok(r.kind === 'unschedulable' && r.nominatedNodeName === undefined);
});

test('scheduleOne: a PreFilter rejection replaces the per-node reasons', () => {
  const snap = buildSnapshot({ nodes: [node('a'), node('b')], pods: [] });
  const spec: Partial<PodSpec> = {
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }, { key: 'metadata.name', operator: 'In', values: ['b'] }] }],
        },
      },
    },
  };
  assert.equal(
    msgOf(defaultFramework().scheduleOne(pod('p', '1', spec), snap, () => 0)),
    '0/2 nodes are available: pod affinity terms conflict. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
  );
});

// ---------------------------------------------------------------- preemption
const preemptionCases: { name: string; nodes: Node[]; pods: Pod[]; incoming: Pod; node?: string; victims?: string[] }[] = [
  {
    name: 'evicts only as many lower-priority pods as needed, reprieving the most important',
    nodes: [node('n1', '3')],
    pods: [pod('v-low', '1', { priority: 1 }, 'n1'), pod('v-mid', '1', { priority: 5 }, 'n1'), pod('v-high', '1', { priority: 8 }, 'n1')],
    incoming: pod('p', '1500m', { priority: 10 }),
    node: 'n1',
    victims: ['v-mid', 'v-low'],
  },
  {
    name: 'never evicts pods of equal or higher priority',
    nodes: [node('n1', '1')],
    pods: [pod('same', '1', { priority: 10 }, 'n1')],
    incoming: pod('p', '1', { priority: 10 }),
  },
  {
    name: 'prefers the node whose most important victim has the lowest priority',
    nodes: [node('n1', '1'), node('n2', '1')],
    pods: [pod('a', '1', { priority: 5 }, 'n1'), pod('b', '1', { priority: 2 }, 'n2')],
    incoming: pod('p', '1', { priority: 10 }),
    node: 'n2',
    victims: ['b'],
  },
  {
    name: 'on equal priorities prefers fewer victims',
    nodes: [node('n1', '2'), node('n2', '2')],
    pods: [pod('a1', '1', { priority: 1 }, 'n1'), pod('a2', '1', { priority: 1 }, 'n1'), pod('b1', '2', { priority: 1 }, 'n2')],
    incoming: pod('p', '2', { priority: 10 }),
    node: 'n2',
    victims: ['b1'],
  },
  {
    name: 'on a full tie prefers the node whose highest-priority victims started last',
    nodes: [node('n1', '1'), node('n2', '1')],
    pods: [pod('old', '1', { priority: 1 }, 'n1', '2024-01-01T00:00:00Z'), pod('new', '1', { priority: 1 }, 'n2', '2024-06-01T00:00:00Z')],
    incoming: pod('p', '1', { priority: 10 }),
    node: 'n2',
    victims: ['new'],
  },
];
for (const tc of preemptionCases) {
  test(`DefaultPreemption: ${tc.name}`, () => {
    const r = defaultFramework().scheduleOne(tc.incoming, buildSnapshot({ nodes: tc.nodes, pods: tc.pods }), () => 0);
    assert.equal(r.kind, 'unschedulable');
    if (r.kind !== 'unschedulable') return;
    assert.equal(r.nominatedNodeName, tc.node);
    assert.deepEqual(r.victims?.map((v) => v.pod.metadata?.name), tc.victims);
  });
}

test('DefaultPreemption: removing victims also updates anti-affinity state', () => {
  const anti = { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'x' } }, topologyKey: 'kubernetes.io/hostname' }] } } };
  const victim: Pod = { ...pod('x', '100m', { priority: 1 }, 'n1'), metadata: { name: 'x', namespace: 'default', labels: { app: 'x' } } };
  const r = defaultFramework().scheduleOne(pod('p', '100m', { priority: 10, ...anti }), buildSnapshot({ nodes: [node('n1')], pods: [victim] }), () => 0);
  assert.ok(r.kind === 'unschedulable');
  assert.equal(r.nominatedNodeName, 'n1');
  assert.deepEqual(r.victims?.map((v) => v.pod.metadata?.name), ['x']);
});

// ---------------------------------------------------------------- config
test('config: the default profile enables the upstream default plugins and weights', () => {
  const cfg = parseSchedulerConfiguration({ apiVersion: 'kubescheduler.config.k8s.io/v1', kind: 'KubeSchedulerConfiguration' });
  const p = resolveProfile(cfg.profiles[0]!, registry);
  assert.equal(p.schedulerName, 'default-scheduler');
  assert.deepEqual(p.points.filter, ['NodeUnschedulable', 'NodeName', 'TaintToleration', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit', 'VolumeBinding', 'PodTopologySpread', 'InterPodAffinity']);
  assert.deepEqual(p.points.preBind, ['VolumeBinding']);
  assert.deepEqual(Object.fromEntries(p.scoreWeights), {
    TaintToleration: 3,
    NodeAffinity: 2,
    NodeResourcesFit: 1,
    PodTopologySpread: 2,
    InterPodAffinity: 2,
    NodeResourcesBalancedAllocation: 1,
  });
});

test('config: score weights and disabled plugins, including "*", override the defaults', () => {
  const p = resolveProfile(
    {
      schedulerName: 's',
      plugins: { score: { enabled: [{ name: 'NodeResourcesFit', weight: 5 }], disabled: [{ name: '*' }] }, filter: { disabled: [{ name: 'NodePorts' }] } },
    },
    registry,
  );
  assert.deepEqual(p.points.score, ['NodeResourcesFit']);
  assert.deepEqual(Object.fromEntries(p.scoreWeights), { NodeResourcesFit: 5 });
  assert.ok(!p.points.filter.includes('NodePorts'));
  assert.ok(p.points.preFilter.includes('NodePorts'));
});

const configErrors: { name: string; cfg: unknown; want: string }[] = [
  { name: 'a wrong apiVersion is not supported', cfg: { apiVersion: 'v1', kind: 'KubeSchedulerConfiguration' }, want: 'apiVersion: Unsupported value: "v1": supported values: "kubescheduler.config.k8s.io/v1"' },
  {
    name: 'a profile needs a schedulerName',
    cfg: { apiVersion: 'kubescheduler.config.k8s.io/v1', kind: 'KubeSchedulerConfiguration', profiles: [{}] },
    want: 'profiles[0].schedulerName: Required value',
  },
  {
    name: 'scheduler names must be unique',
    cfg: { apiVersion: 'kubescheduler.config.k8s.io/v1', kind: 'KubeSchedulerConfiguration', profiles: [{ schedulerName: 'a' }, { schedulerName: 'a' }] },
    want: 'profiles[1].schedulerName: Duplicate value: "a"',
  },
  {
    name: 'percentageOfNodesToScore must be within 0-100',
    cfg: { apiVersion: 'kubescheduler.config.k8s.io/v1', kind: 'KubeSchedulerConfiguration', percentageOfNodesToScore: 120 },
    want: 'percentageOfNodesToScore: Invalid value: 120: not in valid range [0-100]',
  },
  {
    name: 'negative score weights are invalid',
    cfg: { apiVersion: 'kubescheduler.config.k8s.io/v1', kind: 'KubeSchedulerConfiguration', profiles: [{ schedulerName: 'a', plugins: { score: { enabled: [{ name: 'NodeAffinity', weight: -1 }] } } }] },
    want: 'profiles[0].plugins.score.enabled[0].weight: Invalid value: -1: must be a non-negative integer',
  },
  {
    name: 'unsupported scoring strategies are rejected',
    cfg: {
      apiVersion: 'kubescheduler.config.k8s.io/v1',
      kind: 'KubeSchedulerConfiguration',
      profiles: [{ schedulerName: 'a', pluginConfig: [{ name: 'NodeResourcesFit', args: { scoringStrategy: { type: 'Bogus' } } }] }],
    },
    want: 'profiles[0].pluginConfig[0].args.scoringStrategy.type: Unsupported value: "Bogus": supported values: "LeastAllocated", "MostAllocated"',
  },
];
for (const tc of configErrors) {
  test(`config: ${tc.name}`, () => {
    assert.throws(
      () => parseSchedulerConfiguration(tc.cfg),
      (e: unknown) => e instanceof SchedulerConfigError && e.message.includes(tc.want),
    );
  });
}

test('config: enabling an unknown plugin fails when the profile is resolved', () => {
  assert.throws(
    () => resolveProfile({ schedulerName: 'a', plugins: { filter: { enabled: [{ name: 'Nope' }] } } }, registry),
    (e: unknown) => e instanceof SchedulerConfigError && e.message.includes('plugin "Nope" does not exist'),
  );
});
