// The simulated container runtime behind the fake CRI server: sandboxes with IPs from the node's
// pod CIDR, images that pull at once (except the documented failing tag), and containers whose
// behaviour is read from their command line (./program.ts). All state is in memory and per
// instance, so thousands of pods and many runtimes fit in one process; logs are written in the CRI
// log format to the paths the kubelet gives, as containerd writes them.
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { Clock, Timer } from '../../client/clock.js';
import type { ContainerConfig, ContainerFilter, ContainerState, ContainerStatus, DeepPartial, Image, PodSandbox, PodSandboxConfig, PodSandboxFilter, PodSandboxState, PodSandboxStatus } from '../types.js';
import { parseProgram, runProgram, type ProgramHost } from './program.js';
import { HostLocalBackend } from '../../cni/host-local.js';

export const FAKE_RUNTIME_NAME = 'kubets-fake';
export const FAKE_RUNTIME_VERSION = '0.1.0';
/** The tag that makes a pull fail, as a registry answers for a tag it does not have. */
export const UNPULLABLE_TAG = 'notfound';
/** Env var of a container: seconds between SIGTERM and its exit (a server finishing its requests). */
export const STOP_DELAY_ENV = 'KUBETS_FAKE_STOP_SECONDS';
/** containerd's default pod network, used until the kubelet sends the node's pod CIDR. */
const DEFAULT_POD_CIDR = '10.88.0.0/16';

/** A CRI error with its gRPC code; the server sends it as the call's status. */
export class FakeRuntimeError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

const notFound = (what: string): FakeRuntimeError => new FakeRuntimeError(grpc.status.NOT_FOUND, `an error occurred when try to find ${what}: not found`);

const newId = (): string => randomBytes(32).toString('hex');
const nanos = (ms: number): string => (BigInt(Math.round(ms)) * 1_000_000n).toString();

/** Go's RFC3339Nano: fractional seconds without trailing zeros. */
function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.(\d+)Z$/, (_, f: string) => (/^0+$/.test(f) ? 'Z' : `.${f.replace(/0+$/, '')}Z`));
}

/** docker.io/library/nginx:latest for nginx, as containerd names what it pulled. */
export function normalizeImage(ref: string): string {
  let name = ref;
  const at = name.indexOf('@');
  const digest = at >= 0 ? name.slice(at) : '';
  if (at >= 0) name = name.slice(0, at);
  const firstSlash = name.indexOf('/');
  const first = firstSlash < 0 ? '' : name.slice(0, firstSlash);
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  if (!hasRegistry) name = `docker.io/${firstSlash < 0 ? 'library/' : ''}${name}`;
  const lastSlash = name.lastIndexOf('/');
  if (digest === '' && !name.slice(lastSlash + 1).includes(':')) name += ':latest';
  return name + digest;
}

const tagOf = (normalized: string): string => {
  const lastSlash = normalized.lastIndexOf('/');
  const colon = normalized.indexOf(':', lastSlash);
  return colon < 0 ? '' : normalized.slice(colon + 1).replace(/@.*$/, '');
};

interface FakeImage {
  readonly id: string;
  readonly name: string;
  readonly size: number;
}

interface FakeSandbox {
  readonly id: string;
  readonly config: DeepPartial<PodSandboxConfig>;
  readonly createdAt: number;
  readonly handler: string;
  state: PodSandboxState;
  ip: string;
}

interface FakeContainer {
  readonly id: string;
  readonly sandboxId: string;
  readonly config: DeepPartial<ContainerConfig>;
  readonly logFile: string;
  readonly image: FakeImage;
  readonly env: Record<string, string>;
  readonly files: Set<string>;
  readonly createdAt: number;
  state: ContainerState;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  /** Ends the main process (SIGKILL): pending sleeps reject. */
  kill: AbortController;
  /** Resolves when the container has exited. */
  exited: Promise<void>;
  markExited: () => void;
  /** The log writes in order. */
  logChain: Promise<void>;
  ignoresSigterm: boolean;
  /** Attached sessions: each sees the main process's output from the time it attached. */
  readonly attached: Set<(stream: 'stdout' | 'stderr', line: string) => void>;
}

/** Aborted when the program is stopped: the interpreter's pending step rejects with it. */
class Stopped extends Error {}

export class FakeRuntime {
  private readonly sandboxes = new Map<string, FakeSandbox>();
  private readonly containers = new Map<string, FakeContainer>();
  private readonly images = new Map<string, FakeImage>();
  /** Pod addresses: the CNI service's host-local backend, in process (the simulated runtime has no namespaces to wire). */
  private readonly network = new HostLocalBackend(DEFAULT_POD_CIDR);

