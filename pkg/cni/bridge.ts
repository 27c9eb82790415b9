// The bridge backend: the standard CNI plugins (Debian's containernetworking-plugins in
// /usr/lib/cni) run as the CNI spec runs them — each plugin an executable given CNI_COMMAND,
// CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS, CNI_PATH and its configuration on stdin,
// chained with the previous plugin's result — for the list bridge (with host-local addresses from
// the node's pod range), firewall (the host's FORWARD policy may drop), portmap (host ports).
// ADD's result is kept per sandbox: DEL and CHECK hand it to the plugins as upstream runtimes do.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CNI_VERSION, CniError, emptyDns, type CniBackend, type CniRequest, type CniResult } from './backend.js';

export interface BridgeOptions {
  /** The node's pod range; undefined until the node agent learns it from the Node (setPodCidr). */
  readonly podCidr?: string;
  /** The Linux bridge (at most 15 characters). */
  readonly bridge: string;
  /** Where allocations and ADD results are kept. */
  readonly stateDir: string;
  readonly pluginDir?: string;
}

/** The network list of a node: pods on a bridge with addresses from the pod range, let through the host's firewall, masqueraded out, host ports mapped. */
export function bridgeNetworkList(podCidr: string, bridge: string, ipamDir: string): { cniVersion: string; name: string; plugins: Record<string, unknown>[] } {
  return {
    cniVersion: CNI_VERSION,
    name: 'kubets',
    plugins: [
      {
        type: 'bridge',
        bridge,
        isGateway: true,
        ipMasq: true,
        // A pod reaching itself through a Service lands back on its own bridge port.
        hairpinMode: true,
        ipam: { type: 'host-local', ranges: [[{ subnet: podCidr }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: ipamDir },
      },
      // The FORWARD policy may be DROP (Docker sets it): the firewall plugin accepts the pod's traffic.
      { type: 'firewall', backend: 'iptables' },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
}

interface PluginOutput {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runPlugin(path: string, env: Record<string, string>, stdin: string): Promise<PluginOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, [], { env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** A plugin's CNI error output ({code, msg, details}) as a CniError. */
function pluginError(type: string, out: PluginOutput): CniError {
  try {
    const e = JSON.parse(out.stdout) as { code?: number; msg?: string; details?: string };
    return new CniError(e.code ?? 999, `plugin type="${type}" failed: ${e.msg ?? 'no message'}${e.details ? `: ${e.details}` : ''}`);
  } catch {
    return new CniError(999, `plugin type="${type}" failed (exit ${out.code}): ${(out.stderr || out.stdout).trim()}`);
  }
}

export class BridgeBackend implements CniBackend {
  private readonly pluginDir: string;
  private podCidr: string | undefined;

  constructor(private readonly o: BridgeOptions) {
    this.pluginDir = o.pluginDir ?? '/usr/lib/cni';
    mkdirSync(join(o.stateDir, 'results'), { recursive: true });
    this.podCidr = o.podCidr;
  }

  /** The node's pod range, once known (a node-ipam controller gives the Node one after it registers). */
  setPodCidr(cidr: string): void {
    this.podCidr = cidr;
  }

  private get list(): ReturnType<typeof bridgeNetworkList> {
    // Try again later (11): the sandbox is retried by the kubelet once the node has its range.
    if (this.podCidr === undefined) throw new CniError(11, 'this node has no pod range (spec.podCIDR) yet');
    return bridgeNetworkList(this.podCidr, this.o.bridge, join(this.o.stateDir, 'ipam'));
  }

  private resultFile(containerId: string): string {
    return join(this.o.stateDir, 'results', `${containerId.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
  }

  private env(command: 'ADD' | 'DEL' | 'CHECK', req: CniRequest): Record<string, string> {
    return {
      CNI_COMMAND: command,
      CNI_CONTAINERID: req.containerId,
      CNI_NETNS: req.netns,
      CNI_IFNAME: req.ifname || 'eth0',
      // The standard plugins refuse arguments they do not know unless told to ignore them (as runtimes do).
      CNI_ARGS: Object.entries({ IgnoreUnknown: '1', ...req.args }).map(([k, v]) => `${k}=${v}`).join(';'),
      CNI_PATH: this.pluginDir,
    };
  }

  /** A plugin's stdin: its configuration with the list's version and name, the previous result, the runtime's capability arguments it asked for. */
  private config(plugin: Record<string, unknown>, prevResult: unknown, req: CniRequest): string {
    const capabilities = (plugin['capabilities'] ?? {}) as Record<string, boolean>;
    const runtimeConfig = Object.fromEntries(Object.entries(req.runtimeConfig ?? {}).filter(([k]) => capabilities[k] === true));
    return JSON.stringify({
      cniVersion: this.list.cniVersion,
      name: this.list.name,
      ...plugin,
      ...(Object.keys(runtimeConfig).length > 0 ? { runtimeConfig } : {}),
      ...(prevResult !== undefined ? { prevResult } : {}),
    });
  }

  async add(req: CniRequest): Promise<CniResult> {
    if (req.netns === '') throw new CniError(7, 'the bridge backend needs the sandbox\'s network namespace (CNI_NETNS)');
    let prev: unknown;
    for (const plugin of this.list.plugins) {
      const type = String(plugin['type']);
      const out = await runPlugin(join(this.pluginDir, type), this.env('ADD', req), this.config(plugin, prev, req));
      if (out.code !== 0) throw pluginError(type, out);
      prev = JSON.parse(out.stdout);
    }
    writeFileSync(this.resultFile(req.containerId), JSON.stringify(prev));
    return toResult(prev);
  }

  async del(req: CniRequest): Promise<void> {
    const file = this.resultFile(req.containerId);
    const prev: unknown = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
    // In reverse order, each with ADD's final result; a plugin with nothing to undo succeeds.
    for (const plugin of [...this.list.plugins].reverse()) {
      const type = String(plugin['type']);
      const out = await runPlugin(join(this.pluginDir, type), this.env('DEL', req), this.config(plugin, prev, req));
      if (out.code !== 0) throw pluginError(type, out);
    }
    rmSync(file, { force: true });
  }

  async check(req: CniRequest): Promise<void> {
    const file = this.resultFile(req.containerId);
    if (!existsSync(file)) throw new CniError(999, `no network was added for ${req.containerId}`);
    const prev: unknown = JSON.parse(readFileSync(file, 'utf8'));
    for (const plugin of this.list.plugins) {
      const type = String(plugin['type']);
      const out = await runPlugin(join(this.pluginDir, type), this.env('CHECK', req), this.config(plugin, prev, req));
      if (out.code !== 0) throw pluginError(type, out);
    }
  }

  async status(): Promise<{ ready: boolean; message: string }> {
    if (this.podCidr === undefined) return { ready: false, message: 'this node has no pod range (spec.podCIDR) yet' };
    const missing = this.list.plugins.map((p) => String(p['type'])).concat(['host-local']).filter((t) => !existsSync(join(this.pluginDir, t)));
    return missing.length === 0 ? { ready: true, message: '' } : { ready: false, message: `CNI plugins missing from ${this.pluginDir}: ${missing.join(', ')} (Debian package containernetworking-plugins)` };
  }
}

/** A CNI result as the plugins print it, in our shape. */
export function toResult(raw: unknown): CniResult {
  const r = (raw ?? {}) as { cniVersion?: string; interfaces?: { name?: string; mac?: string; sandbox?: string }[]; ips?: { address?: string; gateway?: string; interface?: number }[]; routes?: { dst?: string; gw?: string }[]; dns?: Partial<CniResult['dns']> };
  return {
    cniVersion: r.cniVersion ?? CNI_VERSION,
    interfaces: (r.interfaces ?? []).map((i) => ({ name: i.name ?? '', mac: i.mac ?? '', sandbox: i.sandbox ?? '' })),
    ips: (r.ips ?? []).map((i) => ({ address: i.address ?? '', gateway: i.gateway ?? '', interface: i.interface ?? -1 })),
    routes: (r.routes ?? []).map((x) => ({ dst: x.dst ?? '', gw: x.gw ?? '' })),
    dns: { ...emptyDns(), ...(r.dns ?? {}) },
  };
}
