// A CSI driver whose volumes are directories on its node (upstream's csi-driver-host-path, written
// here): CreateVolume makes a directory under the driver's state dir, NodePublishVolume links the
// target path the kubelet gives to it (a bind mount needs root; containerd's bind mount of a
// container follows the link), DeleteVolume removes it. Volumes are reachable from their node
// only, which the driver says through the kubernetes.io/hostname topology segment.
import { randomUUID } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';

export const HOSTPATH_DRIVER_NAME = 'hostpath.csi.kubets.io';
export const HOSTPATH_DRIVER_VERSION = '0.1.0';
/** Where a kubelet with --root-dir ROOT finds a driver's socket (upstream's plugins directory). */
export const csiSocketUnder = (rootDir: string, driver = HOSTPATH_DRIVER_NAME): string => join(rootDir, 'plugins', driver, 'csi.sock');

/** The topology key of the node a volume lives on: a label every node has. */
export const TOPOLOGY_KEY = 'kubernetes.io/hostname';

/** A gRPC status and message, as the driver answers a call it refuses. */
export class CsiError extends Error {
  override readonly name = 'CsiError';
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

export interface VolumeCapabilityIn {
  readonly block?: unknown;
  readonly mount?: unknown;
  readonly accessMode?: { readonly mode?: string } | null;
}

export interface CreatedVolume {
  readonly capacityBytes: string;
  readonly volumeId: string;
  readonly volumeContext: Record<string, string>;
  readonly accessibleTopology: { segments: Record<string, string> }[];
}

interface VolumeRecord {
  readonly id: string;
  readonly name: string;
  readonly capacityBytes: number;
}

export interface HostPathDriverOptions {
  /** The node this driver serves (its name in the cluster). */
  readonly nodeId: string;
  /** Where the volumes live: <stateDir>/volumes/<id> (and <id>.json beside it). */
  readonly stateDir: string;
  readonly maxVolumesPerNode?: number;
}

export class HostPathDriver {
  constructor(private readonly o: HostPathDriverOptions) {}

  private get volumesDir(): string {
    return join(this.o.stateDir, 'volumes');
  }

  /** Where the volume's data is on the node. */
  dataDir(volumeId: string): string {
    return join(this.volumesDir, volumeId);
  }

  pluginInfo(): { name: string; vendorVersion: string; manifest: Record<string, string> } {
    return { name: HOSTPATH_DRIVER_NAME, vendorVersion: HOSTPATH_DRIVER_VERSION, manifest: {} };
  }

  pluginCapabilities(): { capabilities: unknown[] } {
    return { capabilities: [{ service: { type: 'CONTROLLER_SERVICE' } }, { service: { type: 'VOLUME_ACCESSIBILITY_CONSTRAINTS' } }] };
  }

  async probe(): Promise<{ ready: { value: boolean } }> {
    await mkdir(this.volumesDir, { recursive: true });
    return { ready: { value: true } };
  }

  controllerCapabilities(): { capabilities: unknown[] } {
    return { capabilities: [{ rpc: { type: 'CREATE_DELETE_VOLUME' } }] };
  }

  nodeCapabilities(): { capabilities: unknown[] } {
    return { capabilities: [] };
  }

  nodeInfo(): { nodeId: string; maxVolumesPerNode: string; accessibleTopology: { segments: Record<string, string> } } {
    return { nodeId: this.o.nodeId, maxVolumesPerNode: String(this.o.maxVolumesPerNode ?? 0), accessibleTopology: { segments: { [TOPOLOGY_KEY]: this.o.nodeId } } };
  }

  private async records(): Promise<VolumeRecord[]> {
    const out: VolumeRecord[] = [];
    for (const f of await readdir(this.volumesDir).catch(() => [] as string[])) {
      if (!f.endsWith('.json')) continue;
      try {
        out.push(JSON.parse(await readFile(join(this.volumesDir, f), 'utf8')) as VolumeRecord);
      } catch {
        // A record cut short by a crash: its volume was never returned to anyone.
      }
    }
    return out;
  }

  private created(r: VolumeRecord): CreatedVolume {
    return { capacityBytes: String(r.capacityBytes), volumeId: r.id, volumeContext: {}, accessibleTopology: [{ segments: { [TOPOLOGY_KEY]: this.o.nodeId } }] };
  }

