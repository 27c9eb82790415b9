import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from '../../../../pkg/api/core/v1/index.js';
import { CycleState } from '../../../../pkg/scheduler/framework/cycle-state.js';
import type { AnyPlugin, NodeScore } from '../../../../pkg/scheduler/framework/interface.js';
import { SUCCESS, type Status } from '../../../../pkg/scheduler/framework/status.js';
import { buildSnapshot, PodInfo, type Snapshot } from '../../../../pkg/scheduler/framework/types.js';
import { nodeAffinity } from '../../../../pkg/scheduler/plugins/nodeaffinity/node-affinity.js';
import { nodeName } from '../../../../pkg/scheduler/plugins/nodename/node-name.js';
import { nodePorts } from '../../../../pkg/scheduler/plugins/nodeports/node-ports.js';
import { newBalancedAllocation } from '../../../../pkg/scheduler/plugins/noderesources/balanced-allocation.js';
import { newNodeResourcesFit } from '../../../../pkg/scheduler/plugins/noderesources/fit.js';
import { nodeUnschedulable } from '../../../../pkg/scheduler/plugins/nodeunschedulable/node-unschedulable.js';
import { newInterPodAffinity } from '../../../../pkg/scheduler/plugins/interpodaffinity/inter-pod-affinity.js';
import { podTopologySpread } from '../../../../pkg/scheduler/plugins/podtopologyspread/pod-topology-spread.js';
import { prioritySort } from '../../../../pkg/scheduler/plugins/queuesort/priority-sort.js';
import { taintToleration } from '../../../../pkg/scheduler/plugins/tainttoleration/taint-toleration.js';
import type { PodSpec, Taint, Toleration } from '../../../../pkg/api/core/v1/index.js';

type Res = Record<string, string>;

function node(name: string, opts: { alloc?: Res; labels?: Res; taints?: Taint[]; unschedulable?: boolean } = {}): Node {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
    spec: { taints: opts.taints, unschedulable: opts.unschedulable },
    status: { allocatable: opts.alloc ?? { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' } },
  };
}

function pod(name: string, spec: Partial<PodSpec> = {}, labels: Res = {}, nodeNameValue?: string): Pod {
  return {
    metadata: { name, namespace: 'default', labels },
    spec: { containers: [{ name: 'c', image: 'i' }], ...spec, ...(nodeNameValue ? { nodeName: nodeNameValue } : {}) },
  };
}

const req = (requests: Res, extra: Partial<PodSpec> = {}): Partial<PodSpec> => ({ containers: [{ name: 'c', image: 'i', resources: { requests } }], ...extra });

/** Runs PreFilter (when the plugin has one) and Filter for every node of the snapshot. */
function filterAll(pl: AnyPlugin, p: Pod, snap: Snapshot): Record<string, Status> {
  const state = new CycleState();
  const pi = new PodInfo(p);
  if (pl.preFilter) {
    const out = pl.preFilter(state, pi, snap);
    if (out.status.code === 'Skip') return Object.fromEntries(snap.nodeInfos.map((n) => [n.name, SUCCESS]));
    if (out.status.code !== 'Success') return Object.fromEntries(snap.nodeInfos.map((n) => [n.name, out.status]));
  }
  return Object.fromEntries(snap.nodeInfos.map((n) => [n.name, pl.filter!(state, pi, n)]));
}

const ok = SUCCESS;
const st = (code: Status['code'], ...reasons: string[]): Status => ({ code, reasons });
const codesOf = (r: Record<string, Status>): Record<string, string> => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.code === 'Success' ? 'ok' : v.reasons.join('|')]));

function scoreAll(pl: AnyPlugin, p: Pod, snap: Snapshot): Record<string, number> {
  const state = new CycleState();
  const pi = new PodInfo(p);
  if (pl.preScore && pl.preScore(state, pi, snap.nodeInfos, snap).code === 'Skip') return {};
  const list: NodeScore[] = snap.nodeInfos.map((n) => ({ name: n.name, score: pl.score!(state, pi, n) as number }));
  pl.normalizeScore?.(state, pi, list);
  return Object.fromEntries(list.map((s) => [s.name, s.score]));
}

