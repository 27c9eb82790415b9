// A node's CNI service process (cmd/cni): one backend served over proto/cni.proto on a socket,
// until the signal. host-local hands out addresses only; bridge runs the standard plugins.
import type { Logger } from 'pino';
import { restOptionsFromFlags } from '../cli/client.js';
import { FlagError, parseFlags } from '../cli/component.js';
import { RestClient } from '../client/rest.js';
import type { CniBackend } from './backend.js';
import { BridgeBackend } from './bridge.js';
import { HostLocalBackend } from './host-local.js';
import { runNodeNetworkAgent } from './node-routes.js';
import { startCniServer } from './service.js';

export interface CniFlags {
  readonly listen: string;
  readonly backend: 'host-local' | 'bridge';
  /** Empty: learnt from the Node named --node-name. */
  readonly podCidr: string;
  readonly bridge: string;
  /** With the apiserver flags: the node whose pod range to take and whose peers to route to. */
  readonly nodeName?: string;
  readonly kubeconfig?: string;
  readonly master?: string;
  readonly stateDir: string;
  readonly pluginDir: string;
  readonly logLevel: string;
}

export const CNI_USAGE = `Usage: cni [flags]
  A node's pod network service (proto/cni.proto: Add, Del, Check, Status), which containerd reaches
  through the CNI plugin of type "kubets" (cmd/cni-plugin).
  --listen=ENDPOINT     unix:///path/cni.sock to serve on (required)
  --backend=NAME        host-local (addresses from the pod range, no namespace) or bridge (the
                        standard CNI plugins in the sandbox's namespace; default)
  --pod-cidr=CIDR       the node's pod range (required unless --node-name gives a Node to read it from)
  --node-name=NAME      this node's Node: its spec.podCIDR is the pod range (unless --pod-cidr),
                        and every other Node's pod range is routed through its InternalIP (needs
                        --kubeconfig or --master)
  --kubeconfig=PATH     the apiserver, for --node-name
  --master=URLS         apiserver URLs (comma-separated), instead of or over the kubeconfig's
  --bridge=NAME         the Linux bridge of the node's pods (bridge backend; default cni0)
  --state-dir=DIR       allocations and results (default /var/lib/kubets-cni)
  --plugin-dir=DIR      the standard CNI plugins (default /usr/lib/cni)
  --log-level=LEVEL     pino level (default info)`;

export function parseCniFlags(argv: readonly string[]): CniFlags {
  const v = parseFlags(argv, {
    listen: { type: 'string' },
    backend: { type: 'string', default: 'bridge' },
    'pod-cidr': { type: 'string' },
    bridge: { type: 'string', default: 'cni0' },
    'state-dir': { type: 'string', default: '/var/lib/kubets-cni' },
    'plugin-dir': { type: 'string', default: '/usr/lib/cni' },
    'log-level': { type: 'string', default: 'info' },
    'node-name': { type: 'string' },
    kubeconfig: { type: 'string' },
    master: { type: 'string' },
  });
  if (v.listen === undefined || v.listen === '') throw new FlagError('--listen is required');
  const nodeName = v['node-name'] !== undefined && v['node-name'] !== '' ? v['node-name'] : undefined;
  if ((v['pod-cidr'] ?? '') === '' && nodeName === undefined) throw new FlagError('--pod-cidr is required unless --node-name names the Node to read it from');
  if (nodeName !== undefined && v.kubeconfig === undefined && v.master === undefined) throw new FlagError('--node-name needs the apiserver: --kubeconfig or --master');
  if (v.backend !== 'host-local' && v.backend !== 'bridge') throw new FlagError(`--backend takes host-local or bridge, not ${JSON.stringify(v.backend)}`);
  if (v.bridge.length > 15) throw new FlagError(`--bridge ${JSON.stringify(v.bridge)} is longer than a Linux interface name (15)`);
  return {
    listen: v.listen,
    backend: v.backend,
    podCidr: v['pod-cidr'] ?? '',
    bridge: v.bridge,
    stateDir: v['state-dir'],
    pluginDir: v['plugin-dir'],
    logLevel: v['log-level'],
    ...(nodeName !== undefined ? { nodeName } : {}),
    ...(v.kubeconfig !== undefined ? { kubeconfig: v.kubeconfig } : {}),
    ...(v.master !== undefined ? { master: v.master } : {}),
  };
}

export function cniBackend(flags: CniFlags): CniBackend & { setPodCidr?: (cidr: string) => void } {
  if (flags.backend === 'host-local') {
    if (flags.podCidr === '') throw new FlagError('the host-local backend needs --pod-cidr');
    return new HostLocalBackend(flags.podCidr, flags.stateDir);
  }
  return new BridgeBackend({ ...(flags.podCidr !== '' ? { podCidr: flags.podCidr } : {}), bridge: flags.bridge, stateDir: flags.stateDir, pluginDir: flags.pluginDir });
}

export async function runCni(flags: CniFlags, log: Logger, signal: AbortSignal): Promise<number> {
  const backend = cniBackend(flags);
  const status = await backend.status();
  if (!status.ready) log.warn({ message: status.message }, 'the CNI backend is not ready');
  const server = await startCniServer(flags.listen, backend);
  log.info({ endpoint: server.endpoint, backend: flags.backend, podCidr: flags.podCidr }, 'CNI service serving');
  let client: RestClient | undefined;
  try {
    if (flags.nodeName !== undefined) {
      client = new RestClient({ ...restOptionsFromFlags(flags), component: 'kubets-cni' });
      await runNodeNetworkAgent({ client, nodeName: flags.nodeName, log, onPodCidr: (cidr) => (flags.podCidr === '' ? backend.setPodCidr?.(cidr) : undefined) }, signal);
    } else {
      await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    }
  } finally {
    client?.close();
    await server.stop();
  }
  return 0;
}