  /** Idempotent by name: the same name gives the same volume, if its size still fits the request. */
  async createVolume(req: { name?: string; capacityRange?: { requiredBytes?: string; limitBytes?: string } | null; volumeCapabilities?: readonly VolumeCapabilityIn[] }): Promise<{ volume: CreatedVolume }> {
    const name = req.name ?? '';
    if (name === '') throw new CsiError(grpc.status.INVALID_ARGUMENT, 'Name missing in request');
    const caps = req.volumeCapabilities ?? [];
    if (caps.length === 0) throw new CsiError(grpc.status.INVALID_ARGUMENT, 'Volume Capabilities missing in request');
    if (caps.some((c) => c.block !== undefined && c.block !== null)) throw new CsiError(grpc.status.INVALID_ARGUMENT, 'block access type is not supported');
    const required = Number(req.capacityRange?.requiredBytes ?? '0');
    const limit = Number(req.capacityRange?.limitBytes ?? '0');
    if (limit > 0 && required > limit) throw new CsiError(grpc.status.INVALID_ARGUMENT, `required bytes ${required} exceed the limit ${limit}`);
    const existing = (await this.records()).find((r) => r.name === name);
    if (existing !== undefined) {
      if (existing.capacityBytes < required || (limit > 0 && existing.capacityBytes > limit)) {
        throw new CsiError(grpc.status.ALREADY_EXISTS, `Volume with the same name: ${name} but with different size already exist`);
      }
      return { volume: this.created(existing) };
    }
    const record: VolumeRecord = { id: randomUUID(), name, capacityBytes: required };
    await mkdir(this.dataDir(record.id), { recursive: true, mode: 0o777 });
    // The record last: a volume is only found by name once its directory is there.
    await writeFile(join(this.volumesDir, `${record.id}.json`), JSON.stringify(record));
    return { volume: this.created(record) };
  }

  /** Removes the volume and its data; a volume that is not there is deleted already. */
  async deleteVolume(req: { volumeId?: string }): Promise<Record<string, never>> {
    const id = req.volumeId ?? '';
    if (id === '') throw new CsiError(grpc.status.INVALID_ARGUMENT, 'Volume ID missing in request');
    if (id.includes('/') || id.startsWith('.')) throw new CsiError(grpc.status.INVALID_ARGUMENT, `invalid volume id ${id}`);
    await rm(join(this.volumesDir, `${id}.json`), { force: true });
    await rm(this.dataDir(id), { recursive: true, force: true });
    return {};
  }

  /** Makes target_path lead to the volume's data; publishing the same volume there again is a no-op. */
  async nodePublishVolume(req: { volumeId?: string; targetPath?: string; volumeCapability?: VolumeCapabilityIn | null }): Promise<Record<string, never>> {
    const id = req.volumeId ?? '';
    const target = req.targetPath ?? '';
    if (id === '') throw new CsiError(grpc.status.INVALID_ARGUMENT, 'Volume ID missing in request');
    if (target === '') throw new CsiError(grpc.status.INVALID_ARGUMENT, 'Target path missing in request');
    if (req.volumeCapability === undefined || req.volumeCapability === null) throw new CsiError(grpc.status.INVALID_ARGUMENT, 'Volume capability missing in request');
    if (!(await this.records()).some((r) => r.id === id)) throw new CsiError(grpc.status.NOT_FOUND, `volume id ${id} does not exist in the volumes list`);
    const data = this.dataDir(id);
    const current = await readlink(target).catch(() => undefined);
    if (current === data) return {};
    if (current !== undefined || (await lstat(target).catch(() => undefined)) !== undefined) {
      throw new CsiError(grpc.status.ALREADY_EXISTS, `target path ${target} is already in use`);
    }
    await mkdir(dirname(target), { recursive: true });
    await symlink(data, target);
    return {};
  }

  async nodeUnpublishVolume(req: { volumeId?: string; targetPath?: string }): Promise<Record<string, never>> {
    if ((req.volumeId ?? '') === '') throw new CsiError(grpc.status.INVALID_ARGUMENT, 'Volume ID missing in request');
    const target = req.targetPath ?? '';
    if (target === '') throw new CsiError(grpc.status.INVALID_ARGUMENT, 'Target path missing in request');
    const st = await lstat(target).catch(() => undefined);
    if (st?.isSymbolicLink()) await rm(target, { force: true });
    return {};
  }
}
