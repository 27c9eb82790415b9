// core/v1 Endpoints: the addresses and ports that implement a Service (kept up to date by the
// endpoints controller for services with a selector, written by hand otherwise).
import { listSchema, resourceSchema } from '../../meta/v1.js';
import { age } from '../../printers/age.js';
import type { ResourceDef } from '../../registry.js';
import { array, int32, string, struct, withDefault, withDescription, type Static } from '../../schema/dsl.js';
import { FieldPath, invalid, required, type FieldError } from '../../validation/field.js';
import { isDNS1123Subdomain, isValidIP, isValidPortNum, parseIP, validateDNS1123Label, validateQualifiedName } from '../../validation/names.js';
import { ObjectReferenceSchema } from './common.js';

const P = 'io.k8s.api.core.v1.';

/** Protocols a service or endpoint port may use. */
export const portProtocols = ['SCTP', 'TCP', 'UDP'] as const;

export const EndpointAddressSchema = struct(
  P + 'EndpointAddress',
  'One IP address of an endpoint.',
  {
    ip: string('The IP of the endpoint; not loopback, link-local or link-local multicast.'),
    hostname: string('Hostname of the endpoint.'),
    nodeName: string('Node hosting the endpoint, to find endpoints local to a node.'),
    targetRef: withDescription(ObjectReferenceSchema, 'The object (usually a pod) providing the endpoint.'),
  },
  { mapType: 'atomic' },
);

export const EndpointPortSchema = struct(
  P + 'EndpointPort',
  'One port of an endpoint.',
  {
    name: string('Name of the port, matching the name of a ServicePort; optional when there is only one port.'),
    port: int32('The port number.'),
    protocol: withDefault(string('TCP, UDP or SCTP. Defaults to TCP.', { enum: portProtocols }), 'TCP'),
    appProtocol: string('Application protocol hint: an IANA service name or a prefixed name such as example.com/proto.'),
  },
  { mapType: 'atomic' },
);

export const EndpointSubsetSchema = struct(P + 'EndpointSubset', 'Addresses that share a set of ports; the endpoints are every address combined with every port.', {
  addresses: array(EndpointAddressSchema, 'Addresses ready to receive traffic.', { listType: 'atomic' }),
  notReadyAddresses: array(EndpointAddressSchema, 'Addresses that offer the ports but are not ready.', { listType: 'atomic' }),
  ports: array(EndpointPortSchema, 'Port numbers available on the addresses.', { listType: 'atomic' }),
});

export const EndpointsSchema = resourceSchema(P + 'Endpoints', 'The endpoints that implement a service: sets of addresses and ports.', {
  subsets: array(EndpointSubsetSchema, 'The endpoints are the union of all subsets.', { listType: 'atomic' }),
});
export type Endpoints = Static<typeof EndpointsSchema>;
export type EndpointSubset = Static<typeof EndpointSubsetSchema>;
export type EndpointAddress = Static<typeof EndpointAddressSchema>;
export type EndpointPort = Static<typeof EndpointPortSchema>;
export const EndpointsListSchema = listSchema(P + 'EndpointsList', EndpointsSchema);

/** An IPv4 address (or IPv4-mapped IPv6 address) as 4 bytes; undefined for real IPv6. */
function asIPv4(b: Uint8Array): Uint8Array | undefined {
  if (b.length === 4) return b;
  const mapped = b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  return mapped ? b.subarray(12) : undefined;
}

/** True when the address parses and is IPv6 (IPv4-mapped addresses count as IPv4). */
export function isIPv6String(s: string): boolean {
  const b = parseIP(s);
  return b !== undefined && asIPv4(b) === undefined;
}

/**
 * Rejects addresses that make no sense as a destination: unspecified, loopback, link-local and
 * link-local multicast (used for Endpoints and Service externalIPs).
 */
