// A stalled apiserver (SIGSTOP for 3 s, longer than the 1.5 s renew deadline and the 2 s lease)
// costs no failover: the scheduler and controller-manager leaders stop acting while they cannot
// renew, keep contending under the same identity, and lead again (in a new term) when it answers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { LocalLeaders, pollUntil } from '../helpers/local-leaders.js';

let c: LocalCluster;

before(async () => {
  c = await startLocalCluster([]);
});

after(async () => {
  await c?.stop();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('an apiserver stalled for 3 s', () => {
  test('changes no leader: both Leases keep their holder, and the leaders act again', async (t) => {
    const scheduler = new LocalLeaders(c, 'scheduler', 'kube-scheduler');
    const cm = new LocalLeaders(c, 'controller-manager', 'kube-controller-manager');
    const s0 = await scheduler.waitTwoCandidatesAndLeader();
    const c0 = await cm.waitTwoCandidatesAndLeader();
    const leasesBefore = { scheduler: scheduler.lease(), cm: cm.lease() };
    const pidsBefore = { scheduler: scheduler.pidOf(s0.component), cm: cm.pidOf(c0.component) };
    const record = JSON.parse(readFileSync(join(c.dir, 'cluster.json'), 'utf8')) as { components: { name: string; pid?: number }[] };
    const apiserverPid = record.components.find((x) => x.name === 'apiserver')?.pid;
    assert.ok(apiserverPid !== undefined, 'the apiserver pid is recorded');

    process.kill(apiserverPid, 'SIGSTOP');
    await sleep(3000);
    process.kill(apiserverPid, 'SIGCONT');

    // Once things settled (a few lease durations), the same holders in the same terms.
    await sleep(6000);
    const after = { scheduler: scheduler.lease(), cm: cm.lease() };
    t.diagnostic(`scheduler lease ${JSON.stringify(leasesBefore.scheduler)} -> ${JSON.stringify(after.scheduler)}`);
    t.diagnostic(`controller-manager lease ${JSON.stringify(leasesBefore.cm)} -> ${JSON.stringify(after.cm)}`);
    // The same holder: no failover. Its term may be one newer (a leader that re-incarnated after
    // missing renewals takes a new term, so its predecessor's late writes are fenced off), never more.
    assert.equal(after.scheduler.holderIdentity, leasesBefore.scheduler.holderIdentity);
    assert.ok((after.scheduler.leaseTransitions ?? 0) - (leasesBefore.scheduler.leaseTransitions ?? 0) <= 1);
    assert.equal(after.cm.holderIdentity, leasesBefore.cm.holderIdentity);
    assert.ok((after.cm.leaseTransitions ?? 0) - (leasesBefore.cm.leaseTransitions ?? 0) <= 1);
    assert.equal(scheduler.pidOf(s0.component), pidsBefore.scheduler, 'the scheduler leader did not exit');
    assert.equal(cm.pidOf(c0.component), pidsBefore.cm, 'the controller-manager leader did not exit');

    // And it leads for real: its controllers act (a new namespace gets its ServiceAccount).
    assert.equal(c.kubectl(['create', 'namespace', 'after-stall']).code, 0);
    await pollUntil('serviceaccount default in after-stall', () => (c.kubectl(['get', 'serviceaccount', 'default', '-n', 'after-stall']).code === 0 ? true : undefined));
  });
});
