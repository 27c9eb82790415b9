import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { namespaceResource, type Namespace } from '../../../pkg/api/core/v1/namespace.js';
import { serviceAccountResource } from '../../../pkg/api/core/v1/serviceaccount.js';
import { ServiceAccountController } from '../../../pkg/controller/serviceaccount/index.js';
import { FakeApi, settle } from '../../helpers/fake-api.js';

const ns = (name: string, phase = 'Active'): Namespace => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name }, status: { phase } });

async function started(api: FakeApi): Promise<AbortController> {
  const { c, stop } = await api.startController((ctx) => new ServiceAccountController(ctx));
  void c.run(stop.signal);
  await settle(30);
  return stop;
}

describe('serviceaccount controller', () => {
  test('every active namespace gets a default ServiceAccount', async () => {
    const api = new FakeApi();
    api.seed(namespaceResource, ns('team-a'), ns('team-b'));
    const stop = await started(api);
    assert.deepEqual(api.writes().map((a) => `${a.verb} ${a.resource} ${a.namespace}/${a.name}`).sort(), ['create serviceaccounts team-a/default', 'create serviceaccounts team-b/default']);
    stop.abort();
  });

  test('a namespace that already has one, or is terminating, gets nothing; a fresh one beside them does', async () => {
    const api = new FakeApi();
    api.seed(namespaceResource, ns('has'), ns('going', 'Terminating'), ns('fresh'));
    api.seed(serviceAccountResource, { metadata: { name: 'default', namespace: 'has' } });
    const stop = await started(api);
    // The fresh namespace shows the controller ran; the other two show what it leaves alone.
    assert.deepEqual(api.writes().map((a) => `${a.verb} ${a.resource} ${a.namespace}/${a.name}`), ['create serviceaccounts fresh/default']);
    stop.abort();
  });

  test('a deleted default ServiceAccount is made again', async () => {
    const api = new FakeApi();
    api.seed(namespaceResource, ns('app'));
    const stop = await started(api);
    api.clearActions();
    await api.delete(serviceAccountResource, 'app', 'default');
    await settle(30);
    assert.deepEqual(api.writes().map((a) => `${a.verb} ${a.namespace}/${a.name}`), ['delete app/default', 'create app/default']);
    assert.ok(api.peek(serviceAccountResource, 'app', 'default'));
    stop.abort();
  });
});

describe('fake API lists', () => {
  test('apply label and field selectors as the apiserver does', async () => {
    const api = new FakeApi();
    api.seed(serviceAccountResource, { metadata: { name: 'a', namespace: 'x', labels: { team: 'red' } } }, { metadata: { name: 'b', namespace: 'x', labels: { team: 'blue' } } }, { metadata: { name: 'c', namespace: 'y', labels: { team: 'red' } } });
    const names = async (ns: string, opts: { labelSelector?: string; fieldSelector?: string }): Promise<string[]> => (await api.list(serviceAccountResource, ns, opts)).map((o) => o.metadata?.name ?? '').sort();
    assert.deepEqual(await names('', { labelSelector: 'team=red' }), ['a', 'c']);
    assert.deepEqual(await names('x', { labelSelector: 'team!=red' }), ['b']);
    assert.deepEqual(await names('', { fieldSelector: 'metadata.name=b' }), ['b']);
    assert.deepEqual(await names('', { fieldSelector: 'metadata.namespace=y' }), ['c']);
  });
});
