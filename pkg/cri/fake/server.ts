// The simulated runtime served as CRI over gRPC, on a unix socket (or any gRPC address): the same
// RuntimeService and ImageService containerd serves, so the kubelet cannot tell them apart.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { Clock } from '../../client/clock.js';
import { criServices } from '../proto.js';
import { FakeRuntime, FakeRuntimeError } from './runtime.js';
import { FakeStreamingServer } from './streaming.js';

export interface FakeRuntimeServer {
  /** The address the kubelet dials: unix:///path/to.sock. */
  readonly endpoint: string;
  readonly runtime: FakeRuntime;
  stop(): Promise<void>;
}

type Handler = (req: Record<string, unknown>) => unknown;

/** A unary handler from a function that returns (or resolves to) the response or throws a FakeRuntimeError. */
function unary(fn: Handler): grpc.handleUnaryCall<Record<string, unknown>, unknown> {
  return (call, callback) => {
    let result: unknown;
    try {
      result = fn(call.request);
    } catch (err) {
      callback(toServiceError(err));
      return;
    }
    Promise.resolve(result).then(
      (res) => callback(null, res ?? {}),
      (err: unknown) => callback(toServiceError(err)),
    );
  };
}

function toServiceError(err: unknown): Partial<grpc.StatusObject> {
  if (err instanceof FakeRuntimeError) return { code: err.code, details: err.message };
  return { code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const obj = <T>(v: unknown): T => (v ?? undefined) as T;

/** The service implementations over `runtime`. */
export function fakeCriHandlers(runtime: FakeRuntime, streaming: FakeStreamingServer): { runtime: grpc.UntypedServiceImplementation; images: grpc.UntypedServiceImplementation } {
  const flags = (r: Record<string, unknown>): { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean } => ({ stdin: r['stdin'] === true, stdout: r['stdout'] === true, stderr: r['stderr'] === true, tty: r['tty'] === true });
  const running = (id: string): string => {
    const state = runtime.containerStatus(id).state;
    if (state !== 'CONTAINER_RUNNING') throw new FakeRuntimeError(grpc.status.FAILED_PRECONDITION, `container ${id} is not running (state=${state})`);
    return id;
  };
  return {
    runtime: {
      Version: unary(() => runtime.version()),
      Status: unary(() => runtime.status()),
      UpdateRuntimeConfig: unary((r) => runtime.updateRuntimeConfig(str(obj<{ networkConfig?: { podCidr?: string } }>(r['runtimeConfig'])?.networkConfig?.podCidr))),
      RunPodSandbox: unary((r) => ({ podSandboxId: runtime.runPodSandbox(obj(r['config']) ?? {}, str(r['runtimeHandler'])) })),
      StopPodSandbox: unary((r) => runtime.stopPodSandbox(str(r['podSandboxId']))),
      RemovePodSandbox: unary((r) => runtime.removePodSandbox(str(r['podSandboxId']))),
      PodSandboxStatus: unary((r) => ({ status: runtime.podSandboxStatus(str(r['podSandboxId'])), info: {}, containersStatuses: [], timestamp: '0' })),
      ListPodSandbox: unary((r) => ({ items: runtime.listPodSandbox(obj(r['filter'])) })),
      CreateContainer: unary((r) => ({ containerId: runtime.createContainer(str(r['podSandboxId']), obj(r['config']) ?? {}, obj(r['sandboxConfig'])) })),
      StartContainer: unary((r) => runtime.startContainer(str(r['containerId']))),
      StopContainer: unary((r) => runtime.stopContainer(str(r['containerId']), Number(r['timeout'] ?? 0))),
      RemoveContainer: unary((r) => runtime.removeContainer(str(r['containerId']))),
      ListContainers: unary((r) => ({ containers: runtime.listContainers(obj(r['filter'])) })),
      ContainerStatus: unary((r) => ({ status: runtime.containerStatus(str(r['containerId'])), info: {} })),
      // Simulated containers use no CPU or memory of their own: their usage is zero, measured now.
      ListContainerStats: unary(() => ({ stats: runtime.listContainers({ state: { state: 'CONTAINER_RUNNING' } }).map((c) => {
        const now = String(BigInt(Date.now()) * 1_000_000n);
        const zero = { value: '0' };
        return { attributes: { id: c.id, metadata: c.metadata, labels: c.labels, annotations: c.annotations }, cpu: { timestamp: now, usageCoreNanoSeconds: zero, usageNanoCores: zero }, memory: { timestamp: now, workingSetBytes: zero, usageBytes: zero, rssBytes: zero }, writableLayer: null };
      }) })),
      ExecSync: unary((r) => runtime.execSync(str(r['containerId']), (r['cmd'] as string[] | undefined) ?? [], Number(r['timeout'] ?? 0))),
      Exec: unary(async (r) => ({ url: await streaming.register({ kind: 'exec', containerId: running(str(r['containerId'])), cmd: (r['cmd'] as string[] | undefined) ?? [], flags: flags(r) }) })),
      PortForward: unary((r) => {
        runtime.podSandboxStatus(str(r['podSandboxId']));
        throw new FakeRuntimeError(grpc.status.FAILED_PRECONDITION, 'the simulated runtime has no pod network to forward ports to (nodes started with --runtime containerd have one)');
      }),
      Attach: unary(async (r) => ({ url: await streaming.register({ kind: 'attach', containerId: running(str(r['containerId'])), flags: flags(r) }) })),
    },
    images: {
      PullImage: unary((r) => ({ imageRef: runtime.pullImage(str(obj<{ image?: string }>(r['image'])?.image)) })),
      ImageStatus: unary((r) => ({ image: runtime.imageStatus(str(obj<{ image?: string }>(r['image'])?.image)) ?? null, info: {} })),
      ListImages: unary(() => ({ images: runtime.listImages() })),
      RemoveImage: unary((r) => runtime.removeImage(str(obj<{ image?: string }>(r['image'])?.image))),
    },
  };
}

/**
 * Serves a new FakeRuntime on `endpoint` (unix:///path: the socket file is replaced if a dead
 * one is left over).
 */
export async function startFakeRuntimeServer(endpoint: string, clock: Clock): Promise<FakeRuntimeServer> {
  const runtime = new FakeRuntime(clock);
  const { RuntimeService, ImageService } = criServices();
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
  const streaming = new FakeStreamingServer(runtime);
  const handlers = fakeCriHandlers(runtime, streaming);
  server.addService(RuntimeService.service, handlers.runtime);
  server.addService(ImageService.service, handlers.images);
  if (endpoint.startsWith('unix://')) {
    const path = endpoint.slice('unix://'.length);
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { force: true });
  }
  const port = await new Promise<number>((resolve, reject) => server.bindAsync(endpoint, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  const address = endpoint.startsWith('unix://') ? endpoint : endpoint.replace(/:0$/, `:${port}`);
  return {
    endpoint: address,
    runtime,
    stop: () =>
      new Promise<void>((resolve) => {
        runtime.close();
        streaming.close();
        server.tryShutdown(() => resolve());
        // Calls in flight (a StopContainer waiting out a grace period) must not hold the shutdown.
        setTimeout(() => server.forceShutdown(), 1000).unref();
      }),
  };
}
