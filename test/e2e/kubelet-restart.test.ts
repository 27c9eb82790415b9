// A kubelet killed with SIGKILL loses nothing: its runtime is a process of its own (as containerd
// is), so the pods' containers run on, and the kubelet the launcher starts again adopts them —
// same container, restart count unchanged — and finishes what was asked while it was away.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterRecord } from '../../pkg/cluster/launcher.js';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { pollUntil } from '../helpers/local-leaders.js';

const DIST = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

describe('a kubelet killed with SIGKILL', () => {
  let c: LocalCluster;
  before(async () => {
    c = await startLocalCluster(['--nodes', '1', '--restart-crashed']);
  });
  after(async () => {
    await c.stop();
  });

  const ok = (args: string[]): string => c.kubectlOk(args);
  const podField = (name: string, path: string): string => {
    const r = c.kubectl(['get', 'pod', name, '-o', `jsonpath=${path}`]);
    return r.code === 0 ? r.stdout : '';
  };
  const pidOf = (name: string): number | undefined => {
    const record = JSON.parse(readFileSync(join(c.dir, 'cluster.json'), 'utf8')) as ClusterRecord;
    return record.components.find((x) => x.name === name)?.pid;
  };

  test('comes back and adopts the running containers: same container ID, no restart, one Started event', async () => {
    ok(['run', 'keeper', '--image=busybox:1.36', '--', 'sleep', '3600']);
    ok(['run', 'doomed', '--image=busybox:1.36', '--', 'sleep', '3600']);
    for (const name of ['keeper', 'doomed']) await pollUntil(`${name} Running`, () => (podField(name, '{.status.phase}') === 'Running' ? true : undefined));
    const before = podField('keeper', '{.status.containerStatuses[0].containerID} {.status.containerStatuses[0].state.running.startedAt}');
    assert.match(before, /^kubets-fake:\/\/\S+ \S+$/);

    const kubelet = pidOf('node-1');
    const runtime = pidOf('node-1-runtime');
    assert.ok(kubelet !== undefined && runtime !== undefined);
    process.kill(kubelet, 'SIGKILL');
    // Deleted while no kubelet runs on the node: the pod waits, Terminating, for the kubelet.
    ok(['delete', 'pod', 'doomed', '--wait=false']);
    const back = await pollUntil('a new kubelet', () => {
      const pid = pidOf('node-1');
      return pid !== undefined && pid !== kubelet ? pid : undefined;
    });
    assert.notEqual(back, kubelet);
    assert.equal(pidOf('node-1-runtime'), runtime, 'the runtime process outlived the kubelet');

    // The new kubelet finishes the delete it missed...
    await pollUntil('doomed gone', () => (c.kubectl(['get', 'pod', 'doomed']).code === 1 ? true : undefined), 60_000);
    // ...and leaves the keeper's container as it found it.
    assert.equal(podField('keeper', '{.status.containerStatuses[0].containerID} {.status.containerStatuses[0].state.running.startedAt}'), before);
    assert.equal(podField('keeper', '{.status.containerStatuses[0].restartCount} {.status.phase} {.status.conditions[?(@.type=="Ready")].status}'), '0 Running True');
    // One Event, not repeated (a repeat would be a series, or a second Event).
    const started = ok(['get', 'events', '--field-selector', 'involvedObject.name=keeper,reason=Started', '-o', 'jsonpath={range .items[*]}{.message}/{.series.count}{"\\n"}{end}']).trim().split('\n');
    assert.deepEqual(started, ['Started container keeper/'], 'the keeper container was started once');
    // The node is Ready again under the new kubelet, and it still runs new pods.
    await pollUntil('node-1 Ready', () => (ok(['get', 'node', 'node-1', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']) === 'True' ? true : undefined));
    ok(['run', 'after', '--image=busybox:1.36', '--', 'sleep', '3600']);
    await pollUntil('after Running', () => (podField('after', '{.status.phase}') === 'Running' ? true : undefined));
  });

  test('kubets node runs a node with --register-with-taints: only pods that tolerate the taint go there, and its kubelet is started again when killed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kubets-node-'));
    const node = spawn(process.execPath, [join(DIST, 'cmd', 'node', 'main.js'), '--kubeconfig', c.kubeconfig, '--runtime=fake', '--root-dir', root, '--pod-logs-dir', join(root, 'pods'), '--hostname-override', 'infra-1', '--node-ip', '127.0.0.1', '--address', '127.0.0.1', '--port', '0', '--pod-cidr', '10.244.9.0/24', '--node-labels', 'role=infra', '--register-with-taints', 'dedicated=infra:NoSchedule'], { stdio: 'ignore' });
    try {
      await pollUntil('infra-1 Ready', () => (c.kubectl(['get', 'node', 'infra-1', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).stdout === 'True' ? true : undefined));
      assert.match(ok(['describe', 'node', 'infra-1']), /Taints:\s+dedicated=infra:NoSchedule/);
      // Asked for the infra node without tolerating its taint: Pending, with the scheduler's reason.
      ok(['run', 'intruder', '--image=busybox:1.36', '--overrides={"spec":{"nodeSelector":{"role":"infra"}}}', '--', 'sleep', '3600']);
      ok(['run', 'tenant', '--image=busybox:1.36', '--overrides={"spec":{"nodeSelector":{"role":"infra"},"tolerations":[{"key":"dedicated","operator":"Equal","value":"infra","effect":"NoSchedule"}]}}', '--', 'sleep', '3600']);
      await pollUntil('tenant Running on infra-1', () => (podField('tenant', '{.spec.nodeName} {.status.phase}') === 'infra-1 Running' ? true : undefined));
      await pollUntil('intruder unschedulable', () => (/untolerated taint \{dedicated: infra\}/.test(podField('intruder', '{.status.conditions[?(@.type=="PodScheduled")].message}')) ? true : undefined));
      assert.equal(podField('intruder', '{.spec.nodeName}'), '');
      // `kubets node` starts a killed kubelet again; the tenant's container is adopted.
      const id = podField('tenant', '{.status.containerStatuses[0].containerID}');
      const kubelet = childPids(node.pid!).find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('cmd/kubelet/main.js'));
      assert.ok(kubelet !== undefined, 'kubets node runs a kubelet process');
      process.kill(kubelet, 'SIGKILL');
      await pollUntil('a new kubelet under kubets node', () => childPids(node.pid!).find((pid) => pid !== kubelet && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('cmd/kubelet/main.js')));
      assert.equal(podField('tenant', '{.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount}'), `${id} 0`);
      // Only a kubelet can finish a delete: the new one does, without having started the container again.
      ok(['delete', 'pod', 'tenant']);
      assert.equal(c.kubectl(['get', 'pod', 'tenant']).code, 1);
      const reasons = ok(['get', 'events', '--field-selector', 'involvedObject.name=tenant', '-o', 'jsonpath={range .items[*]}{.reason}{" "}{end}']).trim().split(' ');
      assert.deepEqual(reasons.filter((r) => r === 'Started'), ['Started']);
    } finally {
      node.kill('SIGTERM');
      await new Promise((r) => node.once('exit', r));
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/** The processes whose parent is `pid`. */
function childPids(pid: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((p) => {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    });
}
