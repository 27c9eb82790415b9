// kube-scheduler-style flags for cmd/scheduler.
import { parseArgs } from 'node:util';
import { LeaderElectionFlagError, leaderElectionOptions, leaderElectionUsage, parseLeaderElectionFlags, type LeaderElectionFlags } from '../client/leaderelection/flags.js';

export const SCHEDULER_LEASE_NAME = 'kube-scheduler';

export interface SchedulerFlags {
  readonly kubeconfig?: string;
  /** Overrides the kubeconfig's server(s); comma-separated. */
  readonly master?: string;
  readonly config?: string;
  readonly leaderElection: LeaderElectionFlags;
  readonly logLevel: string;
}

export const SCHEDULER_USAGE = `Usage: scheduler [flags]
  --kubeconfig=PATH                    kubeconfig to reach the apiserver (default: $KUBECONFIG, ~/.kube/config)
  --master=URL[,URL...]                apiserver address(es), overriding the kubeconfig's
  --config=PATH                        a KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) file
${leaderElectionUsage(SCHEDULER_LEASE_NAME)}
  --log-level=LEVEL                    pino level (default info)`;

export class SchedulerFlagError extends Error {
  override readonly name = 'SchedulerFlagError';
}

export function parseSchedulerFlags(argv: readonly string[]): SchedulerFlags {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        kubeconfig: { type: 'string' },
        master: { type: 'string' },
        config: { type: 'string' },
        'log-level': { type: 'string', default: 'info' },
        ...leaderElectionOptions(SCHEDULER_LEASE_NAME),
      },
    }).values;
  } catch (err) {
    throw new SchedulerFlagError(err instanceof Error ? err.message : String(err));
  }
  let leaderElection: LeaderElectionFlags;
  try {
    leaderElection = parseLeaderElectionFlags(values, SCHEDULER_LEASE_NAME);
  } catch (err) {
    if (err instanceof LeaderElectionFlagError) throw new SchedulerFlagError(err.message);
    throw err;
  }
  return {
    ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
    ...(values.master ? { master: values.master } : {}),
    ...(values.config ? { config: values.config } : {}),
    leaderElection,
    logLevel: values['log-level'] ?? 'info',
  };
}
