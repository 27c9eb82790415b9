// core/v1 volume types: the pod's VolumeSource variants, the PersistentVolume source variants that
// PersistentVolumeSpec is composed of, volume mounts and the PersistentVolumeClaimSpec that
// ephemeral volumes embed. Validation lives in volumes-validation.ts.
import { LabelSelectorSchema, ObjectMetaSchema } from '../../meta/v1.js';
import {
  array,
  boolean,
  int32,
  int64,
  map,
  quantity,
  string,
  struct,
  withDefault,
  withDescription,
  type Static,
} from '../../schema/dsl.js';
import {
  LocalObjectReferenceSchema,
  ObjectReferenceSchema,
  SecretReferenceSchema,
  TypedLocalObjectReferenceSchema,
  TypedObjectReferenceSchema,
} from './common.js';

const P = 'io.k8s.api.core.v1.';

/** File mode used for projected files when neither defaultMode nor a per-item mode is given (0644). */
export const DEFAULT_VOLUME_FILE_MODE = 0o644;

const fsType = (): ReturnType<typeof string> => string('Filesystem type to mount, e.g. "ext4" or "xfs"; implicitly "ext4" when empty.');
const readOnly = (): ReturnType<typeof boolean> => boolean('Mount the volume read-only.');
const localSecretRef = (what: string) => withDescription(LocalObjectReferenceSchema, `Secret holding ${what}.`);
const secretRef = (what: string) => withDescription(SecretReferenceSchema, `Secret holding ${what}.`);

export const HostPathVolumeSourceSchema = struct(
  P + 'HostPathVolumeSource',
  'A file or directory on the node, mounted into the pod.',
  {
    path: string('Path on the node; a symlink is followed to its target.'),
    type: withDefault(
      string('What must exist at path: "", DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice or BlockDevice.'),
      '',
    ),
  },
  { required: ['path'] },
);
export type HostPathVolumeSource = Static<typeof HostPathVolumeSourceSchema>;

export const EmptyDirVolumeSourceSchema = struct(P + 'EmptyDirVolumeSource', 'A directory that lives as long as the pod.', {
  medium: string('Storage medium: "" (the node\'s default) or "Memory" (tmpfs).'),
  sizeLimit: quantity('Upper bound of local storage the directory may use.'),
});
export type EmptyDirVolumeSource = Static<typeof EmptyDirVolumeSourceSchema>;

export const GCEPersistentDiskVolumeSourceSchema = struct(
  P + 'GCEPersistentDiskVolumeSource',
  'A GCE persistent disk (deprecated in-tree plugin).',
  {
    pdName: string('Name of the persistent disk in GCE.'),
    fsType: fsType(),
    partition: int32('Partition to mount; 0 mounts the whole disk.'),
    readOnly: readOnly(),
  },
);

export const AWSElasticBlockStoreVolumeSourceSchema = struct(
  P + 'AWSElasticBlockStoreVolumeSource',
  'An AWS EBS disk (deprecated in-tree plugin).',
  {
    volumeID: string('Unique ID of the EBS volume.'),
    fsType: fsType(),
    partition: int32('Partition to mount; 0 mounts the whole disk.'),
    readOnly: readOnly(),
  },
  { required: ['volumeID'] },
);

export const GitRepoVolumeSourceSchema = struct(
  P + 'GitRepoVolumeSource',
  'A git repository cloned into an empty directory (deprecated).',
  {
    repository: string('Repository URL.'),
    revision: string('Commit hash to check out.'),
    directory: string('Target directory name; "." clones into the volume root.'),
  },
  { required: ['repository'] },
);

export const KeyToPathSchema = struct(
  P + 'KeyToPath',
  'Maps a key of a Secret or ConfigMap to a relative file path.',
  {
    key: string('The key to project.'),
    path: string('Relative path of the file; may not contain "..".'),
    mode: int32('File mode bits (0-0777); defaultMode of the volume when unset.'),
  },
  { required: ['key', 'path'] },
);
export type KeyToPath = Static<typeof KeyToPathSchema>;

