// A containerd of a kubets node: its own config, root, state and socket under one directory, never
// the machine's global containerd. The settings below are the ones these machines need (see
// DESIGN.md §5): no CAP_SYS_RESOURCE (restrict_oom_score_adj), Debian's CNI plugins in
// /usr/lib/cni, a sandbox image built here.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PAUSE_IMAGE } from './image.js';

export interface ContainerdLayout {
  /** Everything of this containerd lives under it. */
  readonly dir: string;
  readonly config: string;
  readonly socket: string;
  readonly root: string;
  readonly state: string;
  /** containerd's CRI plugin reads the pod network configuration here. */
  readonly cniConfDir: string;
}

export const containerdLayout = (dir: string): ContainerdLayout => ({
  dir,
  config: join(dir, 'config.toml'),
  socket: join(dir, 'containerd.sock'),
  root: join(dir, 'root'),
  state: join(dir, 'state'),
  cniConfDir: join(dir, 'cni', 'net.d'),
});

export interface ContainerdConfigOptions {
  readonly cniBinDir?: string;
  readonly sandboxImage?: string;
}

const toml = (s: string): string => JSON.stringify(s);

export function renderContainerdConfig(layout: ContainerdLayout, opts: ContainerdConfigOptions = {}): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return [
    'version = 2',
    `root = ${toml(layout.root)}`,
    `state = ${toml(layout.state)}`,
    // Snapshotters this kernel or filesystem cannot serve only log errors at every start.
    'disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.internal.v1.tracing"]',
    '',
    '[grpc]',
    `  address = ${toml(layout.socket)}`,
    '',
    '[ttrpc]',
    `  address = ${toml(`${layout.socket}.ttrpc`)}`,
    '',
    `[${cri}]`,
    `  sandbox_image = ${toml(opts.sandboxImage ?? PAUSE_IMAGE)}`,
    // root here lacks CAP_SYS_RESOURCE: without this RunPodSandbox fails setting oom_score_adj.
    '  restrict_oom_score_adj = true',
    '  stream_server_address = "127.0.0.1"',
    '  stream_server_port = "0"',
    '',
    `[${cri}.cni]`,
    `  bin_dir = ${toml(opts.cniBinDir ?? '/usr/lib/cni')}`,
    `  conf_dir = ${toml(layout.cniConfDir)}`,
    '  max_conf_num = 1',
    '',
    `[${cri}.containerd]`,
    '  snapshotter = "overlayfs"',
    '  default_runtime_name = "runc"',
    '',
    `[${cri}.containerd.runtimes.runc]`,
    '  runtime_type = "io.containerd.runc.v2"',
    '',
  ].join('\n');
}

export async function writeContainerdConfig(layout: ContainerdLayout, opts: ContainerdConfigOptions = {}): Promise<void> {
  await mkdir(layout.dir, { recursive: true });
  await mkdir(layout.cniConfDir, { recursive: true });
  await writeFile(layout.config, renderContainerdConfig(layout, opts));
}
