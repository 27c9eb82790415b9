import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { FakeClock } from '../../../../pkg/client/clock.js';
import {
  DeletedFinalStateUnknown,
  SharedIndexInformer,
  waitForCacheSync,
  type DeepReadonly,
  type InformerLogger,
  type ResourceEventHandler,
  type SharedIndexInformerOptions,
} from '../../../../pkg/client/informer/index.js';
import { FakeListWatch, obj, settle, type TestObject } from '../../../helpers/fake-listwatch.js';

const label = (o: DeepReadonly<TestObject>): string => `${o.metadata!.name}@${o.metadata!.resourceVersion}`;

/** A handler that writes one line per call. */
function recorder(): { events: string[]; handler: ResourceEventHandler<TestObject> } {
  const events: string[] = [];
  return {
    events,
    handler: {
      onAdd: (o, initial) => events.push(`add ${label(o)}${initial ? ' (initial)' : ''}`),
      onUpdate: (a, b) => events.push(`update ${label(a)} -> ${label(b)}`),
      onDelete: (o) => events.push(o instanceof DeletedFinalStateUnknown ? `delete ${o.key} (tombstone of ${label(o.obj)})` : `delete ${label(o)}`),
    },
  };
}

function setup(initial: TestObject[] = [], opts: SharedIndexInformerOptions<TestObject> = {}) {
  const api = new FakeListWatch<TestObject>(initial);
  const clock = new FakeClock();
  const informer = new SharedIndexInformer<TestObject>(api, { clock, random: () => 0, ...opts });
  const ac = new AbortController();
  return {
    api,
    clock,
    informer,
    ac,
    async stop() {
      ac.abort();
      await informer.run(ac.signal);
    },
  };
}

test('the initial list fills the store, handlers get initial adds, and the informer reports synced', async () => {
  const s = setup([obj('a', 'x'), obj('b', 'y')]);
  const r = recorder();
  const reg = s.informer.addEventHandler(r.handler);
  assert.equal(s.informer.hasSynced(), false);
  void s.informer.run(s.ac.signal);
  assert.equal(await s.informer.waitForCacheSync(s.ac.signal), true);
  assert.deepEqual(s.informer.indexer.listKeys().sort(), ['a/x', 'b/y']);
  assert.equal(s.informer.lastSyncResourceVersion, '102');
  await settle();
  assert.equal(reg.hasSynced(), true);
  assert.deepEqual(r.events, ['add x@101 (initial)', 'add y@102 (initial)']);
  await s.stop();
});

test('a registration is not synced until its handler has been given the initial list', async () => {
  const s = setup();
  const reg = s.informer.addEventHandler({});
  // Play the reflector's part directly to look between storing and delivering.
  s.informer.replace([obj('a', 'x')], '1');
  assert.equal(s.informer.hasSynced(), true);
  assert.equal(reg.hasSynced(), false);
  await settle();
  assert.equal(reg.hasSynced(), true);
});

test('watch events update the store and reach handlers as add, update(old, new) and delete', async () => {
  const s = setup([obj('a', 'x')]);
  const r = recorder();
  s.informer.addEventHandler(r.handler);
  void s.informer.run(s.ac.signal);
  await settle();
  s.api.upsert(obj('a', 'y'));
  s.api.upsert(obj('a', 'x', { v: '2' }));
  s.api.delete('a/y');
  await settle();
  assert.deepEqual(r.events, ['add x@101 (initial)', 'add y@102', 'update x@101 -> x@103', 'delete y@104']);
  assert.deepEqual(s.informer.indexer.listKeys(), ['a/x']);
  assert.deepEqual(s.informer.indexer.get('a/x')?.metadata?.labels, { v: '2' });
  await s.stop();
});

test('a dropped watch resumes without handlers seeing any event twice', async () => {
  const s = setup([obj('a', 'x')]);
  const r = recorder();
  s.informer.addEventHandler(r.handler);
  void s.informer.run(s.ac.signal);
  await settle();
  s.api.upsert(obj('a', 'y'));
  await settle();
  s.api.dropWatches();
  await settle();
  s.api.upsert(obj('a', 'z'));
  s.clock.advance(800);
  await settle();
  assert.deepEqual(r.events, ['add x@101 (initial)', 'add y@102', 'add z@103']);
  await s.stop();
});