export const SecretVolumeSourceSchema = struct(
  P + 'SecretVolumeSource',
  'The keys of a Secret, as files.',
  {
    secretName: string('Name of the secret in the pod\'s namespace.'),
    items: array(KeyToPathSchema, 'Keys to project and where; all keys when empty.', { listType: 'atomic' }),
    defaultMode: withDefault(int32('Mode bits of the created files (0-0777).'), DEFAULT_VOLUME_FILE_MODE),
    optional: boolean('Whether the secret or its keys may be missing.'),
  },
  { required: ['secretName'] },
);
export type SecretVolumeSource = Static<typeof SecretVolumeSourceSchema>;

export const NFSVolumeSourceSchema = struct(
  P + 'NFSVolumeSource',
  'An NFS export.',
  {
    server: string('Hostname or IP address of the NFS server.'),
    path: string('Path exported by the server.'),
    readOnly: readOnly(),
  },
  { required: ['server', 'path'] },
);
export type NFSVolumeSource = Static<typeof NFSVolumeSourceSchema>;

const iscsiFields = {
  targetPortal: string('Target portal, an IP or ip:port (port 3260 by default).'),
  iqn: string('Target iSCSI Qualified Name.'),
  lun: int32('Target LUN number.'),
  iscsiInterface: withDefault(string('iSCSI interface name using an iSCSI transport.'), 'default'),
  fsType: fsType(),
  readOnly: readOnly(),
  portals: array(string(''), 'Additional target portals.', { listType: 'atomic' }),
  chapAuthDiscovery: boolean('Whether to use iSCSI discovery CHAP authentication.'),
  chapAuthSession: boolean('Whether to use iSCSI session CHAP authentication.'),
  initiatorName: string('Custom initiator name, replacing the default <target portal>:<volume name>.'),
};

export const ISCSIVolumeSourceSchema = struct(
  P + 'ISCSIVolumeSource',
  'An iSCSI disk.',
  { ...iscsiFields, secretRef: localSecretRef('the CHAP credentials') },
  { required: ['targetPortal', 'iqn'] },
);

export const ISCSIPersistentVolumeSourceSchema = struct(
  P + 'ISCSIPersistentVolumeSource',
  'An iSCSI disk, as a persistent volume.',
  { ...iscsiFields, secretRef: secretRef('the CHAP credentials') },
  { required: ['targetPortal', 'iqn'] },
);
export type ISCSIPersistentVolumeSource = Static<typeof ISCSIPersistentVolumeSourceSchema>;

export const GlusterfsVolumeSourceSchema = struct(
  P + 'GlusterfsVolumeSource',
  'A Glusterfs volume (deprecated).',
  {
    endpoints: string('Name of the Endpoints object describing the Glusterfs cluster.'),
    path: string('Glusterfs volume path.'),
    readOnly: readOnly(),
  },
  { required: ['endpoints', 'path'] },
);

export const GlusterfsPersistentVolumeSourceSchema = struct(
  P + 'GlusterfsPersistentVolumeSource',
  'A Glusterfs volume, as a persistent volume (deprecated).',
  {
    endpoints: string('Name of the Endpoints object describing the Glusterfs cluster.'),
    path: string('Glusterfs volume path.'),
    readOnly: readOnly(),
    endpointsNamespace: string('Namespace of the Endpoints object; the claim\'s namespace when empty.'),
  },
  { required: ['endpoints', 'path'] },
);

export const PersistentVolumeClaimVolumeSourceSchema = struct(
  P + 'PersistentVolumeClaimVolumeSource',
  'A reference to a PersistentVolumeClaim in the pod\'s namespace.',
  {
    claimName: string('Name of the claim.'),
    readOnly: boolean('Force the mounts of this volume to be read-only.'),
  },
  { required: ['claimName'] },
);
export type PersistentVolumeClaimVolumeSource = Static<typeof PersistentVolumeClaimVolumeSourceSchema>;

const rbdFields = {
  monitors: array(string(''), 'Ceph monitors.', { listType: 'atomic' }),
  image: string('RADOS image name.'),
  fsType: fsType(),
  pool: withDefault(string('RADOS pool name.'), 'rbd'),
  user: withDefault(string('RADOS user name.'), 'admin'),
  keyring: withDefault(string('Path to the keyring of the RBD user.'), '/etc/ceph/keyring'),
  readOnly: readOnly(),
};

