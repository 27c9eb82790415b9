import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeResource, type Node } from '../../../pkg/api/core/v1/node.js';
import { nextFreeSubnet, NodeIpamController, parseIpv4Cidr } from '../../../pkg/controller/nodeipam/index.js';
import { FakeApi } from '../../helpers/fake-api.js';

const FLAGS = { 'allocate-node-cidrs': 'true', 'cluster-cidr': '10.244.0.0/16', 'node-cidr-mask-size': '24' };

async function controller(api: FakeApi, flags: Record<string, string> = FLAGS): Promise<{ c: NodeIpamController; stop: AbortController }> {
  const { c, stop } = await api.startController((ctx) => new NodeIpamController(ctx), { flags });
  return { c, stop };
}

const node = (name: string, podCIDR?: string): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} });

describe('node IPAM', () => {
  test('the first free /24 of the cluster range, skipping ranges in use', () => {
    const cluster = parseIpv4Cidr('10.244.0.0/16')!;
    assert.equal(nextFreeSubnet(cluster, 24, new Set()), '10.244.0.0/24');
    assert.equal(nextFreeSubnet(cluster, 24, new Set(['10.244.0.0/24', '10.244.1.0/24'])), '10.244.2.0/24');
    const tiny = parseIpv4Cidr('10.0.0.0/23')!;
    assert.equal(nextFreeSubnet(tiny, 24, new Set(['10.0.0.0/24', '10.0.1.0/24'])), undefined);
    assert.equal(parseIpv4Cidr('10.244.7.9/16')?.base, parseIpv4Cidr('10.244.0.0/16')?.base);
  });

  test('nodes without a range get distinct ones; a node that has one keeps it', async () => {
    const api = new FakeApi();
    api.seed(nodeResource, node('a', '10.244.0.0/24'), node('b'), node('c'));
    const { c, stop } = await controller(api);
    await c.reconcile('b');
    await new Promise((r) => setTimeout(r, 10));
    await c.reconcile('c');
    await c.reconcile('a');
    const ranges = api.all<Node>(nodeResource).map((n) => `${n.metadata!.name}=${n.spec?.podCIDR}`).sort();
    assert.deepEqual(ranges, ['a=10.244.0.0/24', 'b=10.244.1.0/24', 'c=10.244.2.0/24']);
    assert.deepEqual(api.peek<Node>(nodeResource, '', 'b')!.spec!.podCIDRs, ['10.244.1.0/24']);
    stop.abort();
  });

  test('a full cluster range is a CIDRNotAvailable event; without --allocate-node-cidrs nothing is touched', async () => {
    const api = new FakeApi();
    api.seed(nodeResource, node('a', '10.0.0.0/24'), node('b'));
    const { c, stop } = await controller(api, { ...FLAGS, 'cluster-cidr': '10.0.0.0/24' });
    await c.reconcile('b');
    assert.equal(api.peek<Node>(nodeResource, '', 'b')!.spec?.podCIDR, undefined);
    assert.deepEqual(api.events.map((e) => e.reason), ['CIDRNotAvailable']);
    stop.abort();
    const quiet = new FakeApi();
    quiet.seed(nodeResource, node('b'));
    const off = await controller(quiet, { ...FLAGS, 'allocate-node-cidrs': 'false' });
    await off.c.reconcile('b');
    assert.deepEqual(quiet.writes(), []);
    off.stop.abort();
  });
});
