// The `npm start` launcher contract: everything in DIR, kubeconfig when ready, no orphans ever.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
      assert.ok(existsSync(join(c.dir, 'logs', 'scheduler-0.log')));
      assert.ok(existsSync(join(c.dir, 'logs', 'controller-manager-0.log')));
      assert.ok(existsSync(join(c.dir, 'logs', 'node-1.log')));
      const pids = childPids(c.dir);
      // etcd, the apiserver, two scheduler and two controller-manager replicas, two kubelets with their runtimes and CSI drivers.
      assert.equal(pids.length, 12);
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

describe('the launcher with an HA topology', () => {
  test('runs three etcd members and two apiservers, records them, and restarts a killed one by default', async () => {
    const c = await startLocalCluster(['--etcd-members', '3', '--apiservers', '2']);
    try {
      const record = JSON.parse(readFileSync(join(c.dir, 'cluster.json'), 'utf8')) as {
        etcd: string[];
        apiservers: string[];
        components: { name: string; pid: number }[];
      };
      assert.equal(record.etcd.length, 3);
      assert.equal(record.apiservers.length, 2);
      assert.deepEqual(record.components.map((x) => x.name), ['etcd-0', 'etcd-1', 'etcd-2', 'apiserver-0', 'apiserver-1', 'scheduler-0', 'scheduler-1', 'controller-manager-0', 'controller-manager-1', 'node-1-runtime', 'node-1', 'node-1-csi', 'node-2-runtime', 'node-2', 'node-2-csi']);
      assert.match(readFileSync(c.kubeconfig, 'utf8'), /kubets\.io\/servers/);
      // Both apiservers serve the same data.
      assert.equal(c.kubectl(['create', 'configmap', 'ha', '--from-literal=a=1']).code, 0);
      for (const server of record.apiservers) {
        assert.equal(c.kubectl(['--server', server, 'get', 'configmap', 'ha', '-o', 'jsonpath={.data.a}']).stdout, '1');
      }
      // Kill one apiserver and one etcd member: the launcher brings them back.
      const victims = ['apiserver-1', 'etcd-2'].map((n) => Number(readFileSync(join(c.dir, 'pids', `${n}.pid`), 'utf8').trim()));
      for (const pid of victims) process.kill(pid, 'SIGKILL');
      const deadline = Date.now() + 30_000;
      let restarted = false;
      while (!restarted && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        const now = ['apiserver-1', 'etcd-2'].map((n) => {
          try {
            return Number(readFileSync(join(c.dir, 'pids', `${n}.pid`), 'utf8').trim());
          } catch {
            return 0;
          }
        });
        restarted = now.every((pid, i) => pid > 0 && pid !== victims[i] && alive(pid));
      }
      assert.ok(restarted, 'both components were restarted');
      // The restarted apiserver serves once its etcd client and watch cache are up again, which
      // waits for the restarted member on a loaded machine: give it a minute, not a count of tries.
      let served = '';
      const serveDeadline = Date.now() + 60_000;
      while (served !== '1' && Date.now() < serveDeadline) {
        served = c.kubectl(['--server', record.apiservers[1]!, 'get', 'configmap', 'ha', '-o', 'jsonpath={.data.a}']).stdout;
        if (served !== '1') await new Promise((r) => setTimeout(r, 250));
      }
      assert.equal(served, '1');
      assert.match(readFileSync(join(c.dir, 'logs', 'all.log'), 'utf8'), /^apiserver-1 \| /m);
    } finally {
      await c.stop();
    }
  });
});

describe('the launcher restarted on the same directory', () => {
  test('keeps the data of a 3-member etcd cluster across runs (ports are reused)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubets-rerun-'));
    try {
      const first = await startLocalCluster(['--dir', dir, '--etcd-members', '3']);
      try {
        assert.equal(first.kubectl(['create', 'configmap', 'kept', '--from-literal=a=1']).code, 0);
      } finally {
        await first.stop();
      }
      const second = await startLocalCluster(['--dir', dir, '--etcd-members', '3']);
      try {
        assert.equal(second.kubectl(['get', 'configmap', 'kept', '-o', 'jsonpath={.data.a}']).stdout, '1');
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