export const RBDVolumeSourceSchema = struct(
  P + 'RBDVolumeSource',
  'A Rados block device (deprecated).',
  { ...rbdFields, secretRef: localSecretRef('the RBD user authentication') },
  { required: ['monitors', 'image'] },
);

export const RBDPersistentVolumeSourceSchema = struct(
  P + 'RBDPersistentVolumeSource',
  'A Rados block device, as a persistent volume (deprecated).',
  { ...rbdFields, secretRef: secretRef('the RBD user authentication') },
  { required: ['monitors', 'image'] },
);

const flexFields = {
  driver: string('Name of the FlexVolume driver.'),
  fsType: fsType(),
  readOnly: readOnly(),
  options: map(string(''), 'Extra options passed to the driver.'),
};

export const FlexVolumeSourceSchema = struct(
  P + 'FlexVolumeSource',
  'A volume provisioned through an exec-based FlexVolume driver (deprecated).',
  { ...flexFields, secretRef: localSecretRef('data passed to the driver') },
  { required: ['driver'] },
);

export const FlexPersistentVolumeSourceSchema = struct(
  P + 'FlexPersistentVolumeSource',
  'A FlexVolume driver volume, as a persistent volume (deprecated).',
  { ...flexFields, secretRef: secretRef('data passed to the driver') },
  { required: ['driver'] },
);

export const CinderVolumeSourceSchema = struct(
  P + 'CinderVolumeSource',
  'An OpenStack Cinder volume (deprecated in-tree plugin).',
  {
    volumeID: string('ID of the Cinder volume.'),
    fsType: fsType(),
    readOnly: readOnly(),
    secretRef: localSecretRef('parameters for connecting to OpenStack'),
  },
  { required: ['volumeID'] },
);

export const CinderPersistentVolumeSourceSchema = struct(
  P + 'CinderPersistentVolumeSource',
  'An OpenStack Cinder volume, as a persistent volume (deprecated in-tree plugin).',
  {
    volumeID: string('ID of the Cinder volume.'),
    fsType: fsType(),
    readOnly: readOnly(),
    secretRef: secretRef('parameters for connecting to OpenStack'),
  },
  { required: ['volumeID'] },
);

const cephFields = {
  monitors: array(string(''), 'Ceph monitors.', { listType: 'atomic' }),
  path: string('Path under the mounted root; "/" by default.'),
  user: string('RADOS user name; "admin" by default.'),
  secretFile: string('Path to the key ring of the user; /etc/ceph/user.secret by default.'),
  readOnly: readOnly(),
};

export const CephFSVolumeSourceSchema = struct(
  P + 'CephFSVolumeSource',
  'A CephFS mount (deprecated).',
  { ...cephFields, secretRef: localSecretRef('the authentication secret of the user') },
  { required: ['monitors'] },
);

export const CephFSPersistentVolumeSourceSchema = struct(
  P + 'CephFSPersistentVolumeSource',
  'A CephFS mount, as a persistent volume (deprecated).',
  { ...cephFields, secretRef: secretRef('the authentication secret of the user') },
  { required: ['monitors'] },
);

export const FlockerVolumeSourceSchema = struct(P + 'FlockerVolumeSource', 'A Flocker dataset (deprecated).', {
  datasetName: string('Name of the dataset.'),
  datasetUUID: string('UUID of the dataset.'),
});

export const ObjectFieldSelectorSchema = struct(
  P + 'ObjectFieldSelector',
  'Selects a field of the pod.',
  {
    apiVersion: withDefault(string('Version of the schema fieldPath is written in.'), 'v1'),
    fieldPath: string('Path of the field to select, e.g. metadata.name.'),
  },
  { required: ['fieldPath'], mapType: 'atomic' },
);
export type ObjectFieldSelector = Static<typeof ObjectFieldSelectorSchema>;

