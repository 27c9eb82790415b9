// One HTTP(S) exchange with one server. Failover, retries and error mapping live in rest.ts; this
// file only knows how to send, how long to wait, and whether the request may have left the process.
import http from 'node:http';
import https from 'node:https';
import { ConnectionError } from './errors.js';

export interface TlsOptions {
  /** PEM bundle trusted for the server certificate. */
  readonly ca?: string | Buffer;
  /** PEM client certificate and key. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  readonly insecureSkipTLSVerify?: boolean;
  /** Name checked against the server certificate instead of the URL's host. */
  readonly tlsServerName?: string;
}

/** Keep-alive agents for both schemes, sharing one TLS configuration. */
export class Agents {
  readonly http: http.Agent;
  readonly https: https.Agent;
  constructor(tls: TlsOptions) {
    this.http = new http.Agent({ keepAlive: true });
    const opts: https.AgentOptions = { keepAlive: true, rejectUnauthorized: tls.insecureSkipTLSVerify !== true };
    if (tls.ca !== undefined) opts.ca = tls.ca;
    if (tls.cert !== undefined) opts.cert = tls.cert;
    if (tls.key !== undefined) opts.key = tls.key;
    if (tls.tlsServerName !== undefined) opts.servername = tls.tlsServerName;
    this.https = new https.Agent(opts);
  }
  for(url: URL): http.Agent {
    return url.protocol === 'https:' ? this.https : this.http;
  }
  destroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

export interface SendOptions {
  readonly url: URL;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  readonly agents: Agents;
  /** Aborts the exchange at any point, including while the caller reads the body. */
  readonly signal: AbortSignal;
  /** Time allowed for the TCP connection; a server that never answers SYN counts as not reached. */
  readonly connectTimeoutMs: number;
  /** Time allowed until the response headers arrive; undefined waits as long as the signal allows. */
  readonly headersTimeoutMs?: number;
}

/** A response whose body is still unread; release() must be called once the caller is done with it. */
export interface OpenResponse {
  readonly res: http.IncomingMessage;
  readonly server: string;
  /** Stops listening to the signal and frees the socket if the body was not consumed. */
  release(): void;
}

function errnoCode(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
  }
  return 'ECONNECTION';
}

/** Sends one request and resolves when the response headers arrive. */
export function send(o: SendOptions): Promise<OpenResponse> {
  const server = o.url.origin;
  return new Promise<OpenResponse>((resolve, reject) => {
    if (o.signal.aborted) {
      reject(o.signal.reason);
      return;
    }
    const mod = o.url.protocol === 'https:' ? https : http;
    let connected = false;
    let settled = false;
    let connectTimer: NodeJS.Timeout | undefined;
    let headersTimer: NodeJS.Timeout | undefined;
    let response: http.IncomingMessage | undefined;
    const clearTimers = (): void => {
      if (connectTimer !== undefined) clearTimeout(connectTimer);
      if (headersTimer !== undefined) clearTimeout(headersTimer);
    };
    const headers: Record<string, string> = { ...o.headers };
    if (o.body !== undefined) headers['Content-Length'] = String(o.body.length);
    const req = mod.request(o.url, { method: o.method, headers, agent: o.agents.for(o.url) });

    const onAbort = (): void => {
      req.destroy(o.signal.reason instanceof Error ? o.signal.reason : new Error('aborted'));
    };
    o.signal.addEventListener('abort', onAbort, { once: true });
    const release = (): void => {
      o.signal.removeEventListener('abort', onAbort);
      clearTimers();
      if (response !== undefined && !response.complete) req.destroy();
    };

    const fail = (err: ConnectionError | unknown): void => {
      if (settled) return;
      settled = true;
      release();
      reject(err);
    };

    req.on('socket', (socket) => {
      // A pooled socket was connected before; a fresh one is connected once 'connect' fires.
      if (req.reusedSocket || !socket.connecting) {
        connected = true;
        return;
      }
      connectTimer = setTimeout(() => {
        req.destroy(Object.assign(new Error(`connect timeout after ${o.connectTimeoutMs}ms`), { code: 'ECONNECT_TIMEOUT' }));
      }, o.connectTimeoutMs);
      socket.once('connect', () => {
        connected = true;
        if (connectTimer !== undefined) clearTimeout(connectTimer);
      });
    });
    if (o.headersTimeoutMs !== undefined) {
      headersTimer = setTimeout(() => {
        req.destroy(Object.assign(new Error(`no response within ${o.headersTimeoutMs}ms`), { code: 'ETIMEDOUT' }));
      }, o.headersTimeoutMs);
    }
    req.on('error', (err: unknown) => {
      if (o.signal.aborted) {
        fail(o.signal.reason);
        return;
      }
      const code = errnoCode(err);
      const message = err instanceof Error ? `${o.method} ${o.url.href}: ${err.message}` : `${o.method} ${o.url.href}: ${code}`;
      fail(new ConnectionError({ server, code, maybeSent: connected, message, cause: err }));
    });
    req.on('response', (res) => {
      clearTimers();
      if (settled) {
        res.resume();
        return;
      }
      settled = true;
      response = res;
      resolve({ res, server, release });
    });
    req.end(o.body);
  });
}

/** Reads a whole response body; a connection lost mid-body becomes a ConnectionError. */
export async function readBody(open: OpenResponse, signal: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of open.res) chunks.push(chunk as Buffer);
  } catch (err: unknown) {
    if (signal.aborted) throw signal.reason;
    throw new ConnectionError({ server: open.server, code: errnoCode(err), maybeSent: true, message: `${open.server}: response body interrupted`, cause: err });
  } finally {
    open.release();
  }
  return Buffer.concat(chunks);
}
