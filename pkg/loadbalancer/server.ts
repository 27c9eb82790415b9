// The apiserver load balancer: a TCP listener spreading client connections over the resolved,
// health-probed backends, and an admin HTTP server reporting their states.
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { pino, type Logger } from 'pino';
import { formatHostPort, type HostPort } from './address.js';
import { BackendTable, type Clock, type ConnectionId, type Transition } from './backends.js';
import { probeBackend, resolveTarget, systemLookup, type Lookup } from './probe.js';
import { KEEPALIVE_DELAY_MS, ProxySession, type SessionHost } from './proxy.js';

export interface LoadBalancerOptions {
  readonly listen: HostPort;
  readonly backends: readonly HostPort[];
  readonly adminListen: HostPort;
  readonly healthPath?: string;
  readonly healthIntervalMs?: number;
  readonly healthTimeoutMs?: number;
  readonly resolveIntervalMs?: number;
  readonly connectTimeoutMs?: number;
  /** How long open connections may run on after shutdown starts (default 5000). */
  readonly drainTimeoutMs?: number;
  readonly logger?: Logger;
  /** Name resolution (default: the system resolver, all addresses). */
  readonly lookup?: Lookup;
  readonly clock?: Clock;
}

export interface LoadBalancerAddresses {
  readonly listen: HostPort;
  readonly admin: HostPort;
}

export class LoadBalancer {
  readonly log: Logger;
  readonly table: BackendTable;
  private readonly server: TcpServer;
  private readonly admin: HttpServer;
  private readonly sessions = new Map<ConnectionId, ProxySession>();
  private readonly probing = new Map<string, Promise<void>>();
  private readonly resolving = new Map<string, Promise<void>>();
  private readonly resolveErrors = new Map<string, string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly stopProbes = new AbortController();
  private readonly healthPath: string;
  private readonly healthIntervalMs: number;
  private readonly healthTimeoutMs: number;
  private readonly resolveIntervalMs: number;
  private readonly drainTimeoutMs: number;
  private readonly lookup: Lookup;
  private readonly sessionHost: SessionHost;
  private nextId = 1;
  private stopping = false;
  private drained: (() => void) | undefined;

