// EndpointSlice mirroring controller (upstream's endpointslice-mirroring-controller): a Service
// without a selector has the Endpoints its user writes; this mirrors them into EndpointSlices
// (managed-by endpointslicemirroring-controller.k8s.io, owned by the Endpoints) so that consumers
// of slices see them too. Addresses become ready endpoints, notReadyAddresses unready ones; each
// subset's ports make their own slices, IPv4 and IPv6 apart, at most
// --mirroring-max-endpoints-per-subset addresses per subset. Endpoints labelled
// endpointslice.kubernetes.io/skip-mirror=true, and leader-election Endpoints, are not mirrored.
import { isIPv4 } from 'node:net';
import type { Endpoints } from '../../api/core/v1/endpoints.js';
import { endpointsResource } from '../../api/core/v1/endpoints.js';
import type { Service } from '../../api/core/v1/service.js';
import { serviceResource } from '../../api/core/v1/service.js';
import type { Endpoint, EndpointPort, EndpointSlice } from '../../api/discovery/v1/endpointslice.js';
import { endpointSliceResource } from '../../api/discovery/v1/endpointslice.js';
import type { Lister } from '../../client/informer/lister.js';
import { splitMetaNamespaceKey, unwrapTombstone, type DeepReadonly } from '../../client/informer/store.js';
import { canonicalJson, controllerRefOf, newControllerRef, ReconcileLoop, type Controller, type ControllerContext, type ControllerDefinition, type ObjectClient, type Reconciler } from '../framework/index.js';
import { enqueueServiceOfSlice, MANAGED_BY_LABEL, SERVICE_NAME_LABEL, slicesOf, syncSlices, type WantedSlice } from '../endpointslice/index.js';

export const MIRRORING_MANAGED_BY = 'endpointslicemirroring-controller.k8s.io';
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';
/** Annotations of the Endpoints not copied to the slices (upstream leaves these two out). */
const UNCOPIED_ANNOTATIONS = ['endpoints.kubernetes.io/last-change-trigger-time', 'kubectl.kubernetes.io/last-applied-configuration'];
const ENDPOINTS_KIND = { apiVersion: 'v1', kind: 'Endpoints' } as const;

type EndpointsView = DeepReadonly<Endpoints>;
type ServiceView = DeepReadonly<Service>;

/** Whether a Service's Endpoints are mirrored: the Service exists without a selector, the Endpoints do not opt out. */
export function shouldMirror(svc: ServiceView | undefined, ep: EndpointsView | undefined): boolean {
  if (svc === undefined || ep === undefined) return false;
  if (svc.spec?.selector !== undefined && svc.spec.selector !== null) return false;
  if (ep.metadata?.labels?.[SKIP_MIRROR_LABEL] === 'true') return false;
  return ep.metadata?.annotations?.[LEADER_ANNOTATION] === undefined;
}

/** The slices the Endpoints make: per subset and address family, by ports, ready addresses first. */
export function mirroredSlices(ep: EndpointsView, maxPerSubset: number): WantedSlice[] {
  const groups = new Map<string, WantedSlice>();
  for (const subset of ep.subsets ?? []) {
    const ports: EndpointPort[] = (subset.ports ?? []).map((p) => ({
      ...(p.name !== undefined ? { name: p.name } : {}),
      ...(p.port !== undefined ? { port: p.port } : {}),
      protocol: p.protocol ?? 'TCP',
      ...(p.appProtocol !== undefined ? { appProtocol: p.appProtocol } : {}),
    }));
    const addresses = [...(subset.addresses ?? []).map((a) => ({ a, ready: true })), ...(subset.notReadyAddresses ?? []).map((a) => ({ a, ready: false }))].slice(0, maxPerSubset);
    for (const { a, ready } of addresses) {
      const addressType = isIPv4(a.ip ?? '') ? 'IPv4' : 'IPv6';
      const endpoint: Endpoint = {
        addresses: [a.ip ?? ''],
        conditions: { ready },
        ...(a.hostname ? { hostname: a.hostname } : {}),
        ...(a.targetRef !== undefined ? { targetRef: structuredClone(a.targetRef) as Endpoint['targetRef'] } : {}),
        ...(a.nodeName ? { nodeName: a.nodeName } : {}),
      };
      const key = canonicalJson([addressType, ports]);
      const g = groups.get(key) ?? { ports, endpoints: [], addressType };
      groups.set(key, g);
      g.endpoints.push(endpoint);
    }
  }
  const out: WantedSlice[] = [];
  for (const g of groups.values()) for (let i = 0; i < g.endpoints.length; i += maxPerSubset) out.push({ ...g, endpoints: g.endpoints.slice(i, i + maxPerSubset) });
  return out;
}

