// The kubelet's only way to its container runtime: a gRPC client of the CRI RuntimeService and
// ImageService on `--container-runtime-endpoint` (unix:///path/to.sock). The simulated runtime and
// a real containerd answer the same calls, so changing runtimes is changing the socket.
import * as grpc from '@grpc/grpc-js';
import { callUnary, GrpcCallError } from '../grpcutil/unary.js';
import { criServices } from './proto.js';
import type {
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerStats,
  ContainerStatus,
  DeepPartial,
  ExecSyncResponse,
  Image,
  ImageSpec,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
  StatusResponse,
  VersionResponse,
} from './types.js';

/** A CRI call that failed: the gRPC status code and the runtime's message. */
export class CriError extends GrpcCallError {
  override readonly name = 'CriError';
}

export const isCriNotFound = (err: unknown): boolean => err instanceof CriError && err.code === grpc.status.NOT_FOUND;

export interface CriClientOptions {
  /** unix:///run/kubets/fake.sock (or any gRPC target). */
  readonly endpoint: string;
  /** Deadline of each call unless one is given (upstream's --runtime-request-timeout: 2 minutes). */
  readonly timeoutMs?: number;
}

/** Which of a streaming session's streams exist. */
export interface StreamFlags {
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

export interface CallOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 2 * 60_000;

export class CriClient {
  private readonly runtime: grpc.Client;
  private readonly images: grpc.Client;
  private readonly timeoutMs: number;