// ---------------------------------------------------------------- NodeResourcesFit
const fit = newNodeResourcesFit();
const fitCases: { name: string; pod: Pod; existing?: Pod[]; alloc?: Res; want: Status }[] = [
  { name: 'a pod that fits the free cpu and memory passes', pod: pod('p', req({ cpu: '1', memory: '1Gi' })), want: ok },
  {
    name: 'a pod asking for more cpu than is free is rejected with Insufficient cpu',
    pod: pod('p', req({ cpu: '3' })),
    existing: [pod('e', req({ cpu: '2' }), {}, 'n1')],
    want: st('Unschedulable', 'Insufficient cpu'),
  },
  {
    name: 'every lacking resource is reported, in upstream order',
    pod: pod('p', req({ cpu: '5', memory: '9Gi', 'ephemeral-storage': '200Gi', 'example.com/gpu': '1' })),
    want: st('Unschedulable', 'Insufficient cpu', 'Insufficient memory', 'Insufficient ephemeral-storage', 'Insufficient example.com/gpu'),
  },
  {
    name: 'a full node rejects even a pod without requests with Too many pods',
    pod: pod('p'),
    alloc: { cpu: '4', memory: '8Gi', pods: '1' },
    existing: [pod('e', {}, {}, 'n1')],
    want: st('Unschedulable', 'Too many pods'),
  },
  {
    name: 'init containers count by their peak, not added to app containers',
    pod: pod('p', { initContainers: [{ name: 'i', image: 'i', resources: { requests: { cpu: '4' } } }], ...req({ cpu: '1' }) }),
    want: ok,
  },
  {
    name: 'an init container bigger than the node is rejected',
    pod: pod('p', { initContainers: [{ name: 'i', image: 'i', resources: { requests: { cpu: '5' } } }], ...req({ cpu: '1' }) }),
    want: st('Unschedulable', 'Insufficient cpu'),
  },
  {
    name: 'a sidecar adds to the app containers and to later init containers',
    pod: pod('p', {
      initContainers: [
        { name: 's', image: 'i', restartPolicy: 'Always', resources: { requests: { cpu: '1' } } },
        { name: 'i', image: 'i', resources: { requests: { cpu: '3500m' } } },
      ],
      ...req({ cpu: '500m' }),
    }),
    want: st('Unschedulable', 'Insufficient cpu'),
  },
  {
    name: 'pod overhead is added to the requests',
    pod: pod('p', { ...req({ memory: '7Gi' }), overhead: { memory: '2Gi' } }),
    want: st('Unschedulable', 'Insufficient memory'),
  },
  {
    name: 'an extended resource the node has enough of passes',
    pod: pod('p', req({ 'example.com/gpu': '2' })),
    alloc: { cpu: '4', memory: '8Gi', pods: '110', 'example.com/gpu': '2' },
    want: ok,
  },
];
for (const tc of fitCases) {
  test(`NodeResourcesFit: ${tc.name}`, () => {
    const snap = buildSnapshot({ nodes: [node('n1', { alloc: tc.alloc })], pods: tc.existing ?? [] });
    assert.deepEqual(filterAll(fit, tc.pod, snap)['n1'], tc.want);
  });
}

test('NodeResourcesFit: LeastAllocated scores the free fraction of cpu and memory, weighted equally', () => {
  const snap = buildSnapshot({
    nodes: [node('a', { alloc: { cpu: '4', memory: '10000', pods: '10' } }), node('b', { alloc: { cpu: '6', memory: '10000', pods: '10' } })],
    pods: [pod('e', req({ cpu: '1', memory: '5000' }), {}, 'b')],
  });
  // a: cpu (4000-3000)/4000 = 25, memory (10000-5000)/10000 = 50 → 37
  // b: cpu (6000-4000)/6000 = 33, memory (10000-10000) = 0 → 16
  assert.deepEqual(scoreAll(fit, pod('p', req({ cpu: '3', memory: '5000' })), snap), { a: 37, b: 16 });
});

