// core/v1 Node: a worker machine, registered by its kubelet. Unlike most kinds, a node may be
// created with its status (the kubelet registers with what it knows).
import { listSchema, resourceSchema } from '../../meta/v1.js';
import { age } from '../../printers/age.js';
import type { ResourceDef } from '../../registry.js';
import { array, boolean, int32, int64, map, quantity, string, struct, time, withDescription, type Static } from '../../schema/dsl.js';
import { FieldPath, duplicate, forbidden, internalError, invalid, required, type FieldError } from '../../validation/field.js';
import { isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isValidCIDR, isValidLabelValue, parseCIDR, validateLabelName } from '../../validation/names.js';
import { validateResourceQuantityValue } from '../../validation/resources.js';
import { TaintSchema, validateTaintEffect, type Taint } from './common.js';

const P = 'io.k8s.api.core.v1.';

export const ConfigMapNodeConfigSourceSchema = struct(P + 'ConfigMapNodeConfigSource', 'Deprecated: a ConfigMap holding kubelet configuration.', {
  namespace: string('Namespace of the ConfigMap.'),
  name: string('Name of the ConfigMap.'),
  uid: string('UID of the ConfigMap; only in status.'),
  resourceVersion: string('resourceVersion of the ConfigMap; only in status.'),
  kubeletConfigKey: string('Key of the ConfigMap holding the KubeletConfiguration.'),
});

export const NodeConfigSourceSchema = struct(P + 'NodeConfigSource', 'Deprecated: where a node got its kubelet configuration from.', {
  configMap: withDescription(ConfigMapNodeConfigSourceSchema, 'The ConfigMap holding the configuration.'),
});
type NodeConfigSource = Static<typeof NodeConfigSourceSchema>;

export const NodeSpecSchema = struct(P + 'NodeSpec', 'Desired state of a node.', {
  podCIDR: string('Pod IP range assigned to the node.'),
  podCIDRs: array(string(''), 'Pod IP ranges assigned to the node, at most one per IP family; the first equals podCIDR.', { strategy: 'merge', listType: 'set' }),
  providerID: string('ID of the node at the cloud provider, as <ProviderName>://<ProviderSpecificNodeID>.'),
  unschedulable: boolean('Keeps new pods off the node (cordon).'),
  taints: array(TaintSchema, 'Taints of the node.', { listType: 'atomic' }),
  configSource: withDescription(NodeConfigSourceSchema, 'Deprecated: source of the dynamic kubelet configuration (the feature is removed).'),
  externalID: string('Deprecated and unused.'),
});

export const DaemonEndpointSchema = struct(P + 'DaemonEndpoint', 'A port a node daemon listens on.', {
  Port: int32('The port number.'),
});

export const NodeDaemonEndpointsSchema = struct(P + 'NodeDaemonEndpoints', 'Ports opened by daemons on the node.', {
  kubeletEndpoint: withDescription(DaemonEndpointSchema, 'The port the kubelet listens on.'),
});

export const NodeSystemInfoSchema = struct(P + 'NodeSystemInfo', 'Identifiers and versions reported by the node.', {
  machineID: string('Machine ID (see machine-id(5)); preferred for identifying the node.'),
  systemUUID: string('System UUID reported by the node.'),
  bootID: string('Boot ID of the node.'),
  kernelVersion: string("Kernel version, from 'uname -r'."),
  osImage: string('OS image, from /etc/os-release.'),
  containerRuntimeVersion: string('Container runtime version, e.g. containerd://1.6.20.'),
  kubeletVersion: string('Kubelet version.'),
  kubeProxyVersion: string('Deprecated: kube-proxy version.'),
  operatingSystem: string('Operating system, e.g. linux.'),
  architecture: string('CPU architecture, e.g. amd64.'),
});

export const NodeConfigStatusSchema = struct(P + 'NodeConfigStatus', 'Deprecated: state of the dynamic kubelet configuration.', {
  assigned: withDescription(NodeConfigSourceSchema, 'The configuration the node will try to use.'),
  active: withDescription(NodeConfigSourceSchema, 'The configuration the node uses.'),
  lastKnownGood: withDescription(NodeConfigSourceSchema, 'The configuration the node falls back to.'),
  error: string('Problem reconciling the assigned configuration.'),
});

export const NodeConditionSchema = struct(P + 'NodeCondition', 'One aspect of the state of a node, e.g. Ready or MemoryPressure.', {
  type: string('Type of the condition.'),
  status: string('True, False or Unknown.'),
  lastHeartbeatTime: time('Last time the condition was reported.'),
  lastTransitionTime: time('Last time the status changed.'),
  reason: string('Brief reason for the last transition.'),
  message: string('Human-readable details of the last transition.'),
});
type NodeCondition = Static<typeof NodeConditionSchema>;

