// The chaos report: one JSON document (machine-readable, for CI and for comparing runs) and a short
// human summary of it.
import type { DaemonSetHistory, DeploymentHistory, FaultRecord, JobHistory, StatefulSetHistory, LeaderHistory, LeakCheck, WatchHistory, WriteOp, WriteRecord } from './history.js';
import type { InvariantResult, LostWrite } from './invariants.js';
import { FAULT_KINDS, type FaultKind, type FaultStep } from './plan.js';

const MAX_LISTED_WRITES = 500;

/** Nearest-rank percentile of `values` (p in 0..100); undefined for no values. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

function ms(v: number | undefined): number | undefined {
  return v === undefined ? undefined : Math.round(v);
}

export interface UnavailabilityStats {
  readonly count: number;
  readonly anyMaxMs?: number;
  readonly anyP99Ms?: number;
  readonly faultedMaxMs?: number;
  readonly faultedP99Ms?: number;
}

export function unavailabilityByKind(faults: readonly FaultRecord[]): Partial<Record<FaultKind, UnavailabilityStats>> {
  const out: Partial<Record<FaultKind, UnavailabilityStats>> = {};
  for (const kind of FAULT_KINDS) {
    const hit = faults.filter((f) => f.fault === kind && f.injectedAt !== undefined);
    const any = hit.map((f) => f.unavailableAnyMs).filter((v): v is number => v !== undefined);
    const faulted = hit.map((f) => f.unavailableFaultedMs).filter((v): v is number => v !== undefined);
    out[kind] = {
      count: hit.length,
      anyMaxMs: ms(any.length > 0 ? Math.max(...any) : undefined),
      anyP99Ms: ms(percentile(any, 99)),
      faultedMaxMs: ms(faulted.length > 0 ? Math.max(...faulted) : undefined),
      faultedP99Ms: ms(percentile(faulted, 99)),
    };
  }
  return out;
}

type Counts = { acknowledged: number; failed: number; unknown: number };

function countWrites(writes: readonly WriteRecord[]): Counts & { byOp: Record<WriteOp, Counts> } {
  const zero = (): Counts => ({ acknowledged: 0, failed: 0, unknown: 0 });
  const byOp: Record<WriteOp, Counts> = { create: zero(), update: zero(), delete: zero() };
  const all = zero();
  for (const w of writes) {
    all[w.outcome]++;
    byOp[w.op][w.outcome]++;
  }
  return { ...all, byOp };
}

function writeSummary(w: WriteRecord): Record<string, unknown> {
  return {
    id: w.id,
    key: w.key,
    op: w.op,
    outcome: w.outcome,
    rv: w.rv,
    precondition: w.precondition,
    sentAtMs: ms(w.sentAt),
    durationMs: ms(w.endedAt - w.sentAt),
    server: w.server,
    error: w.error,
    stuck: w.stuck,
  };
}

function faultSummary(f: FaultRecord): Record<string, unknown> {
  return {
    index: f.index,
    fault: f.fault,
    target: f.step.target,
    component: f.component,
    durationMs: f.step.durationMs,
    plannedAtMs: f.step.atMs,
    injectedAtMs: ms(f.injectedAt),
    incarnation: f.incarnation,
    newIncarnation: f.newIncarnation,
    exitMs: ms(f.exitMs),
    termEscalated: f.termEscalated,
    unavailableAnyMs: ms(f.unavailableAnyMs),
    unavailableFaultedMs: ms(f.unavailableFaultedMs),
    recoveredMs: ms(f.recoveredMs),
    boundAnyMs: f.boundAnyMs,
    boundFaultedMs: f.boundFaultedMs,
    removedNode: f.removedNode,
    afterRemoval: f.afterRemoval,
    skipped: f.skipped,
    error: f.error,
  };
}

/** Unknown-outcome creates and updates the watch shows did happen (deletes carry no writer id). */
function unknownSeenApplied(writes: readonly WriteRecord[], watch: WatchHistory): number {
  const seen = new Set(watch.events.map((e) => e.writeId).filter((id): id is number => id !== undefined));
  return writes.filter((w) => w.outcome === 'unknown' && seen.has(w.id)).length;
}

