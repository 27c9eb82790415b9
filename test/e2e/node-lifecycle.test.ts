// A node whose kubelet stops answering: after the grace period the node lifecycle controller marks
// it NotReady (conditions Unknown) and taints it, the taint eviction controller deletes its pods
// once their tolerationSeconds pass, and the Deployment runs replacements on the other node. When
// the kubelet comes back the node is Ready, untainted, and the evicted pods are finished there.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterRecord } from '../../pkg/cluster/launcher.js';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { pollUntil } from '../helpers/local-leaders.js';

// Pods that give up on a lost node after 10 s instead of the 300 s DefaultTolerationSeconds adds.
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 4
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      tolerations:
      - { key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 10 }
      - { key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 10 }
      containers:
      - name: web
        image: nginx:1.27
`;

describe('a node whose kubelet stops', () => {
  let c: LocalCluster;
  before(async () => {
    c = await startLocalCluster(['--controller-manager-arg=--node-monitor-grace-period=20s']);
    await c.untilNodesReady(['node-1', 'node-2']);
  });
  after(async () => {
    await c.stop();
  });

  test('goes NotReady and tainted, its pods are evicted and replaced on the other node, and it comes back Ready when its kubelet does', async () => {
    c.kubectlOk(['apply', '-f', '-'], { input: DEPLOYMENT });
    assert.match(c.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']), /successfully rolled out/);
    const placed = (): string[] =>
      c
        .kubectlOk(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.nodeName}={.status.phase}={.metadata.deletionTimestamp} {end}'])
        .trim()
        .split(' ')
        .filter((s) => s !== '');
    const onNode2 = placed()
      .filter((p) => p.split('=')[1] === 'node-2')
      .map((p) => p.split('=')[0]!);
    assert.ok(onNode2.length > 0, `pods spread over both nodes: ${placed().join(' ')}`);

    // The kubelet hangs (its runtime and containers go on): no status, no Lease renewals.
    const record = JSON.parse(readFileSync(join(c.dir, 'cluster.json'), 'utf8')) as ClusterRecord;
    const kubelet = record.components.find((x) => x.name === 'node-2')!.pid!;
    process.kill(kubelet, 'SIGSTOP');
    try {
      await pollUntil('node-2 NotReady', () => (/^node-2\s+NotReady\s/m.test(c.kubectlOk(['get', 'nodes'])) ? true : undefined), 90_000, 1000);
      const described = c.kubectlOk(['describe', 'node', 'node-2']);
      assert.match(described, /Ready\s+Unknown\s.*NodeStatusUnknown\s+Kubelet stopped posting node status\./);
      await pollUntil('the NoExecute taint', () => (/node\.kubernetes\.io\/unreachable:NoExecute/.test(c.kubectlOk(['describe', 'node', 'node-2'])) ? true : undefined), 60_000, 1000);
      assert.match(c.kubectlOk(['get', 'node', 'node-2', '-o', 'jsonpath={.spec.taints[*].key}']), /node\.kubernetes\.io\/unreachable/);

      // Its pods are deleted (they stay Terminating while no kubelet can finish them) and replaced.
      await pollUntil(
        'four web pods Running on node-1 besides the evicted ones',
        () => {
          const live = placed().filter((p) => p.endsWith('='));
          return live.length === 4 && live.every((p) => p.includes('=node-1=Running=')) ? live : undefined;
        },
        120_000,
        1000,
      );
      const evicted = placed().filter((p) => onNode2.includes(p.split('=')[0]!));
      assert.ok(evicted.length === onNode2.length && evicted.every((p) => !p.endsWith('=')), `node-2's pods are being deleted: ${evicted.join(' ')}`);
      const events = c.kubectlOk(['get', 'events', '--field-selector', 'reason=TaintManagerEviction', '-o', 'jsonpath={range .items[*]}{.involvedObject.name}: {.message}{"\\n"}{end}']);
      for (const name of onNode2) assert.match(events, new RegExp(`^${name}: Marking for deletion Pod default/${name}$`, 'm'));
      const target = c.kubectlOk(['get', 'pod', onNode2[0]!, '-o', 'jsonpath={.status.conditions[?(@.type=="DisruptionTarget")].reason}']);
      assert.equal(target, 'DeletionByTaintManager');
      assert.match(c.kubectlOk(['get', 'deployment', 'web']), /web\s+4\/4\s+4\s+4/);
    } finally {
      process.kill(kubelet, 'SIGCONT');
    }

    // Back: Ready, the controller's taints gone, the evicted pods finished and removed.
    await pollUntil('node-2 Ready', () => (/^node-2\s+Ready\s/m.test(c.kubectlOk(['get', 'nodes'])) ? true : undefined), 60_000, 1000);
    await pollUntil('node-2 untainted', () => (c.kubectlOk(['get', 'node', 'node-2', '-o', 'jsonpath={.spec.taints}']).trim() === '' ? true : undefined), 30_000, 1000);
    await pollUntil('the evicted pods gone', () => (placed().every((p) => !onNode2.includes(p.split('=')[0]!)) ? true : undefined), 60_000, 1000);
    assert.match(c.kubectlOk(['get', 'deployment', 'web']), /web\s+4\/4\s+4\s+4/);
  });
});
