// The taint eviction controller: pods on a node with NoExecute taints go at once when they do not
// tolerate them, after their tolerationSeconds (counted from the taint's timeAdded) when they do,
// never when they tolerate without a limit; a taint removed in time cancels the eviction.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Taint, Toleration } from '../../../pkg/api/core/v1/common.js';
import { nodeResource, type Node } from '../../../pkg/api/core/v1/node.js';
import type { Pod } from '../../../pkg/api/core/v1/pod-types.js';
import { podResource } from '../../../pkg/api/core/v1/pod.js';
import { formatTime } from '../../../pkg/api/meta/v1.js';
import { FakeClock } from '../../../pkg/client/clock.js';
import { evictionTime, TaintEvictionController } from '../../../pkg/controller/tainteviction/index.js';
import { FakeApi, settle } from '../../helpers/fake-api.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const unreachable = (addedMs = T0): Taint => ({ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: formatTime(addedMs) });
const tolerate = (seconds?: number): Toleration => ({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', ...(seconds !== undefined ? { tolerationSeconds: seconds } : {}) });
const node = (name: string, taints: Taint[]): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { taints } });
const pod = (name: string, tolerations: Toleration[]): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}` },
  spec: { nodeName: 'lost', tolerations, containers: [{ name: 'c', image: 'pause' }] },
  status: { phase: 'Running' },
});

async function start(api: FakeApi): Promise<{ c: TaintEvictionController; stop: AbortController }> {
  const { c, stop } = await api.startController((ctx) => new TaintEvictionController(ctx));
  return { c, stop };
}

const names = (api: FakeApi): string[] => api.all<Pod>(podResource).map((p) => p.metadata!.name!).sort();

describe('taint eviction controller', () => {
  test('when a pod must go, as upstream decides it', () => {
    const cases: [string, Taint[], Toleration[], number | 'now' | 'never'][] = [
      ['no NoExecute taint', [{ key: 'k', effect: 'NoSchedule' }], [], 'never'],
      ['untolerated', [unreachable()], [], 'now'],
      ['one of two tolerated', [unreachable(), { key: 'other', effect: 'NoExecute' }], [tolerate(300)], 'now'],
      ['tolerated for 300 s from timeAdded', [unreachable(T0 - 100_000)], [tolerate(300)], T0 + 200_000],
      ['shortest of the tolerations used', [unreachable(), { key: 'other', effect: 'NoExecute' }], [tolerate(300), { operator: 'Exists', key: 'other', tolerationSeconds: 30 }], T0 + 30_000],
      ['without a limit', [unreachable()], [tolerate()], 'never'],
      ['a zero limit', [unreachable()], [tolerate(0)], 'now'],
      ['an empty key with Exists tolerates everything', [unreachable()], [{ operator: 'Exists' }], 'never'],
    ];
    for (const [what, taints, tolerations, want] of cases) assert.equal(evictionTime(taints, tolerations, T0), want, what);
  });

  test('an untolerating pod is deleted at once with DisruptionTarget (DeletionByTaintManager); a tolerating one after its tolerationSeconds; an unlimited one stays', async () => {
    const clock = new FakeClock(T0);
    const api = new FakeApi(clock);
    api.seed(nodeResource, node('lost', [unreachable()]));
    api.seed(podResource, pod('plain', []), pod('patient', [tolerate(300)]), pod('daemon', [tolerate()]));
    const { c, stop } = await start(api);
    assert.equal(await c.reconcile('default/plain'), undefined);
    const r = await c.reconcile('default/patient');
    assert.deepEqual(r, { requeueAfterMs: 300_000 });
    await c.reconcile('default/daemon');
    await settle();
    assert.deepEqual(names(api), ['daemon', 'patient']);
    const patch = api.writes('pods').find((a) => a.verb === 'patch' && a.name === 'plain');
    assert.equal(patch?.subresource, 'status');
    assert.deepEqual(
      (patch?.patch as { status: Pod['status'] }).status?.conditions?.map((x) => [x.type, x.status, x.reason, x.message]),
      [['DisruptionTarget', 'True', 'DeletionByTaintManager', 'Taint manager: deleting due to NoExecute taint']],
    );
    assert.ok(api.events.some((e) => e.name === 'plain' && e.reason === 'TaintManagerEviction' && e.note === 'Marking for deletion Pod default/plain'));
    clock.advance(299_000);
    await c.reconcile('default/patient');
    await settle();
    assert.deepEqual(names(api), ['daemon', 'patient']);
    clock.advance(1_000);
    await c.reconcile('default/patient');
    await settle();
    assert.deepEqual(names(api), ['daemon']);
    stop.abort();
  });

  test('a taint removed before the deadline cancels the eviction', async () => {
    const clock = new FakeClock(T0);
    const api = new FakeApi(clock);
    api.seed(nodeResource, node('lost', [unreachable()]));
    api.seed(podResource, pod('patient', [tolerate(300)]));
    const { c, stop } = await start(api);
    await c.reconcile('default/patient');
    const n = api.peek<Node>(nodeResource, '', 'lost')!;
    await api.update(nodeResource, { ...n, spec: {} });
    await settle();
    clock.advance(300_000);
    await c.reconcile('default/patient');
    await settle();
    assert.deepEqual(names(api), ['patient']);
    assert.ok(api.events.some((e) => e.name === 'patient' && e.reason === 'TaintManagerEviction' && e.note === 'Cancelling deletion of Pod default/patient'));
    stop.abort();
  });
});
