// The simulated runtime's streaming server, as a CRI runtime has one: Exec and Attach answer with a
// one-time URL on it, and the kubelet connects there with the remote command protocol over SPDY
// (v4.channel.k8s.io), as it does to containerd's. Exec runs the fake command vocabulary with its output streamed; `cat` copies stdin
// to stdout until stdin ends; Attach follows the main process's output until it exits.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { StreamFlags } from '../client.js';
import { exitStatus, failureStatus } from '../../streaming/remotecommand.js';
import { acceptRemoteCommand, type RemoteCommandStreams } from '../../streaming/remotecommand-spdy.js';
import type { SpdyConnection } from '../../streaming/spdy.js';
import type { FakeRuntime } from './runtime.js';

type Session = { readonly kind: 'exec'; readonly containerId: string; readonly cmd: readonly string[]; readonly flags: StreamFlags } | { readonly kind: 'attach'; readonly containerId: string; readonly flags: StreamFlags };

/** How long a URL handed out stays usable (upstream's streaming server keeps requests a minute). */
const SESSION_TTL_MS = 60_000;

export class FakeStreamingServer {
  private listening: Promise<number> | undefined;
  private server: Server | undefined;
  private readonly sessions = new Map<string, { session: Session; timer: NodeJS.Timeout }>();
  private readonly live = new Set<SpdyConnection>();

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
    const server = createServer((_req, res) => res.writeHead(400, { 'Content-Type': 'text/plain' }).end('a streaming session needs an upgrade to SPDY/3.1\n'));
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
    acceptRemoteCommand(req, socket, head, entry.session.flags).then(
      (streams) => void this.run(streams, entry.session),
      () => undefined,
    );
  }

  private async run(st: RemoteCommandStreams, s: Session): Promise<void> {
    this.live.add(st.connection);
    const stop = new AbortController();
    st.connection.on('close', () => stop.abort());
    const eol = s.flags.tty ? '\r\n' : '\n';
    const write = (stream: 'stdout' | 'stderr', line: string): void => {
      // A terminal has one output stream.
      (s.flags.tty || stream === 'stdout' ? st.stdout : st.stderr)?.write(Buffer.from(line + eol));
    };
    let status: object | undefined;
    try {
      if (s.kind === 'attach') {
        // As containerd's: an attach ends with Success when the process's output ends, whatever its exit code.
        if ((await this.runtime.attach(s.containerId, write, stop.signal)) !== undefined) status = exitStatus(0, []);
      } else if (s.cmd.length === 1 && s.cmd[0] === 'cat' && st.stdin !== undefined) {
        status = exitStatus(await this.cat(st, stop.signal), s.cmd);
      } else {
        status = exitStatus(await this.runtime.execStream(s.containerId, s.cmd, write, stop.signal), s.cmd);
      }
    } catch (err) {
      if (!stop.signal.aborted) status = failureStatus(err instanceof Error ? err.message : String(err));
    }
    if (status !== undefined) st.error.write(Buffer.from(JSON.stringify(status)));
    for (const stream of [st.stdout, st.stderr, st.error]) stream?.end();
    st.connection.close();
    this.live.delete(st.connection);
  }

  /** `cat`: stdin back on stdout until stdin ends or the session does. */
  private cat(st: RemoteCommandStreams, signal: AbortSignal): Promise<number> {
    return new Promise((resolve) => {
      signal.addEventListener('abort', () => resolve(0), { once: true });
      st.stdin?.on('data', (data: Buffer) => st.stdout?.write(data));
      st.stdin?.on('end', () => resolve(0));
    });
  }

  close(): void {
    for (const { timer } of this.sessions.values()) clearTimeout(timer);
    this.sessions.clear();
    for (const conn of this.live) conn.close();
    this.server?.close();
  }
}