export const ResourceFieldSelectorSchema = struct(
  P + 'ResourceFieldSelector',
  'Selects a resource of a container: limits.cpu, requests.memory, ...',
  {
    containerName: string('Container name; required for volumes, optional for env vars.'),
    resource: string('The resource to select.'),
    divisor: quantity('Output unit of the value; "1" by default.'),
  },
  { required: ['resource'], mapType: 'atomic' },
);
export type ResourceFieldSelector = Static<typeof ResourceFieldSelectorSchema>;

export const DownwardAPIVolumeFileSchema = struct(
  P + 'DownwardAPIVolumeFile',
  'One file of a downward API volume.',
  {
    path: string('Relative path of the file; may not contain "..".'),
    fieldRef: withDescription(ObjectFieldSelectorSchema, 'A pod field: metadata.name, metadata.namespace, metadata.labels, metadata.annotations or metadata.uid.'),
    resourceFieldRef: withDescription(ResourceFieldSelectorSchema, 'A container resource limit or request.'),
    mode: int32('File mode bits (0-0777); defaultMode of the volume when unset.'),
  },
  { required: ['path'] },
);
export type DownwardAPIVolumeFile = Static<typeof DownwardAPIVolumeFileSchema>;

export const DownwardAPIVolumeSourceSchema = struct(P + 'DownwardAPIVolumeSource', 'Pod information, as files.', {
  items: array(DownwardAPIVolumeFileSchema, 'The files.', { listType: 'atomic' }),
  defaultMode: withDefault(int32('Mode bits of the created files (0-0777).'), DEFAULT_VOLUME_FILE_MODE),
});

export const FCVolumeSourceSchema = struct(P + 'FCVolumeSource', 'A Fibre Channel disk.', {
  targetWWNs: array(string(''), 'Target world wide names.', { listType: 'atomic' }),
  lun: int32('Target LUN number.'),
  fsType: fsType(),
  readOnly: readOnly(),
  wwids: array(string(''), 'Volume world wide identifiers; exclusive with targetWWNs and lun.', { listType: 'atomic' }),
});

export const AzureFileVolumeSourceSchema = struct(
  P + 'AzureFileVolumeSource',
  'An Azure File share (deprecated in-tree plugin).',
  {
    secretName: string('Secret holding the storage account name and key.'),
    shareName: string('The share name.'),
    readOnly: readOnly(),
  },
  { required: ['secretName', 'shareName'] },
);

export const AzureFilePersistentVolumeSourceSchema = struct(
  P + 'AzureFilePersistentVolumeSource',
  'An Azure File share, as a persistent volume (deprecated in-tree plugin).',
  {
    secretName: string('Secret holding the storage account name and key.'),
    shareName: string('The share name.'),
    readOnly: readOnly(),
    secretNamespace: string('Namespace of the secret; the pod\'s namespace when empty.'),
  },
  { required: ['secretName', 'shareName'] },
);

const configMapItems = () => array(KeyToPathSchema, 'Keys to project and where; all keys when empty.', { listType: 'atomic' });

export const ConfigMapVolumeSourceSchema = struct(P + 'ConfigMapVolumeSource', 'The keys of a ConfigMap, as files.', {
  name: string('Name of the ConfigMap in the pod\'s namespace.'),
  items: configMapItems(),
  defaultMode: withDefault(int32('Mode bits of the created files (0-0777).'), DEFAULT_VOLUME_FILE_MODE),
  optional: boolean('Whether the ConfigMap or its keys may be missing.'),
}, { required: ['name'] });
export type ConfigMapVolumeSource = Static<typeof ConfigMapVolumeSourceSchema>;

export const VsphereVirtualDiskVolumeSourceSchema = struct(
  P + 'VsphereVirtualDiskVolumeSource',
  'A vSphere disk (deprecated in-tree plugin).',
  {
    volumePath: string('Path identifying the vSphere volume vmdk.'),
    fsType: fsType(),
    storagePolicyName: string('Storage policy based management profile name.'),
    storagePolicyID: string('Storage policy based management profile ID.'),
  },
  { required: ['volumePath'] },
);

