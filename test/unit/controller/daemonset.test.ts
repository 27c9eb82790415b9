// The DaemonSet controller on a fake API: which nodes should run a daemon pod (selectors, taints,
// the daemon tolerations), one pod per node pinned by node affinity, a ControllerRevision per
// template, pods leaving nodes that stop qualifying, rolling updates within maxUnavailable, status.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { controllerRevisionResource, type ControllerRevision } from '../../../pkg/api/apps/v1/controllerrevision.js';
import { daemonSetResource, type DaemonSet } from '../../../pkg/api/apps/v1/daemonset.js';
import type { Taint } from '../../../pkg/api/core/v1/common.js';
import { nodeResource, type Node } from '../../../pkg/api/core/v1/node.js';
import type { Pod } from '../../../pkg/api/core/v1/pod-types.js';
import { podResource } from '../../../pkg/api/core/v1/pod.js';
import { FakeClock } from '../../../pkg/client/clock.js';
import { DaemonSetController, nodeOfDaemonPod, nodeShouldRunDaemonPod } from '../../../pkg/controller/daemonset/index.js';
import { FakeApi, settle } from '../../helpers/fake-api.js';

const node = (name: string, labels: Record<string, string> = {}, taints: Taint[] = []): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec: { taints } });

const daemonSet = (spec: Partial<NonNullable<DaemonSet['spec']>> = {}, image = 'agent:1'): DaemonSet => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'default', uid: 'ds-uid', generation: 1, annotations: { 'deprecated.daemonset.template.generation': '1' } },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image }] } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
    revisionHistoryLimit: 10,
    ...spec,
  },
  status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
});

async function start(api: FakeApi): Promise<{ c: DaemonSetController; stop: AbortController }> {
  const { c, stop } = await api.startController((ctx) => new DaemonSetController(ctx));
  return { c, stop };
}

const podsByNode = (api: FakeApi): Record<string, string[]> => {
  const out: Record<string, string[]> = {};
  for (const p of api.all<Pod>(podResource).filter((x) => x.metadata?.deletionTimestamp === undefined)) (out[nodeOfDaemonPod(p) ?? '?'] ??= []).push(p.metadata?.labels?.['controller-revision-hash'] ?? '');
  return out;
};

/** Binds every daemon pod to its node and marks it Running and Ready, as scheduler and kubelet would. */
async function runAll(api: FakeApi): Promise<void> {
  for (const p of api.all<Pod>(podResource)) {
    if (p.spec?.nodeName) continue;
    await api.update(podResource, { ...p, spec: { ...p.spec!, nodeName: nodeOfDaemonPod(p)! } });
    const bound = api.peek<Pod>(podResource, 'default', p.metadata!.name!)!;
    await api.updateStatus(podResource, { ...bound, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] } });
  }
  await settle();
}