test('NodeResourcesFit: containers without requests score with the 100m / 200Mi defaults', () => {
  const snap = buildSnapshot({ nodes: [node('a', { alloc: { cpu: '1', memory: '1Gi', pods: '10' } })], pods: [] });
  // cpu (1000-100)/1000 = 90, memory (1024-200)/1024 Mi = 80 → 85
  assert.deepEqual(scoreAll(fit, pod('p'), snap), { a: 85 });
});

test('NodeResourcesBalancedAllocation: equal usage fractions score 100, unequal ones lose half the difference', () => {
  const ba = newBalancedAllocation();
  const snap = buildSnapshot({
    nodes: [node('even', { alloc: { cpu: '4', memory: '4Gi', pods: '10' } }), node('skewed', { alloc: { cpu: '4', memory: '16Gi', pods: '10' } })],
    pods: [],
  });
  // even: 0.5 and 0.5 → 100; skewed: 0.5 and 0.125 → std 0.1875 → 81
  assert.deepEqual(scoreAll(ba, pod('p', req({ cpu: '2', memory: '2Gi' })), snap), { even: 100, skewed: 81 });
});

// ---------------------------------------------------------------- Taints
const cp: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
const taintCases: { name: string; taints: Taint[]; tolerations?: Toleration[]; want: Status }[] = [
  { name: 'an untainted node passes', taints: [], want: ok },
  { name: 'an untolerated NoSchedule taint rejects with its key and value', taints: [cp], want: st('UnschedulableAndUnresolvable', 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }') },
  { name: 'a NoExecute taint also rejects', taints: [{ key: 'k', value: 'v', effect: 'NoExecute' }], want: st('UnschedulableAndUnresolvable', 'node(s) had untolerated taint {k: v}') },
  { name: 'a PreferNoSchedule taint does not filter', taints: [{ key: 'k', effect: 'PreferNoSchedule' }], want: ok },
  { name: 'an Exists toleration with the key tolerates any value', taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }], tolerations: [{ key: 'k', operator: 'Exists' }], want: ok },
  { name: 'an Equal toleration needs the same value', taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }], tolerations: [{ key: 'k', operator: 'Equal', value: 'w' }], want: st('UnschedulableAndUnresolvable', 'node(s) had untolerated taint {k: v}') },
  { name: 'an empty operator means Equal', taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }], tolerations: [{ key: 'k', value: 'v' }], want: ok },
  { name: 'an empty key with Exists tolerates every taint', taints: [cp, { key: 'x', effect: 'NoExecute' }], tolerations: [{ operator: 'Exists' }], want: ok },
  { name: 'a toleration for another effect does not tolerate', taints: [cp], tolerations: [{ key: cp.key, operator: 'Exists', effect: 'NoExecute' }], want: st('UnschedulableAndUnresolvable', 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }') },
];
for (const tc of taintCases) {
  test(`TaintToleration: ${tc.name}`, () => {
    const snap = buildSnapshot({ nodes: [node('n1', { taints: tc.taints })], pods: [] });
    assert.deepEqual(filterAll(taintToleration, pod('p', { tolerations: tc.tolerations }), snap)['n1'], tc.want);
  });
}

test('TaintToleration: intolerable PreferNoSchedule taints lower the score, reversed and normalized', () => {
  const soft = (k: string): Taint => ({ key: k, effect: 'PreferNoSchedule' });
  const snap = buildSnapshot({ nodes: [node('clean'), node('one', { taints: [soft('a')] }), node('two', { taints: [soft('a'), soft('b')] })], pods: [] });
  assert.deepEqual(scoreAll(taintToleration, pod('p'), snap), { clean: 100, one: 50, two: 0 });
  assert.deepEqual(scoreAll(taintToleration, pod('p', { tolerations: [{ key: 'a', operator: 'Exists' }] }), snap), { clean: 100, one: 100, two: 0 });
});

test('NodeUnschedulable: a cordoned node rejects pods unless they tolerate the unschedulable taint', () => {
  const snap = buildSnapshot({ nodes: [node('n1', { unschedulable: true }), node('n2')], pods: [] });
  assert.deepEqual(codesOf(filterAll(nodeUnschedulable, pod('p'), snap)), { n1: 'node(s) were unschedulable', n2: 'ok' });
  const tol = pod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
  assert.deepEqual(codesOf(filterAll(nodeUnschedulable, tol, snap)), { n1: 'ok', n2: 'ok' });
});

