// The garbage collector on the fake API: background, foreground and orphan propagation, dangling
// references (a missing owner, an owner with another uid), cycles, and a namespaced dependent of a
// cluster-scoped owner.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentResource } from '../../../pkg/api/apps/v1/deployment.js';
import { replicaSetResource } from '../../../pkg/api/apps/v1/replicaset.js';
import { configMapResource } from '../../../pkg/api/core/v1/configmap.js';
import { nodeResource } from '../../../pkg/api/core/v1/node.js';
import { podResource } from '../../../pkg/api/core/v1/pod.js';
import type { OwnerReference } from '../../../pkg/api/meta/v1.js';
import type { KubeObject } from '../../../pkg/client/resource.js';
import { GarbageCollector } from '../../../pkg/controller/garbagecollector/index.js';
import { FakeApi, settle } from '../../helpers/fake-api.js';

const refTo = (o: KubeObject, kind: string, apiVersion: string, block = false): OwnerReference => ({ apiVersion, kind, name: o.metadata?.name ?? '', uid: o.metadata?.uid ?? '', controller: true, ...(block ? { blockOwnerDeletion: true } : {}) });
const pod = (name: string, owners: OwnerReference[] = [], ns = 'default'): KubeObject => ({ metadata: { name, namespace: ns, ownerReferences: owners }, spec: { containers: [{ name: 'c', image: 'i' }] } }) as KubeObject;
const names = (api: FakeApi, r: typeof podResource | typeof replicaSetResource | typeof configMapResource | typeof deploymentResource): string[] => api.all(r).map((o) => o.metadata?.name ?? '').sort();

async function collector(api: FakeApi): Promise<AbortController> {
  const ctx = api.context(4);
  const gc = new GarbageCollector(ctx);
  const stop = new AbortController();
  ctx.informers.start(stop.signal);
  void gc.run(stop.signal);
  await settle(100);
  return stop;
}

/** Lets the collector's queue and informers go round until nothing changes. */
async function quiet(): Promise<void> {
  await settle(200);
  await new Promise((r) => setTimeout(r, 50));
  await settle(200);
}

