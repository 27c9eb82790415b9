// kubets apiserver: flags → ApiServer → serve until SIGTERM/SIGINT.
import { pino } from 'pino';
import { builtinRegistry } from '../../pkg/api/index.js';
import { ApiServer } from '../../pkg/apiserver/server.js';
import { APISERVER_USAGE, FlagError, parseApiServerFlags } from '../../pkg/apiserver/options.js';

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${APISERVER_USAGE}\n`);
    return 0;
  }
  let flags;
  try {
    flags = parseApiServerFlags(process.argv.slice(2));
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`apiserver: ${err.message}\n${APISERVER_USAGE}\n`);
      return 2;
    }
    throw err;
  }
  // Buffered, asynchronous log writes: one write syscall per request line was a measurable share of a request.
  const logger = pino({ name: 'apiserver', level: flags.logLevel }, pino.destination({ dest: 1, sync: false }));
  const root = new AbortController();
  process.once('SIGTERM', () => root.abort());
  process.once('SIGINT', () => root.abort());
  const server = new ApiServer({ ...flags, registry: builtinRegistry(), logger });
  const { done } = await server.start(root.signal);
  const { host, port } = server.address();
  process.stdout.write(`apiserver serving on ${server.scheme}://${host}:${port}\n`);
  await done;
  logger.flush();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`apiserver: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
