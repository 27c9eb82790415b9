// The load balancer's decisions with no I/O: which addresses are backends, what state each is
// in, where a new client connection goes, and which proxied connections must be cut. The proxy
// feeds it resolve results, probe results and connection events, and carries out its answers.
import { formatHostPort } from './address.js';

export type BackendState = 'ready' | 'not-ready' | 'down' | 'unknown';
export type ConnectionId = number;

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * What a probe or a connect attempt saw. `refused` (the host's kernel answered with a reset) is
 * kept apart from `no-answer` (timeout, unreachable, reset mid-request): see `cutsConnections`.
 */
export type ProbeResult =
  | { readonly kind: 'answered'; readonly statusCode: number }
  | { readonly kind: 'refused'; readonly error: string }
  | { readonly kind: 'no-answer'; readonly error: string };

export type FailureResult = Extract<ProbeResult, { kind: 'refused' | 'no-answer' }>;

/** One row of GET /backends. */
export interface BackendStatus {
  readonly address: string;
  readonly state: BackendState;
  readonly connections: number;
  readonly lastError?: string;
}

/**
 * A backend changed state, or (when `from === to`) only had connections to cut. `cut` lists the
 * proxied connections the caller must destroy now.
 */
export interface Transition {
  readonly address: string;
  readonly from: BackendState;
  readonly to: BackendState;
  readonly reason: string;
  /** How long the backend had been in `from`. */
  readonly previousForMs: number;
  readonly cut: readonly ConnectionId[];
}

export interface ResolveChange {
  readonly target: string;
  /** Addresses new to the table (or back in the answer after having vanished). */
  readonly added: readonly string[];
  /** Addresses no longer in any answer; they take no new connections. */
  readonly vanished: readonly string[];
  /** Vanished addresses removed at once because they had no open connection. */
  readonly dropped: readonly string[];
}

export interface BackendTableOptions {
  readonly clock?: Clock;
  /** Consecutive failed probes that make a backend down (default 2). */
  readonly downAfterFailures?: number;
}

interface Backend {
  readonly address: string;
  readonly host: string;
  readonly port: number;
  state: BackendState;
  since: number;
  failures: number;
  lastError: string | undefined;
  readonly connections: Set<ConnectionId>;
  /** Targets (`--backends` entries) whose latest answer holds this address; empty ⇒ vanished. */
  readonly targets: Set<string>;
}

const TIER_ORDER: readonly BackendState[] = ['ready', 'unknown', 'not-ready'];

export class BackendTable {
  private readonly clock: Clock;
  private readonly downAfter: number;
  private readonly backends = new Map<string, Backend>();
  private readonly connectionOwner = new Map<ConnectionId, string>();
  private readonly targetSeen = new Set<string>();
  private turn = 0;

  constructor(opts: BackendTableOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.downAfter = opts.downAfterFailures ?? 2;
    if (!Number.isInteger(this.downAfter) || this.downAfter < 1) throw new Error(`downAfterFailures must be a positive integer, not ${this.downAfter}`);
  }

  /**
   * Records the full answer for one target. Addresses missing from it stop taking connections
   * and leave the table once their last connection closes.
   */
  setResolved(target: string, port: number, ips: readonly string[]): ResolveChange {
    this.targetSeen.add(target);
    const now = this.clock.now();
    const wanted = new Set(ips.map((ip) => formatHostPort(ip, port)));
    const added: string[] = [];
    const vanished: string[] = [];
    const dropped: string[] = [];
    for (const ip of ips) {
      const address = formatHostPort(ip, port);
      let b = this.backends.get(address);
      if (!b) {
        b = { address, host: ip, port, state: 'unknown', since: now, failures: 0, lastError: undefined, connections: new Set(), targets: new Set() };
        this.backends.set(address, b);
        added.push(address);
      } else if (b.targets.size === 0) {
        added.push(address);
      }
      b.targets.add(target);
    }
    for (const b of [...this.backends.values()]) {
      if (wanted.has(b.address) || !b.targets.delete(target) || b.targets.size > 0) continue;
      vanished.push(b.address);
      if (b.connections.size === 0) {
        this.backends.delete(b.address);
        dropped.push(b.address);
      }
    }
    return { target, added: sorted(added), vanished: sorted(vanished), dropped: sorted(dropped) };
  }

  /** Folds in one health probe answer. Returns what changed, if anything. */
  probeResult(address: string, result: ProbeResult): Transition | undefined {
    const b = this.backends.get(address);
    if (!b) return undefined;
    if (result.kind === 'answered') {
      b.failures = 0;
      const ok = result.statusCode >= 200 && result.statusCode < 300;
      b.lastError = ok ? undefined : `health probe answered HTTP ${result.statusCode}`;
      return this.move(b, ok ? 'ready' : 'not-ready', ok ? `health probe answered HTTP ${result.statusCode}` : b.lastError!, []);
    }
    b.failures++;
    b.lastError = result.error;
    if (b.failures < this.downAfter) return undefined;
    const reason = `${b.failures} consecutive failed health probes: ${result.error}`;
    return this.move(b, 'down', reason, cutsConnections(result) ? [...b.connections] : []);
  }

  /** A proxied connect to this backend failed: it is down at once. */
  connectFailed(address: string, result: FailureResult): Transition | undefined {
    const b = this.backends.get(address);
    if (!b) return undefined;
    b.failures = Math.max(b.failures, this.downAfter);
    b.lastError = result.error;
    return this.move(b, 'down', `connect failed: ${result.error}`, cutsConnections(result) ? [...b.connections] : []);
  }

  /**
   * Counts a connection (from the start of its connect attempt, so a burst of clients spreads).
   * False when the address left the table or vanished meanwhile: try the next candidate.
   */
  connectionOpened(address: string, id: ConnectionId): boolean {
    const b = this.backends.get(address);
    if (!b || b.targets.size === 0) return false;
    const previous = this.connectionOwner.get(id);
    if (previous !== undefined) this.connectionClosed(id);
    b.connections.add(id);
    this.connectionOwner.set(id, address);
    return true;
  }

  /** Forgets a connection. Returns the address dropped because this was its last connection. */
  connectionClosed(id: ConnectionId): string | undefined {
    const address = this.connectionOwner.get(id);
    if (address === undefined) return undefined;
    this.connectionOwner.delete(id);
    const b = this.backends.get(address);
    if (!b) return undefined;
    b.connections.delete(id);
    if (b.targets.size === 0 && b.connections.size === 0) {
      this.backends.delete(address);
      return address;
    }
    return undefined;
  }

  /**
   * Backends to try for a new client connection, best first: ready ones, then unknown ones, then
   * not-ready ones; inside each, fewest open connections first, ties taking turns. Vanished
   * backends are never offered, down ones only when every backend is down (Envoy's panic
   * routing): probes that time out on a loaded machine are no proof a backend cannot serve, a
   * dead one refuses the connect at once, and a client is better off trying than cut off.
   */
  pick(): string[] {
    const present = [...this.backends.values()].filter((b) => b.targets.size > 0);
    const up = present.filter((b) => b.state !== 'down');
    const live = up.length > 0 ? up : present;
    live.sort((a, b) => compare(a.address, b.address));
    const n = live.length;
    if (n === 0) return [];
    const offset = this.turn++ % n;
    const rank = new Map(live.map((b, i) => [b, (i - offset + n) % n]));
    const out: string[] = [];
    for (const tier of [...TIER_ORDER, 'down' as const]) {
      const members = live.filter((b) => b.state === tier);
      members.sort((a, b) => a.connections.size - b.connections.size || rank.get(a)! - rank.get(b)!);
      for (const b of members) out.push(b.address);
    }
    return out;
  }

  /** Where to dial, or undefined when the address is no longer a backend. */
  endpoint(address: string): { host: string; port: number } | undefined {
    const b = this.backends.get(address);
    return b ? { host: b.host, port: b.port } : undefined;
  }

  /** Every address worth probing: vanished ones too while they still hold connections. */
  addresses(): string[] {
    return sorted([...this.backends.keys()]);
  }

  snapshot(): BackendStatus[] {
    return this.addresses().map((a) => {
      const b = this.backends.get(a)!;
      return { address: a, state: b.state, connections: b.connections.size, ...(b.lastError !== undefined ? { lastError: b.lastError } : {}) };
    });
  }

  /** Healthy when some current (not vanished) backend is ready; otherwise says why not. */
  health(): { readonly ok: boolean; readonly reason: string } {
    const current = this.addresses()
      .map((a) => this.backends.get(a)!)
      .filter((b) => b.targets.size > 0);
    if (current.some((b) => b.state === 'ready')) return { ok: true, reason: 'ok' };
    if (current.length === 0) {
      return { ok: false, reason: this.targetSeen.size === 0 ? 'no backend resolved yet' : 'no backend addresses resolved' };
    }
    const parts = current.map((b) => `${b.address} ${b.state}${b.lastError !== undefined ? ` (${b.lastError})` : ''}`);
    return { ok: false, reason: `no ready backend: ${parts.join('; ')}` };
  }

  private move(b: Backend, to: BackendState, reason: string, cut: ConnectionId[]): Transition | undefined {
    const from = b.state;
    if (from === to && cut.length === 0) return undefined;
    const now = this.clock.now();
    const previousForMs = now - b.since;
    if (from !== to) {
      b.state = to;
      b.since = now;
    }
    return { address: b.address, from, to, reason, previousForMs, cut: cut.sort((x, y) => x - y) };
  }
}

/**
 * Whether a failure should cut the backend's open connections. A refused connect proves the
 * host's kernel is answering: if the process died its sockets were reset already, and if only
 * its listener closed (an apiserver draining after SIGTERM) its in-flight requests must finish.
 * No answer at all (frozen process, cut network) leaves clients hanging, so those are cut.
 */
export function cutsConnections(result: FailureResult): boolean {
  return result.kind === 'no-answer';
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sorted(list: string[]): string[] {
  return list.sort(compare);
}