export const NodeAddressSchema = struct(P + 'NodeAddress', 'An address of a node.', {
  type: string('Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.'),
  address: string('The address.'),
});

export const ContainerImageSchema = struct(P + 'ContainerImage', 'A container image present on a node.', {
  names: array(string(''), 'Names the image is known by.', { listType: 'atomic' }),
  sizeBytes: int64('Size of the image in bytes.'),
});

export const AttachedVolumeSchema = struct(P + 'AttachedVolume', 'A volume attached to a node.', {
  name: string('Unique name of the volume.'),
  devicePath: string('Device path where the volume is available.'),
});

export const NodeRuntimeHandlerFeaturesSchema = struct(P + 'NodeRuntimeHandlerFeatures', 'Features a runtime handler supports.', {
  recursiveReadOnlyMounts: boolean('Supports recursive read-only mounts.'),
  userNamespaces: boolean('Supports user namespaces, including for volumes.'),
});

export const NodeRuntimeHandlerSchema = struct(P + 'NodeRuntimeHandler', 'A runtime handler of the node.', {
  name: string('Name of the handler; empty for the default one.'),
  features: withDescription(NodeRuntimeHandlerFeaturesSchema, 'Supported features.'),
});

export const NodeFeaturesSchema = struct(P + 'NodeFeatures', 'Features the container runtime of the node implements.', {
  supplementalGroupsPolicy: boolean('Supports SupplementalGroupsPolicy and ContainerUser.'),
});

export const NodeStatusSchema = struct(P + 'NodeStatus', 'Observed state of a node.', {
  capacity: map(quantity(''), 'Total resources of the node.'),
  allocatable: map(quantity(''), 'Resources available for pods; defaults to capacity.'),
  phase: string('Deprecated and never set.'),
  conditions: array(NodeConditionSchema, 'Current conditions of the node.', { mergeKey: 'type', strategy: 'merge', listType: 'map', mapKeys: ['type'] }),
  addresses: array(NodeAddressSchema, 'Addresses of the node. Replace the whole list when patching: the merge key is not unique.', {
    mergeKey: 'type',
    strategy: 'merge',
    listType: 'map',
    mapKeys: ['type'],
  }),
  daemonEndpoints: withDescription(NodeDaemonEndpointsSchema, 'Ports of the daemons on the node.'),
  nodeInfo: withDescription(NodeSystemInfoSchema, 'Identifiers and versions of the node.'),
  images: array(ContainerImageSchema, 'Container images on the node.', { listType: 'atomic' }),
  volumesInUse: array(string(''), 'Attachable volumes in use (mounted) on the node.', { listType: 'atomic' }),
  volumesAttached: array(AttachedVolumeSchema, 'Volumes attached to the node.', { listType: 'atomic' }),
  config: withDescription(NodeConfigStatusSchema, 'Deprecated: state of the dynamic kubelet configuration.'),
  runtimeHandlers: array(NodeRuntimeHandlerSchema, 'Runtime handlers available on the node.', { listType: 'atomic' }),
  features: withDescription(NodeFeaturesSchema, 'Features of the container runtime.'),
});

export const NodeSchema = resourceSchema(P + 'Node', 'A worker machine of the cluster.', {
  spec: withDescription(NodeSpecSchema, 'Desired state of the node.'),
  status: withDescription(NodeStatusSchema, 'Observed state of the node.'),
});
export type Node = Static<typeof NodeSchema>;
export const NodeListSchema = listSchema(P + 'NodeList', NodeSchema);

const nodeRolePrefix = 'node-role.kubernetes.io/';
const nodeRoleLabel = 'kubernetes.io/role';

/** Allocatable defaults to capacity; the removed dynamic kubelet config source is dropped. */
export function defaultNode(node: Node): void {
  // It could only be kept when already stored, and it never is (create drops it).
  if (node.spec) delete node.spec.configSource;
  const st = node.status;
  if (st && st.allocatable === undefined && st.capacity !== undefined) st.allocatable = { ...st.capacity };
}

