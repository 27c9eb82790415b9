// A kubelet killed with SIGKILL loses nothing: its runtime is a process of its own (as containerd
// is), so the pods' containers run on, and the kubelet the launcher starts again adopts them —
// same container, restart count unchanged — and finishes what was asked while it was away.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterRecord } from '../../pkg/cluster/launcher.js';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { pollUntil } from '../helpers/local-leaders.js';

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
});