test('after a 410 the relist shows handlers exactly the difference: tombstones for missed deletes, updates for changes, adds for new objects', async () => {
  const s = setup([obj('a', 'same'), obj('a', 'changed'), obj('a', 'deleted')]);
  const r = recorder();
  s.informer.addEventHandler(r.handler);
  void s.informer.run(s.ac.signal);
  await settle();
  const before = s.informer.indexer.get('a/same');
  s.api.dropWatches();
  await settle();
  s.api.upsert(obj('a', 'changed', { v: '2' }));
  s.api.delete('a/deleted');
  s.api.upsert(obj('a', 'new'));
  s.api.compact();
  s.clock.advance(800);
  await settle();
  assert.deepEqual(r.events.slice(3), ['update changed@102 -> changed@104', 'add new@106', 'delete a/deleted (tombstone of deleted@103)']);
  assert.deepEqual(s.informer.indexer.listKeys().sort(), ['a/changed', 'a/new', 'a/same']);
  assert.equal(s.informer.indexer.get('a/same'), before, 'an unchanged object keeps its cached identity');
  await s.stop();
});

test('objects handed to handlers and kept in the store are frozen', async () => {
  const s = setup([obj('a', 'x', { app: 'web' })]);
  let seen: DeepReadonly<TestObject> | undefined;
  s.informer.addEventHandler({ onAdd: (o) => (seen = o) });
  void s.informer.run(s.ac.signal);
  await settle();
  assert.ok(seen !== undefined);
  assert.equal(seen, s.informer.indexer.get('a/x'));
  assert.throws(() => ((seen as TestObject).metadata!.labels!['app'] = 'other'), TypeError);
  await s.stop();
});

test('a handler added after the informer synced first gets the current contents as initial adds, then live events', async () => {
  const s = setup([obj('a', 'x'), obj('a', 'y')]);
  void s.informer.run(s.ac.signal);
  await settle();
  const r = recorder();
  const reg = s.informer.addEventHandler(r.handler);
  assert.equal(reg.hasSynced(), false);
  s.api.upsert(obj('a', 'z'));
  await settle();
  assert.equal(reg.hasSynced(), true);
  assert.deepEqual(r.events, ['add x@101 (initial)', 'add y@102 (initial)', 'add z@103']);
  await s.stop();
});

test('resync re-delivers every object as onUpdate(obj, obj), on each handler\'s own period', async () => {
  const s = setup([obj('a', 'x'), obj('a', 'y')]);
  const fast = recorder();
  const slow = recorder();
  const none = recorder();
  s.informer.addEventHandler(fast.handler, { resyncPeriodMs: 10_000 });
  s.informer.addEventHandler(slow.handler, { resyncPeriodMs: 25_000 });
  s.informer.addEventHandler(none.handler);
  void s.informer.run(s.ac.signal);
  await settle();
  s.clock.advance(30_000);
  await settle();
  const resyncs = (events: string[]): number => events.filter((e) => e.startsWith('update')).length;
  assert.equal(resyncs(fast.events), 6, 'three periods of two objects');
  assert.equal(resyncs(slow.events), 2, 'one period of two objects');
  assert.equal(resyncs(none.events), 0);
  assert.ok(fast.events.includes('update x@101 -> x@101'));
  await s.stop();
});

test('the default resync period applies to handlers that give none, and tiny periods are raised to one second', async () => {
  const s = setup([obj('a', 'x')], { defaultResyncPeriodMs: 5_000 });
  const byDefault = recorder();
  const tiny = recorder();
  s.informer.addEventHandler(byDefault.handler);
  s.informer.addEventHandler(tiny.handler, { resyncPeriodMs: 10 });
  void s.informer.run(s.ac.signal);
  await settle();
  s.clock.advance(5_000);
  await settle();
  assert.equal(byDefault.events.filter((e) => e.startsWith('update')).length, 1);
  assert.equal(tiny.events.filter((e) => e.startsWith('update')).length, 5);
  await s.stop();
  assert.equal(s.clock.pendingTimers(), 0, 'stopping cancels the resync timers');
});

test('a handler that throws is logged and the other handlers still get every event', async () => {
  const logged: string[] = [];
  const logger: InformerLogger = { debug: () => undefined, warn: () => undefined, error: (o, msg) => logged.push(`${msg}: ${String((o as { err: Error }).err.message)}`) };
  const s = setup([obj('a', 'x')], { logger });
  s.informer.addEventHandler({
    onAdd: () => {
      throw new Error('boom');
    },
  });
  const r = recorder();
  s.informer.addEventHandler(r.handler);
  void s.informer.run(s.ac.signal);
  await settle();
  s.api.upsert(obj('a', 'y'));
  await settle();
  assert.deepEqual(r.events, ['add x@101 (initial)', 'add y@102']);
  assert.deepEqual(logged, ['event handler failed: boom', 'event handler failed: boom']);
  await s.stop();
});

