// The shared controller framework on its own: expectations, claiming children, pod control,
// hashes and ControllerRevision history.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerRevision } from '../../../pkg/api/apps/v1/controllerrevision.js';
import { replicaSetResource } from '../../../pkg/api/apps/v1/replicaset.js';
import type { Pod } from '../../../pkg/api/core/v1/pod-types.js';
import { podResource } from '../../../pkg/api/core/v1/pod.js';
import { StatusError } from '../../../pkg/api/errors.js';
import { selectorFromSet } from '../../../pkg/api/selectors/labels.js';
import { FakeClock } from '../../../pkg/client/clock.js';
import { ConnectionError } from '../../../pkg/client/errors.js';
import type { KubeObject } from '../../../pkg/client/resource.js';
import {
  claimObjects,
  computeHash,
  CONTROLLER_REVISION_HASH_LABEL,
  ControllerExpectations,
  UNCERTAIN_TIMEOUT_MS,
  controllerRevisionName,
  equalRevision,
  EXPECTATIONS_TIMEOUT_MS,
  findEqualRevisions,
  newControllerRef,
  newControllerRevision,
  nextRevision,
  PodControl,
  podFromTemplate,
  sortRevisions,
} from '../../../pkg/controller/framework/index.js';
import { FakeApi } from '../../helpers/fake-api.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const OWNER_KIND = { apiVersion: 'apps/v1', kind: 'ReplicaSet' } as const;

function owner(uid = 'owner-uid', extra: Partial<NonNullable<KubeObject['metadata']>> = {}): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'default', uid, ...extra } };
}

function child(name: string, labels: Record<string, string>, controllerUid?: string): KubeObject {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels,
      ...(controllerUid !== undefined ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: controllerUid, controller: true }] } : {}),
    },
  };
}

describe('expectations', () => {
  test('an owner with creations pending is not synced until each is observed', () => {
    const e = new ControllerExpectations(new FakeClock(T0));
    assert.ok(e.satisfied('default/web'));
    e.expectCreations('default/web', 2);
    assert.ok(!e.satisfied('default/web'));
    e.creationObserved('default/web');
    assert.ok(!e.satisfied('default/web'));
    e.creationObserved('default/web');
    assert.ok(e.satisfied('default/web'));
  });

  test('a deletion counts once per expected object, however often it is seen', () => {
    const e = new ControllerExpectations(new FakeClock(T0));
    e.expectDeletions('default/web', ['default/a', 'default/b']);
    e.deletionObserved('default/web', 'default/a');
    e.deletionObserved('default/web', 'default/a');
    e.deletionObserved('default/web', 'default/other');
    assert.ok(!e.satisfied('default/web'));
    assert.deepEqual([...e.pendingDeletions('default/web')], ['default/b']);
    e.deletionObserved('default/web', 'default/b');
    assert.ok(e.satisfied('default/web'));
  });

  test('expectations never observed expire after five minutes', () => {
    const clock = new FakeClock(T0);
    const e = new ControllerExpectations(clock);
    e.expectCreations('default/web', 1);
    clock.advance(EXPECTATIONS_TIMEOUT_MS);
    assert.ok(!e.satisfied('default/web'));
    clock.advance(1);
    assert.ok(e.satisfied('default/web'));
  });
});

