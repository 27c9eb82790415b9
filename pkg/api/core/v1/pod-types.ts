// core/v1 Pod types: containers and everything they carry (probes, lifecycle hooks, env, security
// context), scheduling constraints, PodSpec, PodTemplateSpec, PodStatus, Pod, PodList and Binding.
import { LabelSelectorSchema, ObjectMetaSchema, listSchema, resourceSchema } from '../../meta/v1.js';
import {
  array,
  boolean,
  int32,
  int64,
  intOrString,
  map,
  quantity,
  string,
  struct,
  time,
  withDefault,
  withDescription,
  type Static,
} from '../../schema/dsl.js';
import {
  LocalObjectReferenceSchema,
  NodeSelectorSchema,
  NodeSelectorTermSchema,
  ObjectReferenceSchema,
  ResourceRequirementsSchema,
  TolerationSchema,
} from './common.js';
import {
  ObjectFieldSelectorSchema,
  ResourceFieldSelectorSchema,
  VolumeDeviceSchema,
  VolumeMountSchema,
  VolumeSchema,
} from './volumes.js';

const P = 'io.k8s.api.core.v1.';

export const TERMINATION_MESSAGE_PATH_DEFAULT = '/dev/termination-log';
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;

export const ContainerPortSchema = struct(
  P + 'ContainerPort',
  'A network port exposed by a container.',
  {
    name: string('IANA_SVC_NAME for the port, unique within the pod; services can refer to it.'),
    hostPort: int32('Port on the node to expose the container port on; mostly unneeded.'),
    containerPort: int32('Port number on the pod\'s IP address (1-65535).'),
    protocol: withDefault(string('UDP, TCP or SCTP.'), 'TCP'),
    hostIP: string('Host IP to bind the host port to.'),
  },
  { required: ['containerPort'] },
);
export type ContainerPort = Static<typeof ContainerPortSchema>;

const keySelectorFields = (what: string) => ({
  name: string(`Name of the ${what}.`),
  key: string('The key to select.'),
  optional: boolean(`Whether the ${what} or its key may be missing.`),
});

export const EnvVarSourceSchema = struct(P + 'EnvVarSource', 'Where an environment variable\'s value comes from.', {
  fieldRef: withDescription(
    ObjectFieldSelectorSchema,
    'A pod field: metadata.name, metadata.namespace, metadata.labels[\'<KEY>\'], metadata.annotations[\'<KEY>\'], spec.nodeName, spec.serviceAccountName, status.hostIP, status.podIP, status.podIPs.',
  ),
  resourceFieldRef: withDescription(ResourceFieldSelectorSchema, 'A limit or request of a container.'),
  configMapKeyRef: struct(P + 'ConfigMapKeySelector', 'A key of a ConfigMap.', keySelectorFields('ConfigMap'), {
    required: ['key'],
    mapType: 'atomic',
  }),
  secretKeyRef: struct(P + 'SecretKeySelector', 'A key of a Secret.', keySelectorFields('Secret'), {
    required: ['key'],
    mapType: 'atomic',
  }),
});

export const EnvVarSchema = struct(
  P + 'EnvVar',
  'An environment variable of a container.',
  {
    name: string('Name of the variable.'),
    value: string('Value; $(VAR) references to earlier variables are expanded, $$(VAR) escapes.'),
    valueFrom: withDescription(EnvVarSourceSchema, 'Source of the value; exclusive with value.'),
  },
  { required: ['name'] },
);
export type EnvVar = Static<typeof EnvVarSchema>;

export const EnvFromSourceSchema = struct(P + 'EnvFromSource', 'A source of a set of environment variables.', {
  prefix: string('Prefix prepended to every key.'),
  configMapRef: struct(
    P + 'ConfigMapEnvSource',
    'Every key of a ConfigMap, as environment variables.',
    { name: string('Name of the ConfigMap.'), optional: boolean('Whether the ConfigMap may be missing.') },
    { required: ['name'] },
  ),
  secretRef: struct(
    P + 'SecretEnvSource',
    'Every key of a Secret, as environment variables.',
    { name: string('Name of the Secret.'), optional: boolean('Whether the Secret may be missing.') },
    { required: ['name'] },
  ),
});
export type EnvFromSource = Static<typeof EnvFromSourceSchema>;

