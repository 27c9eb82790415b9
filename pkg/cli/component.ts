// The process shell every kubets component shares: --help, flag errors (usage, exit 2), one pino
// logger with buffered writes, SIGTERM/SIGINT as an AbortSignal, and the exit code. cmd/<name>
// only names the component and wires its flags to its package.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { pino, type Logger } from 'pino';
import { LeaderElectionFlagError } from '../client/leaderelection/flags.js';

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

type FlagSpecs = NonNullable<ParseArgsConfig['options']>;

const GO_BOOLS: Readonly<Record<string, boolean>> = { '1': true, t: true, T: true, TRUE: true, true: true, True: true, '0': false, f: false, F: false, FALSE: false, false: false, False: false };

/**
 * node:util parseArgs with strict flags, its errors turned into FlagError (usage, exit 2). Boolean
 * flags also take Go's `--flag=false` / `--flag=true` forms, as upstream components' flags do.
 */
export function parseFlags<const O extends FlagSpecs>(argv: readonly string[], options: O): ReturnType<typeof parseArgs<{ args: string[]; strict: true; options: O }>>['values'] {
  const explicit = new Map<string, boolean>();
  const args: string[] = [];
  for (const arg of argv) {
    const m = /^--([^=]+)=(.*)$/.exec(arg);
    if (m !== null && options[m[1]!]?.type === 'boolean') {
      const v = GO_BOOLS[m[2]!];
      if (v === undefined) throw new FlagError(`invalid argument ${JSON.stringify(m[2])} for "--${m[1]!}" flag: strconv.ParseBool: parsing ${JSON.stringify(m[2])}: invalid syntax`);
      explicit.set(m[1]!, v);
      continue;
    }
    args.push(arg);
  }
  try {
    const values = parseArgs({ args, strict: true, options }).values as Record<string, unknown>;
    for (const [name, v] of explicit) values[name] = v;
    return values as ReturnType<typeof parseArgs<{ args: string[]; strict: true; options: O }>>['values'];
  } catch (err) {
    throw new FlagError(err instanceof Error ? err.message : String(err));
  }
}

/** Runs a flag-value parser, turning the errors it throws for bad values into FlagError. */
export function flagValue<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof FlagError) throw err;
    if (err instanceof LeaderElectionFlagError || err instanceof RangeError) throw new FlagError(err.message);
    throw err;
  }
}
