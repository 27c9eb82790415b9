import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../../pkg/api/core/v1/pod-types.js';
import type { DaemonSetHistory, DeploymentHistory, FaultRecord, JobHistory, JobRecord, StatefulSetHistory, FinalState, ObjectState, RelistRecord, WatchHistory, WatchRecord, WriteRecord } from '../../../test/chaos/history.js';
import { OrdinalHolders } from '../../../test/chaos/statefulsets.js';
import {
  checkDaemonSetConverges,
  checkStatefulSets,
  checkContainersAdopted,
  checkJobsCountedOnce,
  checkPodsWithinSurge,
  checkWorkloadsConverge,
  checkAcknowledgedWritesDurable,
  checkAvailability,
  checkNoLeakedProcesses,
  checkPodsScheduled,
  checkSingleActingLeader,
  checkNoStuckRequests,
  checkResourceVersionsGrow,
  checkWatchComplete,
  findLostWrites,
} from '../../../test/chaos/invariants.js';

/** A write; times default to id*10 (sent) and id*10+5 (answered), so ids give the real-time order. */
function w(id: number, op: WriteRecord['op'], key: string, outcome: WriteRecord['outcome'], extra: Partial<WriteRecord> = {}): WriteRecord {
  return { id, worker: 0, key, op, sentAt: id * 10, endedAt: id * 10 + 5, outcome, ...extra };
}

function final(objects: Record<string, ObjectState>, listRv = 1000): FinalState {
  return { listRv, objects: new Map(Object.entries(objects)) };
}

/** The events a perfect watch would deliver for the acknowledged writes (deletes at rv+1 of their precondition). */
function eventsFor(writes: readonly WriteRecord[]): WatchRecord[] {
  const out: WatchRecord[] = [];
  for (const x of writes) {
    if (x.outcome !== 'acknowledged') continue;
    if (x.op === 'delete') out.push({ type: 'DELETED', key: x.key, rv: (x.precondition ?? 0) + 1, uid: x.uid ?? '', at: x.endedAt, stream: 1, synthetic: false });
    else out.push({ type: x.op === 'create' ? 'ADDED' : 'MODIFIED', key: x.key, rv: x.rv ?? 0, uid: x.uid ?? '', writeId: x.id, at: x.endedAt, stream: 1, synthetic: false });
  }
  return out;
}

function history(events: WatchRecord[], relists: RelistRecord[] = [], caughtUp = true): WatchHistory {
  return { events, relists, streams: 1, reconnects: 0, idleReconnects: 0, errors: [], caughtUp };
}

// create a (rv 10), update a (rv 20), create b (rv 30), delete b (precondition 30).
const base: WriteRecord[] = [
  w(1, 'create', 'a', 'acknowledged', { rv: 10, uid: 'ua' }),
  w(2, 'update', 'a', 'acknowledged', { rv: 20, uid: 'ua', precondition: 10 }),
  w(3, 'create', 'b', 'acknowledged', { rv: 30, uid: 'ub' }),
  w(4, 'delete', 'b', 'acknowledged', { uid: 'ub', precondition: 30 }),
];
const baseFinal = final({ a: { rv: 20, uid: 'ua', writeId: 2 } });

