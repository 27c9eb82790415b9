// The `npm start` launcher contract: everything in DIR, kubeconfig when ready, no orphans ever.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalCluster } from '../helpers/local-cluster.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function childPids(dir: string): number[] {
  return readdirSync(join(dir, 'pids')).map((f) => Number(readFileSync(join(dir, 'pids', f), 'utf8').trim()));
}

async function waitGone(pids: number[], ms = 15_000): Promise<number[]> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const left = pids.filter(alive);
    if (left.length === 0) return [];
    await new Promise((r) => setTimeout(r, 100));
  }
  return pids.filter(alive);
}

describe('the local cluster launcher', () => {
  test('keeps etcd data, logs, pids and a working kubeconfig in DIR, and SIGTERM stops every process', async () => {
    const c = await startLocalCluster();
    try {
      assert.ok(existsSync(join(c.dir, 'etcd', 'data')));
      assert.ok(existsSync(join(c.dir, 'logs', 'etcd.log')));
      assert.ok(existsSync(join(c.dir, 'logs', 'apiserver.log')));
      assert.equal(c.kubeconfig, join(c.dir, 'kubeconfig'));
      const pids = childPids(c.dir);
      assert.equal(pids.length, 2);
      assert.ok(pids.every(alive));
      const r = c.kubectl(['get', 'namespace', 'kube-system', '-o', 'name']);
      assert.equal(r.stdout.trim(), 'namespace/kube-system');
      const exited = new Promise<number | null>((res) => c.launcher.once('exit', (code) => res(code)));
      c.launcher.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.deepEqual(await waitGone(pids), []);
      assert.deepEqual(readdirSync(join(c.dir, 'pids')), []);
    } finally {
      await c.stop();
    }
  });

  test('even a SIGKILLed launcher leaves no orphans', async () => {
    const c = await startLocalCluster();
    try {
      const pids = childPids(c.dir);
      c.launcher.kill('SIGKILL');
      assert.deepEqual(await waitGone(pids), []);
    } finally {
      await c.stop();
    }
  });
});
