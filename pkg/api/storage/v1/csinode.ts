// storage.k8s.io/v1 CSINode: the CSI drivers installed on one node, named after the node.
import { listSchema, resourceSchema } from '../../meta/v1.js';
import { age } from '../../printers/age.js';
import type { ResourceDef } from '../../registry.js';
import { array, int32, string, struct, withDescription, type Static } from '../../schema/dsl.js';
import { FieldPath, duplicate, invalid, required, type FieldError } from '../../validation/field.js';
import { validateNonnegativeField, validateQualifiedName } from '../../validation/names.js';
import { semanticDeepEqual } from '../../validation/objectmeta.js';
import { validateCSIDriverName } from './validation.js';

const P = 'io.k8s.api.storage.v1.';

export const VolumeNodeResourcesSchema = struct(P + 'VolumeNodeResources', 'Limits on volumes of one driver on a node.', {
  count: int32('Maximum number of distinct volumes of the driver on the node; unset means no limit.'),
});

export const CSINodeDriverSchema = struct(
  P + 'CSINodeDriver',
  'One CSI driver installed on the node.',
  {
    name: string('Name of the driver, as its CSIDriver object names it.'),
    nodeID: string('ID of the node as the driver knows it.'),
    topologyKeys: array(string(''), 'Topology label keys the driver reports for the node.', { listType: 'atomic' }),
    allocatable: withDescription(VolumeNodeResourcesSchema, 'Volume resources of the driver available on the node.'),
  },
  { required: ['nodeID'] },
);
export type CSINodeDriver = Static<typeof CSINodeDriverSchema>;

export const CSINodeSpecSchema = struct(P + 'CSINodeSpec', 'The drivers installed on the node.', {
  drivers: array(CSINodeDriverSchema, 'The CSI drivers registered on the node.', {
    mergeKey: 'name',
    strategy: 'merge',
    listType: 'map',
    mapKeys: ['name'],
  }),
});

export const CSINodeSchema = resourceSchema(P + 'CSINode', 'The CSI drivers of a node. Written by the kubelet; the name is the node name.', {
  spec: withDescription(CSINodeSpecSchema, 'The drivers installed on the node.'),
});
export type CSINode = Static<typeof CSINodeSchema>;

export const CSINodeListSchema = listSchema(P + 'CSINodeList', CSINodeSchema);

// The apiserver accepts the longer node IDs (256) since v1.21.
const csiNodeIDMaxLength = 256;

function validateCSINodeDriver(d: CSINodeDriver, seen: Set<string>, path: FieldPath): FieldError[] {
  const name = d.name ?? '';
  const errs = validateCSIDriverName(name, path.child('name'));
  // An empty nodeID is a "Required value" from the schema.
  const nodeID = d.nodeID ?? '';
  if (nodeID.length > csiNodeIDMaxLength) {
    errs.push(invalid(path.child('nodeID'), nodeID, `must be ${csiNodeIDMaxLength} characters or less`));
  }
  if (d.allocatable?.count !== undefined) errs.push(...validateNonnegativeField(d.allocatable.count, path.child('allocatable').child('count')));
  if (seen.has(name)) errs.push(duplicate(path.child('name'), name));
  seen.add(name);
  // Upstream reports topology key problems on the driver entry itself, not on the key.
  const keys = new Set<string>();
  for (const key of d.topologyKeys ?? []) {
    if (key.length === 0) errs.push(required(path, ''));
    if (keys.has(key)) errs.push(duplicate(path, key));
    keys.add(key);
    errs.push(...validateQualifiedName(key, path));
  }
  return errs;
}

export function validateCSINode(node: CSINode): FieldError[] {
  const path = FieldPath.root('spec').child('drivers');
  const seen = new Set<string>();
  return (node.spec?.drivers ?? []).flatMap((d, i) => validateCSINodeDriver(d, seen, path.index(i)));
}

/** A registered driver cannot be changed; drivers may only be added or removed. */
export function validateCSINodeUpdate(node: CSINode, old: CSINode): FieldError[] {
  const errs = validateCSINode(node);
  const path = FieldPath.root('spec').child('drivers');
  for (const o of old.spec?.drivers ?? []) {
    for (const n of node.spec?.drivers ?? []) {
      if (o.name === n.name && !semanticDeepEqual(n, o)) errs.push(invalid(path, n, 'field is immutable'));
    }
  }
  return errs;
}

export const csiNodeResource: ResourceDef<CSINode> = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'CSINode',
  listKind: 'CSINodeList',
  plural: 'csinodes',
  singular: 'csinode',
  namespaced: false,
  schema: CSINodeSchema,
  nameValidation: 'subdomain',
  validate: validateCSINode,
  validateUpdate: validateCSINodeUpdate,
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the node.', priority: 0 },
      { name: 'Drivers', type: 'integer', description: 'Number of CSI drivers registered on the node.', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the object was created.', priority: 0 },
    ],
    cells: (obj, now) => [obj.metadata?.name ?? '', (obj.spec?.drivers ?? []).length, age(obj.metadata?.creationTimestamp, now)],
  },
};
