// kubectl exec and attach on the kubelet: GET /exec/<namespace>/<pod>/<container>?command=...&input=1
// &output=1&error=1&tty=1 (and /attach/...) upgraded to a WebSocket with the remote command
// protocol (v5, or v4), which the apiserver's pods/exec and pods/attach pass through. The kubelet
// asks the runtime for its streaming URL over CRI and relays every message between the two. The
// runtime may speak only v4 (containerd does): then a v5 half-close of stdin has nothing to
// become and is dropped — the session ends when the command does.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { Channel, frame, failureStatus, negotiate, STREAM_PROTOCOL_V4, STREAM_PROTOCOL_V5 } from '../streaming/remotecommand.js';
import type { Kubelet } from './kubelet.js';

const SUPPORTED = [STREAM_PROTOCOL_V5, STREAM_PROTOCOL_V4];

/** An HTTP answer written on a socket that was not upgraded. */
export function refuseUpgrade(socket: Duplex, code: number, message: string): void {
  const reason = code === 404 ? 'Not Found' : code === 400 ? 'Bad Request' : code === 503 ? 'Service Unavailable' : 'Internal Server Error';
  const body = `${message}\n`;
  socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

const truthy = (q: URLSearchParams, name: string): boolean => q.has(name) && !['0', 'false', ''].includes(q.get(name) ?? '');

export class StreamingRelay {
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => negotiate(offered, SUPPORTED) ?? false });
  private readonly live = new Set<WebSocket>();

  /** Handles an upgrade request; false when the path is not a streaming one. */
  handle(kubelet: Kubelet | undefined, req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const m = /^\/(exec|attach)\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (m === null) return false;
    const [kind, namespace, name, container] = [m[1] as 'exec' | 'attach', ...m.slice(2).map(decodeURIComponent)] as ['exec' | 'attach', string, string, string];
    const q = url.searchParams;
    const cmd = q.getAll('command');
    const streams = { stdin: truthy(q, 'input'), stdout: truthy(q, 'output'), stderr: truthy(q, 'error'), tty: truthy(q, 'tty') };
    if (kubelet === undefined) {
      refuseUpgrade(socket, 503, 'the kubelet is starting');
      return true;
    }
    if (kind === 'exec' && cmd.length === 0) {
      refuseUpgrade(socket, 400, 'you must specify at least 1 command');
      return true;
    }
    void kubelet.streamingUrl(kind, namespace, name, container, cmd, streams).then(
      (target) => {
        if ('code' in target) refuseUpgrade(socket, target.code, target.message);
        else this.wss.handleUpgrade(req, socket, head, (client) => this.relay(client, target.url));
      },
      (err: unknown) => refuseUpgrade(socket, 500, err instanceof Error ? err.message : String(err)),
    );
    return true;
  }

  private relay(client: WebSocket, runtimeUrl: string): void {
    this.live.add(client);
    const runtime = new WebSocket(runtimeUrl.replace(/^http/, 'ws'), client.protocol === STREAM_PROTOCOL_V5 ? [STREAM_PROTOCOL_V5, STREAM_PROTOCOL_V4] : [STREAM_PROTOCOL_V4]);
    const pending: RawData[] = [];
    const toRuntime = (data: RawData): void => {
      const bytes = Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]);
      if (bytes[0] === Channel.close && runtime.protocol !== STREAM_PROTOCOL_V5) return;
      runtime.send(bytes);
    };
    client.on('message', (data) => (runtime.readyState === WebSocket.OPEN ? toRuntime(data) : pending.push(data)));
    runtime.on('open', () => {
      for (const data of pending.splice(0)) toRuntime(data);
    });
    runtime.on('message', (data) => {
      if (client.readyState === WebSocket.OPEN) client.send(data);
    });
    runtime.on('close', () => client.close(1000));
    runtime.on('error', (err) => {
      if (client.readyState === WebSocket.OPEN) client.send(frame(Channel.error, JSON.stringify(failureStatus(`error reaching the runtime's streaming server: ${err.message}`))));
      client.close(1000);
    });
    client.on('close', () => {
      this.live.delete(client);
      if (runtime.readyState === WebSocket.CONNECTING || runtime.readyState === WebSocket.OPEN) runtime.close(1000);
    });
    client.on('error', () => runtime.terminate());
  }

  close(): void {
    for (const ws of this.live) ws.terminate();
    this.wss.close();
  }
}
