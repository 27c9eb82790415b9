// The apiserver: HTTP(S) serving, routing to handlers, health endpoints, bootstrap objects.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pino, type Logger } from 'pino';
import type { Registry, ResourceDef } from '../api/registry.js';
import { internalError, methodNotSupported, resourceNotFound, StatusError, tooManyRequests } from '../api/errors.js';
import { EtcdStore } from './storage/etcd.js';
import { ResourceStore } from './registry/store.js';
import { WatchCacheSet } from './watchcache.js';
import { ServiceAllocator } from './allocators.js';
import { FENCING_HEADER_LOWER, fencedWrite } from './fencing.js';
import { parseRequestInfo, parseRequestTarget, send, sendError, type RequestInfo, type RequestTarget } from './http.js';
import { handlePodStreamUpgrade } from './handlers/pod-stream.js';
import type { Duplex } from 'node:stream';
import type { ServerContext } from './handlers/context.js';
import {
  handleCreate,
  handleDelete,
  handleDeleteCollection,
  handleGet,
  handleList,
  handlePatch,
  handleUpdate,
  type Request,
} from './handlers/resource.js';
import { handleWatch } from './handlers/watch.js';
import { handleBinding, handleEviction, handleFinalize, handleNodeProxy, handlePodLog, handleScale } from './handlers/subresources.js';
import {
  AGGREGATED_V2,
  AGGREGATED_V2BETA1,
  aggregatedDiscovery,
  apiGroupDoc,
  apiGroupList,
  apiResourceList,
  apiVersions,
  wantsAggregated,
} from './discovery.js';
import { OpenAPIDocuments } from './openapi.js';
import { defaultAdvertiseAddress, ensureNamespaces, ensureSystemPriorityClasses, KubernetesServiceReconciler } from './bootstrap.js';
import { serveOpenAPIV2 } from './openapi-proto.js';

export interface ApiServerOptions {
  readonly etcdServers: readonly string[];
  readonly bindAddress: string;
  /** 0 picks a free port. */
  readonly securePort: number;
  /** With both files the server speaks HTTPS; without, plain HTTP. */
  readonly tlsCertFile?: string;
  readonly tlsPrivateKeyFile?: string;
  readonly serviceClusterIPRange: string;
  readonly serviceNodePortRange: string;
  readonly etcdRequestTimeoutMs?: number;
  /** Events kept per resource for watch resumption. */
  readonly watchCacheSize?: number;
  /** Bytes (as stored) of the recent events each resource's watch cache keeps (default 16 MiB). */
  readonly watchCacheMaxBytes?: number;
  /** Events a watcher may have pending before it is dropped as too slow. */
  readonly watcherQueueLimit?: number;
  /** How often idle watches that allow bookmarks get one. */
  readonly watchBookmarkIntervalMs?: number;
  /** How long a stopping apiserver keeps serving (closing keep-alive connections) before it drains. */
  readonly shutdownDelayMs?: number;
  /** Read requests (watches aside) served at once; more are answered 429. 0 = no limit (default 400, as upstream). */
  readonly maxRequestsInflight?: number;
  /** Write requests served at once; more are answered 429. 0 = no limit (default 200, as upstream). */
  readonly maxMutatingRequestsInflight?: number;
  /** Address other components and pods reach this apiserver at (default: derived from bindAddress). */
  readonly advertiseAddress?: string;
  readonly registry: Registry;
  readonly logger?: Logger;
}

const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-kubets',
  gitCommit: 'kubets',
  gitTreeState: 'clean',
  buildDate: '2026-11-23T00:00:00Z',
  goVersion: 'node' + process.versions.node,
  compiler: 'tsc',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

const READ_VERBS = new Set(['get', 'list', 'watch']);
const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MAX_HEADER_BYTES = 1024 * 1024;
const HEALTH_PATHS = /^\/(healthz|readyz|livez)(\/|\?|$)/;

