import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serviceUnavailable, StatusError } from '../../../../pkg/api/errors.js';
import { FakeClock } from '../../../../pkg/client/clock.js';
import { ConnectionError } from '../../../../pkg/client/errors.js';
import { Reflector, type ListWatcher, type ReflectorOptions, type ReflectorSink } from '../../../../pkg/client/informer/index.js';
import { FakeListWatch, obj, settle, type TestObject } from '../../../helpers/fake-listwatch.js';

class RecordingSink implements ReflectorSink<TestObject> {
  readonly calls: string[] = [];
  replace(items: TestObject[], rv: string): void {
    this.calls.push(`replace@${rv} [${items.map((o) => o.metadata!.name).join(',')}]`);
  }
  add(o: TestObject): void {
    this.calls.push(`add ${o.metadata!.name}@${o.metadata!.resourceVersion}`);
  }
  update(o: TestObject): void {
    this.calls.push(`update ${o.metadata!.name}@${o.metadata!.resourceVersion}`);
  }
  delete(o: TestObject): void {
    this.calls.push(`delete ${o.metadata!.name}@${o.metadata!.resourceVersion}`);
  }
}

interface Rig {
  api: FakeListWatch<TestObject>;
  sink: RecordingSink;
  clock: FakeClock;
  reflector: Reflector<TestObject>;
  ac: AbortController;
  done: Promise<void>;
  stop(): Promise<void>;
}

async function start(initial: TestObject[] = [], opts: ReflectorOptions = {}, wrap?: (api: FakeListWatch<TestObject>) => ListWatcher<TestObject>): Promise<Rig> {
  const api = new FakeListWatch<TestObject>(initial);
  const sink = new RecordingSink();
  const clock = new FakeClock();
  const reflector = new Reflector<TestObject>(wrap ? wrap(api) : api, sink, { clock, random: () => 0, ...opts });
  const ac = new AbortController();
  const done = reflector.run(ac.signal);
  await settle();
  return {
    api,
    sink,
    clock,
    reflector,
    ac,
    done,
    async stop() {
      ac.abort();
      await done;
    },
  };
}

/** The delay of the backoff sleep the reflector is in. */
function pendingDelay(clock: FakeClock): number | undefined {
  const at = clock.nextTimerAt();
  return at === undefined ? undefined : at - clock.now();
}

test('the initial list is a paged consistent read and the watch starts from its resourceVersion with bookmarks', async () => {
  const r = await start([obj('a', 'o1'), obj('a', 'o2'), obj('a', 'o3'), obj('b', 'o4'), obj('b', 'o5')], { pageSize: 2 });
  assert.deepEqual(
    r.api.listCalls.map((c) => [c.limit, c.continue, c.resourceVersion]),
    [
      [2, undefined, undefined],
      [2, '105:2', undefined],
      [2, '105:4', undefined],
    ],
  );
  assert.deepEqual(r.sink.calls, ['replace@105 [o1,o2,o3,o4,o5]']);
  assert.equal(r.api.watchCalls.length, 1);
  assert.equal(r.api.watchCalls[0]!.resourceVersion, '105');
  assert.equal(r.api.watchCalls[0]!.allowWatchBookmarks, true);
  assert.equal(r.api.watchCalls[0]!.timeoutSeconds, 300);
  assert.equal(r.reflector.lastSyncResourceVersion, '105');
  await r.stop();
});

test('a continue token that expires mid-list falls back to one unpaged list', async () => {
  let calls = 0;
  const r = await start([obj('a', 'o1'), obj('a', 'o2'), obj('a', 'o3')], { pageSize: 2 }, (api) => ({
    async list(opts) {
      const page = await api.list(opts);
      // A write between pages makes the fake's continue token stale.
      if (calls++ === 0) api.upsert(obj('a', 'o0'));
      return page;
    },
    watch: (opts) => api.watch(opts),
  }));
  assert.deepEqual(
    r.api.listCalls.map((c) => [c.limit, c.continue]),
    [
      [2, undefined],
      [2, '103:2'],
      [undefined, undefined],
    ],
  );
  assert.deepEqual(r.sink.calls, ['replace@104 [o0,o1,o2,o3]']);
  await r.stop();
});

test('watch events reach the sink in order and advance the resourceVersion', async () => {
  const r = await start([obj('a', 'x')]);
  r.api.upsert(obj('a', 'y'));
  r.api.upsert(obj('a', 'x', { v: '2' }));
  r.api.delete('a/y');
  await settle();
  assert.deepEqual(r.sink.calls, ['replace@101 [x]', 'add y@102', 'update x@103', 'delete y@104']);
  assert.equal(r.reflector.lastSyncResourceVersion, '104');
  await r.stop();
});

test('a dropped watch resumes after a backoff from the last resourceVersion, without duplicates or a relist', async () => {
  const r = await start([obj('a', 'x')]);
  r.api.upsert(obj('a', 'y'));
  await settle();
  r.api.dropWatches();
  await settle();
  assert.equal(pendingDelay(r.clock), 800);
  // Writes while disconnected arrive once the watch resumes.
  r.api.upsert(obj('a', 'z'));
  r.clock.advance(800);
  await settle();
  assert.deepEqual(
    r.api.watchCalls.map((c) => c.resourceVersion),
    ['101', '102'],
  );
  assert.equal(r.api.listCalls.length, 1);
  assert.deepEqual(r.sink.calls, ['replace@101 [x]', 'add y@102', 'add z@103']);
  await r.stop();
});