export const ExecActionSchema = struct(
  P + 'ExecAction',
  'Runs a command in the container.',
  {
    command: array(string(''), 'Command line, not run in a shell; exit status 0 means success.', { listType: 'atomic' }),
  },
  { required: ['command'] },
);

export const HTTPGetActionSchema = struct(P + 'HTTPGetAction', 'An HTTP GET request to the container.', {
  path: withDefault(string('Path to request.'), '/'),
  port: intOrString('Port number or name to connect to.'),
  host: string('Host to connect to; the pod IP by default.'),
  scheme: withDefault(string('HTTP or HTTPS.'), 'HTTP'),
  httpHeaders: array(
    struct(P + 'HTTPHeader', 'A header of an HTTP probe request.', {
      name: string('Header field name (canonicalized on output).'),
      value: string('Header field value.'),
    }),
    'Custom request headers.',
    { listType: 'atomic' },
  ),
});
export type HTTPGetAction = Static<typeof HTTPGetActionSchema>;

export const TCPSocketActionSchema = struct(P + 'TCPSocketAction', 'Opens a TCP connection to the container.', {
  port: intOrString('Port number or name to connect to.'),
  host: string('Host to connect to; the pod IP by default.'),
});

export const GRPCActionSchema = struct(P + 'GRPCAction', 'A gRPC health check of the container.', {
  port: int32('Port of the gRPC service.'),
  service: withDefault(string('Service name sent in the HealthCheckRequest.'), ''),
});

export const ProbeSchema = struct(P + 'Probe', 'A health check run against a container.', {
  exec: ExecActionSchema,
  httpGet: HTTPGetActionSchema,
  tcpSocket: TCPSocketActionSchema,
  grpc: GRPCActionSchema,
  initialDelaySeconds: int32('Seconds after the container starts before the first probe.'),
  timeoutSeconds: withDefault(int32('Seconds after which a probe times out.'), 1),
  periodSeconds: withDefault(int32('Seconds between probes.'), 10),
  successThreshold: withDefault(int32('Consecutive successes after a failure to count as succeeded; 1 for liveness and startup.'), 1),
  failureThreshold: withDefault(int32('Consecutive failures to count as failed.'), 3),
  terminationGracePeriodSeconds: int64('Grace period when a liveness or startup failure kills the container; overrides the pod\'s.'),
});
export type Probe = Static<typeof ProbeSchema>;

export const LifecycleHandlerSchema = struct(P + 'LifecycleHandler', 'An action run at a lifecycle hook.', {
  exec: ExecActionSchema,
  httpGet: HTTPGetActionSchema,
  tcpSocket: TCPSocketActionSchema,
  sleep: struct(
    P + 'SleepAction',
    'Sleeps for a while.',
    { seconds: int64('Seconds to sleep.') },
  ),
});
export type LifecycleHandler = Static<typeof LifecycleHandlerSchema>;

export const LifecycleSchema = struct(P + 'Lifecycle', 'Actions run at container lifecycle events.', {
  postStart: withDescription(LifecycleHandlerSchema, 'Runs right after the container is created; a failure restarts it.'),
  preStop: withDescription(LifecycleHandlerSchema, 'Runs before the container is terminated; it counts against the grace period.'),
});

export const SELinuxOptionsSchema = struct(P + 'SELinuxOptions', 'SELinux labels applied to a container.', {
  user: string('SELinux user label.'),
  role: string('SELinux role label.'),
  type: string('SELinux type label.'),
  level: string('SELinux level label.'),
});

export const WindowsSecurityContextOptionsSchema = struct(
  P + 'WindowsSecurityContextOptions',
  'Windows-specific security settings.',
  {
    gmsaCredentialSpecName: string('Name of the GMSACredentialSpec to use.'),
    gmsaCredentialSpec: string('Contents of the GMSA credential spec.'),
    runAsUserName: string('User name to run the entrypoint as.'),
    hostProcess: boolean('Run as a Windows HostProcess container.'),
  },
);

export const SeccompProfileSchema = struct(
  P + 'SeccompProfile',
  'A seccomp profile; exactly one source is set.',
  {
    type: string('Localhost, RuntimeDefault or Unconfined.'),
    localhostProfile: string('Profile file under the kubelet\'s seccomp directory; only for type Localhost.'),
  },
  { unions: [{ discriminator: 'type', 'fields-to-discriminateBy': { localhostProfile: 'LocalhostProfile' } }] },
);