export const QuobyteVolumeSourceSchema = struct(
  P + 'QuobyteVolumeSource',
  'A Quobyte mount (deprecated).',
  {
    registry: string('Quobyte registries as host:port pairs separated by commas.'),
    volume: string('Name of an existing Quobyte volume.'),
    readOnly: readOnly(),
    user: string('User to map volume access to.'),
    group: string('Group to map volume access to.'),
    tenant: string('Tenant owning the volume.'),
  },
  { required: ['volume'] },
);

export const AzureDiskVolumeSourceSchema = struct(
  P + 'AzureDiskVolumeSource',
  'An Azure data disk (deprecated in-tree plugin).',
  {
    diskName: string('Name of the data disk in blob storage.'),
    diskURI: string('URI of the data disk in blob storage.'),
    cachingMode: withDefault(string('Host caching mode: None, ReadOnly or ReadWrite.'), 'ReadWrite'),
    fsType: withDefault(string('Filesystem type to mount.'), 'ext4'),
    readOnly: withDefault(boolean('Mount the volume read-only.'), false),
    kind: withDefault(string('Shared, Dedicated or Managed.'), 'Shared'),
  },
  { required: ['diskName', 'diskURI'] },
);

export const PhotonPersistentDiskVolumeSourceSchema = struct(
  P + 'PhotonPersistentDiskVolumeSource',
  'A Photon Controller persistent disk (deprecated).',
  { pdID: string('ID of the persistent disk.'), fsType: fsType() },
  { required: ['pdID'] },
);

const serviceAccountTokenProjection = struct(
  P + 'ServiceAccountTokenProjection',
  'A service account token, as a file.',
  {
    audience: string('Intended audience of the token; the apiserver\'s identifier when empty.'),
    expirationSeconds: withDefault(int64('Requested lifetime of the token (at least 600).'), 3600),
    path: string('Relative path of the token file.'),
  },
);

export const VolumeProjectionSchema = struct(P + 'VolumeProjection', 'One source of a projected volume.', {
  secret: struct(P + 'SecretProjection', 'Keys of a Secret, as files of a projected volume.', {
    name: string('Name of the Secret.'),
    items: configMapItems(),
    optional: boolean('Whether the secret or its keys may be missing.'),
  }, { required: ['name'] }),
  downwardAPI: struct(P + 'DownwardAPIProjection', 'Pod information, as files of a projected volume.', {
    items: array(DownwardAPIVolumeFileSchema, 'The files.', { listType: 'atomic' }),
  }),
  configMap: struct(P + 'ConfigMapProjection', 'Keys of a ConfigMap, as files of a projected volume.', {
    name: string('Name of the ConfigMap.'),
    items: configMapItems(),
    optional: boolean('Whether the ConfigMap or its keys may be missing.'),
  }, { required: ['name'] }),
  serviceAccountToken: serviceAccountTokenProjection,
  clusterTrustBundle: struct(
    P + 'ClusterTrustBundleProjection',
    'Certificates of ClusterTrustBundle objects, as one PEM file.',
    {
      name: string('Select a single bundle by name; exclusive with signerName.'),
      signerName: string('Select all bundles of this signer (and matching labelSelector).'),
      labelSelector: withDescription(LabelSelectorSchema, 'Select the signer\'s bundles with these labels.'),
      optional: boolean('Write an empty file instead of failing when no bundle matches.'),
      path: string('Relative path of the file.'),
    },
    { required: ['path'] },
  ),
});
export type VolumeProjection = Static<typeof VolumeProjectionSchema>;

export const ProjectedVolumeSourceSchema = struct(P + 'ProjectedVolumeSource', 'Several sources projected into one directory.', {
  sources: array(VolumeProjectionSchema, 'The projections.', { listType: 'atomic' }),
  defaultMode: withDefault(int32('Mode bits of the created files (0-0777).'), DEFAULT_VOLUME_FILE_MODE),
});

export const PortworxVolumeSourceSchema = struct(
  P + 'PortworxVolumeSource',
  'A Portworx volume (deprecated in-tree plugin).',
  { volumeID: string('ID of the Portworx volume.'), fsType: fsType(), readOnly: readOnly() },
  { required: ['volumeID'] },
);

