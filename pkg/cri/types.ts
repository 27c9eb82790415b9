// The CRI messages (proto/cri.proto) as @grpc/proto-loader presents them here: camelCase field
// names, enums by name, 64-bit integers as decimal strings (nanosecond timestamps do not fit a
// double), every field present with its default.

export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';
export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** int64 on the wire. */
export type Int64 = string;

export interface KeyValue {
  key: string;
  value: string;
}

export interface VersionResponse {
  version: string;
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

export interface RuntimeCondition {
  type: string;
  status: boolean;
  reason: string;
  message: string;
}

export interface StatusResponse {
  status: { conditions: RuntimeCondition[] } | null;
  info: Record<string, string>;
}

export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export interface PortMapping {
  protocol: Protocol;
  containerPort: number;
  hostPort: number;
  hostIp: string;
}

export interface NamespaceOption {
  network: NamespaceMode;
  pid: NamespaceMode;
  ipc: NamespaceMode;
  targetId: string;
}

export interface LinuxContainerResources {
  cpuPeriod: Int64;
  cpuQuota: Int64;
  cpuShares: Int64;
  memoryLimitInBytes: Int64;
  oomScoreAdj: Int64;
  cpusetCpus: string;
  cpusetMems: string;
  unified: Record<string, string>;
  memorySwapLimitInBytes: Int64;
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata | null;
  hostname: string;
  logDirectory: string;
  dnsConfig: { servers: string[]; searches: string[]; options: string[] } | null;
  portMappings: PortMapping[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  linux: {
    cgroupParent: string;
    securityContext: { namespaceOptions: NamespaceOption | null; privileged: boolean } | null;
    sysctls: Record<string, string>;
  } | null;
}

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata | null;
  state: PodSandboxState;
  createdAt: Int64;
  network: { ip: string; additionalIps: { ip: string }[] } | null;
  linux: { namespaces: { options: NamespaceOption | null } | null } | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  runtimeHandler: string;
}

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata | null;
  state: PodSandboxState;
  createdAt: Int64;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  runtimeHandler: string;
}

export interface PodSandboxFilter {
  id?: string;
  state?: { state: PodSandboxState } | null;
  labelSelector?: Record<string, string>;
}

export interface ImageSpec {
  image: string;
  annotations: Record<string, string>;
  userSpecifiedImage: string;
  runtimeHandler: string;
}

export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
  selinuxRelabel: boolean;
  propagation: 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';
}

export interface ContainerMetadata {
  name: string;
  attempt: number;
}

export interface ContainerConfig {
  metadata: ContainerMetadata | null;
  image: ImageSpec | null;
  command: string[];
  args: string[];
  workingDir: string;
  envs: KeyValue[];
  mounts: Mount[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  logPath: string;
  stdin: boolean;
  stdinOnce: boolean;
  tty: boolean;
  linux: { resources: LinuxContainerResources | null } | null;
}

export interface Container {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata | null;
  image: ImageSpec | null;
  imageRef: string;
  state: ContainerState;
  createdAt: Int64;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  imageId: string;
}

export interface ContainerFilter {
  id?: string;
  state?: { state: ContainerState } | null;
  podSandboxId?: string;
  labelSelector?: Record<string, string>;
}

export interface ContainerStatus {
  id: string;
  metadata: ContainerMetadata | null;
  state: ContainerState;
  createdAt: Int64;
  startedAt: Int64;
  finishedAt: Int64;
  exitCode: number;
  image: ImageSpec | null;
  imageRef: string;
  reason: string;
  message: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  mounts: Mount[];
  logPath: string;
  imageId: string;
}

export interface ExecSyncResponse {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

export interface Image {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: Int64;
  uid: { value: Int64 } | null;
  username: string;
  spec: ImageSpec | null;
  pinned: boolean;
}

/** A request as a caller may write it: any field may be left out (proto3 defaults). */
export type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? DeepPartial<U>[] : T[K] extends Buffer | Record<string, string> ? T[K] : T[K] extends object | null ? DeepPartial<NonNullable<T[K]>> | null : T[K] };

/** A uint64 CRI wraps to tell "0" from "not measured" (null). */
export type UInt64Value = { value: Int64 } | null;

export interface ContainerStats {
  attributes: { id: string; metadata: ContainerMetadata | null; labels: Record<string, string>; annotations: Record<string, string> } | null;
  cpu: { timestamp: Int64; usageCoreNanoSeconds: UInt64Value; usageNanoCores: UInt64Value } | null;
  memory: { timestamp: Int64; workingSetBytes: UInt64Value; availableBytes: UInt64Value; usageBytes: UInt64Value; rssBytes: UInt64Value; pageFaults: UInt64Value; majorPageFaults: UInt64Value } | null;
  writableLayer: { timestamp: Int64; fsId: { mountpoint: string } | null; usedBytes: UInt64Value; inodesUsed: UInt64Value } | null;
}
