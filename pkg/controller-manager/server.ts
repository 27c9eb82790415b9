// Wires a controller-manager process: clients from the flags, the enabled controllers on one
// shared informer factory (caches warmed before and whether or not this replica leads), leader
// election, then every controller's loop for as long as this replica leads. A replica that loses
// the Lease to another exits, as upstream's does, and its supervisor starts it again as a
// candidate; one that only missed renewals (a stalled apiserver) builds a fresh incarnation and
// contends again under the same identity (pkg/cli/candidate.ts).
import type { Logger } from 'pino';
import { leaseResource, type Lease } from '../api/coordination/v1/lease.js';
import { restOptionsFromFlags } from '../cli/client.js';
import { LEADER_HEALTH_TOLERANCE_MS, type HealthServer } from '../cli/health.js';
import { realClock } from '../client/clock.js';
import { EventRecorder } from '../client/events.js';
import { SharedInformerFactory } from '../client/informer/index.js';
import { LeaderElector } from '../client/leaderelection/leaderelection.js';
import { runCandidateProcess, type ComponentExit } from '../cli/candidate.js';
import { RestClient } from '../client/rest.js';
import { restDiscovery, restObjectClient, type Controller, type ControllerDefinition } from '../controller/framework/index.js';
import type { ControllerManagerFlags } from './options.js';
import { runControllers } from './run-controllers.js';

/** How long a new leader waits for its caches to catch up with the API before starting anyway. */
const CACHE_FRESHNESS_TIMEOUT_MS = 10_000;

export type ControllerManagerExit = Exclude<ComponentExit, 'renewal-missed'>;

export async function runControllerManagerProcess(flags: ControllerManagerFlags, defs: readonly ControllerDefinition[], log: Logger, signal: AbortSignal): Promise<ControllerManagerExit> {
  return runCandidateProcess(flags, log, signal, (life, identity, health) => runIncarnation(flags, defs, log, life, identity, health));
}

/** Clients, informers and controllers for one incarnation, and its campaign (see pkg/cli/candidate.ts). */
async function runIncarnation(flags: ControllerManagerFlags, defs: readonly ControllerDefinition[], log: Logger, signal: AbortSignal, identity: string, health: HealthServer | undefined): Promise<ComponentExit> {
  const kc = restOptionsFromFlags(flags);
  let elector: LeaderElector | undefined;
  // Every write of a controller carries the leader's fence: a deposed leader's late writes are
  // refused. Writes are not aborted when the term ends (RestClient's leaderTerm): an aborted
  // request may still commit on the server, and the Lease would then be handed over before it
  // did — the next leader, not seeing those pods yet, made more (compose chaos, seed 20261123).
  const work = new RestClient({ ...kc, component: 'kube-controller-manager', leaderFence: () => elector?.fence });
  const election = new RestClient({ ...kc, component: 'kube-controller-manager-leader-election', timeoutMs: flags.leaderElection.renewDeadlineMs });
  const informers = new SharedInformerFactory(work, { logger: log });
  const client = restObjectClient(work);
  const discovery = restDiscovery(work);
  const recorders = new Map<string, EventRecorder>();
  const events = (component: string): EventRecorder => {
    let r = recorders.get(component);
    if (r === undefined) {
      r = new EventRecorder({ client: work, controller: component, instance: identity, onError: (err) => log.debug({ component, err: err instanceof Error ? err.message : String(err) }, 'event dropped') });
      recorders.set(component, r);
    }
    return r;
  };
  const controllers: { name: string; controller: Controller }[] = [];
  for (const d of defs) {
    if (!flags.enabled.has(d.name)) continue;
    const flag = (name: string): string => {
      const v = flags.controllerFlags.get(name) ?? d.flags?.[name]?.default;
      if (v === undefined) throw new Error(`${d.name} asked for --${name}, which it does not declare`);
      return v;
    };
    const controller = d.create({ client, informers, discovery, events, clock: realClock, log: log.child({ controller: d.name }), workers: flags.workers.get(d.name) ?? d.workers?.default ?? 1, flag });
    controllers.push({ name: d.name, controller });
  }
  informers.start(signal);
  health?.checks.set(
    () => [{ name: 'leaderElection', ok: elector?.healthy(LEADER_HEALTH_TOLERANCE_MS) ?? true }],
    () => [{ name: 'informer-sync', ok: informers.hasSynced() }],
  );
  log.info({ identity, controllers: controllers.map((c) => c.name), servers: kc.servers, leaderElect: flags.leaderElection.leaderElect, health: health?.address() }, 'controller-manager starting');

  // A controller that threw ends the incarnation: the elector is cancelled (releasing the Lease
  // for a standby) and the process exits non-zero.
  const failure = new AbortController();
  let failedController: string | undefined;
  const runAll = async (leading: AbortSignal): Promise<void> => {
    if (!(await informers.waitForCacheSync(leading))) return;
    // The caches were filled while standing by and may lag what the previous leader wrote just
    // before the hand-over; controllers acting on them would redo that work (a ReplicaSet making
    // the pods its predecessor had just made: compose chaos, seed 20261123, 8 pods for 5 + 2).
    const behind = await informers.waitUntilFresh(leading, CACHE_FRESHNESS_TIMEOUT_MS);
    if (leading.aborted) return;
    if (behind.length > 0) log.warn({ behind }, 'caches still behind a fresh read of the API; starting the controllers anyway');
    log.info({ controllers: controllers.length }, 'caches synced; starting controllers');
    await runControllers(controllers, leading, log, (name) => {
      failedController = name;
      failure.abort();
    });
  };
  const stopOnFailure = (): void => failure.abort();
  signal.addEventListener('abort', stopOnFailure, { once: true });

  try {
    const le = flags.leaderElection;
    if (!le.leaderElect) {
      await runAll(failure.signal);
      return failedController !== undefined ? 'failed' : 'stopped';
    }
    elector = new LeaderElector({
      leases: election.resource<Lease>(leaseResource).namespace(le.resourceNamespace),
      namespace: le.resourceNamespace,
      name: le.resourceName,
      identity,
      leaseDurationMs: le.leaseDurationMs,
      renewDeadlineMs: le.renewDeadlineMs,
      retryPeriodMs: le.retryPeriodMs,
      onEvent: (e) => {
        if (e.type === 'acquired') log.info({ identity, leaseTransitions: e.leaseTransitions }, 'became leader');
        else if (e.type === 'lost') log.error({ identity, reason: e.reason }, 'leaderelection lost');
        else if (e.type === 'released') log.info({ identity }, 'released the lease');
        else log.info({ leader: e.identity }, 'new leader elected');
      },
    });
    const outcome = await elector.run(failure.signal, runAll);
    return failedController !== undefined ? 'failed' : outcome;
  } finally {
    signal.removeEventListener('abort', stopOnFailure);
    work.close();
    election.close();
  }
}
