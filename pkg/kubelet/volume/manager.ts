// The kubelet's volumes (upstream's volume manager and its in-tree plugins, for the sources a node
// without network storage serves): each pod volume becomes a directory on the node before the
// pod's sandbox starts, and each container's volumeMounts become CRI mounts of those directories.
// Layout as upstream: <root-dir>/pods/<uid>/volumes/kubernetes.io~<plugin>/<volume>.
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Container, Pod } from '../../api/core/v1/pod-types.js';
import type { PersistentVolume } from '../../api/core/v1/persistentvolume.js';
import type { PersistentVolumeClaim } from '../../api/core/v1/persistentvolumeclaim.js';
import type { HostPathVolumeSource, Volume } from '../../api/core/v1/volumes.js';
import type { Mount } from '../../cri/types.js';
import { csiAccessMode, type CsiClient } from '../../csi/client.js';
import { expandReferences } from '../env.js';
import { writePayload } from './atomic-writer.js';
import { mountTmpfs, unmountUnder } from './tmpfs.js';
import { tryParseQuantity } from '../../api/resource/quantity.js';
import { isPayloadVolume, VolumeSetupError, volumePayload, type VolumeDataSources } from './payload.js';

export { VolumeSetupError } from './payload.js';

/** Where the kubelet reads what its volumes are made from. */
export interface VolumeSources extends VolumeDataSources {
  claim(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  persistentVolume(name: string): Promise<PersistentVolume | undefined>;
}

export interface VolumeManagerOptions {
  /** The kubelet's --root-dir. */
  readonly rootDir: string;
  readonly sources: VolumeSources;
  /** The node's allocatable resources (a downward API resourceFieldRef of a limit left out). */
  readonly allocatable: () => Readonly<Record<string, string>>;
  /** The CSI driver of that name on this node, when one is registered. */
  readonly csiDriver?: (name: string) => CsiClient | undefined;
  /**
   * Whether emptyDir medium Memory is a real tmpfs (root, and a runtime whose containers see node
   * mounts); otherwise a directory serves, as with the simulated runtime.
   */
  readonly memoryMediumTmpfs?: () => boolean;
}

/** What the kubelet notes beside a CSI volume's mount, to unpublish it when the pod goes (upstream's vol_data.json). */
interface CsiVolumeData {
  readonly driverName: string;
  readonly volumeHandle: string;
}

/** One pod volume set up on the node. */
export interface PodVolume {
  /** The directory (or file, for a hostPath of a file) on the node. */
  readonly path: string;
  /** Whether every mount of it is read-only (API data volumes, read-only claims). */
  readonly readOnly: boolean;
}

const PLUGIN_DIR: Record<string, string> = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
};

/** The source field a volume sets (emptyDir when none, as the API defaults it). */
function sourceOf(v: Volume): string {
  for (const k of Object.keys(v)) if (k !== 'name' && (v as Record<string, unknown>)[k] !== undefined) return k;
  return 'emptyDir';
}

async function kindAt(path: string): Promise<'dir' | 'file' | 'socket' | 'char' | 'block' | 'other' | undefined> {
  const st = await stat(path).catch(() => undefined);
  if (st === undefined) return undefined;
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  return 'other';
}

/** upstream's hostPath type checker: creates what the *OrCreate types ask for, refuses a mismatch. */
export async function checkHostPath(src: HostPathVolumeSource): Promise<void> {
  const path = src.path;
  const type = src.type ?? '';
  const kind = await kindAt(path);
  const fail = (what: string): never => {
    throw new VolumeSetupError(`hostPath type check failed: ${path} is not ${what}`);
  };
  switch (type) {
    case '':
      return;
    case 'DirectoryOrCreate':
      if (kind === undefined) await mkdir(path, { recursive: true, mode: 0o755 });
      else if (kind !== 'dir') fail('a directory');
      return;
    case 'Directory':
      if (kind !== 'dir') fail('a directory');
      return;
    case 'FileOrCreate':
      if (kind === undefined) {
        const fh = await open(path, constants.O_CREAT | constants.O_WRONLY, 0o644).catch((err: unknown) => {
          throw new VolumeSetupError(`hostPath type check failed: ${path}: ${(err as Error).message}`);
        });
        await fh.close();
      } else if (kind !== 'file') fail('a file');
      return;
    case 'File':
      if (kind !== 'file') fail('a file');
      return;
    case 'Socket':
      if (kind !== 'socket') fail('a socket file');
      return;
    case 'CharDevice':
      if (kind !== 'char') fail('a character device');
      return;
    case 'BlockDevice':
      if (kind !== 'block') fail('a block device');
      return;
    default:
      throw new VolumeSetupError(`hostPath type check failed: unknown type ${type}`);
  }
}

