// Creating and deleting the pods of a workload as upstream's PodControl and the controllers'
// manage loops do: creates in slow-start batches, an Event per pod created or deleted (or per
// failure), and expectations kept exactly: what will be observed stays expected, what never
// will is forgotten at once.
import type { Pod } from '../../api/core/v1/pod-types.js';
import { podResource } from '../../api/core/v1/pod.js';
import { metaNamespaceKey, type DeepReadonly } from '../../client/informer/store.js';
import type { KubeObject } from '../../client/resource.js';
import type { ObjectClient } from './client.js';
import type { EventSink } from './context.js';
import { isNamespaceTerminating, isNotFound, isTimeout } from './errors.js';
import type { ControllerExpectations } from './expectations.js';

/** Slow start: creates go in batches of 1, 2, 4, ... so a create that keeps failing stops early. */
export const SLOW_START_INITIAL_BATCH = 1;

/**
 * Runs `count` calls in batches that double after each fully successful batch (1, 2, 4, ...);
 * stops at the first batch with a failure. Returns how many succeeded, how many were never tried,
 * and the first error.
 */
export async function slowStartBatch(count: number, initial: number, fn: () => Promise<void>): Promise<{ done: number; skipped: number; error?: unknown }> {
  let remaining = count;
  let done = 0;
  for (let batch = Math.min(remaining, initial); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    done += ok;
    remaining -= batch;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) return { done, skipped: remaining, error: failed.reason };
  }
  return { done, skipped: 0 };
}

type Owner = DeepReadonly<KubeObject> & { apiVersion?: string; kind?: string };

export class PodControl {
  constructor(
    private readonly client: ObjectClient,
    private readonly events: EventSink,
    private readonly expectations: ControllerExpectations,
  ) {}

  /**
   * Creates `count` pods made by `make` for `owner` (expectations under `ownerKey`). Throws the
   * first failure after the batch it happened in; creates never tried are no longer expected.
   */
  async createPods(owner: Owner, ownerKey: string, count: number, make: () => Pod): Promise<void> {
    if (count <= 0) return;
    this.expectations.expectCreations(ownerKey, count);
    const ns = owner.metadata?.namespace ?? '';
    const result = await slowStartBatch(count, SLOW_START_INITIAL_BATCH, async () => {
      try {
        const made = await this.client.create<Pod>(podResource, ns, make());
        void this.events.record(owner, 'Normal', 'SuccessfulCreate', 'Create', `Created pod: ${made.metadata?.name ?? ''}`);
      } catch (err) {
        // The pod may exist: the watch will tell, or the (shortened) expectation expires and the next sync repairs.
        if (isTimeout(err)) {
          this.expectations.outcomeUnknown(ownerKey);
          return;
        }
        this.expectations.creationFailed(ownerKey);
        // Creates into a namespace being deleted are refused until it is gone: nothing to report.
        if (isNamespaceTerminating(err)) return;
        void this.events.record(owner, 'Warning', 'FailedCreate', 'Create', `Error creating: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      }
    });
    if (result.skipped > 0) this.expectations.creationFailed(ownerKey, result.skipped);
    if (result.error !== undefined) throw result.error;
  }

  /** Deletes `pods` of `owner` at once; pods already gone count as deleted. Throws the first failure. */
  async deletePods(owner: Owner, ownerKey: string, pods: readonly DeepReadonly<Pod>[]): Promise<void> {
    if (pods.length === 0) return;
    this.expectations.expectDeletions(ownerKey, pods.map((p) => metaNamespaceKey(p)));
    const results = await Promise.allSettled(
      pods.map(async (p) => {
        const name = p.metadata?.name ?? '';
        try {
          await this.client.delete(podResource, p.metadata?.namespace ?? '', name);
          void this.events.record(owner, 'Normal', 'SuccessfulDelete', 'Delete', `Deleted pod: ${name}`);
        } catch (err) {
          // A delete that may have happened is left to the watch, like a create.
          if (isTimeout(err)) {
            this.expectations.outcomeUnknown(ownerKey);
            return;
          }
          this.expectations.deletionObserved(ownerKey, metaNamespaceKey(p));
          if (isNotFound(err)) return;
          void this.events.record(owner, 'Warning', 'FailedDelete', 'Delete', `Error deleting: ${err instanceof Error ? err.message : String(err)}`);
          throw err;
        }
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }
}