test('NodeName: a pod naming a node fits only that node', () => {
  const snap = buildSnapshot({ nodes: [node('n1'), node('n2')], pods: [] });
  assert.deepEqual(codesOf(filterAll(nodeName, pod('p', { nodeName: 'n2' }), snap)), { n1: "node(s) didn't match the requested node name", n2: 'ok' });
});

// ---------------------------------------------------------------- NodeAffinity
const naNodes = [node('a', { labels: { zone: 'z1', gen: '3' } }), node('b', { labels: { zone: 'z2', gen: '5' } }), node('c', { labels: {} })];
const term = (expr: { key: string; operator: string; values?: string[] }[], fields?: { key: string; operator: string; values?: string[] }[]) => ({
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: expr, matchFields: fields }] } } },
});
const NO = "node(s) didn't match Pod's node affinity/selector";
const naCases: { name: string; spec: Partial<PodSpec>; want: Record<string, string> }[] = [
  { name: 'nodeSelector needs every label', spec: { nodeSelector: { zone: 'z1' } }, want: { a: 'ok', b: NO, c: NO } },
  { name: 'In matches listed values', spec: term([{ key: 'zone', operator: 'In', values: ['z1', 'z2'] }]), want: { a: 'ok', b: 'ok', c: NO } },
  { name: 'NotIn matches nodes without the label too', spec: term([{ key: 'zone', operator: 'NotIn', values: ['z1'] }]), want: { a: NO, b: 'ok', c: 'ok' } },
  { name: 'Exists needs the label', spec: term([{ key: 'gen', operator: 'Exists' }]), want: { a: 'ok', b: 'ok', c: NO } },
  { name: 'DoesNotExist needs the label absent', spec: term([{ key: 'gen', operator: 'DoesNotExist' }]), want: { a: NO, b: NO, c: 'ok' } },
  { name: 'Gt compares integers', spec: term([{ key: 'gen', operator: 'Gt', values: ['4'] }]), want: { a: NO, b: 'ok', c: NO } },
  { name: 'Lt compares integers', spec: term([{ key: 'gen', operator: 'Lt', values: ['4'] }]), want: { a: 'ok', b: NO, c: NO } },
  { name: 'an invalid term matches no node', spec: term([{ key: 'gen', operator: 'Gt', values: ['x'] }]), want: { a: NO, b: NO, c: NO } },
  { name: 'matchFields metadata.name pins the pod to named nodes', spec: term([], [{ key: 'metadata.name', operator: 'In', values: ['b'] }]), want: { a: NO, b: 'ok', c: NO } },
  {
    name: 'contradicting metadata.name requirements in one term are a PreFilter conflict',
    spec: term([], [{ key: 'metadata.name', operator: 'In', values: ['a'] }, { key: 'metadata.name', operator: 'In', values: ['b'] }]),
    want: { a: 'pod affinity terms conflict', b: 'pod affinity terms conflict', c: 'pod affinity terms conflict' },
  },
];
for (const tc of naCases) {
  test(`NodeAffinity: ${tc.name}`, () => {
    const snap = buildSnapshot({ nodes: naNodes, pods: [] });
    assert.deepEqual(codesOf(filterAll(nodeAffinity, pod('p', tc.spec), snap)), tc.want);
  });
}

test('NodeAffinity: PreFilter narrows to the nodes named by matchFields', () => {
  const out = nodeAffinity.preFilter(new CycleState(), new PodInfo(pod('p', term([], [{ key: 'metadata.name', operator: 'In', values: ['b'] }]))));
  assert.deepEqual(out.result?.nodeNames, new Set(['b']));
});

test('NodeAffinity: preferred terms add their weights, normalized to 100', () => {
  const snap = buildSnapshot({ nodes: naNodes, pods: [] });
  const p = pod('p', {
    affinity: {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] } },
          { weight: 30, preference: { matchExpressions: [{ key: 'gen', operator: 'Exists' }] } },
        ],
      },
    },
  });
  assert.deepEqual(scoreAll(nodeAffinity, p, snap), { a: 100, b: 75, c: 0 });
});

