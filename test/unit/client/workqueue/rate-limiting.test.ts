import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../../../pkg/client/clock.js';
import {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  RateLimitingWorkQueue,
  defaultControllerRateLimiter,
  type QueueMetrics,
} from '../../../../pkg/client/workqueue/index.js';

test('per-item backoff doubles from 5 ms and stops growing at 1000 s', () => {
  const l = new ItemExponentialFailureRateLimiter<string>(5, 1_000_000);
  const delays = Array.from({ length: 21 }, () => l.when('a'));
  assert.deepEqual(delays.slice(0, 5), [5, 10, 20, 40, 80]);
  assert.equal(delays[17], 655_360);
  assert.equal(delays[18], 1_000_000);
  assert.equal(delays[20], 1_000_000);
  assert.equal(l.numRequeues('a'), 21);
  assert.equal(l.when('b'), 5, 'items back off independently');
});

test('forget resets an item\'s backoff', () => {
  const l = new ItemExponentialFailureRateLimiter<string>(5, 1_000_000);
  l.when('a');
  l.when('a');
  l.forget('a');
  assert.equal(l.numRequeues('a'), 0);
  assert.equal(l.when('a'), 5);
});

test('the token bucket lets a burst through, then spaces tries at its rate and refills with time', () => {
  const clock = new FakeClock();
  const b = new BucketRateLimiter<string>(10, 100, clock);
  const burst = Array.from({ length: 100 }, (_, i) => b.when(`k${i}`));
  assert.ok(burst.every((d) => d === 0));
  assert.deepEqual([b.when('x'), b.when('y'), b.when('z')], [100, 200, 300]);
  clock.advance(1000);
  // Ten tokens came back, three of them were already promised.
  assert.equal(b.when('w'), 0);
});

test('the default controller limiter takes the larger of item backoff and the shared bucket', () => {
  const clock = new FakeClock();
  const l = defaultControllerRateLimiter<string>(clock);
  assert.deepEqual([l.when('a'), l.when('a'), l.when('a')], [5, 10, 20]);
  for (let i = 0; i < 97; i++) l.when(`other-${i}`);
  // The bucket is empty now: a fresh item waits for a token, not 5 ms.
  assert.equal(l.when('fresh'), 100);
  assert.equal(l.numRequeues('a'), 3);
  l.forget('a');
  assert.equal(l.numRequeues('a'), 0);
});

test('a max-of limiter needs at least one limiter', () => {
  assert.throws(() => new MaxOfRateLimiter<string>(), /at least one limiter/);
});

test('addRateLimited requeues an item after a growing delay until it is forgotten', async () => {
  const clock = new FakeClock();
  const retried: number[] = [];
  const metrics: QueueMetrics<string> = { retried: (e) => retried.push(e.requeues) };
  const q = new RateLimitingWorkQueue<string>({ clock, metrics, rateLimiter: new ItemExponentialFailureRateLimiter(5, 1_000_000) });
  const waits: number[] = [];
  for (let i = 0; i < 4; i++) {
    q.addRateLimited('a');
    waits.push(clock.nextTimerAt()! - clock.now());
    clock.advance(waits[i]!);
    assert.equal(await q.get(), 'a');
    q.done('a');
  }
  assert.deepEqual(waits, [5, 10, 20, 40]);
  assert.deepEqual(retried, [1, 2, 3, 4]);
  assert.equal(q.numRequeues('a'), 4);
  q.forget('a');
  assert.equal(q.numRequeues('a'), 0);
  q.addRateLimited('a');
  assert.equal(clock.nextTimerAt()! - clock.now(), 5);
});

test('a rate-limited add after shutdown is ignored', () => {
  const clock = new FakeClock();
  const q = new RateLimitingWorkQueue<string>({ clock });
  q.shutDown();
  q.addRateLimited('a');
  assert.equal(q.numRequeues('a'), 0);
  assert.equal(clock.pendingTimers(), 0);
});
