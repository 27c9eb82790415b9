// storage.k8s.io/v1 VolumeAttachment: the intent to attach a volume to a node, and the attach result.
import { PersistentVolumeSpecSchema } from '../../core/v1/persistentvolume.js';
import { listSchema, resourceSchema } from '../../meta/v1.js';
import { age } from '../../printers/age.js';
import type { ResourceDef } from '../../registry.js';
import { boolean, map, string, struct, time, withDescription, type Static } from '../../schema/dsl.js';
import { FieldPath, forbidden, invalid, required, tooLong, type FieldError } from '../../validation/field.js';
import { isDNS1123Subdomain } from '../../validation/names.js';
import { semanticDeepEqual } from '../../validation/objectmeta.js';
import { validateCSIDriverName } from './validation.js';

const P = 'io.k8s.api.storage.v1.';

export const VolumeAttachmentSourceSchema = struct(P + 'VolumeAttachmentSource', 'The volume to attach: exactly one of the fields is set.', {
  persistentVolumeName: string('Name of the persistent volume to attach.'),
  inlineVolumeSpec: withDescription(
    PersistentVolumeSpecSchema,
    'The spec of an inline pod volume migrated to CSI, for drivers that attach such volumes (CSI migration only).',
  ),
});

export const VolumeAttachmentSpecSchema = struct(P + 'VolumeAttachmentSpec', 'What to attach, by whom and where.', {
  attacher: string('Name of the CSI driver that must handle the attachment.'),
  source: withDescription(VolumeAttachmentSourceSchema, 'The volume to attach.'),
  nodeName: string('The node the volume is attached to.'),
});
export type VolumeAttachmentSpec = Static<typeof VolumeAttachmentSpecSchema>;

export const VolumeErrorSchema = struct(P + 'VolumeError', 'An error met during an attach or detach operation.', {
  time: time('When the error was met.'),
  message: string('The error text; it may be logged, so it must not hold secrets.'),
});

export const VolumeAttachmentStatusSchema = struct(P + 'VolumeAttachmentStatus', 'The result of the attach or detach operation.', {
  attached: boolean('Whether the volume is attached. Set by the attacher.'),
  attachmentMetadata: map(string(''), 'Information returned by a successful attach, passed on to later mount calls. Set by the attacher.'),
  attachError: withDescription(VolumeErrorSchema, 'The last error of an attach operation, if any. Set by the attacher.'),
  detachError: withDescription(VolumeErrorSchema, 'The last error of a detach operation, if any. Set by the attacher.'),
});
export type VolumeAttachmentStatus = Static<typeof VolumeAttachmentStatusSchema>;

export const VolumeAttachmentSchema = resourceSchema(
  P + 'VolumeAttachment',
  'A request to attach a volume to a node, or to detach it. Cluster-scoped.',
  {
    spec: withDescription(VolumeAttachmentSpecSchema, 'The desired attach/detach state. Cannot be changed.'),
    status: withDescription(VolumeAttachmentStatusSchema, 'The current attach/detach state, written by the attacher.'),
  },
);
export type VolumeAttachment = Static<typeof VolumeAttachmentSchema>;

export const VolumeAttachmentListSchema = listSchema(P + 'VolumeAttachmentList', VolumeAttachmentSchema);

const maxAttachedVolumeMetadataSize = 256 * 1024;
const maxVolumeErrorMessageSize = 1024;
const exactlyOneSource = 'must specify exactly one of inlineVolumeSpec and persistentVolumeName';

function validateSource(source: VolumeAttachmentSpec['source'], path: FieldPath): FieldError[] {
  const pvName = source?.persistentVolumeName;
  const inline = source?.inlineVolumeSpec;
  if (pvName === undefined && inline === undefined) return [required(path, exactlyOneSource)];
  if (pvName !== undefined && inline !== undefined) return [forbidden(path, exactlyOneSource)];
  if (pvName !== undefined && pvName.length === 0) {
    return [required(path.child('persistentVolumeName'), 'must specify non empty persistentVolumeName')];
  }
  // The inline spec is the spec of a PersistentVolume; its own checks belong to that kind.
  return [];
}