  constructor(opts: CriClientOptions) {
    const { RuntimeService, ImageService } = criServices();
    const creds = grpc.credentials.createInsecure();
    const options = { 'grpc.max_receive_message_length': 16 * 1024 * 1024 };
    this.runtime = new RuntimeService(opts.endpoint, creds, options);
    // One channel for both services, as the kubelet does when both endpoints are the same socket.
    this.images = new ImageService(opts.endpoint, creds, { ...options, channelOverride: this.runtime.getChannel() });
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  close(): void {
    this.images.close();
    this.runtime.close();
  }

  private call<R>(client: grpc.Client, method: string, req: unknown, opts: CallOptions = {}): Promise<R> {
    return callUnary<R>(client, method, req, { timeoutMs: opts.timeoutMs ?? this.timeoutMs, signal: opts.signal }, (m, code, details) => new CriError(m, code, details));
  }

  // ---- RuntimeService ----

  version(opts?: CallOptions): Promise<VersionResponse> {
    return this.call(this.runtime, 'Version', { version: '0.1.0' }, opts);
  }

  status(opts?: CallOptions): Promise<StatusResponse> {
    return this.call(this.runtime, 'Status', {}, opts);
  }

  async updateRuntimeConfig(podCidr: string, opts?: CallOptions): Promise<void> {
    await this.call(this.runtime, 'UpdateRuntimeConfig', { runtimeConfig: { networkConfig: { podCidr } } }, opts);
  }

  async runPodSandbox(config: DeepPartial<PodSandboxConfig>, runtimeHandler = '', opts?: CallOptions): Promise<string> {
    return (await this.call<{ podSandboxId: string }>(this.runtime, 'RunPodSandbox', { config, runtimeHandler }, opts)).podSandboxId;
  }

  async stopPodSandbox(podSandboxId: string, opts?: CallOptions): Promise<void> {
    await this.call(this.runtime, 'StopPodSandbox', { podSandboxId }, opts);
  }

  async removePodSandbox(podSandboxId: string, opts?: CallOptions): Promise<void> {
    await this.call(this.runtime, 'RemovePodSandbox', { podSandboxId }, opts);
  }

  async podSandboxStatus(podSandboxId: string, opts?: CallOptions): Promise<PodSandboxStatus> {
    const res = await this.call<{ status: PodSandboxStatus | null }>(this.runtime, 'PodSandboxStatus', { podSandboxId }, opts);
    if (res.status === null) throw new CriError('PodSandboxStatus', grpc.status.NOT_FOUND, `sandbox ${podSandboxId} has no status`);
    return res.status;
  }

  async listPodSandbox(filter?: PodSandboxFilter, opts?: CallOptions): Promise<PodSandbox[]> {
    return (await this.call<{ items: PodSandbox[] }>(this.runtime, 'ListPodSandbox', { filter: filter ?? null }, opts)).items;
  }

  async createContainer(podSandboxId: string, config: DeepPartial<ContainerConfig>, sandboxConfig: DeepPartial<PodSandboxConfig>, opts?: CallOptions): Promise<string> {
    return (await this.call<{ containerId: string }>(this.runtime, 'CreateContainer', { podSandboxId, config, sandboxConfig }, opts)).containerId;
  }

  async startContainer(containerId: string, opts?: CallOptions): Promise<void> {
    await this.call(this.runtime, 'StartContainer', { containerId }, opts);
  }

  /** Returns once the container stopped: SIGTERM, then SIGKILL after `timeoutSeconds`. */
  async stopContainer(containerId: string, timeoutSeconds: number, opts?: CallOptions): Promise<void> {
    // The call lasts as long as the grace period: its deadline must outlast it.
    await this.call(this.runtime, 'StopContainer', { containerId, timeout: String(timeoutSeconds) }, { timeoutMs: this.timeoutMs + timeoutSeconds * 1000, ...opts });
  }

  async removeContainer(containerId: string, opts?: CallOptions): Promise<void> {
    await this.call(this.runtime, 'RemoveContainer', { containerId }, opts);
  }

  async listContainers(filter?: ContainerFilter, opts?: CallOptions): Promise<Container[]> {
    return (await this.call<{ containers: Container[] }>(this.runtime, 'ListContainers', { filter: filter ?? null }, opts)).containers;
  }

  async containerStatus(containerId: string, opts?: CallOptions): Promise<ContainerStatus> {
    const res = await this.call<{ status: ContainerStatus | null }>(this.runtime, 'ContainerStatus', { containerId }, opts);
    if (res.status === null) throw new CriError('ContainerStatus', grpc.status.NOT_FOUND, `container ${containerId} has no status`);
    return res.status;
  }

  execSync(containerId: string, cmd: readonly string[], timeoutSeconds: number, opts?: CallOptions): Promise<ExecSyncResponse> {
    const limit = timeoutSeconds > 0 ? timeoutSeconds * 1000 + this.timeoutMs : this.timeoutMs;
    return this.call(this.runtime, 'ExecSync', { containerId, cmd, timeout: String(timeoutSeconds) }, { timeoutMs: limit, ...opts });
  }

  /** The URL of the runtime's streaming server where `cmd` runs in the container. */
  async exec(containerId: string, cmd: readonly string[], streams: StreamFlags, opts?: CallOptions): Promise<string> {
    return (await this.call<{ url: string }>(this.runtime, 'Exec', { containerId, cmd, ...streams }, opts)).url;
  }

  /** The URL of the runtime's streaming server attached to the container's main process. */
  async attach(containerId: string, streams: StreamFlags, opts?: CallOptions): Promise<string> {
    return (await this.call<{ url: string }>(this.runtime, 'Attach', { containerId, ...streams }, opts)).url;
  }

  /** The URL of the runtime's streaming server forwarding to the sandbox's ports. */
  async portForward(podSandboxId: string, ports: readonly number[], opts?: CallOptions): Promise<string> {
    return (await this.call<{ url: string }>(this.runtime, 'PortForward', { podSandboxId, port: ports }, opts)).url;
  }

  /** Resource usage of the running containers (all, or those of a sandbox). */
  async listContainerStats(filter?: { podSandboxId?: string }, opts?: CallOptions): Promise<ContainerStats[]> {
    return (await this.call<{ stats: ContainerStats[] }>(this.runtime, 'ListContainerStats', { filter: filter ?? null }, opts)).stats;
  }

  // ---- ImageService ----

  async pullImage(image: string, sandboxConfig?: DeepPartial<PodSandboxConfig>, opts?: CallOptions): Promise<string> {
    return (await this.call<{ imageRef: string }>(this.images, 'PullImage', { image: { image }, sandboxConfig: sandboxConfig ?? null }, opts)).imageRef;
  }

  /** The image, or undefined when the runtime does not have it. */
  async imageStatus(image: string, opts?: CallOptions): Promise<Image | undefined> {
    return (await this.call<{ image: Image | null }>(this.images, 'ImageStatus', { image: { image } }, opts)).image ?? undefined;
  }

  async listImages(filter?: DeepPartial<ImageSpec>, opts?: CallOptions): Promise<Image[]> {
    return (await this.call<{ images: Image[] }>(this.images, 'ListImages', { filter: filter ? { image: filter } : null }, opts)).images;
  }

  async removeImage(image: string, opts?: CallOptions): Promise<void> {
    await this.call(this.images, 'RemoveImage', { image: { image } }, opts);
  }
}