  constructor(private readonly opts: LoadBalancerOptions) {
    if (opts.backends.length === 0) throw new Error('at least one backend is required');
    this.log = opts.logger ?? pino({ name: 'loadbalancer' });
    this.table = new BackendTable(opts.clock ? { clock: opts.clock } : {});
    this.healthPath = opts.healthPath ?? '/readyz';
    this.healthIntervalMs = opts.healthIntervalMs ?? 500;
    this.healthTimeoutMs = opts.healthTimeoutMs ?? 1000;
    this.resolveIntervalMs = opts.resolveIntervalMs ?? 1000;
    this.drainTimeoutMs = opts.drainTimeoutMs ?? 5000;
    this.lookup = opts.lookup ?? systemLookup;
    const log = this.log;
    const sessions = this.sessions;
    this.sessionHost = {
      table: this.table,
      connectTimeoutMs: opts.connectTimeoutMs ?? 1000,
      apply: (t) => this.apply(t),
      dropped: (address) => log.info({ backend: address }, 'vanished backend dropped after its last connection closed'),
      finished: (session) => {
        sessions.delete(session.id);
        if (sessions.size === 0) this.drained?.();
      },
      debug: (fields, msg) => log.debug(fields, msg),
    };
    this.server = createTcpServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true, keepAlive: true, keepAliveInitialDelay: KEEPALIVE_DELAY_MS }, (socket) => this.accept(socket));
    this.server.on('error', (err) => this.log.error({ err: err.message }, 'listener error'));
    this.admin = createHttpServer((req, res) => this.serveAdmin(req, res));
    this.admin.on('clientError', (_err, socket) => socket.destroy());
  }

  /** Bound addresses (after start()). */
  addresses(): LoadBalancerAddresses {
    return { listen: bound(this.server, this.opts.listen), admin: bound(this.admin, this.opts.adminListen) };
  }

  /**
   * Resolves and probes the backends once, then listens. Resolves once listening; `done` settles
   * after `signal` aborts and open connections finished (or were closed after the drain timeout).
   */
  async start(signal: AbortSignal): Promise<LoadBalancerAddresses & { done: Promise<void> }> {
    await Promise.all(this.opts.backends.map((t) => this.resolve(t)));
    await Promise.all(this.table.addresses().map((a) => this.probe(a)));
    await listen(this.server, this.opts.listen);
    try {
      await listen(this.admin, this.opts.adminListen);
    } catch (err) {
      this.server.close();
      throw err;
    }
    const addrs = this.addresses();
    this.log.info({ listen: formatHostPort(addrs.listen.host, addrs.listen.port), admin: formatHostPort(addrs.admin.host, addrs.admin.port), backends: this.table.snapshot() }, 'load balancer listening');
    this.timers.push(setInterval(() => this.table.addresses().forEach((a) => void this.probe(a)), this.healthIntervalMs));
    this.timers.push(setInterval(() => this.opts.backends.forEach((t) => void this.resolve(t)), this.resolveIntervalMs));
    for (const t of this.timers) t.unref();
    const done = new Promise<void>((resolve) => {
      const stop = (): void => void this.shutdown().then(resolve);
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    });
    return { ...addrs, done };
  }

  private accept(socket: Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    const session = new ProxySession(this.nextId++, socket, this.sessionHost);
    this.sessions.set(session.id, session);
    session.start();
  }

  private apply(t: Transition | undefined): void {
    if (!t) return;
    if (t.from !== t.to) {
      const level = t.to === 'ready' ? 'info' : 'warn';
      this.log[level]({ backend: t.address, from: t.from, to: t.to, reason: t.reason, previousForMs: t.previousForMs, cut: t.cut.length }, 'backend state changed');
    } else if (t.cut.length > 0) {
      this.log.warn({ backend: t.address, state: t.to, reason: t.reason, cut: t.cut.length }, 'cutting connections of a backend that stopped answering');
    }
    for (const id of t.cut) this.sessions.get(id)?.cut(t.reason);
  }

  /** Probes one backend; a probe already under way is joined, so a slow backend is probed at its own pace. */
  private probe(address: string): Promise<void> {
    const running = this.probing.get(address);
    if (running) return running;
    const endpoint = this.table.endpoint(address);
    if (!endpoint || this.stopping) return Promise.resolve();
    const p = probeBackend(endpoint.host, endpoint.port, this.healthPath, this.healthTimeoutMs, this.stopProbes.signal)
      .then((result) => {
        if (!this.stopping) this.apply(this.table.probeResult(address, result));
      })
      .finally(() => this.probing.delete(address));
    this.probing.set(address, p);
    return p;
  }

  /** Resolves one target; a resolution already under way is joined. */
  private resolve(target: HostPort): Promise<void> {
    const name = formatHostPort(target.host, target.port);
    const running = this.resolving.get(name);
    if (running) return running;
    if (this.stopping) return Promise.resolve();
    const p = this.resolveOnce(target, name).finally(() => this.resolving.delete(name));
    this.resolving.set(name, p);
    return p;
  }

  private async resolveOnce(target: HostPort, name: string): Promise<void> {
    const outcome = await resolveTarget(target.host, this.lookup);
    if (this.stopping) return;
    if (outcome.kind === 'error') {
      // Once per distinct error, not once per interval.
      if (this.resolveErrors.get(name) !== outcome.error) this.log.warn({ target: name, err: outcome.error }, 'resolving backends failed; keeping the previous addresses');
      this.resolveErrors.set(name, outcome.error);
      return;
    }
    this.resolveErrors.delete(name);
    const ips = outcome.kind === 'addresses' ? outcome.ips : [];
    const change = this.table.setResolved(name, target.port, ips);
    if (change.added.length + change.vanished.length > 0) {
      this.log.info({ target: name, added: change.added, vanished: change.vanished, dropped: change.dropped, ...(outcome.kind === 'not-found' ? { err: outcome.error } : {}) }, 'backend addresses changed');
    }
    // New backends are probed at once rather than waiting for the next round.
    for (const a of change.added) void this.probe(a);
  }

  private serveAdmin(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    const send = (code: number, type: string, body: string): void => {
      res.writeHead(code, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (path !== '/healthz' && path !== '/backends') return send(404, 'text/plain; charset=utf-8', `404 page not found\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(405, 'text/plain; charset=utf-8', `method ${req.method ?? ''} not allowed\n`);
    }
    if (path === '/backends') return send(200, 'application/json', `${JSON.stringify(this.table.snapshot())}\n`);
    if (this.stopping) return send(503, 'text/plain; charset=utf-8', 'shutting down\n');
    const health = this.table.health();
    send(health.ok ? 200 : 503, 'text/plain; charset=utf-8', `${health.reason}\n`);
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.stopProbes.abort();
    this.log.info({ connections: this.sessions.size, drainTimeoutMs: this.drainTimeoutMs }, 'load balancer shutting down');
    const listenerClosed = new Promise<void>((r) => this.server.close(() => r()));
    const adminClosed = new Promise<void>((r) => this.admin.close(() => r()));
    this.admin.closeAllConnections();
    if (this.sessions.size > 0) {
      const allDone = new Promise<void>((r) => (this.drained = r));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), this.drainTimeoutMs)));
      const outcome = await Promise.race([allDone, timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        this.log.warn({ connections: this.sessions.size }, 'closing connections still open after the drain timeout');
        for (const s of [...this.sessions.values()]) s.destroy();
      }
    }
    await Promise.all([listenerClosed, adminClosed]);
    this.log.info('load balancer stopped');
  }
}

function listen(server: TcpServer | HttpServer, at: HostPort): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function bound(server: TcpServer | HttpServer, configured: HostPort): HostPort {
  const a = server.address() as AddressInfo | null;
  return { host: configured.host, port: a?.port ?? 0 };
}
