// The simulated runtime's streaming server, as a CRI runtime has one: Exec and Attach answer with a
// one-time URL on it, and the kubelet connects there with the remote command protocol over
// WebSocket. Exec runs the fake command vocabulary with its output streamed; `cat` copies stdin
// to stdout until stdin ends; Attach follows the main process's output until it exits.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { StreamFlags } from '../client.js';
import { Channel, exitStatus, failureStatus, frame, negotiate, STREAM_PROTOCOL_V4, STREAM_PROTOCOL_V5 } from '../../streaming/remotecommand.js';
import type { FakeRuntime } from './runtime.js';

type Session = { readonly kind: 'exec'; readonly containerId: string; readonly cmd: readonly string[]; readonly flags: StreamFlags } | { readonly kind: 'attach'; readonly containerId: string; readonly flags: StreamFlags };

/** How long a URL handed out stays usable (upstream's streaming server keeps requests a minute). */
const SESSION_TTL_MS = 60_000;

export class FakeStreamingServer {
  private listening: Promise<number> | undefined;
  private server: Server | undefined;
  private readonly sessions = new Map<string, { session: Session; timer: NodeJS.Timeout }>();
  private readonly live = new Set<WebSocket>();
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => negotiate(offered, [STREAM_PROTOCOL_V5, STREAM_PROTOCOL_V4]) ?? false });

  constructor(private readonly runtime: FakeRuntime) {}

  /** A one-time URL for `session`. */
  async register(session: Session): Promise<string> {
    const port = await (this.listening ??= this.listen());
    const token = randomBytes(12).toString('base64url');
    const timer = setTimeout(() => this.sessions.delete(token), SESSION_TTL_MS);
    timer.unref();
    this.sessions.set(token, { session, timer });
    return `http://127.0.0.1:${port}/${session.kind}/${token}`;
  }

  private listen(): Promise<number> {
    const server = createServer((_req, res) => res.writeHead(400, { 'Content-Type': 'text/plain' }).end('a streaming session needs a WebSocket upgrade\n'));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const addr = server.address();
        resolve(typeof addr === 'object' && addr !== null ? addr.port : 0);
      });
    });
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const m = /^\/(exec|attach)\/([A-Za-z0-9_-]+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    const entry = m?.[2] !== undefined ? this.sessions.get(m[2]) : undefined;
    if (m === null || entry === undefined || entry.session.kind !== m[1]) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nno such streaming session\n');
      return;
    }
    this.sessions.delete(m[2]!);
    clearTimeout(entry.timer);
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.run(ws, entry.session));
  }

  private async run(ws: WebSocket, s: Session): Promise<void> {
    this.live.add(ws);
    const stop = new AbortController();
    ws.on('close', () => stop.abort());
    ws.on('error', () => stop.abort());
    const eol = s.flags.tty ? '\r\n' : '\n';
    const write = (stream: 'stdout' | 'stderr', line: string): void => {
      // A terminal has one output stream.
      const channel = s.flags.tty || stream === 'stdout' ? Channel.stdout : Channel.stderr;
      if ((channel === Channel.stdout ? s.flags.stdout : s.flags.stderr) && ws.readyState === ws.OPEN) ws.send(frame(channel, line + eol));
    };
    let status: object | undefined;
    try {
      if (s.kind === 'attach') {
        // As containerd's: an attach ends with Success when the process's output ends, whatever its exit code.
        if ((await this.runtime.attach(s.containerId, write, stop.signal)) !== undefined) status = exitStatus(0, []);
      } else if (s.cmd.length === 1 && s.cmd[0] === 'cat' && s.flags.stdin) {
        status = exitStatus(await this.cat(ws, stop.signal), s.cmd);
      } else {
        status = exitStatus(await this.runtime.execStream(s.containerId, s.cmd, write, stop.signal), s.cmd);
      }
    } catch (err) {
      if (!stop.signal.aborted) status = failureStatus(err instanceof Error ? err.message : String(err));
    }
    if (status !== undefined && ws.readyState === ws.OPEN) ws.send(frame(Channel.error, JSON.stringify(status)));
    ws.close(1000);
    this.live.delete(ws);
  }

  /** `cat`: stdin back on stdout until stdin is closed (v5) or the session ends. */
  private cat(ws: WebSocket, signal: AbortSignal): Promise<number> {
    return new Promise((resolve) => {
      signal.addEventListener('abort', () => resolve(0), { once: true });
      ws.on('message', (data: Buffer) => {
        if (data[0] === Channel.stdin && data.length > 1) ws.send(frame(Channel.stdout, data.subarray(1)));
        else if (data[0] === Channel.close && data[1] === Channel.stdin) resolve(0);
      });
    });
  }

  close(): void {
    for (const { timer } of this.sessions.values()) clearTimeout(timer);
    this.sessions.clear();
    for (const ws of this.live) ws.terminate();
    this.server?.close();
  }
}
