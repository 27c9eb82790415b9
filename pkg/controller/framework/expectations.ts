// Expectations (as upstream's ControllerExpectations): a controller that just asked for N creates
// or deletes does not act on that owner again until its informer has seen them (or five minutes
// passed), so a slow watch never makes it create or delete twice.
import type { Clock } from '../../client/clock.js';

/** Upstream's ExpectationsTimeout: expectations older than this are treated as met. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface Expectation {
  add: number;
  del: number;
  setAt: number;
  /** Keys of objects whose deletion is expected (UID-tracking variant). */
  readonly deleting: Set<string>;
}

export class ControllerExpectations {
  private readonly byOwner = new Map<string, Expectation>();

  constructor(private readonly clock: Clock) {}

  /** True when nothing is pending for the owner: it may be reconciled from the cache. */
  satisfied(ownerKey: string): boolean {
    const e = this.byOwner.get(ownerKey);
    if (e === undefined) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.clock.now() - e.setAt > EXPECTATIONS_TIMEOUT_MS;
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