// ---------------------------------------------------------------- NodePorts
test('NodePorts: a host port conflicts on the same protocol when either IP is 0.0.0.0 or they are equal', () => {
  const hp = (port: number, ip?: string, protocol?: string): Partial<PodSpec> => ({
    containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, hostPort: port, hostIP: ip, protocol }] }],
  });
  const snap = buildSnapshot({
    nodes: [node('any'), node('ip'), node('udp'), node('free')],
    pods: [pod('e1', hp(8080), {}, 'any'), pod('e2', hp(8080, '10.0.0.1'), {}, 'ip'), pod('e3', hp(8080, undefined, 'UDP'), {}, 'udp')],
  });
  const CONFLICT = "node(s) didn't have free ports for the requested pod ports";
  assert.deepEqual(codesOf(filterAll(nodePorts, pod('p', hp(8080)), snap)), { any: CONFLICT, ip: CONFLICT, udp: 'ok', free: 'ok' });
  assert.deepEqual(codesOf(filterAll(nodePorts, pod('p', hp(8080, '10.0.0.2')), snap)), { any: CONFLICT, ip: 'ok', udp: 'ok', free: 'ok' });
});

// ---------------------------------------------------------------- InterPodAffinity
const zoned = [node('a1', { labels: { zone: 'a' } }), node('a2', { labels: { zone: 'a' } }), node('b1', { labels: { zone: 'b' } }), node('nz')];
const sel = (app: string) => ({ labelSelector: { matchLabels: { app } } });
const ipa = newInterPodAffinity();
const AFF = "node(s) didn't match pod affinity rules";
const ANTI = "node(s) didn't match pod anti-affinity rules";
const EXIST = "node(s) didn't satisfy existing pods anti-affinity rules";
const ipaCases: { name: string; spec: Partial<PodSpec>; labels?: Res; existing: Pod[]; want: Record<string, string> }[] = [
  {
    name: 'required affinity allows only the topology domains holding a matching pod',
    spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...sel('db'), topologyKey: 'zone' }] } } },
    existing: [pod('db', {}, { app: 'db' }, 'a1')],
    want: { a1: 'ok', a2: 'ok', b1: AFF, nz: AFF },
  },
  {
    name: 'the first pod of a self-affine group may go anywhere with the topology key',
    spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...sel('web'), topologyKey: 'zone' }] } } },
    labels: { app: 'web' },
    existing: [],
    want: { a1: 'ok', a2: 'ok', b1: 'ok', nz: AFF },
  },
  {
    name: 'required anti-affinity keeps the pod out of domains with a matching pod',
    spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...sel('db'), topologyKey: 'zone' }] } } },
    existing: [pod('db', {}, { app: 'db' }, 'a1')],
    want: { a1: ANTI, a2: ANTI, b1: 'ok', nz: 'ok' },
  },
  {
    name: "existing pods' anti-affinity keeps a matching pod out of their domain",
    spec: {},
    labels: { app: 'web' },
    existing: [pod('lonely', { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...sel('web'), topologyKey: 'zone' }] } } }, {}, 'b1')],
    want: { a1: 'ok', a2: 'ok', b1: EXIST, nz: 'ok' },
  },
  {
    name: 'anti-affinity on hostname only excludes the node itself',
    spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...sel('db'), topologyKey: 'kubernetes.io/hostname' }] } } },
    existing: [pod('db', {}, { app: 'db' }, 'a1')],
    want: { a1: ANTI, a2: 'ok', b1: 'ok', nz: 'ok' },
  },
  {
    name: 'pods in other namespaces do not match a term without namespaces',
    spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...sel('db'), topologyKey: 'zone' }] } } },
    existing: [{ ...pod('db', {}, { app: 'db' }, 'a1'), metadata: { name: 'db', namespace: 'other', labels: { app: 'db' } } }],
    want: { a1: 'ok', a2: 'ok', b1: 'ok', nz: 'ok' },
  },
];
for (const tc of ipaCases) {
  test(`InterPodAffinity: ${tc.name}`, () => {
    const snap = buildSnapshot({ nodes: zoned, pods: tc.existing });
    assert.deepEqual(codesOf(filterAll(ipa, pod('p', tc.spec, tc.labels ?? {}), snap)), tc.want);
  });
}

