// Two apiservers on one etcd never hand out the same ClusterIP or NodePort.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer, type TestCluster } from '../../helpers/apiserver.js';

describe('ClusterIP and NodePort allocation', () => {
  let a: TestCluster;
  let b: TestCluster;
  before(async () => {
    a = await startApiServer();
    b = await startApiServer({ etcd: a.etcd });
  });
  after(async () => {
    await b.stop();
    await a.stop();
  });

  test('services created concurrently through two apiservers get distinct ClusterIPs and NodePorts in range', async () => {
    const svc = (i: number): object => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `svc-${i}` },
      spec: { type: 'NodePort', selector: { app: 'x' }, ports: [{ port: 80 }] },
    });
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a : b).request('POST', '/api/v1/namespaces/default/services', svc(i))));
    for (const r of results) assert.equal(r.status, 201, r.text);
    const specs = results.map((r) => (r.body as { spec: { clusterIP: string; ports: { nodePort: number }[] } }).spec);
    const ips = specs.map((s) => s.clusterIP);
    const ports = specs.map((s) => s.ports[0]!.nodePort);
    assert.equal(new Set(ips).size, ips.length);
    assert.equal(new Set(ports).size, ports.length);
    for (const ip of ips) assert.match(ip, /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    for (const p of ports) assert.ok(p >= 30000 && p <= 32767);
  });

  test('a requested ClusterIP already in use is refused, and a deleted service frees its IP', async () => {
    const first = await a.request('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'fixed' }, spec: { clusterIP: '10.96.100.100', ports: [{ port: 80 }] } });
    assert.equal(first.status, 201, first.text);
    const clash = await b.request('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'fixed-2' }, spec: { clusterIP: '10.96.100.100', ports: [{ port: 80 }] } });
    assert.equal(clash.status, 422);
    assert.match((clash.body as { message: string }).message, /provided IP is already allocated/);
    assert.equal((await a.request('DELETE', '/api/v1/namespaces/default/services/fixed')).status, 200);
    const reuse = await b.request('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'fixed-3' }, spec: { clusterIP: '10.96.100.100', ports: [{ port: 80 }] } });
    assert.equal(reuse.status, 201, reuse.text);
  });
});
