import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONTROLLER_MANAGER_LEADER, CURRENT_APISERVER, SCHEDULER_LEADER, FAULT_KINDS, deriveSeed, generatePlan, parsePlan, seededRandom, validTargets } from '../../../test/chaos/plan.js';

const topology = { etcdMembers: 3, apiservers: 2 };

test('the same seed gives the same random sequence and a different seed another', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const c = seededRandom(43);
  const seqA = Array.from({ length: 5 }, () => a());
  assert.deepEqual(Array.from({ length: 5 }, () => b()), seqA);
  assert.notDeepEqual(Array.from({ length: 5 }, () => c()), seqA);
  assert.ok(seqA.every((x) => x >= 0 && x < 1));
});

test('derived seeds differ per stream and are stable', () => {
  assert.equal(deriveSeed(1, 'worker-0'), deriveSeed(1, 'worker-0'));
  assert.notEqual(deriveSeed(1, 'worker-0'), deriveSeed(1, 'worker-1'));
  assert.notEqual(deriveSeed(1, 'plan'), deriveSeed(2, 'plan'));
});

test('a seeded plan is replayed exactly from its seed', () => {
  const opts = { seed: 7, durationMs: 300_000, topology };
  assert.deepEqual(generatePlan(opts), generatePlan(opts));
  assert.notDeepEqual(generatePlan(opts), generatePlan({ ...opts, seed: 8 }));
});

const countCases: { name: string; opts: Parameters<typeof generatePlan>[0]; expect: number }[] = [
  { name: 'a fault count gives exactly that many faults', opts: { seed: 1, durationMs: 120_000, faults: 6, topology }, expect: 6 },
  { name: 'zero faults gives an empty plan', opts: { seed: 1, durationMs: 120_000, faults: 0, topology }, expect: 0 },
  { name: 'an interval gives one fault per interval between warm-up and cool-down', opts: { seed: 1, durationMs: 60_000, intervalMs: 15_000, topology }, expect: 4 },
  { name: 'a run too short for warm-up and cool-down has no faults', opts: { seed: 1, durationMs: 10_000, faults: 3, topology }, expect: 0 },
];
for (const tc of countCases) {
  test(tc.name, () => {
    assert.equal(generatePlan(tc.opts).length, tc.expect);
  });
}

test('generated faults are ordered, inside the run, on valid targets, and freezes and network cuts have a duration', () => {
  const plan = generatePlan({ seed: 3, durationMs: 600_000, faults: 40, topology });
  const targets = new Set(validTargets(topology));
  for (let i = 0; i < plan.length; i++) {
    const s = plan[i]!;
    assert.ok(targets.has(s.target), s.target);
    assert.ok((FAULT_KINDS as readonly string[]).includes(s.fault));
    assert.ok(s.atMs >= 5_000 && s.atMs <= 590_000, String(s.atMs));
    if (i > 0) assert.ok(s.atMs > plan[i - 1]!.atMs);
    if (s.fault === 'freeze' || s.fault === 'netcut') assert.ok(s.durationMs !== undefined && s.durationMs >= 2_000 && s.durationMs <= 8_000);
    else assert.equal(s.durationMs, undefined);
  }
  // 40 draws cover every kind of target and fault.
  assert.ok(plan.some((s) => s.target.startsWith('etcd-')));
  assert.ok(plan.some((s) => s.target.startsWith('apiserver-')));
  assert.ok(plan.some((s) => s.target === CURRENT_APISERVER));
  for (const kind of FAULT_KINDS) assert.ok(plan.some((s) => s.fault === kind), kind);
});

test('a plan draws only the faults its target can inject', () => {
  const plan = generatePlan({ seed: 3, durationMs: 600_000, faults: 40, topology, faultKinds: ['kill', 'freeze'] });
  assert.deepEqual(new Set(plan.map((s) => s.fault)), new Set(['kill', 'freeze']));
  assert.throws(() => parsePlan([{ atMs: 1, target: 'etcd-0', fault: 'netcut', durationMs: 1000 }], topology, ['kill', 'term', 'freeze', 'restart']), /plan\[0\]\.fault: must be one of kill, term, freeze, restart$/);
});

test('targets of a single-member topology carry no index', () => {
  assert.deepEqual(validTargets({ etcdMembers: 1, apiservers: 1 }), ['etcd', 'apiserver', CURRENT_APISERVER]);
});

test('an explicit plan is accepted and sorted by start time', () => {
  const plan = parsePlan(
    [
      { atMs: 20_000, target: 'apiserver-1', fault: 'kill' },
      { atMs: 5_000, target: 'etcd-0', fault: 'freeze', durationMs: 3_000 },
      { atMs: 10_000, target: CURRENT_APISERVER, fault: 'restart' },
    ],
    topology,
  );
  assert.deepEqual(plan, [
    { atMs: 5_000, target: 'etcd-0', fault: 'freeze', durationMs: 3_000 },
    { atMs: 10_000, target: CURRENT_APISERVER, fault: 'restart' },
    { atMs: 20_000, target: 'apiserver-1', fault: 'kill' },
  ]);
});

