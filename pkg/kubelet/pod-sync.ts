// Bringing one pod's containers to what its spec asks, through CRI (upstream's kuberuntime
// SyncPod/KillPod): a sandbox, the images, init containers one at a time to completion, then the
// containers; restarts by restartPolicy with back-off; and tearing a pod down with its grace
// period. Each step is an Event on the pod, in upstream's words.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Container, Pod } from '../api/core/v1/pod-types.js';
import { tryParseQuantity } from '../api/resource/quantity.js';
import type { Clock } from '../client/clock.js';
import { CriError, type CriClient } from '../cri/client.js';
import type { ContainerConfig, ContainerStatus, DeepPartial, PodSandboxConfig } from '../cri/types.js';
import { computeHash } from '../controller/framework/hash.js';
import { Backoff } from './backoff.js';
import { linuxContainerResources, podCgroupParent } from './resources.js';
import { EnvError, expandReferences, resolveEnv, type EnvSources } from './env.js';
import { VolumeSetupError, type PodVolume, type VolumeManager } from './volume/manager.js';
import { initProgress, restartsAfter, type WaitingReason } from './pod-status.js';
import {
  CONTAINER_HASH_ANNOTATION,
  CONTAINER_NAME_LABEL,
  containersNamed,
  GRACE_PERIOD_ANNOTATION,
  nanosToMs,
  podLabels,
  readRuntimePod,
  RESTART_COUNT_ANNOTATION,
  type RuntimePod,
} from './runtime-pod.js';

export type PodEventSink = (pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string) => void;

export interface PodSyncOptions {
  readonly cri: CriClient;
  readonly clock: Clock;
  readonly log: Logger;
  readonly podLogsDir: string;
  readonly nodeName: string;
  readonly hostIp: string;
  readonly event: PodEventSink;
  /** Where ConfigMap and Secret values of the environment come from. */
  readonly env: EnvSources;
  /** The node's allocatable resources (resourceFieldRef of a limit the container leaves out). */
  readonly allocatable: () => Readonly<Record<string, string>>;
  /** The pod's volumes on the node. */
  readonly volumes: VolumeManager;
  /** Removes what the node holds of a gone pod beyond the runtime's (its cgroups, on a real runtime). */
  readonly cleanupPod?: (uid: string) => Promise<void>;
  /** Why a running container must be restarted now (its liveness or startup probe failed). */
  readonly mustRestart?: (pod: Pod, c: Container, containerId: string) => { message: string; graceSeconds?: number } | undefined;
}

export interface SyncResult {
  readonly runtime: RuntimePod;
  readonly waiting: ReadonlyMap<string, WaitingReason>;
  /** Sync again after this long (a back-off ends). */
  readonly retryAfterMs?: number;
}

const DEFAULT_GRACE_SECONDS = 30;
/** How soon a pod whose pull just failed is synced again. */
const PULL_RESYNC_MS = 1000;
/** Upstream's volume operation back-off: 500 ms doubling to 2m2s. */
const MOUNT_RETRY_INITIAL_MS = 500;
const MOUNT_RETRY_MAX_MS = 122_000;

/** Bytes of a memory quantity (0 when unset or not a quantity). */
const memoryBytes = (q: string | undefined): number => Number(tryParseQuantity(q)?.value() ?? 0n);

/** Where a pod's container logs go: <pod-logs-dir>/<namespace>_<name>_<uid>. */
export function podLogDirectory(podLogsDir: string, pod: Pod): string {
  return join(podLogsDir, `${pod.metadata?.namespace ?? ''}_${pod.metadata?.name ?? ''}_${pod.metadata?.uid ?? ''}`);
}

/** The hash that tells a container's spec changed (and must be restarted). */
export const containerHash = (c: Container): string => computeHash({ name: c.name, image: c.image, command: c.command, args: c.args, env: c.env, ports: c.ports }, undefined);

export class PodSyncer {
  private readonly backoff = new Backoff();
  /** The waiting reasons of each pod's containers (by pod uid, then container name). */
  private readonly waiting = new Map<string, Map<string, WaitingReason>>();

  constructor(private readonly o: PodSyncOptions) {}

