// The hostpath CSI driver through its gRPC socket, as a kubelet and a provisioner call it: identity,
// idempotent CreateVolume, NodePublishVolume making the target lead to the volume's data, and the
// spec's error codes for what a caller gets wrong.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { CsiCallError, CsiClient, csiAccessMode, type MountCapability } from '../../../pkg/csi/client.js';
import { HOSTPATH_DRIVER_NAME } from '../../../pkg/csi/hostpath/driver.js';
import { startCsiDriverServer, type CsiDriverServer } from '../../../pkg/csi/hostpath/server.js';

const RWO: MountCapability = { accessMode: 'SINGLE_NODE_WRITER' };

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    assert.ok(err instanceof CsiCallError, String(err));
    return grpc.status[err.code]!;
  }
}

describe('the hostpath CSI driver over gRPC', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubets-csi-'));
  let server: CsiDriverServer;
  let client: CsiClient;
  before(async () => {
    server = await startCsiDriverServer(`unix://${join(dir, 'csi.sock')}`, { nodeId: 'node-1', stateDir: join(dir, 'state') });
    client = new CsiClient(server.endpoint);
  });
  after(async () => {
    client.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('identity: its name and version, ready, and the node it serves as a topology segment', async () => {
    assert.deepEqual(await client.getPluginInfo(), { name: HOSTPATH_DRIVER_NAME, vendorVersion: '0.1.0', manifest: {} });
    assert.equal(await client.probe(), true);
    const info = await client.nodeGetInfo();
    assert.equal(info.nodeId, 'node-1');
    assert.deepEqual(info.accessibleTopology?.segments, { 'kubernetes.io/hostname': 'node-1' });
  });

  test('CreateVolume is idempotent by name; the same name with another size is ALREADY_EXISTS', async () => {
    const a = await client.createVolume({ name: 'pvc-1', requiredBytes: 2 ** 30, capability: RWO });
    const again = await client.createVolume({ name: 'pvc-1', requiredBytes: 2 ** 30, capability: RWO });
    assert.equal(again.volumeId, a.volumeId);
    assert.equal(a.capacityBytes, String(2 ** 30));
    assert.deepEqual(a.accessibleTopology.map((t) => t.segments), [{ 'kubernetes.io/hostname': 'node-1' }]);
    assert.ok(lstatSync(server.driver.dataDir(a.volumeId)).isDirectory());
    assert.equal(await code(client.createVolume({ name: 'pvc-1', requiredBytes: 2 * 2 ** 30, capability: RWO })), 'ALREADY_EXISTS');
    const other = await client.createVolume({ name: 'pvc-2', requiredBytes: 1024, capability: RWO });
    assert.notEqual(other.volumeId, a.volumeId);
  });

  test('NodePublishVolume makes the target lead to the data (again: no-op); unpublish and delete remove them', async () => {
    const v = await client.createVolume({ name: 'pvc-data', requiredBytes: 1024, capability: RWO });
    const target = join(dir, 'pods', 'uid-1', 'volumes', 'kubernetes.io~csi', 'pv-data', 'mount');
    await client.nodePublishVolume({ volumeId: v.volumeId, targetPath: target, capability: RWO, readonly: false });
    await client.nodePublishVolume({ volumeId: v.volumeId, targetPath: target, capability: RWO, readonly: false });
    writeFileSync(join(target, 'kept'), 'data');
    assert.equal(readFileSync(join(server.driver.dataDir(v.volumeId), 'kept'), 'utf8'), 'data');
    await client.nodeUnpublishVolume(v.volumeId, target);
    assert.ok(!existsSync(target));
    assert.ok(existsSync(join(server.driver.dataDir(v.volumeId), 'kept')), 'unpublishing keeps the data');
    await client.deleteVolume(v.volumeId);
    assert.ok(!existsSync(server.driver.dataDir(v.volumeId)));
    assert.equal(await code(client.deleteVolume(v.volumeId)), 'OK', 'deleting a deleted volume succeeds');
  });

  test('what a caller gets wrong: the spec\'s error codes', async () => {
    assert.equal(await code(client.createVolume({ name: '', requiredBytes: 1, capability: RWO })), 'INVALID_ARGUMENT');
    assert.equal(await code(client.nodePublishVolume({ volumeId: 'nope', targetPath: join(dir, 't'), capability: RWO, readonly: false })), 'NOT_FOUND');
    assert.equal(await code(client.nodePublishVolume({ volumeId: 'x', targetPath: '', capability: RWO, readonly: false })), 'INVALID_ARGUMENT');
    assert.equal(await code(client.deleteVolume('')), 'INVALID_ARGUMENT');
    assert.equal(await code(client.deleteVolume('../escape')), 'INVALID_ARGUMENT');
  });

  test('Kubernetes access modes map to CSI ones', () => {
    assert.equal(csiAccessMode(['ReadWriteOnce']), 'SINGLE_NODE_WRITER');
    assert.equal(csiAccessMode(['ReadOnlyMany']), 'MULTI_NODE_READER_ONLY');
    assert.equal(csiAccessMode(['ReadWriteOnce', 'ReadWriteMany']), 'MULTI_NODE_MULTI_WRITER');
  });
});
