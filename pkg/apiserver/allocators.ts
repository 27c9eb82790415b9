// ClusterIP and NodePort allocation. Each allocated value is a key in etcd written in the same
// transaction as the Service itself, so two apiservers can never hand out the same value and a
// failed write leaks nothing.
import type { KubeObject } from '../api/registry.js';
import { invalid } from '../api/errors.js';
import { invalid as invalidField, type FieldError } from '../api/validation/field.js';

export interface AllocatorOptions {
  /** e.g. "10.96.0.0/12" */
  readonly serviceClusterIPRange: string;
  /** e.g. "30000-32767" */
  readonly serviceNodePortRange: string;
}

export interface KeyPut {
  readonly key: string;
  readonly value: Buffer;
}

/** What a Service write must also put and delete, in the same transaction. */
export interface AllocationPlan {
  readonly puts: KeyPut[];
  readonly deletes: string[];
}

const IP_PREFIX = '/registry/kubets/serviceips/';
const PORT_PREFIX = '/registry/kubets/servicenodeports/';

interface ServicePort {
  port?: number;
  nodePort?: number;
  protocol?: string;
}
interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: ServicePort[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
}

function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return NaN;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

function intToIp(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export class ServiceAllocator {
  private readonly base: number;
  private readonly size: number;
  private readonly portMin: number;
  private readonly portMax: number;

  constructor(opts: AllocatorOptions) {
    const [ip, bits] = opts.serviceClusterIPRange.split('/');
    const prefix = Number(bits);
    const start = ipToInt(ip ?? '');
    if (Number.isNaN(start) || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) {
      throw new Error(`invalid --service-cluster-ip-range ${opts.serviceClusterIPRange}`);
    }
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    this.base = (start & mask) >>> 0;
    this.size = 2 ** (32 - prefix);
    const [lo, hi] = opts.serviceNodePortRange.split('-').map(Number);
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo! < 1 || hi! > 65535 || lo! > hi!) {
      throw new Error(`invalid --service-node-port-range ${opts.serviceNodePortRange}`);
    }
    this.portMin = lo!;
    this.portMax = hi!;
  }

  /** The first usable address: the `kubernetes` Service's ClusterIP. */
  get firstIP(): string {
    return intToIp(this.base + 1);
  }

  get nodePortRange(): string {
    return `${this.portMin}-${this.portMax}`;
  }

  inRange(ip: string): boolean {
    const n = ipToInt(ip);
    return !Number.isNaN(n) && n > this.base && n < this.base + this.size - 1;
  }

  private randomIP(): string {
    // Skip the network address, and the broadcast address of the range.
    return intToIp(this.base + 1 + Math.floor(Math.random() * (this.size - 2)));
  }

  private randomPort(): number {
    return this.portMin + Math.floor(Math.random() * (this.portMax - this.portMin + 1));
  }

  static ipKey(ip: string): string {
    return IP_PREFIX + ip;
  }

  static portKey(port: number): string {
    return PORT_PREFIX + port;
  }

  /**
   * Fills spec.clusterIP(s) and nodePorts of a new Service and returns the keys to reserve.
   * `attempt` > 0 picks different random values after a collision.
   */
  planCreate(svc: KubeObject): AllocationPlan {
    const spec = (svc['spec'] ?? {}) as ServiceSpec;
    const owner = Buffer.from(JSON.stringify({ namespace: svc.metadata?.namespace, name: svc.metadata?.name }));
    const puts: KeyPut[] = [];
    const errs: FieldError[] = [];
    if (spec.type !== 'ExternalName' && spec.clusterIP !== 'None') {
      let ip = spec.clusterIP ?? spec.clusterIPs?.[0] ?? '';
      if (ip === '') ip = this.randomIP();
      else if (!this.inRange(ip)) {
        errs.push(invalidField('spec.clusterIPs', [ip], `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${intToIp(this.base)}/${32 - Math.log2(this.size)}`));
      }
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
      puts.push({ key: ServiceAllocator.ipKey(ip), value: owner });
    } else if (spec.clusterIP === 'None') {
      spec.clusterIPs = ['None'];
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
    }
    puts.push(...this.planNodePorts(spec, new Set(), owner, errs));
    if (errs.length > 0) throw invalid({ group: '', kind: 'Service' }, svc.metadata?.name ?? '', errs);
    svc['spec'] = spec;
    return { puts, deletes: [] };
  }

  private planNodePorts(spec: ServiceSpec, alreadyOwned: Set<number>, owner: Buffer, errs: FieldError[]): KeyPut[] {
    const puts: KeyPut[] = [];
    if (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer') {
      for (const p of spec.ports ?? []) delete p.nodePort;
      return puts;
    }
    const used = new Set<number>();
    (spec.ports ?? []).forEach((p, i) => {
      if (p.nodePort !== undefined && p.nodePort !== 0) {
        if (p.nodePort < this.portMin || p.nodePort > this.portMax) {
          errs.push(invalidField(`spec.ports[${i}].nodePort`, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${this.portMin}-${this.portMax}`));
        }
        if (!alreadyOwned.has(p.nodePort) && !used.has(p.nodePort)) puts.push({ key: ServiceAllocator.portKey(p.nodePort), value: owner });
        used.add(p.nodePort);
      }
    });
    for (const p of spec.ports ?? []) {
      if (p.nodePort === undefined || p.nodePort === 0) {
        let port = this.randomPort();
        for (let i = 0; i < 50 && (used.has(port) || alreadyOwned.has(port)); i++) port = this.randomPort();
        p.nodePort = port;
        used.add(port);
        puts.push({ key: ServiceAllocator.portKey(port), value: owner });
      }
    }
    return puts;
  }

  /** Keys to add and remove when a Service changes (type changes, ports added or removed). */
  planUpdate(next: KubeObject, old: KubeObject): AllocationPlan {
    const spec = (next['spec'] ?? {}) as ServiceSpec;
    const oldSpec = (old['spec'] ?? {}) as ServiceSpec;
    const owner = Buffer.from(JSON.stringify({ namespace: next.metadata?.namespace, name: next.metadata?.name }));
    const errs: FieldError[] = [];
    const puts: KeyPut[] = [];
    const deletes: string[] = [];
    const oldIP = oldSpec.clusterIP && oldSpec.clusterIP !== 'None' ? oldSpec.clusterIP : undefined;
    const needsIP = spec.type !== 'ExternalName' && spec.clusterIP !== 'None';
    if (needsIP) {
      if (spec.clusterIP === undefined || spec.clusterIP === '') {
        if (oldIP) {
          spec.clusterIP = oldIP;
          spec.clusterIPs = oldSpec.clusterIPs ?? [oldIP];
        } else {
          const ip = this.randomIP();
          spec.clusterIP = ip;
          spec.clusterIPs = [ip];
          puts.push({ key: ServiceAllocator.ipKey(ip), value: owner });
        }
      }
      spec.ipFamilies ??= oldSpec.ipFamilies ?? ['IPv4'];
      spec.ipFamilyPolicy ??= oldSpec.ipFamilyPolicy ?? 'SingleStack';
    } else if (oldIP && spec.type === 'ExternalName') {
      delete spec.clusterIP;
      delete spec.clusterIPs;
      deletes.push(ServiceAllocator.ipKey(oldIP));
    }
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
      // Ports keep their nodePort across updates when the client omits it (as kubectl apply does).
      for (const p of spec.ports ?? []) {
        if (p.nodePort === undefined || p.nodePort === 0) {
          const match = (oldSpec.ports ?? []).find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
          if (match?.nodePort) p.nodePort = match.nodePort;
        }
      }
    }
    const oldPorts = new Set((oldSpec.ports ?? []).map((p) => p.nodePort).filter((p): p is number => typeof p === 'number' && p > 0));
    puts.push(...this.planNodePorts(spec, oldPorts, owner, errs));
    const newPorts = new Set((spec.ports ?? []).map((p) => p.nodePort).filter((p): p is number => typeof p === 'number' && p > 0));
    for (const p of oldPorts) if (!newPorts.has(p)) deletes.push(ServiceAllocator.portKey(p));
    if (errs.length > 0) throw invalid({ group: '', kind: 'Service' }, next.metadata?.name ?? '', errs);
    next['spec'] = spec;
    return { puts, deletes };
  }

  /** Keys to remove with a deleted Service. */
  releaseKeys(svc: KubeObject): string[] {
    const spec = (svc['spec'] ?? {}) as ServiceSpec;
    const keys: string[] = [];
    for (const ip of spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])) if (ip !== 'None' && ip !== '') keys.push(ServiceAllocator.ipKey(ip));
    for (const p of spec.ports ?? []) if (p.nodePort) keys.push(ServiceAllocator.portKey(p.nodePort));
    return [...new Set(keys)];
  }
}