const scaleIOFields = {
  gateway: string('Host address of the ScaleIO API gateway.'),
  system: string('Name of the storage system.'),
  sslEnabled: boolean('Whether to use SSL with the gateway.'),
  protectionDomain: string('Name of the protection domain.'),
  storagePool: string('Storage pool of the protection domain.'),
  storageMode: withDefault(string('ThickProvisioned or ThinProvisioned.'), 'ThinProvisioned'),
  volumeName: string('Name of an existing volume.'),
  fsType: withDefault(string('Filesystem type to mount.'), 'xfs'),
  readOnly: readOnly(),
};

export const ScaleIOVolumeSourceSchema = struct(
  P + 'ScaleIOVolumeSource',
  'A ScaleIO volume (deprecated).',
  { ...scaleIOFields, secretRef: localSecretRef('the ScaleIO user credentials') },
  { required: ['gateway', 'system', 'volumeName'] },
);

export const ScaleIOPersistentVolumeSourceSchema = struct(
  P + 'ScaleIOPersistentVolumeSource',
  'A ScaleIO volume, as a persistent volume (deprecated).',
  { ...scaleIOFields, secretRef: secretRef('the ScaleIO user credentials') },
  { required: ['gateway', 'system', 'volumeName'] },
);

const storageOSFields = {
  volumeName: string('Human-readable name of the volume, unique within its namespace.'),
  volumeNamespace: string('StorageOS namespace of the volume; the pod\'s namespace when empty.'),
  fsType: fsType(),
  readOnly: readOnly(),
};

export const StorageOSVolumeSourceSchema = struct(
  P + 'StorageOSVolumeSource',
  'A StorageOS volume (deprecated).',
  { ...storageOSFields, secretRef: localSecretRef('the StorageOS API credentials') },
  { required: ['volumeName'] },
);

export const StorageOSPersistentVolumeSourceSchema = struct(
  P + 'StorageOSPersistentVolumeSource',
  'A StorageOS volume, as a persistent volume (deprecated).',
  { ...storageOSFields, secretRef: withDescription(ObjectReferenceSchema, 'Secret holding the StorageOS API credentials.') },
  { required: ['volumeName'] },
);

export const CSIVolumeSourceSchema = struct(
  P + 'CSIVolumeSource',
  'An inline ephemeral volume served by a CSI driver.',
  {
    driver: string('Name of the CSI driver.'),
    readOnly: boolean('Mount the volume read-only (false by default).'),
    fsType: string('Filesystem type to mount; the driver decides when empty.'),
    volumeAttributes: map(string(''), 'Driver-specific properties.'),
    nodePublishSecretRef: localSecretRef('data for the NodePublishVolume call'),
  },
  { required: ['driver'] },
);
export type CSIVolumeSource = Static<typeof CSIVolumeSourceSchema>;

export const CSIPersistentVolumeSourceSchema = struct(
  P + 'CSIPersistentVolumeSource',
  'A persistent volume served by a CSI driver.',
  {
    driver: string('Name of the CSI driver.'),
    volumeHandle: string('ID of the volume, as the driver\'s CreateVolume returned it.'),
    readOnly: boolean('Passed to ControllerPublishVolume; false by default.'),
    fsType: string('Filesystem type to mount, e.g. "ext4".'),
    volumeAttributes: map(string(''), 'Driver-specific properties.'),
    controllerPublishSecretRef: secretRef('data for ControllerPublishVolume and ControllerUnpublishVolume'),
    nodeStageSecretRef: secretRef('data for NodeStageVolume, NodeUnstageVolume and NodeUnpublishVolume'),
    nodePublishSecretRef: secretRef('data for NodePublishVolume'),
    controllerExpandSecretRef: secretRef('data for ControllerExpandVolume'),
    nodeExpandSecretRef: secretRef('data for NodeExpandVolume'),
  },
  { required: ['driver', 'volumeHandle'] },
);
export type CSIPersistentVolumeSource = Static<typeof CSIPersistentVolumeSourceSchema>;

