// Leader failover of two scheduler replicas with the default leader-election timings: the leader
// is killed (SIGKILL) or asked to stop (SIGTERM), and the time until the Lease names the standby
// is measured by polling the Lease every 20 ms.
import { performance } from 'node:perf_hooks';
import type { RestClient } from '../../pkg/client/rest.js';
import type { Cleanup } from '../apiserver/processes.js';
import { leaseHolder, message, SchedulerProcess, sleep, waitForHolder } from './cluster.js';

export interface FailoverOptions {
  readonly distDir: string;
  readonly kubeconfig: string;
  readonly dir: string;
  readonly cleanup: Cleanup;
  readonly rounds: number;
  readonly log: (line: string) => void;
}

export interface FailoverRound {
  readonly signal: 'SIGKILL' | 'SIGTERM';
  /** Signal sent → Lease held by the standby; null when it did not happen within the timeout. */
  readonly ms: number | null;
  /** Signal sent → the standby's "became leader" log record (its timestamp, whole ms). */
  readonly becameLeaderMs: number | null;
  readonly oldLeaderExit: string;
  /** Signal sent → the old leader's process gone (SIGTERM: by itself, within 10 s, else killed). */
  readonly oldLeaderGoneMs: number;
  readonly notes?: string[];
  readonly error?: string;
}

export interface FailoverResult {
  readonly kill9Ms: Array<number | null>;
  readonly sigtermMs: Array<number | null>;
  readonly kill9MaxMs: number | null;
  readonly sigtermMaxMs: number | null;
  readonly rounds: FailoverRound[];
  /** Leaders that lost the Lease on their own while the round was being set up (the round was redone). */
  readonly leadersLostBeforeKill: string[];
}

const POLL_MS = 20;
const TAKEOVER_TIMEOUT_MS = 30_000;

function maxOf(xs: Array<number | null>): number | null {
  return xs.length === 0 || xs.some((x) => x === null) ? null : Math.max(...(xs as number[]));
}

export async function measureFailover(client: RestClient, opts: FailoverOptions, signal: AbortSignal): Promise<FailoverResult> {
  let seq = 0;
  const replicas: SchedulerProcess[] = [];
  const startReplica = (): SchedulerProcess => {
    const p = SchedulerProcess.start({ name: `scheduler-failover-${seq++}`, distDir: opts.distDir, kubeconfig: opts.kubeconfig, dir: opts.dir, cleanup: opts.cleanup });
    replicas.push(p);
    return p;
  };
  const rounds: FailoverRound[] = [];
  const lostBeforeKill: string[] = [];
  try {
    for (const sig of ['SIGKILL', 'SIGTERM'] as const) {
      for (let r = 0; r < opts.rounds && !signal.aborted; r++) {
        while (replicas.filter((p) => p.exited() === undefined).length < 2) startReplica();
        const live = replicas.filter((p) => p.exited() === undefined);
        for (const p of live) await p.waitFor('it logged its identity', () => p.identity !== undefined, 30_000, signal);
        const ids = new Set(live.map((p) => p.identity));
        const holder = await waitForHolder(client, (h) => h !== undefined && ids.has(h), 60_000, signal);
        const leader = live.find((p) => p.identity === holder)!;
        const standby = live.find((p) => p !== leader)!;
        // A candidate that has read the Lease once is in its retry loop: the state a failure meets.
        await standby.waitFor('it saw the leader', () => standby.sawLeader === holder, 30_000, signal);
        const notes: string[] = [];
        // A holder that never reported its term would not be renewing: say so next to the figure.
        await leader.waitFor('it logged "became leader"', () => leader.becameLeaderAt !== undefined, 10_000, signal).catch(() => notes.push('the Lease holder never logged "became leader"'));
        // A fresh standby first lists every pod and node; measure the steady state after that.
        if (!(await standby.waitIdle(0.2, 500, 60_000))) notes.push('the standby did not go idle within 60 s');
        await sleep(500);
        // The leader may have lost its Lease while we waited: that is no failover of ours to time.
        if (leader.exited() !== undefined || (await leaseHolder(client, signal)) !== leader.identity) {
          lostBeforeKill.push(`${leader.name} (${leader.exited() ?? 'running'}${leader.lastError ? `, ${leader.lastError}` : ''})`);
          if (lostBeforeKill.length > 6) throw new Error(`leaders kept losing the Lease before the kill: ${lostBeforeKill.join('; ')}`);
          r--;
          continue;
        }
        const t0 = performance.now();
        const t0Wall = Date.now();
        leader.child.kill(sig);
        let ms: number | null = null;
        let error: string | undefined;
        const deadline = t0 + TAKEOVER_TIMEOUT_MS;
        while (!signal.aborted && performance.now() < deadline) {
          const h = await leaseHolder(client, signal);
          if (h === standby.identity) {
            ms = Math.round(performance.now() - t0);
            break;
          }
          await sleep(POLL_MS);
        }
        if (ms === null) error = `the standby did not hold the Lease within ${TAKEOVER_TIMEOUT_MS} ms`;
        // After SIGTERM the old leader should finish on its own; only then is it forced.
        const graceful = sig === 'SIGTERM' ? await leader.waitExit(10_000) : undefined;
        if (sig === 'SIGTERM' && graceful === undefined) notes.push('the old leader had not exited 10 s after SIGTERM');
        const oldLeaderExit = graceful ?? (await leader.stop('SIGKILL').catch((err: unknown) => `stop failed: ${message(err)}`));
        const exitMs = Math.round(performance.now() - t0);
        // The log line may trail the Lease write: its own timestamp says when it happened.
        await standby.waitFor('it logged "became leader"', () => (standby.becameLeaderAt ?? 0) >= t0Wall, 2000, signal).catch(() => undefined);
        const becameLeaderMs = standby.becameLeaderAt !== undefined && standby.becameLeaderAt >= t0Wall ? standby.becameLeaderAt - t0Wall : null;
        rounds.push({ signal: sig, ms, becameLeaderMs, oldLeaderExit, oldLeaderGoneMs: exitMs, ...(notes.length ? { notes } : {}), ...(error ? { error } : {}) });
        opts.log(`failover after ${sig} #${r + 1}: ${ms ?? 'none'} ms (old leader ${oldLeaderExit})`);
      }
    }
  } finally {
    await Promise.all(replicas.map((p) => p.stop('SIGTERM')));
  }
  const kill9Ms = rounds.filter((r) => r.signal === 'SIGKILL').map((r) => r.ms);
  const sigtermMs = rounds.filter((r) => r.signal === 'SIGTERM').map((r) => r.ms);
  return { kill9Ms, sigtermMs, kill9MaxMs: maxOf(kill9Ms), sigtermMaxMs: maxOf(sigtermMs), rounds, leadersLostBeforeKill: lostBeforeKill };
}
