// core/v1 Service: a stable virtual IP (or DNS name) in front of a set of pods. ClusterIP and
// NodePort allocation belong to the apiserver; this file holds the shape, the defaulting, the
// validation and the table, plus the update-time normalisation the apiserver applies.
import { isDeepStrictEqual } from 'node:util';
import { ConditionSchema, listSchema, resourceSchema } from '../../meta/v1.js';
import { age } from '../../printers/age.js';
import type { ResourceDef } from '../../registry.js';
import { array, boolean, int32, intOrString, map, string, struct, withDefault, withDescription, type Static } from '../../schema/dsl.js';
import { FieldPath, duplicate, forbidden, internalError, invalid, notSupported, required, type FieldError } from '../../validation/field.js';
import {
  isDNS1123Subdomain,
  isValidCIDR,
  isValidIP,
  isValidPortName,
  isValidPortNum,
  parseIP,
  validateDNS1123Label,
  validateLabels,
  validateQualifiedName,
} from '../../validation/names.js';
import { isIPv6String, portProtocols, validateNonSpecialIP } from './endpoints.js';

const P = 'io.k8s.api.core.v1.';

export const ServicePortSchema = struct(P + 'ServicePort', 'A port exposed by a service.', {
  name: string('Name of the port, a DNS label unique within the service; required when there is more than one port.'),
  protocol: withDefault(string('TCP, UDP or SCTP. Defaults to TCP.', { enum: portProtocols }), 'TCP'),
  appProtocol: string('Application protocol hint: an IANA service name or a prefixed name such as kubernetes.io/h2c.'),
  port: int32('The port the service exposes.'),
  targetPort: intOrString('Number or name of the port on the pods; defaults to the value of port.'),
  nodePort: int32('Port on every node for NodePort and LoadBalancer services; allocated when not given.'),
});
export type ServicePort = Static<typeof ServicePortSchema>;

export const ClientIPConfigSchema = struct(P + 'ClientIPConfig', 'Settings of client-IP session affinity.', {
  timeoutSeconds: int32('How long a client sticks to one endpoint, 1 to 86400 seconds. Defaults to 10800.'),
});

export const SessionAffinityConfigSchema = struct(P + 'SessionAffinityConfig', 'Settings of session affinity.', {
  clientIP: withDescription(ClientIPConfigSchema, 'Settings of client-IP based affinity.'),
});

export const ServiceSpecSchema = struct(P + 'ServiceSpec', 'Desired behaviour of a service.', {
  ports: array(ServicePortSchema, 'Ports the service exposes.', { mergeKey: 'port', strategy: 'merge', listType: 'map', mapKeys: ['port', 'protocol'] }),
  selector: map(string(''), 'Pods with these labels receive the traffic; without a selector the endpoints are managed externally.', { mapType: 'atomic' }),
  clusterIP: string('The virtual IP of the service, usually allocated; "None" makes a headless service. Cannot change except to or from ExternalName.'),
  clusterIPs: array(string(''), 'The virtual IPs of the service, at most one per IP family; the first equals clusterIP.', { listType: 'atomic' }),
  type: withDefault(string('How the service is exposed: ClusterIP (default), NodePort, LoadBalancer or ExternalName.', { enum: ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] }), 'ClusterIP'),
  externalIPs: array(string(''), 'Extra IPs on which nodes accept traffic for the service; not managed by Kubernetes.', { listType: 'atomic' }),
  sessionAffinity: withDefault(string('ClientIP or None (default): whether a client sticks to one endpoint.', { enum: ['ClientIP', 'None'] }), 'None'),
  loadBalancerIP: string('Deprecated: a requested load-balancer IP, when the provider supports it.'),
  loadBalancerSourceRanges: array(string(''), 'Client CIDRs allowed through the cloud load balancer.', { listType: 'atomic' }),
  externalName: string('DNS name returned as a CNAME for ExternalName services.'),
  externalTrafficPolicy: string('Cluster (default) or Local: whether external traffic may go to endpoints on other nodes.'),
  healthCheckNodePort: int32('Node port for load-balancer health checks of LoadBalancer services with externalTrafficPolicy Local.'),
  publishNotReadyAddresses: boolean('Publish endpoints of pods that are not ready.'),
  sessionAffinityConfig: withDescription(SessionAffinityConfigSchema, 'Settings of session affinity.'),
  ipFamilies: array(string(''), 'IP families of the service (IPv4, IPv6), in the order of clusterIPs.', { listType: 'atomic' }),
  ipFamilyPolicy: string('SingleStack, PreferDualStack or RequireDualStack.'),
  allocateLoadBalancerNodePorts: boolean('Whether LoadBalancer services get node ports allocated. Defaults to true.'),
  loadBalancerClass: string('The load-balancer implementation this service belongs to; only for LoadBalancer services, fixed once set.'),
  internalTrafficPolicy: string('Cluster (default) or Local: whether traffic to the cluster IP may go to endpoints on other nodes.', { enum: ['Cluster', 'Local'] }),
  trafficDistribution: string('Routing preference hint; PreferClose favours topologically close endpoints.', { enum: ['PreferClose'] }),
});