test('a removed handler gets no more events', async () => {
  const s = setup([obj('a', 'x')]);
  const r = recorder();
  const reg = s.informer.addEventHandler(r.handler);
  void s.informer.run(s.ac.signal);
  await settle();
  s.informer.removeEventHandler(reg);
  s.api.upsert(obj('a', 'y'));
  await settle();
  assert.deepEqual(r.events, ['add x@101 (initial)']);
  await s.stop();
});

test('indexers given to the informer are kept up to date', async () => {
  const s = setup([obj('a', 'x', { app: 'web' }), obj('b', 'y', { app: 'db' })], {
    indexers: { app: (o) => (o.metadata?.labels?.['app'] !== undefined ? [o.metadata.labels['app']] : []) },
  });
  void s.informer.run(s.ac.signal);
  await settle();
  s.api.upsert(obj('b', 'y', { app: 'web' }));
  await settle();
  assert.deepEqual(s.informer.indexer.indexKeys('app', 'web').sort(), ['a/x', 'b/y']);
  assert.deepEqual(s.informer.lister().namespace('b').list('app=web').map((o) => o.metadata!.name), ['y']);
  await s.stop();
});

test('waitForCacheSync returns false when aborted before the first list succeeds', async () => {
  const s = setup([obj('a', 'x')]);
  s.api.failNextList(new Error('down'));
  void s.informer.run(s.ac.signal);
  const waiting = s.informer.waitForCacheSync(s.ac.signal);
  const polled = waitForCacheSync(s.ac.signal, [() => s.informer.hasSynced()], s.clock);
  await settle();
  s.ac.abort();
  assert.equal(await waiting, false);
  assert.equal(await polled, false);
  await s.informer.run(s.ac.signal);
});

test('the polling waitForCacheSync resolves true once every function reports synced', async () => {
  const s = setup([obj('a', 'x')]);
  const reg = s.informer.addEventHandler({});
  void s.informer.run(s.ac.signal);
  const polled = waitForCacheSync(s.ac.signal, [() => s.informer.hasSynced(), () => reg.hasSynced()], s.clock);
  await settle();
  s.clock.advance(100);
  assert.equal(await polled, true);
  await s.stop();
});

test('adding a handler to a stopped informer is refused', async () => {
  const s = setup();
  void s.informer.run(s.ac.signal);
  await s.stop();
  assert.throws(() => s.informer.addEventHandler({}), /handler was not added to shared informer because it has stopped already/);
});

test('a pino logger serves as the informer logger', async () => {
  const logger: InformerLogger = pino({ level: 'silent' });
  const s = setup([obj('a', 'x')], { logger });
  s.informer.addEventHandler({
    onAdd: () => {
      throw new Error('boom');
    },
  });
  void s.informer.run(s.ac.signal);
  await settle();
  assert.equal(s.informer.hasSynced(), true);
  await s.stop();
});

test('waitUntilFresh: a cache behind a fresh read (its watch lagging) is not fresh until the events arrive, then it is', async () => {
  const s = setup([obj('a', 'x')]);
  void s.informer.run(s.ac.signal);
  await s.informer.waitForCacheSync(s.ac.signal);
  await settle();
  assert.equal(await s.informer.waitUntilFresh(s.ac.signal, 0), true, 'caught up');
  s.api.holdEvents();
  s.api.upsert(obj('a', 'y'));
  s.api.upsert(obj('b', 'z'));
  let done = false;
  const waiting = s.informer.waitUntilFresh(s.ac.signal, 1_000).then((v) => ((done = true), v));
  await settle();
  s.clock.advance(500);
  await settle();
  assert.equal(done, false, 'still waiting for the held events');
  s.api.releaseEvents();
  await settle();
  s.clock.advance(25);
  await settle();
  assert.equal(await waiting, true);
  assert.deepEqual(s.informer.indexer.listKeys().sort(), ['a/x', 'a/y', 'b/z']);
  s.api.holdEvents();
  s.api.delete('b/z');
  const stale = s.informer.waitUntilFresh(s.ac.signal, 100);
  await settle();
  for (let i = 0; i < 6; i++) {
    s.clock.advance(25);
    await settle();
  }
  assert.equal(await stale, false, 'an object the API deleted is still cached');
  await s.stop();
});
