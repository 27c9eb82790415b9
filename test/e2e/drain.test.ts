// kubectl drain with a PodDisruptionBudget on `npm start`: a budget that allows no disruption
// holds the drain back with the eviction API's 429, and once it allows one the drain evicts the
// node's pods one at a time while the Deployment replaces them on the other node.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { pollUntil } from '../helpers/local-leaders.js';

describe('kubectl drain with a PodDisruptionBudget', () => {
  let c: LocalCluster;
  before(async () => {
    c = await startLocalCluster();
    await c.untilNodesReady(['node-1', 'node-2']);
  });
  after(async () => {
    await c.stop();
  });

  test('is held back while the budget allows nothing, then evicts within it and the pods move to the other node', async () => {
    c.kubectlOk(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3']);
    assert.match(c.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']), /successfully rolled out/);
    const nodes = (): string[] => c.kubectlOk(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.nodeName} {end}']).trim().split(' ').sort();
    assert.ok(nodes().includes('node-2'), `a pod on node-2: ${nodes().join(' ')}`);

    c.kubectlOk(['create', 'poddisruptionbudget', 'web', '--selector=app=web', '--min-available=3']);
    await pollUntil('the budget computed', () => (/web\s+3\s+N\/A\s+0\s/.test(c.kubectlOk(['get', 'pdb', 'web'])) ? true : undefined), 30_000, 500);
    assert.equal(c.kubectlOk(['get', 'pdb', 'web', '-o', 'jsonpath={.status.currentHealthy}/{.status.desiredHealthy}/{.status.expectedPods}/{.status.conditions[0].reason}']), '3/3/3/InsufficientPods');
    const held = c.kubectl(['drain', 'node-2', '--ignore-daemonsets', '--timeout=12s']);
    assert.notEqual(held.code, 0);
    assert.match(held.stderr + held.stdout, /Cannot evict pod as it would violate the pod's disruption budget/);

    c.kubectlOk(['patch', 'pdb', 'web', '--type=merge', '-p', '{"spec":{"minAvailable":2}}']);
    await pollUntil('one disruption allowed', () => (c.kubectlOk(['get', 'pdb', 'web', '-o', 'jsonpath={.status.disruptionsAllowed}']) === '1' ? true : undefined), 30_000, 500);
    const drained = c.kubectl(['drain', 'node-2', '--ignore-daemonsets', '--timeout=120s']);
    assert.equal(drained.code, 0, drained.stderr);
    assert.match(drained.stdout, /node\/node-2 drained/);
    await pollUntil('three web pods Running on node-1', () => {
      const p = c.kubectlOk(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.nodeName}={.status.phase} {end}']).trim().split(' ');
      return p.length === 3 && p.every((x) => x === 'node-1=Running') ? true : undefined;
    }, 60_000, 500);
    assert.match(c.kubectlOk(['get', 'node', 'node-2']), /Ready,SchedulingDisabled/);
    await pollUntil('the budget healthy again', () => (c.kubectlOk(['get', 'pdb', 'web', '-o', 'jsonpath={.status.currentHealthy}']) === '3' ? true : undefined), 30_000, 500);
  });
});