export const PortStatusSchema = struct(
  P + 'PortStatus',
  'The error state of one service port on a load balancer.',
  {
    port: int32('The service port number.'),
    protocol: string('The service port protocol.'),
    error: string('Problem with the port, as a CamelCase name (optionally prefixed, e.g. example.com/SomeError).'),
  },
  { required: ['port', 'protocol'] },
);

export const LoadBalancerIngressSchema = struct(P + 'LoadBalancerIngress', 'An ingress point of a load balancer.', {
  ip: string('IP of an IP-based ingress point.'),
  hostname: string('Hostname of a DNS-based ingress point.'),
  ipMode: string('VIP or Proxy: how traffic for the ip reaches the node.'),
  ports: array(PortStatusSchema, 'Status of each service port.', { listType: 'atomic' }),
});

export const LoadBalancerStatusSchema = struct(P + 'LoadBalancerStatus', 'Status of a load balancer.', {
  ingress: array(LoadBalancerIngressSchema, 'Ingress points of the load balancer.', { listType: 'atomic' }),
});

export const ServiceStatusSchema = struct(P + 'ServiceStatus', 'Observed state of a service.', {
  loadBalancer: withDescription(LoadBalancerStatusSchema, 'Status of the load balancer, when there is one.'),
  conditions: array(ConditionSchema, 'Current conditions of the service.', { mergeKey: 'type', strategy: 'merge', listType: 'map', mapKeys: ['type'] }),
});

export const ServiceSchema = resourceSchema(P + 'Service', 'A named, stable network endpoint (virtual IP, node port, load balancer or DNS alias) for a set of pods.', {
  spec: withDescription(ServiceSpecSchema, 'Desired behaviour of the service.'),
  status: withDescription(ServiceStatusSchema, 'Observed state of the service.'),
});
export type Service = Static<typeof ServiceSchema>;
export type ServiceSpec = NonNullable<Service['spec']>;
export const ServiceListSchema = listSchema(P + 'ServiceList', ServiceSchema);

// ---- predicates shared by defaulting, validation and allocation ----

/** Reachable from outside the cluster: NodePort, LoadBalancer, or ClusterIP with external IPs. */
export function externallyAccessible(svc: Service): boolean {
  const t = svc.spec?.type;
  return t === 'LoadBalancer' || t === 'NodePort' || (t === 'ClusterIP' && (svc.spec?.externalIPs ?? []).length > 0);
}

/** A LoadBalancer service with externalTrafficPolicy Local, which needs a health-check node port. */
export function needsHealthCheck(svc: Service): boolean {
  return svc.spec?.type === 'LoadBalancer' && svc.spec.externalTrafficPolicy === 'Local';
}

export const needsClusterIP = (svc: Service): boolean => svc.spec?.type !== 'ExternalName';
export const needsNodePort = (svc: Service): boolean => svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer';

export function isHeadless(svc: Service): boolean {
  const ips = svc.spec?.clusterIPs ?? [];
  return ips.length === 1 && ips[0] === 'None';
}

// ---- defaulting ----