export const LocalVolumeSourceSchema = struct(
  P + 'LocalVolumeSource',
  'A local disk, partition or directory on a node; needs node affinity on the PersistentVolume.',
  {
    path: string('Full path on the node.'),
    fsType: string('Filesystem type for block devices; detected when empty.'),
  },
  { required: ['path'] },
);
export type LocalVolumeSource = Static<typeof LocalVolumeSourceSchema>;

export const VolumeResourceRequirementsSchema = struct(
  P + 'VolumeResourceRequirements',
  'Storage a claim asks for.',
  {
    limits: map(quantity(''), 'Maximum amount of each resource.'),
    requests: map(quantity(''), 'Minimum amount of each resource (storage).'),
  },
);
export type VolumeResourceRequirements = Static<typeof VolumeResourceRequirementsSchema>;

export const PersistentVolumeClaimSpecSchema = struct(
  P + 'PersistentVolumeClaimSpec',
  'The storage a claim asks for and how.',
  {
    accessModes: array(string(''), 'Wanted access modes: ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod.', {
      listType: 'atomic',
    }),
    selector: withDescription(LabelSelectorSchema, 'Labels of the volumes that may be bound.'),
    resources: withDescription(VolumeResourceRequirementsSchema, 'Minimum resources the volume must have.'),
    volumeName: string('Binds to this PersistentVolume.'),
    storageClassName: string('StorageClass of the claim; "" asks for a volume without class.'),
    volumeMode: withDefault(string('Filesystem or Block.'), 'Filesystem'),
    dataSource: withDescription(TypedLocalObjectReferenceSchema, 'Populate the new volume from a VolumeSnapshot or PersistentVolumeClaim.'),
    dataSourceRef: withDescription(TypedObjectReferenceSchema, 'Populate the new volume from any populator object.'),
    volumeAttributesClassName: string('VolumeAttributesClass of the claim.'),
  },
);
export type PersistentVolumeClaimSpec = Static<typeof PersistentVolumeClaimSpecSchema>;

export const PersistentVolumeClaimTemplateSchema = struct(
  P + 'PersistentVolumeClaimTemplate',
  'The claim created for an ephemeral volume.',
  {
    metadata: withDescription(ObjectMetaSchema, 'Labels and annotations copied to the claim.'),
    spec: withDescription(PersistentVolumeClaimSpecSchema, 'Spec of the claim, copied unchanged.'),
  },
);
export type PersistentVolumeClaimTemplate = Static<typeof PersistentVolumeClaimTemplateSchema>;

export const EphemeralVolumeSourceSchema = struct(
  P + 'EphemeralVolumeSource',
  'A volume backed by a claim that lives as long as the pod.',
  {
    volumeClaimTemplate: withDescription(PersistentVolumeClaimTemplateSchema, 'Template of the <pod>-<volume> claim.'),
  },
  { required: ['volumeClaimTemplate'] },
);

export const ImageVolumeSourceSchema = struct(P + 'ImageVolumeSource', 'An OCI image or artifact, mounted read-only.', {
  reference: string('Image or artifact reference.'),
  pullPolicy: string('Always, Never or IfNotPresent; Always for :latest, IfNotPresent otherwise.'),
});