export const AppArmorProfileSchema = struct(
  P + 'AppArmorProfile',
  'An AppArmor profile; exactly one source is set.',
  {
    type: string('Localhost, RuntimeDefault or Unconfined.'),
    localhostProfile: string('Name of a profile loaded on the node; only for type Localhost.'),
  },
  { unions: [{ discriminator: 'type', 'fields-to-discriminateBy': { localhostProfile: 'LocalhostProfile' } }] },
);

export const CapabilitiesSchema = struct(P + 'Capabilities', 'POSIX capabilities added to or dropped from a container.', {
  add: array(string(''), 'Capabilities to add.', { listType: 'atomic' }),
  drop: array(string(''), 'Capabilities to drop.', { listType: 'atomic' }),
});

export const SecurityContextSchema = struct(
  P + 'SecurityContext',
  'Security settings of a container; they override the pod\'s.',
  {
    capabilities: withDescription(CapabilitiesSchema, 'Capabilities to add or drop.'),
    privileged: boolean('Run as privileged: root on the host, in effect.'),
    seLinuxOptions: withDescription(SELinuxOptionsSchema, 'SELinux context of the container.'),
    windowsOptions: withDescription(WindowsSecurityContextOptionsSchema, 'Windows-specific settings.'),
    runAsUser: int64('UID to run the entrypoint as.'),
    runAsGroup: int64('GID to run the entrypoint as.'),
    runAsNonRoot: boolean('Refuse to start the container if it would run as UID 0.'),
    readOnlyRootFilesystem: boolean('Mount the root filesystem read-only.'),
    allowPrivilegeEscalation: boolean('Whether a process may gain more privileges than its parent (no_new_privs).'),
    procMount: string('Default or Unmasked /proc mount.'),
    seccompProfile: withDescription(SeccompProfileSchema, 'Seccomp profile of the container.'),
    appArmorProfile: withDescription(AppArmorProfileSchema, 'AppArmor profile of the container.'),
  },
);
export type SecurityContext = Static<typeof SecurityContextSchema>;

export const ContainerResizePolicySchema = struct(
  P + 'ContainerResizePolicy',
  'How a resource of a container is resized.',
  {
    resourceName: string('cpu or memory.'),
    restartPolicy: string('NotRequired or RestartContainer.'),
  },
);

const containerFields = {
  name: string('Name of the container, a DNS label unique within the pod.'),
  image: string('Container image name.'),
  command: array(string(''), 'Entrypoint, not run in a shell; the image\'s ENTRYPOINT when empty. $(VAR) is expanded.', {
    listType: 'atomic',
  }),
  args: array(string(''), 'Arguments to the entrypoint; the image\'s CMD when empty. $(VAR) is expanded.', { listType: 'atomic' }),
  workingDir: string('Working directory; the image\'s when empty.'),
  ports: array(ContainerPortSchema, 'Ports exposed by the container (informational).', {
    mergeKey: 'containerPort',
    strategy: 'merge',
    listType: 'map',
    mapKeys: ['containerPort', 'protocol'],
  }),
  envFrom: array(EnvFromSourceSchema, 'Sources of environment variables; env takes precedence.', { listType: 'atomic' }),
  env: array(EnvVarSchema, 'Environment variables.', { mergeKey: 'name', strategy: 'merge', listType: 'map', mapKeys: ['name'] }),
  resources: withDescription(ResourceRequirementsSchema, 'Compute resources the container needs.'),
  resizePolicy: array(ContainerResizePolicySchema, 'Resize policies of the container\'s resources.', { listType: 'atomic' }),
  restartPolicy: string('Only "Always", only for init containers: makes it a sidecar that keeps running.'),
  volumeMounts: array(VolumeMountSchema, 'Volumes mounted into the container.', {
    mergeKey: 'mountPath',
    strategy: 'merge',
    listType: 'map',
    mapKeys: ['mountPath'],
  }),
  volumeDevices: array(VolumeDeviceSchema, 'Block devices used by the container.', {
    mergeKey: 'devicePath',
    strategy: 'merge',
    listType: 'map',
    mapKeys: ['devicePath'],
  }),
  livenessProbe: withDescription(ProbeSchema, 'Restarts the container when it fails.'),
  readinessProbe: withDescription(ProbeSchema, 'Removes the pod from service endpoints while it fails.'),
  startupProbe: withDescription(ProbeSchema, 'Holds the other probes until it succeeds; restarts the container when it fails.'),
  lifecycle: withDescription(LifecycleSchema, 'Lifecycle hooks.'),
  terminationMessagePath: withDefault(string('File whose contents become the termination message.'), TERMINATION_MESSAGE_PATH_DEFAULT),
  terminationMessagePolicy: withDefault(string('File, or FallbackToLogsOnError to use the log tail when the file is empty.'), 'File'),
  imagePullPolicy: string('Always, Never or IfNotPresent; Always for :latest (or no tag), IfNotPresent otherwise.'),
  securityContext: withDescription(SecurityContextSchema, 'Security settings of the container.'),
  stdin: boolean('Allocate a stdin buffer for the container.'),
  stdinOnce: boolean('Close stdin after the first attach session ends.'),
  tty: boolean('Allocate a TTY (needs stdin).'),
};

