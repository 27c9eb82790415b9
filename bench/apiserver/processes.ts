// The processes a benchmark run owns: the kubets apiserver as its own process, the open-file
// limit a thousand watch sockets need, and a cleanup list that runs on exit, error or signal.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../pkg/cluster/launcher.js';

/** Soft and hard RLIMIT_NOFILE of this process, from /proc (Infinity for "unlimited"). */
export function openFileLimits(): { soft: number; hard: number } {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const parts = line?.trim().split(/\s+/) ?? [];
    const num = (s: string | undefined): number => (s === 'unlimited' ? Number.POSITIVE_INFINITY : Number(s));
    const soft = num(parts[3]);
    const hard = num(parts[4]);
    if (!Number.isNaN(soft) && !Number.isNaN(hard)) return { soft, hard };
  } catch {
    // Not Linux: fall through to the shell's answer.
  }
  const out = spawnSync('/bin/sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' });
  const [s, h] = out.stdout.trim().split('\n');
  const num = (v: string | undefined): number => (v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v));
  return { soft: num(s), hard: num(h) };
}

const REEXEC_ENV = 'KUBETS_BENCH_NOFILE_RAISED';

/**
 * When the soft open-file limit is below `needed` but the hard one allows it, runs this same
 * command again under `ulimit -n` (children inherit the limit) and resolves to its exit code.
 * Resolves to undefined when no re-exec is needed or possible.
 */
export async function reexecWithOpenFiles(needed: number): Promise<number | undefined> {
  const { soft, hard } = openFileLimits();
  if (soft >= needed || process.env[REEXEC_ENV] === '1') return undefined;
  const target = Math.min(hard, Math.max(needed, 4096));
  if (target <= soft) return undefined;
  const child = spawn('/bin/sh', ['-c', 'ulimit -n "$1" || exit 97; shift; exec "$@"', 'sh', String(target), process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [REEXEC_ENV]: '1' },
  });
  const forward = (sig: NodeJS.Signals): void => {
    child.kill(sig);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const code = await new Promise<number>((resolve) => child.on('exit', (c, s) => resolve(c ?? (s === 'SIGINT' ? 130 : 1))));
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  return code === 97 ? undefined : code;
}

/** Cleanup steps run newest first, exactly once, whether the run ends normally or not. */
export class Cleanup {
  private readonly steps: Array<() => Promise<void> | void> = [];
  private readonly children = new Set<ChildProcess>();
  private running: Promise<void> | undefined;

  add(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  /** A process killed synchronously on process exit if no step stopped it before. */
  track(child: ChildProcess): void {
    this.children.add(child);
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step();
        } catch (err) {
          process.stderr.write(`bench: cleanup step failed: ${err instanceof Error ? err.message : String(err)}\n`);
        }
      }
      this.killTracked();
    })();
    return this.running;
  }

  killTracked(): void {
    for (const c of this.children) {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
  }

  /** SIGINT/SIGTERM: abort the run, clean up, exit 130/143; process exit: last-resort kills. */
  installSignalHandlers(root: AbortController): void {
    const onSignal = (sig: NodeJS.Signals, code: number): void => {
      process.stderr.write(`bench: ${sig}, cleaning up\n`);
      root.abort();
      void this.run().finally(() => process.exit(code));
    };
    process.once('SIGINT', () => onSignal('SIGINT', 130));
    process.once('SIGTERM', () => onSignal('SIGTERM', 143));
    process.once('exit', () => this.killTracked());
  }
}

export interface ApiServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly logPath: string;
  /** The exit code or signal if the process has ended, undefined while it runs. */
  exited(): string | undefined;
  logTail(): string;
  stop(): Promise<void>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function status(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/**
 * Starts `node <distDir>/cmd/apiserver/main.js` on a free loopback port with its output in
 * `dir`, and resolves once /readyz answers 200 and the `default` namespace exists.
 */
export async function startApiServerProcess(opts: { distDir: string; etcdUrl: string; dir: string; cleanup: Cleanup; signal: AbortSignal; timeoutMs?: number; extraArgs?: string[] }): Promise<ApiServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logPath = join(opts.dir, 'apiserver.log');
  const fd = openSync(logPath, 'a');
  const args = [join(opts.distDir, 'cmd', 'apiserver', 'main.js'), '--etcd-servers', opts.etcdUrl, '--bind-address', '127.0.0.1', '--secure-port', String(port), ...(opts.extraArgs ?? [])];
  // setpriv makes the kernel kill the apiserver if this benchmark dies without cleaning up.
  const setpriv = '/usr/bin/setpriv';
  const [cmd, argv] = existsSync(setpriv) ? [setpriv, ['--pdeathsig', 'KILL', '--', process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(cmd, argv, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  opts.cleanup.track(child);
  const exited = (): string | undefined => (child.exitCode !== null ? `exit code ${child.exitCode}` : child.signalCode !== null ? `signal ${child.signalCode}` : undefined);
  const logTail = (): string => {
    try {
      const text = readFileSync(logPath, 'utf8');
      return text.length > 2000 ? text.slice(-2000) : text;
    } catch {
      return '';
    }
  };
  const proc: ApiServerProcess = {
    url,
    child,
    logPath,
    exited,
    logTail,
    async stop() {
      if (exited() !== undefined) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
  opts.cleanup.add(() => proc.stop());
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let ready = false;
  while (!opts.signal.aborted && Date.now() < deadline) {
    const why = exited();
    if (why !== undefined) throw new Error(`apiserver exited during startup (${why}); log tail:\n${logTail()}`);
    if (!ready) ready = (await status(`${url}/readyz`)) === 200;
    if (ready && (await status(`${url}/api/v1/namespaces/default`)) === 200) return proc;
    await sleep(100);
  }
  throw new Error(`apiserver at ${url} was not ready (readyz ${ready ? '200' : 'not 200'}, default namespace missing) within the startup timeout; log tail:\n${logTail()}`);
}

/** CPU time (user + system) a process has used so far, in ms, from /proc; undefined if unreadable. */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th overall.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[11]) + Number(rest[12]);
    return Number.isFinite(ticks) ? ticks * (1000 / clockTicks()) : undefined;
  } catch {
    return undefined;
  }
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const n = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim());
    ticksPerSecond = Number.isFinite(n) && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

export type CpuProbe = () => Record<string, number | undefined>;

/** CPU ms each process spent while `run` ran, and the same as cores busy over the wall time. */
export async function withCpu<T>(probe: CpuProbe, run: () => Promise<T>): Promise<{ result: T; cpu: Record<string, { ms: number | null; cores: number | null }> }> {
  const before = probe();
  const t0 = Date.now();
  const result = await run();
  const wall = Math.max(1, Date.now() - t0);
  const after = probe();
  const cpu: Record<string, { ms: number | null; cores: number | null }> = {};
  for (const [k, a] of Object.entries(after)) {
    const b = before[k];
    const ms = a !== undefined && b !== undefined ? Math.round(a - b) : null;
    cpu[k] = { ms, cores: ms === null ? null : Math.round((ms / wall) * 100) / 100 };
  }
  return { result, cpu };
}

/**
 * Runs a benchmark's main as the process: exits with its code, or prints the error (and the
 * usage, when given: a bad flag) and exits 1 (2 with a usage).
 */
export function runBenchmark(main: () => Promise<number>, usage?: string): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n${usage !== undefined ? `${usage}\n` : ''}`);
      process.exit(usage !== undefined ? 2 : 1);
    },
  );
}
