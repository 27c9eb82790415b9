// kube-scheduler-style flags for cmd/scheduler.
import { flagValue, parseFlags } from '../cli/component.js';
import { parsePortFlag } from '../cli/health.js';
import { leaderElectionOptions, leaderElectionUsage, parseLeaderElectionFlags, type LeaderElectionFlags } from '../client/leaderelection/flags.js';

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
  const values = parseFlags(argv, {
    kubeconfig: { type: 'string' },
    master: { type: 'string' },
    config: { type: 'string' },
    'bind-address': { type: 'string', default: '0.0.0.0' },
    'secure-port': { type: 'string', default: '10259' },
    'log-level': { type: 'string', default: 'info' },
    ...leaderElectionOptions(SCHEDULER_LEASE_NAME),
  });
  return {
    bindAddress: values['bind-address'],
    securePort: flagValue(() => parsePortFlag('secure-port', values['secure-port'])),
    ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
    ...(values.master ? { master: values.master } : {}),
    ...(values.config ? { config: values.config } : {}),
    leaderElection: flagValue(() => parseLeaderElectionFlags(values, SCHEDULER_LEASE_NAME)),
    logLevel: values['log-level'],
  };
}
