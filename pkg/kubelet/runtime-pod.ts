// A pod as the runtime holds it: its sandboxes and containers found by the labels the kubelet
// put on them (upstream's io.kubernetes.* labels), read through CRI. This is how the kubelet
// finds the containers of a pod again after it restarts.
import type { Pod } from '../api/core/v1/pod-types.js';
import type { CriClient } from '../cri/client.js';
import type { ContainerStatus, PodSandbox, PodSandboxStatus } from '../cri/types.js';

export const POD_NAME_LABEL = 'io.kubernetes.pod.name';
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const POD_UID_LABEL = 'io.kubernetes.pod.uid';
export const CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';
export const CONTAINER_HASH_ANNOTATION = 'io.kubernetes.container.hash';
export const RESTART_COUNT_ANNOTATION = 'io.kubernetes.container.restartCount';
export const GRACE_PERIOD_ANNOTATION = 'io.kubernetes.pod.terminationGracePeriod';

export interface RuntimePod {
  readonly uid: string;
  /** Newest first. */
  readonly sandboxes: readonly PodSandboxStatus[];
  /** Newest first. */
  readonly containers: readonly ContainerStatus[];
}

export const emptyRuntimePod = (uid: string): RuntimePod => ({ uid, sandboxes: [], containers: [] });

const newestFirst = <T extends { createdAt: string }>(xs: T[]): T[] => xs.sort((a, b) => (BigInt(b.createdAt) > BigInt(a.createdAt) ? 1 : BigInt(b.createdAt) < BigInt(a.createdAt) ? -1 : 0));

/** The runtime's view of one pod (by uid). */
export async function readRuntimePod(cri: CriClient, uid: string, signal?: AbortSignal): Promise<RuntimePod> {
  const opts = signal ? { signal } : {};
  const sandboxes = await cri.listPodSandbox({ labelSelector: { [POD_UID_LABEL]: uid } }, opts);
  const sandboxStatuses = await Promise.all(sandboxes.map((s) => cri.podSandboxStatus(s.id, opts).catch(() => undefined)));
  const containers = await cri.listContainers({ labelSelector: { [POD_UID_LABEL]: uid } }, opts);
  const statuses = await Promise.all(containers.map((c) => cri.containerStatus(c.id, opts).catch(() => undefined)));
  return {
    uid,
    sandboxes: newestFirst(sandboxStatuses.filter((s): s is PodSandboxStatus => s !== undefined)),
    containers: newestFirst(statuses.filter((s): s is ContainerStatus => s !== undefined)),
  };
}

/** The uids of every pod the runtime has something of. */
export async function runtimePodUids(cri: CriClient, signal?: AbortSignal): Promise<Set<string>> {
  const sandboxes: PodSandbox[] = await cri.listPodSandbox(undefined, signal ? { signal } : {});
  return new Set(sandboxes.map((s) => s.labels[POD_UID_LABEL] ?? '').filter((u) => u !== ''));
}

/** The labels every sandbox and container of `pod` carries. */
export function podLabels(pod: Pod): Record<string, string> {
  return { [POD_NAME_LABEL]: pod.metadata?.name ?? '', [POD_NAMESPACE_LABEL]: pod.metadata?.namespace ?? '', [POD_UID_LABEL]: pod.metadata?.uid ?? '' };
}

/** The newest container of that name, and the one before it (the last termination). */
export function containersNamed(rp: RuntimePod, name: string): ContainerStatus[] {
  return rp.containers.filter((c) => c.labels[CONTAINER_NAME_LABEL] === name);
}

export const nanosToMs = (n: string): number => Number(BigInt(n) / 1_000_000n);
