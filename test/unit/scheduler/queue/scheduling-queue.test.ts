import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../../pkg/client/clock.js';
import { SchedulingQueue, type QueuedPod } from '../../../../pkg/scheduler/queue/scheduling-queue.js';

interface P {
  name: string;
  priority: number;
}

function queue(clock = new FakeClock()): { q: SchedulingQueue<P>; clock: FakeClock } {
  const q = new SchedulingQueue<P>({
    keyOf: (p) => p.name,
    less: (a: QueuedPod<P>, b: QueuedPod<P>) => (a.pod.priority !== b.pod.priority ? a.pod.priority > b.pod.priority : a.timestamp < b.timestamp),
    clock,
  });
  return { q, clock };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('pods pop by priority, then by the time they were queued', async () => {
  const { q, clock } = queue();
  q.add({ name: 'low', priority: 0 });
  clock.advance(1);
  q.add({ name: 'high', priority: 10 });
  clock.advance(1);
  q.add({ name: 'low-later', priority: 0 });
  const order = [];
  for (let i = 0; i < 3; i++) order.push((await q.pop())!.key);
  assert.deepEqual(order, ['high', 'low', 'low-later']);
});

test('adding a queued pod again updates it instead of queueing it twice', () => {
  const { q } = queue();
  q.add({ name: 'a', priority: 0 });
  q.add({ name: 'a', priority: 5 });
  assert.deepEqual(q.stats(), { active: 1, backoff: 0, unschedulable: 0 });
});

test('pop waits for a pod and returns undefined when the queue closes', async () => {
  const { q } = queue();
  const waiting = q.pop();
  q.add({ name: 'a', priority: 0 });
  assert.equal((await waiting)?.key, 'a');
  const blocked = q.pop();
  q.close();
  assert.equal(await blocked, undefined);
});

test('backoff grows 1 s, 2 s, 4 s, 8 s and stops at 10 s', async () => {
  const { q } = queue();
  q.add({ name: 'a', priority: 0 });
  const qp = (await q.pop())!;
  const durations = [];
  for (let attempts = 1; attempts <= 6; attempts++) {
    qp.attempts = attempts;
    durations.push(q.backoffDurationMs(qp));
  }
  assert.deepEqual(durations, [1000, 2000, 4000, 8000, 10000, 10000]);
});

test('a failed pod waits out its backoff, then is active again', async () => {
  const { q, clock } = queue();
  q.add({ name: 'a', priority: 0 });
  const qp = (await q.pop())!;
  q.addBackoff(qp, true);
  assert.equal(q.whereIs('a'), 'backoff');
  clock.advance(999);
  assert.equal(q.whereIs('a'), 'backoff');
  clock.advance(1);
  assert.equal(q.whereIs('a'), 'active');
});

test('an unschedulable pod waits for a cluster event; the event sends it through backoff when its backoff is not over', async () => {
  const { q, clock } = queue();
  q.add({ name: 'a', priority: 0 });
  const qp = (await q.pop())!;
  q.addUnschedulable(qp, new Set(['NodeResourcesFit']), true);
  assert.equal(q.whereIs('a'), 'unschedulable');
  clock.advance(500);
  q.moveAllToActiveOrBackoff();
  assert.equal(q.whereIs('a'), 'backoff');
  clock.advance(500);
  assert.equal(q.whereIs('a'), 'active');
});

test('a cluster event during a pod\'s cycle sends the failed pod to backoff instead of unschedulable', async () => {
  const { q } = queue();
  q.add({ name: 'a', priority: 0 });
  const qp = (await q.pop())!;
  q.moveAllToActiveOrBackoff();
  q.addUnschedulable(qp, new Set(), true);
  assert.equal(q.whereIs('a'), 'backoff');
});

test('unschedulable pods are retried after five minutes without any event', async () => {
  const { q, clock } = queue();
  q.add({ name: 'a', priority: 0 });
  q.addUnschedulable((await q.pop())!, new Set(), true);
  clock.advance(4 * 60_000 + 59_000);
  assert.equal(q.whereIs('a'), 'unschedulable');
  clock.advance(60_000);
  assert.equal(q.whereIs('a'), 'active');
});

test('a relevant update moves an unschedulable pod back; a status-only update does not', async () => {
  const { q, clock } = queue();
  q.add({ name: 'a', priority: 0 });
  q.addUnschedulable((await q.pop())!, new Set(), true);
  clock.advance(5_000);
  q.update({ name: 'a', priority: 0 }, false);
  assert.equal(q.whereIs('a'), 'unschedulable');
  q.update({ name: 'a', priority: 1 }, true);
  assert.equal(q.whereIs('a'), 'active');
});

test('a pod deleted while it was tried is not requeued; deleting a queued pod removes it', async () => {
  const { q } = queue();
  q.add({ name: 'a', priority: 0 });
  q.add({ name: 'b', priority: 0 });
  const a = (await q.pop())!;
  q.addUnschedulable(a, new Set(), false);
  assert.equal(q.whereIs('a'), undefined);
  q.delete('b');
  assert.deepEqual(q.stats(), { active: 0, backoff: 0, unschedulable: 0 });
  await tick();
});
