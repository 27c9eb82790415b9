// The Endpoints and EndpointSlice controllers on a fake API: pods matching a Service's selector
// become addresses (ready or not), named target ports resolve per pod, slices hold at most
// --max-endpoints-per-slice endpoints with ready/serving/terminating conditions, a Service without
// pods keeps a placeholder slice, and selector-less Services are left to their users.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointsResource, type Endpoints } from '../../../pkg/api/core/v1/endpoints.js';
import { nodeResource } from '../../../pkg/api/core/v1/node.js';
import type { Pod } from '../../../pkg/api/core/v1/pod-types.js';
import { podResource } from '../../../pkg/api/core/v1/pod.js';
import { serviceResource, type Service } from '../../../pkg/api/core/v1/service.js';
import { endpointSliceResource, type EndpointSlice } from '../../../pkg/api/discovery/v1/endpointslice.js';
import { EndpointsController } from '../../../pkg/controller/endpoint/index.js';
import { EndpointSliceController } from '../../../pkg/controller/endpointslice/index.js';
import { mirroredSlices, shouldMirror } from '../../../pkg/controller/endpointslicemirroring/index.js';
import { FakeApi, settle } from '../../helpers/fake-api.js';

const service = (name: string, spec: Partial<NonNullable<Service['spec']>> = {}): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { team: 'web' } },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], ...spec },
});

const pod = (name: string, ip: string | undefined, extra: { ready?: boolean; port?: number; deleting?: boolean; app?: string; node?: string } = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: extra.app ?? 'web' }, ...(extra.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['example.com/hold'] } : {}) },
  spec: { nodeName: extra.node ?? 'node-1', containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: extra.port ?? 8080, protocol: 'TCP' }] }] },
  status: { phase: 'Running', ...(ip !== undefined ? { podIP: ip } : {}), conditions: [{ type: 'Ready', status: extra.ready === false ? 'False' : 'True' }] },
});

async function start<C>(api: FakeApi, make: (ctx: ReturnType<FakeApi['context']>) => C): Promise<{ c: C; stop: AbortController }> {
  return api.startController(make, { flags: { 'max-endpoints-per-slice': '2' } });
}