export const ContainerSchema = struct(P + 'Container', 'A container run in a pod.', containerFields, {
  required: ['name', 'image'],
});
export type Container = Static<typeof ContainerSchema>;

export const EphemeralContainerSchema = struct(
  P + 'EphemeralContainer',
  'A temporary container added to a running pod for debugging; it has no ports, probes or resources.',
  {
    ...containerFields,
    targetContainerName: string('Container whose namespaces (IPC, PID, ...) the ephemeral container joins.'),
  },
  { required: ['name', 'image'] },
);
export type EphemeralContainer = Static<typeof EphemeralContainerSchema>;

export const PodAffinityTermSchema = struct(
  P + 'PodAffinityTerm',
  'Pods (by label and namespace) that this pod should (or should not) be co-located with, per topology domain.',
  {
    labelSelector: withDescription(LabelSelectorSchema, 'Pods to match; none when null.'),
    namespaces: array(string(''), 'Namespaces of the pods; the pod\'s own when empty along with namespaceSelector.', {
      listType: 'atomic',
    }),
    topologyKey: string('Node label whose value defines the co-location domain.'),
    namespaceSelector: withDescription(LabelSelectorSchema, 'Namespaces of the pods, by label; {} means all.'),
    matchLabelKeys: array(string(''), 'Label keys whose values from the incoming pod are added to labelSelector (In).', {
      listType: 'atomic',
    }),
    mismatchLabelKeys: array(string(''), 'Label keys whose values from the incoming pod are added to labelSelector (NotIn).', {
      listType: 'atomic',
    }),
  },
);
export type PodAffinityTerm = Static<typeof PodAffinityTermSchema>;

export const WeightedPodAffinityTermSchema = struct(
  P + 'WeightedPodAffinityTerm',
  'A pod affinity term with a weight.',
  {
    weight: int32('Weight (1-100) added to a node\'s score when the term matches.'),
    podAffinityTerm: withDescription(PodAffinityTermSchema, 'The term.'),
  },
);

const podAffinityFields = (what: string) => ({
  requiredDuringSchedulingIgnoredDuringExecution: array(PodAffinityTermSchema, `Terms that must hold (${what}) at scheduling time.`, {
    listType: 'atomic',
  }),
  preferredDuringSchedulingIgnoredDuringExecution: array(WeightedPodAffinityTermSchema, `Terms the scheduler prefers (${what}).`, {
    listType: 'atomic',
  }),
});

export const AffinitySchema = struct(P + 'Affinity', 'Scheduling constraints of a pod.', {
  nodeAffinity: struct(P + 'NodeAffinity', 'Node affinity scheduling rules.', {
    requiredDuringSchedulingIgnoredDuringExecution: withDescription(NodeSelectorSchema, 'Nodes the pod may be scheduled on.'),
    preferredDuringSchedulingIgnoredDuringExecution: array(
      struct(
        P + 'PreferredSchedulingTerm',
        'A node selector term with a weight.',
        {
          weight: int32('Weight (1-100) added to a matching node\'s score.'),
          preference: withDescription(NodeSelectorTermSchema, 'The term.'),
        },
      ),
      'Nodes the scheduler prefers.',
      { listType: 'atomic' },
    ),
  }),
  podAffinity: struct(P + 'PodAffinity', 'Pods to co-locate with.', podAffinityFields('co-location')),
  podAntiAffinity: struct(P + 'PodAntiAffinity', 'Pods to keep away from.', podAffinityFields('anti-affinity')),
});
export type Affinity = Static<typeof AffinitySchema>;

