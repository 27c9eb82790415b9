// RestClient: talks to a list of apiservers with failover, retries with backoff, maps error
// responses to typed Status errors, and opens watch streams. Resource access is in resource.ts.
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import { FENCING_HEADER } from '../api/coordination/v1/fencing.js';
import { fromStatus, isStatus, StatusError } from '../api/errors.js';
import { ConnectionError, errorFromResponse, parseRetryAfter, type RequestSubject } from './errors.js';
import { ResourceClient, type KubeObject, type ResourceDescriptor } from './resource.js';
import { resolvePolicy, retry, retryAfterMs, sleep as realSleep, type RetryDecision, type RetryPolicy, type Sleep } from './retry.js';
import { linkSignals, type LinkedSignal } from './signals.js';
import { Agents, readBody, send, type OpenResponse, type TlsOptions } from './transport.js';
import { WatchStream } from './watch.js';

export interface Credentials {
  /** Bearer token. */
  readonly token?: string;
  /** File holding a bearer token; re-read every minute so rotated tokens are picked up. */
  readonly tokenFile?: string;
  /** Basic authentication. */
  readonly username?: string;
  readonly password?: string;
}

export interface RestClientOptions extends TlsOptions, Credentials {
  /** Base URLs of the apiservers, e.g. ["http://127.0.0.1:6443"]; requests fail over in order. */
  readonly servers: readonly string[];
  /** Namespace of the kubeconfig context, for callers that want a default; "default" if unset. */
  readonly namespace?: string;
  /** Names the caller in the User-Agent: "kubets/<component>". */
  readonly component?: string;
  /** Full User-Agent, overriding `component`. */
  readonly userAgent?: string;
  /** Deadline of a non-streaming call, retries included; 0 disables it. Default 30 s. */
  readonly timeoutMs?: number;
  /** Deadline of one try against one server (watches: until the headers arrive). Default 10 s. */
  readonly attemptTimeoutMs?: number;
  /** Time allowed to open a TCP connection. Default 3 s. */
  readonly connectTimeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /**
   * The leader's fencing token (Kubets-Leader-Fence, see pkg/api/coordination/v1/fencing.ts),
   * asked for on every write; the apiserver refuses writes whose token is no longer current.
   * Undefined while not leading: the write goes out unfenced.
   */
  readonly leaderFence?: () => string | undefined;
  /**
   * The leader's current term, asked for on every write: when it ends (the Lease is lost, the
   * component stops), the writes of that term still in flight or waiting to retry are aborted
   * at once. Undefined while not leading. Reads (informers share the client) are not tied to it.
   */
  readonly leaderTerm?: () => AbortSignal | undefined;
  /** Injected for tests. */
  readonly random?: () => number;
  readonly sleep?: Sleep;
}

export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface CallOptions {
  readonly signal?: AbortSignal;
  /** Overrides the client's deadline for this call (0: none). */
  readonly timeoutMs?: number;
}

export interface RawRequest extends CallOptions {
  readonly method?: string;
  /** Absolute API path, already escaped: /api/v1/namespaces/default/pods. */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** Objects are sent as JSON; strings and bytes as they are. */
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Names the object in generic error messages: "(get pods web)". */
  readonly subject?: RequestSubject;
}

export interface RawResponse {
  readonly statusCode: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly server: string;
}

/** An open streaming response (watch, follow logs). close() frees the connection. */
export interface ResponseStream {
  readonly statusCode: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly server: string;
  readonly body: AsyncIterable<Buffer>;
  readonly signal: AbortSignal;
  close(): void;
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const TOKEN_FILE_TTL_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;

/** Why a failed try may be repeated (possibly on another server), or not. */
function isRetryable(err: unknown, idempotent: boolean): boolean {
  if (err instanceof ConnectionError) return idempotent || !err.maybeSent;
  if (err instanceof StatusError) {
    // The apiserver throttles before doing anything, so a 429 is safe to repeat even for writes.
    if (err.code === 429) return true;
    if (err.code === 502 || err.code === 503 || err.code === 504) return idempotent;
  }
  return false;
}

function encodeBody(body: unknown): Buffer | undefined {
  if (body === undefined) return undefined;
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.from(JSON.stringify(body), 'utf8');
}

export function encodeQuery(query: Readonly<Record<string, QueryValue>> | undefined): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v as readonly string[]) params.append(k, item);
    else params.append(k, String(v));
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

function isJsonType(contentType: string | undefined): boolean {
  return contentType !== undefined && /[/+]json\b/i.test(contentType);
}

export class RestClient {
  /** User-Agent sent with every request; settable. */
  userAgent: string;
  readonly namespace: string;
  private readonly servers: readonly URL[];
  private current = 0;
  private readonly agents: Agents;
  private readonly creds: Credentials;
  private readonly timeoutMs: number;
  private readonly attemptTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly random: () => number;
  private readonly sleep: Sleep;
  private tokenCache: { token: string; readAt: number } | undefined;
  private readonly leaderFence: (() => string | undefined) | undefined;
  private readonly leaderTerm: (() => AbortSignal | undefined) | undefined;