export function defaultService(svc: Service): void {
  const spec: ServiceSpec = (svc.spec ??= {});
  // Go cannot tell an empty string from an absent field, so both get the default.
  spec.type ||= 'ClusterIP';
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  for (const p of spec.ports ?? []) {
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port ?? 0;
  }
  if (externallyAccessible(svc) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.internalTrafficPolicy === undefined && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type)) spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer') {
    spec.allocateLoadBalancerNodePorts ??= true;
    for (const ing of svc.status?.loadBalancer?.ingress ?? []) if (ing.ip && ing.ipMode === undefined) ing.ipMode = 'VIP';
  }
}

/**
 * Keeps clusterIP and clusterIPs in step, guessing what the client meant when it set only one of
 * them (old clients know only clusterIP). `old` is undefined on create.
 */
export function normalizeClusterIPs(svc: Service, old?: Service): void {
  const spec: ServiceSpec = (svc.spec ??= {});
  const ip = spec.clusterIP ?? '';
  const ips = spec.clusterIPs ?? [];
  if (old === undefined) {
    if (ip !== '' && ips.length === 0) spec.clusterIPs = [ip];
    return;
  }
  const oldIP = old.spec?.clusterIP ?? '';
  const oldIPs = old.spec?.clusterIPs ?? [];
  // An old client patched some other field and sent no clusterIPs.
  if (oldIPs.length > 0 && ips.length === 0 && oldIP === ip) spec.clusterIPs = [...oldIPs];
  if (oldIP === ip) return;
  const sameIPs = isDeepStrictEqual(oldIPs, spec.clusterIPs ?? []);
  if (oldIP !== '' && ip === '') {
    if (sameIPs) delete spec.clusterIPs;
  } else if (sameIPs) {
    spec.clusterIPs = [ip];
  }
}

/** Copies allocated values (cluster IPs, node ports, health-check port) a client left out on update. */
export function patchAllocatedValues(svc: Service, old: Service): void {
  const spec: ServiceSpec = (svc.spec ??= {});
  const oldSpec = old.spec ?? {};
  if (needsClusterIP(old) && needsClusterIP(svc)) {
    if (!spec.clusterIP && oldSpec.clusterIP) spec.clusterIP = oldSpec.clusterIP;
    if ((spec.clusterIPs ?? []).length === 0 && (oldSpec.clusterIPs ?? []).length > 0) spec.clusterIPs = [...(oldSpec.clusterIPs ?? [])];
  }
  if (needsNodePort(old) && needsNodePort(svc)) {
    const usedBy = (ports: readonly ServicePort[] | undefined): Set<number> => new Set((ports ?? []).map((p) => p.nodePort ?? 0).filter((n) => n !== 0));
    const newUsed = usedBy(spec.ports);
    const used = new Set([...usedBy(oldSpec.ports)].filter((n) => newUsed.has(n)));
    const byName = new Map((oldSpec.ports ?? []).map((p) => [p.name ?? '', p.nodePort ?? 0]));
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const oldVal = byName.get(p.name ?? '') ?? 0;
      if (oldVal !== 0 && !used.has(oldVal)) p.nodePort = oldVal;
    }
  }
  if (needsHealthCheck(old) && needsHealthCheck(svc) && !spec.healthCheckNodePort && oldSpec.healthCheckNodePort) {
    spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
  }
}