export const PodSecurityContextSchema = struct(
  P + 'PodSecurityContext',
  'Security settings shared by all containers of a pod.',
  {
    seLinuxOptions: withDescription(SELinuxOptionsSchema, 'SELinux context of all containers.'),
    windowsOptions: withDescription(WindowsSecurityContextOptionsSchema, 'Windows-specific settings.'),
    runAsUser: int64('UID to run the entrypoints as.'),
    runAsGroup: int64('GID to run the entrypoints as.'),
    runAsNonRoot: boolean('Refuse to start containers that would run as UID 0.'),
    supplementalGroups: array(int64(''), 'Extra groups of the first process of every container.', { listType: 'atomic' }),
    supplementalGroupsPolicy: string('Merge or Strict: how supplementalGroups are computed.'),
    fsGroup: int64('Group that owns the pod\'s volumes, added to every container.'),
    sysctls: array(
      struct(
        P + 'Sysctl',
        'A kernel parameter.',
        { name: string('Name of the parameter.'), value: string('Value of the parameter.') },
        { required: ['name'] },
      ),
      'Namespaced sysctls set for the pod.',
      { listType: 'atomic' },
    ),
    fsGroupChangePolicy: string('OnRootMismatch or Always: when volume ownership is changed.'),
    seccompProfile: withDescription(SeccompProfileSchema, 'Seccomp profile of all containers.'),
    appArmorProfile: withDescription(AppArmorProfileSchema, 'AppArmor profile of all containers.'),
    seLinuxChangePolicy: string('Recursive or MountOption: how the SELinux label is applied to volumes.'),
  },
);
export type PodSecurityContext = Static<typeof PodSecurityContextSchema>;

export const TopologySpreadConstraintSchema = struct(
  P + 'TopologySpreadConstraint',
  'How matching pods are spread across a topology.',
  {
    maxSkew: int32('Largest allowed difference of matching pods between two domains.'),
    topologyKey: string('Node label whose values are the domains.'),
    whenUnsatisfiable: string('DoNotSchedule or ScheduleAnyway.'),
    labelSelector: withDescription(LabelSelectorSchema, 'Pods counted in each domain.'),
    minDomains: int32('Minimum number of eligible domains (DoNotSchedule only).'),
    nodeAffinityPolicy: string('Honor or Ignore the pod\'s node affinity when counting.'),
    nodeTaintsPolicy: string('Honor or Ignore node taints when counting.'),
    matchLabelKeys: array(string(''), 'Label keys whose values from the incoming pod narrow labelSelector.', { listType: 'atomic' }),
  },
);
export type TopologySpreadConstraint = Static<typeof TopologySpreadConstraintSchema>;

export const PodResourceClaimSchema = struct(
  P + 'PodResourceClaim',
  'A ResourceClaim the pod uses, by name or generated from a template.',
  {
    name: string('Name of this entry, a DNS label unique within the pod.'),
    resourceClaimName: string('An existing ResourceClaim in the pod\'s namespace.'),
    resourceClaimTemplateName: string('A ResourceClaimTemplate to create a claim for this pod from.'),
  },
  { required: ['name'] },
);

