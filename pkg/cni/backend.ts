// The pod network operations a node's CNI backend serves (CNI's ADD, DEL, CHECK, STATUS), with
// results shaped like a CNI result. Two backends: host-local (addresses from the pod range, no
// namespace) and bridge (the standard plugins in the sandbox's network namespace).
export interface CniRequest {
  readonly containerId: string;
  readonly netns: string;
  readonly ifname: string;
  readonly args: Readonly<Record<string, string>>;
  /** The runtime's capability arguments (portMappings ...), CNI's runtimeConfig. */
  readonly runtimeConfig?: Readonly<Record<string, unknown>>;
}

export interface CniResult {
  readonly cniVersion: string;
  readonly interfaces: readonly { name: string; mac: string; sandbox: string }[];
  /** `interface`: index into interfaces, -1 when none. */
  readonly ips: readonly { address: string; gateway: string; interface: number }[];
  readonly routes: readonly { dst: string; gw: string }[];
  readonly dns: { nameservers: string[]; domain: string; search: string[]; options: string[] };
}

export interface CniBackend {
  add(req: CniRequest): Promise<CniResult>;
  /** Idempotent: deleting what is not there succeeds. */
  del(req: CniRequest): Promise<void>;
  check(req: CniRequest): Promise<void>;
  status(): Promise<{ ready: boolean; message: string }>;
}

/** A failed operation, with CNI's error code (7 invalid network config, 11 try again later, 999 other...). */
export class CniError extends Error {
  override readonly name = 'CniError';
  constructor(
    readonly code: number,
    message: string,
    readonly details = '',
  ) {
    super(message);
  }
}

export const CNI_VERSION = '1.0.0';

export const emptyDns = (): CniResult['dns'] => ({ nameservers: [], domain: '', search: [], options: [] });

/** An IPv4 CIDR as integers. */
export function parseIpv4Cidr(cidr: string): { base: number; prefix: number; size: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  const octets = m?.slice(1, 5).map(Number) ?? [];
  const prefix = Number(m?.[5]);
  if (m === null || octets.some((o) => o > 255) || prefix < 8 || prefix > 30) throw new CniError(7, `invalid pod range ${JSON.stringify(cidr)}: an IPv4 CIDR of /8 to /30 is needed`);
  const ip = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  return { base: ip - (ip % size), prefix, size };
}

export const intToIpv4 = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