export class ApiServer {
  readonly log: Logger;
  private readonly etcd: EtcdStore;
  private readonly caches: WatchCacheSet;
  private readonly stores = new Map<ResourceDef, ResourceStore>();
  private readonly server: Server;
  private readonly ctx: ServerContext;
  private readonly openapi: OpenAPIDocuments;
  private bootstrapped = false;
  private readonly inflight = new AbortController();
  private kubernetesService: KubernetesServiceReconciler | undefined;
  private stopping = false;
  /** Requests being served now, by class, for the max-inflight limits. */
  private readonly inflightCount = { readOnly: 0, mutating: 0 };
  /** How long the event loop was held: one slow request delays every other one (and Lease renewals). */
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });

  constructor(private readonly opts: ApiServerOptions) {
    this.log = opts.logger ?? pino({ name: 'apiserver' });
    this.etcd = new EtcdStore({ endpoints: opts.etcdServers, requestTimeoutMs: opts.etcdRequestTimeoutMs ?? 2000 });
    this.caches = new WatchCacheSet(this.etcd, '', this.log);
    for (const def of opts.registry.all()) {
      this.stores.set(def, new ResourceStore(def, this.etcd, this.caches, { capacity: opts.watchCacheSize ?? 10_000, maxEventBytes: opts.watchCacheMaxBytes ?? 16 * 1024 * 1024, watcherQueueLimit: opts.watcherQueueLimit ?? 10_000 }));
    }
    const allocator = new ServiceAllocator({ serviceClusterIPRange: opts.serviceClusterIPRange, serviceNodePortRange: opts.serviceNodePortRange });
    const stores = this.stores;
    this.ctx = {
      registry: opts.registry,
      etcd: this.etcd,
      caches: this.caches,
      allocator,
      log: this.log,
      now: () => new Date(),
      bookmarkIntervalMs: opts.watchBookmarkIntervalMs ?? 30_000,
      store(def) {
        const s = stores.get(def);
        if (!s) throw resourceNotFound();
        return s;
      },
      storeByResource(group, plural) {
        for (const [d, s] of stores) if (d.group === group && d.plural === plural) return s;
        return undefined;
      },
    };
    this.openapi = new OpenAPIDocuments(opts.registry);
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
    // Go's server takes request lines and headers up to 1 MiB; Node's default stops at 16 KiB,
    // which refused long label selectors and names that kube-apiserver serves.
    const limits = { maxHeaderSize: MAX_HEADER_BYTES };
    this.server =
      opts.tlsCertFile && opts.tlsPrivateKeyFile
        ? createHttpsServer({ ...limits, cert: readFileSync(opts.tlsCertFile), key: readFileSync(opts.tlsPrivateKeyFile) }, handler)
        : createHttpServer(limits, handler);
    // Requests the HTTP parser itself rejects still get a Status, never a bare 400.
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) return socket.destroy();
      const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
      const code = tooLarge ? 431 : 400;
      const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `malformed HTTP request: ${err.code ?? err.message}`, reason: 'BadRequest', code });
      socket.end(`HTTP/1.1 ${code} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    });
    // kubectl exec and attach: WebSocket upgrades passed through to the pod's kubelet.
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void handlePodStreamUpgrade(this.ctx, req, socket, head));
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
  }

  get scheme(): 'http' | 'https' {
    return this.opts.tlsCertFile && this.opts.tlsPrivateKeyFile ? 'https' : 'http';
  }

  /** Host and port actually bound (after run() started listening). */
  address(): { host: string; port: number } {
    const a = this.server.address() as AddressInfo | null;
    return { host: this.opts.bindAddress, port: a?.port ?? 0 };
  }

  /** Serves until `signal` aborts. Resolves once listening; `done` settles after shutdown. */
  async start(signal: AbortSignal): Promise<{ done: Promise<void> }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.securePort, this.opts.bindAddress, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const a = this.address();
    this.log.info({ address: `${this.scheme}://${a.host}:${a.port}` }, 'apiserver listening');
    this.loopDelay.enable();
    void this.caches.start().then(() => this.bootstrap(signal));
    const done = new Promise<void>((resolve) => {
      const stop = (): void => {
        this.log.info({ delayMs: this.opts.shutdownDelayMs ?? 1000 }, 'apiserver shutting down');
        // First keep serving a moment, answering with Connection: close and failing /readyz, so
        // clients move their keep-alive connections elsewhere before any socket is closed.
        this.stopping = true;
        setTimeout(drain, this.opts.shutdownDelayMs ?? 1000).unref();
      };
      const drain = (): void => {
        // Watches end now (clients resume elsewhere); other requests in flight finish first.
        this.inflight.abort();
        const httpClosed = new Promise<void>((r) => this.server.close(() => r()));
        this.server.closeIdleConnections();
        const force = setTimeout(() => this.server.closeAllConnections(), 10_000);
        force.unref();
        void httpClosed
          .then(() => {
            clearTimeout(force);
            // Leave the kubernetes endpoints (bounded), then close the store.
            const leave = this.kubernetesService?.stop() ?? Promise.resolve();
            return Promise.race([leave, new Promise<void>((r) => setTimeout(r, 3000).unref())]);
          })
          .then(() => this.caches.stop())
          .then(() => this.etcd.close())
          .then(() => {
            this.loopDelay.disable();
            resolve();
          });
      };
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    });
    return { done };
  }

  /** Creates what every cluster has (namespaces, the kubernetes Service), retrying until etcd accepts. */
  private async bootstrap(signal: AbortSignal): Promise<void> {
    let delay = 200;
    while (!signal.aborted) {
      try {
        await ensureNamespaces(this.ctx);
        await ensureSystemPriorityClasses(this.ctx);
        this.bootstrapped = true;
        const reconciler = new KubernetesServiceReconciler(this.ctx, {
          advertiseAddress: this.opts.advertiseAddress ?? defaultAdvertiseAddress(this.opts.bindAddress),
          port: this.address().port,
        });
        await reconciler.start();
        this.kubernetesService = reconciler;
        if (signal.aborted) await reconciler.stop();
        this.log.info('bootstrap objects present');
        return;
      } catch (err) {
        this.log.warn({ err: String(err) }, 'bootstrap failed; retrying');
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    let info: RequestInfo | undefined;
    let code = 200;
    try {
      // While draining, answers tell keep-alive clients to reconnect (to another replica).
      if (this.stopping) res.setHeader('Connection', 'close');
      const target = parseRequestTarget(req.url ?? '/');
      info = parseRequestInfo(req.method ?? 'GET', target);
      const admitted = this.admitInflight(req.method ?? 'GET', info, target);
      try {
        if (!info.isResourceRequest) await this.nonResource(req, res, target);
        else await this.resource(req, res, info, target.url);
      } finally {
        admitted?.();
      }
      code = res.statusCode;
    } catch (err) {
      if (!(err instanceof StatusError)) this.log.error({ err: err instanceof Error ? err.stack : String(err) }, 'request failed');
      code = sendError(res, err);
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // Health probes arrive every second or so from every supervisor and load balancer: only
      // failures are worth a line at info.
      const probe = info?.isResourceRequest !== true && code < 400 && HEALTH_PATHS.test(req.url ?? '');
      (probe ? this.log.debug.bind(this.log) : this.log.info.bind(this.log))({
        verb: info?.verb || req.method,
        resource: info?.resource || undefined,
        subresource: info?.subresource || undefined,
        namespace: info?.namespace,
        name: info?.name || undefined,
        path: info?.isResourceRequest ? undefined : (req.url ?? ''),
        code,
        latencyMs: Math.round(ms * 100) / 100,
        userAgent: req.headers['user-agent'],
      }, 'request');
    }
  }

  /**
   * Upstream's max-in-flight filter: a request past its class's limit is answered 429 with
   * Retry-After at once, instead of queueing work the server cannot keep up with. Watches are
   * long-running (and so are followed logs, as upstream's long-running check has it) and health
   * probes must answer under load, so neither counts. Returns the release.
   */
  private admitInflight(method: string, info: RequestInfo, target: RequestTarget): (() => void) | undefined {
    if (info.verb === 'watch' || info.subresource === 'log') return undefined;
    if (!info.isResourceRequest && HEALTH_PATHS.test('/' + target.segments.join('/'))) return undefined;
    const mutating = MUTATING_METHODS.has(method);
    const limit = mutating ? (this.opts.maxMutatingRequestsInflight ?? 200) : (this.opts.maxRequestsInflight ?? 400);
    const key = mutating ? 'mutating' : 'readOnly';
    if (limit > 0 && this.inflightCount[key] >= limit) throw tooManyRequests('Too many requests, please try again later.');
    this.inflightCount[key]++;
    return () => void this.inflightCount[key]--;
  }

  private async nonResource(req: IncomingMessage, res: ServerResponse, target: RequestTarget): Promise<void> {
    const url = target.url;
    const parts = target.segments;
    if (parts.includes('')) throw resourceNotFound();
    const path = '/' + parts.join('/');
    const registry = this.opts.registry;
    const text = (code: number, body: string): void => {
      res.statusCode = code;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(body);
    };
    const kind = parts[0];
    if (kind === 'healthz' || kind === 'livez' || kind === 'readyz') {
      const all = await this.healthChecks(kind === 'livez');
      // /readyz/<check> answers for that one check; a check nobody runs is not found, as upstream.
      const one = parts.length > 1 ? parts.slice(1).join('/') : undefined;
      const checks = one === undefined ? all : all.filter((c) => c.name === one);
      if (checks.length === 0) throw resourceNotFound();
      const ok = checks.every((c) => c.ok);
      const verbose = url.searchParams.has('verbose');
      const body = verbose ? checks.map((c) => `[${c.ok ? '+' : '-'}]${c.name} ${c.ok ? 'ok' : 'failed'}`).join('\n') + `\n${kind} check ${ok ? 'passed' : 'failed'}\n` : ok ? 'ok' : `${kind} check failed`;
      text(ok ? 200 : 500, body);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotSupported({ group: '', resource: path }, req.method ?? '');
    if (path === '/version') return send(res, 200, VERSION_INFO);
    if (path === '/metrics') return text(200, this.metrics());
    if (path === '/api' || path === '/apis') {
      const agg = wantsAggregated(req.headers.accept);
      if (agg) {
        const body = JSON.stringify(aggregatedDiscovery(registry, path === '/api', agg));
        res.statusCode = 200;
        res.setHeader('Content-Type', agg === 'v2' ? AGGREGATED_V2 : AGGREGATED_V2BETA1);
        res.end(body);
        return;
      }
      const host = req.headers.host ?? `${this.address().host}:${this.address().port}`;
      return send(res, 200, path === '/api' ? apiVersions(host) : apiGroupList(registry));
    }
    if (parts[0] === 'api' && parts.length === 2) {
      const doc = apiResourceList(registry, '', parts[1]!);
      if (doc) return send(res, 200, doc);
    }
    if (parts[0] === 'apis' && parts.length === 2) {
      const doc = apiGroupDoc(registry, parts[1]!);
      if (doc) return send(res, 200, doc);
    }
    if (parts[0] === 'apis' && parts.length === 3) {
      const doc = apiResourceList(registry, parts[1]!, parts[2]!);
      if (doc) return send(res, 200, doc);
    }
    // JSON or gnostic protobuf by Accept; the encoded bytes are built once and cached.
    if (path === '/openapi/v2') return serveOpenAPIV2(req, res, this.openapi);
    if (path === '/openapi/v3') return send(res, 200, this.openapi.v3Root());
    if (path.startsWith('/openapi/v3/')) {
      const doc = this.openapi.v3Document(path.slice('/openapi/v3/'.length));
      if (doc) {
        res.statusCode = 200;
        res.setHeader('Content-Type', 'application/json');
        if (url.searchParams.has('hash')) res.setHeader('Cache-Control', 'public, immutable');
        res.end(doc);
        return;
      }
    }
    throw resourceNotFound();
  }

  /** Prometheus text: upstream's names where upstream has the metric, kubets_ for our own. */
  private metrics(): string {
    const gauge = (name: string, help: string, samples: [string, number][]): string =>
      `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${samples.map(([labels, v]) => `${name}${labels} ${v}`).join('\n')}\n`;
    const mem = process.memoryUsage();
    return [
      gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', [['', mem.rss]]),
      gauge('kubets_heap_used_bytes', 'V8 heap in use, in bytes.', [['', mem.heapUsed]]),
      gauge('apiserver_current_inflight_requests', 'Maximal number of currently used inflight request limit of this apiserver per request kind in last second.', [
        ['{request_kind="readOnly"}', this.inflightCount.readOnly],
        ['{request_kind="mutating"}', this.inflightCount.mutating],
      ]),
      gauge('kubets_event_loop_delay_max_seconds', 'The longest the event loop was held since the apiserver started.', [['', this.loopDelay.max / 1e9]]),
      gauge('kubets_event_loop_delay_p99_seconds', 'The 99th percentile of event loop delay since the apiserver started.', [['', this.loopDelay.percentile(99) / 1e9]]),
    ].join('');
  }

  private async healthChecks(liveness: boolean): Promise<{ name: string; ok: boolean }[]> {
    const checks = [{ name: 'ping', ok: true }, { name: 'log', ok: true }];
    if (liveness) return checks;
    let etcdOk = true;
    try {
      await this.etcd.currentRevision();
    } catch {
      etcdOk = false;
    }
    checks.push({ name: 'etcd', ok: etcdOk });
    checks.push({ name: 'informer-sync', ok: this.caches.revision > 0 });
    checks.push({ name: 'poststarthook/bootstrap-namespaces', ok: this.bootstrapped });
    checks.push({ name: 'shutdown', ok: !this.stopping });
    return checks;
  }

  private async resource(req: IncomingMessage, res: ServerResponse, info: RequestInfo, url: URL): Promise<void> {
    const fence = req.headers[FENCING_HEADER_LOWER];
    if (fence !== undefined && !READ_VERBS.has(info.verb)) {
      const leases = this.opts.registry.lookup('coordination.k8s.io', 'v1', 'leases');
      if (!leases) throw internalError(new Error('the coordination.k8s.io/v1 leases resource is not registered'));
      return fencedWrite(this.ctx.store(leases), Array.isArray(fence) ? fence.join(',') : fence, () => this.dispatch(req, res, info, url));
    }
    return this.dispatch(req, res, info, url);
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse, info: RequestInfo, url: URL): Promise<void> {
    const def = this.opts.registry.lookup(info.group, info.version, info.resource);
    if (!def) throw resourceNotFound();
    if (def.namespaced === false && info.namespace !== undefined) throw resourceNotFound();
    const store = this.ctx.store(def);
    const r: Request = { req, res, info, url, def, store };
    const ctx = this.ctx;
    const sub = info.subresource;
    const refuse = (): never => {
      throw methodNotSupported(store.qualified, (req.method ?? '').toLowerCase());
    };
    if (sub === '') {
      switch (info.verb) {
        case 'get':
          return handleGet(ctx, r);
        case 'list':
          return handleList(ctx, r);
        case 'watch':
          return handleWatch(ctx, r, this.inflight.signal);
        case 'create':
          if (info.name !== '') return refuse();
          return handleCreate(ctx, r);
        case 'update':
          if (info.name === '') return refuse();
          return handleUpdate(ctx, r, 'main');
        case 'patch':
          if (info.name === '') return refuse();
          return handlePatch(ctx, r, 'main');
        case 'delete':
          return handleDelete(ctx, r);
        case 'deletecollection':
          return handleDeleteCollection(ctx, r);
        default:
          return refuse();
      }
    }
    if (sub === 'status' && def.subresources?.status) {
      if (info.verb === 'get') return handleGet(ctx, r);
      if (info.verb === 'update') return handleUpdate(ctx, r, 'status');
      if (info.verb === 'patch') return handlePatch(ctx, r, 'status');
      return refuse();
    }
    if (sub === 'scale' && def.subresources?.scale) {
      if (info.verb === 'get' || info.verb === 'update' || info.verb === 'patch') return handleScale(ctx, r);
      return refuse();
    }
    if (sub === 'binding' && def.group === '' && def.kind === 'Pod') {
      if (info.verb === 'create') return handleBinding(ctx, r);
      return refuse();
    }
    if (sub === 'log' && def.group === '' && def.kind === 'Pod') {
      if (info.verb === 'get') return handlePodLog(ctx, r);
      return refuse();
    }
    if ((sub === 'proxy' || sub.startsWith('proxy/')) && def.group === '' && def.kind === 'Node') return handleNodeProxy(ctx, r);
    if (sub === 'eviction' && def.group === '' && def.kind === 'Pod') {
      if (info.verb === 'create') return handleEviction(ctx, r);
      return refuse();
    }
    if (sub === 'finalize' && def.group === '' && def.kind === 'Namespace') {
      if (info.verb === 'update') return handleFinalize(ctx, r);
      return refuse();
    }
    throw resourceNotFound();
  }
}