export const PodSpecSchema = struct(P + 'PodSpec', 'The desired state of a pod.', {
  volumes: array(VolumeSchema, 'Volumes the containers can mount.', {
    mergeKey: 'name',
    strategy: 'merge,retainKeys',
    listType: 'map',
    mapKeys: ['name'],
  }),
  initContainers: array(ContainerSchema, 'Containers run to completion, in order, before the app containers start.', {
    mergeKey: 'name',
    strategy: 'merge',
    listType: 'map',
    mapKeys: ['name'],
  }),
  containers: array(ContainerSchema, 'The containers of the pod; at least one.', {
    mergeKey: 'name',
    strategy: 'merge',
    listType: 'map',
    mapKeys: ['name'],
  }),
  ephemeralContainers: array(EphemeralContainerSchema, 'Debugging containers added to the running pod.', {
    mergeKey: 'name',
    strategy: 'merge',
    listType: 'map',
    mapKeys: ['name'],
  }),
  restartPolicy: withDefault(string('Always, OnFailure or Never.'), 'Always'),
  terminationGracePeriodSeconds: withDefault(
    int64('Seconds between the termination signal and the kill; 0 kills at once.'),
    DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
  ),
  activeDeadlineSeconds: int64('Seconds the pod may be active before the kubelet fails it.'),
  dnsPolicy: withDefault(string('ClusterFirst, ClusterFirstWithHostNet, Default or None.'), 'ClusterFirst'),
  nodeSelector: map(string(''), 'Labels a node must have for the pod to be scheduled there.', { mapType: 'atomic' }),
  serviceAccountName: string('ServiceAccount the pod runs as.'),
  serviceAccount: string('Deprecated alias of serviceAccountName.'),
  automountServiceAccountToken: boolean('Whether a service account token is mounted automatically.'),
  nodeName: string('Node the pod is bound to; set by the scheduler.'),
  hostNetwork: boolean('Use the node\'s network namespace.'),
  hostPID: boolean('Use the node\'s PID namespace.'),
  hostIPC: boolean('Use the node\'s IPC namespace.'),
  shareProcessNamespace: boolean('Share one PID namespace between the containers.'),
  securityContext: withDefault(withDescription(PodSecurityContextSchema, 'Pod-level security settings.'), {}),
  imagePullSecrets: array(LocalObjectReferenceSchema, 'Secrets used to pull the images.', {
    mergeKey: 'name',
    strategy: 'merge',
    listType: 'map',
    mapKeys: ['name'],
  }),
  hostname: string('Hostname of the pod; the pod name when empty.'),
  subdomain: string('Subdomain: the FQDN becomes <hostname>.<subdomain>.<namespace>.svc.<cluster domain>.'),
  affinity: withDescription(AffinitySchema, 'Scheduling constraints.'),
  schedulerName: withDefault(string('Scheduler that places the pod.'), DEFAULT_SCHEDULER_NAME),
  tolerations: array(TolerationSchema, 'Taints the pod tolerates.', { listType: 'atomic' }),
  hostAliases: array(
    struct(
      P + 'HostAlias',
      'Extra /etc/hosts entries for an IP.',
      {
        ip: string('IP address of the entry.'),
        hostnames: array(string(''), 'Hostnames for the IP.', { listType: 'atomic' }),
      },
    ),
    'Entries added to the pods\' /etc/hosts.',
    { mergeKey: 'ip', strategy: 'merge', listType: 'map', mapKeys: ['ip'] },
  ),
  priorityClassName: string('PriorityClass of the pod.'),
  priority: int32('Priority value, filled in from priorityClassName by admission.'),
  dnsConfig: struct(P + 'PodDNSConfig', 'DNS settings merged into the generated resolv.conf.', {
    nameservers: array(string(''), 'Extra name server IPs.', { listType: 'atomic' }),
    searches: array(string(''), 'Extra search domains.', { listType: 'atomic' }),
    options: array(
      struct(P + 'PodDNSConfigOption', 'A resolver option.', {
        name: string('Option name.'),
        value: string('Option value.'),
      }),
      'Resolver options.',
      { listType: 'atomic' },
    ),
  }),
  readinessGates: array(
    struct(
      P + 'PodReadinessGate',
      'An extra condition the pod needs to be ready.',
      { conditionType: string('Type of a condition in the pod\'s condition list.') },
    ),
    'Extra conditions evaluated for pod readiness.',
    { listType: 'atomic' },
  ),
  runtimeClassName: string('RuntimeClass used to run the pod.'),
  enableServiceLinks: boolean('Inject service information as Docker-link-style environment variables.'),
  preemptionPolicy: string('PreemptLowerPriority or Never.'),
  overhead: map(quantity(''), 'Resources used by the pod sandbox on top of the containers.'),
  topologySpreadConstraints: array(TopologySpreadConstraintSchema, 'How pods are spread across topology domains.', {
    mergeKey: 'topologyKey',
    strategy: 'merge',
    listType: 'map',
    mapKeys: ['topologyKey', 'whenUnsatisfiable'],
  }),
  setHostnameAsFQDN: boolean('Set the hostname to the pod\'s FQDN.'),
  os: struct(
    P + 'PodOS',
    'The operating system of the pod\'s containers.',
    { name: string('linux or windows.') },
  ),
  hostUsers: boolean('Use the host\'s user namespace (true by default).'),
  schedulingGates: array(
    struct(
      P + 'PodSchedulingGate',
      'A gate that keeps the pod from being scheduled.',
      { name: string('Name of the gate.') },
    ),
    'Gates that must all be removed before the pod is scheduled.',
    { mergeKey: 'name', strategy: 'merge', listType: 'map', mapKeys: ['name'] },
  ),
  resourceClaims: array(PodResourceClaimSchema, 'ResourceClaims the pod needs.', {
    mergeKey: 'name',
    strategy: 'merge,retainKeys',
    listType: 'map',
    mapKeys: ['name'],
  }),
  resources: withDescription(ResourceRequirementsSchema, 'Pod-level resources shared by all containers.'),
});
export type PodSpec = Static<typeof PodSpecSchema>;

