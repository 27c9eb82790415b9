// Reads a V8 .cpuprofile (node --cpu-prof) and ranks where the time went: self time per function
// and per source file, so a report can name the scheduler's hot spots.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}

interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: number[];
  readonly timeDeltas: number[];
}

export interface HotSpot {
  readonly name: string;
  readonly selfMs: number;
  readonly selfPct: number;
}

export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  /** Sampled time outside idle: what the process actually computed. */
  readonly busyMs: number;
  readonly topFunctions: HotSpot[];
  readonly topFiles: HotSpot[];
}

function isProfile(v: unknown): v is CpuProfile {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  return Array.isArray(p.nodes) && Array.isArray(p.samples) && Array.isArray(p.timeDeltas);
}

/** "dist/pkg/scheduler/cache/cache.js" from a file:// URL, or the frame's own label (GC, idle). */
function where(frame: CallFrame): string {
  if (frame.url === '') return '';
  const path = frame.url.replace(/^file:\/\//, '');
  const i = path.indexOf('/dist/');
  if (i >= 0) return path.slice(i + 1);
  const nm = path.indexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + 1);
  return path.startsWith('node:') ? path : basename(path);
}

function rank(m: Map<string, number>, busy: number, top: number): HotSpot[] {
  return [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, selfMs: Math.round(us / 1000), selfPct: busy > 0 ? Math.round((us / busy) * 1000) / 10 : 0 }));
}

export function summarizeProfile(file: string, top = 20): ProfileSummary {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isProfile(parsed)) throw new Error(`${file} is not a V8 CPU profile`);
  const byId = new Map(parsed.nodes.map((n) => [n.id, n.callFrame]));
  const selfUs = new Map<number, number>();
  // The delta before sample i is the time that sample stands for.
  for (let i = 0; i < parsed.samples.length; i++) {
    const id = parsed.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (parsed.timeDeltas[i] ?? 0));
  }
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const f = byId.get(id);
    if (!f) continue;
    total += us;
    if (f.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const file = where(f);
    const name = file === '' ? f.functionName : `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
    fns.set(name, (fns.get(name) ?? 0) + us);
    const key = file === '' ? f.functionName : file;
    files.set(key, (files.get(key) ?? 0) + us);
  }
  const busy = total - idle;
  return { file, totalMs: Math.round(total / 1000), busyMs: Math.round(busy / 1000), topFunctions: rank(fns, busy, top), topFiles: rank(files, busy, Math.ceil(top / 2)) };
}

/** Summaries of every .cpuprofile in `dir`, largest busy time first. */
export function summarizeProfiles(dir: string, top = 20): ProfileSummary[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  return files.map((f) => summarizeProfile(join(dir, f), top)).sort((a, b) => b.busyMs - a.busyMs);
}
