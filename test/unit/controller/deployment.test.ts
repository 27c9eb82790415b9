import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentResource, type Deployment } from '../../../pkg/api/apps/v1/deployment.js';
import { replicaSetResource, type ReplicaSet } from '../../../pkg/api/apps/v1/replicaset.js';
import { FakeClock } from '../../../pkg/client/clock.js';
import {
  DeploymentController,
  deploymentTimedOut,
  maxSurge,
  maxUnavailable,
  newCondition,
  newRSNewReplicas,
  surgeRoom,
  podTemplateHash,
  proportion,
  setCondition,
  templatesEqualIgnoringHash,
  type DeploymentStatus,
} from '../../../pkg/controller/deployment/index.js';
import { scaledValue } from '../../../pkg/controller/framework/index.js';
import { FakeApi, settle } from '../../helpers/fake-api.js';
import { ConnectionError } from '../../../pkg/client/errors.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
type Strategy = NonNullable<NonNullable<Deployment['spec']>['strategy']>;

function deployment(replicas: number, strategy: Strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }, image = 'nginx:1.27'): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      strategy,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image }] } },
    },
  } as Deployment;
}

function replicaSet(name: string, replicas: number, annotations: Record<string, string> = {}, created = T0): ReplicaSet {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'default', annotations, creationTimestamp: iso(created) }, spec: { replicas, selector: { matchLabels: { app: 'web' } } } } as ReplicaSet;
}

const rolling = (maxSurge: number | string, maxUnavailable: number | string): Strategy => ({ type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } });

describe('Deployment budgets', () => {
  test('percentages scale against the desired replicas: surge rounds up, unavailability rounds down', () => {
    assert.equal(scaledValue('25%', 10, true), 3);
    assert.equal(scaledValue('25%', 10, false), 2);
    assert.equal(scaledValue(7, 10, true), 7);
    assert.throws(() => scaledValue('a lot', 10, true), /invalid value for IntOrString/);
  });

  const cases: { name: string; d: Deployment; surge: number; unavailable: number }[] = [
    { name: 'defaults 25%/25% of 4', d: deployment(4), surge: 1, unavailable: 1 },
    { name: '25%/25% of 1: one may surge, none may be missing', d: deployment(1), surge: 1, unavailable: 0 },
    { name: 'both zero would stall: one may be unavailable', d: deployment(3, rolling(0, 0)), surge: 0, unavailable: 1 },
    { name: 'unavailability never exceeds the replicas', d: deployment(2, rolling(0, 5)), surge: 0, unavailable: 2 },
    { name: 'Recreate has no surge and no budget', d: deployment(4, { type: 'Recreate' }), surge: 0, unavailable: 0 },
    { name: 'zero replicas have nothing to lose', d: deployment(0, rolling(1, 1)), surge: 1, unavailable: 0 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual({ surge: maxSurge(c.d), unavailable: maxUnavailable(c.d) }, { surge: c.surge, unavailable: c.unavailable });
    });
  }

  test('the new ReplicaSet grows by what the surge leaves, never past the desired replicas', () => {
    const d = deployment(10, rolling(3, 0));
    const newRS = replicaSet('new', 0);
    assert.equal(newRSNewReplicas(d, [replicaSet('old', 10), newRS], newRS), 3);
    const grown = replicaSet('new', 3);
    assert.equal(newRSNewReplicas(d, [replicaSet('old', 10), grown], grown), 3, 'at 13 of 13 it waits');
    const nearly = replicaSet('new', 9);
    assert.equal(newRSNewReplicas(d, [replicaSet('old', 1), nearly], nearly), 10);
  });

  test('pods an old ReplicaSet still has after its scale-down count against the surge, so pods never exceed replicas + maxSurge', () => {
    const d = deployment(5, rolling(2, 1));
    const newRS = replicaSet('new', 2);
    // The old ReplicaSet was scaled 5 → 3, but its controller has not deleted the two pods yet.
    const old = { ...replicaSet('old', 3), status: { replicas: 5 } } as ReplicaSet;
    assert.equal(newRSNewReplicas(d, [old, newRS], newRS), 2, '5 old pods + 2 new = 7 = 5 + maxSurge: wait');
    const deleted = { ...replicaSet('old', 3), status: { replicas: 3 } } as ReplicaSet;
    assert.equal(newRSNewReplicas(d, [deleted, newRS], newRS), 4, 'once they are gone the new one grows');
  });

  test('the new ReplicaSet does not grow while an old one has not observed its scale-down (its creates for the former size may still land)', () => {
    const d = deployment(5, rolling(2, 1));
    const newRS = replicaSet('new', 2);
    // Scaled 5 → 3 (generation 2) while its controller, at generation 1, was still creating two
    // pods: status.replicas says 3, but 5 may come.
    const old = { ...replicaSet('old', 3), metadata: { ...replicaSet('old', 3).metadata, generation: 2 }, status: { replicas: 3, observedGeneration: 1 } } as ReplicaSet;
    assert.equal(newRSNewReplicas(d, [old, newRS], newRS), 2, 'wait for the old ReplicaSet to catch up');
    const caughtUp = { ...old, status: { replicas: 3, observedGeneration: 2 } } as ReplicaSet;
    assert.equal(newRSNewReplicas(d, [caughtUp, newRS], newRS), 4);
  });
});

