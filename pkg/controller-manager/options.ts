// kube-controller-manager-style flags: the common ones, one --concurrent-*-syncs per controller
// that has workers, and each controller's own flags, all derived from the controller definitions.
import { flagValue, FlagError, parseFlags } from '../cli/component.js';
import { parsePortFlag } from '../cli/health.js';
import { leaderElectionOptions, leaderElectionUsage, parseLeaderElectionFlags, type LeaderElectionFlags } from '../client/leaderelection/flags.js';
import type { ControllerDefinition } from '../controller/framework/index.js';

export const CONTROLLER_MANAGER_LEASE_NAME = 'kube-controller-manager';

export interface ControllerManagerFlags {
  readonly kubeconfig?: string;
  readonly master?: string;
  readonly bindAddress: string;
  /** Port of the plain-HTTP health endpoints; 0 picks one, -1 none. */
  readonly securePort: number;
  /** The --controllers list as given ("*", "foo", "-foo"). */
  readonly controllers: readonly string[];
  /** Enabled controllers, by their upstream name. */
  readonly enabled: ReadonlySet<string>;
  readonly workers: ReadonlyMap<string, number>;
  /** Controller flags by name, values as text. */
  readonly controllerFlags: ReadonlyMap<string, string>;
  readonly leaderElection: LeaderElectionFlags;
  readonly logLevel: string;
}

export function controllerManagerUsage(defs: readonly ControllerDefinition[]): string {
  const names = defs.map((d) => d.name).join(', ');
  const workers = defs
    .filter((d) => d.workers !== undefined)
    .map((d) => `  --${d.workers!.flag}=N`.padEnd(39) + `workers of ${d.name} (default ${d.workers!.default})`)
    .join('\n');
  const own = defs
    .flatMap((d) => Object.entries(d.flags ?? {}).map(([name, f]) => `  --${name}=V`.padEnd(39) + `${f.usage} (default ${f.default})`))
    .join('\n');
  return `Usage: controller-manager [flags]
  --kubeconfig=PATH                    kubeconfig to reach the apiserver (default: $KUBECONFIG, ~/.kube/config)
  --master=URL[,URL...]                apiserver address(es), overriding the kubeconfig's
  --controllers=LIST                   controllers to run: '*' runs those on by default, 'foo' adds foo,
                                       '-foo' leaves foo out (default '*'). Known: ${names}
  --bind-address=IP                    where /healthz, /livez and /readyz are served (default 0.0.0.0)
  --secure-port=N                      their port, plain HTTP (default 10257; -1 disables them)
${workers}
${own}
${leaderElectionUsage(CONTROLLER_MANAGER_LEASE_NAME)}
  --log-level=LEVEL                    pino level (default info)`;
}

/** Which controllers run for a --controllers list, as upstream decides it. */
export function enabledControllers(list: readonly string[], defs: readonly ControllerDefinition[]): Set<string> {
  const byName = new Map<string, ControllerDefinition>();
  for (const d of defs) for (const n of [d.name, ...d.aliases]) byName.set(n, d);
  for (const item of list) {
    const n = item.startsWith('-') ? item.slice(1) : item;
    if (item !== '*' && !byName.has(n)) throw new FlagError(`"${n}" is not in the list of known controllers`);
  }
  const star = list.includes('*');
  const out = new Set<string>();
  for (const d of defs) {
    const names = [d.name, ...d.aliases];
    if (names.some((n) => list.includes(`-${n}`))) continue;
    if (names.some((n) => list.includes(n))) out.add(d.name);
    else if (star && d.disabledByDefault !== true) out.add(d.name);
  }
  return out;
}

export function parseControllerManagerFlags(argv: readonly string[], defs: readonly ControllerDefinition[]): ControllerManagerFlags {
  const dynamic: Record<string, { type: 'string'; default: string }> = {};
  for (const d of defs) {
    if (d.workers !== undefined) dynamic[d.workers.flag] = { type: 'string', default: String(d.workers.default) };
    for (const [name, f] of Object.entries(d.flags ?? {})) dynamic[name] = { type: 'string', default: f.default };
  }
  const values = parseFlags(argv, {
    kubeconfig: { type: 'string' },
    master: { type: 'string' },
    controllers: { type: 'string', default: '*' },
    'bind-address': { type: 'string', default: '0.0.0.0' },
    'secure-port': { type: 'string', default: '10257' },
    'log-level': { type: 'string', default: 'info' },
    ...leaderElectionOptions(CONTROLLER_MANAGER_LEASE_NAME),
    ...dynamic,
  }) as Record<string, string | boolean | undefined>;
  const text = (name: string): string => {
    const v = values[name];
    return typeof v === 'string' ? v : '';
  };
  const controllers = text('controllers')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const workers = new Map<string, number>();
  for (const d of defs) {
    if (d.workers === undefined) continue;
    const n = Number(text(d.workers.flag));
    if (!Number.isInteger(n) || n < 1) throw new FlagError(`invalid --${d.workers.flag} ${JSON.stringify(text(d.workers.flag))}: must be a positive integer`);
    workers.set(d.name, n);
  }
  const controllerFlags = new Map<string, string>();
  for (const d of defs) for (const name of Object.keys(d.flags ?? {})) controllerFlags.set(name, text(name));
  const kubeconfig = text('kubeconfig');
  const master = text('master');
  return {
    ...(kubeconfig !== '' ? { kubeconfig } : {}),
    ...(master !== '' ? { master } : {}),
    bindAddress: text('bind-address'),
    securePort: flagValue(() => parsePortFlag('secure-port', text('secure-port'))),
    controllers,
    enabled: enabledControllers(controllers, defs),
    workers,
    controllerFlags,
    leaderElection: flagValue(() => parseLeaderElectionFlags(values as Parameters<typeof parseLeaderElectionFlags>[0], CONTROLLER_MANAGER_LEASE_NAME)),
    logLevel: text('log-level'),
  };
}
