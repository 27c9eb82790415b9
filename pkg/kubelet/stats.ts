// The kubelet's Summary API (/stats/summary, stats/v1alpha1 shapes) as metrics-server and
// `kubectl get --raw /api/v1/nodes/<node>/proxy/stats/summary` read it: the node's CPU and memory
// from the kernel (/proc/stat, /proc/meminfo), each pod's containers from the runtime's CRI
// ListContainerStats, pods as the sums of their containers. CPU rates (usageNanoCores) come
// from two readings: the runtime's own, or the difference from this kubelet's previous reading.
import { readFile } from 'node:fs/promises';
import type { ContainerStats, UInt64Value } from '../cri/types.js';
import { CONTAINER_NAME_LABEL, POD_UID_LABEL } from './runtime-pod.js';

export interface CpuStats {
  time: string;
  usageNanoCores?: number;
  usageCoreNanoSeconds?: number;
}

export interface MemoryStats {
  time: string;
  availableBytes?: number;
  usageBytes?: number;
  workingSetBytes?: number;
  rssBytes?: number;
  pageFaults?: number;
  majorPageFaults?: number;
}

export interface PodStatsInput {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly startTime?: string;
}

/** Linux's USER_HZ: /proc/stat counts in hundredths of a second. */
const CLOCK_TICKS_PER_SECOND = 100;

const num = (v: UInt64Value | undefined): number | undefined => (v === null || v === undefined ? undefined : Number(v.value));
const iso = (nanos: string | undefined, fallbackMs: number): string => new Date(nanos !== undefined && nanos !== '0' ? Number(BigInt(nanos) / 1_000_000n) : fallbackMs).toISOString();

/** The machine's cumulative CPU time (all cores, busy states) in nanoseconds. */
export function cpuNanosFromProcStat(text: string): number {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) return 0;
  // user nice system idle iowait irq softirq steal guest guest_nice: idle and iowait are not use; guests are inside user.
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user + nice + system + irq + softirq + steal) * 1e9) / CLOCK_TICKS_PER_SECOND;
}

/** Memory as the kubelet reports the node's: available = MemAvailable, usage = total − free, working set = usage − inactive file pages. */
export function memoryFromMeminfo(text: string): { availableBytes: number; usageBytes: number; workingSetBytes: number } {
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  const usage = kb('MemTotal') - kb('MemFree');
  return { availableBytes: kb('MemAvailable'), usageBytes: usage, workingSetBytes: Math.max(0, usage - kb('Inactive\\(file\\)')) };
}

export class StatsProvider {
  /** The last CPU reading of the node and of each container: for rates where the runtime gives none. */
  private readonly lastCpu = new Map<string, { nanos: number; atMs: number }>();

  constructor(
    private readonly o: {
      readonly nodeName: string;
      readonly startTime: () => string;
      readonly now: () => number;
      readonly containerStats: () => Promise<ContainerStats[]>;
      readonly procDir?: string;
    },
  ) {}

  /** A rate from a cumulative counter: nanoseconds of CPU per second of wall time, in nanocores. */
  private rate(key: string, nanos: number, nowMs: number): number | undefined {
    const last = this.lastCpu.get(key);
    this.lastCpu.set(key, { nanos, atMs: nowMs });
    if (last === undefined || nowMs <= last.atMs || nanos < last.nanos) return undefined;
    return Math.round(((nanos - last.nanos) / (nowMs - last.atMs)) * 1000);
  }

  async summary(pods: readonly PodStatsInput[]): Promise<object> {
    const nowMs = this.o.now();
    const time = new Date(nowMs).toISOString();
    const proc = this.o.procDir ?? '/proc';
    const nodeCpuNanos = cpuNanosFromProcStat(await readFile(`${proc}/stat`, 'utf8').catch(() => ''));
    const nodeMemory = memoryFromMeminfo(await readFile(`${proc}/meminfo`, 'utf8').catch(() => ''));
    const nodeRate = this.rate('node', nodeCpuNanos, nowMs);
    const stats = await this.o.containerStats();
    const seen = new Set<string>(['node']);
    const podSummaries = pods.map((p) => {
      const containers = stats
        .filter((s) => s.attributes?.labels?.[POD_UID_LABEL] === p.uid)
        .map((s) => {
          const id = s.attributes?.id ?? '';
          seen.add(id);
          const cumulative = num(s.cpu?.usageCoreNanoSeconds);
          const cpuTime = iso(s.cpu?.timestamp, nowMs);
          const nanoCores = num(s.cpu?.usageNanoCores) ?? (cumulative !== undefined ? this.rate(id, cumulative, nowMs) : undefined);
          const cpu: CpuStats = { time: cpuTime, ...(nanoCores !== undefined ? { usageNanoCores: nanoCores } : {}), ...(cumulative !== undefined ? { usageCoreNanoSeconds: cumulative } : {}) };
          const m = s.memory;
          const memory: MemoryStats = { time: iso(m?.timestamp, nowMs) };
          for (const [field, value] of [['availableBytes', m?.availableBytes], ['usageBytes', m?.usageBytes], ['workingSetBytes', m?.workingSetBytes], ['rssBytes', m?.rssBytes], ['pageFaults', m?.pageFaults], ['majorPageFaults', m?.majorPageFaults]] as const) {
            const n = num(value);
            if (n !== undefined) memory[field] = n;
          }
          return { name: s.attributes?.labels?.[CONTAINER_NAME_LABEL] ?? s.attributes?.metadata?.name ?? '', startTime: p.startTime ?? time, cpu, memory };
        });
      const sum = (pick: (c: (typeof containers)[number]) => number | undefined): number | undefined => {
        const values = containers.map(pick).filter((v): v is number => v !== undefined);
        return values.length > 0 ? values.reduce((a, b) => a + b, 0) : undefined;
      };
      const podCpu: CpuStats = { time };
      const podMemory: MemoryStats = { time };
      const nano = sum((c) => c.cpu.usageNanoCores);
      const cores = sum((c) => c.cpu.usageCoreNanoSeconds);
      if (nano !== undefined) podCpu.usageNanoCores = nano;
      if (cores !== undefined) podCpu.usageCoreNanoSeconds = cores;
      for (const field of ['usageBytes', 'workingSetBytes', 'rssBytes', 'pageFaults', 'majorPageFaults'] as const) {
        const v = sum((c) => c.memory[field]);
        if (v !== undefined) podMemory[field] = v;
      }
      return { podRef: { name: p.name, namespace: p.namespace, uid: p.uid }, startTime: p.startTime ?? time, containers, cpu: podCpu, memory: podMemory };
    });
    // Readings of containers gone are forgotten.
    for (const key of this.lastCpu.keys()) if (!seen.has(key)) this.lastCpu.delete(key);
    return {
      node: {
        nodeName: this.o.nodeName,
        startTime: this.o.startTime(),
        cpu: { time, ...(nodeRate !== undefined ? { usageNanoCores: nodeRate } : {}), usageCoreNanoSeconds: Math.round(nodeCpuNanos) },
        memory: { time, ...nodeMemory },
      },
      pods: podSummaries,
    };
  }
}
