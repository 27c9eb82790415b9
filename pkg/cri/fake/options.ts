// Flags of the simulated runtime when it runs as a process of its own (cmd/fake-runtime).
import { FlagError, parseFlags } from '../../cli/component.js';

export interface FakeRuntimeFlags {
  /** unix:///path/to.sock (or host:port) the CRI server listens on. */
  readonly listen: string;
  readonly logLevel: string;
}

export const FAKE_RUNTIME_USAGE = `Usage: fake-runtime [flags]
  A simulated container runtime serving CRI (runtime.v1) over gRPC; see README "The simulated runtime".
  --listen=ENDPOINT    where to serve: unix:///path/to.sock or 127.0.0.1:PORT (required)
  --log-level=LEVEL    pino level (default info)`;

export function parseFakeRuntimeFlags(argv: readonly string[]): FakeRuntimeFlags {
  const values = parseFlags(argv, { listen: { type: 'string' }, 'log-level': { type: 'string', default: 'info' } });
  if (!values.listen) throw new FlagError('--listen is required');
  if (!values.listen.startsWith('unix:///') && !/^[\w.-]+:\d+$/.test(values.listen)) throw new FlagError(`--listen must be unix:///path or host:port, not ${JSON.stringify(values.listen)}`);
  return { listen: values.listen, logLevel: values['log-level'] };
}
