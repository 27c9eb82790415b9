import { test } from 'node:test';
import assert from 'node:assert/strict';
import { volumeAttachmentResource, type VolumeAttachment } from '../../../../pkg/api/storage/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const now = new Date('2024-05-01T12:00:00Z');
const schema = asNode(volumeAttachmentResource.schema);

function va(spec: VolumeAttachment['spec'], status?: VolumeAttachment['status']): VolumeAttachment {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'VolumeAttachment',
    metadata: { name: 'csi-0123abcd', creationTimestamp: '2024-05-01T11:50:00Z' },
    spec,
    ...(status ? { status } : {}),
  };
}

const goodSpec = (): NonNullable<VolumeAttachment['spec']> => ({
  attacher: 'hostpath.csi.kubets.io',
  source: { persistentVolumeName: 'pvc-1234' },
  nodeName: 'node-1',
});

function errors(obj: VolumeAttachment, old?: VolumeAttachment): string[] {
  const kind = old ? volumeAttachmentResource.validateUpdate!(obj, old) : volumeAttachmentResource.validate!(obj);
  return [...validateSchema(obj, schema), ...kind].map(errorString);
}

const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

const cases: { name: string; obj: VolumeAttachment; want: string[] }[] = [
  { name: 'an attachment of a persistent volume to a node is valid', obj: va(goodSpec()), want: [] },
  {
    name: 'a source needs one of its two fields',
    obj: va({ ...goodSpec(), source: {} }),
    want: ['spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName'],
  },
  {
    name: 'a source may not name both a volume and an inline spec',
    obj: va({ ...goodSpec(), source: { persistentVolumeName: 'pv', inlineVolumeSpec: {} } }),
    want: ['spec.source: Forbidden: must specify exactly one of inlineVolumeSpec and persistentVolumeName'],
  },
  {
    name: 'an empty volume name is required',
    obj: va({ ...goodSpec(), source: { persistentVolumeName: '' } }),
    want: [
      'spec.source.persistentVolumeName: Required value: must specify non empty persistentVolumeName',
      `spec.source.persistentVolumeName: Invalid value: "": ${subdomainMsg}`,
    ],
  },
  {
    name: 'the attacher must be a CSI driver name',
    obj: va({ ...goodSpec(), attacher: 'Host_Path' }),
    want: [`spec.attacher: Invalid value: "Host_Path": ${subdomainMsg}`],
  },
  {
    name: 'the node name must be a DNS subdomain',
    obj: va({ ...goodSpec(), nodeName: '' }),
    want: [`spec.nodeName: Invalid value: "": ${subdomainMsg}`],
  },
  {
    name: 'an attach error message over 1024 bytes is too long',
    obj: va(goodSpec(), { attached: false, attachError: { message: 'x'.repeat(1025) } }),
    want: ['status.attachError.message: Too long: may not be more than 262144 bytes'],
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(errors(c.obj), c.want);
  });
}

test('the spec cannot change but the status can', () => {
  const old = va(goodSpec());
  const moved = va({ ...goodSpec(), nodeName: 'node-2' });
  const errs = volumeAttachmentResource.validateUpdate!(moved, old);
  assert.deepEqual(errs.map((e) => [e.field, e.detail]), [['spec', 'field is immutable']]);
  assert.deepEqual(errors(va(goodSpec(), { attached: true, attachmentMetadata: { devicePath: '/dev/sdb' } }), old), []);
});

test('create clears the status to not attached', () => {
  const v = va(goodSpec(), { attached: true });
  volumeAttachmentResource.prepareForCreate!(v);
  assert.deepEqual(v.status, { attached: false });
  assert.deepEqual(volumeAttachmentResource.subresources, { status: true });
});

test('the table shows attacher, volume, node and attach state', () => {
  assert.deepEqual(volumeAttachmentResource.table!.cells(va(goodSpec(), { attached: true }), now), [
    'csi-0123abcd',
    'hostpath.csi.kubets.io',
    'pvc-1234',
    'node-1',
    true,
    '10m',
  ]);
  assert.deepEqual(
    volumeAttachmentResource.table!.columns.map((c) => c.name),
    ['Name', 'Attacher', 'PV', 'Node', 'Attached', 'Age'],
  );
});
