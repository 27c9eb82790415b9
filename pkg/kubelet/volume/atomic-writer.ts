// Writes a set of files into a volume directory so that a reader never sees half of an update:
// the files go into a fresh hidden directory, then one rename swaps the `..data` link to it (the
// layout of upstream's AtomicWriter, which ConfigMap, Secret, downward API and projected volumes
// share). Each top-level name of the payload is a link through `..data`, so it follows the swap.
import { chmod, lstat, mkdir, readdir, readFile, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';

export interface PayloadFile {
  readonly content: Buffer;
  /** Permission bits (0-0777). */
  readonly mode: number;
}

/** Relative file path → content and mode. */
export type Payload = ReadonlyMap<string, PayloadFile>;

const DATA_LINK = '..data';
const DATA_LINK_TMP = '..data_tmp';

/** `..2026_12_06_23_00_00.123456789`: a name no payload path can take (payload paths may not start with ".."). */
function timestampedName(now: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const rand = Math.floor(Math.random() * 1e9);
  return `..${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}.${p(rand, 9)}`;
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** Whether the directory `..data` points to holds exactly `payload`. */
async function holds(dir: string, payload: Payload): Promise<boolean> {
  const current = await readlink(join(dir, DATA_LINK)).catch(() => undefined);
  if (current === undefined) return false;
  const base = join(dir, current);
  const present = await listFiles(base);
  if (present.length !== payload.size) return false;
  for (const rel of present) {
    const want = payload.get(rel);
    if (want === undefined) return false;
    const file = join(base, rel);
    const [content, st] = await Promise.all([readFile(file), stat(file)]);
    if (!content.equals(want.content) || (st.mode & 0o777) !== want.mode) return false;
  }
  return true;
}

async function listFiles(base: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(base, prefix), { withFileTypes: true }).catch(() => [])) {
    const rel = prefix === '' ? e.name : `${prefix}${sep}${e.name}`;
    if (e.isDirectory()) out.push(...(await listFiles(base, rel)));
    else out.push(rel);
  }
  return out;
}

/** Top-level names of a payload: what the user sees in the volume's root. */
function topLevel(payload: Payload): Set<string> {
  return new Set([...payload.keys()].map((p) => p.split('/')[0]!));
}

/**
 * Makes `dir` hold `payload` (creating `dir`); nothing is written when it already does. Resolves
 * with whether anything changed.
 */
export async function writePayload(dir: string, payload: Payload, now: Date = new Date()): Promise<boolean> {
  await mkdir(dir, { recursive: true });
  if (await holds(dir, payload)) return false;
  const previous = await readlink(join(dir, DATA_LINK)).catch(() => undefined);
  const fresh = timestampedName(now);
  const base = join(dir, fresh);
  await mkdir(base, { mode: 0o755 });
  for (const [rel, file] of payload) {
    const path = join(base, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.content);
    await chmod(path, file.mode);
  }
  await rm(join(dir, DATA_LINK_TMP), { force: true });
  await symlink(fresh, join(dir, DATA_LINK_TMP));
  await rename(join(dir, DATA_LINK_TMP), join(dir, DATA_LINK));
  const wanted = topLevel(payload);
  for (const name of wanted) {
    const link = join(dir, name);
    if (!(await exists(link))) await symlink(join(DATA_LINK, name), link);
  }
  // What the previous payload had and this one has not goes, then the previous data itself.
  for (const name of await readdir(dir)) {
    if (name.startsWith('..') || wanted.has(name)) continue;
    const link = join(dir, name);
    if ((await readlink(link).catch(() => '')).startsWith(`${DATA_LINK}${sep}`)) await rm(link, { force: true });
  }
  if (previous !== undefined && previous !== fresh) await rm(join(dir, previous), { recursive: true, force: true });
  return true;
}
