// HTTP, TCP and gRPC probes as upstream's kubelet makes them (pkg/probe/{http,tcp,grpc}): from the
// node to the pod's IP (or the probe's host), each try limited to timeoutSeconds, with the failure
// text a user sees in the Unhealthy event in Go's words.
import * as grpc from '@grpc/grpc-js';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Container, HTTPGetAction, Probe } from '../api/core/v1/pod-types.js';

type GRPCAction = NonNullable<Probe['grpc']>;
type TCPSocketAction = NonNullable<Probe['tcpSocket']>;
import { protoServices } from '../grpcutil/proto.js';
import { goCodeName } from '../grpcutil/unary.js';

export interface ProbeOutcome {
  readonly ok: boolean;
  readonly output: string;
}

/** The User-Agent upstream's prober sends (kube-probe/<major>.<minor>). */
export const PROBE_USER_AGENT = 'kube-probe/1.32';
const MAX_REDIRECTS = 10;
/** Upstream reads at most this much of a probe's response body. */
const MAX_BODY_BYTES = 10 * 1024;

/** A probe's port: a number, or the name of one of the container's ports. */
export function resolveProbePort(port: number | string | undefined, container: Container): number | string {
  if (typeof port === 'number') return port;
  if (port === undefined || port === '') return 'port is not set';
  if (/^\d+$/.test(port)) return Number(port);
  const named = (container.ports ?? []).find((p) => p.name === port);
  return named !== undefined ? named.containerPort : `couldn't find port: ${port} in ${container.name}`;
}

/** Go's net error text for a failed dial. */
function dialError(err: NodeJS.ErrnoException, host: string, port: number): string {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${address}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `dial tcp ${address}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${address}: connect: network is unreachable`;
    case 'ECONNRESET':
      return `read tcp ${address}: read: connection reset by peer`;
    default:
      return `dial tcp ${address}: ${err.message}`;
  }
}

export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, output: `dial tcp ${host}:${port}: i/o timeout` });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: true, output: '' });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, output: dialError(err, host, port) });
    });
  });
}

interface HttpAnswer {
  readonly status: number;
  readonly location: string | undefined;
  readonly body: string;
}

function httpGet(url: URL, headers: Record<string, string>, deadline: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    // Upstream skips certificate checks for HTTPS probes.
    const req = send(url, { method: 'GET', headers, rejectUnauthorized: false, agent: false }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_BODY_BYTES) chunks.push(chunk.subarray(0, MAX_BODY_BYTES - size));
        size += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error('timeout'), { code: 'PROBE_TIMEOUT' })), Math.max(0, deadline - Date.now()));
    req.once('close', () => clearTimeout(timer));
    req.once('error', reject);
    req.end();
  });
}

/** Go's host:port for a URL (the default port made explicit). */
const hostPort = (url: URL): string => `${url.hostname}:${url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80'}`;

export async function httpProbe(action: Pick<HTTPGetAction, 'path' | 'scheme' | 'httpHeaders'>, host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  const scheme = (action.scheme ?? 'HTTP').toLowerCase();
  const path = action.path ?? '/';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  let url = new URL(`${scheme}://${hostPart}:${port}${path.startsWith('/') ? path : `/${path}`}`);
  const headers: Record<string, string> = { 'User-Agent': PROBE_USER_AGENT, Accept: '*/*' };
  for (const h of action.httpHeaders ?? []) {
    if (h.name === undefined || h.name === '') continue;
    const name = h.name;
    // A header named like a default replaces it (Host included, as upstream sets req.Host).
    for (const k of Object.keys(headers)) if (k.toLowerCase() === name.toLowerCase()) delete headers[k];
    headers[name] = h.value ?? '';
  }
  const deadline = Date.now() + timeoutMs;
  for (let redirects = 0; ; redirects++) {
    let answer: HttpAnswer;
    try {
      answer = await httpGet(url, headers, deadline);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'PROBE_TIMEOUT') return { ok: false, output: `Get "${url.href}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` };
      const [h, p] = [url.hostname.replace(/^\[|\]$/g, ''), Number(hostPort(url).split(':').pop())];
      return { ok: false, output: `Get "${url.href}": ${dialError(e, h, p)}` };
    }
    if (answer.status >= 300 && answer.status < 400 && answer.location !== undefined) {
      const next = new URL(answer.location, url);
      // Upstream follows redirects on the same host; one to another host ends the probe as a success.
      if (next.hostname !== url.hostname) return { ok: true, output: `Probe terminated redirects, Response body: ${answer.body}` };
      if (redirects >= MAX_REDIRECTS) return { ok: false, output: `Get "${next.href}": stopped after ${MAX_REDIRECTS} redirects` };
      url = next;
      continue;
    }
    if (answer.status >= 200 && answer.status < 400) return { ok: true, output: answer.body };
    return { ok: false, output: `HTTP probe failed with statuscode: ${answer.status}` };
  }
}

