// One client connection through the balancer: pick a backend, fail over on connect errors before
// any byte comes back, then copy bytes both ways (L4: nothing is parsed) until either side ends.
import { connect, type Socket } from 'node:net';
import type { BackendTable, ConnectionId, Transition } from './backends.js';
import { classifyFailure, TimeoutError } from './probe.js';

export const KEEPALIVE_DELAY_MS = 10_000;

/** What a session needs from the balancer that owns it. */
export interface SessionHost {
  readonly table: BackendTable;
  readonly connectTimeoutMs: number;
  /** Logs a transition and cuts the sessions it names. */
  apply(t: Transition | undefined): void;
  /** The address left the table along with its last connection. */
  dropped(address: string): void;
  /** Both sockets are closed; forget the session. */
  finished(session: ProxySession): void;
  debug(fields: Record<string, unknown>, msg: string): void;
}

class CutError extends Error {
  override readonly name = 'CutError';
}

export class ProxySession {
  private candidates: string[] = [];
  private upstream: Socket | undefined;
  private upstreamAddress: string | undefined;
  private connected = false;
  private clientClosed = false;
  private upstreamClosed = true;
  private done = false;

  constructor(
    readonly id: ConnectionId,
    private readonly client: Socket,
    private readonly host: SessionHost,
  ) {}

  /** The backend this session is connected or connecting to. */
  get backend(): string | undefined {
    return this.upstreamAddress;
  }

  start(): void {
    const client = this.client;
    // The client socket arrives paused (pauseOnConnect): whatever it sends waits in the kernel
    // until a backend is connected, so failing over loses nothing.
    client.setNoDelay(true);
    client.setKeepAlive(true, KEEPALIVE_DELAY_MS);
    client.on('error', (err) => this.host.debug({ conn: this.id, err: err.message }, 'client socket error'));
    client.on('close', (hadError) => {
      this.clientClosed = true;
      const up = this.upstream;
      if (up && !up.destroyed && (hadError || !this.connected || !up.readableEnded)) up.destroy();
      this.maybeFinish();
    });
    this.candidates = this.host.table.pick();
    this.dialNext();
  }

  /** The backend was declared down: drop its connection (a pending dial fails over instead). */
  cut(reason: string): void {
    const up = this.upstream;
    if (!up || up.destroyed) return;
    this.host.debug({ conn: this.id, backend: this.upstreamAddress, reason }, 'cutting connection');
    up.destroy(new CutError(reason));
    if (this.connected) this.client.destroy();
  }

  /** Ends the session now (balancer shutdown). */
  destroy(): void {
    this.candidates = [];
    this.upstream?.destroy();
    this.client.destroy();
  }

  private dialNext(): void {
    const table = this.host.table;
    let address: string | undefined;
    let endpoint: { host: string; port: number } | undefined;
    while ((address = this.candidates.shift()) !== undefined) {
      endpoint = table.endpoint(address);
      if (endpoint && table.connectionOpened(address, this.id)) break;
    }
    if (address === undefined || endpoint === undefined) {
      this.host.debug({ conn: this.id }, 'no backend accepted the connection; closing client');
      this.upstream = undefined;
      this.upstreamAddress = undefined;
      this.client.destroy();
      this.maybeFinish();
      return;
    }
    const target = address;
    const up = connect({ host: endpoint.host, port: endpoint.port, allowHalfOpen: true, noDelay: true, keepAlive: true, keepAliveInitialDelay: KEEPALIVE_DELAY_MS });
    this.upstream = up;
    this.upstreamAddress = target;
    this.upstreamClosed = false;
    let failure: Error | undefined;
    const timer = setTimeout(() => up.destroy(new TimeoutError(`connect to ${target} timed out after ${this.host.connectTimeoutMs}ms`)), this.host.connectTimeoutMs);
    up.on('error', (err) => {
      failure ??= err;
    });
    up.once('connect', () => {
      clearTimeout(timer);
      this.connected = true;
      this.host.debug({ conn: this.id, backend: target }, 'proxying');
      this.client.pipe(up);
      up.pipe(this.client);
    });
    up.once('close', () => {
      clearTimeout(timer);
      this.upstreamClosed = true;
      const dropped = this.host.table.connectionClosed(this.id);
      if (dropped !== undefined) this.host.dropped(dropped);
      if (!this.connected) {
        this.dialFailed(target, failure);
        return;
      }
      // Nothing can carry the client's further bytes: close it unless it already finished sending.
      if (!this.client.destroyed && (failure !== undefined || !this.client.readableEnded)) this.client.destroy();
      if (failure !== undefined && !(failure instanceof CutError)) this.host.debug({ conn: this.id, backend: target, err: failure.message }, 'backend socket error');
      this.maybeFinish();
    });
  }

  private dialFailed(address: string, failure: Error | undefined): void {
    if (this.clientClosed) {
      this.maybeFinish();
      return;
    }
    // A cut means the table already knows the backend is down; anything else is news to it.
    if (!(failure instanceof CutError)) {
      const err = failure ?? new Error(`connection to ${address} closed before it was established`);
      this.host.debug({ conn: this.id, backend: address, err: err.message }, 'connect failed; trying the next backend');
      this.host.apply(this.host.table.connectFailed(address, classifyFailure(err)));
    }
    this.dialNext();
  }

  private maybeFinish(): void {
    if (this.done || !this.clientClosed || !this.upstreamClosed) return;
    this.done = true;
    this.host.finished(this);
  }
}
