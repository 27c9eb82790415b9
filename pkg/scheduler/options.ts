// kube-scheduler-style flags for cmd/scheduler.
import { parseArgs } from 'node:util';
import { FlagError } from '../cli/component.js';
import { LeaderElectionFlagError, leaderElectionOptions, leaderElectionUsage, parseLeaderElectionFlags, type LeaderElectionFlags } from '../client/leaderelection/flags.js';

export const SCHEDULER_LEASE_NAME = 'kube-scheduler';

export interface SchedulerFlags {
  readonly kubeconfig?: string;
  /** Overrides the kubeconfig's server(s); comma-separated. */
  readonly master?: string;
  readonly config?: string;
  readonly bindAddress: string;
  /** Port of the plain-HTTP health endpoints (/healthz, /livez, /readyz); 0 picks one, -1 none. */
  readonly securePort: number;
  readonly leaderElection: LeaderElectionFlags;
  readonly logLevel: string;
}

export const SCHEDULER_USAGE = `Usage: scheduler [flags]
  --kubeconfig=PATH                    kubeconfig to reach the apiserver (default: $KUBECONFIG, ~/.kube/config)
  --master=URL[,URL...]                apiserver address(es), overriding the kubeconfig's
  --config=PATH                        a KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) file
  --bind-address=IP                    where /healthz, /livez and /readyz are served (default 0.0.0.0)
  --secure-port=N                      their port, plain HTTP (default 10259; -1 disables them)
${leaderElectionUsage(SCHEDULER_LEASE_NAME)}
  --log-level=LEVEL                    pino level (default info)`;


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
        'bind-address': { type: 'string', default: '0.0.0.0' },
        'secure-port': { type: 'string', default: '10259' },
        'log-level': { type: 'string', default: 'info' },
        ...leaderElectionOptions(SCHEDULER_LEASE_NAME),
      },
    }).values;
  } catch (err) {
    throw new FlagError(err instanceof Error ? err.message : String(err));
  }
  let leaderElection: LeaderElectionFlags;
  try {
    leaderElection = parseLeaderElectionFlags(values, SCHEDULER_LEASE_NAME);
  } catch (err) {
    if (err instanceof LeaderElectionFlagError) throw new FlagError(err.message);
    throw err;
  }
  const port = Number(values['secure-port']);
  if (!Number.isInteger(port) || port < -1 || port > 65535) throw new FlagError(`invalid --secure-port ${String(values['secure-port'])}`);
  return {
    bindAddress: values['bind-address'] ?? '0.0.0.0',
    securePort: port,
    ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
    ...(values.master ? { master: values.master } : {}),
    ...(values.config ? { config: values.config } : {}),
    leaderElection,
    logLevel: values['log-level'] ?? 'info',
  };
}
