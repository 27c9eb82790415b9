// The namespace controller on the fake API: a namespace being deleted is emptied of everything
// discovery lists, then released; what resists is reported in the namespace's conditions.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentResource } from '../../../pkg/api/apps/v1/deployment.js';
import { configMapResource } from '../../../pkg/api/core/v1/configmap.js';
import { namespaceResource, type Namespace } from '../../../pkg/api/core/v1/namespace.js';
import { podResource } from '../../../pkg/api/core/v1/pod.js';
import { badRequest } from '../../../pkg/api/errors.js';
import { CONTENT_REMAINING_REQUEUE_MS, deletionConditions, mergeConditions, NamespaceController } from '../../../pkg/controller/namespace/index.js';
import { FakeApi } from '../../helpers/fake-api.js';

const terminating = (name: string): Namespace => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, deletionTimestamp: '2026-01-01T00:00:00Z' },
  spec: { finalizers: ['kubernetes'] },
  status: { phase: 'Terminating' },
});

async function controller(api: FakeApi): Promise<{ c: NamespaceController; stop: AbortController }> {
  const { c, stop } = await api.startController((ctx) => new NamespaceController(ctx));
  return { c, stop };
}

function condition(api: FakeApi, ns: string, type: string): { status?: string; reason?: string; message?: string } | undefined {
  return api.peek<Namespace>(namespaceResource, '', ns)?.status?.conditions?.find((c) => c.type === type);
}

describe('namespace controller', () => {
  test('a namespace being deleted loses every namespaced object, then its kubernetes finalizer, and is gone', async () => {
    const api = new FakeApi();
    api.seed(namespaceResource, terminating('doomed'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kept' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    api.seed(configMapResource, { metadata: { name: 'a', namespace: 'doomed' } }, { metadata: { name: 'b', namespace: 'doomed' } }, { metadata: { name: 'a', namespace: 'kept' } });
    api.seed(podResource, { metadata: { name: 'p', namespace: 'doomed' }, spec: { containers: [{ name: 'c', image: 'i' }] } });
    api.seed(deploymentResource, { metadata: { name: 'd', namespace: 'doomed' } });
    const { c, stop } = await controller(api);
    const result = await c.reconcile('doomed', stop.signal);
    assert.equal(result, undefined);
    assert.equal(api.all(configMapResource).filter((o) => o.metadata?.namespace === 'doomed').length, 0);
    assert.equal(api.all(podResource).length, 0);
    assert.equal(api.all(deploymentResource).length, 0);
    assert.ok(api.peek(configMapResource, 'kept', 'a'), 'other namespaces keep their content');
    assert.equal(api.peek(namespaceResource, '', 'doomed'), undefined, 'released through namespaces/finalize, the namespace is gone');
    assert.ok(api.writes().some((w) => w.verb === 'update-subresource' && w.subresource === 'finalize' && w.name === 'doomed'));
    // The namespace that is not being deleted was not touched.
    assert.equal(await c.reconcile('kept', stop.signal), undefined);
    assert.ok(api.writes().every((w) => w.namespace !== 'kept' && w.name !== 'kept'));
    stop.abort();
  });

  test('content held by a finalizer keeps the namespace, with NamespaceContentRemaining and NamespaceFinalizersRemaining; once it goes the namespace follows', async () => {
    const api = new FakeApi();
    api.seed(namespaceResource, terminating('held'));
    api.seed(configMapResource, { metadata: { name: 'sticky', namespace: 'held', finalizers: ['example.com/hold'] } });
    const { c, stop } = await controller(api);
    assert.deepEqual(await c.reconcile('held', stop.signal), { requeueAfterMs: CONTENT_REMAINING_REQUEUE_MS });
    assert.ok(api.peek(namespaceResource, '', 'held'));
    assert.deepEqual(condition(api, 'held', 'NamespaceContentRemaining'), { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: configmaps has 1 resource instances', lastTransitionTime: '2026-01-01T00:00:00Z' });
    assert.equal(condition(api, 'held', 'NamespaceFinalizersRemaining')?.message, 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances');
    assert.equal(condition(api, 'held', 'NamespaceDeletionContentFailure')?.status, 'False');
    // The finalizer's owner lets go; the next pass releases the namespace.
    await api.patch(configMapResource, 'held', 'sticky', { metadata: { finalizers: null } }, 'merge');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await c.reconcile('held', stop.signal), undefined);
    assert.equal(api.peek(namespaceResource, '', 'held'), undefined);
    stop.abort();
  });

  test('a delete the API refuses is reported as NamespaceDeletionContentFailure and retried', async () => {
    const api = new FakeApi();
    api.seed(namespaceResource, terminating('stuck'));
    api.seed(configMapResource, { metadata: { name: 'x', namespace: 'stuck' } });
    api.react({ verb: 'delete-collection', resource: 'configmaps', error: badRequest('no deleting today') });
    const { c, stop } = await controller(api);
    assert.deepEqual(await c.reconcile('stuck', stop.signal), { requeueAfterMs: CONTENT_REMAINING_REQUEUE_MS });
    const failure = condition(api, 'stuck', 'NamespaceDeletionContentFailure');
    assert.equal(failure?.status, 'True');
    assert.equal(failure?.reason, 'ContentDeletionFailed');
    assert.match(failure?.message ?? '', /^Failed to delete all resource types, 1 remaining: configmaps: no deleting today$/);
    assert.ok(api.peek(namespaceResource, '', 'stuck'), 'not released while content may remain');
    stop.abort();
  });

  test('a condition keeps its transition time while its status stays, and gets a new one when it flips', () => {
    const clean = deletionConditions({ discoveryErrors: [], deleteErrors: [], remaining: new Map(), finalizers: new Map() });
    const dirty = deletionConditions({ discoveryErrors: [], deleteErrors: [], remaining: new Map([['pods', 2]]), finalizers: new Map() });
    const first = mergeConditions([], dirty, 't1');
    const same = mergeConditions(first, dirty, 't2');
    assert.equal(same.find((x) => x.type === 'NamespaceContentRemaining')?.lastTransitionTime, 't1');
    const flipped = mergeConditions(same, clean, 't3');
    assert.equal(flipped.find((x) => x.type === 'NamespaceContentRemaining')?.lastTransitionTime, 't3');
    assert.equal(flipped.find((x) => x.type === 'NamespaceDeletionDiscoveryFailure')?.lastTransitionTime, 't1');
  });
});
