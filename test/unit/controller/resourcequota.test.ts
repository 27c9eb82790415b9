// The resource quota controller on a fake API: status.hard from spec.hard, status.used counted from
// the namespace's pods (scopes applied, finished ones not), Services and object counts, and a
// recount when something is deleted or a pod finishes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentResource } from '../../../pkg/api/apps/v1/deployment.js';
import type { Pod } from '../../../pkg/api/core/v1/pod-types.js';
import { podResource } from '../../../pkg/api/core/v1/pod.js';
import { resourceQuotaResource, type ResourceQuota } from '../../../pkg/api/core/v1/resourcequota.js';
import { serviceResource } from '../../../pkg/api/core/v1/service.js';
import { ResourceQuotaController } from '../../../pkg/controller/resourcequota/index.js';
import { FakeApi, settle } from '../../helpers/fake-api.js';

const pod = (name: string, cpu: string | undefined, phase = 'Running'): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'q' },
  spec: { containers: [{ name: 'c', image: 'x', ...(cpu !== undefined ? { resources: { requests: { cpu }, limits: { cpu } } } : {}) }] },
  status: { phase },
});

const quota = (name: string, spec: ResourceQuota['spec']): ResourceQuota => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace: 'q' }, spec });

async function start(api: FakeApi): Promise<{ c: ResourceQuotaController; stop: AbortController }> {
  const { c, stop } = await api.startController((ctx) => new ResourceQuotaController(ctx), { flags: { 'resource-quota-sync-period': '5m0s' } });
  return { c, stop };
}

const statusOf = (api: FakeApi, name: string): ResourceQuota['status'] => api.peek<ResourceQuota>(resourceQuotaResource, 'q', name)?.status;

describe('resource quota controller', () => {
  test('counts usage into status: pods not finished, cpu summed, scopes applied, object counts; resynced later', async () => {
    const api = new FakeApi();
    api.seed(podResource, pod('a', '250m'), pod('b', '500m'), pod('done', '4', 'Succeeded'), pod('free', undefined));
    api.seed(serviceResource, { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'q' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } });
    api.seed(deploymentResource, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'q' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } });
    api.seed(
      resourceQuotaResource,
      quota('compute', { hard: { pods: '10', 'requests.cpu': '2', 'limits.cpu': '4', services: '5', 'services.nodeports': '2', 'count/deployments.apps': '3' } }),
      quota('best-effort', { hard: { pods: '5' }, scopes: ['BestEffort'] }),
    );
    const { c, stop } = await start(api);
    const result = await c.reconcile('q/compute');
    assert.deepEqual(result, { requeueAfterMs: 300_000 });
    assert.deepEqual(statusOf(api, 'compute'), {
      hard: { pods: '10', 'requests.cpu': '2', 'limits.cpu': '4', services: '5', 'services.nodeports': '2', 'count/deployments.apps': '3' },
      used: { pods: '3', 'requests.cpu': '750m', 'limits.cpu': '750m', services: '1', 'services.nodeports': '1', 'count/deployments.apps': '1' },
    });
    await c.reconcile('q/best-effort');
    assert.deepEqual(statusOf(api, 'best-effort')?.used, { pods: '1' });
    stop.abort();
  });

  test('a deleted pod or one that finished is given back', async () => {
    const api = new FakeApi();
    api.seed(podResource, pod('a', '1'), pod('b', '1'));
    api.seed(resourceQuotaResource, quota('compute', { hard: { pods: '2', 'requests.cpu': '2' } }));
    const { c, stop } = await start(api);
    await c.reconcile('q/compute');
    assert.deepEqual(statusOf(api, 'compute')?.used, { pods: '2', 'requests.cpu': '2' });
    const queued: string[] = [];
    const enqueue = c.loop.enqueueObject.bind(c.loop);
    c.loop.enqueueObject = (o) => {
      queued.push((o as { metadata?: { name?: string } }).metadata?.name ?? '');
      enqueue(o);
    };
    await api.delete(podResource, 'q', 'a');
    await settle();
    assert.deepEqual(queued, ['compute'], 'a deletion replenishes');
    await c.reconcile('q/compute');
    assert.deepEqual(statusOf(api, 'compute')?.used, { pods: '1', 'requests.cpu': '1' });
    const b = api.peek<Pod>(podResource, 'q', 'b')!;
    await api.updateStatus(podResource, { ...b, status: { phase: 'Failed' } });
    await settle();
    assert.deepEqual(queued, ['compute', 'compute'], 'so does a pod that finished');
    await c.reconcile('q/compute');
    assert.deepEqual(statusOf(api, 'compute')?.used, { pods: '0', 'requests.cpu': '0' });
    stop.abort();
  });
});
