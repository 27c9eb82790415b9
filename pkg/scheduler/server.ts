// Wires a scheduler process: kubeconfig → clients, config → profiles, leader election → the
// scheduling loop. A replica that loses the Lease to another exits (as upstream does) and its
// supervisor starts it again as a candidate; one that only missed renewals (a stalled apiserver)
// builds a fresh incarnation and contends again under the same identity (pkg/cli/candidate.ts).
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import type { Lease } from '../api/coordination/v1/index.js';
import { EventRecorder } from '../client/events.js';
import { SharedInformerFactory } from '../client/informer/index.js';
import { LeaderElector } from '../client/leaderelection/leaderelection.js';
import { runCandidateProcess, type ComponentExit } from '../cli/candidate.js';
import { RestClient } from '../client/rest.js';
import { restOptionsFromFlags } from '../cli/client.js';
import { LEADER_HEALTH_TOLERANCE_MS, type HealthServer } from '../cli/health.js';
import { newFramework, newInTreeRegistry, parseSchedulerConfiguration, resolveProfile, type Framework, type PluginDeps, type SchedulerConfiguration } from './framework/index.js';
import { ApiVolumeBinder, storageListers } from './volume-binder.js';
import { realClock } from '../client/clock.js';
import type { SchedulerFlags } from './options.js';
import { NAMESPACES, NODES, PODS, Scheduler } from './scheduler.js';

const LEASES = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true } as const;

export function loadSchedulerConfiguration(path: string | undefined): SchedulerConfiguration {
  if (path === undefined) return parseSchedulerConfiguration({ apiVersion: 'kubescheduler.config.k8s.io/v1', kind: 'KubeSchedulerConfiguration' });
  return parseSchedulerConfiguration(parseYaml(readFileSync(path, 'utf8')) as unknown);
}

export function frameworksFor(config: SchedulerConfiguration, deps: PluginDeps = {}): Map<string, Framework> {
  const registry = newInTreeRegistry();
  const out = new Map<string, Framework>();
  config.profiles.forEach((p, i) => out.set(p.schedulerName, newFramework(resolveProfile(p, registry, config.percentageOfNodesToScore ?? 0, i), registry, deps)));
  return out;
}

export type SchedulerExit = Exclude<ComponentExit, 'renewal-missed'>;

export async function runSchedulerProcess(flags: SchedulerFlags, log: Logger, signal: AbortSignal): Promise<SchedulerExit> {
  const config = loadSchedulerConfiguration(flags.config);
  return runCandidateProcess(flags, log, signal, (life, identity, health) => runIncarnation(flags, config, log, life, identity, health));
}

/** Clients, informers and a scheduler for one incarnation, and its campaign (see pkg/cli/candidate.ts). */
async function runIncarnation(flags: SchedulerFlags, config: SchedulerConfiguration, log: Logger, signal: AbortSignal, identity: string, health: HealthServer | undefined): Promise<ComponentExit> {
  const kc = restOptionsFromFlags(flags);
  const servers = kc.servers;
  let elector: LeaderElector | undefined;
  // Writes carry the leader's fence (see the controller-manager for why they are not aborted with the term).
  const work = new RestClient({ ...kc, servers, component: 'scheduler', leaderFence: () => elector?.fence });
  const election = new RestClient({ ...kc, servers, component: 'scheduler-leader-election', timeoutMs: flags.leaderElection.renewDeadlineMs });
  const informers = new SharedInformerFactory(work, { logger: log });
  // Warm the caches before (and whether or not) this replica leads: a takeover starts scheduling at once.
  informers.forResource(PODS, { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' });
  informers.forResource(NODES);
  informers.forResource(NAMESPACES);
  const frameworks = frameworksFor(config, { volumeBinder: new ApiVolumeBinder(work, storageListers(informers), realClock) });
  informers.start(signal);
  health?.checks.set(
    () => [{ name: 'leaderElection', ok: elector?.healthy(LEADER_HEALTH_TOLERANCE_MS) ?? true }],
    () => [{ name: 'informer-sync', ok: informers.hasSynced() }],
  );
  const recorder = new EventRecorder({ client: work, controller: 'default-scheduler', instance: identity, onError: (err) => log.debug({ err: err instanceof Error ? err.message : String(err) }, 'event dropped') });
  const scheduler = new Scheduler({
    client: work,
    informers,
    frameworks,
    recorder,
    log,
    podInitialBackoffMs: (config.podInitialBackoffSeconds ?? 1) * 1000,
    podMaxBackoffMs: (config.podMaxBackoffSeconds ?? 10) * 1000,
  });
  log.info({ identity, profiles: [...frameworks.keys()], servers, leaderElect: flags.leaderElection.leaderElect, health: health?.address() }, 'scheduler starting');
  try {
    const le = flags.leaderElection;
    if (!le.leaderElect) {
      await scheduler.run(signal);
      return 'stopped';
    }
    elector = new LeaderElector({
      leases: election.resource<Lease>(LEASES).namespace(le.resourceNamespace),
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
    return await elector.run(signal, (leading) => scheduler.run(leading));
  } finally {
    work.close();
    election.close();
  }
}