describe('garbage collector', () => {
  test('background: the dependents of a deleted owner are deleted; another owner\'s stay', async () => {
    const api = new FakeApi();
    const [rs, other] = api.seed(replicaSetResource, { metadata: { name: 'web', namespace: 'default' } }, { metadata: { name: 'api', namespace: 'default' } });
    api.seed(podResource, pod('web-1', [refTo(rs!, 'ReplicaSet', 'apps/v1')]), pod('web-2', [refTo(rs!, 'ReplicaSet', 'apps/v1')]), pod('api-1', [refTo(other!, 'ReplicaSet', 'apps/v1')]), pod('loose'));
    const stop = await collector(api);
    assert.deepEqual(names(api, podResource), ['api-1', 'loose', 'web-1', 'web-2'], 'owners alive: nothing is collected');
    await api.delete(replicaSetResource, 'default', 'web');
    await quiet();
    assert.deepEqual(names(api, podResource), ['api-1', 'loose']);
    stop.abort();
  });

  test('a reference to an owner that does not exist, or exists under another uid, is dangling: the dependent goes', async () => {
    const api = new FakeApi();
    const [rs] = api.seed(replicaSetResource, { metadata: { name: 'web', namespace: 'default' } });
    api.seed(
      podResource,
      pod('right-uid', [refTo(rs!, 'ReplicaSet', 'apps/v1')]),
      pod('wrong-uid', [{ ...refTo(rs!, 'ReplicaSet', 'apps/v1'), uid: 'uid-of-an-older-web' }]),
      pod('no-owner', [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'gone', uid: 'uid-gone' }]),
    );
    const stop = await collector(api);
    await quiet();
    assert.deepEqual(names(api, podResource), ['right-uid']);
    stop.abort();
  });

  test('of two owners one vanished: only the reference to it is removed', async () => {
    const api = new FakeApi();
    const [a] = api.seed(configMapResource, { metadata: { name: 'a', namespace: 'default' } });
    api.seed(configMapResource, { metadata: { name: 'both', namespace: 'default', ownerReferences: [{ ...refTo(a!, 'ConfigMap', 'v1'), controller: false }, { apiVersion: 'v1', kind: 'ConfigMap', name: 'b', uid: 'uid-b-gone' }] } });
    const stop = await collector(api);
    await quiet();
    const both = api.peek(configMapResource, 'default', 'both');
    assert.deepEqual(both?.metadata?.ownerReferences?.map((r) => r.name), ['a']);
    stop.abort();
  });

  test('orphan: the dependents are released (ownerReferences removed) and the owner\'s orphan finalizer dropped', async () => {
    const api = new FakeApi();
    const [rs] = api.seed(replicaSetResource, { metadata: { name: 'web', namespace: 'default' } });
    api.seed(podResource, pod('web-1', [refTo(rs!, 'ReplicaSet', 'apps/v1', true)]), pod('web-2', [refTo(rs!, 'ReplicaSet', 'apps/v1', true)]));
    const stop = await collector(api);
    await api.delete(replicaSetResource, 'default', 'web', { propagationPolicy: 'Orphan' });
    await quiet();
    assert.deepEqual(names(api, replicaSetResource), [], 'the owner went once its finalizer was dropped');
    assert.deepEqual(names(api, podResource), ['web-1', 'web-2']);
    for (const p of api.all(podResource)) assert.deepEqual(p.metadata?.ownerReferences ?? [], []);
    stop.abort();
  });

  test('foreground: a Deployment waits for its ReplicaSet, which waits for its pods; then each goes', async () => {
    const api = new FakeApi();
    const [d] = api.seed(deploymentResource, { metadata: { name: 'web', namespace: 'default' } });
    const [rs] = api.seed(replicaSetResource, { metadata: { name: 'web-1a', namespace: 'default', ownerReferences: [refTo(d!, 'Deployment', 'apps/v1', true)] } });
    api.seed(podResource, pod('web-1a-x', [refTo(rs!, 'ReplicaSet', 'apps/v1', true)]), pod('web-1a-y', [refTo(rs!, 'ReplicaSet', 'apps/v1', true)]));
    const stop = await collector(api);
    await api.delete(deploymentResource, 'default', 'web', { propagationPolicy: 'Foreground' });
    await quiet();
    assert.deepEqual([names(api, deploymentResource), names(api, replicaSetResource), names(api, podResource)], [[], [], []]);
    // The order: pods deleted before the ReplicaSet's finalizer went, and it before the Deployment's.
    const order = api.writes().filter((w) => w.verb === 'patch' && w.resource !== 'pods').map((w) => w.resource);
    assert.deepEqual(order, ['replicasets', 'deployments']);
    const podDeletes = api.writes().findIndex((w) => w.verb === 'delete' && w.resource === 'pods');
    const rsRelease = api.writes().findIndex((w) => w.verb === 'patch' && w.resource === 'replicasets');
    assert.ok(podDeletes >= 0 && podDeletes < rsRelease, 'pods deleted before the ReplicaSet was let go');
    stop.abort();
  });

  test('a cycle of owners stays while both live; deleting one takes the other', async () => {
    const api = new FakeApi();
    const [a, b] = api.seed(configMapResource, { metadata: { name: 'a', namespace: 'default' } }, { metadata: { name: 'b', namespace: 'default' } });
    await api.patch(configMapResource, 'default', 'a', { metadata: { ownerReferences: [refTo(b!, 'ConfigMap', 'v1')] } }, 'merge');
    await api.patch(configMapResource, 'default', 'b', { metadata: { ownerReferences: [refTo(a!, 'ConfigMap', 'v1')] } }, 'merge');
    const stop = await collector(api);
    await quiet();
    assert.deepEqual(names(api, configMapResource), ['a', 'b']);
    await api.delete(configMapResource, 'default', 'a');
    await quiet();
    assert.deepEqual(names(api, configMapResource), []);
    stop.abort();
  });

  test('a namespaced dependent of a cluster-scoped owner goes with it', async () => {
    const api = new FakeApi();
    const [node] = api.seed(nodeResource, { metadata: { name: 'n1' } });
    api.seed(podResource, pod('mirror', [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: (node as KubeObject).metadata?.uid ?? '', controller: true }], 'kube-system'));
    const stop = await collector(api);
    await quiet();
    assert.deepEqual(names(api, podResource), ['mirror']);
    await api.delete(nodeResource, '', 'n1');
    await quiet();
    assert.deepEqual(names(api, podResource), []);
    stop.abort();
  });
});