  constructor(private readonly clock: Clock) {}

  // ---- runtime ----

  version(): { version: string; runtimeName: string; runtimeVersion: string; runtimeApiVersion: string } {
    return { version: '0.1.0', runtimeName: FAKE_RUNTIME_NAME, runtimeVersion: FAKE_RUNTIME_VERSION, runtimeApiVersion: 'v1' };
  }

  status(): { status: { conditions: { type: string; status: boolean; reason: string; message: string }[] } } {
    return {
      status: {
        conditions: [
          { type: 'RuntimeReady', status: true, reason: '', message: '' },
          { type: 'NetworkReady', status: true, reason: '', message: '' },
        ],
      },
    };
  }

  updateRuntimeConfig(podCidr: string): void {
    if (podCidr === '') return;
    try {
      this.network.setRange(podCidr);
    } catch (err) {
      throw new FakeRuntimeError(grpc.status.INVALID_ARGUMENT, `invalid pod CIDR ${JSON.stringify(podCidr)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  // ---- sandboxes ----

  runPodSandbox(config: DeepPartial<PodSandboxConfig>, handler: string): string {
    if (!config.metadata?.name || !config.metadata.uid) throw new FakeRuntimeError(grpc.status.INVALID_ARGUMENT, 'sandbox config must include metadata');
    const hostNetwork = config.linux?.securityContext?.namespaceOptions?.network === 'NODE';
    const id = newId();
    const sandbox: FakeSandbox = { id, config, createdAt: this.clock.now(), handler, state: 'SANDBOX_READY', ip: hostNetwork ? '' : this.allocateIp(id) };
    this.sandboxes.set(sandbox.id, sandbox);
    return sandbox.id;
  }

  /** Kills the sandbox's containers and gives its IP back; idempotent. */
  stopPodSandbox(id: string): void {
    const s = this.sandboxes.get(id);
    if (s === undefined) return;
    for (const c of this.containers.values()) if (c.sandboxId === id && c.state === 'CONTAINER_RUNNING') this.exit(c, 137);
    if (s.ip !== '') this.network.release(id);
    s.state = 'SANDBOX_NOTREADY';
  }

  removePodSandbox(id: string): void {
    if (!this.sandboxes.has(id)) return;
    this.stopPodSandbox(id);
    for (const c of [...this.containers.values()]) if (c.sandboxId === id) this.containers.delete(c.id);
    this.sandboxes.delete(id);
  }

  podSandboxStatus(id: string): PodSandboxStatus {
    const s = this.sandbox(id);
    return {
      id: s.id,
      metadata: { name: s.config.metadata?.name ?? '', uid: s.config.metadata?.uid ?? '', namespace: s.config.metadata?.namespace ?? '', attempt: s.config.metadata?.attempt ?? 0 },
      state: s.state,
      createdAt: nanos(s.createdAt),
      network: { ip: s.state === 'SANDBOX_READY' ? s.ip : '', additionalIps: [] },
      linux: { namespaces: { options: { network: s.config.linux?.securityContext?.namespaceOptions?.network ?? 'POD', pid: s.config.linux?.securityContext?.namespaceOptions?.pid ?? 'POD', ipc: s.config.linux?.securityContext?.namespaceOptions?.ipc ?? 'POD', targetId: '' } } },
      labels: { ...(s.config.labels ?? {}) },
      annotations: { ...(s.config.annotations ?? {}) },
      runtimeHandler: s.handler,
    };
  }

  listPodSandbox(filter: DeepPartial<PodSandboxFilter> | null | undefined): PodSandbox[] {
    const out: PodSandbox[] = [];
    for (const s of this.sandboxes.values()) {
      if (filter?.id && filter.id !== s.id) continue;
      if (filter?.state && filter.state.state !== s.state) continue;
      if (!labelsMatch(s.config.labels ?? {}, filter?.labelSelector)) continue;
      const st = this.podSandboxStatus(s.id);
      out.push({ id: s.id, metadata: st.metadata, state: s.state, createdAt: st.createdAt, labels: st.labels, annotations: st.annotations, runtimeHandler: s.handler });
    }
    return out;
  }

  // ---- containers ----

  createContainer(sandboxId: string, config: DeepPartial<ContainerConfig>, sandboxConfig: DeepPartial<PodSandboxConfig> | null | undefined): string {
    const s = this.sandbox(sandboxId);
    if (s.state !== 'SANDBOX_READY') throw new FakeRuntimeError(grpc.status.UNKNOWN, `failed to create containerd container: sandbox ${sandboxId} is not ready`);
    const name = config.metadata?.name ?? '';
    const attempt = config.metadata?.attempt ?? 0;
    if (name === '') throw new FakeRuntimeError(grpc.status.INVALID_ARGUMENT, 'container config must include metadata');
    for (const c of this.containers.values()) {
      if (c.sandboxId === sandboxId && c.config.metadata?.name === name && (c.config.metadata?.attempt ?? 0) === attempt) {
        throw new FakeRuntimeError(grpc.status.ALREADY_EXISTS, `failed to reserve container name "${name}_${attempt}": name is reserved for "${c.id}"`);
      }
    }
    const ref = config.image?.image ?? '';
    const image = this.images.get(normalizeImage(ref)) ?? [...this.images.values()].find((i) => i.id === ref);
    if (image === undefined) throw new FakeRuntimeError(grpc.status.NOT_FOUND, `failed to create containerd container: failed to get image "${ref}": not found`);
    const logDir = sandboxConfig?.logDirectory ?? s.config.logDirectory ?? '';
    const env: Record<string, string> = {};
    for (const kv of config.envs ?? []) if (kv.key) env[kv.key] = kv.value ?? '';
    let markExited = (): void => undefined;
    const exited = new Promise<void>((r) => (markExited = r));
    const c: FakeContainer = {
      id: newId(),
      sandboxId,
      config,
      logFile: logDir !== '' && config.logPath ? join(logDir, config.logPath) : '',
      image,
      env,
      files: new Set(),
      createdAt: this.clock.now(),
      state: 'CONTAINER_CREATED',
      startedAt: 0,
      finishedAt: 0,
      exitCode: 0,
      reason: '',
      kill: new AbortController(),
      exited,
      markExited,
      logChain: Promise.resolve(),
      ignoresSigterm: false,
      attached: new Set(),
    };
    this.containers.set(c.id, c);
    return c.id;
  }

  startContainer(id: string): void {
    const c = this.container(id);
    if (c.state !== 'CONTAINER_CREATED') throw new FakeRuntimeError(grpc.status.UNKNOWN, `failed to start container "${id}": cannot start a container in ${c.state} state`);
    const program = parseProgram(c.config.command ?? [], c.config.args ?? [], c.env);
    c.ignoresSigterm = program.ignoresSigterm;
    c.state = 'CONTAINER_RUNNING';
    c.startedAt = this.clock.now();
    runProgram(program, this.hostFor(c, true)).then(
      (code) => this.exit(c, code),
      (err: unknown) => {
        if (!(err instanceof Stopped)) this.exit(c, 128);
      },
    );
  }

  /**
   * SIGTERM, then SIGKILL after `timeoutSeconds`: resolves once the container has exited. A server
   * exits on SIGTERM (after the delay its KUBETS_FAKE_STOP_SECONDS asks for); PID 1 from the
   * vocabulary ignores it and is killed when the time is up.
   */
  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const c = this.containers.get(id);
    if (c === undefined || c.state !== 'CONTAINER_RUNNING') return;
    // A timeout of 0 is SIGKILL at once, as containerd does it.
    if (timeoutSeconds <= 0) {
      this.exit(c, 137);
      return;
    }
    const timers: Timer[] = [];
    if (!c.ignoresSigterm) {
      const asked = Number(c.env[STOP_DELAY_ENV] ?? '0');
      const delay = Number.isFinite(asked) && asked > 0 ? asked : 0;
      if (delay === 0) this.exit(c, 0);
      else if (delay < timeoutSeconds) timers.push(this.clock.setTimer(delay * 1000, () => this.exit(c, 0)));
    }
    if (c.state === 'CONTAINER_RUNNING') timers.push(this.clock.setTimer(timeoutSeconds * 1000, () => this.exit(c, 137)));
    await c.exited;
    for (const t of timers) t.cancel();
  }

  removeContainer(id: string): void {
    const c = this.containers.get(id);
    if (c === undefined) return;
    if (c.state === 'CONTAINER_RUNNING') this.exit(c, 137);
    this.containers.delete(id);
  }

  listContainers(filter: DeepPartial<ContainerFilter> | null | undefined): ReturnType<FakeRuntime['containerView']>[] {
    const out = [];
    for (const c of this.containers.values()) {
      if (filter?.id && filter.id !== c.id) continue;
      if (filter?.podSandboxId && filter.podSandboxId !== c.sandboxId) continue;
      if (filter?.state && filter.state.state !== c.state) continue;
      if (!labelsMatch(c.config.labels ?? {}, filter?.labelSelector)) continue;
      out.push(this.containerView(c));
    }
    return out;
  }

  private containerView(c: FakeContainer) {
    return {
      id: c.id,
      podSandboxId: c.sandboxId,
      metadata: { name: c.config.metadata?.name ?? '', attempt: c.config.metadata?.attempt ?? 0 },
      image: { image: c.image.name, annotations: {}, userSpecifiedImage: c.config.image?.image ?? '', runtimeHandler: '' },
      imageRef: c.image.id,
      state: c.state,
      createdAt: nanos(c.createdAt),
      labels: { ...(c.config.labels ?? {}) },
      annotations: { ...(c.config.annotations ?? {}) },
      imageId: c.image.id,
    };
  }

  containerStatus(id: string): ContainerStatus {
    const c = this.container(id);
    return {
      id: c.id,
      metadata: { name: c.config.metadata?.name ?? '', attempt: c.config.metadata?.attempt ?? 0 },
      state: c.state,
      createdAt: nanos(c.createdAt),
      startedAt: c.startedAt > 0 ? nanos(c.startedAt) : '0',
      finishedAt: c.finishedAt > 0 ? nanos(c.finishedAt) : '0',
      exitCode: c.exitCode,
      image: { image: c.image.name, annotations: {}, userSpecifiedImage: c.config.image?.image ?? '', runtimeHandler: '' },
      imageRef: c.image.id,
      reason: c.reason,
      message: '',
      labels: { ...(c.config.labels ?? {}) },
      annotations: { ...(c.config.annotations ?? {}) },
      mounts: (c.config.mounts ?? []).map((m) => ({ containerPath: m?.containerPath ?? '', hostPath: m?.hostPath ?? '', readonly: m?.readonly ?? false, selinuxRelabel: m?.selinuxRelabel ?? false, propagation: m?.propagation ?? 'PROPAGATION_PRIVATE' })),
      logPath: c.logFile,
      imageId: c.image.id,
    };
  }

  /** Runs `cmd` in the running container, its output lines to `write`, until it ends or `signal` stops it; resolves with its exit code. */
  execStream(id: string, cmd: readonly string[], write: (stream: 'stdout' | 'stderr', line: string) => void, signal: AbortSignal): Promise<number> {
    const c = this.container(id);
    if (c.state !== 'CONTAINER_RUNNING') throw new FakeRuntimeError(grpc.status.UNKNOWN, `container is in ${c.state} state`);
    const run = runProgram(parseProgram(cmd, [], c.env), this.hostFor(c, false, signal, write));
    const ended = new Promise<never>((_, reject) => void c.exited.then(() => reject(new FakeRuntimeError(grpc.status.UNKNOWN, 'container exited while the command ran'))));
    return Promise.race([run, ended]);
  }

  /** Runs `cmd` in the container: the vocabulary's meaning, anything else succeeds. */
  async execSync(id: string, cmd: readonly string[], timeoutSeconds: number): Promise<{ stdout: Buffer; stderr: Buffer; exitCode: number }> {
    const out: string[] = [];
    const err: string[] = [];
    const stop = new AbortController();
    const run = this.execStream(id, cmd, (stream, line) => (stream === 'stdout' ? out : err).push(line + '\n'), stop.signal);
    let timer: Timer | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      if (timeoutSeconds > 0) {
        timer = this.clock.setTimer(timeoutSeconds * 1000, () => {
          stop.abort();
          reject(new FakeRuntimeError(grpc.status.DEADLINE_EXCEEDED, `command ${JSON.stringify(cmd.join(' '))} timed out after ${timeoutSeconds}s`));
        });
      }
    });
    try {
      const exitCode = await Promise.race([run, timedOut]);
      return { stdout: Buffer.from(out.join('')), stderr: Buffer.from(err.join('')), exitCode };
    } finally {
      timer?.cancel();
      stop.abort();
    }
  }

  /**
   * Follows the running container's main process: its output lines from now on to `write`, until
   * it exits (resolving with its exit code) or `signal` ends the session (resolving undefined).
   */
  async attach(id: string, write: (stream: 'stdout' | 'stderr', line: string) => void, signal: AbortSignal): Promise<number | undefined> {
    const c = this.container(id);
    if (c.state !== 'CONTAINER_RUNNING') throw new FakeRuntimeError(grpc.status.UNKNOWN, `container is in ${c.state} state`);
    c.attached.add(write);
    try {
      const detached = new Promise<undefined>((resolve) => (signal.aborted ? resolve(undefined) : signal.addEventListener('abort', () => resolve(undefined), { once: true })));
      return await Promise.race([c.exited.then(() => c.exitCode), detached]);
    } finally {
      c.attached.delete(write);
    }
  }

  // ---- images ----

  pullImage(ref: string): string {
    const name = normalizeImage(ref);
    if (tagOf(name) === UNPULLABLE_TAG) {
      throw new FakeRuntimeError(grpc.status.NOT_FOUND, `failed to pull and unpack image "${name}": failed to resolve reference "${name}": ${name}: not found`);
    }
    let image = this.images.get(name);
    if (image === undefined) {
      image = { id: `sha256:${randomBytes(32).toString('hex')}`, name, size: 1_000_000 + (name.length * 7919) % 50_000_000 };
      this.images.set(name, image);
    }
    return image.id;
  }

  imageStatus(ref: string): Image | undefined {
    const image = this.images.get(normalizeImage(ref)) ?? [...this.images.values()].find((i) => i.id === ref);
    return image === undefined ? undefined : imageView(image);
  }

  listImages(): Image[] {
    return [...this.images.values()].map(imageView);
  }

  removeImage(ref: string): void {
    const image = this.imageStatus(ref);
    if (image !== undefined) this.images.delete(image.repoTags[0]!);
  }

  // ---- internals ----

  private sandbox(id: string): FakeSandbox {
    const s = this.sandboxes.get(id);
    if (s === undefined) throw notFound(`sandbox "${id}"`);
    return s;
  }

  private container(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (c === undefined) throw notFound(`container "${id}"`);
    return c;
  }

  private exit(c: FakeContainer, code: number): void {
    if (c.state !== 'CONTAINER_RUNNING') return;
    c.state = 'CONTAINER_EXITED';
    c.exitCode = code;
    c.finishedAt = this.clock.now();
    // containerd's reasons: the kubelet reports them as the terminated state's reason.
    c.reason = code === 0 ? 'Completed' : 'Error';
    c.kill.abort(new Stopped());
    c.markExited();
  }

  private hostFor(c: FakeContainer, main: boolean, signal: AbortSignal = c.kill.signal, write?: (stream: 'stdout' | 'stderr', line: string) => void): ProgramHost {
    const stopped = (): Promise<never> =>
      new Promise<never>((_, reject) => {
        if (signal.aborted) reject(new Stopped());
        else signal.addEventListener('abort', () => reject(new Stopped()), { once: true });
      });
    return {
      files: c.files,
      mounts: (c.config.mounts ?? []).map((m) => ({ containerPath: m?.containerPath ?? '', hostPath: m?.hostPath ?? '', readonly: m?.readonly ?? false })).filter((m) => m.containerPath !== '' && m.hostPath !== ''),
      sleep: (ms) =>
        new Promise<void>((resolve, reject) => {
          if (signal.aborted) {
            reject(new Stopped());
            return;
          }
          const t = this.clock.setTimer(ms, () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          });
          const onAbort = (): void => {
            t.cancel();
            reject(new Stopped());
          };
          signal.addEventListener('abort', onAbort, { once: true });
        }),
      forever: stopped,
      unknown: async () => (main ? stopped() : 0),
      write: write ?? ((stream, line) => this.log(c, stream, line)),
    };
  }

  private log(c: FakeContainer, stream: 'stdout' | 'stderr', line: string): void {
    for (const attached of c.attached) attached(stream, line);
    if (c.logFile === '') return;
    const text = `${rfc3339Nano(this.clock.now())} ${stream} F ${line}\n`;
    const file = c.logFile;
    c.logChain = c.logChain.then(async () => {
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, text);
    }).catch(() => undefined);
  }

  /** The runtime goes away: every container dies with it (their timers end). */
  close(): void {
    for (const c of this.containers.values()) this.exit(c, 137);
  }

  /** Waits for the log writes made so far (tests read the files afterwards). */
  async flushLogs(): Promise<void> {
    await Promise.all([...this.containers.values()].map((c) => c.logChain));
  }

  private allocateIp(sandboxId: string): string {
    try {
      return (this.network.allocate(sandboxId).ips[0]?.address ?? '').replace(/\/\d+$/, '');
    } catch (err) {
      throw new FakeRuntimeError(grpc.status.RESOURCE_EXHAUSTED, err instanceof Error ? err.message : String(err));
    }
  }
}

function imageView(i: FakeImage): Image {
  return { id: i.id, repoTags: [i.name], repoDigests: [], size: String(i.size), uid: null, username: '', spec: { image: i.name, annotations: {}, userSpecifiedImage: '', runtimeHandler: '' }, pinned: false };
}

function labelsMatch(labels: Readonly<Record<string, string>>, selector: Readonly<Record<string, string>> | null | undefined): boolean {
  for (const [k, v] of Object.entries(selector ?? {})) if (labels[k] !== v) return false;
  return true;
}

