// kubectl exec and attach as a user runs them, on the simulated runtime: kubectl's WebSocket
// (v5.channel.k8s.io) through the apiserver to the kubelet to the runtime's streaming server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { pollUntil } from '../helpers/local-leaders.js';

describe('kubectl exec and attach', () => {
  let c: LocalCluster;
  const phase = (name: string): string => c.kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.phase}']).stdout;
  before(async () => {
    c = await startLocalCluster(['--nodes', '1', '--schedulers', '1', '--controller-managers', '1']);
    await c.untilNodesReady(['node-1']);
    c.kubectlOk(['run', 'shell', '--image=busybox:1.36', '--', 'sleep', '3600']);
    await pollUntil('the pod running', () => (phase('shell') === 'Running' ? true : undefined), 60_000, 250);
  });
  after(async () => c?.stop());

  test('runs a command in the container and exits with its exit code', () => {
    assert.deepEqual(c.kubectl(['exec', 'shell', '--', 'echo', 'hello', 'there']), { code: 0, stdout: 'hello there\n', stderr: '' });
    const failed = c.kubectl(['exec', 'shell', '--', 'sh', '-c', 'echo partial; exit 3']);
    assert.equal(failed.code, 3);
    assert.equal(failed.stdout, 'partial\n');
    assert.equal(failed.stderr, 'command terminated with exit code 3\n');
  });

  test('passes stdin to the command until it ends', () => {
    assert.deepEqual(c.kubectl(['exec', '-i', 'shell', '--', 'cat'], { input: 'line one\nline two\n' }), { code: 0, stdout: 'line one\nline two\n', stderr: '' });
  });

  test('refuses what kube-apiserver refuses, with its words', async () => {
    assert.deepEqual(c.kubectl(['exec', 'shell', '-c', 'nope', '--', 'true']), { code: 1, stdout: '', stderr: 'Error from server (BadRequest): container nope is not valid for pod shell\n' });
    assert.deepEqual(c.kubectl(['exec', 'missing', '--', 'true']), { code: 1, stdout: '', stderr: 'Error from server (NotFound): pods "missing" not found\n' });
    c.kubectlOk(['run', 'done', '--image=busybox:1.36', '--restart=Never', '--', 'true']);
    await pollUntil('the pod done', () => (phase('done') === 'Succeeded' ? true : undefined), 60_000, 250);
    const r = c.kubectl(['exec', 'done', '--', 'true']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot exec into a container in a completed pod; current phase is Succeeded/);
  });

  test('attach shows what the main process writes from then on, until it exits', async () => {
    c.kubectlOk(['run', 'late', '--image=busybox:1.36', '--restart=Never', '--', 'sh', '-c', 'sleep 3; echo late; sleep 1; exit 5']);
    await pollUntil('the pod running', () => (phase('late') === 'Running' ? true : undefined), 60_000, 100);
    const r = c.kubectl(['attach', 'late']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'late\n');
  });

  test('port-forward says the simulated runtime has no pod network', () => {
    const r = c.kubectl(['port-forward', 'pod/shell', '18080:80'], {});
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error upgrading connection: .*the simulated runtime has no pod network to forward ports to/);
  });
});

