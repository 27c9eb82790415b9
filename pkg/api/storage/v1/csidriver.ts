// storage.k8s.io/v1 CSIDriver: how Kubernetes talks to one CSI volume driver installed in the cluster.
import { listSchema, resourceSchema } from '../../meta/v1.js';
import { age } from '../../printers/age.js';
import type { ResourceDef } from '../../registry.js';
import { applyDefaults } from '../../schema/walk.js';
import { array, asNode, boolean, int64, string, struct, withDefault, withDescription, type Static } from '../../schema/dsl.js';
import { FieldPath, duplicate, invalid, notSupported, required, type FieldError } from '../../validation/field.js';
import { semanticDeepEqual } from '../../validation/objectmeta.js';

const P = 'io.k8s.api.storage.v1.';

export const TokenRequestSchema = struct(P + 'TokenRequest', 'A service account token the kubelet passes to the driver.', {
  audience: string('Intended audience of the token; empty means the API server audiences.'),
  expirationSeconds: int64('Lifetime of the token, at least 10 minutes; defaults to the TokenRequest default.'),
});
export type TokenRequest = Static<typeof TokenRequestSchema>;

export const CSIDriverSpecSchema = struct(P + 'CSIDriverSpec', 'What the driver needs from Kubernetes.', {
  attachRequired: withDefault(
    boolean('Whether volumes of this driver need an attach step (ControllerPublishVolume) before they are mounted. Cannot be changed.'),
    true,
  ),
  podInfoOnMount: withDefault(boolean('Whether the kubelet passes pod information (name, namespace, UID, service account) to NodePublishVolume.'), false),
  volumeLifecycleModes: withDefault(
    array(string(''), 'Volume modes the driver supports: Persistent and/or Ephemeral (inline volumes). Cannot be changed.', { listType: 'set' }),
    ['Persistent'],
  ),
  storageCapacity: withDefault(
    boolean('Whether the scheduler should consider the storage capacity the driver reports through CSIStorageCapacity objects.'),
    false,
  ),
  fsGroupPolicy: withDefault(
    string('Whether the driver supports changing volume ownership to the pod fsGroup: ReadWriteOnceWithFSType, File or None.', {
      enum: ['File', 'None', 'ReadWriteOnceWithFSType'],
    }),
    'ReadWriteOnceWithFSType',
  ),
  tokenRequests: array(TokenRequestSchema, 'Service account tokens the kubelet passes to NodePublishVolume.', { listType: 'atomic' }),
  requiresRepublish: withDefault(boolean('Whether the kubelet calls NodePublishVolume periodically, e.g. to refresh tokens.'), false),
  seLinuxMount: withDefault(boolean('Whether the driver supports the -o context mount option, so volumes get the pod SELinux label at mount.'), false),
});
export type CSIDriverSpec = Static<typeof CSIDriverSpecSchema>;

export const CSIDriverSchema = resourceSchema(P + 'CSIDriver', 'Information about a CSI volume driver deployed in the cluster. The name is the driver name.', {
  spec: withDescription(CSIDriverSpecSchema, 'What the driver needs from Kubernetes.'),
});
export type CSIDriver = Static<typeof CSIDriverSchema>;

export const CSIDriverListSchema = listSchema(P + 'CSIDriverList', CSIDriverSchema);

const lifecycleModes = ['Persistent', 'Ephemeral'];
const minTokenSeconds = 10 * 60;
const maxTokenSeconds = 2 ** 32;

