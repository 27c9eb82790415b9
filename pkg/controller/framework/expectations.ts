// Expectations (as upstream's ControllerExpectations): a controller that just asked for N creates
// or deletes does not act on that owner again until its informer has seen them (or five minutes
// passed), so a slow watch never makes it create or delete twice. Beyond upstream, a write whose
// outcome is unknown (a 504, a reply lost after the request went out) is waited for only
// UNCERTAIN_TIMEOUT_MS: a leader's writes are fenced by its Lease, which it renews every retry
// period, so a write that has not shown up by then never will; waiting five minutes left a
// ReplicaSet short of a pod for that long (compose chaos: a Deployment not converged in 60 s).
import type { Clock } from '../../client/clock.js';

/** Upstream's ExpectationsTimeout: expectations older than this are treated as met. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;
/** How long a create or delete of unknown outcome keeps an owner's expectations. */
export const UNCERTAIN_TIMEOUT_MS = 15_000;

interface Expectation {
  add: number;
  del: number;
  setAt: number;
  /** Keys of objects whose deletion is expected (UID-tracking variant). */
  readonly deleting: Set<string>;
  /** When the first write of unknown outcome was answered. */
  uncertainSince?: number;
}

export class ControllerExpectations {
  private readonly byOwner = new Map<string, Expectation>();

  constructor(private readonly clock: Clock) {}

  /** True when nothing is pending for the owner: it may be reconciled from the cache. */
  satisfied(ownerKey: string): boolean {
    return this.recheckInMs(ownerKey) === undefined;
  }

  /** Undefined when satisfied; otherwise how long until the expectations expire (when to look again). */
  recheckInMs(ownerKey: string): number | undefined {
    const e = this.byOwner.get(ownerKey);
    if (e === undefined || (e.add <= 0 && e.del <= 0)) return undefined;
    const now = this.clock.now();
    const expiry = Math.min(e.setAt + EXPECTATIONS_TIMEOUT_MS, e.uncertainSince !== undefined ? e.uncertainSince + UNCERTAIN_TIMEOUT_MS : Infinity);
    return now > expiry ? undefined : expiry - now + 1;
  }

  /** A create or delete may or may not have happened: the expectations expire UNCERTAIN_TIMEOUT_MS from now at the latest. */
  outcomeUnknown(ownerKey: string): void {
    const e = this.byOwner.get(ownerKey);
    if (e !== undefined) e.uncertainSince ??= this.clock.now();
  }

  expectCreations(ownerKey: string, n: number): void {
    this.set(ownerKey, n, 0, []);
  }

  /** Expects the deletion of these objects (by "ns/name" key), each observed once. */
  expectDeletions(ownerKey: string, keys: readonly string[]): void {
    this.set(ownerKey, 0, keys.length, keys);
  }

  creationObserved(ownerKey: string): void {
    const e = this.byOwner.get(ownerKey);
    if (e !== undefined) e.add--;
  }

  /** A deletion of `objectKey` was seen (or will never happen); counts once per expected key. */
  deletionObserved(ownerKey: string, objectKey: string): void {
    const e = this.byOwner.get(ownerKey);
    if (e === undefined || !e.deleting.delete(objectKey)) return;
    e.del--;
  }

  /** A create that failed will never be observed. */
  creationFailed(ownerKey: string, n = 1): void {
    const e = this.byOwner.get(ownerKey);
    if (e !== undefined) e.add -= n;
  }

  pendingDeletions(ownerKey: string): ReadonlySet<string> {
    return this.byOwner.get(ownerKey)?.deleting ?? new Set();
  }

  forget(ownerKey: string): void {
    this.byOwner.delete(ownerKey);
  }

  private set(ownerKey: string, add: number, del: number, keys: readonly string[]): void {
    this.byOwner.set(ownerKey, { add, del, setAt: this.clock.now(), deleting: new Set(keys) });
  }
}