const badPlans: { name: string; plan: unknown; message: RegExp }[] = [
  { name: 'a plan that is not an array is refused', plan: { atMs: 1 }, message: /JSON array/ },
  { name: 'a step that is not an object is refused', plan: [3], message: /plan\[0\]: must be an object/ },
  { name: 'a negative start time is refused', plan: [{ atMs: -1, target: 'etcd-0', fault: 'kill' }], message: /plan\[0\]\.atMs/ },
  { name: 'an unknown target is refused', plan: [{ atMs: 1, target: 'etcd-3', fault: 'kill' }], message: /plan\[0\]\.target: must be one of etcd-0, etcd-1, etcd-2/ },
  { name: 'an unknown fault is refused', plan: [{ atMs: 1, target: 'etcd-0', fault: 'partition' }], message: /plan\[0\]\.fault: must be one of kill, term, freeze, restart/ },
  { name: 'a freeze without a duration is refused', plan: [{ atMs: 1, target: 'etcd-0', fault: 'freeze' }], message: /needs a duration/ },
  { name: 'a non-positive duration is refused', plan: [{ atMs: 1, target: 'etcd-0', fault: 'freeze', durationMs: 0 }], message: /durationMs/ },
];
for (const tc of badPlans) {
  test(tc.name, () => {
    assert.throws(() => parsePlan(tc.plan, topology), tc.message);
  });
}

test('with schedulers and controller-managers both leaders are faulted, and every target is a valid one', () => {
  const topology = { etcdMembers: 3, apiservers: 2, schedulers: 2, controllerManagers: 2 };
  const plan = generatePlan({ seed: 7, durationMs: 600_000, intervalMs: 5_000, topology });
  const targets = new Set(plan.map((s) => s.target));
  assert.ok(targets.has(SCHEDULER_LEADER) && targets.has(CONTROLLER_MANAGER_LEADER), [...targets].join(' '));
  for (const t of targets) assert.ok(validTargets(topology).includes(t), t);
  assert.ok(validTargets(topology).includes('controller-manager-1'));
});

test('with nodes, about one fault in five hits a kubelet (node-N); without, the plan is what it was', () => {
  const base = { etcdMembers: 3, apiservers: 2, schedulers: 2, controllerManagers: 2 };
  const withNodes = generatePlan({ seed: 11, durationMs: 1_200_000, intervalMs: 5_000, topology: { ...base, nodes: 2 } });
  const nodeSteps = withNodes.filter((s) => s.target.startsWith('node-'));
  assert.deepEqual([...new Set(nodeSteps.map((s) => s.target))].sort(), ['node-1', 'node-2']);
  const share = nodeSteps.length / withNodes.length;
  assert.ok(share > 0.1 && share < 0.3, `share ${share}`);
  assert.deepEqual(validTargets({ ...base, nodes: 2 }).slice(-2), ['node-1', 'node-2']);
  // Plans of a topology without nodes do not move.
  assert.deepEqual(generatePlan({ seed: 11, durationMs: 120_000, topology: base }), generatePlan({ seed: 11, durationMs: 120_000, topology: { ...base, nodes: 0 } }));
  assert.ok(parsePlan([{ atMs: 0, target: 'node-2', fault: 'kill' }], { ...base, nodes: 2 }).length === 1);
});

test('a node\'s containerd (node-N-runtime) is a target only when the nodes run containerd, and cannot be removed', () => {
  const base = { etcdMembers: 3, apiservers: 2, schedulers: 2, controllerManagers: 2, nodes: 2 };
  assert.deepEqual(validTargets({ ...base, nodeRuntimes: true }).slice(-4), ['node-1', 'node-2', 'node-1-runtime', 'node-2-runtime']);
  assert.throws(() => parsePlan([{ atMs: 0, target: 'node-1-runtime', fault: 'kill' }], base), /plan\[0\]\.target: must be one of/);
  assert.equal(parsePlan([{ atMs: 0, target: 'node-1-runtime', fault: 'freeze', durationMs: 4000 }], { ...base, nodeRuntimes: true }).length, 1);
  assert.throws(() => parsePlan([{ atMs: 0, target: 'node-1-runtime', fault: 'remove' }], { ...base, nodeRuntimes: true }, ['kill', 'remove']), /only a node \(node-N\) can be removed/);
});

test('a node removal is for node targets only, in plans that allow it, and nothing may target the node after it', () => {
  const topology = { etcdMembers: 3, apiservers: 2, nodes: 2 };
  const kinds = [...FAULT_KINDS, 'remove'] as const;
  assert.equal(parsePlan([{ atMs: 0, target: 'node-2', fault: 'remove' }, { atMs: 10, target: 'node-1', fault: 'kill' }], topology, kinds).length, 2);
  assert.throws(() => parsePlan([{ atMs: 0, target: 'node-2', fault: 'remove' }], topology), /fault: must be one of kill, term, freeze, restart, netcut$/);
  assert.throws(() => parsePlan([{ atMs: 0, target: 'etcd-1', fault: 'remove' }], topology, kinds), /only a node \(node-N\) can be removed/);
  assert.throws(() => parsePlan([{ atMs: 10, target: 'node-2', fault: 'kill' }, { atMs: 0, target: 'node-2', fault: 'remove' }], topology, kinds), /node-2 is removed before its kill at 10ms/);
});
