// discovery.k8s.io/v1 EndpointSlice: a subset of the network endpoints behind a Service.
import { ObjectReferenceSchema } from '../../core/v1/common.js';
import { listSchema, resourceSchema } from '../../meta/v1.js';
import { age } from '../../printers/age.js';
import type { ResourceDef } from '../../registry.js';
import { array, boolean, int32, map, string, struct, withDefault, withDescription, type Static } from '../../schema/dsl.js';
import { FieldPath, duplicate, invalid, notSupported, required, tooMany, type FieldError } from '../../validation/field.js';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isValidIPv4Address,
  isValidIPv6Address,
  isValidLabelValue,
  validateDNS1123Label,
  validateLabels,
  validateQualifiedName,
} from '../../validation/names.js';
import { validateImmutableField } from '../../validation/objectmeta.js';

const P = 'io.k8s.api.discovery.v1.';

export const EndpointConditionsSchema = struct(P + 'EndpointConditions', 'The current state of an endpoint.', {
  ready: boolean('Whether the endpoint is ready to receive traffic. Terminating endpoints are never ready.'),
  serving: boolean('Whether the endpoint can receive traffic; like ready, but also true while the endpoint terminates.'),
  terminating: boolean('Whether the endpoint is terminating.'),
});
export type EndpointConditions = Static<typeof EndpointConditionsSchema>;

export const ForZoneSchema = struct(P + 'ForZone', 'A zone that should consume an endpoint.', {
  name: string('Name of the zone.'),
});

export const EndpointHintsSchema = struct(P + 'EndpointHints', 'Hints for how an endpoint should be consumed.', {
  forZones: array(ForZoneSchema, 'Zones that should consume this endpoint (topology aware routing).', { listType: 'atomic' }),
});

export const EndpointSchema = struct(P + 'Endpoint', 'A single logical backend of a service.', {
  addresses: array(string(''), 'Addresses of the endpoint, interpreted according to the slice addressType. At least one, at most 100.', {
    listType: 'set',
  }),
  conditions: withDescription(EndpointConditionsSchema, 'The current state of the endpoint.'),
  hostname: string('DNS name of the endpoint (a DNS label).'),
  targetRef: withDescription(ObjectReferenceSchema, 'The object (usually a Pod) this endpoint stands for.'),
  deprecatedTopology: map(string(''), 'Deprecated topology labels; use nodeName and zone instead.'),
  nodeName: string('Name of the node hosting the endpoint.'),
  zone: string('Zone the endpoint is in.'),
  hints: withDescription(EndpointHintsSchema, 'Hints for how the endpoint should be consumed.'),
});
export type Endpoint = Static<typeof EndpointSchema>;

export const EndpointPortSchema = struct(
  P + 'EndpointPort',
  'A port used by the endpoints of a slice.',
  {
    name: withDefault(string('Name of the port; a DNS label, unique in the slice. May be empty.'), ''),
    protocol: withDefault(string('IP protocol of the port: TCP, UDP or SCTP.', { enum: ['SCTP', 'TCP', 'UDP'] }), 'TCP'),
    port: int32('Port number; when unset, the endpoints are not restricted to a port.'),
    appProtocol: string('Application protocol of the port (an IANA service name or a prefixed name).'),
  },
  { mapType: 'atomic' },
);
export type EndpointPort = Static<typeof EndpointPortSchema>;

export const EndpointSliceSchema = resourceSchema(
  P + 'EndpointSlice',
  'A subset of the endpoints that implement a service.',
  {
    addressType: string('Type of the addresses in the slice: IPv4, IPv6 or FQDN. Cannot be changed.'),
    endpoints: array(EndpointSchema, 'The endpoints of the slice; at most 1000.', { listType: 'atomic' }),
    ports: array(EndpointPortSchema, 'Ports exposed by every endpoint of the slice; at most 20000.', { listType: 'atomic' }),
  },
  ['addressType'],
);
export type EndpointSlice = Static<typeof EndpointSliceSchema>;

export const EndpointSliceListSchema = listSchema(P + 'EndpointSliceList', EndpointSliceSchema);

const addressTypes = ['FQDN', 'IPv4', 'IPv6'];
const maxTopologyLabels = 16;
const maxAddresses = 100;
const maxPorts = 20000;
const maxEndpoints = 1000;
const maxZoneHints = 8;

/** A DNS subdomain of at least two segments; a trailing dot is allowed. */
function validateFQDN(name: string, path: FieldPath): FieldError[] {
  if (name.length === 0) return [required(path, '')];
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const subErrs = isDNS1123Subdomain(trimmed);
  if (subErrs.length > 0) return [invalid(path, trimmed, subErrs.join(','))];
  const labels = trimmed.split('.');
  if (labels.length < 2) return [invalid(path, trimmed, 'should be a domain with at least two segments separated by dots')];
  for (const label of labels) {
    const labelErrs = isDNS1123Label(label);
    if (labelErrs.length > 0) return [invalid(path, label, labelErrs.join(','))];
  }
  return [];
}

function validateAddress(address: string, addressType: string | undefined, path: FieldPath): FieldError[] {
  // Unknown address types are reported once, on addressType; their addresses are not checked.
  switch (addressType) {
    case 'IPv4':
      return isValidIPv4Address(address).map((m) => invalid(path, address, m));
    case 'IPv6':
      return isValidIPv6Address(address).map((m) => invalid(path, address, m));
    case 'FQDN':
      return validateFQDN(address, path);
    default:
      return [];
  }
}