export const PodTemplateSpecSchema = struct(P + 'PodTemplateSpec', 'Describes the pods created from a template.', {
  metadata: withDescription(ObjectMetaSchema, 'Metadata of the created pods.'),
  spec: withDescription(PodSpecSchema, 'Spec of the created pods.'),
});
export type PodTemplateSpec = Static<typeof PodTemplateSpecSchema>;

export const PodConditionSchema = struct(
  P + 'PodCondition',
  'One aspect of the state of a pod.',
  {
    type: string('PodScheduled, Initialized, ContainersReady, Ready, PodReadyToStartContainers, DisruptionTarget or a readiness gate.'),
    status: string('True, False or Unknown.'),
    lastProbeTime: time('Last time the condition was probed.'),
    lastTransitionTime: time('Last time the status changed.'),
    reason: string('Machine-readable reason of the last transition.'),
    message: string('Human-readable details of the last transition.'),
  },
);
export type PodCondition = Static<typeof PodConditionSchema>;

export const ContainerStateSchema = struct(P + 'ContainerState', 'The state of a container: one of its members is set.', {
  waiting: struct(P + 'ContainerStateWaiting', 'The container is not running yet.', {
    reason: string('Why it is waiting, e.g. ContainerCreating, CrashLoopBackOff, ImagePullBackOff.'),
    message: string('Details of the reason.'),
  }),
  running: struct(P + 'ContainerStateRunning', 'The container is running.', {
    startedAt: time('When the container last (re)started.'),
  }),
  terminated: struct(
    P + 'ContainerStateTerminated',
    'The container has exited.',
    {
      exitCode: int32('Exit status of the last termination.'),
      signal: int32('Signal of the last termination.'),
      reason: string('Why it terminated, e.g. Completed, Error, OOMKilled.'),
      message: string('Details of the termination.'),
      startedAt: time('When the execution started.'),
      finishedAt: time('When the execution ended.'),
      containerID: string('Runtime ID of the container, \'<type>://<container_id>\'.'),
    },
  ),
});
export type ContainerState = Static<typeof ContainerStateSchema>;

export const ContainerStatusSchema = struct(
  P + 'ContainerStatus',
  'The observed state of one container.',
  {
    name: string('Name of the container.'),
    state: withDescription(ContainerStateSchema, 'Current state.'),
    lastState: withDescription(ContainerStateSchema, 'Last termination state.'),
    ready: boolean('Whether the container passes its readiness probe.'),
    restartCount: int32('How many times the container has been restarted.'),
    image: string('Image the container runs.'),
    imageID: string('ID of the image the container runs.'),
    containerID: string('Runtime ID of the container, \'<type>://<container_id>\'.'),
    started: boolean('Whether the container passed its startup probe.'),
    allocatedResources: map(quantity(''), 'Resources the node allocated to the container.'),
    resources: withDescription(ResourceRequirementsSchema, 'Resources actually applied to the running container.'),
    volumeMounts: array(
      struct(
        P + 'VolumeMountStatus',
        'Status of a volume mount.',
        {
          name: string('Name of the volume.'),
          mountPath: string('Path of the mount.'),
          readOnly: boolean('Whether the mount is read-only.'),
          recursiveReadOnly: string('Disabled, Enabled or IfPossible, as applied.'),
        },
      ),
      'Status of the volume mounts.',
      { mergeKey: 'mountPath', strategy: 'merge', listType: 'map', mapKeys: ['mountPath'] },
    ),
    user: struct(P + 'ContainerUser', 'Identity of the container\'s first process.', {
      linux: struct(
        P + 'LinuxContainerUser',
        'Linux identity of the first process.',
        {
          uid: int64('UID of the first process.'),
          gid: int64('Primary GID of the first process.'),
          supplementalGroups: array(int64(''), 'Supplementary GIDs.', { listType: 'atomic' }),
        },
      ),
    }),
    allocatedResourcesStatus: array(
      struct(
        P + 'ResourceStatus',
        'Health of the devices allocated for one resource.',
        {
          name: string('Name of the resource.'),
          resources: array(
            struct(
              P + 'ResourceHealth',
              'Health of one device.',
              { resourceID: string('Unique ID of the device.'), health: string('Healthy, Unhealthy or Unknown.') },
            ),
            'Health per device.',
            { listType: 'map', mapKeys: ['resourceID'] },
          ),
        },
      ),
      'Health of allocated resources.',
      { mergeKey: 'name', strategy: 'merge', listType: 'map', mapKeys: ['name'] },
    ),
  },
);
export type ContainerStatus = Static<typeof ContainerStatusSchema>;

