// The local cluster launcher: etcd and the apiserver as separate processes on free loopback
// ports, everything (data, logs, pids, kubeconfig) under one directory, and nothing left
// running after it stops.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LauncherOptions {
  readonly dir: string;
  /** Where the compiled kubets entry points live (dist/). */
  readonly distDir: string;
  readonly etcdBinary?: string;
  readonly out: (line: string) => void;
}

interface Component {
  readonly name: string;
  readonly command: string;
  readonly args: string[];
  child?: ChildProcess;
  log?: WriteStream;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

const hasSetpriv = existsSync('/usr/bin/setpriv');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Writes a kubeconfig kubectl can use as is, for a plain-HTTP apiserver without authentication. */
export function kubeconfigFor(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: kubets',
    '  cluster:',
    `    server: ${server}`,
    // Plain HTTP for now; some clients (client-node) refuse http:// unless TLS checks are off.
    '    insecure-skip-tls-verify: true',
    'contexts:',
    '- name: kubets',
    '  context:',
    '    cluster: kubets',
    '    user: kubets-admin',
    '    namespace: default',
    'current-context: kubets',
    'users:',
    '- name: kubets-admin',
    '  user: {}',
    '',
  ].join('\n');
}

export class ClusterLauncher {
  private readonly components: Component[] = [];
  private stopping = false;
  readonly dir: string;

  constructor(private readonly opts: LauncherOptions) {
    this.dir = resolve(opts.dir);
  }

  private path(...p: string[]): string {
    return join(this.dir, ...p);
  }

  /** Kills processes a previous launcher in the same directory left behind (it was SIGKILLed). */
  private reapStale(): void {
    const pidDir = this.path('pids');
    if (!existsSync(pidDir)) return;
    for (const f of readdirSync(pidDir)) {
      const pid = Number(readFileSync(join(pidDir, f), 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        try {
          const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
          if (cmd.includes(this.dir)) process.kill(pid, 'SIGKILL');
        } catch {
          // Gone already, or not ours to read.
        }
      }
      rmSync(join(pidDir, f), { force: true });
    }
  }

  private start(c: Component): void {
    const log = createWriteStream(this.path('logs', `${c.name}.log`), { flags: 'a' });
    // setpriv makes the kernel send SIGTERM to the child if this launcher dies, even by SIGKILL.
    const [cmd, args] = hasSetpriv ? ['/usr/bin/setpriv', ['--pdeathsig', 'TERM', '--', c.command, ...c.args]] : [c.command, c.args];
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    c.child = child;
    c.log = log;
    if (child.pid) writeFileSync(this.path('pids', `${c.name}.pid`), `${child.pid}\n`);
    child.on('exit', (code, signal) => {
      if (!this.stopping) this.opts.out(`kubets: ${c.name} exited unexpectedly (${signal ?? `code ${code}`}); see ${this.path('logs', `${c.name}.log`)}`);
    });
  }

  async run(signal: AbortSignal): Promise<number> {
    mkdirSync(this.path('logs'), { recursive: true });
    mkdirSync(this.path('pids'), { recursive: true });
    mkdirSync(this.path('etcd'), { recursive: true });
    this.reapStale();
    const etcdClient = await freePort();
    const etcdPeer = await freePort();
    const apiPort = await freePort();
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    this.components.push({
      name: 'etcd',
      command: this.opts.etcdBinary ?? 'etcd',
      args: [
        '--name', 'kubets',
        '--data-dir', this.path('etcd', 'data'),
        '--listen-client-urls', etcdUrl,
        '--advertise-client-urls', etcdUrl,
        '--listen-peer-urls', `http://127.0.0.1:${etcdPeer}`,
        '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeer}`,
        '--initial-cluster', `kubets=http://127.0.0.1:${etcdPeer}`,
        '--auto-compaction-mode', 'periodic',
        '--auto-compaction-retention', '5m',
        '--quota-backend-bytes', String(4 * 1024 * 1024 * 1024),
      ],
    });
    this.components.push({
      name: 'apiserver',
      command: process.execPath,
      args: [join(this.opts.distDir, 'cmd', 'apiserver', 'main.js'), '--etcd-servers', etcdUrl, '--bind-address', '127.0.0.1', '--secure-port', String(apiPort)],
    });
    for (const c of this.components) this.start(c);
    const server = `http://127.0.0.1:${apiPort}`;
    writeFileSync(this.path('cluster.json'), JSON.stringify({ etcd: [etcdUrl], apiservers: [server] }, null, 2) + '\n');

    const ready = await this.waitReady(server, signal);
    if (ready) {
      const kubeconfig = this.path('kubeconfig');
      writeFileSync(kubeconfig, kubeconfigFor(server));
      this.opts.out(`kubets: cluster is up (apiserver ${server}, etcd ${etcdUrl}; logs in ${this.path('logs')})`);
      this.opts.out(`export KUBECONFIG=${kubeconfig}`);
      await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
    }
    await this.stop();
    return ready || signal.aborted ? 0 : 1;
  }

  private async waitReady(server: string, signal: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + 60_000;
    while (!signal.aborted && Date.now() < deadline) {
      if (this.components.some((c) => c.child?.exitCode !== null && c.child?.exitCode !== undefined)) {
        this.opts.out(`kubets: a component failed to start; see ${this.path('logs')}`);
        return false;
      }
      try {
        const res = await fetch(`${server}/readyz`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return true;
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    if (!signal.aborted) this.opts.out('kubets: the apiserver did not become ready within 60s');
    return false;
  }

  /** SIGTERM to every child (apiserver before etcd), SIGKILL after 10 s, then clean pid files. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const c of [...this.components].reverse()) {
      const child = c.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    for (const c of this.components) {
      c.log?.end();
      rmSync(this.path('pids', `${c.name}.pid`), { force: true });
    }
  }
}

/** dist/ of this checkout, from this module's location (dist/pkg/cluster/launcher.js). */
export function defaultDistDir(): string {
  return resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
}
