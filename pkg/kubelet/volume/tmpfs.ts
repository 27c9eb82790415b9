// emptyDir with medium Memory as upstream mounts it: a tmpfs on the volume's directory, sized by
// the volume's sizeLimit (else the node's allocatable memory), unmounted before the pod's
// directory is removed. Mounting needs root, and a runtime whose containers see the node's mounts.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class TmpfsError extends Error {
  override readonly name = 'TmpfsError';
}

/** Mount points at or under `dir`, deepest first (from /proc/self/mountinfo). */
export async function mountsUnder(dir: string, mountinfo = '/proc/self/mountinfo'): Promise<string[]> {
  const text = await readFile(mountinfo, 'utf8').catch(() => '');
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const points = text
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    // mountinfo escapes space, tab, newline and backslash as octal.
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))))
    .filter((p) => p === dir || p.startsWith(prefix));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Mounts a tmpfs of `sizeBytes` (0: tmpfs's default) on `dir`, unless one is there already. */
export async function mountTmpfs(dir: string, sizeBytes: number): Promise<void> {
  if ((await mountsUnder(dir)).includes(dir)) return;
  const options = ['mode=0777', ...(sizeBytes > 0 ? [`size=${sizeBytes}`] : [])].join(',');
  try {
    await run('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  } catch (err) {
    throw new TmpfsError(`mount failed: ${(err as { stderr?: string }).stderr?.trim() ?? String(err)}`);
  }
}

/** Unmounts everything mounted at or under `dir` (deepest first). */
export async function unmountUnder(dir: string): Promise<void> {
  for (const point of await mountsUnder(dir)) await run('umount', [point]).catch(() => run('umount', ['-l', point]).catch(() => undefined));
}