test('InterPodAffinity: preferred affinity scores the domain of matching pods highest', () => {
  const snap = buildSnapshot({ nodes: zoned, pods: [pod('db', {}, { app: 'db' }, 'b1')] });
  const p = pod('p', { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: { ...sel('db'), topologyKey: 'zone' } }] } } });
  assert.deepEqual(scoreAll(ipa, p, snap), { a1: 0, a2: 0, b1: 100, nz: 0 });
});

// ---------------------------------------------------------------- PodTopologySpread
const SPREAD = "node(s) didn't match pod topology spread constraints";
const spreadSpec = (when: string, maxSkew = 1, extra = {}): Partial<PodSpec> => ({
  topologySpreadConstraints: [{ maxSkew, topologyKey: 'zone', whenUnsatisfiable: when, labelSelector: { matchLabels: { app: 'web' } }, ...extra }],
});
const web = (n: string, on: string): Pod => pod(n, {}, { app: 'web' }, on);
const spreadCases: { name: string; spec: Partial<PodSpec>; existing: Pod[]; want: Record<string, string> }[] = [
  {
    name: 'DoNotSchedule rejects domains that would exceed maxSkew over the minimum',
    spec: spreadSpec('DoNotSchedule'),
    existing: [web('w1', 'a1')],
    want: { a1: SPREAD, a2: SPREAD, b1: 'ok', nz: SPREAD + ' (missing required label)' },
  },
  { name: 'a larger maxSkew tolerates the difference', spec: spreadSpec('DoNotSchedule', 2), existing: [web('w1', 'a1')], want: { a1: 'ok', a2: 'ok', b1: 'ok', nz: SPREAD + ' (missing required label)' } },
  { name: 'ScheduleAnyway constraints never filter', spec: spreadSpec('ScheduleAnyway'), existing: [web('w1', 'a1')], want: { a1: 'ok', a2: 'ok', b1: 'ok', nz: 'ok' } },
  {
    name: 'minDomains above the number of domains makes the global minimum 0',
    spec: spreadSpec('DoNotSchedule', 1, { minDomains: 3 }),
    existing: [web('w1', 'a1'), web('w2', 'b1')],
    want: { a1: SPREAD, a2: SPREAD, b1: SPREAD, nz: SPREAD + ' (missing required label)' },
  },
];
for (const tc of spreadCases) {
  test(`PodTopologySpread: ${tc.name}`, () => {
    const snap = buildSnapshot({ nodes: zoned, pods: tc.existing });
    assert.deepEqual(codesOf(filterAll(podTopologySpread, pod('p', tc.spec, { app: 'web' }), snap)), tc.want);
  });
}

test('PodTopologySpread: ScheduleAnyway scores emptier domains higher and ignores nodes without the key', () => {
  const snap = buildSnapshot({ nodes: zoned, pods: [web('w1', 'a1'), web('w2', 'a2')] });
  const scores = scoreAll(podTopologySpread, pod('p', spreadSpec('ScheduleAnyway'), { app: 'web' }), snap);
  assert.equal(scores['nz'], 0);
  assert.equal(scores['b1'], 100);
  assert.ok(scores['a1']! < scores['b1']!);
  assert.equal(scores['a1'], scores['a2']);
});

// ---------------------------------------------------------------- PrioritySort
test('PrioritySort: higher priority first, then earlier queue time', () => {
  const qp = (prio: number, ts: number) => ({ podInfo: new PodInfo(pod('p', { priority: prio })), timestamp: ts });
  const cases: [ReturnType<typeof qp>, ReturnType<typeof qp>, boolean][] = [
    [qp(10, 5), qp(0, 1), true],
    [qp(0, 1), qp(10, 5), false],
    [qp(5, 1), qp(5, 2), true],
    [qp(5, 2), qp(5, 1), false],
  ];
  for (const [a, b, want] of cases) assert.equal(prioritySort.less(a, b), want);
});
