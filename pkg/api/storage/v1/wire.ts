// Protobuf field numbers of the storage.k8s.io/v1 types, as Kubernetes v1.32 assigns them, keyed by our
// OpenAPI definition names and JSON field names. The schemas give the shape; this only adds numbers.
import type { WireGroup } from '../../schema/protobuf.js';

const P = 'io.k8s.api.storage.v1.';

export const storageWire: WireGroup = {
  fields: {
    [`${P}CSIDriver`]: { metadata: 1, spec: 2 },
    [`${P}CSIDriverSpec`]: {
      attachRequired: 1, podInfoOnMount: 2, volumeLifecycleModes: 3, storageCapacity: 4, fsGroupPolicy: 5, tokenRequests: 6,
      requiresRepublish: 7, seLinuxMount: 8,
    },
    [`${P}CSINode`]: { metadata: 1, spec: 2 },
    [`${P}CSINodeDriver`]: { name: 1, nodeID: 2, topologyKeys: 3, allocatable: 4 },
    [`${P}CSINodeSpec`]: { drivers: 1 },
    [`${P}StorageClass`]: {
      metadata: 1, provisioner: 2, parameters: 3, reclaimPolicy: 4, mountOptions: 5, allowVolumeExpansion: 6,
      volumeBindingMode: 7, allowedTopologies: 8,
    },
    [`${P}TokenRequest`]: { audience: 1, expirationSeconds: 2 },
    [`${P}VolumeAttachment`]: { metadata: 1, spec: 2, status: 3 },
    [`${P}VolumeAttachmentSource`]: { persistentVolumeName: 1, inlineVolumeSpec: 2 },
    [`${P}VolumeAttachmentSpec`]: { attacher: 1, source: 2, nodeName: 3 },
    [`${P}VolumeAttachmentStatus`]: { attached: 1, attachmentMetadata: 2, attachError: 3, detachError: 4 },
    [`${P}VolumeError`]: { time: 1, message: 2 },
    [`${P}VolumeNodeResources`]: { count: 1 },
  },
  keepZero: {
    [`${P}CSIDriverSpec`]: ['attachRequired', 'podInfoOnMount', 'storageCapacity', 'fsGroupPolicy', 'requiresRepublish', 'seLinuxMount'],
    [`${P}CSINodeDriver`]: ['name', 'nodeID'],
    [`${P}StorageClass`]: ['provisioner', 'reclaimPolicy', 'allowVolumeExpansion', 'volumeBindingMode'],
    [`${P}TokenRequest`]: ['audience', 'expirationSeconds'],
    [`${P}VolumeAttachmentSource`]: ['persistentVolumeName'],
    [`${P}VolumeAttachmentSpec`]: ['attacher', 'nodeName'],
    [`${P}VolumeAttachmentStatus`]: ['attached'],
    [`${P}VolumeNodeResources`]: ['count'],
  },
};