/** Node taints must be valid and unique per key and effect. */
function validateNodeTaints(taints: readonly Taint[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  taints.forEach((t, i) => {
    const p = path.index(i);
    errs.push(...validateLabelName(t.key ?? '', p.child('key')));
    const valueErrs = isValidLabelValue(t.value ?? '');
    if (valueErrs.length > 0) errs.push(invalid(p.child('value'), t.value ?? '', valueErrs.join(';')));
    // An absent effect is reported by the schema's required check.
    if (t.effect) errs.push(...validateTaintEffect(t.effect, false, p.child('effect')));
    const k = `${t.effect ?? ''}\u0000${t.key ?? ''}`;
    if (seen.has(k)) {
      errs.push({ ...duplicate(p, t), detail: 'taints must be unique by key and effect pair' });
      return;
    }
    seen.add(k);
  });
  return errs;
}

function validateNodeResources(node: Node): FieldError[] {
  const errs: FieldError[] = [];
  // Upstream uses dotted paths here (status.capacity.cpu), not [key] ones.
  for (const field of ['capacity', 'allocatable'] as const) {
    for (const [k, v] of Object.entries(node.status?.[field] ?? {})) errs.push(...validateResourceQuantityValue(k, v, FieldPath.root('status').child(field, k)));
  }
  return errs;
}

/** IPv6 CIDR (an IPv4-mapped prefix counts as IPv4); undefined when it does not parse. */
function cidrIsIPv6(cidr: string): boolean | undefined {
  const c = parseCIDR(cidr);
  if (!c) return undefined;
  const b = c.ip;
  const mapped = b.length === 16 && b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  return b.length === 16 && !mapped;
}

export function validateNode(node: Node): FieldError[] {
  const errs: FieldError[] = [];
  // Upstream reports node taints under metadata, not spec.
  if ((node.spec?.taints ?? []).length > 0) errs.push(...validateNodeTaints(node.spec?.taints ?? [], FieldPath.root('metadata').child('taints')));
  errs.push(...validateNodeResources(node));
  const cidrs = node.spec?.podCIDRs ?? [];
  const path = FieldPath.root('spec').child('podCIDRs');
  cidrs.forEach((c, i) => {
    for (const m of isValidCIDR(c)) errs.push(invalid(path.index(i), c, m));
  });
  if (cidrs.length > 1) {
    const families = cidrs.map(cidrIsIPv6);
    const bad = cidrs.find((_, i) => families[i] === undefined);
    if (bad !== undefined) errs.push(internalError(path, `invalid PodCIDRs. failed to check with dual stack with error:invalid CIDR address: ${bad}`));
    const dualStack = bad === undefined && families.includes(true) && families.includes(false);
    if (!dualStack || cidrs.length > 2) errs.push(invalid(path, cidrs, 'may specify no more than one CIDR for each IP family'));
    const seen = new Set<string>();
    cidrs.forEach((c, i) => {
      if (seen.has(c)) errs.push(duplicate(path.index(i), c));
      seen.add(c);
    });
  }
  return errs;
}

type ConfigMapSource = NonNullable<NodeConfigSource['configMap']>;

function validateConfigMapSource(src: ConfigMapSource, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!src.namespace) errs.push(required(path.child('namespace'), 'namespace must be set'));
  else for (const m of isDNS1123Label(src.namespace)) errs.push(invalid(path.child('namespace'), src.namespace, m));
  if (!src.name) errs.push(required(path.child('name'), 'name must be set'));
  else for (const m of isDNS1123Subdomain(src.name)) errs.push(invalid(path.child('name'), src.name, m));
  if (!src.kubeletConfigKey) errs.push(required(path.child('kubeletConfigKey'), 'kubeletConfigKey must be set'));
  else for (const m of isConfigMapKey(src.kubeletConfigKey)) errs.push(invalid(path.child('kubeletConfigKey'), src.kubeletConfigKey, m));
  return errs;
}

/** In spec the reference names a ConfigMap; in status it also pins its uid and resourceVersion. */
function validateConfigSource(src: NodeConfigSource, inStatus: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const cm = src.configMap;
  if (cm) {
    const p = path.child('configMap');
    if (inStatus) {
      if (!cm.uid) errs.push(required(p.child('uid'), 'uid must be set in status'));
      if (!cm.resourceVersion) errs.push(required(p.child('resourceVersion'), 'resourceVersion must be set in status'));
    } else {
      if (cm.uid) errs.push(forbidden(p.child('uid'), 'uid must not be set in spec'));
      if (cm.resourceVersion) errs.push(forbidden(p.child('resourceVersion'), 'resourceVersion must not be set in spec'));
    }
    errs.push(...validateConfigMapSource(cm, p));
  } else {
    errs.push(invalid(path, src, 'exactly one reference subfield must be non-nil'));
  }
  return errs;
}

