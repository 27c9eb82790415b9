// The node lifecycle controller: a node whose kubelet stops posting status and renewing its Lease
// goes Unknown after the grace period, its pods go not Ready, it is tainted NoExecute at the zone's
// rate, and the taints go as soon as the kubelet reports Ready again.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { leaseResource, type Lease } from '../../../pkg/api/coordination/v1/lease.js';
import { nodeResource, type Node } from '../../../pkg/api/core/v1/node.js';
import type { Pod } from '../../../pkg/api/core/v1/pod-types.js';
import { podResource } from '../../../pkg/api/core/v1/pod.js';
import { formatMicroTime, formatTime } from '../../../pkg/api/meta/v1.js';
import { FakeClock } from '../../../pkg/client/clock.js';
import { NodeLifecycleController, noScheduleTaints, zoneState } from '../../../pkg/controller/nodelifecycle/index.js';
import { FakeApi, settle } from '../../helpers/fake-api.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const FLAGS = {
  'node-monitor-period': '5s',
  'node-monitor-grace-period': '50s',
  'node-startup-grace-period': '1m0s',
  'node-eviction-rate': '0.1',
  'secondary-node-eviction-rate': '0.01',
  'large-cluster-size-threshold': '50',
  'unhealthy-zone-threshold': '0.55',
};

const node = (name: string, ready: 'True' | 'False' | undefined, heartbeatMs = T0): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, creationTimestamp: formatTime(T0 - 3_600_000) },
  spec: {},
  ...(ready === undefined
    ? {}
    : {
        status: {
          conditions: ['MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({ type, status: 'False', lastHeartbeatTime: formatTime(heartbeatMs), lastTransitionTime: formatTime(T0 - 3_600_000), reason: 'Fine', message: 'fine' })).concat([{ type: 'Ready', status: ready, lastHeartbeatTime: formatTime(heartbeatMs), lastTransitionTime: formatTime(T0 - 3_600_000), reason: 'KubeletReady', message: 'kubelet is posting ready status' }]),
        },
      }),
});
const lease = (name: string, renewMs: number): Lease => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: formatMicroTime(renewMs) } });
const pod = (name: string, nodeName: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { nodeName, containers: [{ name: 'c', image: 'pause' }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: formatTime(T0 - 60_000) }] },
});

async function start(api: FakeApi): Promise<{ c: NodeLifecycleController; stop: AbortController }> {
  const { c, stop } = await api.startController((ctx) => new NodeLifecycleController(ctx), { flags: FLAGS });
  return { c, stop };
}

