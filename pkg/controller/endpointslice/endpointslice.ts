// EndpointSlice controller (upstream's endpointslice-controller): for every Service with a
// selector, EndpointSlices owned by it (kubernetes.io/service-name, managed-by
// endpointslice-controller.k8s.io) holding one endpoint per matching pod with its ready, serving
// and terminating conditions, node, zone and hostname; pods whose named target ports resolve to
// different numbers go to different slices; at most --max-endpoints-per-slice (100) per slice. A
// Service without endpoints keeps one empty placeholder slice. Slices are reused in name order so a
// small change rewrites few of them.
import type { Logger } from 'pino';
import type { Node } from '../../api/core/v1/node.js';
import { nodeResource } from '../../api/core/v1/node.js';
import type { Pod } from '../../api/core/v1/pod-types.js';
import { podResource } from '../../api/core/v1/pod.js';
import type { Service } from '../../api/core/v1/service.js';
import { serviceResource } from '../../api/core/v1/service.js';
import type { Endpoint, EndpointPort, EndpointSlice } from '../../api/discovery/v1/endpointslice.js';
import { endpointSliceResource } from '../../api/discovery/v1/endpointslice.js';
import { selectorFromSet } from '../../api/selectors/labels.js';
import type { Lister } from '../../client/informer/lister.js';
import type { SharedIndexInformer } from '../../client/informer/shared-informer.js';
import { metaNamespaceKey, splitMetaNamespaceKey, unwrapTombstone, type DeepReadonly } from '../../client/informer/store.js';
import {
  canonicalJson,
  controllerRefOf,
  enqueueServicesOnPodChange,
  hasSelectorEndpoints,
  isConflict,
  isNotFound,
  isPodReady,
  newControllerRef,
  podPorts,
  podsOfService,
  ReconcileLoop,
  shouldPodBeInEndpoints,
  type Controller,
  type ControllerContext,
  type ControllerDefinition,
  type ObjectClient,
  type Reconciler,
} from '../framework/index.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
const HEADLESS_LABEL = 'service.kubernetes.io/headless';
const ZONE_LABEL = 'topology.kubernetes.io/zone';
const SERVICE_KIND = { apiVersion: 'v1', kind: 'Service' } as const;

type ServiceView = DeepReadonly<Service>;
type PodView = DeepReadonly<Pod>;
type SliceView = DeepReadonly<EndpointSlice>;

export interface DesiredGroup {
  readonly ports: EndpointPort[];
  readonly endpoints: Endpoint[];
}

/** The endpoints a Service's pods make, grouped by the ports they resolve to (each group sorted by address). */
export function desiredEndpoints(svc: ServiceView, pods: readonly PodView[], zoneOf: (node: string) => string | undefined): DesiredGroup[] {
  const groups = new Map<string, DesiredGroup>();
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  for (const p of pods) {
    // Terminating pods stay, marked so: proxies may drain them (serving) without sending new traffic.
    if (!shouldPodBeInEndpoints(p, true)) continue;
    const resolved = podPorts(svc, p);
    if (resolved === undefined) continue;
    const ports: EndpointPort[] = resolved.map((r) => ({ ...r }));
    const terminating = p.metadata?.deletionTimestamp !== undefined;
    const serving = publishNotReady || isPodReady(p);
    const node = p.spec?.nodeName;
    const zone = node ? zoneOf(node) : undefined;
    const endpoint: Endpoint = {
      addresses: [p.status!.podIP!],
      conditions: { ready: serving && !terminating, serving, terminating },
      ...(p.spec?.hostname && p.spec.subdomain === svc.metadata?.name ? { hostname: p.spec.hostname } : {}),
      targetRef: { kind: 'Pod', namespace: p.metadata?.namespace ?? '', name: p.metadata?.name ?? '', uid: p.metadata?.uid ?? '' },
      ...(node ? { nodeName: node } : {}),
      ...(zone ? { zone } : {}),
    };
    const key = canonicalJson(ports);
    const g = groups.get(key) ?? { ports, endpoints: [] };
    groups.set(key, g);
    g.endpoints.push(endpoint);
  }
  for (const g of groups.values()) g.endpoints.sort((a, b) => (a.addresses?.[0] ?? '').localeCompare(b.addresses?.[0] ?? '') || (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? ''));
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, g]) => g);
}

