// The CNI plugin of type "kubets", as a container runtime executes plugins (the CNI spec's
// protocol: CNI_COMMAND and friends in the environment, the network configuration on stdin, the
// result or an error as JSON on stdout): it asks the node's CNI service, named by the
// configuration's "socket", and prints its answer in the configuration's CNI version.
import { CNI_VERSION, CniError, type CniRequest, type CniResult } from './backend.js';
import { CniClient } from './service.js';

export const SUPPORTED_VERSIONS = ['0.3.0', '0.3.1', '0.4.0', '1.0.0'];

export interface PluginIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: string;
}

/** CNI_ARGS "K=V;K=V" as a map. */
export function parseCniArgs(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (text ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0) out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** A result as CNI prints it (the spec's field names; `interface` only where there is one). */
export function printableResult(r: CniResult, cniVersion: string): object {
  return {
    cniVersion,
    interfaces: r.interfaces.map((i) => ({ name: i.name, ...(i.mac ? { mac: i.mac } : {}), ...(i.sandbox ? { sandbox: i.sandbox } : {}) })),
    ips: r.ips.map((ip) => ({ ...(cniVersion.startsWith('0.3') ? { version: '4' } : {}), address: ip.address, ...(ip.gateway ? { gateway: ip.gateway } : {}), ...(ip.interface >= 0 ? { interface: ip.interface } : {}) })),
    routes: r.routes.map((x) => ({ dst: x.dst, ...(x.gw ? { gw: x.gw } : {}) })),
    dns: Object.fromEntries(Object.entries(r.dns).filter(([, v]) => (Array.isArray(v) ? v.length > 0 : v !== ''))),
  };
}

/** Runs one plugin invocation: what to print and the exit code. */
export async function runPlugin(io: PluginIo): Promise<{ stdout: string; code: number }> {
  const command = io.env['CNI_COMMAND'] ?? '';
  let conf: { cniVersion?: string; socket?: string; runtimeConfig?: Record<string, unknown> };
  try {
    conf = io.stdin.trim() === '' ? {} : (JSON.parse(io.stdin) as typeof conf);
  } catch (err) {
    return fail(CNI_VERSION, new CniError(6, `failed to parse network configuration: ${(err as Error).message}`));
  }
  const version = conf.cniVersion ?? CNI_VERSION;
  if (command === 'VERSION') return { stdout: JSON.stringify({ cniVersion: version, supportedVersions: SUPPORTED_VERSIONS }), code: 0 };
  if (!SUPPORTED_VERSIONS.includes(version)) return fail(version, new CniError(1, `incompatible CNI versions: config is "${version}", plugin supports ${JSON.stringify(SUPPORTED_VERSIONS)}`));
  if (conf.socket === undefined || conf.socket === '') return fail(version, new CniError(7, 'the network configuration names no "socket" of the kubets CNI service'));
  const req: CniRequest = {
    containerId: io.env['CNI_CONTAINERID'] ?? '',
    netns: io.env['CNI_NETNS'] ?? '',
    ifname: io.env['CNI_IFNAME'] ?? 'eth0',
    args: parseCniArgs(io.env['CNI_ARGS']),
    ...(conf.runtimeConfig !== undefined ? { runtimeConfig: conf.runtimeConfig } : {}),
  };
  const client = new CniClient(`unix://${conf.socket}`);
  try {
    switch (command) {
      case 'ADD':
        return { stdout: JSON.stringify(printableResult(await client.add(req), version)), code: 0 };
      case 'DEL':
        await client.del(req);
        return { stdout: '', code: 0 };
      case 'CHECK':
        await client.check(req);
        return { stdout: '', code: 0 };
      case 'STATUS': {
        const s = await client.status();
        return s.ready ? { stdout: '', code: 0 } : fail(version, new CniError(50, s.message));
      }
      default:
        return fail(version, new CniError(4, `unknown CNI_COMMAND ${JSON.stringify(command)}`));
    }
  } catch (err) {
    return fail(version, err instanceof CniError ? err : new CniError(999, err instanceof Error ? err.message : String(err)));
  } finally {
    client.close();
  }
}

function fail(cniVersion: string, err: CniError): { stdout: string; code: number } {
  return { stdout: JSON.stringify({ cniVersion, code: err.code, msg: err.message, ...(err.details ? { details: err.details } : {}) }), code: 1 };
}
