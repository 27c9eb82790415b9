// The compose cluster (deploy/docker-compose.yml) as a chaos target: members are containers, and
// faults are what an operator or the kernel does to them: SIGKILL or SIGTERM of the container's
// init (so Docker's restart policy, not a manual stop, decides what happens next), docker pause,
// docker restart, and docker network disconnect. The workload reaches the API through the load
// balancer's published port, as kubectl on the host does.
import { spawnSync } from 'node:child_process';
import { restartDelayMs } from '../../pkg/cluster/supervisor.js';
import { ComposeProject, docker, ipOf, serviceOf, type ContainerInfo } from '../helpers/compose.js';
import { apiserverReady, descendantProcess, etcdHealthy, httpOk, isRunning, kubeletHealthy } from './cluster.js';
import type { LeakCheck, ProcessRecord } from './history.js';
import type { FaultKind, Topology } from './plan.js';
import { sleep } from './sleep.js';
import type { ChaosCluster, InjectOptions, InjectResult, LeaderKind, Member } from './target.js';

const HEALTH_TIMEOUT_MS = 2_000;
const LB_ADMIN_PORT = 8404;
const HEALTH_PORTS = { scheduler: 10259, 'controller-manager': 10257, kubelet: 10250 } as const;
const KUBELET_MAIN = 'cmd/kubelet/main.js';
const IMAGES = ['kubets/kubets:latest', 'kubets/etcd:3.4'];

interface CutNetwork {
  readonly network: string;
  readonly aliases: readonly string[];
}

/** Plan name of a container: etcd-N as in the compose file, apiserver-(container number - 1). */
function memberName(c: ContainerInfo): string | undefined {
  const service = serviceOf(c);
  if (/^etcd-\d+$/.test(service)) return service;
  const n = Number(c.Config.Labels['com.docker.compose.container-number'] ?? '1') - 1;
  if (service === 'apiserver') return `apiserver-${n}`;
  if (service === 'scheduler' || service === 'controller-manager') return `${service}-${n}`;
  // Numbered from 1 as the launcher's node-1 ..., so one plan fits both targets.
  if (service === 'node') return `node-${n + 1}`;
  return undefined;
}

/** The kubelet process of a node container (a child of `kubets node` under docker-init), seen from the host. */
function kubeletOf(c: ContainerInfo): { pid: number; startTime: string } | undefined {
  return c.State.Running && c.State.Pid > 0 ? descendantProcess(c.State.Pid, KUBELET_MAIN) : undefined;
}

function toMember(c: ContainerInfo, name: string): Member {
  const ip = ipOf(c);
  const kind = name.startsWith('etcd') ? 'etcd' : name.startsWith('scheduler') ? 'scheduler' : name.startsWith('controller-manager') ? 'controller-manager' : name.startsWith('node-') ? 'kubelet' : 'apiserver';
  const port = kind === 'etcd' ? 2379 : kind === 'apiserver' ? 6443 : HEALTH_PORTS[kind];
  let incarnation = c.State.Running ? `container ${c.Id.slice(0, 12)}@${c.State.StartedAt}` : 'not running';
  if (kind === 'kubelet' && c.State.Running) {
    // Kubelet faults hit the kubelet process, not the container: its runtime runs on beside it.
    const k = kubeletOf(c);
    incarnation = k === undefined ? 'not running' : `${incarnation} kubelet pid ${k.pid}@${k.startTime}`;
  }
  return { name, kind, url: ip === '' ? '' : `http://${ip}:${port}`, incarnation, restarts: c.RestartCount };
}

async function waitExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return true;
    await sleep(25);
  }
  return !isRunning(pid);
}

export interface ComposeStartOptions {
  readonly project: string;
  /** Host port the load balancer publishes the API on. */
  readonly apiPort: number;
  readonly topology: Topology;
  /** Leave the containers and volumes behind at stop, for inspection. */
  readonly keep: boolean;
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
}

export class ComposeChaosCluster implements ChaosCluster {
  readonly kind = 'compose';
  readonly faultKinds: readonly FaultKind[] = ['kill', 'term', 'freeze', 'restart', 'netcut', 'remove'];
  readonly clientServers: readonly string[];
  private readonly seen = new Map<string, string>();
  private readonly paused = new Set<string>();
  /** Nodes removed for good: the topology has that many fewer. */
  private readonly removed = new Set<string>();
  /** Kubelet processes stopped with SIGSTOP (a kubelet freeze). */
  private readonly stopped = new Set<number>();
  private readonly cut = new Map<string, CutNetwork[]>();

  private readonly project: ComposeProject;

