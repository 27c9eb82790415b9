// A CSI client of one driver's socket (unix:///path/csi.sock): what the kubelet (Node service) and
// the external provisioner (Controller service) call. Any csi.v1 driver answers the same calls.
import * as grpc from '@grpc/grpc-js';
import { callUnary, GrpcCallError } from '../grpcutil/unary.js';
import { csiServices } from './proto.js';

/** A CSI call that failed: the gRPC status code and the driver's message. */
export class CsiCallError extends GrpcCallError {
  override readonly name = 'CsiCallError';
}

export interface CsiVolume {
  readonly capacityBytes: string;
  readonly volumeId: string;
  readonly volumeContext: Record<string, string>;
  readonly accessibleTopology: readonly { readonly segments: Record<string, string> }[];
}

/** A volume capability: a filesystem mount with one access mode (kubets has no block volumes). */
export interface MountCapability {
  readonly fsType?: string;
  readonly mountFlags?: readonly string[];
  readonly accessMode: 'SINGLE_NODE_WRITER' | 'SINGLE_NODE_READER_ONLY' | 'MULTI_NODE_READER_ONLY' | 'MULTI_NODE_SINGLE_WRITER' | 'MULTI_NODE_MULTI_WRITER' | 'SINGLE_NODE_SINGLE_WRITER' | 'SINGLE_NODE_MULTI_WRITER';
}

const capability = (c: MountCapability): unknown => ({ mount: { fsType: c.fsType ?? '', mountFlags: [...(c.mountFlags ?? [])] }, accessMode: { mode: c.accessMode } });

/** Kubernetes access modes as CSI ones (upstream's mapping for drivers without SINGLE_NODE_MULTI_WRITER). */
export function csiAccessMode(modes: readonly string[]): MountCapability['accessMode'] {
  if (modes.includes('ReadWriteMany')) return 'MULTI_NODE_MULTI_WRITER';
  if (modes.includes('ReadOnlyMany')) return 'MULTI_NODE_READER_ONLY';
  return 'SINGLE_NODE_WRITER';
}

const DEFAULT_TIMEOUT_MS = 60_000;

export class CsiClient {
  private readonly identity: grpc.Client;
  private readonly controller: grpc.Client;
  private readonly node: grpc.Client;

  constructor(
    readonly endpoint: string,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {
    const { Identity, Controller, Node } = csiServices();
    const creds = grpc.credentials.createInsecure();
    this.identity = new Identity(endpoint, creds);
    // One channel for the three services of the one socket.
    this.controller = new Controller(endpoint, creds, { channelOverride: this.identity.getChannel() });
    this.node = new Node(endpoint, creds, { channelOverride: this.identity.getChannel() });
  }

  close(): void {
    this.node.close();
    this.controller.close();
    this.identity.close();
  }

  private call<R>(client: grpc.Client, method: string, req: unknown, signal?: AbortSignal): Promise<R> {
    return callUnary<R>(client, method, req, { timeoutMs: this.timeoutMs, signal }, (m, code, details) => new CsiCallError(m, code, details));
  }

  getPluginInfo(signal?: AbortSignal): Promise<{ name: string; vendorVersion: string }> {
    return this.call(this.identity, 'GetPluginInfo', {}, signal);
  }

  async probe(signal?: AbortSignal): Promise<boolean> {
    const r = await this.call<{ ready?: { value?: boolean } | null }>(this.identity, 'Probe', {}, signal);
    // An unset readiness means ready (the spec's words).
    return r.ready?.value ?? true;
  }

  async createVolume(req: { name: string; requiredBytes: number; capability: MountCapability; parameters?: Record<string, string>; requisite?: readonly Record<string, string>[] }, signal?: AbortSignal): Promise<CsiVolume> {
    const topology = (req.requisite ?? []).map((segments) => ({ segments }));
    const r = await this.call<{ volume: CsiVolume }>(
      this.controller,
      'CreateVolume',
      {
        name: req.name,
        capacityRange: { requiredBytes: String(req.requiredBytes), limitBytes: '0' },
        volumeCapabilities: [capability(req.capability)],
        parameters: req.parameters ?? {},
        ...(topology.length > 0 ? { accessibilityRequirements: { requisite: topology, preferred: topology } } : {}),
      },
      signal,
    );
    return r.volume;
  }

  async deleteVolume(volumeId: string, signal?: AbortSignal): Promise<void> {
    await this.call(this.controller, 'DeleteVolume', { volumeId }, signal);
  }

  async nodePublishVolume(req: { volumeId: string; targetPath: string; capability: MountCapability; readonly: boolean; volumeContext?: Record<string, string> }, signal?: AbortSignal): Promise<void> {
    await this.call(this.node, 'NodePublishVolume', { volumeId: req.volumeId, targetPath: req.targetPath, volumeCapability: capability(req.capability), readonly: req.readonly, volumeContext: req.volumeContext ?? {} }, signal);
  }

  async nodeUnpublishVolume(volumeId: string, targetPath: string, signal?: AbortSignal): Promise<void> {
    await this.call(this.node, 'NodeUnpublishVolume', { volumeId, targetPath }, signal);
  }

  nodeGetInfo(signal?: AbortSignal): Promise<{ nodeId: string; maxVolumesPerNode: string; accessibleTopology: { segments: Record<string, string> } | null }> {
    return this.call(this.node, 'NodeGetInfo', {}, signal);
  }
}
