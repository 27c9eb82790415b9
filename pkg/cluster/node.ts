// One node as a machine runs it, for a container that is a node (compose): the simulated runtime,
// the kubelet and the CSI driver as processes, each started again when it exits — what systemd does for
// containerd and the kubelet. A kubelet killed with SIGKILL comes back to the containers its
// runtime kept running, and adopts them.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { FlagError } from '../cli/component.js';
import { checkContainerdTools, containerdCommand, ensureWritableSystemMounts, importImages, prepareContainerdNode, teardownContainerdNode, waitForContainerd } from '../containerd/node.js';
import { KUBELET_USAGE, parseKubeletFlags, type KubeletFlags } from '../kubelet/options.js';
import { csiSocketUnder } from '../csi/hostpath/driver.js';
import { Supervisor, type SupervisedProcess } from './supervisor.js';

export interface NodeFlags {
  readonly kubelet: KubeletFlags;
  /** The kubelet's own command line, passed on as given. */
  readonly kubeletArgs: readonly string[];
  readonly logLevel: string;
  /** `containerd`: the node runs its own containerd (real containers), a CNI service and bridge. */
  readonly nodeRuntime: 'kubelet' | 'containerd';
  /** OCI archives imported into the node's containerd (the pause and node-base images). */
  readonly imageDir: string;
}

/** Where the real-node image keeps the pod images it imports (deploy/build-images.sh). */
export const DEFAULT_IMAGE_DIR = '/usr/share/kubets/images';
/** The bridge of a containerd node's pods; the node is a container with a network of its own. */
const NODE_BRIDGE = 'cni0';

export const NODE_USAGE = `Usage: node [--runtime=containerd [--image-dir=DIR]] [kubelet flags]
  Runs a node: with --runtime=fake and no --container-runtime-endpoint, a simulated container
  runtime (fake-runtime on <root-dir>/fake-runtime.sock) of its own; the kubelet with the given
  flags; and the hostpath CSI driver with this node's provisioner (csi-hostpath on
  <root-dir>/plugins/hostpath.csi.kubets.io/csi.sock). Each is started again when it exits.
  --runtime=containerd  real containers: the node's own containerd (config, root, state and
                        socket under <root-dir>/containerd), its CNI service on a bridge (cni0)
                        with the pod range of the Node and routes to the other Nodes' ranges,
                        and the images of --image-dir imported before the kubelet starts. At
                        stop every pod is taken down.
  --image-dir=DIR       OCI archives to import (default ${DEFAULT_IMAGE_DIR})

${KUBELET_USAGE}`;

/** Takes `--name=value` or `--name value` out of argv; returns the value (the last one given). */
function takeFlag(argv: string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < argv.length; ) {
    const a = argv[i] ?? '';
    if (a.startsWith(`--${name}=`)) {
      value = a.slice(name.length + 3);
      argv.splice(i, 1);
    } else if (a === `--${name}` && i + 1 < argv.length) {
      value = argv[i + 1];
      argv.splice(i, 2);
    } else i++;
  }
  return value;
}

export function parseNodeFlags(argv: readonly string[]): NodeFlags {
  const rest = [...argv];
  // --runtime=containerd is the node's; fake and remote are the kubelet's own.
  const runtime = takeFlag(rest, 'runtime');
  const containerd = runtime === 'containerd';
  if (runtime !== undefined && !containerd) rest.push(`--runtime=${runtime}`);
  const imageDir = takeFlag(rest, 'image-dir') ?? DEFAULT_IMAGE_DIR;
  if (containerd && rest.some((a) => a.startsWith('--container-runtime-endpoint'))) throw new FlagError('--runtime=containerd starts the node\'s containerd: give no --container-runtime-endpoint');
  // The kubelet's endpoint is the node's containerd: parsed here with a stand-in so it validates.
  const kubelet = parseKubeletFlags(containerd ? [...rest, '--container-runtime-endpoint', 'unix:///containerd.sock'] : rest);
  return { kubelet, kubeletArgs: rest, logLevel: kubelet.logLevel, nodeRuntime: containerd ? 'containerd' : 'kubelet', imageDir };
}

/**
 * The node's containerd and CNI service as supervised processes, the kubelet's endpoint, and what
 * must hold before the kubelet starts (containerd answering, the images imported).
 */