const ipEntry = (def: string, what: string) =>
  struct(P + def, `An IP address of the ${what}.`, { ip: string('The IP address.') });

export const PodStatusSchema = struct(P + 'PodStatus', 'The observed state of a pod.', {
  phase: string('Pending, Running, Succeeded, Failed or Unknown.'),
  conditions: array(PodConditionSchema, 'Current conditions of the pod.', {
    mergeKey: 'type',
    strategy: 'merge',
    listType: 'map',
    mapKeys: ['type'],
  }),
  message: string('Why the pod is in this state.'),
  reason: string('Brief CamelCase reason, e.g. Evicted.'),
  nominatedNodeName: string('Node the pod is expected to run on after preemption.'),
  hostIP: string('IP of the node the pod runs on.'),
  hostIPs: array(ipEntry('HostIP', 'node'), 'IPs of the node, at most one per family.', {
    mergeKey: 'ip',
    strategy: 'merge',
    listType: 'atomic',
  }),
  podIP: string('IP address of the pod.'),
  podIPs: array(ipEntry('PodIP', 'pod'), 'IP addresses of the pod, at most one per family.', {
    mergeKey: 'ip',
    strategy: 'merge',
    listType: 'map',
    mapKeys: ['ip'],
  }),
  startTime: time('When the kubelet acknowledged the pod.'),
  initContainerStatuses: array(ContainerStatusSchema, 'Status of the init containers.', { listType: 'atomic' }),
  containerStatuses: array(ContainerStatusSchema, 'Status of the containers.', { listType: 'atomic' }),
  qosClass: string('Guaranteed, Burstable or BestEffort.'),
  ephemeralContainerStatuses: array(ContainerStatusSchema, 'Status of the ephemeral containers.', { listType: 'atomic' }),
  resize: string('Status of a requested resize: Proposed, InProgress, Deferred or Infeasible.'),
  resourceClaimStatuses: array(
    struct(
      P + 'PodResourceClaimStatus',
      'The ResourceClaim generated for an entry of spec.resourceClaims.',
      { name: string('Name of the entry in spec.resourceClaims.'), resourceClaimName: string('Name of the generated claim.') },
    ),
    'Generated ResourceClaims.',
    { mergeKey: 'name', strategy: 'merge,retainKeys', listType: 'map', mapKeys: ['name'] },
  ),
});
export type PodStatus = Static<typeof PodStatusSchema>;

export const PodSchema = resourceSchema(P + 'Pod', 'A group of containers run together on one node.', {
  spec: withDescription(PodSpecSchema, 'Desired state of the pod.'),
  status: withDescription(PodStatusSchema, 'Observed state of the pod. Read-only.'),
});
export type Pod = Static<typeof PodSchema>;

export const PodListSchema = listSchema(P + 'PodList', PodSchema);
export type PodList = Static<typeof PodListSchema>;

export const BindingSchema = resourceSchema(P + 'Binding', 'Binds a pod to a node (what the scheduler posts to pods/binding).', {
  target: withDescription(ObjectReferenceSchema, 'The node to bind to.'),
});
export type Binding = Static<typeof BindingSchema>;