test('a watch the server ends normally is reopened at once from the last resourceVersion', async () => {
  const r = await start([obj('a', 'x')]);
  r.api.upsert(obj('a', 'y'));
  await settle();
  r.api.closeWatches();
  await settle();
  assert.deepEqual(
    r.api.watchCalls.map((c) => c.resourceVersion),
    ['101', '102'],
  );
  assert.equal(r.clock.pendingTimers(), 0);
  await r.stop();
});

test('a watch that ends at once without any event is reopened only after a backoff', async () => {
  const r = await start([obj('a', 'x')]);
  r.api.closeWatches();
  await settle();
  assert.equal(r.api.watchCalls.length, 1);
  assert.equal(pendingDelay(r.clock), 800);
  r.clock.advance(800);
  await settle();
  assert.equal(r.api.watchCalls.length, 2);
  await r.stop();
});

test('bookmarks advance the resourceVersion the next watch starts from, without reaching the sink', async () => {
  const r = await start([obj('a', 'x')]);
  r.api.bumpVersion(50);
  r.api.bookmark();
  await settle();
  assert.equal(r.reflector.lastSyncResourceVersion, '151');
  r.api.closeWatches();
  await settle();
  assert.equal(r.api.watchCalls[1]!.resourceVersion, '151');
  assert.deepEqual(r.sink.calls, ['replace@101 [x]']);
  await r.stop();
});

for (const goneAs of ['event', 'response'] as const) {
  test(`a 410 Gone (${goneAs === 'event' ? 'an ERROR event' : 'an error response'}) makes the reflector relist and replace at once`, async () => {
    const r = await start([obj('a', 'x'), obj('a', 'y')]);
    r.api.goneAs = goneAs;
    r.api.dropWatches();
    await settle();
    // While disconnected the history is compacted away.
    r.api.delete('a/y');
    r.api.upsert(obj('a', 'z'));
    r.api.compact();
    r.clock.advance(800);
    await settle();
    assert.deepEqual(r.sink.calls, ['replace@102 [x,y]', 'replace@104 [x,z]']);
    assert.equal(r.api.listCalls.length, 2);
    assert.equal(r.api.watchCalls.at(-1)!.resourceVersion, '104');
    assert.equal(r.clock.pendingTimers(), 0);
    await r.stop();
  });
}

test('an expired watch (ERROR 410 in the stream) relists without waiting', async () => {
  const r = await start([obj('a', 'x')]);
  r.api.upsert(obj('a', 'y'));
  r.api.compact();
  r.api.expireWatches();
  await settle();
  assert.equal(r.api.listCalls.length, 2);
  assert.deepEqual(r.sink.calls, ['replace@101 [x]', 'add y@102', 'replace@102 [x,y]']);
  await r.stop();
});

test('list failures are retried with a backoff doubling from 800 ms to at most 30 s', async () => {
  const api = new FakeListWatch<TestObject>([obj('a', 'x')]);
  for (let i = 0; i < 8; i++) api.failNextList(serviceUnavailable('etcd is down'));
  const clock = new FakeClock();
  const sink = new RecordingSink();
  const ac = new AbortController();
  const done = new Reflector<TestObject>(api, sink, { clock, random: () => 0 }).run(ac.signal);
  const delays: number[] = [];
  for (let i = 0; i < 8; i++) {
    await settle();
    const d = pendingDelay(clock)!;
    delays.push(d);
    clock.advance(d);
  }
  await settle();
  assert.deepEqual(delays, [800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
  assert.deepEqual(sink.calls, ['replace@101 [x]']);
  ac.abort();
  await done;
});

test('the backoff starts over after a healthy period', async () => {
  const r = await start([obj('a', 'x')]);
  const fail = new ConnectionError({ server: 'fake', code: 'ECONNREFUSED', maybeSent: false });
  r.api.failNextWatch(fail);
  r.api.dropWatches();
  await settle();
  assert.equal(pendingDelay(r.clock), 800);
  r.clock.advance(800);
  await settle();
  assert.equal(pendingDelay(r.clock), 1600);
  r.clock.advance(1600);
  await settle();
  assert.equal(r.api.openWatches, 1);
  r.clock.advance(3 * 60_000);
  r.api.dropWatches();
  await settle();
  assert.equal(pendingDelay(r.clock), 800);
  await r.stop();
});

test('a non-transient watch error relists after the backoff; a transient one only rewatches', async () => {
  const r = await start([obj('a', 'x')]);
  r.api.failNextWatch(new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 403, reason: 'Forbidden', message: 'forbidden' }));
  r.api.dropWatches();
  await settle();
  r.clock.advance(pendingDelay(r.clock)!);
  await settle();
  assert.equal(r.api.listCalls.length, 1, 'a dropped connection does not relist');
  r.clock.advance(pendingDelay(r.clock)!);
  await settle();
  assert.equal(r.api.listCalls.length, 2, 'the 403 leads to a relist');
  assert.equal(r.api.openWatches, 1);
  await r.stop();
});

test('aborting stops the reflector mid-backoff: run resolves, nothing stays open or scheduled', async () => {
  const r = await start([obj('a', 'x')]);
  r.api.dropWatches();
  await settle();
  assert.equal(r.clock.pendingTimers(), 1);
  await r.stop();
  assert.equal(r.clock.pendingTimers(), 0);
  assert.equal(r.api.openWatches, 0);
});

test('aborting closes an open watch', async () => {
  const r = await start([obj('a', 'x')]);
  assert.equal(r.api.openWatches, 1);
  await r.stop();
  assert.equal(r.api.openWatches, 0);
});

test('run is idempotent: a second call returns the same run', async () => {
  const r = await start();
  assert.equal(r.reflector.run(r.ac.signal), r.done);
  assert.equal(r.api.listCalls.length, 1);
  await r.stop();
});