/** Every volume source a pod may use; exactly one must be set. */
export const volumeSourceFields = {
  hostPath: HostPathVolumeSourceSchema,
  emptyDir: EmptyDirVolumeSourceSchema,
  gcePersistentDisk: GCEPersistentDiskVolumeSourceSchema,
  awsElasticBlockStore: AWSElasticBlockStoreVolumeSourceSchema,
  gitRepo: GitRepoVolumeSourceSchema,
  secret: SecretVolumeSourceSchema,
  nfs: NFSVolumeSourceSchema,
  iscsi: ISCSIVolumeSourceSchema,
  glusterfs: GlusterfsVolumeSourceSchema,
  persistentVolumeClaim: PersistentVolumeClaimVolumeSourceSchema,
  rbd: RBDVolumeSourceSchema,
  flexVolume: FlexVolumeSourceSchema,
  cinder: CinderVolumeSourceSchema,
  cephfs: CephFSVolumeSourceSchema,
  flocker: FlockerVolumeSourceSchema,
  downwardAPI: DownwardAPIVolumeSourceSchema,
  fc: FCVolumeSourceSchema,
  azureFile: AzureFileVolumeSourceSchema,
  configMap: ConfigMapVolumeSourceSchema,
  vsphereVolume: VsphereVirtualDiskVolumeSourceSchema,
  quobyte: QuobyteVolumeSourceSchema,
  azureDisk: AzureDiskVolumeSourceSchema,
  photonPersistentDisk: PhotonPersistentDiskVolumeSourceSchema,
  projected: ProjectedVolumeSourceSchema,
  portworxVolume: PortworxVolumeSourceSchema,
  scaleIO: ScaleIOVolumeSourceSchema,
  storageos: StorageOSVolumeSourceSchema,
  csi: CSIVolumeSourceSchema,
  ephemeral: EphemeralVolumeSourceSchema,
  image: ImageVolumeSourceSchema,
} as const;

/** The persistent volume sources, for PersistentVolumeSpec (which inlines them). */
export const persistentVolumeSourceFields = {
  gcePersistentDisk: GCEPersistentDiskVolumeSourceSchema,
  awsElasticBlockStore: AWSElasticBlockStoreVolumeSourceSchema,
  hostPath: HostPathVolumeSourceSchema,
  glusterfs: GlusterfsPersistentVolumeSourceSchema,
  nfs: NFSVolumeSourceSchema,
  rbd: RBDPersistentVolumeSourceSchema,
  iscsi: ISCSIPersistentVolumeSourceSchema,
  cinder: CinderPersistentVolumeSourceSchema,
  cephfs: CephFSPersistentVolumeSourceSchema,
  fc: FCVolumeSourceSchema,
  flocker: FlockerVolumeSourceSchema,
  flexVolume: FlexPersistentVolumeSourceSchema,
  azureFile: AzureFilePersistentVolumeSourceSchema,
  vsphereVolume: VsphereVirtualDiskVolumeSourceSchema,
  quobyte: QuobyteVolumeSourceSchema,
  azureDisk: AzureDiskVolumeSourceSchema,
  photonPersistentDisk: PhotonPersistentDiskVolumeSourceSchema,
  portworxVolume: PortworxVolumeSourceSchema,
  scaleIO: ScaleIOPersistentVolumeSourceSchema,
  local: LocalVolumeSourceSchema,
  storageos: StorageOSPersistentVolumeSourceSchema,
  csi: CSIPersistentVolumeSourceSchema,
} as const;

export const VolumeSchema = struct(
  P + 'Volume',
  'A named volume that containers of the pod can mount. Exactly one source is set; none means emptyDir.',
  {
    name: string('Name of the volume; a DNS label unique within the pod.'),
    ...volumeSourceFields,
  },
  { required: ['name'] },
);
export type Volume = Static<typeof VolumeSchema>;

export const VolumeMountSchema = struct(
  P + 'VolumeMount',
  'Where a volume is mounted in a container.',
  {
    name: string('Name of the volume.'),
    readOnly: boolean('Mount read-only (false by default).'),
    recursiveReadOnly: string('Disabled, IfPossible or Enabled: make read-only mounts recursively read-only.'),
    mountPath: string('Path in the container; may not contain ":".'),
    subPath: string('Path inside the volume to mount instead of its root.'),
    mountPropagation: string('None, HostToContainer or Bidirectional.'),
    subPathExpr: string('Like subPath, with $(VAR) references to the container\'s environment.'),
  },
  { required: ['name', 'mountPath'] },
);
export type VolumeMount = Static<typeof VolumeMountSchema>;

export const VolumeDeviceSchema = struct(
  P + 'VolumeDevice',
  'A raw block volume exposed as a device in a container.',
  {
    name: string('Name of a persistentVolumeClaim volume of the pod.'),
    devicePath: string('Path of the device in the container.'),
  },
  { required: ['name', 'devicePath'] },
);
export type VolumeDevice = Static<typeof VolumeDeviceSchema>;
