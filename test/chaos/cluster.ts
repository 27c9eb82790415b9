// What the harness knows about the launcher's cluster: cluster.json, the processes behind it (with
// their start times, so a reused pid is never mistaken for ours), and health probes over loopback.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isNodeSidecar, type ClusterRecord } from '../../pkg/cluster/launcher.js';
import { CriClient } from '../../pkg/cri/client.js';
import type { LeakCheck } from './history.js';

/** A process the cluster ran, with its start time so a reused pid is never mistaken for it. */
export interface TrackedProcess {
  readonly name: string;
  readonly pid: number;
  readonly startTime: string;
}

export type { ClusterRecord };

/** cluster.json, or undefined while the launcher is (re)writing it. */
export function readClusterRecord(dir: string): ClusterRecord | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const r = parsed as Partial<ClusterRecord>;
    if (!Array.isArray(r.etcd) || !Array.isArray(r.apiservers) || !Array.isArray(r.components)) return undefined;
    return r as ClusterRecord;
  } catch {
    // Missing, or caught half-written: the caller asks again.
    return undefined;
  }
}

export interface ProcStat {
  /** R, S, D, T (stopped), Z (zombie) ... */
  readonly state: string;
  readonly ppid: number;
  readonly startTime: string;
}

/** State and start time from /proc/<pid>/stat; undefined when there is no such process. */
export function procStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces; fields after it are plain.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const state = rest[0] ?? '';
    const startTime = rest[19] ?? '';
    return { state, ppid: Number(rest[1] ?? 0), startTime };
  } catch {
    return undefined;
  }
}

/** A live descendant of `ancestor` whose command line holds `part` (a kubelet under `kubets node` under docker-init). */
export function descendantProcess(ancestor: number, part: string): { pid: number; startTime: string } | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = procStat(pid);
    if (stat === undefined || stat.state === 'Z') continue;
    let up = stat.ppid;
    for (let depth = 0; up > 1 && up !== ancestor && depth < 8; depth++) up = procStat(up)?.ppid ?? 0;
    if (up !== ancestor) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(part)) return { pid, startTime: stat.startTime };
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined;
}

/** True while `pid` is a live (not zombie) process, and the same one if a start time is given. */
export function isRunning(pid: number, startTime?: string): boolean {
  const s = procStat(pid);
  if (s === undefined || s.state === 'Z' || s.state === 'X') return false;
  return startTime === undefined || s.startTime === startTime;
}

/** Remembers every process the cluster ran (polling cluster.json and pids/), to check for leaks at the end. */
export class ProcessTracker {
  private readonly seen = new Map<string, TrackedProcess>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly dir: string) {}

  /** Records a process by hand (the launcher itself). */
  add(name: string, pid: number): void {
    const s = procStat(pid);
    if (s === undefined) return;
    const id = `${pid}/${s.startTime}`;
    if (!this.seen.has(id)) this.seen.set(id, { name, pid, startTime: s.startTime });
  }

  poll(): void {
    const record = readClusterRecord(this.dir);
    for (const c of record?.components ?? []) if (c.pid !== undefined) this.add(c.name, c.pid);
    const pidDir = join(this.dir, 'pids');
    if (!existsSync(pidDir)) return;
    for (const f of readdirSync(pidDir)) {
      try {
        const pid = Number(readFileSync(join(pidDir, f), 'utf8').trim());
        if (Number.isInteger(pid) && pid > 0) this.add(f.replace(/\.pid$/, ''), pid);
      } catch {
        // Removed between readdir and read: the process exited.
      }
    }
  }

  start(intervalMs: number): void {
    this.poll();
    this.timer = setInterval(() => this.poll(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  tracked(): TrackedProcess[] {
    return [...this.seen.values()];
  }

  running(): TrackedProcess[] {
    return this.tracked().filter((p) => isRunning(p.pid, p.startTime));
  }

  /** Waits up to `ms` for every tracked process to be gone; reports the ones still there. */
  async leakCheck(ms: number): Promise<LeakCheck> {
    const deadline = Date.now() + ms;
    let left = this.running();
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      left = this.running();
    }
    const record = (p: TrackedProcess): { name: string; id: string } => ({ name: p.name, id: `pid ${p.pid}` });
    return { tracked: this.tracked().map(record), leaked: left.map(record) };
  }
}

/** A GET of `url` answered 2xx within `timeoutMs`. */
export async function httpOk(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** One request through the API on `server`: a consistent (etcd-backed) list of one ConfigMap. */
export const probeApiserver = (server: string, namespace: string, timeoutMs: number): Promise<boolean> => httpOk(`${server}/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps?limit=1`, timeoutMs);

export const apiserverReady = (server: string, timeoutMs: number): Promise<boolean> => httpOk(`${server}/readyz`, timeoutMs);

/** The kubelet's /healthz: registered, and its runtime answered a relist lately. */
export const kubeletHealthy = (url: string, timeoutMs: number): Promise<boolean> => httpOk(`${url}/healthz`, timeoutMs);

/** A container runtime is healthy when it answers CRI Version on its socket. */
export async function runtimeHealthy(url: string, timeoutMs: number): Promise<boolean> {
  const cri = new CriClient({ endpoint: url, timeoutMs });
  try {
    await cri.version();
    return true;
  } catch {
    return false;
  } finally {
    cri.close();
  }
}

/** etcd's /health: true when the member is up and its cluster has a leader. */
export async function etcdHealthy(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    const body: unknown = await res.json();
    return res.ok && typeof body === 'object' && body !== null && (body as { health?: unknown }).health === 'true';
  } catch {
    return false;
  }
}

/** Components not healthy right now (all of them answer, none is stopped); empty means healthy. */
export async function unhealthyComponents(record: ClusterRecord, timeoutMs: number): Promise<string[]> {
  const checks = record.components.map(async (c) => {
    if (c.pid === undefined || !isRunning(c.pid)) return `${c.name}: not running`;
    if (procStat(c.pid)?.state === 'T') return `${c.name}: stopped`;
    // A node's runtime is healthy when its kubelet is (the kubelet's /healthz asks the runtime); its
    // CSI driver when it runs.
    if (isNodeSidecar(c.name)) return undefined;
    const ok = c.name.startsWith('etcd') ? await etcdHealthy(c.url, timeoutMs) : c.name.startsWith('node-') ? await kubeletHealthy(c.url, timeoutMs) : await apiserverReady(c.url, timeoutMs);
    return ok ? undefined : `${c.name}: not ready`;
  });
  return (await Promise.all(checks)).filter((s): s is string => s !== undefined);
}
