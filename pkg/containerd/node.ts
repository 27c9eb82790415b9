// What a node running real containers needs around its containerd: the config, the pod network
// configuration containerd's CRI plugin hands to the CNI plugins, the images imported once it
// answers, and at the end every pod sandbox taken down (containerd leaves its containers running
// when it exits, as it must for a kubelet or containerd restart, but not when the node goes away).
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CriClient } from '../cri/client.js';
import { sleep } from '../client/retry.js';
import { removePodCgroups } from '../kubelet/resources.js';
import { unmountUnder } from '../kubelet/volume/tmpfs.js';
import { containerdLayout, writeContainerdConfig, type ContainerdLayout } from './config.js';

const run = promisify(execFile);

export class ContainerdNodeError extends Error {
  override readonly name = 'ContainerdNodeError';
}

export interface ContainerdNodeOptions {
  /** Where this node's containerd keeps everything. */
  readonly dir: string;
  /** The node's pod range: the bridge's host-local IPAM hands out its addresses. */
  readonly podCidr: string;
  /** The Linux bridge of this node's pods (at most 15 characters). */
  readonly bridge: string;
  readonly cniBinDir?: string;
}

/** The programs a containerd node runs, or the error that says which one is missing and how to get it. */
export function checkContainerdTools(cniBinDir = '/usr/lib/cni'): void {
  const missing: string[] = [];
  for (const [tool, pkg] of [
    ['/usr/bin/containerd', 'containerd'],
    ['/usr/bin/ctr', 'containerd'],
    ['/usr/sbin/runc', 'runc'],
  ] as const) {
    if (!existsSync(tool)) missing.push(`${tool} (Debian package ${pkg})`);
  }
  for (const plugin of ['bridge', 'host-local', 'loopback', 'firewall', 'portmap']) {
    if (!existsSync(join(cniBinDir, plugin))) missing.push(`${join(cniBinDir, plugin)} (Debian package containernetworking-plugins)`);
  }
  if (missing.length > 0) throw new ContainerdNodeError(`a containerd node needs: ${missing.join(', ')}`);
}

/** A kubets node bridge: "kb", 6 hex digits of the cluster, the node's number. */
export const isNodeBridgeName = (name: string): boolean => /^kb[0-9a-f]{6}\d+$/.test(name);

/** The first address of a CIDR (the bridge's, as the bridge plugin's gateway). */
function gatewayOf(cidr: string): string {
  const [ip] = cidr.split('/');
  const parts = (ip ?? '').split('.').map(Number);
  parts[3] = (parts[3] ?? 0) + 1;
  return parts.join('.');
}

/** A host link as `ip -j address show` prints it (the fields the sweep reads). */
export interface HostLink {
  readonly ifname: string;
  readonly operstate?: string;
  /** The bridge a port is enslaved to. */
  readonly master?: string;
  /** A veth's peer's network namespace, as this namespace numbers it (`ip -j netns list`'s id). */
  readonly link_netnsid?: number;
  readonly addr_info?: readonly { readonly local?: string }[];
}

/** What the sweep sees of the host: its links, its named network namespaces, and which of those a process is in. */
export interface HostNetworkView {
  readonly links: readonly HostLink[];
  /** Named namespaces (/var/run/netns) by their id. */
  readonly netnsById: ReadonlyMap<number, string>;
  /** Names of the named namespaces that some process is in. */
  readonly occupiedNetns: ReadonlySet<string>;
}

/**
 * Node bridges of other clusters that hold the same pod range and have no live pod: a cluster
 * killed before it could take its network down leaves its bridge behind, often still UP with the
 * veths of its pods' pinned (but empty) namespaces, and its route shadows a new bridge's (same
 * prefix, listed first): pods on the new node then answer EHOSTUNREACH. A bridge counts as live
 * while any of its ports leads into a namespace some process (a pod's pause) is in. Returns the
 * bridges and the empty namespaces behind their ports, to delete.
 */
