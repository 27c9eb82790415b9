// kubets scheduler: flags → a leader-elected scheduling loop until SIGTERM/SIGINT. Exits 1 when
// it loses leadership (its supervisor restarts it as a candidate), as kube-scheduler does.
import { pino } from 'pino';
import { SCHEDULER_USAGE, SchedulerFlagError, parseSchedulerFlags } from '../../pkg/scheduler/options.js';
import { runSchedulerProcess } from '../../pkg/scheduler/server.js';

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${SCHEDULER_USAGE}\n`);
    return 0;
  }
  let flags;
  try {
    flags = parseSchedulerFlags(process.argv.slice(2));
  } catch (err) {
    if (err instanceof SchedulerFlagError) {
      process.stderr.write(`scheduler: ${err.message}\n${SCHEDULER_USAGE}\n`);
      return 2;
    }
    throw err;
  }
  const logger = pino({ name: 'scheduler', level: flags.logLevel }, pino.destination({ dest: 1, sync: false }));
  const root = new AbortController();
  process.once('SIGTERM', () => root.abort());
  process.once('SIGINT', () => root.abort());
  const outcome = await runSchedulerProcess(flags, logger, root.signal);
  logger.flush();
  return outcome === 'lost' ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`scheduler: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