/** Wipes fields the new type no longer uses, when the client left them as they were. */
export function dropTypeDependentFields(svc: Service, old: Service): void {
  const spec: ServiceSpec = (svc.spec ??= {});
  const o = old.spec ?? {};
  const same = (a: unknown, b: unknown): boolean => isDeepStrictEqual(a ?? null, b ?? null);
  if (needsClusterIP(old) && !needsClusterIP(svc)) {
    if (same(o.clusterIP, spec.clusterIP) && same(o.clusterIPs, spec.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (same(o.ipFamilies, spec.ipFamilies)) delete spec.ipFamilies;
    if (same(o.ipFamilyPolicy, spec.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
  }
  // Ports may be added, removed or changed, as long as no node port is new.
  const oldNodePorts = new Set((o.ports ?? []).map((p) => p.nodePort ?? 0));
  const noNewNodePorts = (spec.ports ?? []).every((p) => !p.nodePort || oldNodePorts.has(p.nodePort));
  if (needsNodePort(old) && !needsNodePort(svc) && noNewNodePorts) {
    for (const p of spec.ports ?? []) delete p.nodePort;
  }
  if (needsHealthCheck(old) && !needsHealthCheck(svc) && same(o.healthCheckNodePort, spec.healthCheckNodePort)) delete spec.healthCheckNodePort;
  if (o.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (o.allocateLoadBalancerNodePorts !== undefined && o.allocateLoadBalancerNodePorts === spec.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
    if (same(o.loadBalancerClass, spec.loadBalancerClass)) delete spec.loadBalancerClass;
  }
  if (externallyAccessible(old) && !externallyAccessible(svc) && same(o.externalTrafficPolicy, spec.externalTrafficPolicy)) delete spec.externalTrafficPolicy;
  if (spec.type !== 'LoadBalancer' && svc.status) svc.status.loadBalancer = {};
}

export function prepareServiceForCreate(svc: Service): void {
  svc.status = { loadBalancer: {} };
  normalizeClusterIPs(svc);
}

/**
 * What the apiserver does to a service on a main-resource update, before allocation and
 * validation: keep status, refill allocated values, sync clusterIP(s), drop type-specific fields.
 */
export function prepareServiceForUpdate(svc: Service, old: Service): void {
  if (old.status === undefined) delete svc.status;
  else svc.status = structuredClone(old.status);
  patchAllocatedValues(svc, old);
  normalizeClusterIPs(svc, old);
  dropTypeDependentFields(svc, old);
}

// ---- validation ----

const spec = FieldPath.root('spec');
const onlyForLB = "may only be used when `type` is 'LoadBalancer'";

function validateServicePort(p: ServicePort, requireName: boolean, names: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !p.name) errs.push(required(path.child('name')));
  else if (p.name) {
    errs.push(...validateDNS1123Label(p.name, path.child('name')));
    if (names.has(p.name)) errs.push(duplicate(path.child('name'), p.name));
    else names.add(p.name);
  }
  const port = p.port ?? 0;
  for (const m of isValidPortNum(port)) errs.push(invalid(path.child('port'), port, m));
  if (!p.protocol) errs.push(required(path.child('protocol')));
  const tp = p.targetPort ?? 0;
  const tpMsgs = typeof tp === 'number' ? isValidPortNum(tp) : isValidPortName(tp);
  for (const m of tpMsgs) errs.push(invalid(path.child('targetPort'), tp, m));
  if (p.appProtocol !== undefined) errs.push(...validateQualifiedName(p.appProtocol, path.child('appProtocol')));
  return errs;
}

function validateClientIPAffinity(cfg: ServiceSpec['sessionAffinityConfig'], path: FieldPath): FieldError[] {
  const detail = 'when session affinity type is ClientIP';
  if (!cfg) return [required(path, detail)];
  if (!cfg.clientIP) return [required(path.child('clientIP'), detail)];
  const t = cfg.clientIP.timeoutSeconds;
  if (t === undefined) return [required(path.child('clientIP', 'timeoutSeconds'), detail)];
  return t <= 0 || t > 86400 ? [invalid(path.child('clientIP', 'timeoutSeconds'), t, 'must be greater than 0 and less than 86400')] : [];
}

/** One address per family at most: true when the list mixes exactly IPv4 and IPv6. */
function isDualStack(values: readonly string[], isV6: (s: string) => boolean): boolean {
  return values.some(isV6) && values.some((v) => !isV6(v));
}

export function validateClusterIPsRelatedFields(svc: Service): FieldError[] {
  const s = svc.spec ?? {};
  // ExternalName services were checked to have none of these fields.
  if (s.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ipsPath = spec.child('clusterIPs');
  const famPath = spec.child('ipFamilies');
  const ips = s.clusterIPs ?? [];
  if (s.clusterIP) {
    if (ips.length === 0) errs.push(required(ipsPath));
    else if (ips[0] !== s.clusterIP) errs.push(invalid(ipsPath, ips, 'first value must match `clusterIP`'));
  } else if (ips.length > 0) {
    errs.push(invalid(ipsPath, ips, 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  (s.ipFamilies ?? []).forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(notSupported(famPath.index(i), f, ['IPv4', 'IPv6']));
    if (seen.has(f)) errs.push(duplicate(famPath.index(i), f));
    seen.add(f);
  });
  if (s.ipFamilyPolicy !== undefined && !['SingleStack', 'PreferDualStack', 'RequireDualStack'].includes(s.ipFamilyPolicy)) {
    errs.push(notSupported(spec.child('ipFamilyPolicy'), s.ipFamilyPolicy, ['PreferDualStack', 'RequireDualStack', 'SingleStack']));
  }
  let badIPs = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        badIPs = true;
        errs.push(invalid(ipsPath, ips, "'None' must be the first and only value"));
      }
      return;
    }
    const msgs = isValidIP(ip);
    if (msgs.length > 0) badIPs = true;
    for (const m of msgs) errs.push(invalid(ipsPath.index(i), ip, m));
  });
  if (ips.length > 2) errs.push(invalid(ipsPath, ips, 'may only hold up to 2 values'));
  // Further checks would only repeat the problems above in other words.
  if (badIPs) return errs;
  if (ips.length > 1) {
    if (ips.some((ip) => parseIP(ip) === undefined)) errs.push(internalError(ipsPath, 'failed to check for dual stack'));
    else if (!isDualStack(ips, isIPv6String)) errs.push(invalid(ipsPath, ips, 'may specify no more than one IP for each IP family'));
  }
  const fams = s.ipFamilies ?? [];
  if (!isHeadless(svc) && ips.length > 0 && fams.length > 0) {
    ips.forEach((ip, i) => {
      if (i > fams.length - 1) return;
      if (fams[i] === 'IPv4' && isIPv6String(ip)) errs.push(invalid(ipsPath.index(i), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (fams[i] === 'IPv6' && !isIPv6String(ip)) errs.push(invalid(ipsPath.index(i), ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

function validateLoadBalancerClass(svc: Service, old?: Service): FieldError[] {
  const errs: FieldError[] = [];
  const path = spec.child('loadBalancerClass');
  const cls = svc.spec?.loadBalancerClass;
  if (old && old.spec?.type === 'LoadBalancer' && svc.spec?.type === 'LoadBalancer' && (old.spec.loadBalancerClass ?? null) !== (cls ?? null)) {
    errs.push(invalid(path, cls, 'may not change once set'));
  }
  if (svc.spec?.type === 'LoadBalancer') {
    if (cls !== undefined) errs.push(...validateQualifiedName(cls, path));
  } else if (cls !== undefined) {
    errs.push(forbidden(path, onlyForLB));
  }
  return errs;
}

function validateTrafficPolicies(svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  const s = svc.spec ?? {};
  const etp = s.externalTrafficPolicy ?? '';
  if (!externallyAccessible(svc)) {
    if (etp !== '') errs.push(invalid(spec.child('externalTrafficPolicy'), etp, 'may only be set for externally-accessible services'));
  } else if (etp === '') {
    errs.push(required(spec.child('externalTrafficPolicy')));
  } else if (etp !== 'Cluster' && etp !== 'Local') {
    errs.push(notSupported(spec.child('externalTrafficPolicy'), etp, ['Cluster', 'Local']));
  }
  const hc = s.healthCheckNodePort ?? 0;
  if (!needsHealthCheck(svc)) {
    if (hc !== 0) errs.push(invalid(spec.child('healthCheckNodePort'), hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (hc === 0) {
    errs.push(required(spec.child('healthCheckNodePort')));
  } else {
    for (const m of isValidPortNum(hc)) errs.push(invalid(spec.child('healthCheckNodePort'), hc, m));
  }
  if (s.internalTrafficPolicy === undefined && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(s.type ?? '')) {
    errs.push(required(spec.child('internalTrafficPolicy')));
  }
  return errs;
}

export function validateService(svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  const s = svc.spec ?? {};
  const ann = svc.metadata?.annotations ?? {};
  const hints = ann['service.kubernetes.io/topology-aware-hints'];
  const mode = ann['service.kubernetes.io/topology-mode'];
  if (hints !== undefined && mode !== undefined && hints !== mode) {
    errs.push(invalid(FieldPath.root('metadata').child('annotations').key('service.kubernetes.io/topology-mode'), mode, 'must match annotations[service.kubernetes.io/topology-aware-hints] when both are specified'));
  }
  const ports = s.ports ?? [];
  if (ports.length === 0 && !isHeadless(svc) && s.type !== 'ExternalName') errs.push(required(spec.child('ports')));
  switch (s.type) {
    case 'LoadBalancer':
    case 'NodePort':
      if (isHeadless(svc)) errs.push(invalid(spec.child('clusterIPs').index(0), 'None', `may not be set to 'None' for ${s.type} services`));
      break;
    case 'ExternalName': {
      const notForExternalName = 'may not be set for ExternalName services';
      if ((s.clusterIPs ?? []).length > 0) errs.push(forbidden(spec.child('clusterIPs'), notForExternalName));
      if ((s.ipFamilies ?? []).length > 0) errs.push(forbidden(spec.child('ipFamilies'), notForExternalName));
      if (s.ipFamilyPolicy !== undefined) errs.push(forbidden(spec.child('ipFamilyPolicy'), notForExternalName));
      // A trailing dot marks a fully qualified CNAME.
      const cname = (s.externalName ?? '').replace(/\.$/, '');
      if (cname === '') errs.push(required(spec.child('externalName')));
      else for (const m of isDNS1123Subdomain(cname)) errs.push(invalid(spec.child('externalName'), cname, m));
      break;
    }
    default:
      break;
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, spec.child('ports').index(i))));
  if (s.selector !== undefined) errs.push(...validateLabels(s.selector, spec.child('selector')));
  if (!s.sessionAffinity) errs.push(required(spec.child('sessionAffinity')));
  if (s.sessionAffinity === 'ClientIP') errs.push(...validateClientIPAffinity(s.sessionAffinityConfig, spec.child('sessionAffinityConfig')));
  else if (s.sessionAffinity === 'None' && s.sessionAffinityConfig !== undefined) {
    errs.push(forbidden(spec.child('sessionAffinityConfig'), 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPsRelatedFields(svc));
  (s.externalIPs ?? []).forEach((ip, i) => {
    const msgs = isValidIP(ip);
    if (msgs.length > 0) for (const m of msgs) errs.push(invalid(spec.child('externalIPs').index(i), ip, m));
    else errs.push(...validateNonSpecialIP(ip, spec.child('externalIPs').index(i)));
  });
  if (!s.type) errs.push(required(spec.child('type')));
  if (s.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (p.nodePort) errs.push(forbidden(spec.child('ports').index(i).child('nodePort'), "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    if (p.nodePort) {
      const k = `${p.protocol ?? ''}/${p.nodePort}`;
      if (nodePorts.has(k)) errs.push(duplicate(spec.child('ports').index(i).child('nodePort'), p.nodePort));
      nodePorts.add(k);
    }
    const k = `${p.protocol ?? ''}/${p.port ?? 0}`;
    if (portKeys.has(k)) errs.push(duplicate(spec.child('ports').index(i), { protocol: p.protocol ?? '', port: p.port ?? 0 }));
    portKeys.add(k);
  });
  const ranges = s.loadBalancerSourceRanges ?? [];
  const rangesAnnotation = 'service.beta.kubernetes.io/load-balancer-source-ranges';
  if (ranges.length > 0) {
    // Upstream spells this path with a capital L.
    const path = spec.child('LoadBalancerSourceRanges');
    if (s.type !== 'LoadBalancer') errs.push(forbidden(path, onlyForLB));
    ranges.forEach((r, i) => {
      // Padding with spaces is tolerated for values that came from the annotation.
      const v = r.trim();
      for (const m of isValidCIDR(v)) errs.push(invalid(path.index(i), v, m));
    });
  } else if (ann[rangesAnnotation] !== undefined) {
    const path = FieldPath.root('metadata').child('annotations').key(rangesAnnotation);
    if (s.type !== 'LoadBalancer') errs.push(forbidden(path, onlyForLB));
    const val = ann[rangesAnnotation].trim();
    if (val !== '') {
      for (const part of val.split(',')) {
        const v = part.trim();
        for (const m of isValidCIDR(v)) errs.push(invalid(path, v, m));
      }
    }
  }
  if (s.allocateLoadBalancerNodePorts !== undefined && s.type !== 'LoadBalancer') errs.push(forbidden(spec.child('allocateLoadBalancerNodePorts'), onlyForLB));
  // Upstream reports this one without the "spec." prefix.
  if (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts === undefined) errs.push(required(FieldPath.root('allocateLoadBalancerNodePorts')));
  errs.push(...validateLoadBalancerClass(svc));
  errs.push(...validateTrafficPolicies(svc));
  return errs;
}

function validateClusterIPsChange(svc: Service, old: Service): FieldError[] {
  const errs: FieldError[] = [];
  if (svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName') return errs;
  if (isHeadless(old) && isHeadless(svc)) return errs;
  const path = spec.child('clusterIPs');
  const ips = svc.spec?.clusterIPs ?? [];
  const oldIPs = old.spec?.clusterIPs ?? [];
  if (oldIPs.length === ips.length) {
    oldIPs.forEach((ip, i) => {
      if (ip !== ips[i]) errs.push(invalid(path.index(i), ips, 'may not change once set'));
    });
  } else if (oldIPs.length > ips.length) {
    if (ips.length === 0) errs.push(invalid(path.index(0), ips, 'primary clusterIP can not be unset'));
    if (oldIPs.length > 0 && ips.length > 0 && ips[0] !== oldIPs[0]) errs.push(invalid(path.index(0), ips, 'may not change once set'));
    if (ips.length === 1 && svc.spec?.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalid(spec.child('ipFamilyPolicy'), svc.spec?.ipFamilyPolicy, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (oldIPs.length > 0 && ips[0] !== oldIPs[0]) {
    errs.push(invalid(path.index(0), ips, 'may not change once set'));
  }
  return errs;
}

function validateIPFamiliesChange(svc: Service, old: Service): FieldError[] {
  const errs: FieldError[] = [];
  if (svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName') return errs;
  // Moving to or from headless, or staying headless, may change families freely.
  if (isHeadless(svc) || isHeadless(old)) return errs;
  const path = spec.child('ipFamilies').index(0);
  const fams = svc.spec?.ipFamilies ?? [];
  const oldFams = old.spec?.ipFamilies ?? [];
  const ips = svc.spec?.clusterIPs ?? [];
  if (oldFams.length === fams.length) {
    oldFams.forEach((f, i) => {
      if (f !== fams[i]) errs.push(invalid(path, fams, 'may not change once set'));
    });
  } else if (oldFams.length > fams.length) {
    if (ips.length === 0) errs.push(invalid(path, fams, 'primary ipFamily can not be unset'));
    if (fams.length > 0 && fams[0] !== oldFams[0]) errs.push(invalid(path, ips, 'may not change once set'));
    if (fams.length === 1 && svc.spec?.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalid(spec.child('ipFamilyPolicy'), svc.spec?.ipFamilyPolicy, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
    }
  } else if (oldFams.length > 0 && fams.length > 0 && fams[0] !== oldFams[0]) {
    errs.push(invalid(path, ips, 'may not change once set'));
  }
  return errs;
}

/**
 * Checks for writes to /status: load-balancer ingress points only on LoadBalancer services, with
 * valid addresses. Main-resource updates keep the stored status, so they skip this.
 */
export function validateLoadBalancerStatus(svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  const path = FieldPath.root('status').child('loadBalancer', 'ingress');
  if (svc.spec?.type !== 'LoadBalancer' && ingress.length > 0) return [forbidden(path, "may only be used when `spec.type` is 'LoadBalancer'")];
  ingress.forEach((ing, i) => {
    const p = path.index(i);
    if (ing.ip) for (const m of isValidIP(ing.ip)) errs.push(invalid(p.child('ip'), ing.ip, m));
    if (ing.ipMode === undefined) {
      if (ing.ip) errs.push(required(p.child('ipMode'), 'must be specified when `ip` is set'));
    } else if (!ing.ip) {
      errs.push(forbidden(p.child('ipMode'), 'may not be specified when `ip` is not set'));
    } else if (ing.ipMode !== 'VIP' && ing.ipMode !== 'Proxy') {
      errs.push(notSupported(p.child('ipMode'), ing.ipMode, ['Proxy', 'VIP']));
    }
    if (ing.hostname) {
      for (const m of isDNS1123Subdomain(ing.hostname)) errs.push(invalid(p.child('hostname'), ing.hostname, m));
      if (parseIP(ing.hostname)) errs.push(invalid(p.child('hostname'), ing.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

export function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  const errs = [...validateClusterIPsChange(svc, old), ...validateIPFamiliesChange(svc, old), ...validateLoadBalancerClass(svc, old)];
  if (needsHealthCheck(old) && needsHealthCheck(svc) && (svc.spec?.healthCheckNodePort ?? 0) !== (old.spec?.healthCheckNodePort ?? 0)) {
    errs.push(forbidden(spec.child('healthCheckNodePort'), 'field is immutable'));
  }
  // The class check runs again inside validateService; keep only one copy of its errors.
  const rest = validateService(svc).filter((e) => !errs.some((x) => x.field === e.field && x.detail === e.detail));
  return [...errs, ...rest];
}

// ---- table ----

/** Load-balancer ingress IPs (or hostnames), de-duplicated and sorted. */
function loadBalancerAddresses(svc: Service): string[] {
  const set = new Set<string>();
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    if (ing.ip) set.add(ing.ip);
    else if (ing.hostname) set.add(ing.hostname);
  }
  return [...set].sort();
}

export function serviceExternalIP(svc: Service): string {
  const ext = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type) {
    case 'ClusterIP':
    case 'NodePort':
      return ext.length > 0 ? ext.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(svc);
      if (ext.length > 0) return [...lb, ...ext].join(',');
      return lb.length > 0 ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return svc.spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** "80/TCP" or "80:30080/TCP" per port, comma-separated. */
export function servicePorts(svc: Service): string {
  const s = (svc.spec?.ports ?? []).map((p) => (p.nodePort ? `${p.port ?? 0}:${p.nodePort}/${p.protocol ?? ''}` : `${p.port ?? 0}/${p.protocol ?? ''}`)).join(',');
  return s === '' ? '<none>' : s;
}

/** k=v pairs sorted by key, or "<none>", like labels.FormatLabels. */
export function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${labels?.[k] ?? ''}`).join(',');
}

export const serviceResource: ResourceDef<Service> = {
  prepareForUpdate: prepareServiceForUpdate,
  group: '',
  version: 'v1',
  kind: 'Service',
  listKind: 'ServiceList',
  plural: 'services',
  singular: 'service',
  shortNames: ['svc'],
  categories: ['all'],
  namespaced: true,
  schema: ServiceSchema,
  nameValidation: 'dns1035',
  subresources: { status: true },
  defaults: defaultService,
  prepareForCreate: prepareServiceForCreate,
  validate: validateService,
  validateUpdate: validateServiceUpdate,
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the service.', priority: 0 },
      { name: 'Type', type: 'string', description: 'How the service is exposed.', priority: 0 },
      { name: 'Cluster-IP', type: 'string', description: 'The virtual IP of the service.', priority: 0 },
      { name: 'External-IP', type: 'string', description: 'External IPs or load-balancer addresses of the service.', priority: 0 },
      { name: 'Port(s)', type: 'string', description: 'Ports the service exposes.', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the service was created.', priority: 0 },
      { name: 'Selector', type: 'string', description: 'Labels of the pods behind the service.', priority: 1 },
    ],
    cells: (svc, now) => [
      svc.metadata?.name ?? '',
      svc.spec?.type ?? '',
      svc.spec?.clusterIPs?.[0] ?? '<none>',
      serviceExternalIP(svc),
      servicePorts(svc),
      age(svc.metadata?.creationTimestamp, now),
      formatLabels(svc.spec?.selector),
    ],
  },
  fieldSelectors: {
    'spec.clusterIP': (svc) => svc.spec?.clusterIP ?? '',
    'spec.type': (svc) => svc.spec?.type ?? '',
  },
};
