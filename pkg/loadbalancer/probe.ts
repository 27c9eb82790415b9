// The load balancer's outward looks: HTTP health probes and name resolution.
import { lookup } from 'node:dns/promises';
import { request } from 'node:http';
import { isIP } from 'node:net';
import type { FailureResult, ProbeResult } from './backends.js';

/** Resolves a host name to every address it has (docker DNS gives one per service replica). */
export type Lookup = (host: string) => Promise<string[]>;

export type ResolveOutcome =
  | { readonly kind: 'addresses'; readonly ips: readonly string[] }
  /** The name authoritatively has no address (every replica gone): drop its backends. */
  | { readonly kind: 'not-found'; readonly error: string }
  /** A resolver hiccup: keep the previous answer. */
  | { readonly kind: 'error'; readonly error: string };

export const systemLookup: Lookup = async (host) => {
  const all = await lookup(host, { all: true });
  return all.map((a) => a.address);
};

export async function resolveTarget(host: string, lookupFn: Lookup): Promise<ResolveOutcome> {
  if (isIP(host) !== 0) return { kind: 'addresses', ips: [host] };
  try {
    const ips = [...new Set(await lookupFn(host))];
    return ips.length > 0 ? { kind: 'addresses', ips } : { kind: 'not-found', error: `${host} has no address` };
  } catch (err: unknown) {
    const code = errorCode(err);
    const message = err instanceof Error ? err.message : String(err);
    if (code === 'ENOTFOUND' || code === 'ENODATA') return { kind: 'not-found', error: message };
    return { kind: 'error', error: message };
  }
}

/** A failed connect or probe, sorted by whether the remote kernel answered (see cutsConnections). */
export function classifyFailure(err: unknown): FailureResult {
  const message = err instanceof Error ? err.message : String(err);
  return errorCode(err) === 'ECONNREFUSED' ? { kind: 'refused', error: message } : { kind: 'no-answer', error: message };
}

export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'ETIMEDOUT';
}

/** GET http://host:port/path on a fresh connection; any HTTP status counts as an answer. */
export function probeBackend(host: string, port: number, path: string, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    const settle = (r: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = request({ host, port, path, method: 'GET', agent: false, headers: { 'user-agent': 'kubets-loadbalancer' }, ...(signal ? { signal } : {}) }, (res) => {
      // The status is the answer; the body is drained so the socket can close.
      res.resume();
      res.on('error', () => undefined);
      settle({ kind: 'answered', statusCode: res.statusCode ?? 0 });
    });
    const timer = setTimeout(() => req.destroy(new TimeoutError(`health probe timed out after ${timeoutMs}ms`)), timeoutMs);
    req.on('error', (err) => settle(classifyFailure(err)));
    req.end();
  });
}

function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}
