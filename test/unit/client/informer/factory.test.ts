import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../../../pkg/client/clock.js';
import { SharedInformerFactory, informerKey, type ListWatchScope } from '../../../../pkg/client/informer/index.js';
import { RestClient, type KubeObject, type ResourceDescriptor } from '../../../../pkg/client/index.js';
import { FakeListWatch, obj, settle, type TestObject } from '../../../helpers/fake-listwatch.js';

const configmaps: ResourceDescriptor = { group: '', version: 'v1', plural: 'configmaps', namespaced: true };
const nodes: ResourceDescriptor = { group: '', version: 'v1', plural: 'nodes', namespaced: false };
const deployments: ResourceDescriptor = { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true };

function fakeFactory(): { factory: SharedInformerFactory; apis: Map<string, FakeListWatch<TestObject>>; scopes: ListWatchScope[] } {
  const apis = new Map<string, FakeListWatch<TestObject>>();
  const scopes: ListWatchScope[] = [];
  const factory = new SharedInformerFactory(undefined, {
    clock: new FakeClock(),
    listWatcher: (d, scope) => {
      scopes.push(scope);
      const api = new FakeListWatch<TestObject>(d.plural === 'configmaps' ? [obj('a', 'cm')] : [obj('', 'n1')]);
      apis.set(d.plural, api);
      return api as FakeListWatch<KubeObject>;
    },
  });
  return { factory, apis, scopes };
}

test('the same resource and scope give the same informer; another scope gives another', () => {
  const { factory } = fakeFactory();
  const a = factory.forResource<TestObject>(configmaps);
  assert.equal(factory.forResource<TestObject>(configmaps), a);
  assert.notEqual(factory.forResource<TestObject>(configmaps, { namespace: 'a' }), a);
  assert.notEqual(factory.forResource<TestObject>(configmaps, { labelSelector: 'app=web' }), a);
  assert.equal(factory.forResource<TestObject>(configmaps, { labelSelector: { app: 'web' } }), factory.forResource<TestObject>(configmaps, { labelSelector: 'app=web' }));
});

const keyCases: { name: string; d: ResourceDescriptor; scope: ListWatchScope; key: string }[] = [
  { name: 'a core resource across namespaces is keyed by plural and version', d: configmaps, scope: {}, key: 'configmaps.v1' },
  { name: 'a grouped resource in one namespace with selectors carries them all in its key', d: deployments, scope: { namespace: 'ns', labelSelector: 'a=b', fieldSelector: 'metadata.name=x' }, key: 'deployments.v1.apps namespace=ns labels=a=b fields=metadata.name=x' },
];
for (const tc of keyCases) {
  test(tc.name, () => assert.equal(informerKey(tc.d, tc.scope), tc.key));
}

test('a namespace is ignored for cluster-scoped resources', () => {
  const { factory, scopes } = fakeFactory();
  factory.forResource<TestObject>(nodes, { namespace: 'a' });
  assert.equal(factory.forResource<TestObject>(nodes), factory.forResource<TestObject>(nodes, { namespace: 'a' }));
  assert.equal(scopes[0]!.namespace, '');
});

test('start runs every informer once, waitForCacheSync waits for all, and informers requested later start on the next start', async () => {
  const { factory, apis } = fakeFactory();
  const ac = new AbortController();
  const cms = factory.forResource<TestObject>(configmaps);
  factory.start(ac.signal);
  factory.start(ac.signal);
  assert.equal(await factory.waitForCacheSync(ac.signal), true);
  assert.equal(cms.hasSynced(), true);
  assert.equal(apis.get('configmaps')!.listCalls.length, 1);
  const ns = factory.forResource<TestObject>(nodes);
  assert.equal(ns.started, false);
  factory.start(ac.signal);
  assert.equal(await factory.waitForCacheSync(ac.signal), true);
  assert.deepEqual(ns.lister().list().map((o) => o.metadata!.name), ['n1']);
  await settle();
  ac.abort();
  await factory.stopped();
  assert.equal(cms.isStopped, true);
  assert.equal(ns.isStopped, true);
});

test('indexers requested with an existing informer are added to it', () => {
  const { factory } = fakeFactory();
  const inf = factory.forResource<TestObject>(configmaps);
  factory.forResource<TestObject>(configmaps, { indexers: { byName: (o) => [o.metadata?.name ?? ''] } });
  assert.equal(inf.indexer.hasIndex('byName'), true);
});

test('a factory built on a RestClient creates informers without contacting the server until started', () => {
  const rest = new RestClient({ servers: ['http://127.0.0.1:1'] });
  const factory = new SharedInformerFactory(rest);
  const inf = factory.forResource<TestObject>(configmaps, { namespace: 'a' });
  assert.equal(inf.started, false);
  assert.equal(inf.hasSynced(), false);
});

test('a factory needs a RestClient or a list-watch source', () => {
  assert.throws(() => new SharedInformerFactory(undefined), /needs a RestClient or a listWatcher/);
});
