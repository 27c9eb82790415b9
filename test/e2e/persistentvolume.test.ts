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
});
