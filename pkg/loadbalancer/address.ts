// HOST:PORT strings as the load balancer's flags and /backends spell them.
import { isIPv6 } from 'node:net';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `host:port`, `[v6]:port` or `v6-literal:port`. Port 0 is accepted only with
 * `allowZeroPort` (listen addresses: the kernel picks a free port).
 */
export function parseHostPort(text: string, opts: { allowZeroPort?: boolean } = {}): HostPort {
  const s = text.trim();
  let host: string;
  let portText: string;
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(s);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2]!;
  } else {
    const colon = s.lastIndexOf(':');
    if (colon <= 0) throw new Error(`${JSON.stringify(text)} is not HOST:PORT`);
    host = s.slice(0, colon);
    portText = s.slice(colon + 1);
    // An unbracketed host with colons must be a whole IPv6 literal, or the port is ambiguous.
    if (host.includes(':') && !isIPv6(host)) throw new Error(`${JSON.stringify(text)} is not HOST:PORT`);
  }
  if (!/^\d+$/.test(portText)) throw new Error(`${JSON.stringify(text)} has no numeric port`);
  const port = Number(portText);
  const min = opts.allowZeroPort ? 0 : 1;
  if (port < min || port > 65535) throw new Error(`${JSON.stringify(text)}: port must be in ${min}-65535`);
  return { host, port };
}

/** `ip:port`, with brackets around IPv6 hosts so the result parses back. */
export function formatHostPort(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