describe('Deployment proportional scaling', () => {
  test('a resize mid-rollout is shared by the ReplicaSets in the ratio of their sizes', () => {
    // 10 replicas with surge 3 were 13 at most; now 20 replicas allow 23 (10 more to spread).
    const d = deployment(20, rolling(3, 2));
    const annotations = { 'deployment.kubernetes.io/max-replicas': '13' };
    const big = replicaSet('old', 8, annotations);
    const small = replicaSet('new', 5, annotations);
    const toAdd = 23 - 13;
    const first = proportion(big, d, toAdd, 0);
    const second = proportion(small, d, toAdd, first);
    assert.deepEqual([first, second], [Math.round((8 * 23) / 13) - 8, Math.round((5 * 23) / 13) - 5]);
    assert.equal(first + second, toAdd);
  });

  test('a resize mid-rollout grows only within the surge room the pods alive now leave', () => {
    // 5 → 6 replicas with surge 2 allows 8; the old ReplicaSet was scaled 5 → 3 but still has 5 pods.
    const d = deployment(6, rolling(2, 1));
    const newRS = replicaSet('new', 2);
    const old = { ...replicaSet('old', 3), status: { replicas: 5 } } as ReplicaSet;
    assert.equal(surgeRoom(d, [old, newRS]), 1, '8 - (5 old pods + 2 new)');
    const unobserved = { ...old, metadata: { ...old.metadata, generation: 3 }, status: { replicas: 5, observedGeneration: 2 } } as ReplicaSet;
    assert.equal(surgeRoom(d, [unobserved, newRS]), 0, 'nothing while an old ReplicaSet has not synced its spec');
    assert.equal(surgeRoom(d, [unobserved, newRS], unobserved), 1, 'the one that grows may be behind');
  });

  test('the share is bounded by what is left to add', () => {
    const d = deployment(20, rolling(3, 2));
    assert.equal(proportion(replicaSet('old', 8, { 'deployment.kubernetes.io/max-replicas': '13' }), d, 10, 9), 1);
    assert.equal(proportion(replicaSet('old', 0), d, 10, 0), 0, 'an empty ReplicaSet takes no share');
  });
});