export class VolumeManager {
  constructor(private readonly o: VolumeManagerOptions) {}

  /** <root-dir>/pods/<uid>: everything the kubelet keeps of the pod on the node. */
  podDir(uid: string): string {
    return join(this.o.rootDir, 'pods', uid);
  }

  /**
   * Sets up every volume of the pod, refreshing API data volumes whose source changed. A volume
   * that cannot be set up the first time fails the call (VolumeSetupError, upstream's FailedMount
   * message); one already set up keeps its last content when a refresh fails.
   */
  async setUp(pod: Pod): Promise<Map<string, PodVolume>> {
    const out = new Map<string, PodVolume>();
    for (const v of pod.spec?.volumes ?? []) {
      try {
        out.set(v.name, await this.setUpOne(pod, v));
      } catch (err) {
        const message = err instanceof VolumeSetupError ? err.message : err instanceof Error ? err.message : String(err);
        throw new VolumeSetupError(`MountVolume.SetUp failed for volume "${v.name}" : ${message}`);
      }
    }
    return out;
  }

  private async setUpOne(pod: Pod, v: Volume): Promise<PodVolume> {
    const source = sourceOf(v);
    const uid = pod.metadata?.uid ?? '';
    const pluginDir = PLUGIN_DIR[source];
    if (pluginDir !== undefined) {
      const dir = join(this.podDir(uid), 'volumes', pluginDir, v.name);
      if (!isPayloadVolume(v)) {
        await mkdir(dir, { recursive: true, mode: 0o777 });
        if (v.emptyDir?.medium === 'Memory' && this.o.memoryMediumTmpfs?.() === true) {
          const limit = Number(tryParseQuantity(v.emptyDir.sizeLimit)?.value() ?? 0n);
          const memory = Number(tryParseQuantity(this.o.allocatable().memory)?.value() ?? 0n);
          await mountTmpfs(dir, limit > 0 ? limit : memory).catch((err: unknown) => {
            throw new VolumeSetupError(err instanceof Error ? err.message : String(err));
          });
        }
        return { path: dir, readOnly: false };
      }
      const existed = (await kindAt(join(dir, '..data'))) === 'dir';
      try {
        await writePayload(dir, await volumePayload(pod, v, this.o.sources, this.o.allocatable()));
      } catch (err) {
        // A volume already mounted keeps serving its last content, as upstream's does.
        if (!existed) throw err;
      }
      return { path: dir, readOnly: true };
    }
    if (v.hostPath) {
      await checkHostPath(v.hostPath);
      return { path: v.hostPath.path, readOnly: false };
    }
    if (v.persistentVolumeClaim) return this.claimVolume(pod, v.persistentVolumeClaim.claimName, v.persistentVolumeClaim.readOnly === true);
    throw new VolumeSetupError(`no volume plugin matched for volume source ${source}`);
  }

  /** A claim's volume on this node: hostPath and local volumes are node paths; CSI needs its driver. */
  private async claimVolume(pod: Pod, claimName: string, readOnly: boolean): Promise<PodVolume> {
    const ns = pod.metadata?.namespace ?? '';
    const claim = await this.o.sources.claim(ns, claimName);
    if (claim === undefined) throw new VolumeSetupError(`persistentvolumeclaim "${claimName}" not found`);
    if (claim.metadata?.deletionTimestamp !== undefined) throw new VolumeSetupError(`error processing PVC ${ns}/${claimName}: PVC is being deleted`);
    const pvName = claim.spec?.volumeName ?? '';
    if (claim.status?.phase !== 'Bound' || pvName === '') throw new VolumeSetupError(`error processing PVC ${ns}/${claimName}: PVC is not bound`);
    const pv = await this.o.sources.persistentVolume(pvName);
    if (pv === undefined) throw new VolumeSetupError(`persistentvolume "${pvName}" not found`);
    const spec = pv.spec ?? {};
    if (spec.hostPath) {
      await checkHostPath(spec.hostPath);
      return { path: spec.hostPath.path, readOnly };
    }
    if (spec.local) {
      if ((await kindAt(spec.local.path)) === undefined) throw new VolumeSetupError(`path "${spec.local.path}" does not exist`);
      return { path: spec.local.path, readOnly };
    }
    if (spec.csi) return this.csiVolume(pod, pvName, pv, readOnly);
    throw new VolumeSetupError(`no volume plugin matched for persistent volume ${pvName}`);
  }

