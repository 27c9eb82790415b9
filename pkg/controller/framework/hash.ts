// Hashes that name what controllers create: the pod-template-hash of a Deployment's ReplicaSets
// and the hash of a ControllerRevision. Stable across processes and key order, changed by a
// collision count so a clash with an unrelated object yields a new name.

/** JSON with object keys sorted and undefined members left out: equal values, equal text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** FNV-1a, 32 bits, over the UTF-8 bytes (what upstream hashes templates and revisions with). */
export function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Upstream's SafeEncodeString alphabet: no vowels, no 0/1/3, so names never spell words. */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

export function safeEncode(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += ALPHANUMS[b % ALPHANUMS.length]!;
  return out;
}

/** The name-safe hash of a value and the collision count that disambiguates it. */
export function computeHash(value: unknown, collisionCount: number | undefined): string {
  let text = canonicalJson(value ?? {});
  if (collisionCount !== undefined) text += `#${collisionCount}`;
  return safeEncode(String(fnv32a(text)));
}
