// kubectl exec, attach and port-forward on the kubelet: GET /exec/<namespace>/<pod>/<container>?command=...&input=1
// &output=1&error=1&tty=1 (and /attach/...) upgraded to a WebSocket with the remote command
// protocol (v5, or v4), which the apiserver's pods/exec and pods/attach pass through. The kubelet
// asks the runtime for its streaming URL over CRI and speaks SPDY (v4.channel.k8s.io) there, as
// upstream's kubelet does with every runtime: each WebSocket message becomes bytes on the SPDY
// stream of its channel and back, and a v5 half-close of stdin becomes the stdin stream's FIN.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { StreamFlags } from '../cri/client.js';
import { Channel, frame, failureStatus, negotiate, STREAM_PROTOCOL_V4, STREAM_PROTOCOL_V5 } from '../streaming/remotecommand.js';
import { dialRemoteCommand, type RemoteCommandStreams } from '../streaming/remotecommand-spdy.js';
import { proxyUpgrade, UpgradeRefusedError } from '../streaming/upgrade-proxy.js';
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
    const pf = /^\/portForward\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (pf !== null) {
      // Port forwarding is SPDY (portforward.k8s.io) from kubectl to the runtime: passed on as it comes.
      if (kubelet === undefined) refuseUpgrade(socket, 503, 'the kubelet is starting');
      else {
        void kubelet.portForwardUrl(decodeURIComponent(pf[1]!), decodeURIComponent(pf[2]!)).then(
          (target) => ('code' in target ? refuseUpgrade(socket, target.code, target.message) : proxyUpgrade(target.url, req, socket, head, 'POST')),
        ).catch((err: unknown) => {
          if (err instanceof UpgradeRefusedError) refuseUpgrade(socket, err.code, err.message);
          else refuseUpgrade(socket, 500, err instanceof Error ? err.message : String(err));
        });
      }
      return true;
    }
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
        else this.wss.handleUpgrade(req, socket, head, (client) => this.relay(client, target.url, streams));
      },
      (err: unknown) => refuseUpgrade(socket, 500, err instanceof Error ? err.message : String(err)),
    );
    return true;
  }

  private relay(client: WebSocket, runtimeUrl: string, flags: StreamFlags): void {
    this.live.add(client);
    const pending: Buffer[] = [];
    let runtime: RemoteCommandStreams | undefined;
    const bytesOf = (data: RawData): Buffer => (Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]));
    const toRuntime = (msg: Buffer, r: RemoteCommandStreams): void => {
      const payload = msg.subarray(1);
      if (msg[0] === Channel.stdin) r.stdin?.write(payload);
      else if (msg[0] === Channel.resize) r.resize?.write(payload);
      else if (msg[0] === Channel.close && payload[0] === Channel.stdin) r.stdin?.end();
    };
    client.on('message', (data) => {
      const msg = bytesOf(data);
      if (runtime !== undefined) toRuntime(msg, runtime);
      else pending.push(msg);
    });
    client.on('close', () => {
      this.live.delete(client);
      runtime?.connection.close();
    });
    client.on('error', () => runtime?.connection.close());
    const send = (channel: number, data: Buffer): void => {
      if (client.readyState === WebSocket.OPEN) client.send(frame(channel, data));
    };
    dialRemoteCommand(runtimeUrl, flags).then(
      (r) => {
        if (client.readyState !== WebSocket.OPEN) {
          r.connection.close();
          return;
        }
        runtime = r;
        r.stdout?.on('data', (d: Buffer) => send(Channel.stdout, d));
        r.stderr?.on('data', (d: Buffer) => send(Channel.stderr, d));
        const status: Buffer[] = [];
        r.error.on('data', (d: Buffer) => status.push(d));
        r.error.on('end', () => {
          if (status.length > 0) send(Channel.error, Buffer.concat(status));
          client.close(1000);
        });
        r.connection.on('close', () => client.close(1000));
        for (const msg of pending.splice(0)) toRuntime(msg, r);
      },
      (err: unknown) => {
        send(Channel.error, Buffer.from(JSON.stringify(failureStatus(err instanceof Error ? err.message : String(err)))));
        client.close(1000);
      },
    );
  }

  close(): void {
    for (const ws of this.live) ws.terminate();
    this.wss.close();
  }
}
