// The kubelet's HTTP endpoint (port 10250 as upstream): /healthz from the kubelet's real state
// (node registered, runtime relisted recently), /pods (the pods bound to this node),
// /containerLogs, which the apiserver's pods/log proxies for `kubectl logs`, and /exec and /attach
// (WebSocket upgrades, streaming.ts) behind `kubectl exec` and `kubectl attach`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Clock } from '../client/clock.js';
import type { Kubelet } from './kubelet.js';
import { streamLog } from './logs.js';
import { refuseUpgrade, StreamingRelay } from './streaming.js';

export interface KubeletServer {
  readonly port: number;
  close(): Promise<void>;
}

/** GET /containerLogs/<namespace>/<pod>/<container>?follow&previous&tailLines&timestamps&sinceSeconds&sinceTime&limitBytes */
async function serveLogs(k: Kubelet, req: IncomingMessage, res: ServerResponse, [namespace, name, container]: [string, string, string], clock: Clock): Promise<void> {
  const q = new URL(req.url ?? '/', 'http://kubelet').searchParams;
  const flag = (n: string): boolean => q.has(n) && q.get(n) !== 'false';
  const int = (n: string): number | undefined => {
    const v = q.get(n);
    if (v === null || v === '') return undefined;
    const x = Number(v);
    return Number.isInteger(x) && x >= 0 ? x : NaN;
  };
  const fail = (code: number, message: string): void => {
    res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(message);
  };
  const tailLines = int('tailLines');
  const limitBytes = int('limitBytes');
  const sinceSeconds = int('sinceSeconds');
  if ([tailLines, limitBytes, sinceSeconds].some((v) => Number.isNaN(v))) return fail(400, 'tailLines, limitBytes and sinceSeconds must be non-negative integers');
  const sinceTime = q.get('sinceTime');
  const sinceMs = sinceSeconds !== undefined ? clock.now() - sinceSeconds * 1000 : sinceTime ? Date.parse(sinceTime) : undefined;
  const found = await k.containerLog(namespace, name, container, flag('previous')).catch((err: unknown) => ({ code: 500, message: err instanceof Error ? err.message : String(err) }));
  if ('code' in found) return fail(found.code, found.message);
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  try {
    await streamLog(
      found.path,
      { follow: flag('follow'), timestamps: flag('timestamps'), ...(tailLines !== undefined ? { tailLines } : {}), ...(limitBytes !== undefined ? { limitBytes } : {}), ...(sinceMs !== undefined && Number.isFinite(sinceMs) ? { sinceMs } : {}) },
      { write: (text) => res.write(text) },
      found.running,
      clock,
      abort.signal,
    );
  } finally {
    res.end();
  }
}

export async function serveKubelet(address: string, port: number, kubelet: () => Kubelet | undefined, clock: Clock): Promise<KubeletServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://kubelet').pathname;
    const k = kubelet();
    if (path === '/healthz') {
      const ok = k?.healthy() === true;
      res.writeHead(ok ? 200 : 500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(ok ? 'ok' : 'healthz check failed');
      return;
    }
    const logs = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(path);
    if (logs && k !== undefined) {
      void serveLogs(k, req, res, logs.slice(1).map(decodeURIComponent) as [string, string, string], clock);
      return;
    }
    if (path === '/stats/summary' && k !== undefined) {
      k.statsSummary().then(
        (summary) => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(summary));
        },
        (err: unknown) => {
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end(`failed to get the summary: ${err instanceof Error ? err.message : String(err)}`);
        },
      );
      return;
    }
    if (path === '/pods' || path === '/pods/') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: (k?.podList() ?? []).map((p) => ({ apiVersion: 'v1', kind: 'Pod', ...p })) }));
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('404 page not found\n');
  });
  const relay = new StreamingRelay();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!relay.handle(kubelet(), req, socket, head)) refuseUpgrade(socket, 404, '404 page not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        relay.close();
        server.close(() => resolve());
        // Followed logs and keep-alive clients would hold the close for as long as they last.
        server.closeAllConnections();
      }),
  };
}
