// The default/kubernetes Service and its endpoints follow the live apiservers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer, type TestCluster } from '../../helpers/apiserver.js';

// Documentation addresses (RFC 5737): published as data only, never contacted.
const A = '192.0.2.10';
const B = '192.0.2.11';

async function endpointIPs(c: TestCluster): Promise<string[]> {
  const res = await c.request('GET', '/api/v1/namespaces/default/endpoints/kubernetes');
  if (res.status !== 200) return [];
  const subsets = ((res.body as { subsets?: { addresses: { ip: string }[] }[] }).subsets ?? []);
  return subsets.flatMap((s) => s.addresses.map((a) => a.ip)).sort();
}

async function eventually(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the kubernetes Service', () => {
  let a: TestCluster;
  let b: TestCluster;
  before(async () => {
    a = await startApiServer({ advertiseAddress: A });
    b = await startApiServer({ etcd: a.etcd, advertiseAddress: B });
  });
  after(async () => {
    await a.stop();
  });

  test('exists with the first ClusterIP of the range and port 443', async () => {
    const svc = (await a.request('GET', '/api/v1/namespaces/default/services/kubernetes')).body as { spec: { clusterIP: string; ports: { name: string; port: number }[] } };
    assert.equal(svc.spec.clusterIP, '10.96.0.1');
    assert.deepEqual(svc.spec.ports.map((p) => [p.name, p.port]), [['https', 443]]);
  });

  test('its endpoints list every live apiserver, and one that stops leaves them', async () => {
    await eventually(async () => (await endpointIPs(a)).join() === [A, B].join());
    const sliceIPs = async (): Promise<string> => {
      const slice = (await a.request('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes')).body as { endpoints?: { addresses: string[] }[] };
      return (slice.endpoints ?? []).map((e) => e.addresses[0]).sort().join();
    };
    await eventually(async () => (await sliceIPs()) === [A, B].join());
    await b.stop();
    await eventually(async () => (await endpointIPs(a)).join() === A);
    await eventually(async () => (await sliceIPs()) === A);
  });
});