export interface ReportInput {
  readonly seed: number;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly interrupted: boolean;
  readonly namespace: string;
  readonly cluster: { readonly kind: 'local' | 'compose'; readonly where: string; readonly kept: boolean; readonly etcd: readonly string[]; readonly apiservers: readonly string[] };
  readonly plan: readonly FaultStep[];
  readonly faults: readonly FaultRecord[];
  readonly writes: readonly WriteRecord[];
  readonly lost: readonly LostWrite[];
  readonly watch: WatchHistory;
  readonly leaks: LeakCheck;
  readonly invariants: readonly InvariantResult[];
  readonly leaders?: LeaderHistory;
  readonly deployments?: DeploymentHistory;
  readonly jobs?: JobHistory;
  readonly statefulsets?: StatefulSetHistory;
  readonly daemonset?: DaemonSetHistory;
}

export interface ChaosReport {
  readonly seed: number;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly interrupted: boolean;
  readonly passed: boolean;
  readonly namespace: string;
  readonly cluster: ReportInput['cluster'];
  readonly plan: readonly FaultStep[];
  readonly faults: Record<string, unknown>[];
  readonly writes: ReturnType<typeof countWrites> & { readonly attempted: number; readonly lost: number; readonly unknownSeenApplied: number };
  readonly lostWrites: Record<string, unknown>[];
  readonly unknownWrites: Record<string, unknown>[];
  readonly unknownWritesListed: number;
  readonly watch: Record<string, unknown>;
  readonly unavailability: Partial<Record<FaultKind, UnavailabilityStats>>;
  readonly processes: { readonly tracked: number; readonly leaked: LeakCheck['leaked'] };
  readonly invariants: readonly InvariantResult[];
  /** The scheduling trickle: pods created and bound, Lease terms seen. */
  readonly scheduling?: {
    readonly podsCreated: number;
    readonly podsBound: number;
    readonly leaseTerms: number;
    readonly leaders: readonly string[];
    /** Every version of the kube-scheduler Lease the audit saw, by etcd revision: the evidence the leader check judged with. */
    readonly leaseHistory: readonly { readonly rv: number; readonly holder: string; readonly transitions: number }[];
  };
  /** The Deployments kept changing under the faults, and how they converged. */
  readonly deployments?: DeploymentHistory;
  /** The Jobs started under the faults, and what they counted. */
  readonly jobs?: JobHistory;
  /** The StatefulSets kept changing under the faults: ordinal overlaps and convergence. */
  readonly statefulsets?: StatefulSetHistory;
  /** The DaemonSet rolled under the faults, and how it converged. */
  readonly daemonset?: DaemonSetHistory;
}

export function buildReport(r: ReportInput): ChaosReport {
  const unknown = r.writes.filter((w) => w.outcome === 'unknown');
  return {
    seed: r.seed,
    startedAt: r.startedAt,
    durationMs: Math.round(r.durationMs),
    interrupted: r.interrupted,
    passed: !r.interrupted && r.invariants.every((i) => i.pass),
    namespace: r.namespace,
    cluster: r.cluster,
    plan: r.plan,
    faults: r.faults.map(faultSummary),
    writes: { attempted: r.writes.length, ...countWrites(r.writes), lost: r.lost.length, unknownSeenApplied: unknownSeenApplied(r.writes, r.watch) },
    lostWrites: r.lost.map((l) => ({ ...writeSummary(l.write), reason: l.reason })),
    unknownWrites: unknown.slice(0, MAX_LISTED_WRITES).map(writeSummary),
    unknownWritesListed: Math.min(unknown.length, MAX_LISTED_WRITES),
    watch: {
      events: r.watch.events.length,
      received: r.watch.events.filter((e) => !e.synthetic).length,
      synthetic: r.watch.events.filter((e) => e.synthetic).length,
      streams: r.watch.streams,
      reconnects: r.watch.reconnects,
      idleReconnects: r.watch.idleReconnects,
      relistsAfterGone: r.watch.relists.filter((x) => x.reason === 'gone').length,
      relists: r.watch.relists,
      caughtUp: r.watch.caughtUp,
      errors: r.watch.errors.slice(0, 50),
    },
    unavailability: unavailabilityByKind(r.faults),
    processes: { tracked: r.leaks.tracked.length, leaked: r.leaks.leaked },
    invariants: r.invariants,
    ...(r.leaders !== undefined
      ? {
          scheduling: {
            podsCreated: r.leaders.created,
            podsBound: r.leaders.bindings.length,
            leaseTerms: new Set(r.leaders.leases.map((l) => l.transitions)).size,
            leaders: [...new Set(r.leaders.leases.map((l) => l.holder).filter((h) => h !== ''))],
            leaseHistory: r.leaders.leases.map((l) => ({ rv: l.rv, holder: l.holder, transitions: l.transitions })),
          },
        }
      : {}),
    ...(r.deployments !== undefined ? { deployments: r.deployments } : {}),
    ...(r.jobs !== undefined ? { jobs: r.jobs } : {}),
    ...(r.statefulsets !== undefined ? { statefulsets: r.statefulsets } : {}),
    ...(r.daemonset !== undefined ? { daemonset: r.daemonset } : {}),
  };
}

