// Container probes as upstream's prober manager runs them: one worker per (container, probe
// type), started with the container, first run after initialDelaySeconds, then every
// periodSeconds, each try limited to timeoutSeconds; successThreshold/failureThreshold turn tries
// into a result. Startup holds liveness and readiness until it succeeds; a liveness or startup
// failure asks for the container to be restarted; readiness decides the container's `ready`.
// Exec probes run through CRI ExecSync; HTTP, TCP and gRPC probes go from the node to the pod's
// IP (network-probe.ts). The simulated runtime has no network: there those succeed while the
// container runs (README "The simulated runtime").
import type { Logger } from 'pino';
import type { Container, Pod, Probe } from '../api/core/v1/pod-types.js';
import type { Clock, Timer } from '../client/clock.js';
import { CriError, type CriClient } from '../cri/client.js';
import type { ContainerStatus } from '../cri/types.js';
import { networkProbe } from './network-probe.js';
import { CONTAINER_NAME_LABEL, nanosToMs, type RuntimePod } from './runtime-pod.js';

export type ProbeType = 'startup' | 'liveness' | 'readiness';
export type ProbeResult = 'success' | 'failure' | 'unknown';

const PROBE_FIELD: Record<ProbeType, 'startupProbe' | 'livenessProbe' | 'readinessProbe'> = { startup: 'startupProbe', liveness: 'livenessProbe', readiness: 'readinessProbe' };
const TITLE: Record<ProbeType, string> = { startup: 'Startup', liveness: 'Liveness', readiness: 'Readiness' };

export interface ProberOptions {
  readonly cri: CriClient;
  readonly clock: Clock;
  readonly log: Logger;
  /** Whether HTTP/TCP/gRPC probes can reach containers (false with the simulated runtime). */
  readonly networkProbes: () => boolean;
  /** The node's IP: where a hostNetwork pod's probes go. */
  readonly hostIp: () => string;
  /** A result changed: the pod should be synced. */
  readonly onChange: (podUid: string) => void;
  readonly event: (pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string) => void;
}

interface Worker {
  readonly containerId: string;
  readonly probe: Probe;
  result: ProbeResult;
  successes: number;
  failures: number;
  timer: Timer | undefined;
  stopped: boolean;
  /** Set when liveness or startup failed for good: the container is to be restarted. */
  failedFor?: string;
}

/** Where a network probe goes: the container (for named ports) in a pod at `podIp`; undefined without a pod network. */
export interface ProbeTarget {
  readonly container: Container;
  readonly podIp: string;
}

/** One probe try: its outcome and what it said. */
export async function runProbe(cri: CriClient, probe: Probe, containerId: string, network: ProbeTarget | undefined): Promise<{ ok: boolean; output: string }> {
  if (probe.exec) {
    try {
      const r = await cri.execSync(containerId, probe.exec.command ?? [], probe.timeoutSeconds ?? 1);
      const output = (r.stdout.toString() + r.stderr.toString()).trim();
      return { ok: r.exitCode === 0, output: r.exitCode === 0 ? output : output !== '' ? output : `command ${JSON.stringify((probe.exec.command ?? []).join(' '))} exited with ${r.exitCode}` };
    } catch (err) {
      const timedOut = err instanceof CriError && /timed out|DeadlineExceeded/i.test(err.message);
      return { ok: false, output: timedOut ? `command timed out: ${JSON.stringify((probe.exec.command ?? []).join(' '))} timed out after ${probe.timeoutSeconds ?? 1}s` : err instanceof Error ? err.message : String(err) };
    }
  }
  if (network === undefined) return { ok: true, output: '' };
  return networkProbe(probe, network.container, network.podIp, (probe.timeoutSeconds ?? 1) * 1000);
}

export class Prober {
  /** `${podUid}/${container}/${type}` → worker. */
  private readonly workers = new Map<string, Worker>();

  constructor(private readonly o: ProberOptions) {}

  private key(uid: string, container: string, type: ProbeType): string {
    return `${uid}/${container}/${type}`;
  }

  /** Starts workers for the running containers of `pod` and stops those of containers that went. */
  sync(pod: Pod, runtime: RuntimePod): void {
    const uid = pod.metadata?.uid ?? '';
    const wanted = new Set<string>();
    for (const c of pod.spec?.containers ?? []) {
      const current = runtime.containers.find((s) => s.labels[CONTAINER_NAME_LABEL] === c.name);
      if (current === undefined || current.state !== 'CONTAINER_RUNNING') continue;
      for (const type of ['startup', 'liveness', 'readiness'] as const) {
        const probe = c[PROBE_FIELD[type]];
        if (probe === undefined) continue;
        const key = this.key(uid, c.name, type);
        wanted.add(key);
        const w = this.workers.get(key);
        if (w !== undefined && w.containerId === current.id) continue;
        if (w !== undefined) this.stop(w);
        this.start(pod, c, current, type, probe, key, runtime.sandboxes[0]?.network?.ip ?? '');
      }
    }
    for (const [key, w] of this.workers) {
      if (key.startsWith(`${uid}/`) && !wanted.has(key)) {
        this.stop(w);
        this.workers.delete(key);
      }
    }
  }