const durableCases: { name: string; writes: WriteRecord[]; final: FinalState; pass: boolean; lost?: number[] }[] = [
  { name: 'a final state matching the last acknowledged write of each key passes', writes: base, final: baseFinal, pass: true },
  { name: 'an object back at an older acknowledged write loses the newer one', writes: base, final: final({ a: { rv: 10, uid: 'ua', writeId: 1 } }), pass: false, lost: [2] },
  { name: 'an acknowledged update missing from the final state is lost', writes: base, final: final({}), pass: false, lost: [2] },
  { name: 'an acknowledged delete whose object is still there is lost', writes: base, final: final({ a: { rv: 20, uid: 'ua', writeId: 2 }, b: { rv: 30, uid: 'ub', writeId: 3 } }), pass: false, lost: [4] },
  {
    name: 'a later unknown-outcome update explains a newer final state',
    writes: [...base, w(5, 'update', 'a', 'unknown', { precondition: 20 })],
    final: final({ a: { rv: 50, uid: 'ua', writeId: 5 } }),
    pass: true,
  },
  {
    name: 'a later unknown-outcome delete explains an absent object',
    writes: [...base, w(5, 'delete', 'a', 'unknown', { precondition: 20, uid: 'ua' })],
    final: final({}),
    pass: true,
  },
  {
    name: 'an unknown-outcome write sent before the last acknowledged one explains nothing',
    writes: [w(1, 'create', 'a', 'acknowledged', { rv: 10 }), w(2, 'update', 'a', 'unknown', { precondition: 10 }), w(3, 'update', 'a', 'acknowledged', { rv: 30, precondition: 10 })],
    final: final({ a: { rv: 40, uid: 'ua', writeId: 2 } }),
    pass: false,
    lost: [3],
  },
  {
    name: 'a refused write that took effect fails',
    writes: [w(1, 'create', 'a', 'acknowledged', { rv: 10 }), w(2, 'update', 'a', 'failed', { precondition: 9 })],
    final: final({ a: { rv: 20, uid: 'ua', writeId: 2 } }),
    pass: false,
  },
  { name: 'an object no write made fails', writes: [], final: final({ x: { rv: 5, uid: 'ux' } }), pass: false },
  {
    name: 'the acknowledged write with a different resourceVersion than the final object fails',
    writes: [w(1, 'create', 'a', 'acknowledged', { rv: 10 })],
    final: final({ a: { rv: 11, uid: 'ua', writeId: 1 } }),
    pass: false,
  },
  { name: 'unknown-outcome creates that never happened leave nothing to explain', writes: [w(1, 'create', 'a', 'unknown')], final: final({}), pass: true },
];
for (const tc of durableCases) {
  test(tc.name, () => {
    const r = checkAcknowledgedWritesDurable(tc.writes, tc.final);
    assert.equal(r.pass, tc.pass, r.details.join('\n'));
    if (tc.lost) assert.deepEqual(findLostWrites(tc.writes, tc.final).lost.map((l) => l.write.id), tc.lost);
  });
}

const rvCases: { name: string; writes: WriteRecord[]; events: WatchRecord[]; pass: boolean }[] = [
  { name: 'growing resourceVersions pass', writes: base, events: eventsFor(base), pass: true },
  {
    name: 'an acknowledged update with a smaller resourceVersion than the previous write of its key fails',
    writes: [w(1, 'create', 'a', 'acknowledged', { rv: 10 }), w(2, 'update', 'a', 'acknowledged', { rv: 9 })],
    events: [],
    pass: false,
  },
  {
    name: 'a write sent after another was acknowledged with a smaller resourceVersion fails across keys',
    writes: [w(1, 'create', 'a', 'acknowledged', { rv: 10 }), w(2, 'create', 'b', 'acknowledged', { rv: 5 })],
    events: [],
    pass: false,
  },
  {
    name: 'concurrent writes may be ordered either way',
    writes: [w(1, 'create', 'a', 'acknowledged', { rv: 10, endedAt: 100 }), w(2, 'create', 'b', 'acknowledged', { rv: 5, sentAt: 15, endedAt: 100 })],
    events: [],
    pass: true,
  },
  {
    name: 'a watch event older than the previous event of its key fails',
    writes: [],
    events: [
      { type: 'ADDED', key: 'a', rv: 10, uid: 'ua', at: 1, stream: 1, synthetic: false },
      { type: 'MODIFIED', key: 'a', rv: 8, uid: 'ua', at: 2, stream: 2, synthetic: false },
    ],
    pass: false,
  },
];
for (const tc of rvCases) {
  test(tc.name, () => {
    const r = checkResourceVersionsGrow(tc.writes, tc.events);
    assert.equal(r.pass, tc.pass, r.details.join('\n'));
  });
}