interface HealthClient extends grpc.Client {
  check(req: { service: string }, metadata: grpc.Metadata, options: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: { status: string }) => void): void;
}

export function grpcProbe(action: Pick<GRPCAction, 'service'>, host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  const { Health } = protoServices<{ Health: new (address: string, creds: grpc.ChannelCredentials, options?: object) => HealthClient }>('health.proto', 'grpc.health.v1');
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const client = new Health(address, grpc.credentials.createInsecure(), { 'grpc.initial_reconnect_backoff_ms': 100 });
  const seconds = `${timeoutMs / 1000}s`;
  return new Promise<ProbeOutcome>((resolve) => {
    const deadline = new Date(Date.now() + timeoutMs);
    client.waitForReady(deadline, (err) => {
      if (err) {
        resolve({ ok: false, output: `timeout: failed to connect service "${address}" within ${seconds}: context deadline exceeded` });
        return;
      }
      client.check({ service: action.service ?? '' }, new grpc.Metadata(), { deadline }, (callErr, res) => {
        if (callErr) {
          if (callErr.code === grpc.status.UNIMPLEMENTED) resolve({ ok: false, output: `this server does not implement the grpc health protocol (grpc.health.v1.Health): ${callErr.details}` });
          else if (callErr.code === grpc.status.DEADLINE_EXCEEDED) resolve({ ok: false, output: `timeout: health rpc did not complete within ${seconds}` });
          else resolve({ ok: false, output: `rpc error: code = ${goCodeName(callErr.code)} desc = ${callErr.details}` });
          return;
        }
        const status = res?.status ?? 'UNKNOWN';
        resolve(status === 'SERVING' ? { ok: true, output: '' } : { ok: false, output: `service unhealthy (responded with "${status}")` });
      });
    });
  }).finally(() => client.close());
}

/** One HTTP, TCP or gRPC probe try of `container` in a pod at `podIp`. */
export async function networkProbe(action: { httpGet?: HTTPGetAction | undefined; tcpSocket?: TCPSocketAction | undefined; grpc?: GRPCAction | undefined }, container: Container, podIp: string, timeoutMs: number): Promise<ProbeOutcome> {
  if (action.grpc !== undefined) return action.grpc.port === undefined ? { ok: false, output: 'port is not set' } : grpcProbe(action.grpc, podIp, action.grpc.port, timeoutMs);
  const target = action.httpGet ?? action.tcpSocket;
  if (target === undefined) return { ok: false, output: 'missing probe handler' };
  const port = resolveProbePort(target.port, container);
  if (typeof port === 'string') return { ok: false, output: port };
  const host = target.host !== undefined && target.host !== '' ? target.host : podIp;
  if (host === '') return { ok: false, output: 'the pod has no IP yet' };
  return action.httpGet !== undefined ? httpProbe(action.httpGet, host, port, timeoutMs) : tcpProbe(host, port, timeoutMs);
}