export class EndpointSliceMirroringController implements Controller, Reconciler {
  readonly loop: ReconcileLoop;
  private readonly services: Lister<Service>;
  private readonly endpoints: Lister<Endpoints>;
  private readonly slices: Lister<EndpointSlice>;
  private readonly client: ObjectClient;
  private readonly maxPerSubset: number;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.maxPerSubset = Number(ctx.flag('mirroring-max-endpoints-per-subset'));
    if (!Number.isInteger(this.maxPerSubset) || this.maxPerSubset < 1 || this.maxPerSubset > 1000) {
      throw new Error(`endpointslice-mirroring-controller: --mirroring-max-endpoints-per-subset must be from 1 to 1000, not ${JSON.stringify(ctx.flag('mirroring-max-endpoints-per-subset'))}`);
    }
    this.loop = new ReconcileLoop({ name: 'endpoint_slice_mirroring', reconciler: this, workers: ctx.workers, clock: ctx.clock, log: ctx.log });
    const svcInformer = ctx.informers.forResource<Service>(serviceResource);
    const epInformer = ctx.informers.forResource<Endpoints>(endpointsResource);
    const sliceInformer = ctx.informers.forResource<EndpointSlice>(endpointSliceResource);
    this.services = svcInformer.lister();
    this.endpoints = epInformer.lister();
    this.slices = sliceInformer.lister();
    const enqueue = (o: { metadata?: { namespace?: string; name?: string } }): void => this.loop.enqueue(`${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`);
    svcInformer.addEventHandler({ onAdd: enqueue, onUpdate: (_o, s) => enqueue(s), onDelete: (s) => enqueue(unwrapTombstone(s)) });
    epInformer.addEventHandler({ onAdd: enqueue, onUpdate: (_o, e) => enqueue(e), onDelete: (e) => enqueue(unwrapTombstone(e)) });
    enqueueServiceOfSlice(sliceInformer, MIRRORING_MANAGED_BY, this.loop);
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal);
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const svc = this.services.namespace(namespace).get(name);
    const ep = this.endpoints.namespace(namespace).get(name);
    const existing = slicesOf(this.slices, namespace, name, MIRRORING_MANAGED_BY);
    const mirror = shouldMirror(svc, ep);
    // Slices of an earlier Endpoints of that name (another uid) are replaced like any other.
    const ours = existing.filter((sl) => mirror && controllerRefOf(sl)?.uid === ep?.metadata?.uid);
    const stale = existing.filter((sl) => !ours.includes(sl));
    // Slices that no longer mirror anything (the Service got a selector, the Endpoints went) go.
    await syncSlices(this.client, namespace, stale, [], () => {
      throw new Error('no slice is built when none is wanted');
    });
    if (!mirror || ep === undefined) return;
    const labels: Record<string, string> = { ...ep.metadata?.labels, [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: MIRRORING_MANAGED_BY };
    const annotations: Record<string, string> = { ...ep.metadata?.annotations };
    for (const a of UNCOPIED_ANNOTATIONS) delete annotations[a];
    const meta = { labels, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) };
    await syncSlices(this.client, namespace, ours, mirroredSlices(ep, this.maxPerSubset), (slice, w) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: slice === undefined ? { generateName: `${name}-`, namespace, ...meta, ownerReferences: [newControllerRef(ep, ENDPOINTS_KIND)] } : { ...(structuredClone(slice.metadata) as EndpointSlice['metadata']), ...meta },
      addressType: w.addressType ?? 'IPv4',
      endpoints: w.endpoints,
      ports: w.ports,
    }));
  }
}

export const endpointSliceMirroringControllerDefinition: ControllerDefinition = {
  name: 'endpointslice-mirroring-controller',
  aliases: ['endpointslicemirroring'],
  workers: { flag: 'mirroring-concurrent-service-endpoint-syncs', default: 5 },
  flags: { 'mirroring-max-endpoints-per-subset': { default: '1000', usage: 'the most addresses of one Endpoints subset mirrored into EndpointSlices' } },
  create: (ctx) => new EndpointSliceMirroringController(ctx),
};
