import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock, realClock } from '../../../pkg/client/clock.js';

test('advancing a fake clock fires due timers in time order, creation order breaking ties', () => {
  const c = new FakeClock(1000);
  const fired: string[] = [];
  c.setTimer(30, () => fired.push('c@30'));
  c.setTimer(10, () => fired.push('a@10'));
  c.setTimer(10, () => fired.push('b@10'));
  c.setTimer(50, () => fired.push('d@50'));
  c.advance(30);
  assert.deepEqual(fired, ['a@10', 'b@10', 'c@30']);
  assert.equal(c.now(), 1030);
  assert.equal(c.pendingTimers(), 1);
  assert.equal(c.nextTimerAt(), 1050);
});

test('a timer scheduled by a firing timer fires in the same advance when it falls due inside it', () => {
  const c = new FakeClock();
  const seen: number[] = [];
  c.setTimer(10, () => {
    seen.push(c.now());
    c.setTimer(10, () => seen.push(c.now()));
  });
  c.advance(25);
  assert.deepEqual(seen, [10, 20]);
  assert.equal(c.now(), 25);
});

test('a cancelled timer never fires', () => {
  const c = new FakeClock();
  let fired = false;
  const t = c.setTimer(5, () => (fired = true));
  t.cancel();
  c.advance(10);
  assert.equal(fired, false);
  assert.equal(c.pendingTimers(), 0);
});

test('a fake sleep resolves only once the clock has advanced past it', async () => {
  const c = new FakeClock();
  let done = false;
  const p = c.sleep(100).then(() => (done = true));
  c.advance(99);
  await Promise.resolve();
  assert.equal(done, false);
  c.advance(1);
  await p;
  assert.equal(done, true);
});

test('a sleep rejects with the abort reason when its signal aborts, and leaves no timer behind', async () => {
  for (const clock of [new FakeClock(), realClock]) {
    const ac = new AbortController();
    const p = clock.sleep(60_000, ac.signal);
    ac.abort(new Error('stop'));
    await assert.rejects(p, /stop/);
    if (clock instanceof FakeClock) assert.equal(clock.pendingTimers(), 0);
  }
});

test('the clock refuses to go backwards', () => {
  assert.throws(() => new FakeClock().advance(-1), /backwards/);
});
