// PersistentVolumes and claims as a kubectl user binds them on `npm start`: a claim gets the
// smallest volume that fits (kubectl get shows both Bound, naming each other), a claim with
// nothing to bind says why in its events, and deleting a claim leaves its Retain volume Released.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { pollUntil } from '../helpers/local-leaders.js';

const volume = (name: string, size: string): string => `apiVersion: v1
kind: PersistentVolume
metadata:
  name: ${name}
spec:
  capacity: {storage: ${size}}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  hostPath: {path: /tmp/kubets-e2e/${name}}
`;

const claim = (name: string, size: string): string => `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ${name}
spec:
  storageClassName: ""
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: ${size}}}
`;

describe('PersistentVolume binding', () => {
  let c: LocalCluster;
  before(async () => {
    c = await startLocalCluster();
  });
  after(async () => {
    await c.stop();
  });

  test('a claim binds to the smallest volume that fits; deleting it leaves the volume Released', async () => {
    const k = (args: string[]): ReturnType<LocalCluster['kubectl']> => c.kubectl(['-n', 'storage', ...args]);
    c.kubectlOk(['create', 'namespace', 'storage']);
    assert.equal(c.kubectl(['apply', '-f', '-'], { input: `${volume('pv-small', '1Gi')}---\n${volume('pv-large', '10Gi')}` }).code, 0);
    assert.equal(c.kubectl(['-n', 'storage', 'apply', '-f', '-'], { input: claim('data', '512Mi') }).code, 0);
    const row = await pollUntil('the claim bound', () => {
      const out = k(['get', 'pvc', 'data', '--no-headers']).stdout;
      return /\bBound\b/.test(out) ? out : undefined;
    }, 30_000, 250);
    assert.match(row, /^data\s+Bound\s+pv-small\s+1Gi\s+RWO\s+/);
    await pollUntil('the volume bound', () => (/^pv-small\s+1Gi\s+RWO\s+Retain\s+Bound\s+storage\/data\s+/m.test(c.kubectl(['get', 'pv', '--no-headers']).stdout) ? true : undefined), 30_000, 250);
    assert.match(c.kubectl(['get', 'pv', 'pv-large', '--no-headers']).stdout, /^pv-large\s+10Gi\s+RWO\s+Retain\s+Available\s+/);

    assert.equal(c.kubectl(['-n', 'storage', 'apply', '-f', '-'], { input: claim('huge', '50Gi') }).code, 0);
    await pollUntil('FailedBinding on the claim that fits nowhere', () => (/FailedBinding\s+.*no persistent volumes available for this claim and no storage class is set/.test(k(['describe', 'pvc', 'huge']).stdout) ? true : undefined), 30_000, 250);
    assert.match(k(['get', 'pvc', 'huge', '--no-headers']).stdout, /^huge\s+Pending\s+/);

    assert.equal(k(['delete', 'pvc', 'data']).code, 0);
    await pollUntil('the volume released', () => (/^pv-small\s+1Gi\s+RWO\s+Retain\s+Released\s+storage\/data\s+/m.test(c.kubectl(['get', 'pv', '--no-headers']).stdout) ? true : undefined), 30_000, 250);
  });

  test('a pod waits unscheduled for its unbound claim, and runs once a volume binds it', async () => {
    const k = (args: string[], input?: string): ReturnType<LocalCluster['kubectl']> => c.kubectl(['-n', 'sched', ...args], input === undefined ? {} : { input });
    c.kubectlOk(['create', 'namespace', 'sched']);
    // Bigger than any volume left from the test before, so nothing binds it yet.
    assert.equal(k(['apply', '-f', '-'], claim('later', '20Gi')).code, 0);
    const pod = `apiVersion: v1\nkind: Pod\nmetadata: {name: user}\nspec:\n  containers: [{name: c, image: busybox:1.36, command: [sleep, '3600'], volumeMounts: [{name: d, mountPath: /data}]}]\n  volumes: [{name: d, persistentVolumeClaim: {claimName: later}}]\n`;
    assert.equal(k(['apply', '-f', '-'], pod).code, 0);
    await pollUntil('FailedScheduling for the unbound claim', () => (/FailedScheduling\s+.*0\/2 nodes are available: pod has unbound immediate PersistentVolumeClaims/.test(k(['describe', 'pod', 'user']).stdout) ? true : undefined), 30_000, 250);
    assert.equal(k(['get', 'pod', 'user', '-o', 'jsonpath={.spec.nodeName}|{.status.phase}']).stdout, '|Pending');
    assert.equal(c.kubectl(['apply', '-f', '-'], { input: volume('pv-later', '20Gi') }).code, 0);
    await pollUntil('the pod Running', () => (k(['get', 'pod', 'user', '-o', 'jsonpath={.status.phase}']).stdout === 'Running' ? true : undefined), 60_000, 250);
    assert.match(k(['get', 'pvc', 'later', '--no-headers']).stdout, /^later\s+Bound\s+pv-later\s+/);
  });

  test('WaitForFirstConsumer: the claim waits for its pod, which goes to the node its local volume is on', async () => {
    const k = (args: string[], input?: string): ReturnType<LocalCluster['kubectl']> => c.kubectl(['-n', 'wffc', ...args], input === undefined ? {} : { input });
    c.kubectlOk(['create', 'namespace', 'wffc']);
    const sc = 'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: local-disks}\nprovisioner: kubernetes.io/no-provisioner\nvolumeBindingMode: WaitForFirstConsumer\n';
    const local = (name: string, size: string, nodeName: string): string =>
      `apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: ${name}}\nspec:\n  capacity: {storage: ${size}}\n  accessModes: [ReadWriteOnce]\n  storageClassName: local-disks\n  hostPath: {path: /tmp/kubets-e2e/${name}, type: DirectoryOrCreate}\n  nodeAffinity:\n    required:\n      nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [${nodeName}]}]}]\n`;
    assert.equal(c.kubectl(['apply', '-f', '-'], { input: `${sc}---\n${local('disk-n1', '1Gi', 'node-1')}---\n${local('disk-n2', '5Gi', 'node-2')}` }).code, 0);
    const wffcClaim = `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  storageClassName: local-disks\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 2Gi}}\n`;
    assert.equal(k(['apply', '-f', '-'], wffcClaim).code, 0);
    await pollUntil('WaitForFirstConsumer on the claim', () => (/WaitForFirstConsumer\s+.*waiting for first consumer to be created before binding/.test(k(['describe', 'pvc', 'data']).stdout) ? true : undefined), 30_000, 250);
    assert.match(k(['get', 'pvc', 'data', '--no-headers']).stdout, /^data\s+Pending\s+/);
    const pod = `apiVersion: v1\nkind: Pod\nmetadata: {name: consumer}\nspec:\n  restartPolicy: Never\n  containers: [{name: c, image: busybox:1.36, command: [sh, -c, 'echo on the local disk > /data/f && cat /data/f'], volumeMounts: [{name: d, mountPath: /data}]}]\n  volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]\n`;
    assert.equal(k(['apply', '-f', '-'], pod).code, 0);
    await pollUntil('the consumer Succeeded', () => (k(['get', 'pod', 'consumer', '-o', 'jsonpath={.status.phase}']).stdout === 'Succeeded' ? true : undefined), 60_000, 250);
    assert.equal(k(['get', 'pod', 'consumer', '-o', 'jsonpath={.spec.nodeName}']).stdout, 'node-2', 'only node-2 has a volume of 2Gi or more');
    assert.match(k(['get', 'pvc', 'data', '--no-headers']).stdout, /^data\s+Bound\s+disk-n2\s+5Gi\s+RWO\s+local-disks\s+/);
    assert.equal(k(['logs', 'consumer']).stdout, 'on the local disk\n');
  });
});