export function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const errs = validateNode(node);
  const seen = new Set<string>();
  (node.status?.addresses ?? []).forEach((a, i) => {
    const k = `${a.type ?? ''}\u0000${a.address ?? ''}`;
    if (seen.has(k)) errs.push(duplicate(FieldPath.root('status').child('addresses').index(i), a));
    seen.add(k);
  });
  const spec = FieldPath.root('spec');
  // The node IPAM controller may assign pod CIDRs once; after that they are fixed.
  const oldCIDRs = old.spec?.podCIDRs ?? [];
  const cidrs = node.spec?.podCIDRs ?? [];
  const cidrMsg = 'node updates may not change podCIDR except from "" to valid';
  if (oldCIDRs.length > 0) {
    if (oldCIDRs.length !== cidrs.length) errs.push(forbidden(spec.child('podCIDRs'), cidrMsg));
    else oldCIDRs.forEach((c, i) => c !== cidrs[i] && errs.push(forbidden(spec.child('podCIDRs'), cidrMsg)));
  }
  if (old.spec?.providerID && old.spec.providerID !== (node.spec?.providerID ?? '')) {
    errs.push(forbidden(spec.child('providerID'), 'node updates may not change providerID except from "" to valid'));
  }
  if (node.spec?.configSource) errs.push(...validateConfigSource(node.spec.configSource, false, spec.child('configSource')));
  const cfg = node.status?.config;
  if (cfg) {
    const p = FieldPath.root('status').child('config');
    for (const k of ['assigned', 'active', 'lastKnownGood'] as const) {
      const src = cfg[k];
      if (src) errs.push(...validateConfigSource(src, true, p.child(k)));
    }
  }
  if ((node.spec?.externalID ?? '') !== (old.spec?.externalID ?? '')) errs.push(forbidden(spec.child('externalID'), 'may not be updated'));
  return errs;
}

export function prepareNodeForCreate(node: Node): void {
  // Dynamic kubelet configuration is gone; its status is dropped (and its spec by defaulting).
  if (node.status) delete node.status.config;
}

/** "Ready", "NotReady" or "Unknown", plus ",SchedulingDisabled" for a cordoned node. */
export function nodeStatusCell(node: Node): string {
  const ready: NodeCondition | undefined = (node.status?.conditions ?? []).filter((c) => c.type === 'Ready').pop();
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

/** Roles from node-role.kubernetes.io/<role> labels and the kubernetes.io/role label, sorted. */
export function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(nodeRolePrefix)) {
      const role = k.slice(nodeRolePrefix.length);
      if (role) roles.add(role);
    } else if (k === nodeRoleLabel && v) {
      roles.add(v);
    }
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

function firstAddress(node: Node, type: string): string {
  return (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? '<none>';
}

export const nodeResource: ResourceDef<Node> = {
  group: '',
  version: 'v1',
  kind: 'Node',
  listKind: 'NodeList',
  plural: 'nodes',
  singular: 'node',
  shortNames: ['no'],
  namespaced: false,
  schema: NodeSchema,
  nameValidation: 'subdomain',
  subresources: { status: true },
  defaults: defaultNode,
  prepareForCreate: prepareNodeForCreate,
  validate: validateNode,
  validateUpdate: validateNodeUpdate,
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the node.', priority: 0 },
      { name: 'Status', type: 'string', description: 'The status of the node', priority: 0 },
      { name: 'Roles', type: 'string', description: 'The roles of the node', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the node was registered.', priority: 0 },
      { name: 'Version', type: 'string', description: 'Kubelet version of the node.', priority: 0 },
      { name: 'Internal-IP', type: 'string', description: 'First InternalIP address of the node.', priority: 1 },
      { name: 'External-IP', type: 'string', description: 'First ExternalIP address of the node.', priority: 1 },
      { name: 'OS-Image', type: 'string', description: 'OS image of the node.', priority: 1 },
      { name: 'Kernel-Version', type: 'string', description: 'Kernel version of the node.', priority: 1 },
      { name: 'Container-Runtime', type: 'string', description: 'Container runtime version of the node.', priority: 1 },
    ],
    cells: (node, now) => {
      const info = node.status?.nodeInfo ?? {};
      return [
        node.metadata?.name ?? '',
        nodeStatusCell(node),
        nodeRoles(node),
        age(node.metadata?.creationTimestamp, now),
        info.kubeletVersion ?? '',
        firstAddress(node, 'InternalIP'),
        firstAddress(node, 'ExternalIP'),
        info.osImage || '<unknown>',
        info.kernelVersion || '<unknown>',
        info.containerRuntimeVersion || '<unknown>',
      ];
    },
  },
  fieldSelectors: {
    'spec.unschedulable': (node) => String(node.spec?.unschedulable === true),
  },
};