function validateHints(hints: NonNullable<Endpoint['hints']>, path: FieldPath): FieldError[] {
  const zonesPath = path.child('forZones');
  const zones = hints.forZones ?? [];
  if (zones.length > maxZoneHints) return [tooMany(zonesPath, zones.length, maxZoneHints)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  zones.forEach((z, i) => {
    const namePath = zonesPath.index(i).child('name');
    const name = z.name ?? '';
    if (seen.has(name)) errs.push(duplicate(namePath, name));
    else seen.add(name);
    for (const m of isValidLabelValue(name)) errs.push(invalid(namePath, name, m));
  });
  return errs;
}

function validateEndpoints(endpoints: readonly Endpoint[], addressType: string | undefined, path: FieldPath): FieldError[] {
  if (endpoints.length > maxEndpoints) return [tooMany(path, endpoints.length, maxEndpoints)];
  const errs: FieldError[] = [];
  endpoints.forEach((ep, i) => {
    const epPath = path.index(i);
    const addrPath = epPath.child('addresses');
    const addresses = ep.addresses ?? [];
    if (addresses.length === 0) errs.push(required(addrPath, 'must contain at least 1 address'));
    else if (addresses.length > maxAddresses) errs.push(tooMany(addrPath, addresses.length, maxAddresses));
    addresses.forEach((a, j) => errs.push(...validateAddress(a, addressType, addrPath.index(j))));
    if (ep.nodeName !== undefined) {
      for (const m of isDNS1123Subdomain(ep.nodeName)) errs.push(invalid(epPath.child('nodeName'), ep.nodeName, m));
    }
    const topoPath = epPath.child('deprecatedTopology');
    const topology = ep.deprecatedTopology ?? {};
    const topoCount = Object.keys(topology).length;
    if (topoCount > maxTopologyLabels) errs.push(tooMany(topoPath, topoCount, maxTopologyLabels));
    errs.push(...validateLabels(topology, topoPath));
    if (ep.hostname !== undefined) errs.push(...validateDNS1123Label(ep.hostname, epPath.child('hostname')));
    if (ep.hints) errs.push(...validateHints(ep.hints, epPath.child('hints')));
  });
  return errs;
}

function validatePorts(ports: readonly EndpointPort[], path: FieldPath): FieldError[] {
  if (ports.length > maxPorts) return [tooMany(path, ports.length, maxPorts)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const portPath = path.index(i);
    const name = port.name ?? '';
    if (name.length > 0) errs.push(...validateDNS1123Label(name, portPath.child('name')));
    if (names.has(name)) errs.push(duplicate(portPath.child('name'), name));
    else names.add(name);
    // Unsupported protocols are reported by the schema enum; absent ones are defaulted to TCP.
    if (port.appProtocol !== undefined) errs.push(...validateQualifiedName(port.appProtocol, portPath.child('appProtocol')));
  });
  return errs;
}

export function validateEndpointSlice(slice: EndpointSlice): FieldError[] {
  const errs: FieldError[] = [];
  const addressType = slice.addressType;
  // A missing or empty addressType is a "Required value" from the schema.
  if (addressType && !addressTypes.includes(addressType)) {
    errs.push(notSupported(FieldPath.root('addressType'), addressType, addressTypes));
  }
  errs.push(...validateEndpoints(slice.endpoints ?? [], addressType, FieldPath.root('endpoints')));
  errs.push(...validatePorts(slice.ports ?? [], FieldPath.root('ports')));
  return errs;
}

/** kubectl's list of at most three items, then "+ N more...", or "<unset>" when empty. */
function listWithMore(items: readonly string[], total: number, max: number): string {
  const joined = items.join(',');
  if (total > max) return `${joined} + ${total - max} more...`;
  return joined === '' ? '<unset>' : joined;
}

export function formatDiscoveryPorts(ports: readonly EndpointPort[] | undefined): string {
  const list = (ports ?? []).slice(0, 3).map((p) => (p.port !== undefined ? String(p.port) : p.name !== undefined ? p.name : '*'));
  return listWithMore(list, (ports ?? []).length, 3);
}

export function formatDiscoveryEndpoints(endpoints: readonly Endpoint[] | undefined): string {
  const all = (endpoints ?? []).flatMap((e) => e.addresses ?? []);
  return listWithMore(all.slice(0, 3), all.length, 3);
}

export const endpointSliceResource: ResourceDef<EndpointSlice> = {
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  listKind: 'EndpointSliceList',
  plural: 'endpointslices',
  singular: 'endpointslice',
  namespaced: true,
  schema: EndpointSliceSchema,
  nameValidation: 'subdomain',
  validate: validateEndpointSlice,
  validateUpdate: (obj, old) => [
    ...validateEndpointSlice(obj),
    ...validateImmutableField(obj.addressType, old.addressType, FieldPath.root('addressType')),
  ],
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the endpoint slice.', priority: 0 },
      { name: 'AddressType', type: 'string', description: 'Type of the addresses in the slice.', priority: 0 },
      { name: 'Ports', type: 'string', description: 'Ports exposed by the endpoints.', priority: 0 },
      { name: 'Endpoints', type: 'string', description: 'Addresses of the endpoints.', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the slice was created.', priority: 0 },
    ],
    cells: (obj, now) => [
      obj.metadata?.name ?? '',
      obj.addressType ?? '',
      formatDiscoveryPorts(obj.ports),
      formatDiscoveryEndpoints(obj.endpoints),
      age(obj.metadata?.creationTimestamp, now),
    ],
  },
};
