// The host-local backend: addresses from the node's pod range, one per sandbox, as the
// host-local IPAM plugin hands them out (.0 the network, .1 the gateway, the last the broadcast,
// the rest in order), with no network namespace touched. With a state directory the allocations
// survive a restart (a file per address naming its sandbox, as host-local keeps them).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CNI_VERSION, CniError, emptyDns, intToIpv4, parseIpv4Cidr, type CniBackend, type CniRequest, type CniResult } from './backend.js';

export class HostLocalBackend implements CniBackend {
  /** Address → sandbox. */
  private readonly used = new Map<string, string>();
  private range: { base: number; prefix: number; size: number };

  constructor(
    private podCidr: string,
    private readonly stateDir?: string,
  ) {
    this.range = parseIpv4Cidr(podCidr);
    if (stateDir !== undefined) {
      mkdirSync(stateDir, { recursive: true });
      for (const ip of readdirSync(stateDir)) {
        if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) this.used.set(ip, readFileSync(join(stateDir, ip), 'utf8').trim());
      }
    }
  }

  /** A new pod range (the node's podCIDR was set): allocations made so far stay. */
  setRange(podCidr: string): void {
    this.range = parseIpv4Cidr(podCidr);
    this.podCidr = podCidr;
  }

  private allocated(containerId: string): string | undefined {
    for (const [ip, owner] of this.used) if (owner === containerId) return ip;
    return undefined;
  }

  private result(ip: string): CniResult {
    return {
      cniVersion: CNI_VERSION,
      interfaces: [],
      ips: [{ address: `${ip}/${this.range.prefix}`, gateway: intToIpv4(this.range.base + 1), interface: -1 }],
      routes: [{ dst: '0.0.0.0/0', gw: intToIpv4(this.range.base + 1) }],
      dns: emptyDns(),
    };
  }

  /** ADD without the wait: the sandbox's address (the same one again for a sandbox that has one). */
  allocate(containerId: string): CniResult {
    const existing = this.allocated(containerId);
    if (existing !== undefined) return this.result(existing);
    for (let i = 2; i < this.range.size - 1; i++) {
      const ip = intToIpv4(this.range.base + i);
      if (this.used.has(ip)) continue;
      this.used.set(ip, containerId);
      if (this.stateDir !== undefined) writeFileSync(join(this.stateDir, ip), containerId);
      return this.result(ip);
    }
    throw new CniError(999, `failed to allocate for range 0: no IP addresses available in range set: ${this.podCidr}`);
  }

  /** DEL without the wait. */
  release(containerId: string): void {
    const ip = this.allocated(containerId);
    if (ip === undefined) return;
    this.used.delete(ip);
    if (this.stateDir !== undefined) rmSync(join(this.stateDir, ip), { force: true });
  }

  async add(req: CniRequest): Promise<CniResult> {
    return this.allocate(req.containerId);
  }

  async del(req: CniRequest): Promise<void> {
    this.release(req.containerId);
  }

  async check(req: CniRequest): Promise<void> {
    if (this.allocated(req.containerId) === undefined) throw new CniError(999, `no IP address allocated to ${req.containerId}`);
  }

  async status(): Promise<{ ready: boolean; message: string }> {
    return { ready: true, message: '' };
  }

  /** The address of a sandbox, if it has one. */
  addressOf(containerId: string): string | undefined {
    return this.allocated(containerId);
  }
}
