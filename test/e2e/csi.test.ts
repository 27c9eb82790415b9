// Dynamic provisioning through CSI as a kubectl user sees it on `npm start`: each node runs the
// hostpath CSI driver and its provisioner; a claim of a WaitForFirstConsumer class that names the
// driver waits for its pod, gets a volume on the pod's node, keeps its data for the next pod there,
// and the volume goes with the claim (reclaim policy Delete).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { pollUntil } from '../helpers/local-leaders.js';

const CLASS = `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: csi-hostpath}
provisioner: hostpath.csi.kubets.io
reclaimPolicy: Delete
volumeBindingMode: WaitForFirstConsumer
`;

const CLAIM = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  storageClassName: csi-hostpath
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
`;

const pod = (name: string, script: string): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  restartPolicy: Never
  containers: [{name: c, image: busybox:1.36, command: [sh, -c, ${JSON.stringify(script)}], volumeMounts: [{name: d, mountPath: /data}]}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]
`;

describe('CSI volumes', () => {
  let c: LocalCluster;
  before(async () => {
    c = await startLocalCluster();
    c.kubectlOk(['create', 'namespace', 'csi']);
  });
  after(async () => {
    await c.stop();
  });
  const k = (args: string[], input?: string): ReturnType<LocalCluster['kubectl']> => c.kubectl(['-n', 'csi', ...args], input === undefined ? {} : { input });
  const phase = (p: string): string => k(['get', 'pod', p, '-o', 'jsonpath={.status.phase}']).stdout;

  test('a claim is provisioned on its pod\'s node, keeps its data for the next pod, and its volume goes with it', async () => {
    // Each kubelet lists its node's driver in the node's CSINode, as upstream's does.
    const csinodes = await pollUntil('both CSINodes list the driver', () => {
      const out = c.kubectl(['get', 'csinode', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.drivers[*].name}={.spec.drivers[*].topologyKeys[*]}{"\\n"}{end}']).stdout.trim();
      return out.split('\n').filter((l) => l.endsWith('=hostpath.csi.kubets.io=kubernetes.io/hostname')).length === 2 ? out : undefined;
    }, 60_000, 500);
    assert.deepEqual(csinodes.split('\n').map((l) => l.split('=')[0]).sort(), ['node-1', 'node-2']);
    assert.match(c.kubectl(['get', 'csidriver', 'hostpath.csi.kubets.io', '--no-headers']).stdout, /^hostpath\.csi\.kubets\.io\s+false\s+false\s+/);
    assert.match(c.kubectl(['get', 'storageclass', '--no-headers']).stdout, /^standard \(default\)\s+hostpath\.csi\.kubets\.io\s+Delete\s+WaitForFirstConsumer\s+/m);
    assert.equal(c.kubectl(['apply', '-f', '-'], { input: CLASS }).code, 0);
    assert.equal(k(['apply', '-f', '-'], CLAIM).code, 0);
    await pollUntil('WaitForFirstConsumer', () => (/WaitForFirstConsumer/.test(k(['describe', 'pvc', 'data']).stdout) ? true : undefined), 30_000, 250);

    assert.equal(k(['apply', '-f', '-'], pod('writer', 'echo persisted > /data/f')).code, 0);
    await pollUntil('writer Succeeded', () => (phase('writer') === 'Succeeded' ? true : undefined), 60_000, 250);
    const node = k(['get', 'pod', 'writer', '-o', 'jsonpath={.spec.nodeName}']).stdout;
    const uid = k(['get', 'pvc', 'data', '-o', 'jsonpath={.metadata.uid}']).stdout;
    const pv = `pvc-${uid}`;
    assert.match(k(['get', 'pvc', 'data', '--no-headers']).stdout, new RegExp(`^data\\s+Bound\\s+${pv}\\s+1Gi\\s+RWO\\s+csi-hostpath\\s+`));
    assert.match(c.kubectl(['get', 'pv', pv, '--no-headers']).stdout, new RegExp(`^${pv}\\s+1Gi\\s+RWO\\s+Delete\\s+Bound\\s+csi/data\\s+csi-hostpath\\s+`));
    const spec = c.kubectl(['get', 'pv', pv, '-o', 'jsonpath={.spec.csi.driver} {.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}']).stdout;
    assert.equal(spec, `hostpath.csi.kubets.io ${node}`);
    assert.match(k(['describe', 'pvc', 'data']).stdout, new RegExp(`ProvisioningSucceeded\\s+.*Successfully provisioned volume ${pv}`));
    const handle = c.kubectl(['get', 'pv', pv, '-o', 'jsonpath={.spec.csi.volumeHandle}']).stdout;
    const data = join(c.dir, 'nodes', node, 'csi-hostpath', 'volumes', handle);
    assert.ok(existsSync(join(data, 'f')), `the file is in the driver's volume ${data}`);

    assert.equal(k(['delete', 'pod', 'writer']).code, 0);
    assert.equal(k(['apply', '-f', '-'], pod('reader', 'cat /data/f')).code, 0);
    await pollUntil('reader Succeeded', () => (phase('reader') === 'Succeeded' ? true : undefined), 60_000, 250);
    assert.equal(k(['get', 'pod', 'reader', '-o', 'jsonpath={.spec.nodeName}']).stdout, node, 'the volume is on one node only');
    assert.equal(k(['logs', 'reader']).stdout, 'persisted\n');

    assert.equal(k(['delete', 'pod', 'reader']).code, 0);
    assert.equal(k(['delete', 'pvc', 'data']).code, 0);
    await pollUntil('the volume deleted', () => (c.kubectl(['get', 'pv', pv]).code !== 0 ? true : undefined), 60_000, 250);
    assert.ok(!existsSync(data), 'DeleteVolume removed the data');
  });
});
