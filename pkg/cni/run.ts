// A node's CNI service process (cmd/cni): one backend served over proto/cni.proto on a socket,
// until the signal. host-local hands out addresses only; bridge runs the standard plugins.
import type { Logger } from 'pino';
import { FlagError, parseFlags } from '../cli/component.js';
import type { CniBackend } from './backend.js';
import { BridgeBackend } from './bridge.js';
import { HostLocalBackend } from './host-local.js';
import { startCniServer } from './service.js';

export interface CniFlags {
  readonly listen: string;
  readonly backend: 'host-local' | 'bridge';
  readonly podCidr: string;
  readonly bridge: string;
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
  --pod-cidr=CIDR       the node's pod range (required)
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
  });
  if (v.listen === undefined || v.listen === '') throw new FlagError('--listen is required');
  if (v['pod-cidr'] === undefined || v['pod-cidr'] === '') throw new FlagError('--pod-cidr is required');
  if (v.backend !== 'host-local' && v.backend !== 'bridge') throw new FlagError(`--backend takes host-local or bridge, not ${JSON.stringify(v.backend)}`);
  if (v.bridge.length > 15) throw new FlagError(`--bridge ${JSON.stringify(v.bridge)} is longer than a Linux interface name (15)`);
  return { listen: v.listen, backend: v.backend, podCidr: v['pod-cidr'], bridge: v.bridge, stateDir: v['state-dir'], pluginDir: v['plugin-dir'], logLevel: v['log-level'] };
}

export function cniBackend(flags: CniFlags): CniBackend {
  return flags.backend === 'host-local'
    ? new HostLocalBackend(flags.podCidr, flags.stateDir)
    : new BridgeBackend({ podCidr: flags.podCidr, bridge: flags.bridge, stateDir: flags.stateDir, pluginDir: flags.pluginDir });
}

export async function runCni(flags: CniFlags, log: Logger, signal: AbortSignal): Promise<number> {
  const backend = cniBackend(flags);
  const status = await backend.status();
  if (!status.ready) log.warn({ message: status.message }, 'the CNI backend is not ready');
  const server = await startCniServer(flags.listen, backend);
  log.info({ endpoint: server.endpoint, backend: flags.backend, podCidr: flags.podCidr }, 'CNI service serving');
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  await server.stop();
  return 0;
}