describe('Deployment template hash and conditions', () => {
  const template = deployment(1).spec!.template!;

  test('the hash is stable, uses the vowel-free alphabet, and changes with the template or a collision', () => {
    const h = podTemplateHash(template, undefined);
    assert.equal(podTemplateHash(structuredClone(template), undefined), h);
    assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.notEqual(podTemplateHash(deployment(1, undefined, 'nginx:1.28').spec!.template!, undefined), h);
    assert.notEqual(podTemplateHash(template, 1), h);
  });

  test('templates compare equal when only the pod-template-hash label differs', () => {
    const labelled = structuredClone(template);
    labelled.metadata!.labels!['pod-template-hash'] = 'abc';
    assert.ok(templatesEqualIgnoringHash(labelled, template));
    assert.ok(!templatesEqualIgnoringHash(deployment(1, undefined, 'nginx:1.28').spec!.template!, template));
  });

  test('a condition with the same status keeps its transition time; the same reason changes nothing', () => {
    const s: DeploymentStatus = {};
    setCondition(s, newCondition('Progressing', 'True', 'ReplicaSetUpdated', 'a', iso(T0)));
    setCondition(s, newCondition('Progressing', 'True', 'ReplicaSetUpdated', 'b', iso(T0 + 5000)));
    assert.equal(s.conditions?.[0]?.message, 'a');
    setCondition(s, newCondition('Progressing', 'True', 'NewReplicaSetAvailable', 'c', iso(T0 + 9000)));
    assert.deepEqual(s.conditions?.[0], { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: 'c', lastUpdateTime: iso(T0 + 9000), lastTransitionTime: iso(T0) });
  });

  test('progress times out progressDeadlineSeconds after the condition was last updated', () => {
    const d = deployment(2);
    const s: DeploymentStatus = { conditions: [newCondition('Progressing', 'True', 'ReplicaSetUpdated', '', iso(T0))] };
    assert.equal(deploymentTimedOut(d, s, T0 + 600_000), false);
    assert.equal(deploymentTimedOut(d, s, T0 + 600_001), true);
    s.conditions![0]!.reason = 'NewReplicaSetAvailable';
    assert.equal(deploymentTimedOut(d, s, T0 + 10_000_000), false, 'a finished rollout never times out');
  });
});

/** What the ReplicaSet controller and the kubelet would do: every ReplicaSet's pods exist and are available. */
async function podsComeUp(api: FakeApi): Promise<void> {
  for (const rs of api.all<ReplicaSet>(replicaSetResource)) {
    const n = rs.spec?.replicas ?? 0;
    const s = rs.status;
    if (s?.replicas === n && s.availableReplicas === n && s.observedGeneration === rs.metadata?.generation) continue;
    await api.updateStatus(replicaSetResource, { ...rs, status: { replicas: n, readyReplicas: n, availableReplicas: n, fullyLabeledReplicas: n, observedGeneration: rs.metadata?.generation ?? 1 } });
  }
  await settle(40);
}

async function start(api: FakeApi): Promise<AbortController> {
  const { c, stop } = await api.startController((ctx) => new DeploymentController(ctx), { workers: 2 });
  void c.run(stop.signal);
  await settle(60);
  return stop;
}

/** Revision of each ReplicaSet name, from the store. */
function revisions(api: FakeApi): Map<string, string> {
  return new Map(api.all<ReplicaSet>(replicaSetResource).map((rs) => [rs.metadata?.name ?? '', rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? '?']));
}

/** "r1=3 r2=0": the ReplicaSets' sizes by revision. */
function render(sizes: ReadonlyMap<string, number>, revs: ReadonlyMap<string, string>): string {
  return [...sizes]
    .map(([name, n]) => [revs.get(name) ?? '?', n] as const)
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([r, n]) => `r${r}=${n}`)
    .join(' ');
}

/** Every size the ReplicaSets went through, replayed from the controller's writes in order. */
function sizeHistory(api: FakeApi): string[] {
  const revs = revisions(api);
  const sizes = new Map<string, number>();
  const out: string[] = [];
  for (const a of api.writes('replicasets')) {
    if (a.verb !== 'create' && a.verb !== 'update') continue;
    const rs = a.object as ReplicaSet;
    if (sizes.get(a.name || (rs.metadata?.name ?? '')) === rs.spec?.replicas) continue;
    sizes.set(a.name || (rs.metadata?.name ?? ''), rs.spec?.replicas ?? 0);
    out.push(render(sizes, revs));
  }
  return out;
}