export function validateNonSpecialIP(ip: string, path: FieldPath): FieldError[] {
  const b = parseIP(ip);
  if (!b) return [invalid(path, ip, 'must be a valid IP address')];
  const errs: FieldError[] = [];
  const v4 = asIPv4(b);
  const zero = (v4 ?? b).every((x) => x === 0);
  const loopback = v4 ? v4[0] === 127 : b.subarray(0, 15).every((x) => x === 0) && b[15] === 1;
  const linkLocal = v4 ? v4[0] === 169 && v4[1] === 254 : b[0] === 0xfe && (b[1]! & 0xc0) === 0x80;
  const linkLocalMulticast = v4 ? v4[0] === 224 && v4[1] === 0 && v4[2] === 0 : b[0] === 0xff && (b[1]! & 0x0f) === 0x02;
  if (zero) errs.push(invalid(path, ip, `may not be unspecified (${ip})`));
  if (loopback) errs.push(invalid(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if (linkLocal) errs.push(invalid(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (linkLocalMulticast) errs.push(invalid(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

function validateEndpointAddress(addr: EndpointAddress, path: FieldPath): FieldError[] {
  const ip = addr.ip ?? '';
  const errs = isValidIP(ip).map((m) => invalid(path.child('ip'), ip, m));
  if (addr.hostname) errs.push(...validateDNS1123Label(addr.hostname, path.child('hostname')));
  if (addr.nodeName !== undefined) {
    for (const m of isDNS1123Subdomain(addr.nodeName)) errs.push(invalid(path.child('nodeName'), addr.nodeName, m));
  }
  errs.push(...validateNonSpecialIP(ip, path.child('ip')));
  return errs;
}

function validateEndpointPort(port: EndpointPort, requireName: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !port.name) errs.push(required(path.child('name')));
  else if (port.name) errs.push(...validateDNS1123Label(port.name, path.child('name')));
  const num = port.port ?? 0;
  for (const m of isValidPortNum(num)) errs.push(invalid(path.child('port'), num, m));
  if (!port.protocol) errs.push(required(path.child('protocol')));
  if (port.appProtocol !== undefined) errs.push(...validateQualifiedName(port.appProtocol, path.child('appProtocol')));
  return errs;
}

export function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs: FieldError[] = [];
  (ep.subsets ?? []).forEach((ss, i) => {
    const path = FieldPath.root('subsets').index(i);
    // Headless services may have endpoints without ports, but never without addresses.
    if ((ss.addresses ?? []).length === 0 && (ss.notReadyAddresses ?? []).length === 0) {
      errs.push(required(path, 'must specify `addresses` or `notReadyAddresses`'));
    }
    (ss.addresses ?? []).forEach((a, j) => errs.push(...validateEndpointAddress(a, path.child('addresses').index(j))));
    (ss.notReadyAddresses ?? []).forEach((a, j) => errs.push(...validateEndpointAddress(a, path.child('notReadyAddresses').index(j))));
    const ports = ss.ports ?? [];
    ports.forEach((p, j) => errs.push(...validateEndpointPort(p, ports.length > 1, path.child('ports').index(j))));
  });
  return errs;
}

/** An empty port protocol means TCP (the schema default only fills absent ones). */
function defaultEndpoints(ep: Endpoints): void {
  for (const ss of ep.subsets ?? []) for (const p of ss.ports ?? []) p.protocol ||= 'TCP';
}

/** "host:port" with brackets around IPv6 hosts, like Go's net.JoinHostPort. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The ENDPOINTS cell: at most three endpoints, then " + N more...". */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  let more = false;
  const add = (s: string): void => {
    if (list.length === max) more = true;
    else list.push(s);
  };
  for (const ss of subsets) {
    const addrs = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      count += addrs.length;
      for (const a of addrs) add(a.ip ?? '');
      continue;
    }
    for (const p of ports) {
      count += addrs.length;
      for (const a of addrs) add(joinHostPort(a.ip ?? '', p.port ?? 0));
    }
  }
  const joined = list.join(',');
  return more ? `${joined} + ${count - max} more...` : joined;
}

export const endpointsResource: ResourceDef<Endpoints> = {
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  listKind: 'EndpointsList',
  plural: 'endpoints',
  singular: 'endpoints',
  shortNames: ['ep'],
  namespaced: true,
  schema: EndpointsSchema,
  nameValidation: 'subdomain',
  defaults: defaultEndpoints,
  validate: validateEndpoints,
  validateUpdate: validateEndpoints,
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the endpoints object.', priority: 0 },
      { name: 'Endpoints', type: 'string', description: 'The address:port pairs of the endpoints.', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the endpoints object was created.', priority: 0 },
    ],
    cells: (ep, now) => [ep.metadata?.name ?? '', formatEndpoints(ep), age(ep.metadata?.creationTimestamp, now)],
  },
};
