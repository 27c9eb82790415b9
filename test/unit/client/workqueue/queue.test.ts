import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../../../pkg/client/clock.js';
import { BasicWorkQueue, DelayingWorkQueue, type QueueMetrics } from '../../../../pkg/client/workqueue/index.js';
import { settle } from '../../../helpers/fake-listwatch.js';

test('items come out in the order they were added', async () => {
  const q = new BasicWorkQueue<string>();
  for (const k of ['a', 'b', 'c']) q.add(k);
  assert.deepEqual([await q.get(), await q.get(), await q.get()], ['a', 'b', 'c']);
});

test('an item already queued is not queued twice', async () => {
  const q = new BasicWorkQueue<string>();
  q.add('a');
  q.add('b');
  q.add('a');
  assert.equal(q.len(), 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
  assert.equal(q.len(), 0);
});

test('an item added while it is processed is not handed to a second worker, and is queued once more on done', async () => {
  const q = new BasicWorkQueue<string>();
  q.add('a');
  const item = await q.get();
  q.add('a');
  q.add('a');
  assert.equal(q.len(), 0, 'not queued while processing');
  q.done(item!);
  assert.equal(q.len(), 1);
  assert.equal(await q.get(), 'a');
  q.done('a');
  assert.equal(q.len(), 0);
});

test('a waiting get receives the next added item, and each waiter a different one', async () => {
  const q = new BasicWorkQueue<string>();
  const w1 = q.get();
  const w2 = q.get();
  q.add('a');
  q.add('b');
  assert.deepEqual(await Promise.all([w1, w2]), ['a', 'b']);
});

test('a get whose signal aborts returns undefined and takes no item', async () => {
  const q = new BasicWorkQueue<string>();
  const ac = new AbortController();
  const waiting = q.get(ac.signal);
  ac.abort();
  assert.equal(await waiting, undefined);
  q.add('a');
  assert.equal(q.len(), 1);
});

test('shutDown releases waiting workers, refuses new items, and still hands out queued ones', async () => {
  const q = new BasicWorkQueue<string>();
  const waiting = q.get();
  q.shutDown();
  assert.equal(await waiting, undefined);
  assert.equal(q.shuttingDown, true);
  q.add('late');
  assert.equal(q.len(), 0);

  const q2 = new BasicWorkQueue<string>();
  q2.add('a');
  q2.shutDown();
  assert.equal(await q2.get(), 'a');
  assert.equal(await q2.get(), undefined);
});

test('shutDownWithDrain resolves only after every item being processed is done', async () => {
  const q = new BasicWorkQueue<string>();
  q.add('a');
  q.add('b');
  const a = (await q.get())!;
  const b = (await q.get())!;
  let drained = false;
  const p = q.shutDownWithDrain().then(() => (drained = true));
  await settle();
  assert.equal(drained, false);
  q.done(a);
  await settle();
  assert.equal(drained, false);
  q.done(b);
  await p;
  assert.equal(drained, true);
});

test('shutDownWithDrain resolves at once when nothing is being processed', async () => {
  const q = new BasicWorkQueue<string>();
  await q.shutDownWithDrain();
  assert.equal(q.shuttingDown, true);
});

test('metrics hooks see depth on add, wait time on get, work duration on done', async () => {
  const clock = new FakeClock();
  const seen: string[] = [];
  const metrics: QueueMetrics<string> = {
    added: (e) => seen.push(`${e.queue} added ${e.item} depth=${e.depth}`),
    got: (e) => seen.push(`${e.queue} got ${e.item} depth=${e.depth} wait=${e.waitMs}`),
    done: (e) => seen.push(`${e.queue} done ${e.item} work=${e.workMs}`),
  };
  const q = new BasicWorkQueue<string>({ name: 'pods', clock, metrics });
  q.add('a');
  q.add('b');
  clock.advance(40);
  const a = await q.get();
  clock.advance(7);
  q.done(a!);
  assert.deepEqual(seen, ['pods added a depth=1', 'pods added b depth=2', 'pods got a depth=1 wait=40', 'pods done a work=7']);
});

test('addAfter hands items out in the order their delays expire', async () => {
  const clock = new FakeClock();
  const q = new DelayingWorkQueue<string>({ clock });
  q.addAfter('late', 300);
  q.addAfter('early', 100);
  q.addAfter('middle', 200);
  q.addAfter('now', 0);
  assert.equal(q.len(), 1);
  clock.advance(150);
  assert.equal(q.len(), 2);
  clock.advance(200);
  const got = [];
  while (q.len() > 0) got.push(await q.get());
  assert.deepEqual(got, ['now', 'early', 'middle', 'late']);
});

test('addAfter for an item already waiting keeps the earlier time', () => {
  const clock = new FakeClock();
  const q = new DelayingWorkQueue<string>({ clock });
  q.addAfter('a', 100);
  q.addAfter('a', 500);
  clock.advance(100);
  assert.equal(q.len(), 1);
  q.addAfter('b', 500);
  q.addAfter('b', 50);
  clock.advance(50);
  assert.equal(q.len(), 2);
  assert.equal(q.pendingDelayed(), 0);
  assert.equal(clock.pendingTimers(), 0);
});

test('a delayed item that is already queued collapses into it', () => {
  const clock = new FakeClock();
  const q = new DelayingWorkQueue<string>({ clock });
  q.add('a');
  q.addAfter('a', 10);
  clock.advance(10);
  assert.equal(q.len(), 1);
});

test('shutting down a delaying queue drops waiting items and their timers', () => {
  const clock = new FakeClock();
  const q = new DelayingWorkQueue<string>({ clock });
  q.addAfter('a', 100);
  q.shutDown();
  assert.equal(clock.pendingTimers(), 0);
  clock.advance(100);
  assert.equal(q.len(), 0);
});
