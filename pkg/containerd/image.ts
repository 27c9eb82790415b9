// Images for a containerd node without a registry: a root filesystem on this machine becomes an
// OCI image archive (image layout: oci-layout, index.json, blobs/sha256/...), which
// `ctr images import` loads into containerd's k8s.io namespace, where the CRI plugin finds it.
// Two images are made this way: the pod sandbox's pause (a static C program built here) and
// kubets/node-base (this machine's node and the libraries it links), so a pod can run a real
// server with nothing pulled.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** images/ at the root of the checkout (or image): three levels above dist/pkg/containerd. */
export const IMAGES_SOURCE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'images');

/** The sandbox image every containerd node is configured with (containerd's sandbox_image). */
export const PAUSE_IMAGE = 'docker.io/kubets/pause:3.10';
/** This machine's node in an image: `image: kubets/node-base:20` in a pod runs it. */
export const NODE_BASE_IMAGE = 'docker.io/kubets/node-base:20';

/** What the image's config says about running it (the OCI image config's `config`). */
export interface ImageRunConfig {
  readonly Entrypoint?: readonly string[];
  readonly Cmd?: readonly string[];
  readonly Env?: readonly string[];
  readonly WorkingDir?: string;
}

export interface ImageSource {
  /** The full reference containerd stores it under, e.g. docker.io/kubets/pause:3.10. */
  readonly name: string;
  /** A directory holding the image's root filesystem. */
  readonly rootfs: string;
  readonly config: ImageRunConfig;
}

export class ImageBuildError extends Error {
  override readonly name = 'ImageBuildError';
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** A tar of `dir`'s contents that is the same bytes for the same files (sorted, owned by root, mtime 0). */
async function reproducibleTar(dir: string, out: string): Promise<void> {
  await run('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', dir, '-cf', out, '.']);
}

/** Writes `src` as an OCI image archive at `out` (one uncompressed layer). */
export async function writeOciArchive(src: ImageSource, out: string): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'kubets-image-'));
  try {
    const layout = join(work, 'layout');
    const blobs = join(layout, 'blobs', 'sha256');
    await mkdir(blobs, { recursive: true });
    const layerTar = join(work, 'layer.tar');
    await reproducibleTar(src.rootfs, layerTar);
    const layerDigest = await sha256File(layerTar);
    const layerSize = (await stat(layerTar)).size;
    await rename(layerTar, join(blobs, layerDigest));
    const blob = async (content: string): Promise<{ digest: string; size: number }> => {
      const digest = sha256(content);
      await writeFile(join(blobs, digest), content);
      return { digest: `sha256:${digest}`, size: Buffer.byteLength(content) };
    };
    const config = await blob(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin'], ...src.config },
        rootfs: { type: 'layers', diff_ids: [`sha256:${layerDigest}`] },
        history: [{ created_by: 'kubets writeOciArchive' }],
      }),
    );
    const manifest = await blob(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${layerDigest}`, size: layerSize }],
      }),
    );
    await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await writeFile(
      join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            ...manifest,
            platform: { architecture: 'amd64', os: 'linux' },
            // containerd names the imported image after this annotation.
            annotations: { 'io.containerd.image.name': src.name, 'org.opencontainers.image.ref.name': src.name.replace(/^.*:/, '') },
          },
        ],
      }),
    );
    await mkdir(dirname(out), { recursive: true });
    const partial = `${out}.partial`;
    await reproducibleTar(layout, partial);
    await rename(partial, out);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function copyInto(root: string, file: string): Promise<void> {
  const target = join(root, file);
  await mkdir(dirname(target), { recursive: true });
  await copyFile(file, target);
  await chmod(target, (await stat(file)).mode & 0o7777);
}

/** The shared libraries `ldd` lists for `binary` (absolute paths, the loader included). */
export async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await run('ldd', [binary]).catch((err: unknown) => {
    // A static binary: ldd exits 1 with "not a dynamic executable".
    if (/not a dynamic executable/.test(String((err as { stderr?: string }).stderr ?? ''))) return { stdout: '' };
    throw err;
  });
  const libs: string[] = [];
  for (const line of stdout.split('\n')) {
    const arrow = /=>\s+(\/\S+)/.exec(line);
    const bare = /^\s*(\/\S+)/.exec(line);
    if (arrow?.[1] !== undefined) libs.push(arrow[1]);
    else if (bare?.[1] !== undefined) libs.push(bare[1]);
  }
  return libs;
}

/** A root filesystem in `dir` with `binaries`, their libraries, /tmp and the /etc files lookups need. */
export async function binaryRootfs(dir: string, binaries: readonly string[]): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'etc'), { recursive: true });
  await mkdir(join(dir, 'tmp'), { recursive: true });
  await chmod(join(dir, 'tmp'), 0o1777);
  for (const bin of binaries) {
    await copyInto(dir, bin);
    for (const lib of await sharedLibraries(bin)) await copyInto(dir, lib);
  }
  await writeFile(join(dir, 'etc', 'nsswitch.conf'), 'hosts: files dns\n');
  await writeFile(join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
  await writeFile(join(dir, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
}

/** The pause image's archive: images/pause/pause.c built statically with gcc. */
export async function buildPauseArchive(out: string): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'kubets-pause-'));
  try {
    const rootfs = join(work, 'rootfs');
    await mkdir(rootfs, { recursive: true });
    try {
      await run('gcc', ['-static', '-O2', '-o', join(rootfs, 'pause'), join(IMAGES_SOURCE_DIR, 'pause', 'pause.c')]);
    } catch (err) {
      throw new ImageBuildError(`building the pause image needs gcc with a static libc (Debian: apt-get install gcc libc6-dev): ${(err as { stderr?: string }).stderr ?? String(err)}`);
    }
    await writeOciArchive({ name: PAUSE_IMAGE, rootfs, config: { Entrypoint: ['/pause'] } }, out);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The node-base image's archive: this machine's node binary and its libraries. */
export async function buildNodeBaseArchive(out: string): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'kubets-node-base-'));
  try {
    const rootfs = join(work, 'rootfs');
    await binaryRootfs(rootfs, [process.execPath]);
    await writeOciArchive({ name: NODE_BASE_IMAGE, rootfs, config: { Cmd: [process.execPath] } }, out);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The archives a containerd node imports, built into `cacheDir` once (kept across runs). */
export async function ensureNodeImageArchives(cacheDir: string): Promise<string[]> {
  const pause = join(cacheDir, 'pause.tar');
  const nodeBase = join(cacheDir, 'node-base.tar');
  if (!existsSync(pause)) await buildPauseArchive(pause);
  // Rebuilt when node changed (an upgraded node would not match the libraries in the image).
  const stamp = join(cacheDir, 'node-base.source');
  const source = `${process.execPath} ${(await stat(process.execPath)).mtimeMs} ${process.version}`;
  if (!existsSync(nodeBase) || (await readFile(stamp, 'utf8').catch(() => '')) !== source) {
    await buildNodeBaseArchive(nodeBase);
    await writeFile(stamp, source);
  }
  return [pause, nodeBase];
}