describe('daemonset controller', () => {
  test('which nodes should run a daemon pod', () => {
    const ds = daemonSet({ template: { metadata: { labels: { app: 'agent' } }, spec: { nodeSelector: { disk: 'ssd' }, containers: [{ name: 'a', image: 'a' }] } } });
    const cases: [string, Node, { shouldRun: boolean; shouldContinue: boolean }][] = [
      ['selector matches', node('a', { disk: 'ssd' }), { shouldRun: true, shouldContinue: true }],
      ['selector does not match', node('b'), { shouldRun: false, shouldContinue: false }],
      ['untolerated NoSchedule: no new pod, the old one stays', node('c', { disk: 'ssd' }, [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }]), { shouldRun: false, shouldContinue: true }],
      ['untolerated NoExecute: the pod goes', node('d', { disk: 'ssd' }, [{ key: 'dedicated', value: 'x', effect: 'NoExecute' }]), { shouldRun: false, shouldContinue: false }],
      ['not-ready, unreachable and cordon are tolerated by every daemon pod', node('e', { disk: 'ssd' }, [
          { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
          { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
          { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
        ]), { shouldRun: true, shouldContinue: true }],
    ];
    for (const [what, n, want] of cases) assert.deepEqual(nodeShouldRunDaemonPod(n, ds), want, what);
  });

  test('one pod per node, pinned by node affinity with the daemon tolerations and the revision hash; a ControllerRevision that replaces the template', async () => {
    const api = new FakeApi(new FakeClock(Date.parse('2026-01-01T00:00:00Z')));
    api.seed(nodeResource, node('n1'), node('n2'), node('tainted', {}, [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }]));
    api.seed(daemonSetResource, daemonSet());
    const { c, stop } = await start(api);
    await c.reconcile('default/agent');
    await settle();
    const revisions = api.all<ControllerRevision>(controllerRevisionResource);
    assert.equal(revisions.length, 1);
    const hash = revisions[0]!.metadata?.labels?.['controller-revision-hash'];
    assert.equal(revisions[0]!.metadata?.name, `agent-${hash}`);
    assert.equal(revisions[0]!.revision, 1);
    assert.equal((revisions[0]!.data as { spec: { template: { $patch: string } } }).spec.template.$patch, 'replace');
    assert.deepEqual(podsByNode(api), { n1: [hash], n2: [hash] });
    const p = api.all<Pod>(podResource)[0]!;
    assert.deepEqual(p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.key, 'metadata.name');
    assert.ok(p.spec?.tolerations?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute' && t.tolerationSeconds === undefined));
    assert.equal(p.metadata?.labels?.['pod-template-generation'], '1');
    await runAll(api);
    await c.reconcile('default/agent');
    await settle();
    const s = api.peek<DaemonSet>(daemonSetResource, 'default', 'agent')!.status!;
    assert.deepEqual([s.desiredNumberScheduled, s.currentNumberScheduled, s.numberReady, s.updatedNumberScheduled, s.numberAvailable, s.numberMisscheduled], [2, 2, 2, 2, 2, 0]);
    stop.abort();
  });

  test('a node tainted NoExecute loses its pod; a new node gets one', async () => {
    const api = new FakeApi(new FakeClock(Date.parse('2026-01-01T00:00:00Z')));
    api.seed(nodeResource, node('n1'), node('n2'));
    api.seed(daemonSetResource, daemonSet());
    const { c, stop } = await start(api);
    await c.reconcile('default/agent');
    await settle();
    await runAll(api);
    const n2 = api.peek<Node>(nodeResource, '', 'n2')!;
    await api.update(nodeResource, { ...n2, spec: { taints: [{ key: 'evict', value: 'x', effect: 'NoExecute' }] } });
    await api.create(nodeResource, '', node('n3'));
    await settle();
    await c.reconcile('default/agent');
    await settle();
    assert.deepEqual(Object.keys(podsByNode(api)).sort(), ['n1', 'n3']);
    stop.abort();
  });

  test('a template change rolls node by node: at most maxUnavailable old pods go at once', async () => {
    const api = new FakeApi(new FakeClock(Date.parse('2026-01-01T00:00:00Z')));
    api.seed(nodeResource, node('n1'), node('n2'), node('n3'));
    api.seed(daemonSetResource, daemonSet());
    const { c, stop } = await start(api);
    await c.reconcile('default/agent');
    await settle();
    await runAll(api);
    const ds = api.peek<DaemonSet>(daemonSetResource, 'default', 'agent')!;
    await api.update(daemonSetResource, { ...ds, metadata: { ...ds.metadata, generation: 2 }, spec: { ...ds.spec!, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'agent:2' }] } } } });
    await settle();
    await c.reconcile('default/agent');
    await settle();
    const deleted = api.writes('pods').filter((a) => a.verb === 'delete').length;
    assert.equal(deleted, 1, 'one old pod at a time');
    const revisions = api.all<ControllerRevision>(controllerRevisionResource).sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
    assert.deepEqual(revisions.map((r) => r.revision), [1, 2]);
    const newHash = revisions[1]!.metadata?.labels?.['controller-revision-hash'];
    // Replace, run, repeat: every node ends on the new revision.
    for (let i = 0; i < 6; i++) {
      await c.reconcile('default/agent');
      await settle();
      await runAll(api);
    }
    assert.deepEqual(podsByNode(api), { n1: [newHash], n2: [newHash], n3: [newHash] });
    stop.abort();
  });
});
