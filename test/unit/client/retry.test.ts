import assert from 'node:assert/strict';
import { test } from 'node:test';
import { badRequest, notFound, serviceUnavailable, timeout, tooManyRequests } from '../../../pkg/api/errors.js';
import { Backoff, ConnectionError, backoffDelay, defaultRetryPolicy, isTransientError, retry, retryAfterMs, sleep, type RetryDecision } from '../../../pkg/client/index.js';
import { recordingSleep } from './server.fixture.js';

const policy = { ...defaultRetryPolicy, initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 };

test('backoff doubles from the initial delay and stops at the cap', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((s) => backoffDelay(policy, s)),
    [100, 200, 400, 800, 1000, 1000],
  );
});

const jitterCases: { name: string; step: number; random: number; expect: number }[] = [
  { name: 'jitter with a random 0 keeps the full delay', step: 3, random: 0, expect: 800 },
  { name: 'jitter with a random near 1 shortens the delay by the jitter fraction', step: 3, random: 0.999, expect: 400 },
  { name: 'jitter never pushes a delay above the cap', step: 10, random: 0, expect: 1000 },
];
for (const tc of jitterCases) {
  test(tc.name, () => {
    assert.equal(backoffDelay({ ...policy, jitter: 0.5 }, tc.step, () => tc.random), tc.expect);
  });
}

test('a Backoff grows on next() and starts over after reset()', () => {
  const b = new Backoff({ initialMs: 10, maxMs: 30, jitter: 0 });
  assert.deepEqual([b.next(), b.next(), b.next()], [10, 20, 30]);
  b.reset();
  assert.equal(b.next(), 10);
});

const decisionCases: { name: string; decide: RetryDecision; expectDelays: number[]; expectCalls: number }[] = [
  { name: 'stop throws the first error without waiting', decide: 'stop', expectDelays: [], expectCalls: 1 },
  { name: 'now retries without waiting', decide: 'now', expectDelays: [], expectCalls: 3 },
  { name: 'backoff waits growing delays', decide: 'backoff', expectDelays: [100, 200], expectCalls: 3 },
  { name: 'a server-requested delay is waited as given', decide: { afterMs: 1500 }, expectDelays: [1500, 1500], expectCalls: 3 },
];
for (const tc of decisionCases) {
  test(tc.name, async () => {
    const rec = recordingSleep();
    let calls = 0;
    const run = retry(
      async () => {
        calls++;
        if (calls < 3) throw new Error(`fail ${calls}`);
        return 'ok';
      },
      { policy, sleep: rec.sleep, decide: () => tc.decide },
    );
    if (tc.decide === 'stop') await assert.rejects(run, /fail 1/);
    else assert.equal(await run, 'ok');
    assert.equal(calls, tc.expectCalls);
    assert.deepEqual(rec.delays, tc.expectDelays);
  });
}

test('a server-requested delay is capped by maxRetryAfterMs', async () => {
  const rec = recordingSleep();
  let calls = 0;
  await retry(
    async () => {
      if (calls++ === 0) throw new Error('x');
    },
    { policy: { ...policy, maxRetryAfterMs: 5000 }, sleep: rec.sleep, decide: () => ({ afterMs: 3_600_000 }) },
  );
  assert.deepEqual(rec.delays, [5000]);
});

test('the default decision retries transient errors with their Retry-After and stops on others', async () => {
  const rec = recordingSleep();
  const errors = [tooManyRequests('busy', 3), serviceUnavailable('down'), badRequest('no')];
  await assert.rejects(
    retry(
      async (attempt) => {
        throw errors[attempt];
      },
      { policy, sleep: rec.sleep },
    ),
    /no/,
  );
  assert.deepEqual(rec.delays, [3000, 200]);
});

test('aborting during a wait rejects with the signal reason', async () => {
  const ac = new AbortController();
  const run = retry(
    async () => {
      throw serviceUnavailable('down');
    },
    { policy: { ...policy, initialMs: 10_000, maxMs: 10_000 }, signal: ac.signal },
  );
  setTimeout(() => ac.abort(new Error('stopped')), 20);
  await assert.rejects(run, /stopped/);
});

test('sleep rejects at once on an aborted signal', async () => {
  await assert.rejects(sleep(1000, AbortSignal.abort(new Error('already'))), /already/);
});

const transientCases: { name: string; err: unknown; transient: boolean; afterMs?: number }[] = [
  { name: 'a connection error is transient', err: new ConnectionError({ server: 'http://x', code: 'ECONNREFUSED', maybeSent: false }), transient: true },
  { name: 'a 429 is transient and carries its delay', err: tooManyRequests('x', 4), transient: true, afterMs: 4000 },
  { name: 'a 504 Timeout is transient', err: timeout('x', 2), transient: true, afterMs: 2000 },
  { name: 'a 503 is transient', err: serviceUnavailable('x'), transient: true },
  { name: 'a 404 is not transient', err: notFound({ group: '', resource: 'pods' }, 'a'), transient: false },
  { name: 'a plain Error is not transient', err: new Error('bug'), transient: false },
];
for (const tc of transientCases) {
  test(tc.name, () => {
    assert.equal(isTransientError(tc.err), tc.transient);
    assert.equal(retryAfterMs(tc.err), tc.afterMs);
  });
}

test('a ConnectionError for a refused connection is never marked as possibly sent', () => {
  assert.equal(new ConnectionError({ server: 's', code: 'ECONNREFUSED', maybeSent: true }).maybeSent, false);
  assert.equal(new ConnectionError({ server: 's', code: 'ECONNRESET', maybeSent: true }).maybeSent, true);
});