  constructor(opts: RestClientOptions) {
    if (opts.servers.length === 0) throw new Error('RestClient needs at least one server URL');
    this.servers = opts.servers.map((s) => {
      const u = new URL(s);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`unsupported server URL ${s}: the scheme must be http or https`);
      return u;
    });
    this.userAgent = opts.userAgent ?? `kubets/${opts.component ?? 'client'}`;
    this.namespace = opts.namespace !== undefined && opts.namespace !== '' ? opts.namespace : 'default';
    this.agents = new Agents(opts);
    this.creds = { token: opts.token, tokenFile: opts.tokenFile, username: opts.username, password: opts.password };
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.attemptTimeoutMs = opts.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.policy = resolvePolicy(opts.retry);
    this.random = opts.random ?? Math.random;
    this.sleep = opts.sleep ?? realSleep;
    this.leaderFence = opts.leaderFence;
    this.leaderTerm = opts.leaderTerm;
  }

  /** The server the next request goes to first: the last one that answered. */
  get currentServer(): string {
    return this.servers[this.current]?.href.replace(/\/$/, '') ?? '';
  }

  get serverList(): readonly string[] {
    return this.servers.map((u) => u.href.replace(/\/$/, ''));
  }

  /** Typed access to one resource type. */
  resource<T extends KubeObject = KubeObject>(d: ResourceDescriptor): ResourceClient<T> {
    return new ResourceClient<T>(this, d);
  }

  /** Sends a request and returns the parsed JSON body (text for non-JSON bodies); errors are typed. */
  async request<T = unknown>(req: RawRequest): Promise<T> {
    const r = await this.exchange(req, true);
    const text = r.body.toString('utf8');
    if (text.trim() === '') return undefined as T;
    const contentType = r.headers['content-type'];
    // Trust a declared content type (logs may well start with "{"); sniff only when there is none.
    if (contentType !== undefined ? !isJsonType(contentType) : !/^\s*[{[]/.test(text)) return text as T;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err: unknown) {
      const e = new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: r.statusCode, reason: '', message: `invalid JSON in response from ${r.server}: ${text.slice(0, 200)}` });
      e.cause = err;
      throw e;
    }
    // A Status reporting failure is an error even when it came with a 2xx code.
    if (isStatus(parsed) && parsed.status === 'Failure') throw fromStatus(parsed, r.statusCode);
    return parsed as T;
  }

  /** Sends a request and returns the response as is, whatever its status; fails over on connection errors only. */
  send(req: RawRequest): Promise<RawResponse> {
    return this.exchange(req, false);
  }

  /** Opens a streaming GET (watch, follow logs); resolves once a 2xx response starts. */
  async stream(req: RawRequest): Promise<ResponseStream> {
    const method = req.method ?? 'GET';
    const closer = new AbortController();
    // Streams have no deadline: only the caller's signal, close() and the header timeout end them.
    const link = linkSignals([req.signal, closer.signal]);
    let open: OpenResponse;
    try {
      open = await this.withFailover(method, link, req.signal, async (base) => {
        const url = RestClient.urlFor(base, req.path, req.query);
        const o = await send({
          url,
          method,
          headers: this.headers(req, undefined),
          agents: this.agents,
          signal: link.signal,
          connectTimeoutMs: this.connectTimeoutMs,
          headersTimeoutMs: this.attemptTimeoutMs,
        });
        const code = o.res.statusCode ?? 0;
        if (code >= 200 && code < 300) return o;
        const body = await readBody(o, link.signal);
        throw errorFromResponse({ code, body, contentType: o.res.headers['content-type'], method, retryAfterSeconds: parseRetryAfter(o.res.headers['retry-after']), subject: req.subject });
      });
    } catch (err: unknown) {
      link.dispose();
      throw err;
    }
    let closed = false;
    const res = open.res;
    const opened = open;
    // A stream the server ends, or that breaks, lets go of the caller's signal by itself.
    res.once('close', () => {
      opened.release();
      link.dispose();
    });
    return {
      statusCode: res.statusCode ?? 0,
      headers: res.headers,
      server: open.server,
      body: res,
      signal: link.signal,
      close: () => {
        if (closed) return;
        closed = true;
        closer.abort(new Error('stream closed'));
        opened.release();
        res.destroy();
        link.dispose();
      },
    };
  }

  /** Opens a watch: `path` must already carry the resource path; `watch=true` is added. */
  async watch<T>(req: RawRequest): Promise<WatchStream<T>> {
    const s = await this.stream({ ...req, method: 'GET', query: { ...req.query, watch: 'true' } });
    return new WatchStream<T>(s);
  }

  /** Frees pooled connections; in-flight requests fail. */
  close(): void {
    this.agents.destroy();
  }

  private async exchange(req: RawRequest, mapErrors: boolean): Promise<RawResponse> {
    const method = req.method ?? 'GET';
    const body = encodeBody(req.body);
    const term = IDEMPOTENT_METHODS.has(method) ? undefined : this.leaderTerm?.();
    const caller = term === undefined ? req.signal : req.signal === undefined ? term : AbortSignal.any([req.signal, term]);
    const link = linkSignals([caller], req.timeoutMs ?? this.timeoutMs);
    try {
      return await this.withFailover(method, link, caller, async (base) => {
        const url = RestClient.urlFor(base, req.path, req.query);
        const attempt = linkSignals([link.signal], this.attemptTimeoutMs);
        try {
          const open = await send({ url, method, headers: this.headers(req, body), body, agents: this.agents, signal: attempt.signal, connectTimeoutMs: this.connectTimeoutMs });
          const data = await readBody(open, attempt.signal);
          const statusCode = open.res.statusCode ?? 0;
          if (mapErrors && (statusCode < 200 || statusCode > 299)) {
            throw errorFromResponse({ code: statusCode, body: data, contentType: open.res.headers['content-type'], method, retryAfterSeconds: parseRetryAfter(open.res.headers['retry-after']), subject: req.subject });
          }
          return { statusCode, headers: open.res.headers, body: data, server: open.server };
        } catch (err: unknown) {
          if (attempt.timedOut && !link.signal.aborted) {
            throw new ConnectionError({ server: url.origin, code: 'ETIMEDOUT', maybeSent: true, message: `${method} ${url.href}: no complete response within ${this.attemptTimeoutMs}ms`, cause: err });
          }
          throw err;
        } finally {
          attempt.dispose();
        }
      });
    } finally {
      link.dispose();
    }
  }

  /**
   * Runs `once` against the servers starting from the last good one. A retryable failure moves on
   * to the next server at once until every server was tried, then waits a backoff step (or the
   * delay the server asked for) and goes round again.
   */
  private async withFailover<R>(method: string, link: LinkedSignal, callerSignal: AbortSignal | undefined, once: (base: URL) => Promise<R>): Promise<R> {
    const n = this.servers.length;
    const idempotent = IDEMPOTENT_METHODS.has(method);
    let idx = this.current;
    let triedInRound = 0;
    let lastErr: unknown;
    const decide = (err: unknown): RetryDecision => {
      lastErr = err;
      if (!isRetryable(err, idempotent)) return 'stop';
      idx = (idx + 1) % n;
      triedInRound++;
      if (triedInRound < n) return 'now';
      triedInRound = 0;
      const after = retryAfterMs(err);
      return after === undefined ? 'backoff' : { afterMs: after };
    };
    try {
      return await retry(
        async () => {
          const i = idx;
          const base = this.servers[i];
          if (base === undefined) throw new Error(`no server at index ${i}`);
          const r = await once(base);
          this.current = i;
          return r;
        },
        { policy: this.policy, signal: link.signal, decide, random: this.random, sleep: this.sleep },
      );
    } catch (err: unknown) {
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (link.timedOut) {
        const base = this.servers[idx]?.origin ?? '';
        throw new ConnectionError({ server: base, code: 'ETIMEDOUT', maybeSent: true, message: `${method} request did not complete before its deadline`, cause: lastErr ?? err });
      }
      throw err;
    }
  }

  private headers(req: RawRequest, body: Buffer | undefined): Record<string, string> {
    const h: Record<string, string> = {
      'User-Agent': this.userAgent,
      Accept: req.accept ?? 'application/json',
    };
    const token = this.bearerToken();
    if (token !== undefined) h['Authorization'] = `Bearer ${token}`;
    else if (this.creds.username !== undefined && this.creds.username !== '') {
      h['Authorization'] = `Basic ${Buffer.from(`${this.creds.username}:${this.creds.password ?? ''}`).toString('base64')}`;
    }
    if (body !== undefined) h['Content-Type'] = req.contentType ?? 'application/json';
    const method = req.method ?? 'GET';
    if (this.leaderFence !== undefined && method !== 'GET' && method !== 'HEAD') {
      const fence = this.leaderFence();
      if (fence !== undefined) h[FENCING_HEADER] = fence;
    }
    return { ...h, ...req.headers };
  }

  private bearerToken(): string | undefined {
    if (this.creds.token !== undefined && this.creds.token !== '') return this.creds.token;
    const file = this.creds.tokenFile;
    if (file === undefined || file === '') return undefined;
    const now = Date.now();
    if (this.tokenCache !== undefined && now - this.tokenCache.readAt < TOKEN_FILE_TTL_MS) return this.tokenCache.token;
    try {
      this.tokenCache = { token: readFileSync(file, 'utf8').trim(), readAt: now };
    } catch (err: unknown) {
      // A rotation in progress may briefly remove the file; keep the token we had.
      if (this.tokenCache === undefined) throw new Error(`cannot read token file ${file}`, { cause: err });
    }
    return this.tokenCache.token;
  }

  /** Builds the URL of `path` on a server, keeping a path prefix the server URL may have. */
  static urlFor(base: URL, path: string, query?: Readonly<Record<string, QueryValue>>): URL {
    const prefix = base.pathname.replace(/\/+$/, '');
    return new URL(`${prefix}${path}${encodeQuery(query)}`, base.origin);
  }
}