describe('claiming children', () => {
  const claim = async (o: KubeObject, candidates: KubeObject[], canAdopt = true) => {
    const adopted: string[] = [];
    const released: string[] = [];
    const claimed = await claimObjects({
      owner: o,
      selector: selectorFromSet({ app: 'web' }),
      candidates,
      adopt: async (c) => void adopted.push(c.metadata?.name ?? ''),
      release: async (c) => void released.push(c.metadata?.name ?? ''),
      canAdopt: async () => canAdopt,
    });
    return { claimed: claimed.map((c) => c.metadata?.name), adopted, released };
  };

  test('matching orphans are adopted, owned ones that stopped matching released, and another controller’s left alone', async () => {
    const r = await claim(owner(), [
      child('mine', { app: 'web' }, 'owner-uid'),
      child('orphan', { app: 'web' }),
      child('relabelled', { app: 'db' }, 'owner-uid'),
      child('theirs', { app: 'web' }, 'other-uid'),
      child('unrelated', { app: 'db' }),
    ]);
    assert.deepEqual(r, { claimed: ['mine', 'orphan'], adopted: ['orphan'], released: ['relabelled'] });
  });

  test('an owner being deleted, or one the API no longer has, adopts nothing', async () => {
    const deleting = await claim(owner('owner-uid', { deletionTimestamp: '2026-01-01T00:00:00Z' }), [child('orphan', { app: 'web' }), child('relabelled', { app: 'db' }, 'owner-uid')]);
    assert.deepEqual(deleting, { claimed: ['relabelled'], adopted: [], released: [] });
    const replaced = await claim(owner(), [child('orphan', { app: 'web' })], false);
    assert.deepEqual(replaced, { claimed: [], adopted: [], released: [] });
  });

  test('an orphan being deleted is not adopted', async () => {
    const dying = child('dying', { app: 'web' });
    dying.metadata!.deletionTimestamp = '2026-01-01T00:00:00Z';
    assert.deepEqual(await claim(owner(), [dying]), { claimed: [], adopted: [], released: [] });
  });
});