async function rollTo(api: FakeApi, image: string): Promise<void> {
  const d = api.peek<Deployment>(deploymentResource, 'default', 'web')!;
  d.spec!.template!.spec!.containers![0]!.image = image;
  await api.update(deploymentResource, d);
  await settle(60);
}

/**
 * 4 replicas, maxSurge 1, rolled once and halfway there (r1=3 r2=1, both observed), the controller
 * stopped; from here its ReplicaSet informer lags: a new one lists them once, then sees no change.
 */
async function rollingWithLaggingInformer(): Promise<{ api: FakeApi; sizes: () => string }> {
  const api = new FakeApi(new FakeClock(T0));
  api.seed(deploymentResource, deployment(4, rolling(1, 0)));
  const stop = await start(api);
  await podsComeUp(api);
  await rollTo(api, 'nginx:1.28');
  await podsComeUp(api);
  const sizes = (): string => render(new Map(api.all<ReplicaSet>(replicaSetResource).map((rs) => [rs.metadata?.name ?? '', rs.spec?.replicas ?? 0])), revisions(api));
  assert.equal(sizes(), 'r1=3 r2=1');
  stop.abort();
  api.tracker(replicaSetResource).holdEvents();
  await podsComeUp(api);
  return { api, sizes };
}

describe('Deployment controller', () => {
  test('creates the first ReplicaSet named by the template hash, with revision 1 and a ScalingReplicaSet event', async () => {
    const api = new FakeApi(new FakeClock(T0));
    api.seed(deploymentResource, deployment(3));
    const stop = await start(api);
    const [rs] = api.all<ReplicaSet>(replicaSetResource);
    const hash = rs?.metadata?.labels?.['pod-template-hash'];
    assert.equal(rs?.metadata?.name, `web-${hash}`);
    assert.equal(rs?.spec?.replicas, 3);
    assert.equal(rs?.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.equal(rs?.metadata?.ownerReferences?.[0]?.kind, 'Deployment');
    assert.deepEqual(rs?.spec?.selector?.matchLabels, { app: 'web', 'pod-template-hash': hash });
    assert.ok(api.events.some((e) => e.reason === 'ScalingReplicaSet' && e.note === `Scaled up replica set web-${hash} from 0 to 3`), JSON.stringify(api.events));
    stop.abort();
  });

  const steps: { name: string; strategy: Strategy; replicas: number; expect: string[] }[] = [
    {
      name: 'maxSurge 1, maxUnavailable 0: one new pod up, then one old pod down, until done',
      strategy: rolling(1, 0),
      replicas: 3,
      expect: ['r1=3', 'r1=3 r2=1', 'r1=2 r2=1', 'r1=2 r2=2', 'r1=1 r2=2', 'r1=1 r2=3', 'r1=0 r2=3'],
    },
    {
      name: 'maxSurge 0, maxUnavailable 2: two old pods down first, then two new pods up',
      strategy: rolling(0, 2),
      replicas: 4,
      expect: ['r1=4', 'r1=4 r2=0', 'r1=2 r2=0', 'r1=2 r2=2', 'r1=0 r2=2', 'r1=0 r2=4'],
    },
  ];
  for (const s of steps) {
    test(`rolling update: ${s.name}`, async () => {
      const api = new FakeApi(new FakeClock(T0));
      api.seed(deploymentResource, deployment(s.replicas, s.strategy));
      const stop = await start(api);
      await podsComeUp(api);
      await rollTo(api, 'nginx:1.28');
      for (let i = 0; i < 10; i++) await podsComeUp(api);
      const seen = sizeHistory(api);
      assert.deepEqual(seen, s.expect);
      const d = api.peek<Deployment>(deploymentResource, 'default', 'web')!;
      assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
      stop.abort();
    });
  }

  test('a finished rollout reports Progressing NewReplicaSetAvailable and Available', async () => {
    const api = new FakeApi(new FakeClock(T0));
    api.seed(deploymentResource, deployment(2));
    const stop = await start(api);
    await podsComeUp(api);
    await settle(60);
    const d = api.peek<Deployment>(deploymentResource, 'default', 'web')!;
    const byType = Object.fromEntries((d.status?.conditions ?? []).map((c) => [c.type, `${c.status} ${c.reason}`]));
    assert.deepEqual(byType, { Available: 'True MinimumReplicasAvailable', Progressing: 'True NewReplicaSetAvailable' });
    assert.deepEqual([d.status?.replicas, d.status?.updatedReplicas, d.status?.availableReplicas], [2, 2, 2]);
    stop.abort();
  });

  test('a resize mid-rollout keeps the pods alive within replicas + maxSurge while an old ReplicaSet still has pods it was told to lose', async () => {
    const api = new FakeApi(new FakeClock(T0));
    api.seed(deploymentResource, deployment(4, rolling(2, 0)));
    const stop = await start(api);
    await podsComeUp(api);
    await rollTo(api, 'nginx:1.28');
    const [r1, r2] = [...api.all<ReplicaSet>(replicaSetResource)].sort((a, b) => Number(a.metadata?.annotations?.['deployment.kubernetes.io/revision']) - Number(b.metadata?.annotations?.['deployment.kubernetes.io/revision']));
    assert.deepEqual([r1?.spec?.replicas, r2?.spec?.replicas], [4, 2]);
    // The two new pods come up; the controller scales the old ReplicaSet 4 → 2.
    await api.updateStatus(replicaSetResource, { ...r2!, status: { replicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: r2!.metadata?.generation ?? 1 } });
    await settle(60);
    const old = api.peek<ReplicaSet>(replicaSetResource, 'default', r1!.metadata!.name!)!;
    assert.equal(old.spec?.replicas, 2);
    // Its controller has synced that (and is deleting two pods) but all four still run.
    await api.updateStatus(replicaSetResource, { ...old, status: { replicas: 4, readyReplicas: 4, availableReplicas: 4, observedGeneration: old.metadata?.generation ?? 1 } });
    await settle(60);
    // Now 4 → 5 replicas: 7 pods allowed, 6 alive; proportional scaling may add one, not three.
    const d = api.peek<Deployment>(deploymentResource, 'default', 'web')!;
    await api.update(deploymentResource, { ...d, spec: { ...d.spec!, replicas: 5 } });
    await settle(80);
    const alive = api.all<ReplicaSet>(replicaSetResource).reduce((n, rs) => n + Math.max(rs.spec?.replicas ?? 0, rs.status?.replicas ?? 0), 0);
    assert.ok(alive <= 7, `pods alive or asked for: ${alive} (${api.all<ReplicaSet>(replicaSetResource).map((rs) => `${rs.spec?.replicas}/${rs.status?.replicas}`).join(' ')})`);
    stop.abort();
  });

  test('a resize that leaves the ReplicaSets at exactly the allowed size still records it on them, so the rollout to a new template goes on', async () => {
    const api = new FakeApi(new FakeClock(T0));
    api.seed(deploymentResource, deployment(3));
    let stop = await start(api);
    await podsComeUp(api);
    await rollTo(api, 'nginx:1.28');
    stop.abort();
    // Mid-rollout: the old ReplicaSet down to 2, the new one at 1, both told the Deployment wants 3.
    const byRevision = (): ReplicaSet[] => [...api.all<ReplicaSet>(replicaSetResource)].sort((x, y) => Number(x.metadata?.annotations?.['deployment.kubernetes.io/revision']) - Number(y.metadata?.annotations?.['deployment.kubernetes.io/revision']));
    const [r1] = byRevision();
    await api.update(replicaSetResource, { ...r1!, spec: { ...r1!.spec!, replicas: 2 } });
    await podsComeUp(api);
    assert.deepEqual(byRevision().map((rs) => `${rs.spec?.replicas} ${rs.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas']}`), ['2 3', '1 3']);
    // The user scales to 2 and changes the template at once: 2 + surge 1 = the 3 pods there are.
    const d = api.peek<Deployment>(deploymentResource, 'default', 'web')!;
    d.spec!.replicas = 2;
    d.spec!.template!.spec!.containers![0]!.image = 'nginx:1.29';
    await api.update(deploymentResource, d);
    stop = await start(api);
    for (let i = 0; i < 12; i++) await podsComeUp(api);
    const images = byRevision().map((rs) => `${rs.spec?.template?.spec?.containers?.[0]?.image}=${rs.spec?.replicas}`);
    assert.deepEqual(images, ['nginx:1.27=0', 'nginx:1.28=0', 'nginx:1.29=2']);
    stop.abort();
  });

  test('a sync before the informer shows the controller\'s own scale-up counts that scale-up: a second template change gets no surge room it already gave', async () => {
    const { api, sizes } = await rollingWithLaggingInformer();
    const stop = await start(api);
    assert.equal(sizes(), 'r1=3 r2=2', 'the surge room went to the second ReplicaSet');
    await rollTo(api, 'nginx:1.29');
    await settle(60);
    const asked = api.all<ReplicaSet>(replicaSetResource).reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
    assert.ok(asked <= 5, `replicas + maxSurge is 5; the ReplicaSets ask for ${sizes()}`);
    api.tracker(replicaSetResource).releaseEvents();
    stop.abort();
  });

  test('a scale-up whose reply was lost holds the Deployment until the informer shows what happened: its room is not given away again', async () => {
    const { api, sizes } = await rollingWithLaggingInformer();
    // The next scale-up lands, but its reply is lost on the way back.
    api.react({ verb: 'update', resource: 'replicasets', error: new ConnectionError({ server: 'https://apiserver', code: 'ECONNRESET', maybeSent: true }), landed: true });
    const stop = await start(api);
    assert.equal(sizes(), 'r1=3 r2=2');
    await rollTo(api, 'nginx:1.29');
    await settle(60);
    const asked = (): number => api.all<ReplicaSet>(replicaSetResource).reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
    assert.ok(asked() <= 5, `replicas + maxSurge is 5; the ReplicaSets ask for ${sizes()}`);
    // Once the informer shows it, the rollout goes on.
    api.tracker(replicaSetResource).releaseEvents();
    for (let i = 0; i < 12; i++) await podsComeUp(api);
    assert.equal(sizes(), 'r1=0 r2=0 r3=4');
    stop.abort();
  });

  test('a rollout making no progress past progressDeadlineSeconds is marked ProgressDeadlineExceeded', async () => {
    const clock = new FakeClock(T0);
    const api = new FakeApi(clock);
    const d = deployment(2);
    d.spec!.progressDeadlineSeconds = 30;
    api.seed(deploymentResource, d);
    const stop = await start(api);
    // The pods never come up; time passes past the deadline and the controller looks again.
    clock.advance(32_000);
    await settle(80);
    const got = api.peek<Deployment>(deploymentResource, 'default', 'web')!;
    const progressing = got.status?.conditions?.find((c) => c.type === 'Progressing');
    assert.equal(`${progressing?.status} ${progressing?.reason}`, 'False ProgressDeadlineExceeded');
    assert.match(progressing?.message ?? '', /^ReplicaSet "web-[a-z0-9]+" has timed out progressing\.$/);
    stop.abort();
  });

  test('revisionHistoryLimit deletes the oldest scaled-down ReplicaSets', async () => {
    const api = new FakeApi(new FakeClock(T0));
    const d = deployment(1, rolling(1, 0));
    d.spec!.revisionHistoryLimit = 1;
    api.seed(deploymentResource, d);
    const stop = await start(api);
    for (const image of ['nginx:1.28', 'nginx:1.29', 'nginx:1.30']) {
      await podsComeUp(api);
      await rollTo(api, image);
      for (let i = 0; i < 6; i++) await podsComeUp(api);
    }
    const left = api.all<ReplicaSet>(replicaSetResource).map((rs) => `r${rs.metadata?.annotations?.['deployment.kubernetes.io/revision']}=${rs.spec?.replicas}`);
    assert.deepEqual(left.sort(), ['r3=0', 'r4=1']);
    stop.abort();
  });
});
