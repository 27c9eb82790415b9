// The controller-manager end to end: two leader-elected replicas from the local launcher, what
// their controllers do as kubectl shows it, and failover when the leader is killed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { LocalLeaders, pollUntil } from '../helpers/local-leaders.js';

const KUBETS = fileURLToPath(new URL('../../cmd/kubets/main.js', import.meta.url));

let c: LocalCluster;
let leaders: LocalLeaders;

const exists = (args: string[]): true | undefined => (c.kubectl(args).code === 0 ? true : undefined);

before(async () => {
  c = await startLocalCluster(['--restart-crashed', '--schedulers', '0']);
  leaders = new LocalLeaders(c, 'controller-manager', 'kube-controller-manager');
});

after(async () => {
  await c?.stop();
});

describe('controller-manager', () => {
  test('one replica leads through the kube-controller-manager Lease and runs the controllers: a new namespace gets its default ServiceAccount', async () => {
    const leader = await leaders.waitTwoCandidatesAndLeader();
    assert.match(leader.component, /^controller-manager-[01]$/);
    assert.equal(c.kubectl(['create', 'namespace', 'cm-e2e']).code, 0);
    await pollUntil('serviceaccount default in cm-e2e', () => exists(['get', 'serviceaccount', 'default', '-n', 'cm-e2e']));
    // Only the leader started its controllers.
    for (const n of ['controller-manager-0', 'controller-manager-1']) {
      const log = leaders.log(n);
      const count = (msg: string): number => log.split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).length;
      assert.equal(count('caches synced; starting controllers'), count('became leader'), `${n} runs controllers only while it leads`);
    }
  });

  test('after SIGKILL of the leader the other replica takes over and its controllers act', async (t) => {
    const first = await leaders.waitTwoCandidatesAndLeader();
    const { holder, ms } = await leaders.killLeader('SIGKILL', first);
    t.diagnostic(`failover after SIGKILL of ${first.component}: ${ms} ms from kill to a new holder in the Lease`);
    assert.ok(holder !== '' && holder !== first.holder, 'a new replica holds the Lease');
    assert.equal(c.kubectl(['create', 'namespace', 'after-failover']).code, 0);
    await pollUntil('serviceaccount default in after-failover', () => exists(['get', 'serviceaccount', 'default', '-n', 'after-failover']));
  });

  test('SIGTERM of the leader hands over at once', async (t) => {
    const first = await leaders.waitTwoCandidatesAndLeader();
    const { holder, ms } = await leaders.killLeader('SIGTERM', first);
    t.diagnostic(`failover after SIGTERM of ${first.component}: ${ms} ms`);
    assert.ok(holder !== '' && holder !== first.holder, 'a new replica holds the Lease');
  });

  test('/readyz and /healthz report real checks: informers synced and the Lease renewed; an unknown check is 404', async () => {
    await leaders.waitTwoCandidatesAndLeader();
    const record = JSON.parse(readFileSync(join(c.dir, 'cluster.json'), 'utf8')) as { controllerManagers: string[] };
    for (const url of record.controllerManagers) {
      // A replica the earlier tests killed may still be starting: give it a few seconds to listen.
      let ready: Response | undefined;
      for (let i = 0; i < 60 && ready?.status !== 200; i++) {
        ready = await fetch(`${url}/readyz?verbose`).catch(() => undefined);
        if (ready?.status !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      if (ready === undefined) return assert.fail(`${url} never answered`);
      const text = await ready.text();
      assert.equal(ready.status, 200, text);
      assert.match(text, /^\[\+\]ping ok\n\[\+\]leaderElection ok\n\[\+\]informer-sync ok\nreadyz check passed\n$/);
      assert.equal((await fetch(`${url}/healthz/leaderElection`)).status, 200);
      assert.equal((await fetch(`${url}/readyz/no-such-check`)).status, 404);
    }
  });

  test('--help lists the controllers and their flags; an unknown controller is a usage error (exit 2)', () => {
    const help = spawnSync(process.execPath, [KUBETS, 'controller-manager', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--controllers=LIST/);
    assert.match(help.stdout, /serviceaccount-controller/);
    const bad = spawnSync(process.execPath, [KUBETS, 'controller-manager', '--controllers=*,nosuch'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /"nosuch" is not in the list of known controllers/);
  });
});
