// A pod's status as the kubelet reports it, computed from the runtime's view of the pod and what
// the last sync learned (why a container waits): phase, conditions, container statuses, IPs and
// start time, in upstream's words (v1.32).
import type { ContainerState, ContainerStatus as ApiContainerStatus, Pod, PodCondition } from '../api/core/v1/pod-types.js';
import { formatTime } from '../api/meta/v1.js';
import type { ContainerStatus } from '../cri/types.js';
import { containersNamed, nanosToMs, RESTART_COUNT_ANNOTATION, type RuntimePod } from './runtime-pod.js';

type PodStatus = NonNullable<Pod['status']>;
type Spec = NonNullable<Pod['spec']>;

/** Why a container is not running, as the last sync found it (ErrImagePull, CrashLoopBackOff ...). */
export interface WaitingReason {
  readonly reason: string;
  readonly message?: string;
}

export interface StatusInputs {
  readonly pod: Pod;
  readonly runtime: RuntimePod;
  /** By container name. */
  readonly waiting: ReadonlyMap<string, WaitingReason>;
  /** "kubets-fake" (the runtime's name, the prefix of container IDs). */
  readonly runtimeName: string;
  readonly hostIp: string;
  readonly nowMs: number;
  /** The pod is being torn down: report it as it ends, never restart. */
  readonly terminating?: boolean;
  /** Probe results of running containers (without it, a running container is ready). */
  readonly probes?: ProbeView;
}

/** What the prober says of a running container. */
export interface ProbeView {
  started(container: string, containerId: string): boolean;
  ready(container: string, containerId: string): boolean;
}

const iso = (nanos: string): string => formatTime(nanosToMs(nanos));

function stateOf(c: ContainerStatus, runtimeName: string): ContainerState {
  if (c.state === 'CONTAINER_RUNNING') return { running: { startedAt: iso(c.startedAt) } };
  if (c.state === 'CONTAINER_EXITED') {
    return {
      terminated: {
        exitCode: c.exitCode,
        reason: c.reason !== '' ? c.reason : c.exitCode === 0 ? 'Completed' : 'Error',
        ...(c.message !== '' ? { message: c.message } : {}),
        // A container that never started (its runtime died while starting it) has none, as upstream's null.
        ...(BigInt(c.startedAt) > 0n ? { startedAt: iso(c.startedAt) } : {}),
        finishedAt: BigInt(c.finishedAt) > 0n ? iso(c.finishedAt) : iso(c.createdAt),
        containerID: `${runtimeName}://${c.id}`,
      },
    };
  }
  return { waiting: { reason: 'ContainerCreating' } };
}

/** One container's status from its newest and previous runtime containers. */
export function containerStatus(spec: { name: string; image?: string }, runtime: RuntimePod, waiting: WaitingReason | undefined, runtimeName: string, initContainer: boolean, probes?: ProbeView): ApiContainerStatus {
  const [current, previous] = containersNamed(runtime, spec.name);
  const restartCount = current ? Number(current.annotations[RESTART_COUNT_ANNOTATION] ?? '0') : 0;
  let state: ContainerState;
  let lastState: ContainerState = {};
  if (current === undefined) state = { waiting: { reason: waiting?.reason ?? (initContainer ? 'PodInitializing' : 'ContainerCreating'), ...(waiting?.message ? { message: waiting.message } : {}) } };
  else if (current.state === 'CONTAINER_EXITED' && waiting !== undefined) {
    // Exited and waiting to be started again (back-off): the exit is the last state.
    state = { waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) } };
    lastState = stateOf(current, runtimeName);
  } else {
    state = stateOf(current, runtimeName);
    if (previous !== undefined && previous.state === 'CONTAINER_EXITED') lastState = stateOf(previous, runtimeName);
  }
  const running = state.running !== undefined && current !== undefined;
  const started = running && (probes === undefined || initContainer || probes.started(spec.name, current.id));
  return {
    name: spec.name,
    state,
    lastState,
    ready: running && (probes === undefined || initContainer || probes.ready(spec.name, current.id)),
    restartCount,
    image: spec.image ?? '',
    imageID: current?.imageRef ?? '',
    ...(current ? { containerID: `${runtimeName}://${current.id}` } : {}),
    started,
  };
}

