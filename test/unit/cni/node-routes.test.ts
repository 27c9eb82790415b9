import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../../../pkg/api/core/v1/node.js';
import { desiredPodRoutes, ownPodCidr } from '../../../pkg/cni/node-routes.js';
import { parseCniFlags } from '../../../pkg/cni/run.js';
import { BridgeBackend } from '../../../pkg/cni/bridge.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const node = (name: string, ip: string | undefined, podCIDRs?: string[]): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  spec: podCIDRs !== undefined ? { podCIDR: podCIDRs[0], podCIDRs } : {},
  status: ip !== undefined ? { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] } : {},
});

describe('routes between nodes\' pod ranges', () => {
  test('every other node\'s IPv4 pod range is routed through its InternalIP', () => {
    const nodes = [node('a', '172.18.0.7', ['10.244.0.0/24']), node('b', '172.18.0.8', ['10.244.1.0/24', 'fd00:10:244:1::/64']), node('c', '172.18.0.9', ['10.244.2.0/24'])];
    assert.deepEqual(desiredPodRoutes(nodes, 'a'), [
      { dst: '10.244.1.0/24', via: '172.18.0.8' },
      { dst: '10.244.2.0/24', via: '172.18.0.9' },
    ]);
    assert.equal(ownPodCidr(nodes, 'b'), '10.244.1.0/24');
  });

  test('a node with no range yet, no address, this node\'s address or loopback (nodes on one host) gets no route', () => {
    const nodes = [node('a', '172.18.0.7', ['10.244.0.0/24']), node('fresh', '172.18.0.8'), node('nameless', undefined, ['10.244.3.0/24']), node('same-host', '172.18.0.7', ['10.244.4.0/24']), node('local', '127.0.0.1', ['10.244.5.0/24'])];
    assert.deepEqual(desiredPodRoutes(nodes, 'a'), []);
    assert.equal(ownPodCidr(nodes, 'fresh'), undefined);
    assert.equal(ownPodCidr(nodes, 'missing'), undefined);
  });
});

describe('the CNI service\'s pod range', () => {
  test('comes from --pod-cidr, or from the Node named by --node-name, which needs the apiserver', () => {
    assert.equal(parseCniFlags(['--listen', 'unix:///c.sock', '--pod-cidr', '10.244.1.0/24']).podCidr, '10.244.1.0/24');
    const fromNode = parseCniFlags(['--listen', 'unix:///c.sock', '--node-name', 'n1', '--master', 'http://lb:6443']);
    assert.equal(fromNode.podCidr, '');
    assert.equal(fromNode.nodeName, 'n1');
    assert.throws(() => parseCniFlags(['--listen', 'unix:///c.sock']), /--pod-cidr is required unless --node-name/);
    assert.throws(() => parseCniFlags(['--listen', 'unix:///c.sock', '--node-name', 'n1']), /--node-name needs the apiserver/);
  });

  test('until the bridge backend has a range, it is not ready and an ADD is to be tried again later (CNI code 11)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubets-cni-'));
    try {
      const backend = new BridgeBackend({ bridge: 'kbtest0', stateDir: dir });
      assert.deepEqual(await backend.status(), { ready: false, message: 'this node has no pod range (spec.podCIDR) yet' });
      await assert.rejects(backend.add({ containerId: 'c1', netns: '/var/run/netns/x', ifname: 'eth0', args: {} }), (err: Error & { code?: number }) => err.code === 11 && /no pod range/.test(err.message));
      backend.setPodCidr('10.244.9.0/24');
      assert.equal((await backend.status()).message.includes('no pod range'), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
