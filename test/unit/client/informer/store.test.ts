import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DeletedFinalStateUnknown,
  Indexer,
  NAMESPACE_INDEX,
  deepFreeze,
  deletionHandlingKey,
  metaNamespaceKey,
  splitMetaNamespaceKey,
  unwrapTombstone,
  type DeepReadonly,
} from '../../../../pkg/client/informer/index.js';
import { obj, type TestObject } from '../../../helpers/fake-listwatch.js';

const keyCases: { name: string; ns: string; objName: string; key: string }[] = [
  { name: 'a namespaced object is keyed namespace/name', ns: 'team-a', objName: 'web', key: 'team-a/web' },
  { name: 'a cluster-scoped object is keyed by its name', ns: '', objName: 'node-1', key: 'node-1' },
];
for (const tc of keyCases) {
  test(tc.name, () => {
    assert.equal(metaNamespaceKey(obj(tc.ns, tc.objName)), tc.key);
    assert.deepEqual(splitMetaNamespaceKey(tc.key), { namespace: tc.ns, name: tc.objName });
  });
}

test('an object without a name has no key', () => {
  assert.throws(() => metaNamespaceKey({ metadata: {} }), /no metadata.name/);
});

test('a key with two slashes is refused', () => {
  assert.throws(() => splitMetaNamespaceKey('a/b/c'), /unexpected key format: "a\/b\/c"/);
});

const mutations: { name: string; mutate: (o: TestObject) => void }[] = [
  { name: 'changing a top-level field of a stored object throws', mutate: (o) => (o.kind = 'Secret') },
  { name: 'changing a label of a stored object throws', mutate: (o) => (o.metadata!.labels!['app'] = 'other') },
  { name: 'adding a data key to a stored object throws', mutate: (o) => (o.data!['new'] = 'x') },
  { name: 'pushing to an array inside a stored object throws', mutate: (o) => (o.metadata!.finalizers as string[]).push('x') },
];
for (const tc of mutations) {
  test(tc.name, () => {
    const s = new Indexer<TestObject>();
    const o = obj('ns', 'a', { app: 'web' }, { k: 'v' });
    o.metadata!.finalizers = ['f'];
    s.set(o);
    const stored = s.get('ns/a') as TestObject;
    assert.throws(() => tc.mutate(stored), TypeError);
  });
}

test('a structuredClone of a stored object can be changed freely', () => {
  const s = new Indexer<TestObject>();
  s.set(obj('ns', 'a', { app: 'web' }));
  const copy = structuredClone(s.get('ns/a')) as TestObject;
  copy.metadata!.labels!['app'] = 'api';
  assert.equal(s.get('ns/a')!.metadata!.labels!['app'], 'web');
});

test('deepFreeze leaves primitives alone and freezes nested objects', () => {
  assert.equal(deepFreeze(3), 3);
  const o = deepFreeze({ a: { b: [1, { c: 2 }] } });
  assert.ok(Object.isFrozen(o.a.b[1]));
});

const byApp = (o: DeepReadonly<TestObject>): readonly string[] => {
  const app = o.metadata?.labels?.['app'];
  return app === undefined ? [] : [app];
};

test('indexes find objects by every value their function yields and follow updates and deletes', () => {
  const s = new Indexer<TestObject>({ app: byApp, data: (o) => Object.keys(o.data ?? {}) });
  s.set(obj('a', 'one', { app: 'web' }, { x: '1', y: '2' }));
  s.set(obj('b', 'two', { app: 'web' }, { y: '3' }));
  s.set(obj('b', 'three', { app: 'db' }));
  const names = (xs: readonly DeepReadonly<TestObject>[]): string[] => xs.map((o) => o.metadata!.name!).sort();
  assert.deepEqual(names(s.byIndex('app', 'web')), ['one', 'two']);
  assert.deepEqual(names(s.byIndex('data', 'y')), ['one', 'two']);
  assert.deepEqual(names(s.byIndex(NAMESPACE_INDEX, 'b')), ['three', 'two']);
  s.set(obj('b', 'two', { app: 'db' }));
  assert.deepEqual(names(s.byIndex('app', 'web')), ['one']);
  assert.deepEqual(names(s.byIndex('app', 'db')), ['three', 'two']);
  assert.deepEqual(names(s.byIndex('data', 'y')), ['one']);
  s.delete('b/three');
  assert.deepEqual(s.indexKeys('app', 'db'), ['b/two']);
  assert.deepEqual(s.listKeys().sort(), ['a/one', 'b/two']);
});

test('an index added to a filled store is built at once', () => {
  const s = new Indexer<TestObject>();
  s.set(obj('a', 'one', { app: 'web' }));
  s.addIndexers({ app: byApp });
  assert.deepEqual(s.indexKeys('app', 'web'), ['a/one']);
});

test('re-adding the same index function is accepted and a different one under the same name is refused', () => {
  const s = new Indexer<TestObject>({ app: byApp });
  s.addIndexers({ app: byApp });
  assert.throws(() => s.addIndexers({ app: () => [] }), /indexer conflict/);
});

test('asking an unknown index is an error', () => {
  assert.throws(() => new Indexer<TestObject>().byIndex('nope', 'x'), /Index with name nope does not exist/);
});

test('a tombstone unwraps to its last known object and keeps its key', () => {
  const o = deepFreeze(obj('ns', 'gone'));
  const t = new DeletedFinalStateUnknown<TestObject>('ns/gone', o);
  assert.equal(unwrapTombstone(t), o);
  assert.equal(unwrapTombstone<TestObject>(o), o);
  assert.equal(deletionHandlingKey(t), 'ns/gone');
  assert.equal(deletionHandlingKey<TestObject>(o), 'ns/gone');
});
