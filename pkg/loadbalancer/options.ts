// Flags of cmd/loadbalancer.
import { FlagError, parseFlags } from '../cli/component.js';
import { parseHostPort, type HostPort } from './address.js';

export interface LoadBalancerFlags {
  readonly listen: HostPort;
  readonly backends: HostPort[];
  readonly resolveIntervalMs: number;
  readonly healthPath: string;
  readonly healthIntervalMs: number;
  readonly healthTimeoutMs: number;
  readonly adminListen: HostPort;
  readonly connectTimeoutMs: number;
  readonly logLevel: string;
}

export const LOADBALANCER_USAGE = `Usage: loadbalancer --backends=HOST:PORT[,HOST:PORT...] [flags]
  --listen=HOST:PORT             where clients connect; port 0 picks a free one (default 0.0.0.0:6443)
  --backends=HOST:PORT[,...]     apiserver addresses (required); a HOST resolving to several addresses
                                 (a scaled compose service) gives one backend per address
  --resolve-interval=MS          how often backend names are resolved again (default 1000)
  --health-path=PATH             HTTP path probed on every backend (default /readyz)
  --health-interval=MS           time between probes of a backend (default 500)
  --health-timeout=MS            deadline of one probe (default 1000)
  --admin-listen=HOST:PORT       serves GET /healthz and GET /backends (default 0.0.0.0:8404)
  --connect-timeout=MS           deadline of a connect to a backend before the next one is tried (default 1000)
  --log-level=LEVEL              fatal, error, warn, info, debug, trace or silent (default info)`;

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);


export function parseLoadBalancerFlags(argv: readonly string[]): LoadBalancerFlags {
  const values = parseFlags(argv, {
    listen: { type: 'string', default: '0.0.0.0:6443' },
    backends: { type: 'string' },
    'resolve-interval': { type: 'string', default: '1000' },
    'health-path': { type: 'string', default: '/readyz' },
    'health-interval': { type: 'string', default: '500' },
    'health-timeout': { type: 'string', default: '1000' },
    'admin-listen': { type: 'string', default: '0.0.0.0:8404' },
    'connect-timeout': { type: 'string', default: '1000' },
    'log-level': { type: 'string', default: 'info' },
  });
  const hostPort = (flag: string, text: string, allowZeroPort: boolean): HostPort => {
    try {
      return parseHostPort(text, { allowZeroPort });
    } catch (err) {
      throw new FlagError(`invalid --${flag}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const ms = (flag: 'resolve-interval' | 'health-interval' | 'health-timeout' | 'connect-timeout'): number => {
    const text = values[flag]!;
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) throw new FlagError(`invalid --${flag} ${JSON.stringify(text)}: want a positive number of milliseconds`);
    return n;
  };
  if (values.backends === undefined) throw new FlagError('--backends is required');
  const backendTexts = values.backends.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (backendTexts.length === 0) throw new FlagError('--backends names no backend');
  const healthPath = values['health-path']!;
  if (!healthPath.startsWith('/')) throw new FlagError(`invalid --health-path ${JSON.stringify(healthPath)}: must start with /`);
  const logLevel = values['log-level']!;
  if (!LOG_LEVELS.has(logLevel)) throw new FlagError(`invalid --log-level ${JSON.stringify(logLevel)}: want one of ${[...LOG_LEVELS].join(', ')}`);
  return {
    listen: hostPort('listen', values.listen!, true),
    backends: backendTexts.map((t) => hostPort('backends', t, false)),
    resolveIntervalMs: ms('resolve-interval'),
    healthPath,
    healthIntervalMs: ms('health-interval'),
    healthTimeoutMs: ms('health-timeout'),
    adminListen: hostPort('admin-listen', values['admin-listen']!, true),
    connectTimeoutMs: ms('connect-timeout'),
    logLevel,
  };
}