function validateVolumeError(e: VolumeAttachmentStatus['attachError'], path: FieldPath): FieldError[] {
  // Upstream states the metadata limit in this message, not the 1024 bytes it checks.
  if (e?.message !== undefined && Buffer.byteLength(e.message) > maxVolumeErrorMessageSize) {
    return [tooLong(path.child('message'), '', maxAttachedVolumeMetadataSize)];
  }
  return [];
}

function validateStatus(status: VolumeAttachmentStatus | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(status?.attachmentMetadata ?? {})) size += Buffer.byteLength(k) + Buffer.byteLength(v);
  if (size > maxAttachedVolumeMetadataSize) errs.push(tooLong(path.child('attachmentMetadata'), '', maxAttachedVolumeMetadataSize));
  errs.push(...validateVolumeError(status?.attachError, path.child('attachError')));
  errs.push(...validateVolumeError(status?.detachError, path.child('detachError')));
  return errs;
}

const specPath = FieldPath.root('spec');

/** The checks of every write (create, update and status update). */
export function validateVolumeAttachmentCommon(va: VolumeAttachment): FieldError[] {
  const spec = va.spec;
  const errs: FieldError[] = [];
  if (!spec?.attacher) errs.push(required(specPath.child('attacher'), ''));
  errs.push(...validateSource(spec?.source, specPath.child('source')));
  const nodeName = spec?.nodeName ?? '';
  for (const m of isDNS1123Subdomain(nodeName)) errs.push(invalid(specPath.child('nodeName'), nodeName, m));
  errs.push(...validateStatus(va.status, FieldPath.root('status')));
  return errs;
}

/** Creation adds the stricter v1 checks of the attacher and the persistent volume name. */
export function validateVolumeAttachment(va: VolumeAttachment): FieldError[] {
  const errs = validateVolumeAttachmentCommon(va);
  errs.push(...validateCSIDriverName(va.spec?.attacher ?? '', specPath.child('attacher')));
  const pvName = va.spec?.source?.persistentVolumeName;
  if (pvName !== undefined) {
    const path = specPath.child('source').child('persistentVolumeName');
    for (const m of isDNS1123Subdomain(pvName)) errs.push(invalid(path, pvName, m));
  }
  return errs;
}

export function validateVolumeAttachmentUpdate(va: VolumeAttachment, old: VolumeAttachment): FieldError[] {
  const errs = validateVolumeAttachmentCommon(va);
  if (!semanticDeepEqual(va.spec, old.spec)) errs.push(invalid(specPath, va.spec ?? {}, 'field is immutable'));
  return errs;
}

export const volumeAttachmentResource: ResourceDef<VolumeAttachment> = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'VolumeAttachment',
  listKind: 'VolumeAttachmentList',
  plural: 'volumeattachments',
  singular: 'volumeattachment',
  namespaced: false,
  schema: VolumeAttachmentSchema,
  nameValidation: 'subdomain',
  subresources: { status: true },
  prepareForCreate(obj) {
    // attached has no omitempty upstream, so a new attachment reads back as not attached.
    obj.status = { attached: false };
  },
  validate: validateVolumeAttachment,
  validateUpdate: validateVolumeAttachmentUpdate,
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the attachment.', priority: 0 },
      // Upstream marks this column as a name column too.
      { name: 'Attacher', type: 'string', format: 'name', description: 'CSI driver handling the attachment.', priority: 0 },
      { name: 'PV', type: 'string', description: 'Persistent volume being attached.', priority: 0 },
      { name: 'Node', type: 'string', description: 'Node the volume is attached to.', priority: 0 },
      { name: 'Attached', type: 'boolean', description: 'Whether the volume is attached.', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the attachment was created.', priority: 0 },
    ],
    cells: (obj, now) => [
      obj.metadata?.name ?? '',
      obj.spec?.attacher ?? '',
      obj.spec?.source?.persistentVolumeName ?? '',
      obj.spec?.nodeName ?? '',
      obj.status?.attached ?? false,
      age(obj.metadata?.creationTimestamp, now),
    ],
  },
};
