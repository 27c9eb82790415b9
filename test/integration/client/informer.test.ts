import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DeletedFinalStateUnknown, SharedInformerFactory, type DeepReadonly } from '../../../pkg/client/informer/index.js';
import { RestClient, type KubeObject, type ResourceClient, type ResourceDescriptor } from '../../../pkg/client/index.js';
import { startApiServer, type TestCluster } from '../../helpers/apiserver.js';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

const configmaps: ResourceDescriptor = { group: '', version: 'v1', plural: 'configmaps', namespaced: true };
const namespaces: ResourceDescriptor = { group: '', version: 'v1', plural: 'namespaces', namespaced: false };

/** Polls until `cond` holds; real time, generous bound, no timing assertions. */
async function eventually(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('informers against a real apiserver and etcd', () => {
  let c: TestCluster;
  let rest: RestClient;
  let cms: ResourceClient<ConfigMap>;
  let factory: SharedInformerFactory;
  const root = new AbortController();

  before(async () => {
    c = await startApiServer();
    rest = new RestClient({ servers: [c.url] });
    await rest.resource(namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'inf' } });
    cms = rest.resource<ConfigMap>(configmaps).namespace('inf');
    for (let i = 0; i < 5; i++) await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `pre-${i}`, labels: { set: 'pre' } }, data: { i: String(i) } });
    // Small pages so the initial list really pages.
    factory = new SharedInformerFactory(rest, { reflector: { pageSize: 2 } });
  });

  after(async () => {
    root.abort();
    await factory.stopped();
    await c.stop();
  });

  test('an informer lists existing ConfigMaps and sees creates, updates and deletes made through ResourceClient', async () => {
    const informer = factory.forResource<ConfigMap>(configmaps, { namespace: 'inf' });
    const events: string[] = [];
    informer.addEventHandler({
      onAdd: (o) => events.push(`add ${o.metadata?.name}`),
      onUpdate: (a, b) => {
        if (a.metadata?.resourceVersion !== b.metadata?.resourceVersion) events.push(`update ${b.metadata?.name} ${b.data?.['v'] ?? ''}`);
      },
      onDelete: (o) => events.push(`delete ${(o instanceof DeletedFinalStateUnknown ? o.obj : o).metadata?.name}`),
    });
    factory.start(root.signal);
    assert.equal(await factory.waitForCacheSync(root.signal), true);
    const lister = informer.lister();
    assert.deepEqual(
      lister
        .namespace('inf')
        .list('set=pre')
        .map((o) => o.metadata?.name)
        .sort(),
      ['pre-0', 'pre-1', 'pre-2', 'pre-3', 'pre-4'],
    );

    const created = await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'live' }, data: { v: '1' } });
    await eventually('the create', () => lister.namespace('inf').get('live') !== undefined);
    await cms.update({ ...created, data: { v: '2' } });
    await eventually('the update', () => lister.namespace('inf').get('live')?.data?.['v'] === '2');
    await cms.delete('live');
    await eventually('the delete', () => lister.get('inf/live') === undefined);
    await eventually('the handler events', () => events.includes('delete live'));
    assert.deepEqual(
      events.filter((e) => e.includes('live')),
      ['add live', 'update live 2', 'delete live'],
    );
    const cached = lister.get('inf/pre-0') as DeepReadonly<ConfigMap>;
    assert.ok(Object.isFrozen(cached.metadata));
    assert.equal(informer.lastSyncResourceVersion !== '', true);
  });

  test('a second request for the same informer from the factory returns the same object', () => {
    const a = factory.forResource<ConfigMap>(configmaps, { namespace: 'inf' });
    const b = factory.forResource<ConfigMap>(configmaps, { namespace: 'inf' });
    assert.equal(a, b);
  });

  test('an informer with a label selector only caches matching objects and sees objects move in and out of it', async () => {
    const informer = factory.forResource<ConfigMap>(configmaps, { namespace: 'inf', labelSelector: 'team=blue' });
    factory.start(root.signal);
    assert.equal(await informer.waitForCacheSync(root.signal), true);
    assert.deepEqual(informer.lister().list(), []);
    const o = await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'blue', labels: { team: 'blue' } } });
    await eventually('the blue object', () => informer.lister().get('inf/blue') !== undefined);
    await cms.update({ ...o, metadata: { ...o.metadata, labels: { team: 'red' } } });
    await eventually('the object leaving the selector', () => informer.lister().get('inf/blue') === undefined);
  });
});