  private constructor(private readonly opts: ComposeStartOptions) {
    this.clientServers = [`http://127.0.0.1:${opts.apiPort}`];
    this.project = new ComposeProject(opts.project, opts.apiPort);
  }

  get where(): string {
    return `compose project ${this.opts.project}`;
  }

  /** `docker-compose up -d` with the topology, then waits until every container is healthy. */
  static async start(opts: ComposeStartOptions): Promise<ComposeChaosCluster> {
    for (const image of IMAGES) {
      try {
        await docker(['image', 'inspect', '--format', '{{.Id}}', image]);
      } catch {
        throw new Error(`image ${image} is missing: build the images first (npm run images)`);
      }
    }
    const c = new ComposeChaosCluster(opts);
    // A project of this name left by an earlier run (--keep, or a run cut off) would hand its etcd
    // data to this one (the namespace of the seed would exist already): start from nothing.
    await c.project.compose(['down', '-v', '--remove-orphans', '-t', '5']);
    const t0 = Date.now();
    await c.project.compose(['up', '-d', '--scale', `apiserver=${opts.topology.apiservers}`, '--scale', `scheduler=${opts.topology.schedulers ?? 0}`, '--scale', `controller-manager=${opts.topology.controllerManagers ?? 0}`,
      '--scale', `node=${opts.topology.nodes ?? 0}`]);
    const deadline = Date.now() + 120_000;
    let bad = await c.unhealthy();
    while (bad.length > 0 && Date.now() < deadline && !opts.signal.aborted) {
      await sleep(250, opts.signal);
      bad = await c.unhealthy();
    }
    if (bad.length > 0) throw new Error(`the compose cluster did not become healthy in 120s: ${bad.join('; ')}`);
    opts.log(`compose project ${opts.project} healthy ${((Date.now() - t0) / 1000).toFixed(1)}s after up`);
    return c;
  }

  private async containers(): Promise<ContainerInfo[]> {
    const info = await this.project.containers();
    for (const c of info) this.seen.set(c.Id, serviceOf(c) || c.Id.slice(0, 12));
    return info;
  }