const baseEvents = eventsFor(base);
const watchCases: { name: string; writes: WriteRecord[]; watch: WatchHistory; final: FinalState; pass: boolean; match?: RegExp }[] = [
  { name: 'a watch showing every acknowledged write once passes', writes: base, watch: history(baseEvents), final: baseFinal, pass: true },
  { name: 'a missing event for an acknowledged update is a gap', writes: base, watch: history(baseEvents.filter((e) => e.rv !== 20)), final: baseFinal, pass: false, match: /gap: no event for the acknowledged update #2/ },
  { name: 'a missing DELETED event for an acknowledged delete is a gap', writes: base, watch: history(baseEvents.filter((e) => e.type !== 'DELETED')), final: baseFinal, pass: false, match: /gap: no DELETED event/ },
  {
    name: 'an event delivered twice after a reconnect is a duplicate',
    writes: base,
    watch: history([...baseEvents.slice(0, 2), { ...baseEvents[1]!, stream: 2 }, ...baseEvents.slice(2)]),
    final: baseFinal,
    pass: false,
    match: /duplicate: rv=20/,
  },
  {
    name: 'writes hidden by a relist after 410 Gone are excused',
    writes: base,
    watch: history(
      [baseEvents[0]!, { ...baseEvents[1]!, synthetic: true, stream: 0 }, { type: 'DELETED', key: 'b', rv: 40, uid: 'ub', at: 50, stream: 0, synthetic: true }],
      [{ at: 50, reason: 'gone', fromRv: 10, listRv: 40 }],
    ),
    final: baseFinal,
    pass: true,
  },
  {
    name: 'a delete inside a 410 gap whose key the workload made again before the relist is excused (the list shows a new object, not a deletion)',
    writes: [...base, w(5, 'create', 'b', 'acknowledged', { rv: 50, uid: 'ub2' })],
    watch: history([...baseEvents.slice(0, 3), { type: 'MODIFIED', key: 'b', rv: 50, uid: 'ub2', writeId: 5, at: 60, stream: 0, synthetic: true }], [{ at: 60, reason: 'gone', fromRv: 30, listRv: 50 }]),
    final: final({ a: { rv: 20, uid: 'ua', writeId: 2 }, b: { rv: 50, uid: 'ub2', writeId: 5 } }),
    pass: true,
  },
  {
    name: 'a delete acknowledged after the relist still needs its DELETED event',
    writes: [...base, w(5, 'create', 'b', 'acknowledged', { rv: 50, uid: 'ub2' })],
    watch: history([...baseEvents.slice(0, 3), { type: 'MODIFIED', key: 'b', rv: 50, uid: 'ub2', writeId: 5, at: 60, stream: 0, synthetic: true }], [{ at: 44, reason: 'gone', fromRv: 30, listRv: 50 }]),
    final: final({ a: { rv: 20, uid: 'ua', writeId: 2 }, b: { rv: 50, uid: 'ub2', writeId: 5 } }),
    pass: false,
    match: /gap: no DELETED event for the acknowledged delete #4/,
  },
  {
    name: 'an event from a refused write is a phantom',
    writes: [...base, w(5, 'update', 'a', 'failed', { precondition: 10 })],
    watch: history([...baseEvents, { type: 'MODIFIED', key: 'a', rv: 60, uid: 'ua', writeId: 5, at: 60, stream: 1, synthetic: false }]),
    final: final({ a: { rv: 60, uid: 'ua', writeId: 5 } }),
    pass: false,
    match: /phantom/,
  },
  { name: 'a watcher that never caught up fails', writes: base, watch: history(baseEvents, [], false), final: baseFinal, pass: false, match: /fence/ },
  {
    name: 'a watcher state different from the final list fails',
    writes: base,
    watch: history(baseEvents),
    final: final({ a: { rv: 20, uid: 'ua', writeId: 2 }, c: { rv: 90, uid: 'uc' } }),
    pass: false,
    match: /final list has c/,
  },
];
for (const tc of watchCases) {
  test(tc.name, () => {
    const r = checkWatchComplete(tc.writes, tc.watch, tc.final);
    assert.equal(r.pass, tc.pass, r.details.join('\n'));
    if (tc.match) assert.ok(r.details.some((d) => tc.match!.test(d)), r.details.join('\n'));
  });
}

function fault(extra: Partial<FaultRecord>): FaultRecord {
  return { index: 0, step: { atMs: 0, target: 'etcd-0', fault: 'kill' }, fault: 'kill', component: 'etcd-0', injectedAt: 0, boundAnyMs: 30_000, boundFaultedMs: 31_000, ...extra };
}

const availabilityCases: { name: string; faults: FaultRecord[]; pass: boolean }[] = [
  { name: 'faults healed within their bounds pass', faults: [fault({ unavailableAnyMs: 50, unavailableFaultedMs: 1500, recoveredMs: 2000 })], pass: true },
  { name: 'an API down longer than the bound fails', faults: [fault({ unavailableAnyMs: 40_000, unavailableFaultedMs: 1500, recoveredMs: 41_000 })], pass: false },
  { name: 'a faulted component back after its bound fails', faults: [fault({ unavailableAnyMs: 10, unavailableFaultedMs: 32_000, recoveredMs: 32_000 })], pass: false },
  { name: 'a component that never came back fails', faults: [fault({ unavailableAnyMs: 10 })], pass: false },
  { name: 'a fault that could not be injected fails', faults: [fault({ error: 'etcd-0 has no running process' })], pass: false },
  { name: 'a skipped fault is not held against the cluster', faults: [fault({ skipped: 'the run ended', injectedAt: undefined })], pass: true },
];
for (const tc of availabilityCases) {
  test(tc.name, () => {
    assert.equal(checkAvailability(tc.faults).pass, tc.pass);
  });
}

test('a request the watchdog gave up on fails the hang check', () => {
  assert.equal(checkNoStuckRequests(base).pass, true);
  assert.equal(checkNoStuckRequests([...base, w(9, 'update', 'a', 'unknown', { stuck: true })]).pass, false);
});

test('a process still running after the cluster stopped is a leak', () => {
  const p = { name: 'etcd-1', id: 'pid 123' };
  assert.equal(checkNoLeakedProcesses({ tracked: [p], leaked: [] }).pass, true);
  const r = checkNoLeakedProcesses({ tracked: [p], leaked: [p] });
  assert.equal(r.pass, false);
  assert.deepEqual(r.details, ['etcd-1 (pid 123) still runs after the cluster stopped']);
});

test('never two acting leaders: bindings by the Lease holder of their revision pass', () => {
  const r = checkSingleActingLeader({
    leases: [
      { rv: 10, holder: 'a', transitions: 0 },
      { rv: 20, holder: 'b', transitions: 1 },
    ],
    bindings: [
      { pod: 'p1', node: 'n', rv: 15, at: 0, binder: 'a' },
      { pod: 'p2', node: 'n', rv: 25, at: 0, binder: 'b' },
    ],
    created: 2,
    unbound: [],
  });
  assert.equal(r.pass, true, r.summary);
});

test('never two acting leaders: a binding by a deposed holder fails, naming the holder of the time', () => {
  const r = checkSingleActingLeader({
    leases: [
      { rv: 10, holder: 'a', transitions: 0 },
      { rv: 20, holder: 'b', transitions: 1 },
      { rv: 30, holder: 'b', transitions: 1 },
    ],
    bindings: [{ pod: 'late', node: 'n', rv: 21, at: 0, binder: 'a' }],
    created: 1,
    unbound: [],
  });
  assert.equal(r.pass, false);
  assert.deepEqual(r.details, ['pod late was bound at rv=21 by a while the Lease was held by b (leaseTransitions 1, from rv=20 to at least rv=30)']);
});

test('never two acting leaders: a binding where the history changes term unseen is not judged', () => {
  const r = checkSingleActingLeader({
    leases: [
      { rv: 10, holder: 'a', transitions: 0 },
      { rv: 30, holder: 'b', transitions: 1 },
    ],
    bindings: [
      { pod: 'p', node: 'n', rv: 20, at: 0, binder: 'b' },
      { pod: 'q', node: 'n', rv: 40, at: 0, binder: 'a' },
      { pod: 'r', node: 'n', rv: 15, at: 0, binder: 'a' },
    ],
    created: 3,
    unbound: [],
  });
  assert.equal(r.pass, true);
  assert.match(r.summary, /^1 binding\(s\) made by the Lease holder of their revision, over 2 term\(s\) \(2 not judged/);
});

test('never two acting leaders: a run where no binding could be judged fails (it proves nothing)', () => {
  const none = checkSingleActingLeader({ leases: [{ rv: 10, holder: 'a', transitions: 0 }], bindings: [], created: 0, unbound: [] });
  assert.equal(none.pass, false);
  assert.deepEqual(none.details, ['no binding could be judged (0 made, 0 not judged): nothing shows a single acting leader']);
  const unjudgedOnly = checkSingleActingLeader({
    leases: [
      { rv: 10, holder: 'a', transitions: 0 },
      { rv: 30, holder: 'b', transitions: 1 },
    ],
    bindings: [{ pod: 'p', node: 'n', rv: 20, at: 0, binder: 'b' }],
    created: 1,
    unbound: [],
  });
  assert.equal(unjudgedOnly.pass, false);
});

test('every pod gets scheduled lists the pods never bound', () => {
  const r = checkPodsScheduled({ leases: [], bindings: [], created: 2, unbound: ['x'] });
  assert.equal(r.pass, false);
  assert.deepEqual(r.details, ['pod x was never bound']);
});

const apps = (...ds: Partial<DeploymentHistory['deployments'][number]>[]): DeploymentHistory => ({
  boundMs: 60_000,
  standIn: { readyWrites: 0, errors: 0 },
  deployments: ds.map((d, i) => ({ name: `d${i}`, replicasSent: [3], changes: 0, last: 'spec 3', peakPods: 3, podBound: 4, ...d })),
});

test('workloads converge fails for a Deployment that never matched its spec, naming its last state', () => {
  const r = checkWorkloadsConverge(apps({ convergedAfterMs: 1200 }, { last: 'spec 3, replicas 2 updated 2 available 2, pods 2' }));
  assert.equal(r.pass, false);
  assert.deepEqual(r.details, ['d1 did not converge within 60s: spec 3, replicas 2 updated 2 available 2, pods 2']);
  assert.equal(checkWorkloadsConverge(apps({ convergedAfterMs: 1200 }, { convergedAfterMs: 10 })).pass, true);
});

test('never above replicas + maxSurge compares the peak with the most replicas ever asked for plus the surge', () => {
  const r = checkPodsWithinSurge(apps({ replicasSent: [2, 5, 1], peakPods: 7, podBound: 7 }, { replicasSent: [4], peakPods: 6, podBound: 5, peakPodNames: ['p1 (ReplicaSet/d1-a, created 1)', 'p2 (ReplicaSet/d1-b, created 2)'] }));
  assert.equal(r.pass, false);
  assert.deepEqual(r.details, ['d1 ran 6 pods at once; asked for at most 4 replicas, so the bound was 5; alive then: p1 (ReplicaSet/d1-a, created 1); p2 (ReplicaSet/d1-b, created 2)']);
});

test('containers adopted: one container ID and restart count 0 per pod container, else each offender is named', () => {
  const runs = (...r: [number, string][]): { restartCount: number; containerId: string }[] => r.map(([restartCount, containerId]) => ({ restartCount, containerId }));
  const history = (containers: DeploymentHistory['containers']): DeploymentHistory => ({ boundMs: 60_000, deployments: [], standIn: { readyWrites: 0, errors: 0 }, containers });
  const ok = checkContainersAdopted(history([{ container: 'ns/a (u1) app', runs: runs([0, 'kubets-fake://aaa']) }, { container: 'ns/b (u2) app', runs: runs([0, 'kubets-fake://bbb']) }]));
  assert.equal(ok.pass, true, ok.summary);
  const started = checkContainersAdopted(
    history([
      { container: 'ns/a (u1) app', runs: runs([0, 'kubets-fake://aaa'], [0, 'kubets-fake://ccc']) },
      { container: 'ns/b (u2) app', runs: runs([0, 'kubets-fake://bbb'], [1, 'kubets-fake://ddd']) },
      { container: 'ns/c (u3) app', runs: runs([0, 'kubets-fake://eee']) },
    ]),
  );
  assert.equal(started.pass, false);
  assert.deepEqual(started.details, [
    'ns/a (u1) app: 2 container IDs, restart count up to 0 (0:aaa → 0:ccc)',
    'ns/b (u2) app: 2 container IDs, restart count up to 1 (0:bbb → 1:ddd)',
  ]);
});

test('containers adopted: one restart after a start the runtime never completed (no startedAt before it) is not a second start; a second restart is', () => {
  const history = (containers: DeploymentHistory['containers']): DeploymentHistory => ({ boundMs: 60_000, deployments: [], standIn: { readyWrites: 0, errors: 0 }, containers });
  const ok = checkContainersAdopted(
    history([
      { container: 'ns/a (u1) app', runs: [{ restartCount: 1, containerId: 'containerd://aaa', previousNeverStarted: true }] },
      { container: 'ns/b (u2) app', runs: [{ restartCount: 0, containerId: 'containerd://bbb' }, { restartCount: 1, containerId: 'containerd://ccc', previousNeverStarted: true }] },
    ]),
  );
  assert.equal(ok.pass, true, ok.summary);
  assert.equal(ok.summary, 'all 2 pod containers kept one container ID and never restarted (2 restarted once after a start the runtime never completed)');
  const twice = checkContainersAdopted(
    history([
      { container: 'ns/a (u1) app', runs: [{ restartCount: 1, containerId: 'containerd://aaa', previousNeverStarted: true }, { restartCount: 2, containerId: 'containerd://ddd', previousNeverStarted: true }] },
      { container: 'ns/b (u2) app', runs: [{ restartCount: 0, containerId: 'containerd://bbb' }, { restartCount: 1, containerId: 'containerd://ccc' }] },
    ]),
  );
  assert.deepEqual(twice.details, ['ns/a (u1) app: 2 container IDs, restart count up to 2 (1:aaa → 2:ddd)', 'ns/b (u2) app: 2 container IDs, restart count up to 1 (0:bbb → 1:ccc)']);
});

test('jobs count every completion once: a Job that counted other than its completions, ran more pods to success, or did not finish is named; one never created is not judged', () => {
  const job = (name: string, extra: Partial<JobRecord> = {}): JobRecord => ({ name, indexed: false, doneAfterMs: 500, last: 'state', succeeded: 4, failed: 0, succeededPods: 4, completedIndexes: '', ...extra });
  const h = (...jobs: JobRecord[]): JobHistory => ({ boundMs: 60_000, completions: 4, jobs });
  const ok = checkJobsCountedOnce(h(job('a', { failed: 2 }), job('b', { indexed: true, completedIndexes: '0-3' }), job('c', { neverCreated: true, succeeded: 0, succeededPods: 0 }), job('evicted', { succeededPods: 3 })));
  assert.equal(ok.pass, true, ok.summary);
  assert.equal(ok.summary, 'all 3 Jobs counted exactly 4 completions (2 failed pod(s) retried on the way), done 500 ms after the faults at most');
  const bad = checkJobsCountedOnce(h(job('twice', { succeeded: 5 }), job('extra-pod', { succeededPods: 5 }), job('slow', { doneAfterMs: undefined, last: 'conditions []' }), job('gap', { indexed: true, completedIndexes: '0,1,3' })));
  assert.equal(bad.pass, false);
  assert.deepEqual(bad.details, [
    'twice counted 5 successes with 4 succeeded pod(s), for 4 completions: state',
    'extra-pod counted 4 successes with 5 succeeded pod(s), for 4 completions: state',
    'slow did not finish within 60s: conditions []',
    'gap completed indexes 0,1,3',
  ]);
});

test('statefulsets: a pod seen while another pod of its name is not deleted is an overlap; a relist starts over from what it lists', () => {
  const pod = (name: string, uid: string): Pod => ({ metadata: { name, uid }, status: { phase: 'Running' } });
  const h = new OrdinalHolders();
  h.observe('ADDED', pod('db-0', 'a'));
  h.observe('MODIFIED', pod('db-0', 'a'));
  h.observe('DELETED', pod('db-0', 'a'));
  h.observe('ADDED', pod('db-0', 'b'));
  assert.deepEqual(h.overlaps, []);
  assert.equal(h.seen, 2);
  // The watch dropped: b was deleted and c made while it was down; the relist shows only c.
  h.relisted([pod('db-0', 'c')]);
  h.observe('MODIFIED', pod('db-0', 'c'));
  assert.deepEqual(h.overlaps, []);
  h.observe('ADDED', pod('db-0', 'd'));
  assert.deepEqual(h.overlaps, ['db-0: pod d (Running) while pod c of that name was not deleted yet']);
});

test('statefulsets and daemonset: an overlap or a set not converged fails, with its last state', () => {
  const sets = (overlaps: string[], convergedAfterMs?: number): StatefulSetHistory => ({
    boundMs: 60_000,
    podsSeen: 9,
    overlaps,
    sets: [{ name: 'db-0', policy: 'OrderedReady', replicasSent: [3], changes: 2, ...(convergedAfterMs !== undefined ? { convergedAfterMs } : {}), last: 'pods [db-0]' }],
  });
  assert.equal(checkStatefulSets(sets([], 100)).pass, true);
  assert.deepEqual(checkStatefulSets(sets(['db-0: two'], 100)).details, ['db-0: two']);
  assert.deepEqual(checkStatefulSets(sets([])).details, ['db-0 (OrderedReady) did not converge within 60s: pods [db-0]']);
  const ds = (extra: Partial<DaemonSetHistory>): DaemonSetHistory => ({ boundMs: 60_000, name: 'agent', created: true, changes: 1, last: 'two pods on [n1]', ...extra });
  assert.equal(checkDaemonSetConverges(ds({ convergedAfterMs: 5 })).pass, true);
  assert.deepEqual(checkDaemonSetConverges(ds({})).details, ['agent did not converge within 60s: two pods on [n1]']);
  assert.equal(checkDaemonSetConverges(ds({ created: false })).pass, true);
});
