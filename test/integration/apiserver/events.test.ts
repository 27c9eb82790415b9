// events.k8s.io/v1 and core/v1 Events are one stored object seen through two APIs, as upstream.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer, type TestCluster } from '../../helpers/apiserver.js';

type Obj = Record<string, unknown> & { metadata: { name: string; resourceVersion: string } };

describe('events through both APIs', () => {
  let c: TestCluster;
  before(async () => {
    c = await startApiServer();
  });
  after(async () => {
    await c.stop();
  });

  test('an event created through events.k8s.io/v1 is listed by core/v1 with the fields kubectl describe filters on', async () => {
    const created = await c.request('POST', '/apis/events.k8s.io/v1/namespaces/default/events', {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'web-1.scheduled' },
      eventTime: '2026-11-23T10:00:00.123456Z',
      reportingController: 'default-scheduler',
      reportingInstance: 'default-scheduler-node-a',
      action: 'Binding',
      reason: 'Scheduled',
      note: 'Successfully assigned default/web-1 to node-a',
      type: 'Normal',
      regarding: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u-1', apiVersion: 'v1' },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal((created.body as Obj)['apiVersion'], 'events.k8s.io/v1');
    const sel = encodeURIComponent('involvedObject.name=web-1,involvedObject.namespace=default,involvedObject.kind=Pod,involvedObject.uid=u-1');
    const core = await c.request('GET', `/api/v1/namespaces/default/events?fieldSelector=${sel}`);
    const items = (core.body as { items: Obj[] }).items;
    assert.equal(items.length, 1);
    const ev = items[0]!;
    assert.equal(ev['apiVersion'], 'v1');
    assert.equal(ev['message'], 'Successfully assigned default/web-1 to node-a');
    assert.equal(ev['reportingComponent'], 'default-scheduler');
    assert.deepEqual(ev['involvedObject'], { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u-1', apiVersion: 'v1' });
    assert.equal(ev.metadata.resourceVersion, (created.body as Obj).metadata.resourceVersion);
  });

  test('an event created through core/v1 is read and watched through events.k8s.io/v1', async () => {
    const rv = ((await c.request('GET', '/apis/events.k8s.io/v1/namespaces/default/events')).body as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    const created = await c.request('POST', '/api/v1/namespaces/default/events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'cm.changed' },
      involvedObject: { kind: 'ConfigMap', namespace: 'default', name: 'cm' },
      reason: 'Changed',
      message: 'data changed',
      source: { component: 'tester' },
      firstTimestamp: '2026-11-23T10:00:00Z',
      lastTimestamp: '2026-11-23T10:00:05Z',
      count: 2,
      type: 'Normal',
    });
    assert.equal(created.status, 201, created.text);
    const got = (await c.request('GET', '/apis/events.k8s.io/v1/namespaces/default/events/cm.changed')).body as Obj;
    assert.equal(got['apiVersion'], 'events.k8s.io/v1');
    assert.equal(got['note'], 'data changed');
    assert.equal(got['deprecatedCount'], 2);
    assert.deepEqual(got['deprecatedSource'], { component: 'tester' });
    assert.deepEqual(got['regarding'], { kind: 'ConfigMap', namespace: 'default', name: 'cm' });
    const ctrl = new AbortController();
    const res = await fetch(`${c.url}/apis/events.k8s.io/v1/namespaces/default/events?watch=1&resourceVersion=${rv}`, { signal: ctrl.signal });
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    ctrl.abort();
    const ev = JSON.parse(Buffer.from(value!).toString().split('\n')[0]!) as { type: string; object: Obj };
    assert.equal(ev.type, 'ADDED');
    assert.equal(ev.object['apiVersion'], 'events.k8s.io/v1');
    assert.equal(ev.object['note'], 'data changed');
  });
});
