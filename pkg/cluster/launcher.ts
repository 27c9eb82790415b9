// The local cluster launcher: etcd, the apiservers, the schedulers, the controller-managers and the kubelets as separate processes on free loopback
// ports, everything (data, logs, pids, kubeconfig) under one directory, and nothing left
// running after it stops.
import { createWriteStream, existsSync, openSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { csiSocketUnder } from '../csi/hostpath/driver.js';
import { ensureNodeImageArchives } from '../containerd/image.js';
import { checkContainerdTools, containerdCommand, importImages, prepareContainerdNode, teardownContainerdNode, waitForContainerd } from '../containerd/node.js';
import { Supervisor, type SupervisedProcess } from './supervisor.js';

export interface LauncherOptions {
  readonly dir: string;
  /** Where the compiled kubets entry points live (dist/). */
  readonly distDir: string;
  readonly etcdBinary?: string;
  /** Members of the etcd cluster (default 1). */
  readonly etcdMembers?: number;
  /** apiserver replicas, each on its own port and talking to every etcd member (default 1). */
  readonly apiservers?: number;
  /** Scheduler replicas, leader-elected (default 2; 0 for none). */
  readonly schedulers?: number;
  /** Controller-manager replicas, leader-elected (default 2; 0 for none). */
  readonly controllerManagers?: number;
  /** Extra flags for every controller-manager replica, e.g. --node-monitor-grace-period=20s. */
  readonly controllerManagerArgs?: readonly string[];
  /** Kubelets named node-1 ..., each with a container runtime process of its own (node-1-runtime ...; default 2; 0 for none). */
  readonly nodes?: number;
  /** The nodes' runtime: `fake` (simulated, the default) or `containerd` (real containers with runc and CNI bridges). */
  readonly runtime?: 'fake' | 'containerd';
  /** Restart a component that exits while the cluster runs (with backoff). */
  readonly restartCrashed?: boolean;
  readonly out: (line: string) => void;
}

interface Component extends SupervisedProcess {
  /** Where the component serves, for cluster.json. */
  readonly url: string;
  log?: WriteStream;
}

/** A node's runtime, CSI driver or CNI service process (node-N-runtime, node-N-csi, node-N-cni): beside its kubelet, not a kubelet. */
export const isNodeSidecar = (name: string): boolean => /^node-.+-(runtime|csi|cni)$/.test(name);

/** What cluster.json records, so tools (chaos, tests) can find and kill a chosen process. */
export interface ClusterRecord {
  readonly etcd: string[];
  readonly apiservers: string[];
  readonly schedulers?: string[];
  readonly controllerManagers?: string[];
  /** The kubelets' HTTP endpoints (/healthz, /pods). */
  readonly nodes?: string[];
  readonly components: { name: string; url: string; pid: number | undefined; restarts: number }[];
}

/**
 * Ports the OS hands out for outgoing connections (Linux's ip_local_port_range default). A port
 * chosen from this range can be taken by some client's connection between the choice and the
 * bind (an apiserver then fails with EADDRINUSE, again and again), so listeners are placed below it.
 */
const EPHEMERAL_PORTS_START = 32768;
const LISTEN_PORTS_START = 20000;

/** A free loopback port below the ephemeral range (an OS-chosen one if none is found). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const port = LISTEN_PORTS_START + Math.floor(Math.random() * (EPHEMERAL_PORTS_START - LISTEN_PORTS_START));
    if (await portIsFree(port)) return port;
  }
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

export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const srv = createServer();
    srv.once('error', () => resolveFree(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolveFree(true)));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A kubeconfig kubectl can use as is, for plain-HTTP apiservers without authentication. kubectl
 * talks to the first server; kubets clients fail over across all of them (kubets.io/servers).
 */
export function kubeconfigFor(servers: readonly string[]): string {
  const server = servers[0] ?? '';
  const extension =
    servers.length > 1
      ? ['    extensions:', '    - name: kubets.io/servers', '      extension:', '        servers:', ...servers.map((s) => `        - ${s}`)]
      : [];
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: kubets',
    '  cluster:',
    `    server: ${server}`,
    // Plain HTTP for now; some clients (client-node) refuse http:// unless TLS checks are off.
    '    insecure-skip-tls-verify: true',
    ...extension,
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
  private allLog: WriteStream | undefined;
  private readonly supervisor: Supervisor;
  readonly dir: string;

  constructor(private readonly opts: LauncherOptions) {
    this.dir = resolve(opts.dir);
    this.supervisor = new Supervisor({
      restartCrashed: opts.restartCrashed === true,
      out: opts.out,
      hint: (p) => `see ${this.path('logs', `${p.name}.log`)}`,
      attach: (p, child) => {
        const c = p as Component;
        // Opened synchronously: the log file exists as soon as the component is started.
        const log = (c.log ??= createWriteStream('', { fd: openSync(this.path('logs', `${c.name}.log`), 'a') }));
        for (const stream of [child.stdout, child.stderr]) {
          if (!stream) continue;
          stream.pipe(log, { end: false });
          // Every line also goes to all.log, prefixed with the component's name.
          createInterface({ input: stream }).on('line', (line) => this.allLog?.write(`${c.name} | ${line}\n`));
        }
      },
      onChange: (p, event) => {
        if (event === 'started' && p.child?.pid) writeFileSync(this.path('pids', `${p.name}.pid`), `${p.child.pid}\n`);
        if (event === 'exited') rmSync(this.path('pids', `${p.name}.pid`), { force: true });
        this.writeRecord();
      },
    });
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
    this.supervisor.start(c);
  }

  private writeRecord(): void {
    const record: ClusterRecord = {
      etcd: this.components.filter((c) => c.name.startsWith('etcd')).map((c) => c.url),
      apiservers: this.components.filter((c) => c.name.startsWith('apiserver')).map((c) => c.url),
      schedulers: this.components.filter((c) => c.name.startsWith('scheduler')).map((c) => c.url),
      controllerManagers: this.components.filter((c) => c.name.startsWith('controller-manager')).map((c) => c.url),
      nodes: this.components.filter((c) => c.name.startsWith('node-') && !isNodeSidecar(c.name)).map((c) => c.url),
      components: this.components.map((c) => ({ name: c.name, url: c.url, pid: c.child?.pid, restarts: c.restarts })),
    };
    // Replaced in one rename: a tool reading it while a component restarts never sees half a file.
    const tmp = this.path('cluster.json.tmp');
    writeFileSync(tmp, JSON.stringify(record, null, 2) + '\n');
    renameSync(tmp, this.path('cluster.json'));
  }

  async run(signal: AbortSignal): Promise<number> {
    const members = this.opts.etcdMembers ?? 1;
    const replicas = this.opts.apiservers ?? 1;
    mkdirSync(this.path('logs'), { recursive: true });
    mkdirSync(this.path('pids'), { recursive: true });
    mkdirSync(this.path('etcd'), { recursive: true });
    this.reapStale();
    this.allLog = createWriteStream(this.path('logs', 'all.log'), { flags: 'a' });
    // Ports are kept across runs in the same directory: etcd members remember their peers' URLs.
    const portsFile = this.path('ports.json');
    const previous = existsSync(portsFile) ? (JSON.parse(readFileSync(portsFile, 'utf8')) as Record<string, number>) : {};
    const ports: Record<string, number> = {};
    const portFor = async (key: string): Promise<number> => {
      const old = previous[key];
      const port = old !== undefined && (await portIsFree(old)) ? old : await freePort();
      ports[key] = port;
      return port;
    };
    const etcd = [];
    for (let i = 0; i < members; i++) {
      const name = members === 1 ? 'etcd' : `etcd-${i}`;
      etcd.push({ name, client: `http://127.0.0.1:${await portFor(`${name}-client`)}`, peer: `http://127.0.0.1:${await portFor(`${name}-peer`)}` });
    }
    const initialCluster = etcd.map((m) => `${m.name}=${m.peer}`).join(',');
    for (const m of etcd) {
      const dataDir = this.path('etcd', members === 1 ? 'data' : m.name);
      this.components.push({
        name: m.name,
        command: this.opts.etcdBinary ?? 'etcd',
        url: m.client,
        restarts: 0,
        startedAt: 0,
        args: [
          '--name', m.name,
          '--data-dir', dataDir,
          '--listen-client-urls', m.client,
          '--advertise-client-urls', m.client,
          '--listen-peer-urls', m.peer,
          '--initial-advertise-peer-urls', m.peer,
          '--initial-cluster', initialCluster,
          '--initial-cluster-state', existsSync(dataDir) ? 'existing' : 'new',
          '--initial-cluster-token', 'kubets',
          '--auto-compaction-mode', 'periodic',
          '--auto-compaction-retention', '5m',
          '--quota-backend-bytes', String(4 * 1024 * 1024 * 1024),
        ],
      });
    }
    const etcdServers = etcd.map((m) => m.client).join(',');
    const servers: string[] = [];
    for (let i = 0; i < replicas; i++) {
      const port = await portFor(replicas === 1 ? 'apiserver' : `apiserver-${i}`);
      const url = `http://127.0.0.1:${port}`;
      servers.push(url);
      this.components.push({
        name: replicas === 1 ? 'apiserver' : `apiserver-${i}`,
        command: process.execPath,
        url,
        restarts: 0,
        startedAt: 0,
        args: [join(this.opts.distDir, 'cmd', 'apiserver', 'main.js'), '--etcd-servers', etcdServers, '--bind-address', '127.0.0.1', '--secure-port', String(port)],
      });
    }
    const kubeconfig = this.path('kubeconfig');
    // Components after the apiservers reach them through the kubeconfig (every server listed).
    const clients: Component[] = [];
    /** A process that reaches the apiservers through the kubeconfig: `cmd/<program>/main.js` with `args`, serving on `port`. */
    const clientProcess = (name: string, port: number, program: string, args: string[]): Component => ({
      name,
      command: process.execPath,
      url: `http://127.0.0.1:${port}`,
      restarts: 0,
      startedAt: 0,
      args: [join(this.opts.distDir, 'cmd', program, 'main.js'), '--kubeconfig', kubeconfig, ...args],
    });
    const leaderElected = [
      { kind: 'scheduler', replicas: this.opts.schedulers ?? 2 },
      { kind: 'controller-manager', replicas: this.opts.controllerManagers ?? 2 },
    ];
    for (const { kind, replicas: n } of leaderElected) {
      for (let i = 0; i < n; i++) {
        const name = n === 1 ? kind : `${kind}-${i}`;
        const port = await portFor(name);
        const extra = kind === 'controller-manager' ? (this.opts.controllerManagerArgs ?? []) : [];
        clients.push(clientProcess(name, port, kind, ['--bind-address', '127.0.0.1', '--secure-port', String(port), ...extra]));
      }
    }
    const containerd = this.opts.runtime === 'containerd';
    /** Node runtimes start with etcd: a containerd must be up, with its images, before its kubelet. */
    const runtimes: Component[] = [];
    const runtimesReady: (() => Promise<void>)[] = [];
    let archives: Promise<string[]> | undefined;
    if (containerd && (this.opts.nodes ?? 2) > 0) checkContainerdTools();
    for (let i = 1; i <= (this.opts.nodes ?? 2); i++) {
      const name = `node-${i}`;
      const port = await portFor(name);
      const root = this.path('nodes', name);
      mkdirSync(root, { recursive: true });
      const podCidr = `10.244.${i}.0/24`;
      let runtime: string;
      if (containerd) {
        // Bridge names are per cluster directory, so two clusters' nodes do not share one.
        const bridge = `kb${createHash('sha256').update(this.dir).digest('hex').slice(0, 6)}${i}`;
        const cniSocket = join(root, 'containerd', 'cni.sock');
        const layout = await prepareContainerdNode({ dir: join(root, 'containerd'), podCidr, bridge, cniSocket, cniPlugin: join(this.opts.distDir, 'cmd', 'cni-plugin', 'main.js') });
        runtime = `unix://${layout.socket}`;
        // The node's pod network service: containerd's kubets plugin asks it for each sandbox.
        runtimes.push({
          name: `${name}-cni`,
          command: process.execPath,
          url: `unix://${cniSocket}`,
          restarts: 0,
          startedAt: 0,
          args: [join(this.opts.distDir, 'cmd', 'cni', 'main.js'), '--listen', `unix://${cniSocket}`, '--backend', 'bridge', '--pod-cidr', podCidr, '--bridge', bridge, '--state-dir', join(root, 'containerd', 'cni', 'state')],
        });
        const { command, args } = containerdCommand(layout);
        runtimes.push({ name: `${name}-runtime`, command, args, url: runtime, restarts: 0, startedAt: 0, beforeStop: () => teardownContainerdNode(layout.socket, bridge, root) });
        runtimesReady.push(async () => {
          await waitForContainerd(layout.socket, 60_000, signal);
          await importImages(layout.socket, await (archives ??= ensureNodeImageArchives(this.path('images'))));
        });
      } else {
        // The runtime is a process of its own, as containerd is: its containers outlive a kubelet
        // that crashes, and the kubelet adopts them when it comes back.
        runtime = `unix://${join(root, 'fake-runtime.sock')}`;
        clients.push({
          name: `${name}-runtime`,
          command: process.execPath,
          url: runtime,
          restarts: 0,
          startedAt: 0,
          args: [join(this.opts.distDir, 'cmd', 'fake-runtime', 'main.js'), '--listen', runtime],
        });
      }
      clients.push(
        clientProcess(name, port, 'kubelet', [
          '--hostname-override', name,
          '--container-runtime-endpoint', runtime,
          '--root-dir', root,
          '--pod-logs-dir', join(root, 'pods'),
          '--pod-cidr', podCidr,
          '--node-ip', '127.0.0.1',
          '--address', '127.0.0.1',
          '--port', String(port),
        ]),
      );
      // The node's CSI driver and provisioner, on the socket its kubelet looks for.
      const csiSocket = `unix://${csiSocketUnder(root)}`;
      clients.push({
        name: `${name}-csi`,
        command: process.execPath,
        url: csiSocket,
        restarts: 0,
        startedAt: 0,
        args: [join(this.opts.distDir, 'cmd', 'csi-hostpath', 'main.js'), '--kubeconfig', kubeconfig, '--endpoint', csiSocket, '--nodeid', name, '--state-dir', join(root, 'csi-hostpath'), '--provision', '--default-storage-class', 'standard'],
      });
    }
    writeFileSync(portsFile, JSON.stringify(ports, null, 2) + '\n');
    this.components.push(...runtimes);
    for (const c of this.components) this.start(c);

    let ready = await this.waitReady(servers, signal);
    if (ready && runtimesReady.length > 0) {
      try {
        await Promise.all(runtimesReady.map((f) => f()));
      } catch (err) {
        this.opts.out(`kubets: a node's containerd is not ready: ${err instanceof Error ? err.message : String(err)} (see ${this.path('logs')})`);
        ready = false;
      }
    }
    if (ready) {
      writeFileSync(kubeconfig, kubeconfigFor(servers));
      for (const c of clients) {
        this.components.push(c);
        this.start(c);
      }
      this.opts.out(`kubets: cluster is up (apiserver ${servers.join(' ')}, etcd ${etcdServers}; logs in ${this.path('logs')})`);
      this.opts.out(`export KUBECONFIG=${kubeconfig}`);
      await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
    }
    await this.stop();
    return ready || signal.aborted ? 0 : 1;
  }

  private async waitReady(servers: readonly string[], signal: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + 60_000;
    const ready = new Set<string>();
    while (!signal.aborted && Date.now() < deadline) {
      if (!this.opts.restartCrashed && this.supervisor.anyExited()) {
        this.opts.out(`kubets: a component failed to start; see ${this.path('logs')}`);
        return false;
      }
      for (const server of servers) {
        if (ready.has(server)) continue;
        try {
          const res = await fetch(`${server}/readyz`, { signal: AbortSignal.timeout(1000) });
          if (res.ok) ready.add(server);
        } catch {
          // Not listening yet.
        }
      }
      if (ready.size === servers.length) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!signal.aborted) this.opts.out('kubets: the apiserver did not become ready within 60s');
    return false;
  }

  /** SIGTERM to every child (kubelets, controller-managers and schedulers, then apiservers, then etcd), SIGKILL after 10 s, then clean pid files. */
  async stop(): Promise<void> {
    await this.supervisor.stop();
    for (const c of this.components) {
      c.log?.end();
      rmSync(this.path('pids', `${c.name}.pid`), { force: true });
    }
    this.allLog?.end();
  }
}

/** dist/ of this checkout, from this module's location (dist/pkg/cluster/launcher.js). */
export function defaultDistDir(): string {
  return resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
}