  /** Stops every worker of a pod (it is being torn down or is gone). */
  forget(uid: string): void {
    for (const [key, w] of this.workers) {
      if (key.startsWith(`${uid}/`)) {
        this.stop(w);
        this.workers.delete(key);
      }
    }
  }

  private stop(w: Worker): void {
    w.stopped = true;
    w.timer?.cancel();
  }

  private result(uid: string, container: string, type: ProbeType, containerId: string): Worker | undefined {
    const w = this.workers.get(this.key(uid, container, type));
    return w !== undefined && w.containerId === containerId ? w : undefined;
  }

  /** Whether the container passed its startup probe (true without one). */
  started(pod: Pod, c: Container, containerId: string): boolean {
    if (c.startupProbe === undefined) return true;
    return this.result(pod.metadata?.uid ?? '', c.name, 'startup', containerId)?.result === 'success';
  }

  /** Whether the container is ready: started, and its readiness probe (if any) last succeeded. */
  ready(pod: Pod, c: Container, containerId: string): boolean {
    if (!this.started(pod, c, containerId)) return false;
    if (c.readinessProbe === undefined) return true;
    return this.result(pod.metadata?.uid ?? '', c.name, 'readiness', containerId)?.result === 'success';
  }

  /** Why the container must be restarted (a liveness or startup failure), if it must. */
  mustRestart(pod: Pod, c: Container, containerId: string): { message: string; graceSeconds?: number } | undefined {
    for (const type of ['startup', 'liveness'] as const) {
      const w = this.result(pod.metadata?.uid ?? '', c.name, type, containerId);
      if (w?.failedFor !== undefined) {
        const grace = w.probe.terminationGracePeriodSeconds;
        return { message: w.failedFor, ...(grace !== undefined ? { graceSeconds: grace } : {}) };
      }
    }
    return undefined;
  }

  private start(pod: Pod, c: Container, current: ContainerStatus, type: ProbeType, probe: Probe, key: string, podIp: string): void {
    const w: Worker = { containerId: current.id, probe, result: type === 'readiness' || type === 'startup' ? 'failure' : 'success', successes: 0, failures: 0, timer: undefined, stopped: false };
    this.workers.set(key, w);
    const uid = pod.metadata?.uid ?? '';
    const startedAt = nanosToMs(current.startedAt);
    const firstAt = startedAt + (probe.initialDelaySeconds ?? 0) * 1000;
    const tick = async (): Promise<void> => {
      if (w.stopped) return;
      // Liveness and readiness wait for the startup probe to succeed.
      if (type !== 'startup' && c.startupProbe !== undefined && this.result(uid, c.name, 'startup', current.id)?.result !== 'success') {
        schedule((probe.periodSeconds ?? 10) * 1000);
        return;
      }
      if (w.failedFor !== undefined) return;
      const { ok, output } = await runProbe(this.o.cri, probe, current.id, this.o.networkProbes() ? { container: c, podIp: pod.spec?.hostNetwork === true ? this.o.hostIp() : podIp } : undefined);
      if (w.stopped) return;
      const before = w.result;
      if (ok) {
        w.failures = 0;
        w.successes++;
        if (w.successes >= (probe.successThreshold ?? 1)) w.result = 'success';
      } else {
        w.successes = 0;
        w.failures++;
        this.o.event(pod, 'Warning', 'Unhealthy', `${TITLE[type]} probe failed: ${output}`);
        if (w.failures >= (probe.failureThreshold ?? 3)) {
          w.result = 'failure';
          if (type !== 'readiness') {
            w.failedFor = `Container ${c.name} failed ${type} probe, will be restarted`;
            this.o.onChange(uid);
            return;
          }
        }
      }
      if (w.result !== before) this.o.onChange(uid);
      // A startup probe stops once it succeeded.
      if (type === 'startup' && w.result === 'success') return;
      schedule((probe.periodSeconds ?? 10) * 1000);
    };
    const schedule = (ms: number): void => {
      if (w.stopped) return;
      w.timer = this.o.clock.setTimer(Math.max(0, ms), () => void tick().catch((err: unknown) => {
        this.o.log.warn({ pod: uid, container: c.name, probe: type, err: err instanceof Error ? err.message : String(err) }, 'probe failed to run');
        schedule((probe.periodSeconds ?? 10) * 1000);
      }));
    };
    schedule(firstAt - this.o.clock.now());
  }
}
