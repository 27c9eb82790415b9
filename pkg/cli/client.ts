// How API clients of a component find the apiserver: --kubeconfig, or --master alone (containers
// have no kubeconfig), or both (the kubeconfig's credentials with --master's servers).
import { loadKubeconfig } from '../client/kubeconfig.js';
import type { RestClientOptions } from '../client/rest.js';

export interface ClientFlags {
  readonly kubeconfig?: string;
  /** Comma-separated apiserver URLs, overriding the kubeconfig's. */
  readonly master?: string;
}

export function restOptionsFromFlags(flags: ClientFlags): RestClientOptions {
  const kc: Omit<RestClientOptions, 'servers'> & { servers?: readonly string[] } =
    flags.kubeconfig !== undefined || flags.master === undefined ? loadKubeconfig(flags.kubeconfig !== undefined ? { path: flags.kubeconfig } : {}) : {};
  const servers = flags.master !== undefined ? flags.master.split(',').map((s) => s.trim()).filter((s) => s !== '') : (kc.servers ?? []);
  return { ...kc, servers };
}
