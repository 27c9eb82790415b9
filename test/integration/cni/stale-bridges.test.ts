// A cluster killed before it could take its pod network down leaves its node bridge on the host,
// still UP with the veths of its pods' pinned namespaces; the next cluster's node on the same
// range deletes it (and those namespaces) at start, or that bridge's route would take its pods'
// traffic. A bridge with a live pod behind it stays.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { removeStaleBridges } from '../../../pkg/containerd/node.js';
import { pollUntil } from '../../helpers/wait.js';

function unavailable(): string | undefined {
  if (process.env.CI === 'true') return undefined;
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  return undefined;
}

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8' });
const linkExists = (name: string): boolean => {
  try {
    ip('link', 'show', name);
    return true;
  } catch {
    return false;
  }
};

describe('stale node bridges', { skip: unavailable() }, () => {
  const tag = randomBytes(3).toString('hex');
  const cleanup: (() => void)[] = [];
  after(() => {
    for (const step of cleanup.reverse()) {
      try {
        step();
      } catch {
        // Already gone: the code under test removed it.
      }
    }
  });

  /** A node bridge holding 10.250.9.1/24 with one pod's veth into a namespace of its own. */
  function leftBridge(n: number): { bridge: string; netns: string } {
    const bridge = `kb${tag}${n}`;
    const netns = `kubets-stale-${tag}-${n}`;
    const veth = `vst${tag}${n}`;
    ip('link', 'add', bridge, 'type', 'bridge');
    cleanup.push(() => ip('link', 'delete', bridge));
    ip('address', 'add', '10.250.9.1/24', 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    ip('netns', 'add', netns);
    cleanup.push(() => ip('netns', 'delete', netns));
    ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
    ip('link', 'set', veth, 'master', bridge, 'up');
    ip('-n', netns, 'link', 'set', 'eth0', 'up');
    return { bridge, netns };
  }

  test('a bridge on the same range whose pods\' namespaces are empty goes with them; one with a process behind it stays', async () => {
    const dead = leftBridge(1);
    const live = leftBridge(2);
    const pause: ChildProcess = spawn('ip', ['netns', 'exec', live.netns, 'sleep', '60'], { stdio: 'ignore' });
    cleanup.push(() => pause.kill('SIGKILL'));
    await pollUntil('the process in its namespace', () => (execFileSync('ip', ['netns', 'pids', live.netns], { encoding: 'utf8' }).trim() !== '' ? true : undefined), 10_000, 50);
    assert.match(ip('-4', 'route', 'show', '10.250.9.0/24'), new RegExp(`dev ${dead.bridge}`));

    assert.deepEqual(await removeStaleBridges('10.250.9.0/24', `kb${tag}3`), [dead.bridge]);

    assert.equal(linkExists(dead.bridge), false);
    assert.equal(existsSync(`/var/run/netns/${dead.netns}`), false);
    assert.equal(linkExists(live.bridge), true);
    assert.equal(existsSync(`/var/run/netns/${live.netns}`), true);
    // Another range's sweep leaves the live one alone too.
    assert.deepEqual(await removeStaleBridges('10.250.8.0/24', `kb${tag}3`), []);
  });
});
