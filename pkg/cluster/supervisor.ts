// Child processes kept running, as a service manager does: each is started with the kernel told to
// SIGTERM it if the supervisor dies (even by SIGKILL), restarted with back-off when it exits on its
// own, and stopped in reverse start order (SIGTERM, SIGKILL after a grace period). The local
// launcher supervises a whole cluster with it; `kubets node` supervises one node's runtime and
// kubelet, as systemd does on a real machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface SupervisedProcess {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  child?: ChildProcess;
  /** Restarts since it last ran a minute (the back-off exponent). */
  restarts: number;
  startedAt: number;
  /** Runs at stop before the SIGTERM, while the process still serves (containerd: take its pods down). */
  readonly beforeStop?: () => Promise<void>;
}

export interface SupervisorOptions {
  /** Start a process again when it exits on its own (1 s doubling to 30 s; reset after a minute up). */
  readonly restartCrashed: boolean;
  /** How long a SIGTERMed process may take to exit at stop. */
  readonly stopGraceMs?: number;
  /** Where the supervisor says what happened ("x exited unexpectedly"). */
  readonly out: (line: string) => void;
  /** Wires a fresh child's output (stdio is ['ignore', 'pipe', 'pipe'] unless `inheritOutput`). */
  readonly attach?: (p: SupervisedProcess, child: ChildProcess) => void;
  /** The children write to the supervisor's own stdout and stderr. */
  readonly inheritOutput?: boolean;
  /** Called after a process started and after it exited (pid files, records). */
  readonly onChange?: (p: SupervisedProcess, event: 'started' | 'exited') => void;
  /** Words after "exited unexpectedly (...)" that say where to look. */
  readonly hint?: (p: SupervisedProcess) => string;
}

const hasSetpriv = existsSync('/usr/bin/setpriv');

/** Delay before the restart that follows `restarts` earlier ones. */
export function restartDelayMs(restarts: number): number {
  return Math.min(1000 * 2 ** restarts, 30_000);
}

export class Supervisor {
  private readonly started: SupervisedProcess[] = [];
  private stopping = false;

  constructor(private readonly opts: SupervisorOptions) {}

  get isStopping(): boolean {
    return this.stopping;
  }

  start(p: SupervisedProcess): void {
    if (!this.started.includes(p)) this.started.push(p);
    const [cmd, args] = hasSetpriv ? ['/usr/bin/setpriv', ['--pdeathsig', 'TERM', '--', p.command, ...p.args]] : [p.command, [...p.args]];
    const child = spawn(cmd, args, { stdio: this.opts.inheritOutput === true ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'] });
    p.child = child;
    p.startedAt = Date.now();
    this.opts.attach?.(p, child);
    this.opts.onChange?.(p, 'started');
    child.on('exit', (code, signal) => {
      if (this.stopping) return;
      const hint = this.opts.hint?.(p);
      this.opts.out(`kubets: ${p.name} exited unexpectedly (${signal ?? `code ${code}`})${hint ? `; ${hint}` : ''}`);
      this.opts.onChange?.(p, 'exited');
      if (!this.opts.restartCrashed) return;
      if (Date.now() - p.startedAt > 60_000) p.restarts = 0;
      const delay = restartDelayMs(p.restarts);
      p.restarts++;
      const timer = setTimeout(() => {
        if (!this.stopping) {
          this.opts.out(`kubets: restarting ${p.name}`);
          this.start(p);
        }
      }, delay);
      timer.unref();
    });
    // A command that cannot be spawned exits with an 'error' first; the exit handler decides.
    child.on('error', (err) => this.opts.out(`kubets: ${p.name}: ${err.message}`));
  }

  /** Whether a process started by this supervisor has exited and is not being restarted yet. */
  anyExited(): boolean {
    return this.started.some((p) => p.child?.exitCode !== null && p.child?.exitCode !== undefined);
  }

  /** SIGTERM to each process, newest first, each awaited (SIGKILL after the grace period). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const p of [...this.started].reverse()) {
      const child = p.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) continue;
      await p.beforeStop?.().catch((err: unknown) => this.opts.out(`${p.name}: before stopping: ${err instanceof Error ? err.message : String(err)}`));
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), this.opts.stopGraceMs ?? 10_000);
      await exited;
      clearTimeout(timer);
    }
  }
}
