// The --leader-elect* flags every leader-elected component takes, named as upstream's. kubets'
// defaults are shorter than upstream's (15s/10s/2s) so a replica takes over within about 4.5 s of
// a leader's death (0.5 s after a SIGTERM, which releases the lease); fencing, not timing margins,
// keeps a slow leader from doing harm (see README.md here). They were 2s/1.5s/250ms: on a loaded
// 2-CPU machine a renewal round trip often took over a second, and the leaders of a compose chaos
// run lost their Lease every few seconds (28 controller-manager terms in two minutes), each new
// term relisting every cache.
import { DurationError, parseGoDurationMs } from '../../api/meta/duration.js';

export interface LeaderElectionFlags {
  readonly leaderElect: boolean;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly resourceName: string;
  readonly resourceNamespace: string;
}

export const LEADER_ELECTION_DEFAULTS = { leaseDuration: '4s', renewDeadline: '3s', retryPeriod: '500ms', resourceNamespace: 'kube-system' } as const;

/** parseArgs option specs for the flags; spread them into a component's options. */
export function leaderElectionOptions(resourceName: string) {
  return {
    'leader-elect': { type: 'boolean', default: true },
    'leader-elect-lease-duration': { type: 'string', default: LEADER_ELECTION_DEFAULTS.leaseDuration },
    'leader-elect-renew-deadline': { type: 'string', default: LEADER_ELECTION_DEFAULTS.renewDeadline },
    'leader-elect-retry-period': { type: 'string', default: LEADER_ELECTION_DEFAULTS.retryPeriod },
    'leader-elect-resource-lock': { type: 'string', default: 'leases' },
    'leader-elect-resource-name': { type: 'string', default: resourceName },
    'leader-elect-resource-namespace': { type: 'string', default: LEADER_ELECTION_DEFAULTS.resourceNamespace },
  } as const;
}

export function leaderElectionUsage(resourceName: string): string {
  return `  --leader-elect[=false]               run as one of several replicas with one leader (default true)
  --leader-elect-lease-duration=D      candidates wait D after the last renewal they saw (default ${LEADER_ELECTION_DEFAULTS.leaseDuration}; whole seconds)
  --leader-elect-renew-deadline=D      a leader that cannot renew for D stops (default ${LEADER_ELECTION_DEFAULTS.renewDeadline})
  --leader-elect-retry-period=D        pause between tries (default ${LEADER_ELECTION_DEFAULTS.retryPeriod})
  --leader-elect-resource-lock=leases  the only lock kind
  --leader-elect-resource-name=NAME    the Lease (default ${resourceName})
  --leader-elect-resource-namespace=NS (default ${LEADER_ELECTION_DEFAULTS.resourceNamespace})`;
}

export class LeaderElectionFlagError extends Error {
  override readonly name = 'LeaderElectionFlagError';
}

type Values = Partial<Record<keyof ReturnType<typeof leaderElectionOptions>, string | boolean>>;

/** Reads the parsed values; durations in Go syntax ("2s", "1500ms"), checked as upstream does. */
export function parseLeaderElectionFlags(values: Values, resourceName: string): LeaderElectionFlags {
  const duration = (flag: keyof Values, fallback: string): number => {
    const text = values[flag];
    const raw = typeof text === 'string' ? text : fallback;
    let ms: number;
    try {
      ms = parseGoDurationMs(raw);
    } catch (err) {
      throw new LeaderElectionFlagError(`invalid --${flag} ${JSON.stringify(raw)}: ${err instanceof DurationError ? err.message : String(err)}`);
    }
    if (!(ms > 0)) throw new LeaderElectionFlagError(`--${flag} must be positive, not ${JSON.stringify(raw)}`);
    return ms;
  };
  const leaseDurationMs = duration('leader-elect-lease-duration', LEADER_ELECTION_DEFAULTS.leaseDuration);
  const renewDeadlineMs = duration('leader-elect-renew-deadline', LEADER_ELECTION_DEFAULTS.renewDeadline);
  const retryPeriodMs = duration('leader-elect-retry-period', LEADER_ELECTION_DEFAULTS.retryPeriod);
  const lock = values['leader-elect-resource-lock'] ?? 'leases';
  if (lock !== 'leases') throw new LeaderElectionFlagError(`--leader-elect-resource-lock=${String(lock)} is not supported: only "leases"`);
  if (leaseDurationMs % 1000 !== 0) throw new LeaderElectionFlagError('--leader-elect-lease-duration must be whole seconds (the Lease stores seconds)');
  if (!(leaseDurationMs > renewDeadlineMs)) throw new LeaderElectionFlagError('leaseDuration must be greater than renewDeadline');
  if (!(renewDeadlineMs > retryPeriodMs * 1.2)) throw new LeaderElectionFlagError('renewDeadline must be greater than retryPeriod*JitterFactor');
  const str = (v: string | boolean | undefined, d: string): string => (typeof v === 'string' && v !== '' ? v : d);
  return {
    leaderElect: values['leader-elect'] !== false,
    leaseDurationMs,
    renewDeadlineMs,
    retryPeriodMs,
    resourceName: str(values['leader-elect-resource-name'], resourceName),
    resourceNamespace: str(values['leader-elect-resource-namespace'], LEADER_ELECTION_DEFAULTS.resourceNamespace),
  };
}