export function staleNodeBridges(podCidr: string, keep: string, view: HostNetworkView): { bridges: string[]; netns: string[] } {
  const gateway = gatewayOf(podCidr);
  const bridges: string[] = [];
  const netns: string[] = [];
  for (const link of view.links) {
    if (link.ifname === keep || !isNodeBridgeName(link.ifname)) continue;
    if (!(link.addr_info ?? []).some((a) => a.local === gateway)) continue;
    const behind = view.links.filter((port) => port.master === link.ifname).map((port) => (port.link_netnsid === undefined ? undefined : view.netnsById.get(port.link_netnsid)));
    if (behind.some((name) => name !== undefined && view.occupiedNetns.has(name))) continue;
    bridges.push(link.ifname);
    netns.push(...behind.filter((name): name is string => name !== undefined));
  }
  return { bridges, netns };
}

const NETNS_DIR = '/var/run/netns';

/** Reads the host's links and named network namespaces, and which namespaces hold a process. */
export async function hostNetworkView(): Promise<HostNetworkView> {
  const links = JSON.parse((await run('ip', ['-j', 'address', 'show'])).stdout) as HostLink[];
  const listed = (await run('ip', ['-j', 'netns', 'list']).catch(() => ({ stdout: '' }))).stdout.trim();
  const named = (listed === '' ? [] : (JSON.parse(listed) as { name: string; id?: number }[]));
  const netnsById = new Map(named.filter((n) => n.id !== undefined).map((n) => [n.id as number, n.name]));
  // A namespace is known by its nsfs inode: the pinned file's and a process's ns/net link's.
  const inodeOf = (path: string): string | undefined => {
    try {
      const st = statSync(path);
      return `${st.dev}:${st.ino}`;
    } catch {
      return undefined;
    }
  };
  const byInode = new Map<string, string>();
  for (const n of named) {
    const inode = inodeOf(join(NETNS_DIR, n.name));
    if (inode !== undefined) byInode.set(inode, n.name);
  }
  const occupiedNetns = new Set<string>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const name = byInode.get(inodeOf(`/proc/${pid}/ns/net`) ?? '');
    if (name !== undefined) occupiedNetns.add(name);
  }
  return { links, netnsById, occupiedNetns };
}

/** Deletes the stale node bridges that would shadow `podCidr` (see `staleNodeBridges`) and the empty namespaces behind them. */
export async function removeStaleBridges(podCidr: string, keep: string): Promise<string[]> {
  const view = await hostNetworkView().catch(() => undefined);
  if (view === undefined) return [];
  const stale = staleNodeBridges(podCidr, keep, view);
  for (const name of stale.netns) await run('ip', ['netns', 'delete', name]).catch(() => undefined);
  const removed: string[] = [];
  for (const bridge of stale.bridges) await run('ip', ['link', 'delete', bridge]).then(() => removed.push(bridge), () => undefined);
  return removed;
}

/**
 * The CNI network containerd hands its sandboxes to: one plugin, of type "kubets", which asks the
 * node's CNI service on `socket` (port mappings passed on as its capability argument).
 */
export function kubetsNetworkList(socket: string): object {
  return { cniVersion: '1.0.0', name: 'kubets', plugins: [{ type: 'kubets', socket, capabilities: { portMappings: true } }] };
}

/**
 * Writes the node's containerd config, its pod network (the kubets plugin, reaching the CNI
 * service on `cniSocket`) and the plugin directory containerd runs plugins from: the kubets
 * plugin (node running cmd/cni-plugin) and loopback, which containerd sets up itself.
 */
export async function prepareContainerdNode(o: ContainerdNodeOptions & { readonly cniSocket: string; readonly cniPlugin: string }): Promise<ContainerdLayout> {
  const layout = containerdLayout(o.dir);
  if (o.podCidr !== '') await removeStaleBridges(o.podCidr, o.bridge);
  const binDir = join(o.dir, 'cni', 'bin');
  await mkdir(binDir, { recursive: true });
  await writeContainerdConfig(layout, { cniBinDir: binDir });
  const plugin = join(binDir, 'kubets');
  await writeFile(plugin, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(o.cniPlugin)} "$@"\n`, { mode: 0o755 });
  await rm(join(binDir, 'loopback'), { force: true });
  await symlink(join(o.cniBinDir ?? '/usr/lib/cni', 'loopback'), join(binDir, 'loopback'));
  await writeFile(join(layout.cniConfDir, '10-kubets.conflist'), JSON.stringify(kubetsNetworkList(o.cniSocket), null, 2) + '\n');
  return layout;
}

/** containerd's command line for this layout. */
export const containerdCommand = (layout: ContainerdLayout): { command: string; args: string[] } => ({ command: '/usr/bin/containerd', args: ['--config', layout.config] });

/** Resolves once the containerd at `socket` answers CRI Version (within `timeoutMs`). */
export async function waitForContainerd(socket: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const cri = new CriClient({ endpoint: `unix://${socket}`, timeoutMs: 2000 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await cri.version({ signal });
        return;
      } catch (err) {
        if (signal?.aborted === true) throw err;
        if (Date.now() > deadline) throw new ContainerdNodeError(`containerd on ${socket} did not answer within ${timeoutMs} ms: ${err instanceof Error ? err.message : String(err)}`);
      }
      await sleep(200, signal);
    }
  } finally {
    cri.close();
  }
}

