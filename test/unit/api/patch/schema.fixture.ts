// A trimmed Deployment schema with the upstream patch metadata of the fields the patch tests
// exercise (containers by name, env by name, ports by containerPort, volumes with retainKeys ...).
import { array, asNode, int32, intOrString, map, quantity, string, struct, withDescription, withPatch, type SchemaNode, type TSchema } from '../../../../pkg/api/schema/dsl.js';
import { LabelSelectorSchema, ObjectMetaSchema, resourceSchema } from '../../../../pkg/api/meta/v1.js';

const P = 'kubets.test.patch.';

const EnvVar = struct(P + 'EnvVar', 'env', { name: string(''), value: string('') }, { required: ['name'] });
const ContainerPort = struct(P + 'ContainerPort', 'port', { name: string(''), containerPort: int32(''), protocol: string('') }, { required: ['containerPort'] });
const VolumeMount = struct(P + 'VolumeMount', 'mount', { name: string(''), mountPath: string('') });
const Resources = struct(P + 'ResourceRequirements', 'resources', {
  limits: map(quantity(''), ''),
  requests: map(quantity(''), ''),
});

const Container: TSchema = struct(P + 'Container', 'container', {
  name: string(''),
  image: string(''),
  args: array(string(''), '', { listType: 'atomic' }),
  env: array(EnvVar, '', { mergeKey: 'name', strategy: 'merge', listType: 'map', mapKeys: ['name'] }),
  ports: array(ContainerPort, '', { mergeKey: 'containerPort', strategy: 'merge', listType: 'map', mapKeys: ['containerPort', 'protocol'] }),
  volumeMounts: array(VolumeMount, '', { mergeKey: 'mountPath', strategy: 'merge', listType: 'map', mapKeys: ['mountPath'] }),
  resources: withDescription(Resources, ''),
}, { required: ['name'] });

const Volume: TSchema = struct(P + 'Volume', 'volume', {
  name: string(''),
  emptyDir: struct(P + 'EmptyDir', '', { medium: string(''), sizeLimit: quantity('') }),
  hostPath: struct(P + 'HostPath', '', { path: string(''), type: string('') }),
  configMap: struct(P + 'ConfigMapVolume', '', { name: string(''), defaultMode: int32('') }),
}, { required: ['name'] });

const Toleration = struct(P + 'Toleration', 'toleration', { key: string(''), operator: string(''), value: string(''), effect: string('') });

const PodSpec: TSchema = struct(P + 'PodSpec', 'pod spec', {
  containers: array(Container, '', { mergeKey: 'name', strategy: 'merge', listType: 'map', mapKeys: ['name'] }),
  initContainers: array(Container, '', { mergeKey: 'name', strategy: 'merge', listType: 'map', mapKeys: ['name'] }),
  volumes: array(Volume, '', { mergeKey: 'name', strategy: 'merge,retainKeys', listType: 'map', mapKeys: ['name'] }),
  tolerations: array(Toleration, '', { listType: 'atomic' }),
  nodeSelector: map(string(''), '', { mapType: 'atomic' }),
  serviceAccountName: string(''),
});

const Template: TSchema = struct(P + 'PodTemplateSpec', 'template', {
  metadata: withDescription(ObjectMetaSchema, ''),
  spec: withDescription(PodSpec, ''),
});

const RollingUpdate = struct(P + 'RollingUpdate', '', { maxSurge: intOrString(''), maxUnavailable: intOrString('') });
const Strategy = struct(P + 'DeploymentStrategy', '', { type: string(''), rollingUpdate: withDescription(RollingUpdate, '') });

const DeploymentSpec: TSchema = struct(P + 'DeploymentSpec', 'spec', {
  replicas: int32(''),
  selector: withDescription(LabelSelectorSchema, ''),
  template: withDescription(Template, ''),
  strategy: withPatch(withDescription(Strategy, ''), { strategy: 'retainKeys' }),
  paused: string(''),
});

const DeploymentStatus: TSchema = struct(P + 'DeploymentStatus', 'status', { replicas: int32(''), readyReplicas: int32('') });

export const deploymentSchema: SchemaNode = asNode(
  resourceSchema(P + 'Deployment', 'deployment', {
    spec: withDescription(DeploymentSpec, ''),
    status: withDescription(DeploymentStatus, ''),
  }),
);