async function containerdProcesses(flags: NodeFlags, distDir: string, client: readonly string[], signal: AbortSignal): Promise<{ processes: SupervisedProcess[]; endpoint: string; ready: () => Promise<void> }> {
  checkContainerdTools();
  await ensureWritableSystemMounts();
  const k = flags.kubelet;
  const dir = join(k.rootDir, 'containerd');
  const cniSocket = join(dir, 'cni.sock');
  const layout = await prepareContainerdNode({ dir, podCidr: k.podCidr, bridge: NODE_BRIDGE, cniSocket, cniPlugin: join(distDir, 'cmd', 'cni-plugin', 'main.js') });
  const archives = readdirSync(flags.imageDir).filter((f) => f.endsWith('.tar')).map((f) => join(flags.imageDir, f));
  const { command, args } = containerdCommand(layout);
  return {
    endpoint: `unix://${layout.socket}`,
    processes: [
      {
        name: 'cni',
        command: process.execPath,
        args: [
          join(distDir, 'cmd', 'cni', 'main.js'),
          '--listen', `unix://${cniSocket}`,
          '--backend', 'bridge',
          '--bridge', NODE_BRIDGE,
          '--state-dir', join(dir, 'cni', 'state'),
          '--node-name', k.nodeName,
          ...(k.podCidr !== '' ? ['--pod-cidr', k.podCidr] : []),
          '--log-level', flags.logLevel,
          ...client,
        ],
        restarts: 0,
        startedAt: 0,
      },
      { name: 'containerd', command, args, restarts: 0, startedAt: 0, beforeStop: () => teardownContainerdNode(layout.socket, NODE_BRIDGE, k.rootDir) },
    ],
    ready: async () => {
      await waitForContainerd(layout.socket, 60_000, signal);
      await importImages(layout.socket, archives);
    },
  };
}

/** The runtime (unless the kubelet has one) and the kubelet, supervised until `signal`. */
export async function runNode(flags: NodeFlags, distDir: string, log: Logger, signal: AbortSignal): Promise<number> {
  const supervisor = new Supervisor({ restartCrashed: true, inheritOutput: true, out: (line) => log.warn(line) });
  const processes: SupervisedProcess[] = [];
  let kubeletArgs = [...flags.kubeletArgs];
  const k = flags.kubelet;
  const client = [...(k.kubeconfig !== undefined ? ['--kubeconfig', k.kubeconfig] : []), ...(k.master !== undefined ? ['--master', k.master] : [])];
  if (flags.nodeRuntime === 'containerd') {
    const node = await containerdProcesses(flags, distDir, client, signal);
    for (const p of node.processes) supervisor.start(p);
    try {
      await node.ready();
    } catch (err) {
      log.error({ err: err instanceof Error ? err.message : String(err) }, 'the node\'s containerd is not ready');
      await supervisor.stop();
      return 1;
    }
    kubeletArgs = [...kubeletArgs, '--container-runtime-endpoint', node.endpoint];
  } else if (flags.kubelet.containerRuntimeEndpoint === '') {
    const endpoint = `unix://${join(flags.kubelet.rootDir, 'fake-runtime.sock')}`;
    processes.push({ name: 'fake-runtime', command: process.execPath, args: [join(distDir, 'cmd', 'fake-runtime', 'main.js'), '--listen', endpoint, '--log-level', flags.logLevel], restarts: 0, startedAt: 0 });
    kubeletArgs = [...kubeletArgs, '--container-runtime-endpoint', endpoint];
  }
  // The node's CSI driver and provisioner, where the kubelet finds it, talking to the kubelet's apiserver.
  processes.push({
    name: 'csi-hostpath',
    command: process.execPath,
    args: [join(distDir, 'cmd', 'csi-hostpath', 'main.js'), '--endpoint', `unix://${csiSocketUnder(k.rootDir)}`, '--nodeid', k.nodeName, '--state-dir', join(k.rootDir, 'csi-hostpath'), '--provision', '--default-storage-class', 'standard', '--log-level', flags.logLevel, ...client],
    restarts: 0,
    startedAt: 0,
  });
  // Last, so it is the first stopped: no pod is started while the runtime is taken down.
  processes.push({ name: 'kubelet', command: process.execPath, args: [join(distDir, 'cmd', 'kubelet', 'main.js'), ...kubeletArgs], restarts: 0, startedAt: 0 });
  for (const p of processes) supervisor.start(p);
  log.info({ node: flags.kubelet.nodeName, processes: processes.map((p) => `${p.name} (pid ${p.child?.pid ?? '?'})`) }, 'node running');
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  await supervisor.stop();
  return 0;
}