/** A few lines for a person: the verdict, the counts, each fault, each invariant. */
export function humanSummary(rep: ChaosReport): string {
  const lines: string[] = [];
  lines.push(`chaos: seed ${rep.seed}, ${(rep.durationMs / 1000).toFixed(0)}s, ${rep.faults.length} fault(s): ${rep.passed ? 'PASS' : rep.interrupted ? 'INTERRUPTED' : 'FAIL'}`);
  const w = rep.writes;
  lines.push(`writes: ${w.attempted} sent, ${w.acknowledged} acknowledged, ${w.failed} refused, ${w.unknown} unknown outcome (${w.unknownSeenApplied} seen applied), ${w.lost} lost`);
  if (rep.deployments !== undefined) {
    const ds = rep.deployments.deployments;
    lines.push(`deployments: ${ds.length} changed ${ds.reduce((n, d) => n + d.changes, 0)} time(s), ${ds.filter((d) => d.convergedAfterMs !== undefined).length} converged, peak pods ${ds.map((d) => `${d.peakPods}/${d.podBound}`).join(' ')}`);
  }
  if (rep.jobs !== undefined) {
    const js = rep.jobs.jobs;
    lines.push(`jobs: ${js.length} started, ${js.filter((j) => j.doneAfterMs !== undefined).length} done, ${js.reduce((n, j) => n + j.succeeded, 0)} completions counted, ${js.reduce((n, j) => n + j.failed, 0)} failed pod(s) retried`);
  }
  if (rep.statefulsets !== undefined) {
    const ss = rep.statefulsets.sets;
    lines.push(`statefulsets: ${ss.length} changed ${ss.reduce((n, x) => n + x.changes, 0)} time(s), ${ss.filter((x) => x.convergedAfterMs !== undefined).length} converged, ${rep.statefulsets.podsSeen} pod identities, ${rep.statefulsets.overlaps.length} ordinal overlap(s)`);
  }
  if (rep.daemonset !== undefined) lines.push(`daemonset: rolled ${rep.daemonset.changes} time(s), ${rep.daemonset.convergedAfterMs !== undefined ? `converged after ${rep.daemonset.convergedAfterMs} ms` : 'not converged'}`);
  if (rep.scheduling !== undefined) lines.push(`scheduling: ${rep.scheduling.podsBound} of ${rep.scheduling.podsCreated} pods bound, ${rep.scheduling.leaseTerms} Lease term(s), ${rep.scheduling.leaders.length} leader(s)`);
  lines.push(`watch: ${String(rep.watch['received'])} events on ${String(rep.watch['streams'])} stream(s), ${String(rep.watch['relistsAfterGone'])} relist(s) after 410, ${String(rep.watch['idleReconnects'])} stalled stream(s) resumed`);
  for (const f of rep.faults) {
    const what = `${String(f['fault'])} ${String(f['component'] ?? f['target'])}`;
    if (f['skipped'] !== undefined) lines.push(`  fault ${String(f['index'])} ${what}: skipped (${String(f['skipped'])})`);
    else if (f['error'] !== undefined) lines.push(`  fault ${String(f['index'])} ${what}: error: ${String(f['error'])}`);
    else if (f['removedNode'] !== undefined) {
      lines.push(`  fault ${String(f['index'])} at ${String(f['injectedAtMs'])}ms ${what}: gone for good; the rest healthy after ${String(f['recoveredMs'] ?? 'never')}ms; by the end: ${String(f['afterRemoval'] ?? 'unread')}`);
    } else {
      lines.push(
        `  fault ${String(f['index'])} at ${String(f['injectedAtMs'])}ms ${what}: API down ${String(f['unavailableAnyMs'] ?? '?')}ms (any), ` +
          `${String(f['unavailableFaultedMs'] ?? '?')}ms (faulted), healthy after ${String(f['recoveredMs'] ?? 'never')}ms`,
      );
    }
  }
  for (const inv of rep.invariants) {
    lines.push(`${inv.pass ? 'ok  ' : 'FAIL'} ${inv.name}: ${inv.summary}`);
    if (!inv.pass) for (const d of inv.details.slice(0, 5)) lines.push(`       ${d}`);
  }
  return lines.join('\n') + '\n';
}
