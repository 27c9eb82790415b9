// A node taken away for good and deleted with kubectl: the pod garbage collector removes the pods
// still bound to it (after upstream's 40 s quarantine), and their Deployment replaces them on the
// node that is left — what a kubectl user does after losing a machine, before node lifecycle.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterRecord } from '../../pkg/cluster/launcher.js';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { pollUntil } from '../helpers/local-leaders.js';

describe('a node deleted for good', () => {
  let c: LocalCluster;
  before(async () => {
    // A machine that is gone does not come back: nothing restarts its kubelet.
    c = await startLocalCluster(['--no-restart-crashed']);
    await c.untilNodesReady(['node-1', 'node-2']);
  });
  after(async () => {
    await c.stop();
  });

  test("kubectl delete node: its pods are collected and the Deployment's replacements run on the other node", async () => {
    c.kubectlOk(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=4']);
    assert.match(c.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']), /successfully rolled out/);
    const placed = (): string[] => c.kubectlOk(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.nodeName}={.status.phase} {end}']).trim().split(' ').filter((s) => s !== '');
    const onNode2 = placed().filter((p) => p.split('=')[1] === 'node-2').map((p) => p.split('=')[0]!);
    assert.ok(onNode2.length > 0, `pods spread over both nodes: ${placed().join(' ')}`);

    // The machine is gone: its kubelet and runtime die, then the Node object goes.
    const record = JSON.parse(readFileSync(join(c.dir, 'cluster.json'), 'utf8')) as ClusterRecord;
    for (const name of ['node-2', 'node-2-runtime']) process.kill(record.components.find((x) => x.name === name)!.pid!, 'SIGKILL');
    c.kubectlOk(['delete', 'node', 'node-2']);

    const final = await pollUntil(
      'every web pod Running on node-1',
      () => {
        const now = placed();
        return now.length === 4 && now.every((p) => p.endsWith('=node-1=Running')) ? now : undefined;
      },
      120_000,
      1000,
    );
    for (const gone of onNode2) assert.ok(!final.some((p) => p.startsWith(`${gone}=`)), `${gone} was collected`);
    assert.match(c.kubectlOk(['get', 'deployment', 'web']), /web\s+4\/4\s+4\s+4/);
  });
});
