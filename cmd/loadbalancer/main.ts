// kubets loadbalancer: flags → LoadBalancer → serve until SIGTERM/SIGINT, then drain and exit 0.
import { pino } from 'pino';
import { formatHostPort, FlagError, LOADBALANCER_USAGE, LoadBalancer, parseLoadBalancerFlags } from '../../pkg/loadbalancer/index.js';

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${LOADBALANCER_USAGE}\n`);
    return 0;
  }
  let flags;
  try {
    flags = parseLoadBalancerFlags(process.argv.slice(2));
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`loadbalancer: ${err.message}\n${LOADBALANCER_USAGE}\n`);
      return 2;
    }
    throw err;
  }
  const logger = pino({ name: 'loadbalancer', level: flags.logLevel }, pino.destination({ dest: 1, sync: false }));
  const root = new AbortController();
  process.once('SIGTERM', () => root.abort());
  process.once('SIGINT', () => root.abort());
  const lb = new LoadBalancer({ ...flags, logger });
  const { listen, admin, done } = await lb.start(root.signal);
  process.stdout.write(`loadbalancer serving on ${formatHostPort(listen.host, listen.port)}, admin on http://${formatHostPort(admin.host, admin.port)}\n`);
  await done;
  logger.flush();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`loadbalancer: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