  sandboxConfig(pod: Pod, attempt: number): DeepPartial<PodSandboxConfig> {
    const spec = pod.spec;
    const hostNetwork = spec?.hostNetwork === true;
    return {
      metadata: { name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '', namespace: pod.metadata?.namespace ?? '', attempt },
      hostname: spec?.hostname ?? pod.metadata?.name ?? '',
      logDirectory: podLogDirectory(this.o.podLogsDir, pod),
      labels: podLabels(pod),
      annotations: { ...(pod.metadata?.annotations ?? {}) },
      portMappings: (spec?.containers ?? []).flatMap((c) => (c.ports ?? []).filter((p) => (p.hostPort ?? 0) > 0).map((p) => ({ protocol: (p.protocol ?? 'TCP') as 'TCP', containerPort: p.containerPort, hostPort: p.hostPort ?? 0, hostIp: p.hostIP ?? '' }))),
      linux: { cgroupParent: podCgroupParent(pod), securityContext: { namespaceOptions: { network: hostNetwork ? 'NODE' : 'POD', pid: spec?.hostPID ? 'NODE' : spec?.shareProcessNamespace ? 'POD' : 'CONTAINER', ipc: spec?.hostIPC ? 'NODE' : 'POD' } } },
    };
  }

  private async containerConfig(pod: Pod, c: Container, attempt: number, imageRef: string, podIp: string, volumes: ReadonlyMap<string, PodVolume>): Promise<DeepPartial<ContainerConfig>> {
    const env = await resolveEnv(pod, c, podIp, this.o.hostIp, this.o.env, this.o.allocatable());
    const expand = (text: string): string => expandReferences(text, env);
    const mounts = await this.o.volumes.mounts(pod, c, volumes, env);
    return {
      metadata: { name: c.name, attempt },
      image: { image: imageRef, userSpecifiedImage: c.image ?? '' },
      command: (c.command ?? []).map(expand),
      args: (c.args ?? []).map(expand),
      workingDir: c.workingDir ?? '',
      envs: [...env].map(([key, value]) => ({ key, value })),
      mounts,
      labels: { ...podLabels(pod), [CONTAINER_NAME_LABEL]: c.name },
      annotations: {
        [CONTAINER_HASH_ANNOTATION]: containerHash(c),
        [RESTART_COUNT_ANNOTATION]: String(attempt),
        [GRACE_PERIOD_ANNOTATION]: String(pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS),
      },
      logPath: join(c.name, `${attempt}.log`),
      stdin: c.stdin ?? false,
      stdinOnce: c.stdinOnce ?? false,
      tty: c.tty ?? false,
      linux: { resources: linuxContainerResources(pod, c, memoryBytes(this.o.allocatable().memory)) },
    };
  }