  /** NodePublishVolume of the claim's CSI volume at <pod>/volumes/kubernetes.io~csi/<pv>/mount. */
  private async csiVolume(pod: Pod, pvName: string, pv: PersistentVolume, claimReadOnly: boolean): Promise<PodVolume> {
    const csi = pv.spec!.csi!;
    const driver = this.o.csiDriver?.(csi.driver);
    if (driver === undefined) throw new VolumeSetupError(`kubernetes.io/csi: mounter.SetUpAt failed to get CSI client: driver name ${csi.driver} not found in the list of registered CSI drivers`);
    const dir = join(this.podDir(pod.metadata?.uid ?? ''), 'volumes', 'kubernetes.io~csi', pvName);
    const target = join(dir, 'mount');
    const readOnly = claimReadOnly || csi.readOnly === true;
    await mkdir(dir, { recursive: true, mode: 0o750 });
    const data: CsiVolumeData = { driverName: csi.driver, volumeHandle: csi.volumeHandle };
    await writeFile(join(dir, 'vol_data.json'), JSON.stringify(data));
    try {
      await driver.nodePublishVolume({ volumeId: csi.volumeHandle, targetPath: target, capability: { accessMode: csiAccessMode(pv.spec?.accessModes ?? []), ...(csi.fsType ? { fsType: csi.fsType } : {}), mountFlags: [...(pv.spec?.mountOptions ?? [])] }, readonly: readOnly, volumeContext: { ...(csi.volumeAttributes ?? {}) } });
    } catch (err) {
      throw new VolumeSetupError(`kubernetes.io/csi: mounter.SetUpAt failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    return { path: target, readOnly };
  }

  /**
   * The CRI mounts of a container: each volumeMount's directory, narrowed to its subPath (made in
   * the volume when missing, as upstream), read-only when the mount or the volume says so.
   */
  async mounts(pod: Pod, c: Container, volumes: ReadonlyMap<string, PodVolume>, env: ReadonlyMap<string, string>): Promise<Mount[]> {
    const out: Mount[] = [];
    for (const m of c.volumeMounts ?? []) {
      const vol = volumes.get(m.name);
      if (vol === undefined) throw new VolumeSetupError(`cannot find volume "${m.name}" to mount into container "${c.name}"`);
      const sub = m.subPathExpr !== undefined && m.subPathExpr !== '' ? expandReferences(m.subPathExpr, env) : (m.subPath ?? '');
      let hostPath = vol.path;
      if (sub !== '') {
        const clean = posix.normalize(sub);
        if (posix.isAbsolute(clean) || clean === '..' || clean.startsWith('../')) throw new VolumeSetupError(`failed to prepare subPath for volumeMount "${m.name}" of container "${c.name}": subpath "${sub}" not within volume path`);
        hostPath = join(vol.path, clean);
        if ((await kindAt(hostPath)) === undefined) {
          if (vol.readOnly) throw new VolumeSetupError(`failed to prepare subPath for volumeMount "${m.name}" of container "${c.name}": ${hostPath} does not exist`);
          await mkdir(hostPath, { recursive: true, mode: 0o750 });
        }
      }
      const propagation = m.mountPropagation === 'Bidirectional' ? 'PROPAGATION_BIDIRECTIONAL' : m.mountPropagation === 'HostToContainer' ? 'PROPAGATION_HOST_TO_CONTAINER' : 'PROPAGATION_PRIVATE';
      out.push({ containerPath: m.mountPath, hostPath, readonly: m.readOnly === true || vol.readOnly, selinuxRelabel: false, propagation });
    }
    return out;
  }

  /** Removes the pod's directory and every volume in it (hostPath and claim volumes live elsewhere and stay). */
  async tearDown(uid: string): Promise<void> {
    if (uid === '') return;
    // CSI volumes are unpublished first; what the driver cannot take back stays (rm removes links, never their targets).
    const csiDir = join(this.podDir(uid), 'volumes', 'kubernetes.io~csi');
    for (const pv of await readdir(csiDir).catch(() => [] as string[])) {
      try {
        const data = JSON.parse(await readFile(join(csiDir, pv, 'vol_data.json'), 'utf8')) as CsiVolumeData;
        await this.o.csiDriver?.(data.driverName)?.nodeUnpublishVolume(data.volumeHandle, join(csiDir, pv, 'mount'));
      } catch {
        // Not published (setup failed before), or the driver is gone: removing the link is all there is.
      }
    }
    // A memory-backed emptyDir is a tmpfs: unmounted, or rm would stop at it (and its pages stay).
    if (this.o.memoryMediumTmpfs?.() === true) await unmountUnder(this.podDir(uid));
    await rm(this.podDir(uid), { recursive: true, force: true });
  }
}
