// What a simulated container does, read from its command line so that manifests written for real
// images behave plausibly: `sleep N` sleeps, `echo` writes its line to the log (or with `>`/`>>`
// to a file), `true`/`false`/`exit N` end with their codes, `touch`/`rm`/`cat`/`mkdir` work on a
// small per-container file set (the classic `touch /tmp/healthy` liveness example) and, under a
// volume mount, on the real files of the volume on the node — so a ConfigMap volume can be read
// and an emptyDir shared between containers — and the same words behind `sh -c` joined by `;`,
// `&&`, `||` or new lines mean the same. Any other command (a server such as nginx, a shell loop)
// runs until it is stopped. README "The simulated runtime" documents this vocabulary.

import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';

/** One command of a script and how it joins the one before it. */
export interface ScriptStep {
  readonly argv: readonly string[];
  readonly after: ';' | '&&' | '||';
}

export interface Program {
  readonly steps: readonly ScriptStep[];
  /**
   * PID 1 run from the vocabulary (sleep, a shell) ignores SIGTERM as it does in a real container,
   * so stopping it waits for the grace period and kills it; a server exits when asked.
   */
  readonly ignoresSigterm: boolean;
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);

const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** The program of a container: its command and args (the image's own entrypoint when both are empty). */
export function parseProgram(command: readonly string[], args: readonly string[], env: Readonly<Record<string, string>> = {}): Program {
  const argv = [...command, ...args];
  if (argv.length === 0) return { steps: [{ argv: ['<entrypoint>'], after: ';' }], ignoresSigterm: false };
  const first = basename(argv[0]!);
  if (SHELLS.has(first)) {
    const c = argv.findIndex((a, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(a));
    if (c > 0) {
      const script = argv[c + 1] ?? '';
      return { steps: parseScript(script, env), ignoresSigterm: true };
    }
    // A shell without -c waits on its stdin: it runs until stopped.
    return { steps: [{ argv, after: ';' }], ignoresSigterm: true };
  }
  return { steps: [{ argv, after: ';' }], ignoresSigterm: isVocabulary(first) };
}

const VOCABULARY = new Set(['sleep', 'true', 'false', ':', 'exit', 'echo', 'touch', 'rm', 'cat', 'mkdir', 'printenv']);

function isVocabulary(word: string): boolean {
  return VOCABULARY.has(word);
}

/**
 * Splits a shell script into commands on `;`, `&&`, `||` and new lines, honouring single and
 * double quotes and backslashes, and expanding $VAR / ${VAR} outside single quotes.
 */
export function parseScript(script: string, env: Readonly<Record<string, string>> = {}): ScriptStep[] {
  const steps: ScriptStep[] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let after: ScriptStep['after'] = ';';
  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (next: ScriptStep['after']): void => {
    endWord();
    if (words.length > 0) steps.push({ argv: words, after });
    words = [];
    after = next;
  };
  const expand = (i: number): [string, number] => {
    const rest = script.slice(i + 1);
    const braced = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(rest);
    if (braced) return [env[braced[1]!] ?? '', i + 1 + braced[0].length];
    const plain = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (plain) return [env[plain[0]] ?? '', i + 1 + plain[0].length];
    return ['$', i + 1];
  };
  let i = 0;
  while (i < script.length) {
    const ch = script[i]!;
    if (ch === "'") {
      const end = script.indexOf("'", i + 1);
      word += script.slice(i + 1, end < 0 ? script.length : end);
      inWord = true;
      i = end < 0 ? script.length : end + 1;
    } else if (ch === '"') {
      inWord = true;
      i++;
      while (i < script.length && script[i] !== '"') {
        if (script[i] === '\\' && i + 1 < script.length) {
          word += script[i + 1];
          i += 2;
        } else if (script[i] === '$') {
          const [value, next] = expand(i);
          word += value;
          i = next;
        } else word += script[i++];
      }
      i++;
    } else if (ch === '\\' && i + 1 < script.length) {
      word += script[i + 1];
      inWord = true;
      i += 2;
    } else if (ch === '$') {
      const [value, next] = expand(i);
      word += value;
      inWord = true;
      i = next;
    } else if (ch === ';' || ch === '\n') {
      endCommand(';');
      i++;
    } else if (script.startsWith('&&', i)) {
      endCommand('&&');
      i += 2;
    } else if (script.startsWith('||', i)) {
      endCommand('||');
      i += 2;
    } else if (ch === '#' && !inWord) {
      while (i < script.length && script[i] !== '\n') i++;
    } else if (ch === ' ' || ch === '\t') {
      endWord();
      i++;
    } else {
      word += ch;
      inWord = true;
      i++;
    }
  }
  endCommand(';');
  return steps;
}

/** Seconds of `sleep`'s operands (suffixes s, m, h, d); undefined for `infinity`; NaN when invalid. */
export function sleepSeconds(operands: readonly string[]): number | undefined {
  let total = 0;
  for (const op of operands) {
    if (op === 'infinity' || op === 'inf') return undefined;
    const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(op);
    if (!m) return NaN;
    total += Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[m[2]!]!;
  }
  return operands.length === 0 ? NaN : total;
}

/** What running a program needs from its container. */
export interface ProgramHost {
  /** Resolves after `ms`, rejects when the program is stopped. */
  sleep(ms: number): Promise<void>;
  /** Never resolves until the program is stopped (then rejects). */
  forever(): Promise<never>;
  /**
   * A command outside the vocabulary: a container's main process runs it until stopped; an exec
   * (a probe such as `pg_isready`) succeeds.
   */
  unknown(argv: readonly string[]): Promise<number>;
  write(stream: 'stdout' | 'stderr', line: string): void;
  readonly files: Set<string>;
  /** The container's volume mounts: paths under them are the node's files. */
  readonly mounts: readonly ProgramMount[];
}

export interface ProgramMount {
  readonly containerPath: string;
  readonly hostPath: string;
  readonly readonly: boolean;
}

/** The node file behind a container path under a mount (the deepest mount wins), or undefined. */
export function resolveMounted(mounts: readonly ProgramMount[], path: string): { hostPath: string; readOnly: boolean } | undefined {
  // Normalized first, so `..` cannot climb out of the volume.
  const clean = posix.resolve('/', path);
  let best: ProgramMount | undefined;
  let bestLen = -1;
  for (const m of mounts) {
    const root = posix.resolve('/', m.containerPath);
    if ((clean === root || clean.startsWith(root === '/' ? '/' : `${root}/`)) && root.length > bestLen) {
      best = m;
      bestLen = root.length;
    }
  }
  if (best === undefined) return undefined;
  const rest = clean.slice(bestLen).replace(/^\/+/, '');
  return { hostPath: rest === '' ? best.hostPath : join(best.hostPath, rest), readOnly: best.readonly };
}

/** What a file operation under a mount failed with, in coreutils' words. */
function fsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EISDIR') return 'Is a directory';
  if (code === 'ENOTDIR') return 'Not a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'Permission denied';
  return (err as Error).message;
}

const READ_ONLY = 'Read-only file system';

/** Runs the steps and resolves with the exit code (or stays pending for a command that never ends). */
export async function runProgram(program: Program, host: ProgramHost): Promise<number> {
  let status = 0;
  for (const step of program.steps) {
    if (step.after === '&&' && status !== 0) continue;
    if (step.after === '||' && status === 0) continue;
    const outcome = await runCommand(step.argv, host, status);
    if (outcome.exit) return outcome.code;
    status = outcome.code;
  }
  return status;
}

async function runCommand(argv: readonly string[], host: ProgramHost, lastStatus: number): Promise<{ code: number; exit?: boolean }> {
  const name = basename(argv[0] ?? '');
  const operands = argv.slice(1);
  switch (name) {
    case 'true':
    case ':':
      return { code: 0 };
    case 'false':
      return { code: 1 };
    case 'exit': {
      const n = operands.length === 0 ? lastStatus : Number(operands[0]);
      return { code: Number.isInteger(n) ? ((n % 256) + 256) % 256 : 2, exit: true };
    }
    case 'echo': {
      const noNewline = operands[0] === '-n';
      // `>file` and `>>file` written without a space are the same redirections.
      const words = (noNewline ? operands.slice(1) : operands).flatMap((w) => (/^>>?[^>]/.test(w) ? [w.startsWith('>>') ? '>>' : '>', w.replace(/^>>?/, '')] : [w]));
      const redirect = words.findIndex((w) => w === '>' || w === '>>');
      if (redirect < 0 || words[redirect + 1] === undefined) {
        host.write('stdout', words.join(' '));
        return { code: 0 };
      }
      const file = words[redirect + 1]!;
      const text = [...words.slice(0, redirect), ...words.slice(redirect + 2)].join(' ') + (noNewline ? '' : '\n');
      const mounted = resolveMounted(host.mounts, file);
      if (mounted === undefined) {
        host.files.add(file);
        return { code: 0 };
      }
      if (mounted.readOnly) {
        host.write('stderr', `sh: can't create ${file}: ${READ_ONLY}`);
        return { code: 1 };
      }
      try {
        await (words[redirect] === '>>' ? appendFile(mounted.hostPath, text) : writeFile(mounted.hostPath, text));
        return { code: 0 };
      } catch (err) {
        host.write('stderr', `sh: can't create ${file}: ${fsError(err)}`);
        return { code: 1 };
      }
    }
    case 'printenv':
      return { code: 0 };
    case 'sleep': {
      const s = sleepSeconds(operands);
      if (s === undefined) return host.forever();
      if (Number.isNaN(s)) {
        host.write('stderr', `sleep: invalid time interval '${operands.join(' ')}'`);
        return { code: 1 };
      }
      await host.sleep(s * 1000);
      return { code: 0 };
    }
    case 'touch':
    case 'mkdir': {
      let code = 0;
      for (const f of operands.filter((o) => !o.startsWith('-'))) {
        const mounted = resolveMounted(host.mounts, f);
        if (mounted === undefined) {
          host.files.add(f);
          continue;
        }
        const what = name === 'touch' ? `touch: cannot touch '${f}'` : `mkdir: cannot create directory '${f}'`;
        if (mounted.readOnly) {
          host.write('stderr', `${what}: ${READ_ONLY}`);
          code = 1;
          continue;
        }
        try {
          if (name === 'mkdir') await mkdir(mounted.hostPath, { recursive: operands.includes('-p') });
          else await appendFile(mounted.hostPath, '');
        } catch (err) {
          if (name === 'mkdir' && (err as NodeJS.ErrnoException).code === 'EEXIST') host.write('stderr', `${what}: File exists`);
          else host.write('stderr', `${what}: ${fsError(err)}`);
          code = 1;
        }
      }
      return { code };
    }
    case 'rm': {
      const force = operands.some((o) => /^-[a-z]*f/.test(o));
      const recursive = operands.some((o) => /^-[a-z]*r/i.test(o));
      let code = 0;
      for (const f of operands.filter((o) => !o.startsWith('-'))) {
        const mounted = resolveMounted(host.mounts, f);
        let failure: string | undefined;
        if (mounted === undefined) {
          if (!host.files.delete(f)) failure = 'No such file or directory';
        } else if (mounted.readOnly) failure = READ_ONLY;
        else {
          try {
            await rm(mounted.hostPath, { recursive });
          } catch (err) {
            failure = fsError(err);
          }
        }
        if (failure !== undefined && !(force && failure === 'No such file or directory')) {
          host.write('stderr', `rm: cannot remove '${f}': ${failure}`);
          code = 1;
        }
      }
      return { code };
    }
    case 'cat': {
      let code = 0;
      for (const f of operands) {
        const mounted = resolveMounted(host.mounts, f);
        if (mounted !== undefined) {
          try {
            const text = await readFile(mounted.hostPath, 'utf8');
            const lines = text.split('\n');
            if (lines[lines.length - 1] === '') lines.pop();
            for (const line of lines) host.write('stdout', line);
          } catch (err) {
            host.write('stderr', `cat: ${f}: ${fsError(err)}`);
            code = 1;
          }
        } else if (!host.files.has(f)) {
          host.write('stderr', `cat: ${f}: No such file or directory`);
          code = 1;
        }
      }
      return { code };
    }
    default:
      return { code: await host.unknown(argv) };
  }
}
