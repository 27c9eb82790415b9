// A container's requests and limits as the runtime's cgroup settings, computed as upstream's
// kubelet does (pkg/kubelet/kuberuntime/kuberuntime_container_linux.go, pkg/kubelet/qos): CPU
// request → cpu.shares, CPU limit → CFS quota over a 100 ms period, memory limit → the memory
// cgroup's limit, the QoS class → oom_score_adj and the pod's cgroup parent.
import { existsSync, readdirSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Container, Pod } from '../api/core/v1/pod-types.js';
import { podQOSClass } from '../api/core/v1/pod-defaults.js';
import { tryParseQuantity } from '../api/resource/quantity.js';
import type { DeepPartial, LinuxContainerResources } from '../cri/types.js';

export const CPU_PERIOD_US = 100_000;
const MIN_SHARES = 2;
const MAX_SHARES = 262_144;
const SHARES_PER_CPU = 1024;
const MIN_QUOTA_PERIOD_US = 1000;
const GUARANTEED_OOM_SCORE_ADJ = -997;
const BEST_EFFORT_OOM_SCORE_ADJ = 1000;

export function milliCpuToShares(milliCpu: number): number {
  if (milliCpu <= 0) return MIN_SHARES;
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, Math.floor((milliCpu * SHARES_PER_CPU) / 1000)));
}

export function milliCpuToQuota(milliCpu: number, periodUs: number): number {
  if (milliCpu <= 0) return 0;
  return Math.max(MIN_QUOTA_PERIOD_US, Math.floor((milliCpu * periodUs) / 1000));
}

const milli = (v: unknown): number => Number(tryParseQuantity(v)?.milliValue() ?? 0n);
const bytes = (v: unknown): number => Number(tryParseQuantity(v)?.value() ?? 0n);

/** The OOM killer's preference for this container: Guaranteed last, BestEffort first, Burstable by its share of the node's memory. */
export function oomScoreAdj(pod: Pod, c: Container, memoryCapacityBytes: number): number {
  const qos = podQOSClass(pod.spec ?? { containers: [] });
  if (qos === 'Guaranteed') return GUARANTEED_OOM_SCORE_ADJ;
  if (qos === 'BestEffort') return BEST_EFFORT_OOM_SCORE_ADJ;
  const request = bytes(c.resources?.requests?.memory);
  const adj = memoryCapacityBytes > 0 ? 1000 - Math.floor((1000 * request) / memoryCapacityBytes) : 999;
  // A Burstable container stays above every Guaranteed one and below every BestEffort one.
  if (adj < 1000 + GUARANTEED_OOM_SCORE_ADJ) return 1000 + GUARANTEED_OOM_SCORE_ADJ;
  if (adj === BEST_EFFORT_OOM_SCORE_ADJ) return adj - 1;
  return adj;
}

/** The container's cgroup settings for CRI (int64 fields as decimal strings). */
export function linuxContainerResources(pod: Pod, c: Container, memoryCapacityBytes: number): DeepPartial<LinuxContainerResources> {
  const cpuRequest = milli(c.resources?.requests?.cpu);
  const cpuLimit = milli(c.resources?.limits?.cpu);
  const memoryLimit = bytes(c.resources?.limits?.memory);
  return {
    // A limit without a request is a request of the limit (the apiserver's defaulting sets it too).
    cpuShares: String(milliCpuToShares(cpuRequest > 0 ? cpuRequest : cpuLimit)),
    ...(cpuLimit > 0 ? { cpuPeriod: String(CPU_PERIOD_US), cpuQuota: String(milliCpuToQuota(cpuLimit, CPU_PERIOD_US)) } : {}),
    ...(memoryLimit > 0 ? { memoryLimitInBytes: String(memoryLimit) } : {}),
    oomScoreAdj: String(oomScoreAdj(pod, c, memoryCapacityBytes)),
  };
}

/** The pod's cgroup, under its QoS class's as upstream's cgroupfs layout: /kubepods[/burstable|/besteffort]/pod<uid>. */
export function podCgroupParent(pod: Pod): string {
  const qos = podQOSClass(pod.spec ?? { containers: [] });
  const uid = pod.metadata?.uid ?? '';
  return qos === 'Guaranteed' ? `/kubepods/pod${uid}` : `/kubepods/${qos.toLowerCase()}/pod${uid}`;
}

/**
 * Removes a gone pod's cgroups (runc makes the pod's directory as the parent of its containers'
 * and leaves it): under every cgroup v1 controller, or once in a v2 hierarchy. A directory still
 * holding processes, or absent, is left as it is.
 */
export async function removePodCgroups(uid: string, root = '/sys/fs/cgroup'): Promise<string[]> {
  const leaves = [`kubepods/pod${uid}`, `kubepods/burstable/pod${uid}`, `kubepods/besteffort/pod${uid}`];
  const hierarchies = existsSync(join(root, 'cgroup.controllers')) ? [root] : readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(root, d.name));
  const removed: string[] = [];
  for (const h of hierarchies) {
    for (const leaf of leaves) {
      const dir = join(h, leaf);
      if (!existsSync(dir)) continue;
      await rmdir(dir).then(() => removed.push(dir), () => undefined);
    }
  }
  return removed;
}
