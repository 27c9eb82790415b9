// The life of a leader-elected component (scheduler, controller-manager) across its terms. One
// incarnation builds clients, informers and workers and campaigns; when it misses a Lease renewal
// without anyone else taking the Lease (a stalled apiserver), it has already stopped acting, and a
// fresh incarnation contends again under the same identity: if the Lease still names it, it leads
// again with no failover, in a new term that fences off its predecessor's late writes. Lost to
// another holder, the process ends (exit 1), as upstream's components do, and its supervisor
// starts it again as a standby.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { ElectionOutcome } from '../client/leaderelection/leaderelection.js';
import { serveHealth, type HealthServer } from './health.js';

/** 'failed': the component's own work broke (a controller threw); the process exits non-zero. */
export type ComponentExit = ElectionOutcome | 'stopped' | 'failed';

export async function runAsCandidate(log: Logger, signal: AbortSignal, incarnation: (signal: AbortSignal) => Promise<ComponentExit>): Promise<Exclude<ComponentExit, 'renewal-missed'>> {
  for (;;) {
    const life = new AbortController();
    const stop = (): void => life.abort();
    signal.addEventListener('abort', stop, { once: true });
    let outcome: ComponentExit;
    try {
      outcome = await incarnation(life.signal);
    } finally {
      life.abort();
      signal.removeEventListener('abort', stop);
    }
    if (signal.aborted) return 'cancelled';
    if (outcome !== 'renewal-missed') return outcome;
    log.warn('stopped acting after a missed Lease renewal; contending again under the same identity');
  }
}

/**
 * A leader-elected component process: one identity (upstream's hostname_uuid) and one health
 * server for its whole life, and incarnations run by runAsCandidate until it stops or is deposed.
 */
export async function runCandidateProcess(
  flags: { readonly bindAddress: string; readonly securePort: number },
  log: Logger,
  signal: AbortSignal,
  incarnation: (life: AbortSignal, identity: string, health: HealthServer | undefined) => Promise<ComponentExit>,
): Promise<Exclude<ComponentExit, 'renewal-missed'>> {
  const identity = `${hostname()}_${randomUUID()}`;
  const health = flags.securePort >= 0 ? await serveHealth(flags.bindAddress, flags.securePort) : undefined;
  try {
    return await runAsCandidate(log, signal, (life) => incarnation(life, identity, health));
  } finally {
    health?.close();
  }
}