/** Imports image archives into the CRI plugin's namespace of the containerd at `socket`. */
export async function importImages(socket: string, archives: readonly string[]): Promise<void> {
  for (const archive of archives) {
    try {
      await run('/usr/bin/ctr', ['--address', socket, '--namespace', 'k8s.io', 'images', 'import', archive]);
    } catch (err) {
      throw new ContainerdNodeError(`ctr images import ${archive}: ${(err as { stderr?: string }).stderr ?? String(err)}`);
    }
  }
}

/**
 * The node going away: every pod taken down with its cgroups, what the kubelet mounted under the
 * node's directory (memory-backed emptyDirs), then its bridge (the CNI plugins leave it behind).
 */
export async function teardownContainerdNode(socket: string, bridge: string, nodeDir: string): Promise<void> {
  // Each step runs even when one before it fails (a containerd that no longer answers still
  // leaves a bridge whose route would shadow the next cluster's).
  try {
    for (const uid of await removeAllPods(socket)) await removePodCgroups(uid);
  } finally {
    try {
      await unmountUnder(nodeDir);
    } finally {
      await run('ip', ['link', 'delete', bridge]).catch(() => undefined);
    }
  }
}

/** Stops and removes every pod sandbox (and so its containers and network) of the containerd at `socket`; returns the pods' uids. */
export async function removeAllPods(socket: string): Promise<string[]> {
  const cri = new CriClient({ endpoint: `unix://${socket}`, timeoutMs: 30_000 });
  try {
    const sandboxes = await cri.listPodSandbox();
    // All at once: each stop waits on its network's teardown (CNI DEL), which would add up.
    await Promise.all(
      sandboxes.map(async (s) => {
        await cri.stopPodSandbox(s.id);
        await cri.removePodSandbox(s.id);
      }),
    );
    return [...new Set(sandboxes.map((s) => s.metadata?.uid ?? '').filter((uid) => uid !== ''))];
  } finally {
    cri.close();
  }
}

/** Mount points (from /proc/self/mountinfo text) of /sys and the cgroup hierarchies that are read-only. */
export function readOnlySystemMounts(mountinfo: string): string[] {
  const found: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    const mountPoint = fields[4];
    const options = fields[5]?.split(',') ?? [];
    if (mountPoint === undefined || !options.includes('ro')) continue;
    if (mountPoint === '/sys' || mountPoint.startsWith('/sys/fs/cgroup/')) found.push(mountPoint);
  }
  return found;
}

/**
 * A node in a container (compose) sees /sys and its cgroup hierarchies read-only, as Docker mounts
 * them for an unprivileged container: runc must make cgroups and the CNI plugins write sysctls, so
 * they are made writable in this mount namespace (needs CAP_SYS_ADMIN). On a machine they are
 * writable already and nothing is done.
 */
export async function ensureWritableSystemMounts(): Promise<string[]> {
  const ro = readOnlySystemMounts(await readFile('/proc/self/mountinfo', 'utf8'));
  for (const mountPoint of ro) {
    try {
      await run('mount', ['-o', 'remount,bind,rw', mountPoint]);
    } catch (err) {
      throw new ContainerdNodeError(`${mountPoint} is read-only and could not be made writable (a node needs CAP_SYS_ADMIN): ${(err as { stderr?: string }).stderr ?? String(err)}`);
    }
  }
  return ro;
}