describe('pod control', () => {
  const template = { metadata: { labels: { app: 'web' }, annotations: { note: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
  const setup = () => {
    const api = new FakeApi(new FakeClock(T0));
    const expectations = new ControllerExpectations(api.clock);
    const control = new PodControl(api, api.eventSink('replicaset-controller'), expectations);
    const rs = api.seed(replicaSetResource, owner())[0]!;
    const make = (): Pod => podFromTemplate({ namespace: 'default', template, controllerRef: newControllerRef(rs, OWNER_KIND), generateName: 'web-' });
    return { api, expectations, control, rs, make };
  };

  test('pods are made from the template, owned by the controller, and each create is an Event', async () => {
    const { api, control, rs, make } = setup();
    await control.createPods(rs, 'default/web', 3, make);
    const pods = api.all<Pod>(podResource);
    assert.equal(pods.length, 3);
    for (const p of pods) {
      assert.match(p.metadata!.name!, /^web-/);
      assert.deepEqual(p.metadata!.labels, { app: 'web' });
      assert.deepEqual(p.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'owner-uid', controller: true, blockOwnerDeletion: true }]);
    }
    assert.deepEqual(api.events.map((e) => e.reason), ['SuccessfulCreate', 'SuccessfulCreate', 'SuccessfulCreate']);
  });

  test('a failed create stops the slow start and forgets the creates that will never be observed', async () => {
    const { api, expectations, control, rs, make } = setup();
    // Batches of 1, 2, 4: the first fails, so the six others are never tried.
    api.react({ verb: 'create', resource: 'pods', error: new StatusError({ code: 403, reason: 'Forbidden', message: 'exceeded quota' }) });
    await assert.rejects(control.createPods(rs, 'default/web', 7, make), /exceeded quota/);
    const made = api.all<Pod>(podResource).length;
    assert.equal(made, 0);
    assert.ok(expectations.satisfied('default/web'), 'a create that failed is still expected');
    assert.deepEqual(api.events.map((e) => `${e.type} ${e.reason}`), ['Warning FailedCreate']);
  });

  test('a create that timed out stays expected until the watch decides (no second pod meanwhile)', async () => {
    for (const error of [
      new StatusError({ code: 504, reason: 'Timeout', message: 'the server was unable to return a response in the time allotted' }),
      new ConnectionError({ server: 'http://a', code: 'ETIMEDOUT', maybeSent: true }),
    ]) {
      const { api, expectations, control, rs, make } = setup();
      api.react({ verb: 'create', resource: 'pods', error });
      await control.createPods(rs, 'default/web', 1, make);
      assert.ok(!expectations.satisfied('default/web'), `${error.message}: the create was forgotten`);
      expectations.creationObserved('default/web');
      assert.ok(expectations.satisfied('default/web'));
    }
  });

  test('a create of unknown outcome that never shows up is waited for 15 s, not five minutes', async () => {
    const { api, expectations, control, rs, make } = setup();
    await control.createPods(rs, 'default/web', 1, make);
    const clock = api.clock as FakeClock;
    // A sure create still unobserved: the five-minute wait.
    assert.equal(expectations.recheckInMs('default/web'), EXPECTATIONS_TIMEOUT_MS + 1);
    api.react({ verb: 'create', resource: 'pods', error: new StatusError({ code: 504, reason: 'Timeout', message: 'the write may have been applied' }) });
    await control.createPods(rs, 'default/web', 1, make);
    assert.equal(expectations.recheckInMs('default/web'), UNCERTAIN_TIMEOUT_MS + 1, 'look again when the uncertain wait ends');
    clock.advance(UNCERTAIN_TIMEOUT_MS);
    assert.ok(!expectations.satisfied('default/web'));
    clock.advance(1);
    assert.ok(expectations.satisfied('default/web'), 'a fenced write that has not shown up by now never will');
  });

  test('deletes are Events; a pod already gone counts as deleted', async () => {
    const { api, expectations, control, rs, make } = setup();
    await control.createPods(rs, 'default/web', 2, make);
    api.clearActions();
    const [a, b] = api.all<Pod>(podResource);
    await api.delete(podResource, 'default', b!.metadata!.name!);
    await control.deletePods(rs, 'default/web', [a!, b!]);
    assert.deepEqual(api.events.map((e) => e.reason), ['SuccessfulDelete']);
    assert.deepEqual([...expectations.pendingDeletions('default/web')], [`default/${a!.metadata!.name}`]);
  });
});

describe('hashes and ControllerRevisions', () => {
  test('a hash ignores key order and changes with the value and the collision count', () => {
    const h = computeHash({ a: 1, b: { c: [1, 2] } }, undefined);
    assert.equal(computeHash({ b: { c: [1, 2] }, a: 1 }, undefined), h);
    assert.notEqual(computeHash({ a: 2, b: { c: [1, 2] } }, undefined), h);
    assert.notEqual(computeHash({ a: 1, b: { c: [1, 2] } }, 1), h);
    assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });

  const sts = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'default', uid: 'sts-uid' } };
  const data = (image: string): unknown => ({ spec: { template: { spec: { containers: [{ name: 'c', image }] } } } });

  test('a new revision is named after its owner and hash, labelled, and controlled by the owner', () => {
    const cr = newControllerRevision(sts, { apiVersion: 'apps/v1', kind: 'StatefulSet' }, { app: 'db' }, data('pg:16'), 3, undefined);
    const hash = cr.metadata!.labels![CONTROLLER_REVISION_HASH_LABEL]!;
    assert.equal(cr.metadata!.name, `db-${hash}`);
    assert.equal(cr.metadata!.labels!['app'], 'db');
    assert.equal(cr.revision, 3);
    assert.deepEqual(cr.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'sts-uid', controller: true, blockOwnerDeletion: true }]);
    const clash = newControllerRevision(sts, { apiVersion: 'apps/v1', kind: 'StatefulSet' }, { app: 'db' }, data('pg:16'), 3, 1);
    assert.notEqual(clash.metadata!.name, cr.metadata!.name);
    assert.equal(controllerRevisionName('x'.repeat(300), 'h').length, 225);
  });

  test('revisions holding the same data are equal and found; history sorts by revision and numbers the next', () => {
    const kind = { apiVersion: 'apps/v1', kind: 'StatefulSet' };
    const r1 = newControllerRevision(sts, kind, {}, data('pg:15'), 1, undefined);
    const r2 = newControllerRevision(sts, kind, {}, data('pg:16'), 2, undefined);
    const again = newControllerRevision(sts, kind, {}, JSON.parse(JSON.stringify(data('pg:15'))), 5, undefined);
    assert.ok(equalRevision(r1, again));
    assert.ok(!equalRevision(r1, r2));
    assert.deepEqual(findEqualRevisions<ControllerRevision>([r2, r1], again), [r1]);
    assert.deepEqual(sortRevisions([again, r2, r1]).map((r) => r.revision), [1, 2, 5]);
    assert.equal(nextRevision([r1, again, r2]), 6);
    assert.equal(nextRevision([]), 1);
  });
});
