// pods/exec and pods/attach: kubectl v1.32 asks for a WebSocket upgrade (v5.channel.k8s.io). The
// apiserver checks the pod and container as kube-apiserver does, then opens the same upgrade to
// the kubelet of the pod's node (/exec/<ns>/<pod>/<container>?command=...&input&output&error&tty)
// and, once the kubelet switched protocols, passes the bytes through both ways. A refusal — here
// or the kubelet's — is a Status, which kubectl prints as "Error from server (...)".
import { request, ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { badRequest, resourceNotFound, serviceUnavailable, StatusError } from '../../api/errors.js';
import { parseRequestInfo, parseRequestTarget, queryBool, sendError } from '../http.js';
import type { ServerContext } from './context.js';
import { kubeletOfPod } from './subresources.js';

/** Upgrade headers passed on to the kubelet (the WebSocket handshake's). */
const PASSED_HEADERS = ['upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions'];

const truthy = queryBool;

/** Answers an upgrade request that will not be upgraded with `err` as a Status. */
function refuse(req: IncomingMessage, socket: Duplex, err: unknown): void {
  const res = new ServerResponse(req);
  res.assignSocket(socket as Socket);
  res.shouldKeepAlive = false;
  res.on('finish', () => {
    res.detachSocket(socket as Socket);
    socket.end();
  });
  sendError(res, err);
}

/** Handles an HTTP upgrade request on the apiserver; anything but pods/exec and pods/attach is refused. */
export async function handlePodStreamUpgrade(ctx: ServerContext, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  socket.on('error', () => socket.destroy());
  try {
    const target = parseRequestTarget(req.url ?? '/');
    const info = parseRequestInfo(req.method ?? 'GET', target);
    if (!info.isResourceRequest || info.group !== '' || info.resource !== 'pods' || (info.subresource !== 'exec' && info.subresource !== 'attach') || info.name === '') throw resourceNotFound();
    const pods = ctx.storeByResource('', 'pods');
    if (pods === undefined) throw resourceNotFound();
    const q = target.url.searchParams;
    const { kubelet, container, pod } = await kubeletOfPod(ctx, pods, info.namespace, info.name, q.get('container') ?? '', 'reach');
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') throw badRequest(`cannot exec into or attach to a container in a completed pod; current phase is ${phase}`);
    const stdin = truthy(q, 'stdin');
    const stdout = truthy(q, 'stdout');
    const stderr = truthy(q, 'stderr');
    const command = q.getAll('command');
    if (info.subresource === 'exec' && command.length === 0) throw badRequest('you must specify at least 1 command');
    if (!stdin && !stdout && !stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw badRequest(`kubets serves ${info.subresource} over WebSocket (v5.channel.k8s.io), not ${req.headers.upgrade ?? 'a plain request'}`);
    const query = new URLSearchParams();
    for (const c of command) query.append('command', c);
    if (stdin) query.set('input', '1');
    if (stdout) query.set('output', '1');
    if (stderr) query.set('error', '1');
    if (truthy(q, 'tty')) query.set('tty', '1');
    const path = `/${info.subresource}/${encodeURIComponent(info.namespace ?? '')}/${encodeURIComponent(info.name)}/${encodeURIComponent(container)}?${query}`;
    await proxyUpgrade(kubelet, path, req, socket, head);
  } catch (err) {
    if (socket.writable) refuse(req, socket, err instanceof StatusError ? err : serviceUnavailable(err instanceof Error ? err.message : String(err)));
    else socket.destroy();
  }
}

/** Opens the upgrade at the kubelet and splices the two connections once it switched protocols. */
function proxyUpgrade(kubelet: string, path: string, req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
  const headers: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const v = req.headers[name];
    if (typeof v === 'string') headers[name] = v;
  }
  return new Promise<void>((resolve, reject) => {
    const out = request(`${kubelet}${path}`, { method: 'GET', headers });
    out.on('upgrade', (res, upstream, upstreamHead) => {
      const lines = [`HTTP/1.1 ${res.statusCode ?? 101} ${res.statusMessage ?? 'Switching Protocols'}`];
      for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
      client.write(lines.join('\r\n') + '\r\n\r\n');
      if (upstreamHead.length > 0) client.write(upstreamHead);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
      resolve();
    });
    out.on('response', (res) => {
      // The kubelet refused: its text becomes the Status kubectl prints.
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const message = Buffer.concat(chunks).toString().trim() || `the kubelet answered ${res.statusCode}`;
        const code = res.statusCode ?? 500;
        reject(code === 400 ? badRequest(message) : code === 404 ? new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'NotFound', code: 404 }) : serviceUnavailable(message));
      });
    });
    out.on('error', (err) => reject(serviceUnavailable(`error dialing the kubelet: ${err.message}`)));
    out.end();
  });
}