  async members(): Promise<Member[]> {
    const out: Member[] = [];
    for (const c of await this.containers()) {
      const name = memberName(c);
      if (name !== undefined) out.push(toMember(c, name));
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  private async container(member: Member): Promise<ContainerInfo> {
    const c = (await this.containers()).find((x) => memberName(x) === member.name);
    if (c === undefined || toMember(c, member.name).incarnation !== member.incarnation) throw new Error(`${member.name} is no longer ${member.incarnation}`);
    return c;
  }

  private async loadBalancerIp(): Promise<string | undefined> {
    const lb = (await this.containers()).find((c) => serviceOf(c) === 'loadbalancer');
    return lb === undefined ? undefined : ipOf(lb) || undefined;
  }

  /** The replica holding most of the load balancer's client connections: the workload's, on an otherwise idle cluster. */
  async currentApiserver(clientServer: string): Promise<string | undefined> {
    if (!this.clientServers.includes(clientServer)) return undefined;
    const ip = await this.loadBalancerIp();
    if (ip === undefined) return undefined;
    let backends: unknown;
    try {
      const res = await fetch(`http://${ip}:${LB_ADMIN_PORT}/backends`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
      backends = await res.json();
    } catch {
      return undefined;
    }
    if (!Array.isArray(backends)) return undefined;
    let best: { address: string; connections: number } | undefined;
    for (const b of backends as unknown[]) {
      if (typeof b !== 'object' || b === null) continue;
      const { address, connections } = b as { address?: unknown; connections?: unknown };
      if (typeof address !== 'string' || typeof connections !== 'number') continue;
      if (best === undefined || connections > best.connections) best = { address, connections };
    }
    if (best === undefined) return undefined;
    const host = best.address.slice(0, best.address.lastIndexOf(':'));
    return (await this.members()).find((m) => m.kind === 'apiserver' && m.url === `http://${host}:6443`)?.name;
  }

  /** A replica's identity starts with its hostname, which Docker sets to the container's short id. */
  async leaderFor(kind: LeaderKind, holderIdentity: string): Promise<string | undefined> {
    const host = holderIdentity.slice(0, holderIdentity.indexOf('_'));
    if (host === '') return undefined;
    const c = (await this.containers()).find((x) => serviceOf(x) === kind && x.Id.startsWith(host));
    return c === undefined ? undefined : memberName(c);
  }

  async inject(fault: FaultKind, member: Member, now: () => number, opts: InjectOptions): Promise<InjectResult> {
    const c = await this.container(member);
    if (fault === 'remove') {
      if (member.kind !== 'kubelet') throw new Error(`only a node can be removed, not ${member.name}`);
      // The machine is gone: its container, runtime and kubelet with it; compose does not bring it back.
      await docker(['rm', '-f', c.Id]);
      this.removed.add(member.name);
      return { expectNew: false, removedNode: c.Config.Hostname };
    }
    if (member.kind === 'kubelet' && fault !== 'netcut') return this.injectKubelet(fault, c, now, opts);
    const pid = c.State.Pid;
    const injectedAt = now();
    switch (fault) {
      case 'kill':
        process.kill(pid, 'SIGKILL');
        return { expectNew: true };
      case 'term': {
        process.kill(pid, 'SIGTERM');
        let termEscalated = false;
        if (!(await waitExit(pid, opts.termGraceMs))) {
          termEscalated = true;
          process.kill(pid, 'SIGKILL');
          await waitExit(pid, 5_000);
        }
        const resumedAt = now();
        return { resumedAt, exitMs: resumedAt - injectedAt, termEscalated, expectNew: true };
      }
      case 'restart': {
        // docker restart stops (SIGTERM, then SIGKILL after the grace period) and starts again.
        const restarting = docker(['restart', '-t', String(Math.ceil(opts.termGraceMs / 1000)), c.Id], opts.termGraceMs + 60_000);
        await waitExit(pid, opts.termGraceMs + 5_000);
        const resumedAt = now();
        await restarting;
        return { resumedAt, exitMs: resumedAt - injectedAt, expectNew: true };
      }
      case 'freeze':
        // runc's cgroup freeze can fail on a busy container ("unable to freeze"); one more try.
        await docker(['pause', c.Id]).catch(async () => {
          await sleep(500);
          await docker(['pause', c.Id]);
        });
        this.paused.add(c.Id);
        try {
          await sleep(opts.durationMs, opts.signal);
        } finally {
          await this.unpause(c.Id);
        }
        return { resumedAt: now(), expectNew: false };
      case 'netcut': {
        const networks = Object.entries(c.NetworkSettings.Networks).map(([network, n]) => ({ network, aliases: n.Aliases ?? [] }));
        this.cut.set(c.Id, networks);
        for (const n of networks) await docker(['network', 'disconnect', '-f', n.network, c.Id]);
        try {
          await sleep(opts.durationMs, opts.signal);
        } finally {
          await this.reconnect(c.Id);
        }
        return { resumedAt: now(), expectNew: false };
      }
    }
  }

  /**
   * A kubelet fault inside a node container: signals to the kubelet process alone (`kubets node`
   * starts it again, as systemd would), while the runtime beside it keeps the containers running.
   */
  private async injectKubelet(fault: Exclude<FaultKind, 'netcut'>, c: ContainerInfo, now: () => number, opts: InjectOptions): Promise<InjectResult> {
    const k = kubeletOf(c);
    if (k === undefined) throw new Error(`no kubelet process runs in ${c.Id.slice(0, 12)}`);
    const injectedAt = now();
    if (fault === 'kill') {
      process.kill(k.pid, 'SIGKILL');
      return { expectNew: true };
    }
    if (fault === 'freeze') {
      process.kill(k.pid, 'SIGSTOP');
      this.stopped.add(k.pid);
      try {
        await sleep(opts.durationMs, opts.signal);
      } finally {
        this.resume(k.pid);
      }
      return { resumedAt: now(), expectNew: false };
    }
    // term and restart: SIGTERM, SIGKILL after the grace period; the supervisor starts it again.
    process.kill(k.pid, 'SIGTERM');
    let termEscalated = false;
    if (!(await waitExit(k.pid, opts.termGraceMs))) {
      termEscalated = true;
      process.kill(k.pid, 'SIGKILL');
      await waitExit(k.pid, 5_000);
    }
    const resumedAt = now();
    return { resumedAt, exitMs: resumedAt - injectedAt, termEscalated, expectNew: true };
  }

  private resume(pid: number): void {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // Gone already.
    }
    this.stopped.delete(pid);
  }

  private async unpause(id: string): Promise<void> {
    await docker(['unpause', id]);
    this.paused.delete(id);
  }

  /** Back on every network it was cut from, under the same DNS names (peers and the load balancer find it by name). */
  private async reconnect(id: string): Promise<void> {
    for (const n of this.cut.get(id) ?? []) await docker(['network', 'connect', ...n.aliases.flatMap((a) => ['--alias', a]), n.network, id]);
    this.cut.delete(id);
  }

  /**
   * Docker restarts an exited container after 100 ms, doubling only for containers that ran under
   * 10 s; `kubets node` restarts a kubelet after 1 s, doubling while it keeps exiting within a minute.
   */
  restartDelayMs(member: Member): number {
    return member.kind === 'kubelet' ? restartDelayMs(2) : 0;
  }

  async unhealthy(): Promise<string[]> {
    const containers = await this.containers();
    const counts = { etcd: 0, apiserver: 0, loadbalancer: 0, scheduler: 0, 'controller-manager': 0, node: 0 };
    const checks = containers.map(async (c): Promise<string | undefined> => {
      const service = serviceOf(c) || '?';
      const name = memberName(c) ?? service;
      if (!c.State.Running) return `${name}: not running`;
      if (c.State.Paused) return `${name}: paused`;
      const ip = ipOf(c);
      if (ip === '') return `${name}: on no network`;
      if (service.startsWith('etcd')) {
        counts.etcd++;
        return (await etcdHealthy(`http://${ip}:2379`, HEALTH_TIMEOUT_MS)) ? undefined : `${name}: not healthy`;
      }
      if (service === 'apiserver') {
        counts.apiserver++;
        return (await apiserverReady(`http://${ip}:6443`, HEALTH_TIMEOUT_MS)) ? undefined : `${name}: not ready`;
      }
      if (service === 'loadbalancer') {
        counts.loadbalancer++;
        return (await httpOk(`http://${ip}:${LB_ADMIN_PORT}/healthz`, HEALTH_TIMEOUT_MS)) ? undefined : `${name}: not healthy`;
      }
      if (service === 'node') {
        counts.node++;
        return (await kubeletHealthy(`http://${ip}:${HEALTH_PORTS.kubelet}`, HEALTH_TIMEOUT_MS)) ? undefined : `${name}: kubelet not healthy`;
      }
      if (service === 'scheduler' || service === 'controller-manager') {
        counts[service]++;
        // Ready, not just alive: its informers synced, as the availability probe asks of it too.
        return (await apiserverReady(`http://${ip}:${HEALTH_PORTS[service]}`, HEALTH_TIMEOUT_MS)) ? undefined : `${name}: not ready`;
      }
      return undefined;
    });
    const bad = (await Promise.all(checks)).filter((s): s is string => s !== undefined);
    const { etcdMembers, apiservers } = this.opts.topology;
    if (counts.etcd < etcdMembers) bad.push(`etcd: ${counts.etcd} of ${etcdMembers} members up`);
    if (counts.apiserver < apiservers) bad.push(`apiserver: ${counts.apiserver} of ${apiservers} replicas up`);
    if (counts.loadbalancer < 1) bad.push('loadbalancer: not up');
    const schedulers = this.opts.topology.schedulers ?? 0;
    if (counts.scheduler < schedulers) bad.push(`scheduler: ${counts.scheduler} of ${schedulers} replicas up`);
    const cms = this.opts.topology.controllerManagers ?? 0;
    if (counts['controller-manager'] < cms) bad.push(`controller-manager: ${counts['controller-manager']} of ${cms} replicas up`);
    const nodes = (this.opts.topology.nodes ?? 0) - this.removed.size;
    if (counts.node < nodes) bad.push(`node: ${counts.node} of ${nodes} up`);
    return bad;
  }

  async release(): Promise<void> {
    for (const pid of [...this.stopped]) this.resume(pid);
    for (const id of [...this.paused]) await this.unpause(id).catch(() => undefined);
    for (const id of [...this.cut.keys()]) await this.reconnect(id).catch(() => undefined);
  }

  /** Last resort on process exit: thaw, then take the project down (synchronously). */
  releaseSync(): void {
    for (const pid of [...this.stopped]) this.resume(pid);
    for (const id of this.paused) spawnSync('docker', ['unpause', id], { stdio: 'ignore' });
    if (!this.opts.keep) spawnSync('docker-compose', this.project.args(['down', '-v', '--remove-orphans', '-t', '5']), { stdio: 'ignore', env: { ...process.env, KUBETS_API_PORT: String(this.opts.apiPort) } });
  }

  async stop(log: (line: string) => void): Promise<LeakCheck> {
    await this.release();
    await this.containers().catch(() => undefined);
    const tracked: ProcessRecord[] = [...this.seen].map(([id, service]) => ({ name: service, id: `container ${id.slice(0, 12)}` }));
    if (this.opts.keep) {
      log(`keeping ${this.where} (docker-compose ${this.project.args(['down', '-v']).join(' ')} removes it)`);
      return { tracked, leaked: [] };
    }
    await this.project.down().catch((err: unknown) => log(`down failed: ${err instanceof Error ? err.message : String(err)}`));
    const leaked: ProcessRecord[] = (await this.project.leftovers().catch(() => [])).map((id) => ({ name: id.split(' ')[0] ?? '', id }));
    return { tracked, leaked };
  }
}