const nodeOf = (api: FakeApi, name: string): Node => api.peek<Node>(nodeResource, '', name)!;
const condition = (n: Node, type: string): string | undefined => n.status?.conditions?.find((c) => c.type === type)?.status;
const taints = (api: FakeApi, name: string): string[] => (nodeOf(api, name).spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();

/** Renews a node's Lease as its kubelet would. */
async function renew(api: FakeApi, clock: FakeClock, name: string): Promise<void> {
  const l = api.peek<Lease>(leaseResource, 'kube-node-lease', name)!;
  await api.update(leaseResource, { ...l, spec: { ...l.spec, renewTime: formatMicroTime(clock.now()) } });
  await settle();
}

describe('node lifecycle controller', () => {
  test('a node whose Lease stops being renewed goes Unknown after the 50 s grace, its pods go not Ready, and it is tainted unreachable NoExecute', async () => {
    const clock = new FakeClock(T0);
    const api = new FakeApi(clock);
    api.seed(nodeResource, node('alive', 'True'), node('silent', 'True'));
    api.seed(leaseResource, lease('alive', T0), lease('silent', T0));
    api.seed(podResource, pod('on-silent', 'silent'), pod('on-alive', 'alive'));
    const { c, stop } = await start(api);
    await c.monitorNodeHealth();
    // The status heartbeat is old (the kubelet reports every 5 min) but the Lease keeps moving.
    for (let t = 0; t < 12; t++) {
      clock.advance(5_000);
      await renew(api, clock, 'alive');
      await c.monitorNodeHealth();
      await settle();
    }
    assert.equal(condition(nodeOf(api, 'alive'), 'Ready'), 'True', 'a renewed Lease is a heartbeat');
    const silent = nodeOf(api, 'silent');
    assert.deepEqual(
      silent.status?.conditions?.map((x) => [x.type, x.status, x.reason, x.message]),
      ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map((type) => [type, 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']),
    );
    assert.equal(silent.status?.conditions?.find((x) => x.type === 'Ready')?.lastHeartbeatTime, formatTime(T0), 'the last heartbeat stays what the kubelet wrote');
    const marked = api.peek<Pod>(podResource, 'default', 'on-silent')!;
    assert.equal(marked.status?.conditions?.find((x) => x.type === 'Ready')?.status, 'False');
    assert.equal(api.peek<Pod>(podResource, 'default', 'on-alive')!.status?.conditions?.find((x) => x.type === 'Ready')?.status, 'True');
    assert.ok(api.events.some((e) => e.kind === 'Node' && e.name === 'silent' && e.reason === 'NodeNotReady' && e.note === 'Node silent status is now: NodeNotReady'));
    assert.ok(api.events.some((e) => e.kind === 'Pod' && e.name === 'on-silent' && e.type === 'Warning' && e.reason === 'NodeNotReady' && e.note === 'Node is not ready'));
    // The taint follows the Unknown condition as observed on the next pass.
    clock.advance(5_000);
    await renew(api, clock, 'alive');
    await c.monitorNodeHealth();
    await c.noExecuteTaintingPass();
    await settle();
    assert.deepEqual(taints(api, 'silent'), ['node.kubernetes.io/unreachable:NoExecute']);
    assert.equal(nodeOf(api, 'silent').spec?.taints?.[0]?.timeAdded, formatTime(clock.now()));
    assert.deepEqual(taints(api, 'alive'), []);
    stop.abort();
  });

  test('a node that reports Ready again loses its NoExecute taint at once', async () => {
    const clock = new FakeClock(T0);
    const api = new FakeApi(clock);
    const tainted = node('back', 'True', T0);
    tainted.spec = { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: formatTime(T0 - 60_000) }, { key: 'example.com/mine', effect: 'NoExecute' }] };
    api.seed(nodeResource, tainted, node('other', 'True'));
    const { c, stop } = await start(api);
    await c.monitorNodeHealth();
    await settle();
    assert.deepEqual(taints(api, 'back'), ['example.com/mine:NoExecute'], "the controller's taint goes; the user's stays");
    stop.abort();
  });

  test('a kubelet reporting Ready False gets the not-ready taint; a node never heard from goes Unknown after the startup grace', async () => {
    const clock = new FakeClock(T0);
    const api = new FakeApi(clock);
    const fresh = node('fresh', undefined);
    fresh.metadata!.creationTimestamp = formatTime(T0);
    api.seed(nodeResource, node('sick', 'False'), fresh, node('fine', 'True'));
    api.seed(leaseResource, lease('sick', T0), lease('fine', T0));
    const { c, stop } = await start(api);
    await c.monitorNodeHealth();
    await c.noExecuteTaintingPass();
    await settle();
    assert.deepEqual(taints(api, 'sick'), ['node.kubernetes.io/not-ready:NoExecute']);
    // 65 s: past the minute of startup grace.
    for (let t = 0; t < 13; t++) {
      clock.advance(5_000);
      await renew(api, clock, 'sick');
      await renew(api, clock, 'fine');
      await c.monitorNodeHealth();
      await settle();
    }
    assert.deepEqual(
      nodeOf(api, 'fresh').status?.conditions?.map((x) => [x.type, x.status, x.reason, x.message]),
      ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => [type, 'Unknown', 'NodeStatusNeverUpdated', 'Kubelet never posted node status.']),
    );
    assert.equal(condition(nodeOf(api, 'sick'), 'Ready'), 'False', 'a kubelet that reports is believed');
    stop.abort();
  });

  test('NoExecute taints come at --node-eviction-rate per zone: the second node waits 10 s', async () => {
    const clock = new FakeClock(T0);
    const api = new FakeApi(clock);
    api.seed(nodeResource, node('a', 'False'), node('b', 'False'), node('c', 'True'), node('d', 'True'), node('e', 'True'));
    const { c, stop } = await start(api);
    await c.monitorNodeHealth();
    await c.noExecuteTaintingPass();
    await settle();
    const tainted = (): number => ['a', 'b'].filter((n) => taints(api, n).length > 0).length;
    assert.equal(tainted(), 1);
    clock.advance(9_000);
    await c.noExecuteTaintingPass();
    await settle();
    assert.equal(tainted(), 1);
    clock.advance(1_000);
    await c.noExecuteTaintingPass();
    await settle();
    assert.equal(tainted(), 2);
    stop.abort();
  });

  test('when every node is down nothing is tainted: the control plane is the likelier fault', async () => {
    const clock = new FakeClock(T0);
    const api = new FakeApi(clock);
    api.seed(nodeResource, node('a', 'True'), node('b', 'True'));
    const { c, stop } = await start(api);
    await c.monitorNodeHealth();
    clock.advance(51_000);
    await c.monitorNodeHealth();
    await settle();
    assert.equal(condition(nodeOf(api, 'a'), 'Ready'), 'Unknown');
    assert.equal(condition(nodeOf(api, 'b'), 'Ready'), 'Unknown');
    for (let t = 0; t < 3; t++) {
      clock.advance(5_000);
      await c.monitorNodeHealth();
      await c.noExecuteTaintingPass();
      await settle();
    }
    assert.deepEqual([taints(api, 'a'), taints(api, 'b')], [[], []]);
    stop.abort();
  });

  test('NoSchedule taints follow the conditions and cordon', async () => {
    const clock = new FakeClock(T0);
    const api = new FakeApi(clock);
    const cordoned = node('cordoned', 'True');
    cordoned.spec = { unschedulable: true, taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] };
    api.seed(nodeResource, cordoned);
    const { c, stop } = await start(api);
    await c.syncNoScheduleTaints('cordoned');
    await settle();
    assert.deepEqual(taints(api, 'cordoned'), ['node.kubernetes.io/unschedulable:NoSchedule'], 'not-ready goes (the node is Ready), unschedulable comes');
    stop.abort();
    assert.deepEqual(
      noScheduleTaints({ status: { conditions: [{ type: 'Ready', status: 'Unknown' }, { type: 'MemoryPressure', status: 'True' }, { type: 'DiskPressure', status: 'False' }] } }).map((t) => t.key),
      ['node.kubernetes.io/unreachable', 'node.kubernetes.io/memory-pressure'],
    );
  });

  test('zone states as upstream computes them', () => {
    const cases: [readonly (string | undefined)[], string][] = [
      [['True', 'True'], 'Normal'],
      [['True', 'Unknown'], 'Normal'],
      [['Unknown', 'False'], 'FullDisruption'],
      [['True', 'Unknown', 'Unknown'], 'Normal'],
      [['True', 'Unknown', 'Unknown', 'False'], 'PartialDisruption'],
      [['True', 'True', 'True', 'Unknown', 'Unknown', 'Unknown'], 'Normal'],
      [[undefined, 'True'], 'Normal'],
    ];
    for (const [statuses, want] of cases) assert.equal(zoneState(statuses, 0.55), want, JSON.stringify(statuses));
  });
});
