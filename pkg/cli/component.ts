// The process shell every kubets component shares: --help, flag errors (usage, exit 2), one pino
// logger with buffered writes, SIGTERM/SIGINT as an AbortSignal, and the exit code. cmd/<name>
// only names the component and wires its flags to its package.
import { pino, type Logger } from 'pino';

/** A bad command line: the component prints it with its usage and exits 2. */
export class FlagError extends Error {
  override readonly name = 'FlagError';
}

export interface Component<F> {
  readonly name: string;
  readonly usage: string;
  /** Throws FlagError for bad flags. */
  parse(argv: readonly string[]): F;
  logLevel(flags: F): string;
  /** Runs until the signal aborts (or the component decides to stop); resolves to the exit code. */
  run(flags: F, logger: Logger, signal: AbortSignal): Promise<number>;
}

async function main<F>(c: Component<F>): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${c.usage}\n`);
    return 0;
  }
  let flags: F;
  try {
    flags = c.parse(argv);
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`${c.name}: ${err.message}\n${c.usage}\n`);
      return 2;
    }
    throw err;
  }
  // Buffered, asynchronous log writes: one write syscall per line was a measurable cost per request.
  const logger = pino({ name: c.name, level: c.logLevel(flags) }, pino.destination({ dest: 1, sync: false }));
  const root = new AbortController();
  process.once('SIGTERM', () => root.abort());
  process.once('SIGINT', () => root.abort());
  const code = await c.run(flags, logger, root.signal);
  logger.flush();
  return code;
}

/** Runs the component as this process and exits with its code (1 on an unexpected error). */
export function runComponent<F>(c: Component<F>): void {
  main(c).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${c.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