/** A slice a controller manages changed or was deleted by someone else: its Service is synced again, to put it right. */
export function enqueueServiceOfSlice(informer: SharedIndexInformer<EndpointSlice>, managedBy: string, loop: ReconcileLoop): void {
  const onSlice = (sl: SliceView): void => {
    const svc = sl.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (sl.metadata?.labels?.[MANAGED_BY_LABEL] === managedBy && svc) loop.enqueue(`${sl.metadata?.namespace ?? ''}/${svc}`);
  };
  informer.addEventHandler({ onUpdate: (_o, sl) => onSlice(sl), onDelete: (sl) => onSlice(unwrapTombstone(sl)) });
}

/** The slices of a Service that a controller manages, in name order. */
export function slicesOf(slices: Lister<EndpointSlice>, namespace: string, service: string, managedBy: string): SliceView[] {
  return slices
    .namespace(namespace)
    .list(selectorFromSet({ [SERVICE_NAME_LABEL]: service, [MANAGED_BY_LABEL]: managedBy }))
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

/** The endpoints and ports one slice should hold (its address type too, when not IPv4). */
export interface WantedSlice {
  readonly ports: EndpointPort[];
  readonly endpoints: Endpoint[];
  readonly addressType?: string;
}

/**
 * Brings a controller's slices to `wanted`: existing slices with the same ports (and address type)
 * are reused first, in name order, then any other; the rest are created; slices left over are
 * deleted (uid-guarded). A slice whose endpoints, ports, labels and annotations already match is not
 * written. Returns how many slices were created.
 */
export async function syncSlices(
  client: ObjectClient,
  namespace: string,
  existing: readonly SliceView[],
  wanted: readonly WantedSlice[],
  build: (slice: SliceView | undefined, w: WantedSlice) => EndpointSlice,
): Promise<number> {
  const free = [...existing];
  const shape = (ports: readonly unknown[], addressType: string | undefined): string => canonicalJson([ports, addressType ?? 'IPv4']);
  const take = (w: WantedSlice): SliceView | undefined => {
    const i = free.findIndex((sl) => shape(sl.ports ?? [], sl.addressType) === shape(w.ports, w.addressType));
    return i >= 0 ? free.splice(i, 1)[0] : undefined;
  };
  const plan = wanted.map((w) => ({ w, slice: take(w) }));
  for (const p of plan) if (p.slice === undefined) p.slice = free.shift();
  let created = 0;
  for (const { w, slice } of plan) {
    const body = build(slice, w);
    if (
      slice !== undefined &&
      slice.addressType === body.addressType &&
      canonicalJson(slice.endpoints ?? []) === canonicalJson(body.endpoints ?? []) &&
      canonicalJson(slice.ports ?? []) === canonicalJson(body.ports ?? []) &&
      canonicalJson(slice.metadata?.labels ?? {}) === canonicalJson(body.metadata?.labels ?? {}) &&
      canonicalJson(slice.metadata?.annotations ?? {}) === canonicalJson(body.metadata?.annotations ?? {})
    ) {
      continue;
    }
    if (slice === undefined) {
      await client.create<EndpointSlice>(endpointSliceResource, namespace, body);
      created++;
    } else {
      await client.update<EndpointSlice>(endpointSliceResource, body);
    }
  }
  for (const sl of free) {
    await client.delete(endpointSliceResource, namespace, sl.metadata?.name ?? '', { preconditions: { uid: sl.metadata?.uid ?? '' } }).catch((err: unknown) => {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    });
  }
  return created;
}

export class EndpointSliceController implements Controller, Reconciler {
  readonly loop: ReconcileLoop;
  private readonly services: Lister<Service>;
  private readonly pods: Lister<Pod>;
  private readonly nodes: Lister<Node>;
  private readonly slices: Lister<EndpointSlice>;
  private readonly client: ObjectClient;
  private readonly log: Logger;
  private readonly maxPerSlice: number;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.log = ctx.log;
    this.maxPerSlice = Number(ctx.flag('max-endpoints-per-slice'));
    if (!Number.isInteger(this.maxPerSlice) || this.maxPerSlice < 1 || this.maxPerSlice > 1000) throw new Error(`endpointslice-controller: --max-endpoints-per-slice must be from 1 to 1000, not ${JSON.stringify(ctx.flag('max-endpoints-per-slice'))}`);
    this.loop = new ReconcileLoop({ name: 'endpointslice', reconciler: this, workers: ctx.workers, clock: ctx.clock, log: ctx.log });
    const svcInformer = ctx.informers.forResource<Service>(serviceResource);
    const podInformer = ctx.informers.forResource<Pod>(podResource);
    const sliceInformer = ctx.informers.forResource<EndpointSlice>(endpointSliceResource);
    this.services = svcInformer.lister();
    this.pods = podInformer.lister();
    this.nodes = ctx.informers.forResource<Node>(nodeResource).lister();
    this.slices = sliceInformer.lister();
    svcInformer.addEventHandler({ onAdd: (s) => this.loop.enqueueObject(s), onUpdate: (_o, s) => this.loop.enqueueObject(s) });
    enqueueServicesOnPodChange(podInformer, this.services, this.loop);
    enqueueServiceOfSlice(sliceInformer, MANAGED_BY, this.loop);
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal);
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const svc = this.services.namespace(namespace).get(name);
    // A deleted Service's slices go with it (owner references); a selector-less one has none of ours.
    if (svc === undefined || !hasSelectorEndpoints(svc)) return;
    const existing = slicesOf(this.slices, namespace, name, MANAGED_BY).filter((sl) => controllerRefOf(sl)?.uid === svc.metadata?.uid);
    const groups = desiredEndpoints(svc, podsOfService(this.pods, svc), (n) => this.nodes.get(n)?.metadata?.labels?.[ZONE_LABEL]);
    // No endpoints: one placeholder slice, so consumers can tell "none" from "not yet computed".
    const wanted: WantedSlice[] = [];
    for (const g of groups) for (let i = 0; i < g.endpoints.length; i += this.maxPerSlice) wanted.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + this.maxPerSlice) });
    if (wanted.length === 0) wanted.push({ ports: [], endpoints: [] });
    const labels: Record<string, string> = { ...svc.metadata?.labels, [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: MANAGED_BY };
    if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
    else delete labels[HEADLESS_LABEL];

    const created = await syncSlices(this.client, namespace, existing, wanted, (slice, w) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: slice === undefined ? { generateName: `${name}-`, namespace, labels, ownerReferences: [newControllerRef(svc, SERVICE_KIND)] } : { ...(structuredClone(slice.metadata) as EndpointSlice['metadata']), labels },
      addressType: 'IPv4',
      endpoints: w.endpoints,
      ports: w.ports,
    }));
    if (created > 0) this.log.debug({ service: metaNamespaceKey(svc), slices: wanted.length, created }, 'endpoint slices created');
  }
}

export const endpointSliceControllerDefinition: ControllerDefinition = {
  name: 'endpointslice-controller',
  aliases: ['endpointslice'],
  workers: { flag: 'concurrent-service-endpoint-syncs', default: 5 },
  flags: { 'max-endpoints-per-slice': { default: '100', usage: 'the most endpoints in one EndpointSlice' } },
  create: (ctx) => new EndpointSliceController(ctx),
};
