// pods/exec and pods/attach: kubectl v1.32 asks for a WebSocket upgrade (v5.channel.k8s.io). The
// apiserver checks the pod and container as kube-apiserver does, then opens the same upgrade to
// the kubelet of the pod's node (/exec/<ns>/<pod>/<container>?command=...&input&output&error&tty)
// and, once the kubelet switched protocols, passes the bytes through both ways. A refusal — here
// or the kubelet's — is a Status, which kubectl prints as "Error from server (...)".
// pods/portforward is SPDY/3.1 (portforward.k8s.io) end to end: kubectl first tries SPDY tunnelled
// in a WebSocket, is refused, and falls back to plain SPDY, which goes to the kubelet's
// /portForward/<ns>/<pod> as it came.
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { badRequest, resourceNotFound, serviceUnavailable, StatusError } from '../../api/errors.js';
import { parseRequestInfo, parseRequestTarget, queryBool, sendError } from '../http.js';
import type { ServerContext } from './context.js';
import { kubeletOfPod } from './subresources.js';
import { proxyUpgrade, UpgradeRefusedError } from '../../streaming/upgrade-proxy.js';

/** The kubelet refused the upgrade: its text becomes the Status kubectl prints. */
function refusedToStatus(err: unknown): never {
  if (!(err instanceof UpgradeRefusedError)) throw serviceUnavailable(`error dialing the kubelet: ${err instanceof Error ? err.message : String(err)}`);
  if (err.code === 400) throw badRequest(err.message);
  if (err.code === 404) throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: err.message, reason: 'NotFound', code: 404 });
  throw serviceUnavailable(err.message);
}

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
    if (!info.isResourceRequest || info.group !== '' || info.resource !== 'pods' || !['exec', 'attach', 'portforward'].includes(info.subresource) || info.name === '') throw resourceNotFound();
    const pods = ctx.storeByResource('', 'pods');
    if (pods === undefined) throw resourceNotFound();
    const q = target.url.searchParams;
    if (info.subresource === 'portforward') {
      const { kubelet } = await kubeletOfPod(ctx, pods, info.namespace, info.name, null, 'reach');
      if ((req.headers.upgrade ?? '').toLowerCase() !== 'spdy/3.1') throw badRequest(`kubets serves portforward over SPDY/3.1 (portforward.k8s.io), not ${req.headers.upgrade ?? 'a plain request'}`);
      await proxyUpgrade(`${kubelet}/portForward/${encodeURIComponent(info.namespace ?? '')}/${encodeURIComponent(info.name)}`, req, socket, head, 'POST').catch(refusedToStatus);
      return;
    }
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
    await proxyUpgrade(`${kubelet}${path}`, req, socket, head).catch(refusedToStatus);
  } catch (err) {
    if (socket.writable) refuse(req, socket, err instanceof StatusError ? err : serviceUnavailable(err instanceof Error ? err.message : String(err)));
    else socket.destroy();
  }
}