  /** The image present on the node (pulled as imagePullPolicy says), or why not. */
  private async ensureImage(pod: Pod, c: Container, key: string, last: WaitingReason | undefined, signal: AbortSignal): Promise<{ ref: string } | { waiting: WaitingReason; retryAfterMs?: number }> {
    const image = c.image ?? '';
    const policy = c.imagePullPolicy ?? (/:latest$|^[^:@]+$/.test(image.replace(/^[^/]*\//, '')) ? 'Always' : 'IfNotPresent');
    const now = this.o.clock.now();
    const pullKey = `${key}/pull`;
    if (policy !== 'Always') {
      const present = await this.o.cri.imageStatus(image, { signal });
      if (present !== undefined) {
        this.o.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
        return { ref: present.id };
      }
      if (policy === 'Never') {
        const message = `Container image "${image}" is not present with pull policy of Never`;
        this.o.event(pod, 'Warning', 'ErrImageNeverPull', message);
        return { waiting: { reason: 'ErrImageNeverPull', message } };
      }
    }
    if (last !== undefined && (last.reason === 'ErrImagePull' || last.reason === 'ImagePullBackOff') && this.backoff.inBackOffSince(pullKey, this.pullFailedAt.get(pullKey) ?? 0, now)) {
      const message = `Back-off pulling image "${image}"`;
      this.o.event(pod, 'Normal', 'BackOff', message);
      return { waiting: { reason: 'ImagePullBackOff', message }, retryAfterMs: (this.pullFailedAt.get(pullKey) ?? now) + this.backoff.delay(pullKey, now) - now };
    }
    this.o.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
    const started = this.o.clock.now();
    try {
      const ref = await this.o.cri.pullImage(image, undefined, { signal });
      const ms = this.o.clock.now() - started;
      const size = (await this.o.cri.imageStatus(image, { signal }).catch(() => undefined))?.size ?? '0';
      this.o.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${ms}ms (${ms}ms including waiting). Image size: ${size} bytes.`);
      return { ref };
    } catch (err) {
      const message = err instanceof CriError ? err.message : String(err);
      this.o.event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${message}`);
      this.o.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
      this.backoff.next(pullKey, now);
      this.pullFailedAt.set(pullKey, now);
      // Upstream's PLEG sees the new sandbox and syncs the pod again at once; that sync finds the
      // pull backing off (ImagePullBackOff), and the one after the back-off pulls again.
      return { waiting: { reason: 'ErrImagePull', message }, retryAfterMs: PULL_RESYNC_MS };
    }
  }

  private readonly pullFailedAt = new Map<string, number>();
  /** The last wait before a failed volume setup is tried again, per pod uid. */
  private readonly mountRetry = new Map<string, number>();

  /** Pulls, creates and starts one container; resolves with why it waits when it could not. */
  private async startContainer(pod: Pod, c: Container, sandboxId: string, sandboxConfig: DeepPartial<PodSandboxConfig>, attempt: number, podIp: string, volumes: ReadonlyMap<string, PodVolume>, last: WaitingReason | undefined, signal: AbortSignal): Promise<{ waiting?: WaitingReason; retryAfterMs?: number }> {
    const key = `${pod.metadata?.uid ?? ''}/${c.name}`;
    const image = await this.ensureImage(pod, c, key, last, signal);
    if ('waiting' in image) return image;
    let config: DeepPartial<ContainerConfig>;
    try {
      config = await this.containerConfig(pod, c, attempt, image.ref, podIp, volumes);
    } catch (err) {
      if (!(err instanceof EnvError) && !(err instanceof VolumeSetupError)) throw err;
      this.o.event(pod, 'Warning', 'Failed', `Error: ${err.message}`);
      // The missing ConfigMap or Secret may appear: look again after a while, as upstream's back-off does.
      return { waiting: { reason: 'CreateContainerConfigError', message: err.message }, retryAfterMs: 10_000 };
    }
    let id: string;
    try {
      id = await this.o.cri.createContainer(sandboxId, config, sandboxConfig, { signal });
    } catch (err) {
      const message = err instanceof CriError ? err.details : String(err);
      this.o.event(pod, 'Warning', 'Failed', `Error: ${message}`);
      return { waiting: { reason: 'CreateContainerError', message } };
    }
    this.o.event(pod, 'Normal', 'Created', `Created container: ${c.name}`);
    try {
      await this.o.cri.startContainer(id, { signal });
    } catch (err) {
      const message = err instanceof CriError ? err.details : String(err);
      this.o.event(pod, 'Warning', 'Failed', `Error: ${message}`);
      return { waiting: { reason: 'RunContainerError', message } };
    }
    this.o.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
    const postStart = c.lifecycle?.postStart;
    if (postStart?.exec?.command) {
      // A postStart hook that fails kills the container; its restart policy decides what follows.
      const r = await this.o.cri.execSync(id, postStart.exec.command, 0, { signal }).catch((err: unknown) => ({ exitCode: -1, stdout: Buffer.from(''), stderr: Buffer.from(err instanceof Error ? err.message : String(err)) }));
      if (r.exitCode !== 0) {
        this.o.event(pod, 'Warning', 'FailedPostStartHook', 'PostStartHook failed');
        await this.o.cri.stopContainer(id, pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS, { signal });
      }
    } else if (postStart?.sleep?.seconds !== undefined) {
      await this.o.clock.sleep(postStart.sleep.seconds * 1000, signal);
    }
    return {};
  }

  /**
   * Decides whether an exited container starts again now: by restartPolicy, then back-off.
   * Returns the attempt number to start, or why it waits.
   */
  private restartDecision(pod: Pod, c: Container, current: ContainerStatus, now: number): { start: number } | { waiting: WaitingReason; retryAfterMs: number } | { done: true } {
    const spec = pod.spec!;
    if (!restartsAfter(spec, current.exitCode)) return { done: true };
    const key = `${pod.metadata?.uid ?? ''}/${c.name}`;
    const exitedAt = nanosToMs(current.finishedAt);
    if (this.backoff.inBackOffSince(key, exitedAt, now)) {
      const delay = this.backoff.delay(key, now);
      const message = `back-off ${formatDelay(delay)} restarting failed container=${c.name} pod=${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`;
      this.o.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container ' + c.name + ' in pod ' + `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`);
      return { waiting: { reason: 'CrashLoopBackOff', message }, retryAfterMs: exitedAt + delay - now };
    }
    this.backoff.next(key, now);
    return { start: Number(current.annotations[RESTART_COUNT_ANNOTATION] ?? '0') + 1 };
  }

  /** One sync of a pod that should run: reads the runtime, acts, and returns what it found. */
  async sync(pod: Pod, signal: AbortSignal): Promise<SyncResult> {
    const uid = pod.metadata?.uid ?? '';
    const spec = pod.spec!;
    const previous = this.waiting.get(uid) ?? new Map<string, WaitingReason>();
    const waiting = new Map<string, WaitingReason>();
    this.waiting.set(uid, waiting);
    let retryAfterMs: number | undefined;
    const retry = (ms: number | undefined): void => {
      if (ms !== undefined) retryAfterMs = Math.max(0, Math.min(retryAfterMs ?? Infinity, ms));
    };
    let rp = await readRuntimePod(this.o.cri, uid, signal);
    const now = this.o.clock.now();
    const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    if (terminal) return { runtime: rp, waiting };

    // Volumes first, as upstream's WaitForAttachAndMount: no sandbox before they are all there.
    let volumes: Map<string, PodVolume>;
    try {
      volumes = await this.o.volumes.setUp(pod);
      this.mountRetry.delete(uid);
    } catch (err) {
      if (!(err instanceof VolumeSetupError)) throw err;
      this.o.event(pod, 'Warning', 'FailedMount', err.message);
      const delay = Math.min(MOUNT_RETRY_MAX_MS, (this.mountRetry.get(uid) ?? MOUNT_RETRY_INITIAL_MS / 2) * 2);
      this.mountRetry.set(uid, delay);
      return { runtime: rp, waiting, retryAfterMs: delay };
    }

    // The sandbox: make one when there is none ready (a new attempt kills what the old one held).
    let sandbox = rp.sandboxes[0];
    if (sandbox === undefined || sandbox.state !== 'SANDBOX_READY') {
      const everything = initProgress(spec, rp).done && (spec.containers ?? []).every((c) => {
        const [cur] = containersNamed(rp, c.name);
        return cur !== undefined && cur.state === 'CONTAINER_EXITED' && !restartsAfter(spec, cur.exitCode);
      });
      if (sandbox !== undefined && everything) return { runtime: rp, waiting };
      if (sandbox !== undefined) {
        this.o.event(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
        for (const c of rp.containers) if (c.state === 'CONTAINER_RUNNING') await this.o.cri.stopContainer(c.id, 0, { signal });
      }
      const config = this.sandboxConfig(pod, rp.sandboxes.length);
      let id: string;
      try {
        id = await this.o.cri.runPodSandbox(config, '', { signal });
      } catch (err) {
        this.o.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${err instanceof CriError ? err.message : String(err)}`);
        throw err;
      }
      // The new sandbox is the newest; nothing else of the pod changed since the read above.
      sandbox = await this.o.cri.podSandboxStatus(id, { signal });
      rp = { ...rp, sandboxes: [sandbox, ...rp.sandboxes] };
    }
    const sandboxConfig = this.sandboxConfig(pod, sandbox.metadata?.attempt ?? 0);
    const podIp = spec.hostNetwork === true ? this.o.hostIp : (sandbox.network?.ip ?? '');

    const sandboxId = sandbox.id;
    /** Starts `c`: fresh, or again after it exited when its restart policy and back-off allow. */
    const launch = async (c: Container, current: ContainerStatus | undefined): Promise<void> => {
      let attempt = 0;
      if (current !== undefined) {
        const d = this.restartDecision(pod, c, current, now);
        if ('done' in d) return;
        if ('waiting' in d) {
          waiting.set(c.name, d.waiting);
          retry(d.retryAfterMs);
          return;
        }
        attempt = d.start;
      }
      const r = await this.startContainer(pod, c, sandboxId, sandboxConfig, attempt, podIp, volumes, previous.get(c.name), signal);
      if (r.waiting) waiting.set(c.name, r.waiting);
      retry(r.retryAfterMs);
    };

    // Init containers, one at a time, each to completion.
    let initDone = true;
    for (const c of spec.initContainers ?? []) {
      const [current] = containersNamed(rp, c.name);
      if (current !== undefined && current.state === 'CONTAINER_EXITED' && current.exitCode === 0) continue;
      initDone = false;
      if (current === undefined || current.state === 'CONTAINER_EXITED') {
        await launch(c, current);
      } else if (current.state === 'CONTAINER_CREATED') await this.o.cri.startContainer(current.id, { signal });
      break;
    }

    if (initDone) {
      await Promise.all(
        (spec.containers ?? []).map(async (c) => {
          const [current] = containersNamed(rp, c.name);
          if (current === undefined) {
            await launch(c, undefined);
            return;
          }
          if (current.state === 'CONTAINER_RUNNING') {
            const unhealthy = this.o.mustRestart?.(pod, c, current.id);
            if (unhealthy !== undefined) {
              this.o.event(pod, 'Normal', 'Killing', unhealthy.message);
              await this.o.cri.stopContainer(current.id, unhealthy.graceSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS, { signal });
              retry(0);
              return;
            }
            if (current.annotations[CONTAINER_HASH_ANNOTATION] === containerHash(c)) return;
            // The spec changed (kubectl set image on a pod): kill it; the next sync starts the new one.
            this.o.event(pod, 'Normal', 'Killing', `Container ${c.name} definition changed, will be restarted`);
            await this.o.cri.stopContainer(current.id, pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS, { signal });
            retry(0);
            return;
          }
          if (current.state === 'CONTAINER_CREATED') {
            await this.o.cri.startContainer(current.id, { signal });
            return;
          }
          await launch(c, current);
        }),
      );
    }
    rp = await readRuntimePod(this.o.cri, uid, signal);
    // Every container finished for good: the sandbox goes (its IP is given back), as upstream does.
    const finished = initProgress(spec, rp).failed || (initDone && (spec.containers ?? []).every((c) => {
      const [cur] = containersNamed(rp, c.name);
      return cur !== undefined && cur.state === 'CONTAINER_EXITED' && !restartsAfter(spec, cur.exitCode);
    }));
    if (finished && rp.sandboxes[0]?.state === 'SANDBOX_READY') {
      await this.o.cri.stopPodSandbox(rp.sandboxes[0].id, { signal });
      rp = await readRuntimePod(this.o.cri, uid, signal);
    }
    return { runtime: rp, waiting, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }

  /**
   * Stops every container of the pod (SIGTERM, then SIGKILL after the grace period) and its
   * sandbox. `pod` is undefined when only the runtime still knows the pod.
   */
  async kill(uid: string, pod: Pod | undefined, gracePeriodSeconds: number, signal: AbortSignal): Promise<RuntimePod> {
    const rp = await readRuntimePod(this.o.cri, uid, signal);
    await Promise.all(
      rp.containers
        .filter((c) => c.state === 'CONTAINER_RUNNING')
        .map(async (c) => {
          const name = c.labels[CONTAINER_NAME_LABEL] ?? c.metadata?.name ?? '';
          if (pod !== undefined) this.o.event(pod, 'Normal', 'Killing', `Stopping container ${name}`);
          // The preStop hook runs first and counts against the grace period.
          const started = this.o.clock.now();
          const preStop = pod?.spec?.containers?.find((x) => x.name === name)?.lifecycle?.preStop;
          if (preStop?.exec?.command && gracePeriodSeconds > 0) {
            const r = await this.o.cri.execSync(c.id, preStop.exec.command, gracePeriodSeconds, { signal }).catch(() => undefined);
            if (r !== undefined && r.exitCode !== 0 && pod !== undefined) this.o.event(pod, 'Warning', 'FailedPreStopHook', `PreStopHook failed`);
          } else if (preStop?.sleep?.seconds !== undefined && gracePeriodSeconds > 0) {
            await this.o.clock.sleep(Math.min(preStop.sleep.seconds, gracePeriodSeconds) * 1000, signal).catch(() => undefined);
          }
          // Upstream leaves at least 2 s after the hook (minimumGracePeriodInSeconds).
          const left = gracePeriodSeconds <= 0 ? 0 : Math.max(preStop ? 2 : 1, Math.ceil(gracePeriodSeconds - (this.o.clock.now() - started) / 1000));
          await this.o.cri.stopContainer(c.id, left, { signal });
        }),
    );
    for (const s of rp.sandboxes) if (s.state === 'SANDBOX_READY') await this.o.cri.stopPodSandbox(s.id, { signal });
    return readRuntimePod(this.o.cri, uid, signal);
  }

  /** Removes what the runtime holds of a pod that is gone from the API. */
  async remove(uid: string, signal: AbortSignal): Promise<void> {
    const rp = await readRuntimePod(this.o.cri, uid, signal);
    for (const s of rp.sandboxes) await this.o.cri.removePodSandbox(s.id, { signal });
    await this.o.volumes.tearDown(uid);
    await this.o.cleanupPod?.(uid);
    this.backoff.forget(`${uid}/`);
    this.waiting.delete(uid);
    this.mountRetry.delete(uid);
  }

  waitingOf(uid: string): ReadonlyMap<string, WaitingReason> {
    return this.waiting.get(uid) ?? new Map();
  }
}

function formatDelay(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
}
