import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FaultRecord } from '../../../test/chaos/history.js';
import { buildReport, humanSummary, percentile, unavailabilityByKind } from '../../../test/chaos/report.js';
import { classifyError } from '../../../test/chaos/workload.js';
import { conflict, internalError, notFound, tooManyRequests } from '../../../pkg/api/errors.js';
import { ConnectionError } from '../../../pkg/client/index.js';

const percentileCases: { name: string; values: number[]; p: number; expect: number | undefined }[] = [
  { name: 'the percentile of nothing is undefined', values: [], p: 99, expect: undefined },
  { name: 'the p99 of a few values is their maximum', values: [3, 1, 2], p: 99, expect: 3 },
  { name: 'the p50 of four values is the second smallest', values: [40, 10, 30, 20], p: 50, expect: 20 },
  { name: 'the p99 of a hundred values is the 99th', values: Array.from({ length: 100 }, (_, i) => i + 1), p: 99, expect: 99 },
];
for (const tc of percentileCases) {
  test(tc.name, () => {
    assert.equal(percentile(tc.values, tc.p), tc.expect);
  });
}

test('unavailability is summarised per fault kind, injected faults only', () => {
  const f = (fault: FaultRecord['fault'], any: number | undefined, faulted: number | undefined, injected = true): FaultRecord => ({
    index: 0,
    step: { atMs: 0, target: 'etcd-0', fault },
    fault,
    ...(injected ? { injectedAt: 1 } : { skipped: 'late' }),
    ...(any !== undefined ? { unavailableAnyMs: any } : {}),
    ...(faulted !== undefined ? { unavailableFaultedMs: faulted } : {}),
  });
  const stats = unavailabilityByKind([f('kill', 10.4, 1000), f('kill', 30, 2500.6), f('freeze', 5, 300), f('term', 1, 1, false)]);
  assert.deepEqual(stats.kill, { count: 2, anyMaxMs: 30, anyP99Ms: 30, faultedMaxMs: 2501, faultedP99Ms: 2501 });
  assert.deepEqual(stats.freeze, { count: 1, anyMaxMs: 5, anyP99Ms: 5, faultedMaxMs: 300, faultedP99Ms: 300 });
  assert.deepEqual(stats.term, { count: 0, anyMaxMs: undefined, anyP99Ms: undefined, faultedMaxMs: undefined, faultedP99Ms: undefined });
});

const classifyCases: { name: string; err: unknown; expect: 'failed' | 'unknown' }[] = [
  { name: 'a conflict means the write did not happen', err: conflict({ group: '', resource: 'configmaps' }, 'a', 'stale'), expect: 'failed' },
  { name: 'not found means the write did not happen', err: notFound({ group: '', resource: 'configmaps' }, 'a'), expect: 'failed' },
  { name: 'throttling means the write did not happen', err: tooManyRequests('slow down'), expect: 'failed' },
  { name: 'a server error leaves the outcome unknown', err: internalError(new Error('etcd timeout')), expect: 'unknown' },
  { name: 'a connection lost after sending leaves the outcome unknown', err: new ConnectionError({ server: 'http://127.0.0.1:1', code: 'ECONNRESET', maybeSent: true }), expect: 'unknown' },
  { name: 'a refused connection means the write was never sent', err: new ConnectionError({ server: 'http://127.0.0.1:1', code: 'ECONNREFUSED', maybeSent: true }), expect: 'failed' },
  { name: 'an unexpected error leaves the outcome unknown', err: new Error('boom'), expect: 'unknown' },
];
for (const tc of classifyCases) {
  test(tc.name, () => {
    assert.equal(classifyError(tc.err), tc.expect);
  });
}

test('a report passes only when every invariant passes, and the summary says so', () => {
  const input = {
    seed: 5,
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 60_000,
    interrupted: false,
    namespace: 'chaos-5',
    cluster: { kind: 'local' as const, where: '/tmp/x', kept: false, etcd: [], apiservers: [] },
    plan: [],
    faults: [],
    writes: [{ id: 1, worker: 0, key: 'a', op: 'create' as const, sentAt: 1, endedAt: 2, outcome: 'acknowledged' as const, rv: 10 }],
    lost: [],
    watch: { events: [], relists: [], streams: 1, reconnects: 0, idleReconnects: 0, errors: [], caughtUp: true },
    leaks: { tracked: [], leaked: [] },
    invariants: [{ name: 'x', pass: true, summary: 'fine', details: [] }],
  };
  const ok = buildReport(input);
  assert.equal(ok.passed, true);
  assert.equal(ok.writes.acknowledged, 1);
  assert.match(humanSummary(ok), /seed 5, 60s, 0 fault\(s\): PASS/);
  const bad = buildReport({ ...input, invariants: [{ name: 'x', pass: false, summary: 'broken', details: ['lost: #1'] }] });
  assert.equal(bad.passed, false);
  assert.match(humanSummary(bad), /FAIL x: broken\n {7}lost: #1/);
  assert.equal(buildReport({ ...input, interrupted: true }).passed, false);
});
