// What the Endpoints and EndpointSlice controllers share (upstream's controller/util/endpoint):
// which pods back a Service, the port a Service port means on each pod (named target ports are
// resolved per pod), and which Services to look at again when a pod changes.
import type { Pod } from '../../api/core/v1/pod-types.js';
import type { Service } from '../../api/core/v1/service.js';
import { selectorFromSet } from '../../api/selectors/labels.js';
import type { Lister } from '../../client/informer/lister.js';
import type { SharedIndexInformer } from '../../client/informer/shared-informer.js';
import { metaNamespaceKey, unwrapTombstone, type DeepReadonly } from '../../client/informer/store.js';
import type { ReconcileLoop } from './loop.js';
import { isPodReady } from './pods.js';

type PodView = DeepReadonly<Pod>;
type ServiceView = DeepReadonly<Service>;
type ServicePort = NonNullable<NonNullable<Service['spec']>['ports']>[number];

/** Whether a Service's endpoints come from its selector (not ExternalName, not selector-less). */
export function hasSelectorEndpoints(svc: ServiceView): boolean {
  // An empty selector is no selector: it does not survive the API's encoding upstream.
  return svc.spec?.type !== 'ExternalName' && Object.keys(svc.spec?.selector ?? {}).length > 0;
}

/**
 * upstream's ShouldPodBeInEndpoints: a pod with an IP that has not finished (a pod that will not be
 * restarted after it ends is out once it ends), and not terminating unless terminating ones count.
 */
export function shouldPodBeInEndpoints(p: PodView, includeTerminating: boolean): boolean {
  if (!p.status?.podIP) return false;
  const phase = p.status.phase;
  if (phase === 'Failed' || phase === 'Succeeded') return false;
  if (!includeTerminating && p.metadata?.deletionTimestamp !== undefined) return false;
  return true;
}

/** The pod port a Service port sends to: a number as is, a name looked up in the pod's containers. */
export function findPort(p: PodView, port: DeepReadonly<ServicePort>): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (target === undefined || target === '') return port.port;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = port.protocol ?? 'TCP';
  for (const c of p.spec?.containers ?? []) {
    for (const cp of c.ports ?? []) if (cp.name === target && (cp.protocol ?? 'TCP') === protocol) return cp.containerPort;
  }
  return undefined;
}

export interface ResolvedPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: string;
  readonly appProtocol?: string;
}

/**
 * The ports a pod offers for the Service's ports, sorted by name and number; undefined when none
 * resolves although the Service has ports (the pod serves nothing of it). A headless Service
 * without ports gets [].
 */
export function podPorts(svc: ServiceView, p: PodView): ResolvedPort[] | undefined {
  const ports: ResolvedPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(p, sp);
    if (port === undefined) continue;
    ports.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
  }
  if (ports.length === 0 && (svc.spec?.ports ?? []).length > 0) return undefined;
  return ports.sort((a, b) => a.name.localeCompare(b.name) || a.port - b.port);
}

/** Ready for traffic: the pod's Ready condition, or every pod when the Service publishes not-ready ones. */
export function endpointReady(p: PodView, svc: ServiceView): boolean {
  return svc.spec?.publishNotReadyAddresses === true || isPodReady(p);
}

/** The pods of the Service's namespace its selector matches. */
export function podsOfService(pods: Lister<Pod>, svc: ServiceView): PodView[] {
  return pods.namespace(svc.metadata?.namespace ?? '').list(selectorFromSet(svc.spec?.selector));
}

/** Keys of the Services whose selector matches the pod now or matched it before the change. */
export function servicesOfPod(services: Lister<Service>, ...versions: (PodView | undefined)[]): Set<string> {
  const keys = new Set<string>();
  for (const p of versions) {
    if (p === undefined) continue;
    for (const svc of services.namespace(p.metadata?.namespace ?? '').list()) {
      if (hasSelectorEndpoints(svc) && selectorFromSet(svc.spec?.selector).matches(p.metadata?.labels)) keys.add(metaNamespaceKey(svc));
    }
  }
  return keys;
}

/** Queues the Services a pod belongs to (before and after a change) whenever a pod changes. */
export function enqueueServicesOnPodChange(pods: SharedIndexInformer<Pod>, services: Lister<Service>, loop: ReconcileLoop): void {
  const enqueue = (keys: Set<string>): void => keys.forEach((k) => loop.enqueue(k));
  pods.addEventHandler({
    onAdd: (p) => enqueue(servicesOfPod(services, p)),
    onUpdate: (old, p) => enqueue(servicesOfPod(services, old, p)),
    onDelete: (p) => enqueue(servicesOfPod(services, unwrapTombstone(p))),
  });
}
