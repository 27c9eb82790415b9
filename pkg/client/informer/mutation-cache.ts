// A controller that writes an object and syncs again before its informer shows that write would
// act on the version it replaced: a Deployment controller that has just grown one ReplicaSet still
// sees it at its former size and hands the same surge room to another. Upstream client-go keeps
// such writes in a MutationCache (used by its token controller); this is the same idea for the
// controllers here: what the API returned for our own writes, preferred over the informer's copy
// until the informer has caught up.
import type { Clock } from '../clock.js';

interface Versioned {
  readonly metadata?: { readonly uid?: string; readonly resourceVersion?: string } | undefined;
}

/** How long a write is remembered: an informer that has not shown it by then is not waited for. */
export const MUTATION_TTL_MS = 60_000;

/** resourceVersions are etcd revisions here (decimal): the larger is the later one. */
function newerThan(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) > BigInt(b);
}

export interface MutationCacheOptions {
  /** How long a write is remembered (MUTATION_TTL_MS). */
  readonly ttlMs?: number;
  /** How long a write whose reply was lost keeps its object's cached copy in doubt (ttlMs). */
  readonly uncertainTtlMs?: number;
}

export class MutationCache<T extends Versioned> {
  private readonly written = new Map<string, { readonly obj: T; readonly at: number }>();
  /** Writes whose reply was lost, by uid: the version they were made on. */
  private readonly unsure = new Map<string, { readonly fromVersion: string | undefined; readonly at: number }>();
  private readonly ttlMs: number;
  private readonly uncertainTtlMs: number;

  constructor(
    private readonly clock: Clock,
    opts: MutationCacheOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? MUTATION_TTL_MS;
    this.uncertainTtlMs = opts.uncertainTtlMs ?? this.ttlMs;
  }

  /** Records what the API returned for a write of ours. */
  mutated(obj: T): void {
    const uid = obj.metadata?.uid;
    if (uid === undefined || uid === '') return;
    const now = this.clock.now();
    for (const [key, w] of this.written) if (now - w.at > this.ttlMs) this.written.delete(key);
    const prior = this.written.get(uid);
    if (prior !== undefined && newerThan(prior.obj.metadata?.resourceVersion, obj.metadata?.resourceVersion)) return;
    this.written.set(uid, { obj, at: now });
  }

  /** The informer's object, or our own later write of it while the informer has not shown that yet. */
  newest<U extends Versioned>(cached: U): U | T {
    const uid = cached.metadata?.uid;
    const w = uid !== undefined ? this.written.get(uid) : undefined;
    if (w === undefined) return cached;
    if (this.clock.now() - w.at <= this.ttlMs && newerThan(w.obj.metadata?.resourceVersion, cached.metadata?.resourceVersion)) return w.obj;
    this.written.delete(uid!);
    return cached;
  }

  /** A write of ours to `obj` (the version it was made on) may have landed: its reply was lost. */
  mayHaveMutated(obj: Versioned): void {
    const uid = obj.metadata?.uid;
    if (uid === undefined || uid === '') return;
    const now = this.clock.now();
    for (const [key, u] of this.unsure) if (now - u.at > this.uncertainTtlMs) this.unsure.delete(key);
    this.unsure.set(uid, { fromVersion: obj.metadata?.resourceVersion, at: now });
  }

  /**
   * Whether the informer's copy may predate a write of ours that may have landed: until the
   * informer shows a later version (the write, or whatever came after), or the time runs out.
   */
  uncertain(cached: Versioned): boolean {
    const uid = cached.metadata?.uid;
    const u = uid !== undefined ? this.unsure.get(uid) : undefined;
    if (u === undefined) return false;
    const known = newerThan(cached.metadata?.resourceVersion, u.fromVersion) || newerThan(this.written.get(uid!)?.obj.metadata?.resourceVersion, u.fromVersion);
    if (known || this.clock.now() - u.at > this.uncertainTtlMs) {
      this.unsure.delete(uid!);
      return false;
    }
    return true;
  }
}
