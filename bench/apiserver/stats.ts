// Latency summaries and the two load shapes the benchmark uses: closed-loop workers (throughput)
// and open-loop pacing (latency at a fixed arrival rate, so a slow reply never delays the next send).
import { performance } from 'node:perf_hooks';

export interface LatencySummary {
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    meanMs: sorted.length ? round(sum / sorted.length) : Number.NaN,
    p50Ms: round(percentile(sorted, 50)),
    p90Ms: round(percentile(sorted, 90)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.length ? sorted[sorted.length - 1]! : Number.NaN),
  };
}

/** What an operation reports: ok, or a short description of what went wrong. */
export type OpResult = true | string;

export interface LoadResult {
  readonly ops: number;
  readonly errors: number;
  /** The first few distinct failures, verbatim enough to act on. */
  readonly errorSamples: string[];
  readonly elapsedMs: number;
  readonly perSec: number;
  readonly latency: LatencySummary;
  /** CPU ms each process spent per successful operation while this load ran. */
  readonly cpuMsPerOp?: Record<string, number | null>;
}

/** Cumulative CPU ms of each process of interest (apiserver, etcd, the benchmark itself). */
export type CpuProbe = () => Record<string, number | undefined>;

/** Runs a load and adds the CPU each probed process spent on it, per operation. */
export async function withCpu<T extends LoadResult>(probe: CpuProbe | undefined, run: () => Promise<T>): Promise<T> {
  if (!probe) return run();
  const before = probe();
  const r = await run();
  const after = probe();
  const perOp: Record<string, number | null> = {};
  for (const [k, a] of Object.entries(after)) {
    const b = before[k];
    perOp[k] = a !== undefined && b !== undefined && r.ops > 0 ? round((a - b) / r.ops) : null;
  }
  return { ...r, cpuMsPerOp: perOp };
}

class ErrorLog {
  count = 0;
  readonly samples: string[] = [];
  add(e: string): void {
    this.count++;
    if (this.samples.length < 5 && !this.samples.includes(e)) this.samples.push(e);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Runs `concurrency` workers that each issue `op` back to back until `durationMs` has passed or
 * `maxOps` were started, whichever comes first.
 */
export async function closedLoop(
  concurrency: number,
  durationMs: number,
  maxOps: number,
  op: (i: number) => Promise<OpResult>,
  signal: AbortSignal,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const errors = new ErrorLog();
  let next = 0;
  let done = 0;
  const start = performance.now();
  const deadline = start + durationMs;
  const worker = async (): Promise<void> => {
    while (!signal.aborted && next < maxOps && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      let r: OpResult;
      try {
        r = await op(i);
      } catch (err) {
        r = describe(err);
      }
      latencies.push(performance.now() - t0);
      if (r === true) done++;
      else errors.add(r);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - start;
  return {
    ops: done,
    errors: errors.count,
    errorSamples: errors.samples,
    elapsedMs: round(elapsedMs),
    perSec: round((done / elapsedMs) * 1000),
    latency: summarize(latencies),
  };
}

export interface PacedResult extends LoadResult {
  readonly targetPerSec: number;
  /** How late the client itself sent requests behind schedule (its own event-loop lag). */
  readonly sendLagMs: LatencySummary;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}

/**
 * Open-loop load: request i is sent at start + i/rate whether or not earlier ones have answered.
 * Latency is measured from the moment each request was actually sent.
 */
export async function paced(ratePerSec: number, durationMs: number, op: (i: number) => Promise<OpResult>, signal: AbortSignal): Promise<PacedResult> {
  const total = Math.max(1, Math.floor((ratePerSec * durationMs) / 1000));
  const period = 1000 / ratePerSec;
  const latencies: number[] = [];
  const lags: number[] = [];
  const errors = new ErrorLog();
  const inflight: Promise<void>[] = [];
  let done = 0;
  const start = performance.now();
  for (let i = 0; i < total && !signal.aborted; i++) {
    const due = start + i * period;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const sent = performance.now();
    lags.push(Math.max(0, sent - due));
    inflight.push(
      op(i).then(
        (r) => {
          latencies.push(performance.now() - sent);
          if (r === true) done++;
          else errors.add(r);
        },
        (err: unknown) => {
          latencies.push(performance.now() - sent);
          errors.add(describe(err));
        },
      ),
    );
  }
  await Promise.all(inflight);
  const elapsedMs = performance.now() - start;
  return {
    ops: done,
    errors: errors.count,
    errorSamples: errors.samples,
    elapsedMs: round(elapsedMs),
    perSec: round((done / elapsedMs) * 1000),
    targetPerSec: ratePerSec,
    latency: summarize(latencies),
    sendLagMs: summarize(lags),
  };
}

/** Runs `op` `iterations` times one after another and summarizes the latencies. */
export async function serial(iterations: number, op: (i: number) => Promise<OpResult>, signal: AbortSignal): Promise<LoadResult> {
  return closedLoop(1, Number.POSITIVE_INFINITY, iterations, op, signal);
}
