// Pods run: `npm start`'s two kubelets (each with its own simulated runtime) register their
// Nodes, renew their Leases, and run what the scheduler binds to them — as a kubectl user sees it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { pollUntil } from '../helpers/local-leaders.js';

describe('kubelets on a local kubets cluster', () => {
  let c: LocalCluster;
  before(async () => {
    c = await startLocalCluster();
  });
  after(async () => {
    await c.stop();
  });

  const ok = (args: string[]): string => c.kubectlOk(args);
  const jsonpath = (args: string[], path: string): string => ok([...args, '-o', `jsonpath=${path}`]);
  const podField = (name: string, path: string): string => {
    const r = c.kubectl(['get', 'pod', name, '-o', `jsonpath=${path}`]);
    return r.code === 0 ? r.stdout : '';
  };

  test('both nodes register Ready with the kubelet and runtime versions, and renew their Leases', async () => {
    const ready = await pollUntil('two Ready nodes', () => {
      const r = c.kubectl(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status} {end}']);
      const nodes = r.stdout.trim().split(' ').filter((s) => s.endsWith('=True'));
      return nodes.length === 2 ? nodes : undefined;
    });
    assert.deepEqual(ready.sort(), ['node-1=True', 'node-2=True']);
    assert.equal(jsonpath(['get', 'node', 'node-1'], '{.status.nodeInfo.kubeletVersion} {.status.nodeInfo.containerRuntimeVersion} {.spec.podCIDR} {.metadata.labels.kubernetes\\.io/hostname}'), 'v1.32.0 kubets-fake://0.1.0 10.244.1.0/24 node-1');
    assert.match(ok(['get', 'nodes']), /node-1\s+Ready\s+<none>\s+\S+\s+v1\.32\.0/);
    const holder = jsonpath(['get', 'lease', '-n', 'kube-node-lease', 'node-1'], '{.spec.holderIdentity}');
    assert.equal(holder, 'node-1');
    const first = jsonpath(['get', 'lease', '-n', 'kube-node-lease', 'node-1'], '{.spec.renewTime}');
    // Renewed every quarter of its 40 s duration.
    await pollUntil('a renewal of the node Lease', () => (jsonpath(['get', 'lease', '-n', 'kube-node-lease', 'node-1'], '{.spec.renewTime}') !== first ? true : undefined), 30_000, 500);
  });

  test("a Deployment's pods run Ready on both nodes with pod IPs from their nodes' ranges", async () => {
    ok(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=4']);
    assert.match(ok(['rollout', 'status', 'deployment/web', '--timeout=60s']), /successfully rolled out/);
    const rows = ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.nodeName} {.status.podIP} {.status.phase} {.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']).trim().split('\n');
    assert.equal(rows.length, 4);
    for (const row of rows) {
      const [node, ip, phase, ready] = row.split(' ');
      assert.match(node!, /^node-[12]$/);
      assert.ok(ip!.startsWith(`10.244.${node!.slice(5)}.`), row);
      assert.deepEqual([phase, ready], ['Running', 'True'], row);
    }
    assert.match(ok(['get', 'deployment', 'web']), /web\s+4\/4\s+4\s+4/);
    const events = ok(['get', 'events', '--field-selector', 'reason=Started', '-o', 'jsonpath={.items[*].message}']);
    assert.match(events, /Started container nginx/);
  });

  test('a pod whose command exits 0 with restartPolicy Never is Completed (Succeeded)', async () => {
    ok(['run', 'once', '--image=busybox:1.36', '--restart=Never', '--', 'sh', '-c', 'echo done; exit 0']);
    await pollUntil('once Succeeded', () => (podField('once', '{.status.phase}') === 'Succeeded' ? true : undefined));
    assert.equal(podField('once', '{.status.containerStatuses[0].state.terminated.reason}'), 'Completed');
    assert.match(ok(['get', 'pod', 'once']), /once\s+0\/1\s+Completed\s+0/);
  });

  test('kubectl logs reads what the container wrote: --tail, --timestamps, -f until it exits, -p for the run before', async () => {
    ok(['run', 'talker', '--image=busybox:1.36', '--restart=Never', '--', 'sh', '-c', 'echo one; echo two; sleep 2; echo three']);
    await pollUntil('talker Running', () => (['Running', 'Succeeded'].includes(podField('talker', '{.status.phase}')) ? true : undefined));
    // Follows until the container exits, then returns with everything it wrote.
    assert.equal(ok(['logs', '-f', 'talker']), 'one\ntwo\nthree\n');
    assert.equal(ok(['logs', 'talker', '--tail=1']), 'three\n');
    assert.match(ok(['logs', 'talker', '--timestamps']), /^\d{4}-\d\d-\d\dT[\d:.]+Z one\n/);
    const noPrevious = c.kubectl(['logs', 'talker', '-p']);
    assert.equal(noPrevious.code, 1);
    assert.match(noPrevious.stderr, /previous terminated container "talker" in pod "talker" not found/);
    ok(['run', 'counter', '--image=busybox:1.36', '--', 'sh', '-c', 'echo run; exit 1']);
    await pollUntil('counter restarted', () => (Number(podField('counter', '{.status.containerStatuses[0].restartCount}')) >= 1 ? true : undefined), 30_000, 250);
    assert.equal(ok(['logs', 'counter', '-p']), 'run\n');
    const pending = c.kubectl(['logs', 'nobody-here']);
    assert.match(pending.stderr, /pods "nobody-here" not found/);
  });

  test('environment from ConfigMaps, Secrets and pod fields; a missing ConfigMap holds the container until it exists', async () => {
    ok(['create', 'configmap', 'app-cfg', '--from-literal=GREETING=hello']);
    ok(['create', 'secret', 'generic', 'app-creds', '--from-literal=password=s3cret']);
    const pod = (name: string, cfg: string): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  restartPolicy: Never
  containers:
  - name: app
    image: busybox:1.36
    command: [sh, -c, 'echo $GREETING $PASSWORD $MY_POD']
    env:
    - {name: GREETING, valueFrom: {configMapKeyRef: {name: ${cfg}, key: GREETING}}}
    - {name: PASSWORD, valueFrom: {secretKeyRef: {name: app-creds, key: password}}}
    - {name: MY_POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
`;
    let r = c.kubectl(['apply', '-f', '-'], { input: pod('envy', 'app-cfg') });
    assert.equal(r.code, 0, r.stderr);
    await pollUntil('envy Succeeded', () => (podField('envy', '{.status.phase}') === 'Succeeded' ? true : undefined));
    assert.equal(ok(['logs', 'envy']), 'hello s3cret envy\n');

    r = c.kubectl(['apply', '-f', '-'], { input: pod('waits', 'later-cfg') });
    assert.equal(r.code, 0, r.stderr);
    await pollUntil('CreateContainerConfigError', () => (podField('waits', '{.status.containerStatuses[0].state.waiting.reason}') === 'CreateContainerConfigError' ? true : undefined));
    assert.equal(podField('waits', '{.status.containerStatuses[0].state.waiting.message}'), 'configmap "later-cfg" not found');
    ok(['create', 'configmap', 'later-cfg', '--from-literal=GREETING=at-last']);
    await pollUntil('waits Succeeded', () => (podField('waits', '{.status.phase}') === 'Succeeded' ? true : undefined), 60_000, 500);
    assert.equal(ok(['logs', 'waits']), 'at-last s3cret waits\n');
  });

  test('a failing command restarts with back-off: CrashLoopBackOff and a growing restart count', async () => {
    ok(['run', 'crash', '--image=busybox:1.36', '--', 'sh', '-c', 'echo crashing; exit 3']);
    await pollUntil('CrashLoopBackOff with 2 restarts', () => {
      const reason = podField('crash', '{.status.containerStatuses[0].state.waiting.reason}');
      const restarts = Number(podField('crash', '{.status.containerStatuses[0].restartCount}'));
      return reason === 'CrashLoopBackOff' && restarts >= 2 ? true : undefined;
    }, 60_000, 500);
    assert.equal(podField('crash', '{.status.containerStatuses[0].lastState.terminated.exitCode}'), '3');
    // Between a run's exit and the next back-off the pod shows Error for a moment: poll the table.
    await pollUntil('kubectl get shows CrashLoopBackOff', () => (/crash\s+0\/1\s+CrashLoopBackOff\s+\d+ \(\S+ ago\)/.test(ok(['get', 'pod', 'crash'])) ? true : undefined), 60_000, 500);
    assert.match(ok(['describe', 'pod', 'crash']), /Back-off restarting failed container crash/);
  });

  test('a readiness probe flips Ready; a failing liveness probe restarts the container', async () => {
    const manifest = (name: string, script: string, probe: string): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox:1.36
    command: [sh, -c, '${script}']
    ${probe}:
      exec: {command: [cat, /tmp/ok]}
      periodSeconds: 1
      failureThreshold: 1
`;
    const apply = (text: string): void => {
      const r = c.kubectl(['apply', '-f', '-'], { input: text });
      assert.equal(r.code, 0, r.stderr);
    };
    apply(manifest('ready-flip', 'touch /tmp/ok; sleep 4; rm /tmp/ok; sleep 3600', 'readinessProbe'));
    await pollUntil('ready-flip Ready', () => (podField('ready-flip', '{.status.conditions[?(@.type=="Ready")].status}') === 'True' ? true : undefined), 30_000, 200);
    await pollUntil('ready-flip not Ready', () => (podField('ready-flip', '{.status.conditions[?(@.type=="Ready")].status}') === 'False' ? true : undefined), 30_000, 200);
    assert.equal(podField('ready-flip', '{.status.phase}'), 'Running');
    assert.equal(podField('ready-flip', '{.status.containerStatuses[0].restartCount}'), '0');
    assert.match(ok(['describe', 'pod', 'ready-flip']), /Readiness probe failed: cat: \/tmp\/ok: No such file or directory/);

    apply(manifest('live', 'touch /tmp/ok; sleep 2; rm -f /tmp/ok; sleep 600', 'livenessProbe'));
    await pollUntil('live restarted', () => (Number(podField('live', '{.status.containerStatuses[0].restartCount}')) >= 1 ? true : undefined), 60_000, 250);
    const described = ok(['describe', 'pod', 'live']);
    assert.match(described, /Liveness probe failed: cat: \/tmp\/ok: No such file or directory/);
    assert.match(described, /Container app failed liveness probe, will be restarted/);
  });

  test('an image that does not exist is ErrImagePull, then ImagePullBackOff', async () => {
    ok(['run', 'bad', '--image=nginx:notfound']);
    // ErrImagePull lasts until the next sync, which already finds the pull backing off (as upstream).
    await pollUntil('ImagePullBackOff', () => (podField('bad', '{.status.containerStatuses[0].state.waiting.reason}') === 'ImagePullBackOff' ? true : undefined), 30_000, 250);
    assert.equal(podField('bad', '{.status.phase}'), 'Pending');
    const described = ok(['describe', 'pod', 'bad']);
    assert.match(described, /Failed to pull image "nginx:notfound": rpc error: code = NotFound/);
    assert.match(described, /Error: ErrImagePull/);
    assert.match(described, /Back-off pulling image "nginx:notfound"/);
  });

  test('a pod bound straight to a node it does not fit is rejected there: Failed, OutOfcpu, as upstream words it', () => {
    const r = c.kubectl(['apply', '-f', '-'], { input: `apiVersion: v1
kind: Pod
metadata: {name: too-big}
spec:
  nodeName: node-1
  containers:
  - {name: app, image: nginx:1.27, resources: {requests: {cpu: "1000"}}}
` });
    assert.equal(r.code, 0, r.stderr);
    return pollUntil('too-big Failed', () => (podField('too-big', '{.status.phase}') === 'Failed' ? true : undefined)).then(() => {
      assert.equal(podField('too-big', '{.status.reason}'), 'OutOfcpu');
      assert.match(podField('too-big', '{.status.message}'), /^Pod was rejected: Node didn't have enough resource: cpu, requested: 1000000, used: \d+, capacity: \d+$/);
      assert.match(ok(['get', 'pod', 'too-big']), /too-big\s+0\/1\s+OutOfcpu\s+0/);
    });
  });

  test('kubectl delete pod returns once the pod is gone, after its grace period when it ignores SIGTERM', async () => {
    ok(['run', 'sleeper', '--image=busybox:1.36', '--', 'sleep', '3600']);
    await pollUntil('sleeper Running', () => (podField('sleeper', '{.status.phase}') === 'Running' ? true : undefined));
    const started = Date.now();
    ok(['delete', 'pod', 'sleeper', '--grace-period=2']);
    // PID 1 sleep ignores SIGTERM: the kubelet waited out the grace period before removing the pod.
    assert.ok(Date.now() - started >= 2000, `deleted after ${Date.now() - started} ms`);
    assert.equal(c.kubectl(['get', 'pod', 'sleeper']).code, 1);
  });
});
