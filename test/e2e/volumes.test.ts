// Pod volumes as a kubectl user sees them on `npm start` (simulated runtime, whose `cat`, `echo >`
// and `touch` reach a volume's real files on the node): a ConfigMap read by the container, a pod
// that waits in ContainerCreating with FailedMount until its ConfigMap exists, an emptyDir shared
// by an init container and the main one, the downward API, and a claim whose data outlives its pod.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { pollUntil } from '../helpers/local-leaders.js';

const reader = (name: string, script: string, volumes: string, mounts: string, extra = ''): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: {app: ${name}, tier: demo}
spec:
  restartPolicy: Never
${extra}  containers:
  - name: main
    image: busybox:1.36
    command: [sh, -c, ${JSON.stringify(script)}]
    volumeMounts:
${mounts}
  volumes:
${volumes}
`;

describe('pod volumes', () => {
  let c: LocalCluster;
  const hostDir = mkdtempSync(join(tmpdir(), 'kubets-e2e-hostpath-'));
  before(async () => {
    c = await startLocalCluster();
    c.kubectlOk(['create', 'namespace', 'vol']);
  });
  after(async () => {
    await c.stop();
    rmSync(hostDir, { recursive: true, force: true });
  });
  const k = (args: string[], input?: string): ReturnType<LocalCluster['kubectl']> => c.kubectl(['-n', 'vol', ...args], input === undefined ? {} : { input });
  const phase = (pod: string): string => k(['get', 'pod', pod, '-o', 'jsonpath={.status.phase}']).stdout;
  const succeeded = (pod: string): Promise<true> => pollUntil(`${pod} Succeeded`, () => (phase(pod) === 'Succeeded' ? true : undefined), 60_000, 250);

  test('a ConfigMap volume: the container reads its keys as files', async () => {
    assert.equal(k(['create', 'configmap', 'app-config', '--from-literal=greeting=hello from a configmap', '--from-literal=mode=dark']).code, 0);
    const pod = reader('cm-reader', 'cat /etc/config/greeting /etc/config/mode', '  - name: config\n    configMap: {name: app-config}', '    - {name: config, mountPath: /etc/config}');
    assert.equal(k(['apply', '-f', '-'], pod).code, 0);
    await succeeded('cm-reader');
    assert.equal(k(['logs', 'cm-reader']).stdout, 'hello from a configmap\ndark\n');
  });

  test('a pod whose ConfigMap is missing waits in ContainerCreating with FailedMount, and starts once it exists', async () => {
    const pod = reader('cm-waiter', 'cat /etc/late/key', '  - name: late\n    configMap: {name: late-config}', '    - {name: late, mountPath: /etc/late}');
    assert.equal(k(['apply', '-f', '-'], pod).code, 0);
    await pollUntil('FailedMount on the pod', () => (/FailedMount\s+.*MountVolume\.SetUp failed for volume "late" : configmap "late-config" not found/.test(k(['describe', 'pod', 'cm-waiter']).stdout) ? true : undefined), 60_000, 250);
    const row = k(['get', 'pod', 'cm-waiter', '--no-headers']).stdout;
    assert.match(row, /^cm-waiter\s+0\/1\s+ContainerCreating\s+0\s+/);
    assert.equal(k(['create', 'configmap', 'late-config', '--from-literal=key=arrived']).code, 0);
    await succeeded('cm-waiter');
    assert.equal(k(['logs', 'cm-waiter']).stdout, 'arrived\n');
  });

  test('an emptyDir is shared by the init container that writes and the container that reads; a downward API volume holds the labels', async () => {
    const init = `  initContainers:\n  - name: write\n    image: busybox:1.36\n    command: [sh, -c, "echo written by init > /work/msg"]\n    volumeMounts:\n    - {name: work, mountPath: /work}\n`;
    const pod = reader(
      'shared',
      'cat /work/msg /etc/podinfo/labels',
      '  - name: work\n    emptyDir: {}\n  - name: info\n    downwardAPI:\n      items:\n      - {path: labels, fieldRef: {fieldPath: metadata.labels}}',
      '    - {name: work, mountPath: /work}\n    - {name: info, mountPath: /etc/podinfo}',
      init,
    );
    assert.equal(k(['apply', '-f', '-'], pod).code, 0);
    await succeeded('shared');
    assert.equal(k(['logs', 'shared']).stdout, 'written by init\napp="shared"\ntier="demo"\n');
    // The pod's directory on its node holds the volumes, and goes with the pod.
    const uid = k(['get', 'pod', 'shared', '-o', 'jsonpath={.metadata.uid}']).stdout;
    const node = k(['get', 'pod', 'shared', '-o', 'jsonpath={.spec.nodeName}']).stdout;
    const podDir = join(c.dir, 'nodes', node, 'pods', uid);
    assert.ok(existsSync(join(podDir, 'volumes', 'kubernetes.io~empty-dir', 'work', 'msg')), podDir);
    assert.equal(k(['delete', 'pod', 'shared']).code, 0);
    await pollUntil('the pod directory removed', () => (existsSync(podDir) ? undefined : true), 30_000, 250);
  });

  test('a read-only mount refuses writes; data written through a claim is there for the next pod', async () => {
    const ro = reader('ro', 'touch /etc/config/new', '  - name: config\n    configMap: {name: app-config}', '    - {name: config, mountPath: /etc/config}');
    assert.equal(k(['apply', '-f', '-'], ro).code, 0);
    await pollUntil('ro Failed', () => (phase('ro') === 'Failed' ? true : undefined), 60_000, 250);
    assert.equal(k(['logs', 'ro']).stdout, "touch: cannot touch '/etc/config/new': Read-only file system\n");

    const pv = `apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: vol-data}\nspec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n  hostPath: {path: ${join(hostDir, 'data')}, type: DirectoryOrCreate}\n`;
    const pvc = `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  storageClassName: ""\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n`;
    assert.equal(c.kubectl(['apply', '-f', '-'], { input: pv }).code, 0);
    assert.equal(k(['apply', '-f', '-'], pvc).code, 0);
    const claimVolume = '  - name: data\n    persistentVolumeClaim: {claimName: data}';
    const mount = '    - {name: data, mountPath: /data}';
    assert.equal(k(['apply', '-f', '-'], reader('writer', 'echo kept across pods >> /data/notes', claimVolume, mount)).code, 0);
    await succeeded('writer');
    assert.equal(k(['delete', 'pod', 'writer']).code, 0);
    assert.equal(k(['apply', '-f', '-'], reader('later-reader', 'cat /data/notes', claimVolume, mount)).code, 0);
    await succeeded('later-reader');
    assert.equal(k(['logs', 'later-reader']).stdout, 'kept across pods\n');
  });
});
