// A DaemonSet as a kubectl user runs it on `npm start`: a pod on each node, rolled node by node by
// kubectl set image (with rollout status, history and undo), leaving a node tainted NoExecute and
// coming back when the taint goes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { pollUntil } from '../helpers/local-leaders.js';

const AGENT = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: { app: agent }
  template:
    metadata:
      labels: { app: agent }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: agent
        image: nginx:1.27
`;

describe('a DaemonSet', () => {
  let c: LocalCluster;
  before(async () => {
    c = await startLocalCluster();
  });
  after(async () => {
    await c.stop();
  });

  /** node=image=phase of each agent pod not being deleted, sorted. */
  const placed = (): string[] =>
    c
      .kubectlOk(['get', 'pods', '-l', 'app=agent', '-o', 'jsonpath={range .items[*]}{.spec.nodeName}={.spec.containers[0].image}={.status.phase}={.metadata.deletionTimestamp} {end}'])
      .trim()
      .split(' ')
      .filter((s) => s.endsWith('='))
      .map((s) => s.slice(0, -1))
      .sort();

  test('runs a pod on every node, rolls an image change node by node, undoes it, and leaves a node tainted NoExecute', async () => {
    // Both nodes registered first: a DaemonSet made before any node has nothing to run yet.
    await c.untilNodesReady(['node-1', 'node-2']);
    c.kubectlOk(['apply', '-f', '-'], { input: AGENT });
    assert.match(c.kubectlOk(['rollout', 'status', 'daemonset/agent', '--timeout=60s']), /successfully rolled out/);
    assert.deepEqual(placed(), ['node-1=nginx:1.27=Running', 'node-2=nginx:1.27=Running']);
    assert.match(c.kubectlOk(['get', 'daemonset', 'agent']), /agent\s+2\s+2\s+2\s+2\s+2\s+<none>\s/);

    c.kubectlOk(['set', 'image', 'daemonset/agent', 'agent=nginx:1.28']);
    assert.match(c.kubectlOk(['rollout', 'status', 'daemonset/agent', '--timeout=90s']), /successfully rolled out/);
    await pollUntil('both pods on 1.28', () => (placed().join(' ') === 'node-1=nginx:1.28=Running node-2=nginx:1.28=Running' ? true : undefined), 30_000, 500);
    const history = c.kubectlOk(['rollout', 'history', 'daemonset/agent']);
    assert.match(history, /^1\s/m);
    assert.match(history, /^2\s/m);
    c.kubectlOk(['rollout', 'undo', 'daemonset/agent']);
    assert.match(c.kubectlOk(['rollout', 'status', 'daemonset/agent', '--timeout=90s']), /successfully rolled out/);
    await pollUntil('both pods back on 1.27', () => (placed().join(' ') === 'node-1=nginx:1.27=Running node-2=nginx:1.27=Running' ? true : undefined), 30_000, 500);
    assert.match(c.kubectlOk(['rollout', 'history', 'daemonset/agent']), /^3\s/m);

    c.kubectlOk(['taint', 'node', 'node-2', 'dedicated=infra:NoExecute']);
    await pollUntil('only node-1 runs the agent', () => (placed().join(' ') === 'node-1=nginx:1.27=Running' ? true : undefined), 60_000, 500);
    assert.match(c.kubectlOk(['get', 'daemonset', 'agent']), /agent\s+1\s+1\s+1\s+1\s+1\s/);
    c.kubectlOk(['taint', 'node', 'node-2', 'dedicated=infra:NoExecute-']);
    await pollUntil('node-2 runs it again', () => (placed().join(' ') === 'node-1=nginx:1.27=Running node-2=nginx:1.27=Running' ? true : undefined), 60_000, 500);
  });
});
