// One node as a machine runs it, for a container that is a node (compose): the simulated runtime,
// the kubelet and the CSI driver as processes, each started again when it exits — what systemd does for
// containerd and the kubelet. A kubelet killed with SIGKILL comes back to the containers its
// runtime kept running, and adopts them.
import { join } from 'node:path';
import type { Logger } from 'pino';
import { KUBELET_USAGE, parseKubeletFlags, type KubeletFlags } from '../kubelet/options.js';
import { csiSocketUnder } from '../csi/hostpath/driver.js';
import { Supervisor, type SupervisedProcess } from './supervisor.js';

export interface NodeFlags {
  readonly kubelet: KubeletFlags;
  /** The kubelet's own command line, passed on as given. */
  readonly kubeletArgs: readonly string[];
  readonly logLevel: string;
}

export const NODE_USAGE = `Usage: node [kubelet flags]
  Runs a node: with --runtime=fake and no --container-runtime-endpoint, a simulated container
  runtime (fake-runtime on <root-dir>/fake-runtime.sock) of its own; the kubelet with the given
  flags; and the hostpath CSI driver with this node's provisioner (csi-hostpath on
  <root-dir>/plugins/hostpath.csi.kubets.io/csi.sock). Each is started again when it exits.

${KUBELET_USAGE}`;

export function parseNodeFlags(argv: readonly string[]): NodeFlags {
  const kubelet = parseKubeletFlags(argv);
  return { kubelet, kubeletArgs: [...argv], logLevel: kubelet.logLevel };
}

/** The runtime (unless the kubelet has one) and the kubelet, supervised until `signal`. */
export async function runNode(flags: NodeFlags, distDir: string, log: Logger, signal: AbortSignal): Promise<number> {
  const supervisor = new Supervisor({ restartCrashed: true, inheritOutput: true, out: (line) => log.warn(line) });
  const processes: SupervisedProcess[] = [];
  let kubeletArgs = [...flags.kubeletArgs];
  if (flags.kubelet.containerRuntimeEndpoint === '') {
    const endpoint = `unix://${join(flags.kubelet.rootDir, 'fake-runtime.sock')}`;
    processes.push({ name: 'fake-runtime', command: process.execPath, args: [join(distDir, 'cmd', 'fake-runtime', 'main.js'), '--listen', endpoint, '--log-level', flags.logLevel], restarts: 0, startedAt: 0 });
    kubeletArgs = [...kubeletArgs, '--container-runtime-endpoint', endpoint];
  }
  processes.push({ name: 'kubelet', command: process.execPath, args: [join(distDir, 'cmd', 'kubelet', 'main.js'), ...kubeletArgs], restarts: 0, startedAt: 0 });
  // The node's CSI driver and provisioner, where the kubelet finds it, talking to the kubelet's apiserver.
  const k = flags.kubelet;
  const client = [...(k.kubeconfig !== undefined ? ['--kubeconfig', k.kubeconfig] : []), ...(k.master !== undefined ? ['--master', k.master] : [])];
  processes.push({
    name: 'csi-hostpath',
    command: process.execPath,
    args: [join(distDir, 'cmd', 'csi-hostpath', 'main.js'), '--endpoint', `unix://${csiSocketUnder(k.rootDir)}`, '--nodeid', k.nodeName, '--state-dir', join(k.rootDir, 'csi-hostpath'), '--provision', '--default-storage-class', 'standard', '--log-level', flags.logLevel, ...client],
    restarts: 0,
    startedAt: 0,
  });
  for (const p of processes) supervisor.start(p);
  log.info({ node: flags.kubelet.nodeName, processes: processes.map((p) => `${p.name} (pid ${p.child?.pid ?? '?'})`) }, 'node running');
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  await supervisor.stop();
  return 0;
}