function validateTokenRequests(requests: readonly TokenRequest[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const audiences = new Set<string>();
  requests.forEach((r, i) => {
    const p = path.index(i);
    const audience = r.audience ?? '';
    if (audiences.has(audience)) {
      errs.push(duplicate(p.child('audience'), audience));
      return;
    }
    audiences.add(audience);
    const exp = r.expirationSeconds;
    if (exp === undefined) return;
    if (exp < minTokenSeconds) errs.push(invalid(p.child('expirationSeconds'), exp, 'may not specify a duration less than 10 minutes'));
    if (exp > maxTokenSeconds) errs.push(invalid(p.child('expirationSeconds'), exp, 'may not specify a duration larger than 2^32 seconds'));
  });
  return errs;
}

export function validateCSIDriverSpec(spec: CSIDriverSpec | undefined, path: FieldPath): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  // Upstream spells this path "attachedRequired".
  if (s.attachRequired === undefined) errs.push(required(path.child('attachedRequired'), ''));
  if (s.podInfoOnMount === undefined) errs.push(required(path.child('podInfoOnMount'), ''));
  if (s.storageCapacity === undefined) errs.push(required(path.child('storageCapacity'), ''));
  errs.push(...validateTokenRequests(s.tokenRequests ?? [], path.child('tokenRequests')));
  for (const mode of s.volumeLifecycleModes ?? []) {
    if (!lifecycleModes.includes(mode)) errs.push(notSupported(path.child('volumeLifecycleModes'), mode, lifecycleModes));
  }
  if (s.seLinuxMount === undefined) errs.push(required(path.child('seLinuxMount'), ''));
  return errs;
}

const specPath = FieldPath.root('spec');

export function validateCSIDriverUpdate(obj: CSIDriver, old: CSIDriver): FieldError[] {
  const errs = validateCSIDriverSpec(obj.spec, specPath);
  const [spec, oldSpec] = [obj.spec ?? {}, old.spec ?? {}];
  if (!semanticDeepEqual(spec.attachRequired, oldSpec.attachRequired)) {
    errs.push(invalid(specPath.child('attachedRequired'), spec.attachRequired ?? null, 'field is immutable'));
  }
  if (!semanticDeepEqual(spec.volumeLifecycleModes, oldSpec.volumeLifecycleModes)) {
    errs.push(invalid(specPath.child('volumeLifecycleModes'), spec.volumeLifecycleModes ?? [], 'field is immutable'));
  }
  return errs;
}

/** The audiences joined by commas, or "<unset>" (an empty list is not stored, so it reads back absent). */
function tokenRequestsText(requests: readonly TokenRequest[] | undefined): string {
  return requests === undefined || requests.length === 0 ? '<unset>' : requests.map((r) => r.audience ?? '').join(',');
}

export const csiDriverResource: ResourceDef<CSIDriver> = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'CSIDriver',
  listKind: 'CSIDriverList',
  plural: 'csidrivers',
  singular: 'csidriver',
  namespaced: false,
  schema: CSIDriverSchema,
  nameValidation: 'subdomain',
  defaults(obj) {
    // Upstream defaults the spec even when it is absent, and an empty mode list like an absent one.
    if (!obj.spec) {
      obj.spec = {};
      applyDefaults(obj.spec, asNode(CSIDriverSpecSchema));
    }
    if (obj.spec.volumeLifecycleModes?.length === 0) obj.spec.volumeLifecycleModes = ['Persistent'];
  },
  validate: (obj) => validateCSIDriverSpec(obj.spec, specPath),
  validateUpdate: validateCSIDriverUpdate,
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the CSI driver.', priority: 0 },
      { name: 'AttachRequired', type: 'boolean', description: 'Whether volumes need an attach step.', priority: 0 },
      { name: 'PodInfoOnMount', type: 'boolean', description: 'Whether pod information is passed on mount.', priority: 0 },
      { name: 'StorageCapacity', type: 'boolean', description: 'Whether the scheduler considers storage capacity.', priority: 0 },
      { name: 'TokenRequests', type: 'string', description: 'Audiences of the tokens passed to the driver.', priority: 0 },
      { name: 'RequiresRepublish', type: 'boolean', description: 'Whether volumes are published again periodically.', priority: 0 },
      { name: 'Modes', type: 'string', description: 'Supported volume lifecycle modes.', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the driver was registered.', priority: 0 },
    ],
    cells: (obj, now) => {
      const s = obj.spec ?? {};
      const modes = (s.volumeLifecycleModes ?? []).join(',');
      return [
        obj.metadata?.name ?? '',
        s.attachRequired ?? true,
        s.podInfoOnMount ?? false,
        s.storageCapacity ?? false,
        tokenRequestsText(s.tokenRequests),
        s.requiresRepublish ?? false,
        modes === '' ? '<none>' : modes,
        age(obj.metadata?.creationTimestamp, now),
      ];
    },
  },
};