function condition(prev: readonly PodCondition[] | undefined, type: string, status: 'True' | 'False', now: string, reason?: string, message?: string): PodCondition {
  const old = prev?.find((c) => c.type === type);
  return {
    type,
    status,
    lastTransitionTime: old?.status === status && old.lastTransitionTime ? old.lastTransitionTime : now,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

/** Will the container be started again after it exited with `exitCode`? */
export function restartsAfter(spec: Spec, exitCode: number): boolean {
  const policy = spec.restartPolicy ?? 'Always';
  return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
}

/** upstream's getPhase over the containers' states. */
export function podPhase(spec: Spec, statuses: readonly ApiContainerStatus[], initDone: boolean, initFailed: boolean): PodStatus['phase'] {
  if (initFailed) return 'Failed';
  if (!initDone) return 'Pending';
  let running = 0;
  let waiting = 0;
  let failed = 0;
  for (const s of statuses) {
    const ended = s.state?.terminated ?? (s.state?.waiting ? s.lastState?.terminated : undefined);
    if (s.state?.running) running++;
    else if (ended !== undefined) {
      if (ended.exitCode !== 0) failed++;
    } else if (s.state?.waiting) waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  const policy = spec.restartPolicy ?? 'Always';
  if (policy === 'Always') return 'Running';
  if (failed > 0) return policy === 'Never' ? 'Failed' : 'Running';
  return 'Succeeded';
}

/** Whether the init containers all completed; whether one failed for good. */
export function initProgress(spec: Spec, runtime: RuntimePod): { done: boolean; failed: boolean } {
  for (const c of spec.initContainers ?? []) {
    const [current] = containersNamed(runtime, c.name);
    if (current === undefined || current.state !== 'CONTAINER_EXITED') return { done: false, failed: false };
    if (current.exitCode !== 0) return { done: false, failed: (spec.restartPolicy ?? 'Always') === 'Never' };
  }
  return { done: true, failed: false };
}

export function computePodStatus(i: StatusInputs): PodStatus {
  const spec = i.pod.spec ?? ({ containers: [] } as Spec);
  const old = i.pod.status;
  const now = formatTime(i.nowMs);
  const sandbox = i.runtime.sandboxes[0];
  const sandboxReady = sandbox?.state === 'SANDBOX_READY';
  const hostNetwork = spec.hostNetwork === true;
  const podIp = hostNetwork ? i.hostIp : sandboxReady ? (sandbox.network?.ip ?? '') : (old?.podIP ?? '');
  const init = initProgress(spec, i.runtime);
  const initStatuses = (spec.initContainers ?? []).map((c) => containerStatus(c, i.runtime, i.waiting.get(c.name), i.runtimeName, true));
  const statuses = (spec.containers ?? []).map((c) => containerStatus(c, i.runtime, i.waiting.get(c.name), i.runtimeName, false, i.probes));
  if (!init.done) for (const s of statuses) if (s.state?.waiting && s.containerID === undefined) s.state.waiting.reason = 'PodInitializing';
  const phase = podPhase(spec, statuses, init.done, init.failed);
  const allReady = init.done && statuses.length > 0 && statuses.every((s) => s.ready);
  const notReady = statuses.filter((s) => !s.ready).map((s) => s.name);
  const notReadyMessage = `containers with unready status: [${notReady.join(' ')}]`;
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const conditions: PodCondition[] = [
    condition(old?.conditions, 'PodReadyToStartContainers', sandboxReady && !terminal ? 'True' : 'False', now),
    init.done ? condition(old?.conditions, 'Initialized', 'True', now) : condition(old?.conditions, 'Initialized', 'False', now, 'ContainersNotInitialized', `containers with incomplete status: [${initStatuses.filter((s) => !s.state?.terminated || s.state.terminated.exitCode !== 0).map((s) => s.name).join(' ')}]`),
    allReady && !terminal ? condition(old?.conditions, 'Ready', 'True', now) : condition(old?.conditions, 'Ready', 'False', now, terminal ? 'PodCompleted' : 'ContainersNotReady', terminal ? '' : notReadyMessage),
    allReady && !terminal ? condition(old?.conditions, 'ContainersReady', 'True', now) : condition(old?.conditions, 'ContainersReady', 'False', now, terminal ? 'PodCompleted' : 'ContainersNotReady', terminal ? '' : notReadyMessage),
  ];
  const scheduled = old?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled) conditions.push(scheduled);
  const startTime = old?.startTime ?? now;
  return {
    ...old,
    phase,
    conditions,
    hostIP: i.hostIp,
    hostIPs: [{ ip: i.hostIp }],
    ...(podIp !== '' ? { podIP: podIp, podIPs: [{ ip: podIp }] } : {}),
    startTime,
    ...(initStatuses.length > 0 ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: statuses,
  };
}