describe('endpoints controller', () => {
  test('ready pods under addresses, unready under notReadyAddresses, grouped by the port their named targetPort resolves to; no IP, other labels or terminating: left out', async () => {
    const api = new FakeApi();
    api.seed(serviceResource, service('web'), service('external', { selector: undefined }));
    api.seed(podResource, pod('a', '10.0.0.2'), pod('b', '10.0.0.1'), pod('c', '10.0.0.3', { ready: false }), pod('d', '10.0.0.4', { port: 9090 }), pod('e', undefined), pod('f', '10.0.0.6', { app: 'db' }), pod('g', '10.0.0.7', { deleting: true }));
    const { c, stop } = await start(api, (ctx) => new EndpointsController(ctx));
    await c.reconcile('default/web');
    await c.reconcile('default/external');
    const ep = api.peek<Endpoints>(endpointsResource, 'default', 'web')!;
    assert.deepEqual(ep.metadata?.labels, { team: 'web' });
    assert.deepEqual(
      ep.subsets?.map((s) => [s.addresses?.map((a) => a.ip), s.notReadyAddresses?.map((a) => a.ip), s.ports?.map((p) => `${p.name}:${p.port}/${p.protocol}`)]),
      [
        [['10.0.0.1', '10.0.0.2'], ['10.0.0.3'], ['http:8080/TCP']],
        [['10.0.0.4'], undefined, ['http:9090/TCP']],
      ],
    );
    assert.deepEqual(ep.subsets?.[0]?.addresses?.[0]?.targetRef, { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' });
    assert.equal(api.peek(endpointsResource, 'default', 'external'), undefined, 'a selector-less Service gets no Endpoints from the controller');
    stop.abort();
  });

  test('publishNotReadyAddresses lists every pod as ready; a deleted Service loses its Endpoints', async () => {
    const api = new FakeApi();
    api.seed(serviceResource, service('web', { publishNotReadyAddresses: true }));
    api.seed(podResource, pod('c', '10.0.0.3', { ready: false }), pod('g', '10.0.0.7', { deleting: true }));
    const { c, stop } = await start(api, (ctx) => new EndpointsController(ctx));
    await c.reconcile('default/web');
    assert.deepEqual(
      api.peek<Endpoints>(endpointsResource, 'default', 'web')!.subsets?.[0]?.addresses?.map((a) => a.ip),
      ['10.0.0.3', '10.0.0.7'],
    );
    await api.delete(serviceResource, 'default', 'web');
    await settle();
    await c.reconcile('default/web');
    assert.equal(api.peek(endpointsResource, 'default', 'web'), undefined);
    stop.abort();
  });
});

describe('endpointslice controller', () => {
  const slices = (api: FakeApi): EndpointSlice[] => api.all<EndpointSlice>(endpointSliceResource).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));

  test('endpoints with conditions, at most max-endpoints-per-slice per slice, the upstream labels and an owner reference', async () => {
    const api = new FakeApi();
    api.seed(nodeResource, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'topology.kubernetes.io/zone': 'z1' } } });
    api.seed(serviceResource, service('web'));
    api.seed(podResource, pod('a', '10.0.0.1'), pod('b', '10.0.0.2', { ready: false }), pod('c', '10.0.0.3', { deleting: true }));
    const { c, stop } = await start(api, (ctx) => new EndpointSliceController(ctx));
    await c.reconcile('default/web');
    const all = slices(api);
    assert.equal(all.length, 2, 'three endpoints, two per slice');
    for (const sl of all) {
      assert.deepEqual(sl.metadata?.labels, { team: 'web', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
      assert.deepEqual(sl.metadata?.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]), [['Service', 'web', 'uid-web', true]]);
      assert.equal(sl.addressType, 'IPv4');
      assert.deepEqual(sl.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    }
    const endpoints = all.flatMap((sl) => sl.endpoints ?? []);
    assert.deepEqual(
      endpoints.map((e) => [e.addresses?.[0], e.conditions, e.nodeName, e.zone]),
      [
        ['10.0.0.1', { ready: true, serving: true, terminating: false }, 'node-1', 'z1'],
        ['10.0.0.2', { ready: false, serving: false, terminating: false }, 'node-1', 'z1'],
        ['10.0.0.3', { ready: false, serving: true, terminating: true }, 'node-1', 'z1'],
      ],
    );
    // Nothing changed: nothing written.
    await settle();
    api.clearActions();
    await c.reconcile('default/web');
    assert.deepEqual(api.writes(), []);
    stop.abort();
  });

  test('a Service whose pods are gone keeps one empty placeholder slice; the other slices go', async () => {
    const api = new FakeApi();
    api.seed(serviceResource, service('web'));
    api.seed(podResource, pod('a', '10.0.0.1'), pod('b', '10.0.0.2'), pod('c', '10.0.0.3'));
    const { c, stop } = await start(api, (ctx) => new EndpointSliceController(ctx));
    await c.reconcile('default/web');
    await settle();
    for (const name of ['a', 'b', 'c']) await api.delete(podResource, 'default', name);
    await settle();
    await c.reconcile('default/web');
    const all = slices(api);
    assert.equal(all.length, 1);
    assert.deepEqual([all[0]!.endpoints, all[0]!.ports], [[], []]);
    stop.abort();
  });

  test('mirroring: only selector-less Services whose Endpoints do not opt out; per subset and address family, ready first, capped per subset', () => {
    const ep: Endpoints = {
      metadata: { name: 'ext', namespace: 'default' },
      subsets: [
        { addresses: [{ ip: '10.0.0.1', hostname: 'a' }, { ip: 'fd00::1' }], notReadyAddresses: [{ ip: '10.0.0.2' }], ports: [{ name: 'pg', port: 5432 }] },
        { addresses: [{ ip: '10.0.0.3' }, { ip: '10.0.0.4' }, { ip: '10.0.0.5' }], ports: [{ port: 80, protocol: 'UDP' }] },
      ],
    };
    assert.equal(shouldMirror({ spec: {} }, ep), true);
    assert.equal(shouldMirror({ spec: { selector: { app: 'x' } } }, ep), false, 'the endpoints controller owns those');
    assert.equal(shouldMirror({ spec: {} }, { ...ep, metadata: { ...ep.metadata, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } } }), false);
    assert.equal(shouldMirror(undefined, ep), false);
    const slices = mirroredSlices(ep, 2).map((sl) => `${sl.addressType ?? ''} ${sl.ports.map((p) => `${p.name ?? ''}:${p.port ?? ''}/${p.protocol ?? ''}`).join()} ${sl.endpoints.map((e) => `${e.addresses?.[0] ?? ''}=${String(e.conditions?.ready)}${e.hostname ? `(${e.hostname})` : ''}`).join(' ')}`);
    assert.deepEqual(slices, ['IPv4 pg:5432/TCP 10.0.0.1=true(a)', 'IPv6 pg:5432/TCP fd00::1=true', 'IPv4 :80/UDP 10.0.0.3=true 10.0.0.4=true']);
  });
});
