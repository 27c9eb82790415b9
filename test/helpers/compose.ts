// Driving deploy/docker-compose.yml from tests and the chaos harness: the docker and
// docker-compose CLIs (what users run), a project's containers as `docker inspect` shows them.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runKubectl, type KubectlResult } from './kubectl.js';
import { pollUntil, sleep } from './wait.js';

const run = promisify(execFile);

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
export const COMPOSE_FILE = resolve(REPO_ROOT, 'deploy', 'docker-compose.yml');
export const PROJECT_LABEL = 'com.docker.compose.project';

/** The parts of `docker inspect` output the tests read. */
export interface ContainerInfo {
  readonly Id: string;
  readonly Name: string;
  readonly RestartCount: number;
  readonly State: { readonly Running: boolean; readonly Paused: boolean; readonly Pid: number; readonly StartedAt: string; readonly Health?: { readonly Status: string; readonly FailingStreak?: number; readonly Log?: readonly { readonly Start: string; readonly ExitCode: number; readonly Output: string }[] } };
  readonly Config: { readonly Labels: Record<string, string>; readonly Hostname: string };
  readonly NetworkSettings: { readonly Networks: Record<string, { readonly IPAddress: string; readonly Aliases: readonly string[] | null }> };
}

export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    message: string,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

async function exec(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv | undefined, timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(cmd, [...args], { timeout: timeoutMs, maxBuffer: 64 << 20, ...(env ? { env } : {}) });
  } catch (err: unknown) {
    const e = err as { stdout?: unknown; stderr?: unknown };
    const stderr = String(e.stderr ?? '').trim();
    throw new CommandError(`${cmd} ${args.join(' ')}: ${stderr || (err instanceof Error ? err.message : String(err))}`, String(e.stdout ?? ''), stderr);
  }
}

export async function docker(args: readonly string[], timeoutMs = 60_000): Promise<string> {
  return (await exec('docker', args, undefined, timeoutMs)).stdout;
}

/** The tail of a container's log, its stdout and stderr one after the other. */
export async function containerLogTail(id: string, lines: number): Promise<string> {
  const { stdout, stderr } = await exec('docker', ['logs', '--tail', String(lines), id], undefined, 30_000);
  return `${stdout}${stderr}`;
}

export function ipOf(c: ContainerInfo): string {
  for (const n of Object.values(c.NetworkSettings.Networks)) if (n.IPAddress !== '') return n.IPAddress;
  return '';
}

export function serviceOf(c: ContainerInfo): string {
  return c.Config.Labels['com.docker.compose.service'] ?? '';
}

/** One compose project of deploy/docker-compose.yml, publishing the API on `apiPort`. */
export class ComposeProject {
  constructor(
    readonly name: string,
    readonly apiPort: number,
    private readonly extraEnv: Readonly<Record<string, string>> = {},
  ) {}

  args(args: readonly string[]): string[] {
    return ['-p', this.name, '-f', COMPOSE_FILE, ...args];
  }

  /** Runs docker-compose; resolves with stdout and stderr (compose reports progress on stderr). */
  async compose(args: readonly string[], timeoutMs = 180_000): Promise<{ stdout: string; stderr: string }> {
    return exec('docker-compose', this.args(args), { ...process.env, KUBETS_API_PORT: String(this.apiPort), ...this.extraEnv }, timeoutMs);
  }

  async containers(): Promise<ContainerInfo[]> {
    const ids = (await docker(['ps', '-aq', '--filter', `label=${PROJECT_LABEL}=${this.name}`])).split('\n').filter((s) => s !== '');
    if (ids.length === 0) return [];
    return JSON.parse(await docker(['inspect', ...ids])) as ContainerInfo[];
  }

  /** Containers, networks and volumes still carrying the project's label. */
  async leftovers(): Promise<string[]> {
    const filter = ['--filter', `label=${PROJECT_LABEL}=${this.name}`];
    const out: string[] = [];
    for (const [what, args] of [
      ['container', ['ps', '-aq', ...filter]],
      ['network', ['network', 'ls', '-q', ...filter]],
      ['volume', ['volume', 'ls', '-q', ...filter]],
    ] as const) {
      for (const id of (await docker(args)).split('\n').filter((s) => s !== '')) out.push(`${what} ${id}`);
    }
    return out;
  }

  async down(): Promise<void> {
    await this.compose(['down', '-v', '--remove-orphans', '-t', '5']);
  }
}

export type Run = KubectlResult;

/** kubectl on `kubeconfig`, each request given 20 s. */
export function kubectl(kubeconfig: string, args: string[], input?: string): Promise<Run> {
  return runKubectl(['--kubeconfig', kubeconfig, '--request-timeout=20s', ...args], input);
}

export { sleep };

/** Polls `probe` every 250 ms until it gives a value (a probe that throws is tried again). */
export function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  return pollUntil(what, probe, ms, 250, { retryErrors: true });
}

export function healthy(cs: readonly ContainerInfo[]): boolean {
  return cs.length > 0 && cs.every((c) => c.State.Running && c.State.Health?.Status === 'healthy');
}

/** The containers that are not healthy yet, with their state: what a timeout reports. */
export function notHealthy(cs: readonly ContainerInfo[]): string {
  return cs
    .filter((c) => !(c.State.Running && c.State.Health?.Status === 'healthy'))
    .map((c) => `${serviceOf(c)} ${c.Id.slice(0, 12)}: ${c.State.Running ? (c.State.Health?.Status ?? 'no health') : 'not running'}`)
    .join('; ');
}
