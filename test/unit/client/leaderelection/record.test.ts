import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heldByOther, microTime, nextRecord, observe, recordOf, releasedRecord, specOf, type LeaderRecord } from '../../../../pkg/client/leaderelection/record.js';

const held: LeaderRecord = { holderIdentity: 'a', leaseDurationSeconds: 2, acquireTime: '2026-01-01T00:00:00.000000Z', renewTime: '2026-01-01T00:00:01.000000Z', leaseTransitions: 3 };

test('the observation clock restarts only when the record changes', () => {
  const first = observe(undefined, held, 100);
  assert.equal(first.observedAt, 100);
  assert.equal(observe(first, { ...held }, 900).observedAt, 100);
  assert.equal(observe(first, { ...held, renewTime: '2026-01-01T00:00:02.000000Z' }, 900).observedAt, 900);
});

const expiryCases: [string, LeaderRecord, string, number, boolean][] = [
  ['another holder within the lease duration of our observation holds it', held, 'b', 1_999, true],
  ['another holder whose record stayed unchanged for the whole duration has let it expire', held, 'b', 2_000, false],
  ['we hold it ourselves', held, 'a', 500, false],
  ['nobody holds a released lease', { ...held, holderIdentity: '' }, 'b', 0, false],
];
for (const [name, record, me, now, expected] of expiryCases) {
  test(`held by other: ${name}`, () => {
    assert.equal(heldByOther({ record, observedAt: 0 }, me, now), expected);
  });
}

test('renewing keeps the term: same acquireTime and transitions, a new renewTime', () => {
  const r = nextRecord(held, 'a', 2, Date.UTC(2026, 0, 1, 0, 0, 5, 123));
  assert.deepEqual(r, { ...held, renewTime: '2026-01-01T00:00:05.123000Z' });
});

test('taking over starts a new term with one more transition', () => {
  const r = nextRecord(held, 'b', 2, Date.UTC(2026, 0, 1, 0, 0, 9));
  assert.equal(r.holderIdentity, 'b');
  assert.equal(r.leaseTransitions, 4);
  assert.equal(r.acquireTime, '2026-01-01T00:00:09.000000Z');
  assert.equal(r.renewTime, r.acquireTime);
});

test('the first holder of a new lease starts at zero transitions', () => {
  assert.equal(nextRecord(undefined, 'a', 2, 0).leaseTransitions, 0);
});

test('re-acquiring after our own release is a new term, so tokens of the old term stay stale', () => {
  const released = releasedRecord(held, 0);
  assert.equal(released.holderIdentity, '');
  assert.equal(released.leaseDurationSeconds, 1);
  assert.equal(nextRecord(released, 'a', 2, 0).leaseTransitions, 4);
});

test('MicroTime has six fractional digits', () => {
  assert.equal(microTime(Date.UTC(2026, 10, 23, 1, 2, 3, 45)), '2026-11-23T01:02:03.045000Z');
});

test('a record survives the round trip through a Lease spec; an empty holder is omitted', () => {
  assert.deepEqual(recordOf(specOf(held)), held);
  assert.equal('holderIdentity' in specOf({ ...held, holderIdentity: '' }), false);
});
