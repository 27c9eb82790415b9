// The pod garbage collector: terminated pods above the threshold, pods of nodes that are gone
// (after the quarantine and a confirming read), and terminating pods that were never scheduled.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeResource, type Node } from '../../../pkg/api/core/v1/node.js';
import type { Pod } from '../../../pkg/api/core/v1/pod-types.js';
import { podResource } from '../../../pkg/api/core/v1/pod.js';
import { FakeClock } from '../../../pkg/client/clock.js';
import { PodGcController, QUARANTINE_MS } from '../../../pkg/controller/podgc/index.js';
import { FakeApi } from '../../helpers/fake-api.js';

async function controller(api: FakeApi, threshold = '12500'): Promise<{ c: PodGcController; stop: AbortController }> {
  const { c, stop } = await api.startController((ctx) => new PodGcController(ctx), { flags: { 'terminated-pod-gc-threshold': threshold } });
  return { c, stop };
}

const pod = (name: string, extra: { node?: string; phase?: string; reason?: string; created?: string; deleting?: boolean } = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'default',
    creationTimestamp: extra.created ?? '2026-01-01T00:00:00Z',
    ...(extra.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['example.com/hold'] } : {}),
  },
  spec: { containers: [{ name: 'c', image: 'pause' }], ...(extra.node ? { nodeName: extra.node } : {}) },
  status: { phase: extra.phase ?? 'Running', ...(extra.reason ? { reason: extra.reason } : {}) },
});
const node = (name: string): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
const names = (api: FakeApi): string[] => api.all<Pod>(podResource).map((p) => p.metadata!.name!).sort();

describe('pod garbage collector', () => {
  test('terminated pods above the threshold go, evicted ones first and then the oldest; running ones stay', async () => {
    const api = new FakeApi();
    api.seed(podResource, pod('old-done', { phase: 'Succeeded', created: '2026-01-01T00:00:01Z' }), pod('new-done', { phase: 'Succeeded', created: '2026-01-01T00:00:09Z' }), pod('evicted', { phase: 'Failed', reason: 'Evicted', created: '2026-01-01T00:00:08Z' }), pod('mid-failed', { phase: 'Failed', created: '2026-01-01T00:00:05Z' }), pod('running'));
    const { c, stop } = await controller(api, '2');
    await c.gc();
    assert.deepEqual(names(api), ['mid-failed', 'new-done', 'running']);
    assert.ok(api.writes('pods').every((a) => a.verb === 'delete' && a.deleteOptions?.gracePeriodSeconds === 0), 'force deletes, no status writes for terminal pods');
    stop.abort();
    const keepAll = new FakeApi();
    keepAll.seed(podResource, pod('a', { phase: 'Succeeded' }), pod('b', { phase: 'Failed' }));
    const off = await controller(keepAll, '0');
    await off.c.gc();
    assert.deepEqual(names(keepAll), ['a', 'b']);
    off.stop.abort();
  });

  test('pods of a node that is gone are marked Failed (DisruptionTarget, DeletionByPodGC) and deleted, after the 40 s quarantine', async () => {
    const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
    const api = new FakeApi(clock);
    api.seed(nodeResource, node('here'));
    api.seed(podResource, pod('on-gone', { node: 'gone' }), pod('done-on-gone', { node: 'gone', phase: 'Succeeded' }), pod('on-here', { node: 'here' }));
    const { c, stop } = await controller(api);
    await c.gc();
    assert.deepEqual(names(api), ['done-on-gone', 'on-gone', 'on-here'], 'a missing node is quarantined first');
    clock.advance(QUARANTINE_MS);
    await c.gc();
    assert.deepEqual(names(api), ['on-here']);
    const patch = api.writes('pods').find((a) => a.verb === 'patch' && a.name === 'on-gone');
    assert.equal(patch?.subresource, 'status');
    const status = (patch?.patch as { status: Pod['status'] }).status!;
    assert.equal(status.phase, 'Failed');
    assert.deepEqual(
      status.conditions?.map((x) => [x.type, x.status, x.reason, x.message]),
      [['DisruptionTarget', 'True', 'DeletionByPodGC', 'PodGC: node no longer exists']],
    );
    assert.equal(api.writes('pods').filter((a) => a.verb === 'patch' && a.name === 'done-on-gone').length, 0, 'a terminal pod keeps its phase');
    stop.abort();
  });

  test('a node the cache lacks but the API has is not gone: its pods stay', async () => {
    const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
    const api = new FakeApi(clock);
    api.seed(podResource, pod('on-late', { node: 'late' }));
    const { c, stop } = await controller(api);
    await c.gc();
    // The cache stops here: a node created now is one only a read finds.
    stop.abort();
    api.seed(nodeResource, node('late'));
    clock.advance(QUARANTINE_MS);
    await c.gc();
    assert.deepEqual(names(api), ['on-late']);
  });

  test('a terminating pod that was never scheduled is force-deleted', async () => {
    const api = new FakeApi();
    api.seed(podResource, pod('unscheduled', { deleting: true }), pod('scheduled', { deleting: true, node: 'n' }));
    api.seed(nodeResource, node('n'));
    const { c, stop } = await controller(api);
    await c.gc();
    const deletes = api.writes('pods').filter((a) => a.verb === 'delete').map((a) => a.name);
    assert.deepEqual(deletes, ['unscheduled']);
    stop.abort();
  });
});
