// Endpoints controller (upstream's endpoints-controller): for every Service with a selector, an
// Endpoints object of the same name listing the matching pods — ready ones under addresses, the
// others under notReadyAddresses (all ready with publishNotReadyAddresses), each with the ports its
// pod offers for the Service's ports (a named targetPort resolved per pod), addresses that share
// ports packed into one subset. Selector-less Services keep the Endpoints their users write.
import type { Logger } from 'pino';
import type { EndpointAddress, EndpointPort, Endpoints, EndpointSubset } from '../../api/core/v1/endpoints.js';
import { endpointsResource } from '../../api/core/v1/endpoints.js';
import type { Pod } from '../../api/core/v1/pod-types.js';
import { podResource } from '../../api/core/v1/pod.js';
import type { Service } from '../../api/core/v1/service.js';
import { serviceResource } from '../../api/core/v1/service.js';
import type { Lister } from '../../client/informer/lister.js';
import { splitMetaNamespaceKey, type DeepReadonly } from '../../client/informer/store.js';
import {
  canonicalJson,
  endpointReady,
  enqueueServicesOnPodChange,
  hasSelectorEndpoints,
  isAlreadyExists,
  isConflict,
  isNotFound,
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

/** Upstream's maxCapacity: an Endpoints object lists at most this many addresses. */
export const MAX_ENDPOINT_ADDRESSES = 1000;
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

type ServiceView = DeepReadonly<Service>;
type PodView = DeepReadonly<Pod>;

/** The subsets a Service's pods make: addresses grouped by the ports they offer, sorted. */
export function endpointSubsets(svc: ServiceView, pods: readonly PodView[]): EndpointSubset[] {
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  for (const p of pods) {
    if (!shouldPodBeInEndpoints(p, publishNotReady)) continue;
    const address: EndpointAddress = {
      ip: p.status!.podIP!,
      ...(p.spec?.nodeName ? { nodeName: p.spec.nodeName } : {}),
      targetRef: { kind: 'Pod', namespace: p.metadata?.namespace ?? '', name: p.metadata?.name ?? '', uid: p.metadata?.uid ?? '' },
      ...(p.spec?.hostname && p.spec.subdomain === svc.metadata?.name ? { hostname: p.spec.hostname } : {}),
    };
    const resolved = podPorts(svc, p);
    if (resolved === undefined) continue;
    // Endpoints leave an unnamed port's name out.
    const ports: EndpointPort[] = resolved.map(({ name: portName, ...rest }) => ({ ...(portName ? { name: portName } : {}), ...rest }));
    const key = canonicalJson(ports);
    const g = groups.get(key) ?? { ports, ready: [], notReady: [] };
    groups.set(key, g);
    (endpointReady(p, svc) ? g.ready : g.notReady).push(address);
  }
  const byIp = (a: EndpointAddress, b: EndpointAddress): number => a.ip!.localeCompare(b.ip!) || (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? '');
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, g]) => ({
      ...(g.ready.length > 0 ? { addresses: g.ready.sort(byIp) } : {}),
      ...(g.notReady.length > 0 ? { notReadyAddresses: g.notReady.sort(byIp) } : {}),
      ...(g.ports.length > 0 ? { ports: g.ports } : {}),
    }));
}

/** Keeps the first MAX_ENDPOINT_ADDRESSES addresses, ready ones first; true when some were cut. */
function truncate(subsets: EndpointSubset[]): boolean {
  let total = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);
  if (total <= MAX_ENDPOINT_ADDRESSES) return false;
  for (const field of ['notReadyAddresses', 'addresses'] as const) {
    for (const s of [...subsets].reverse()) {
      const list = s[field];
      if (list === undefined || total <= MAX_ENDPOINT_ADDRESSES) continue;
      const cut = Math.min(list.length, total - MAX_ENDPOINT_ADDRESSES);
      list.splice(list.length - cut, cut);
      total -= cut;
      if (list.length === 0) delete s[field];
    }
  }
  return true;
}

export class EndpointsController implements Controller, Reconciler {
  readonly loop: ReconcileLoop;
  private readonly services: Lister<Service>;
  private readonly pods: Lister<Pod>;
  private readonly endpoints: Lister<Endpoints>;
  private readonly client: ObjectClient;
  private readonly log: Logger;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.log = ctx.log;
    this.loop = new ReconcileLoop({ name: 'endpoints', reconciler: this, workers: ctx.workers, clock: ctx.clock, log: ctx.log });
    const svcInformer = ctx.informers.forResource<Service>(serviceResource);
    const podInformer = ctx.informers.forResource<Pod>(podResource);
    const epInformer = ctx.informers.forResource<Endpoints>(endpointsResource);
    this.services = svcInformer.lister();
    this.pods = podInformer.lister();
    this.endpoints = epInformer.lister();
    svcInformer.addEventHandler({ onAdd: (s) => this.loop.enqueueObject(s), onUpdate: (_o, s) => this.loop.enqueueObject(s), onDelete: (s) => this.loop.enqueueObject(s) });
    enqueueServicesOnPodChange(podInformer, this.services, this.loop);
    // Endpoints deleted under a Service with a selector: made again. (Only Service and pod events
    // otherwise: an Endpoints written before its Service must not be taken for a leftover.)
    epInformer.addEventHandler({ onDelete: (e) => this.loop.enqueueObject(e) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal);
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const svc = this.services.namespace(namespace).get(name);
    const current = this.endpoints.namespace(namespace).get(name);
    if (svc === undefined) {
      // The Service is gone: so are its Endpoints (selector-less ones were the user's and stay only while the Service does).
      if (current !== undefined) {
        await this.client.delete(endpointsResource, namespace, name, { preconditions: { uid: current.metadata?.uid ?? '' } }).catch((err: unknown) => {
          if (!isNotFound(err) && !isConflict(err)) throw err;
        });
      }
      return;
    }
    if (!hasSelectorEndpoints(svc)) return;
    const subsets = endpointSubsets(svc, podsOfService(this.pods, svc));
    const truncated = truncate(subsets);
    const labels: Record<string, string> = { ...svc.metadata?.labels };
    if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
    else delete labels[HEADLESS_LABEL];
    const annotations: Record<string, string> = { ...current?.metadata?.annotations };
    if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
    else delete annotations[OVER_CAPACITY_ANNOTATION];
    const same = current !== undefined && canonicalJson(current.subsets ?? []) === canonicalJson(subsets) && canonicalJson(current.metadata?.labels ?? {}) === canonicalJson(labels) && canonicalJson(current.metadata?.annotations ?? {}) === canonicalJson(annotations);
    if (same) return;
    const desired: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { ...((structuredClone(current?.metadata) as Endpoints['metadata']) ?? {}), name, namespace, labels, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
      subsets,
    };
    if (Object.keys(annotations).length === 0) delete desired.metadata!.annotations;
    try {
      if (current === undefined) await this.client.create<Endpoints>(endpointsResource, namespace, desired);
      else await this.client.update<Endpoints>(endpointsResource, desired);
    } catch (err) {
      // The cache was behind (made or changed meanwhile): the watch brings the change and a new sync.
      if (isAlreadyExists(err) || isConflict(err)) {
        this.log.debug({ service: key }, 'endpoints changed under us; syncing again');
        throw err;
      }
      if (!isNotFound(err)) throw err;
    }
  }
}

export const endpointsControllerDefinition: ControllerDefinition = {
  name: 'endpoints-controller',
  aliases: ['endpoint'],
  workers: { flag: 'concurrent-endpoint-syncs', default: 5 },
  create: (ctx) => new EndpointsController(ctx),
};
