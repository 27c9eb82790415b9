// Waiting for several caches (or handler registrations) to sync, as a controller's run() does
// before starting its workers.
import { realClock, type Clock } from '../clock.js';

/** client-go polls sync state every 100 ms. */
const SYNC_POLL_MS = 100;

/**
 * Resolves true once every function returns true, false if `signal` aborts first. Pass
 * informer.hasSynced or a HandlerRegistration's hasSynced (bound).
 */
export async function waitForCacheSync(signal: AbortSignal, syncs: readonly (() => boolean)[], clock: Clock = realClock): Promise<boolean> {
  for (;;) {
    if (signal.aborted) return false;
    if (syncs.every((s) => s())) return true;
    try {
      await clock.sleep(SYNC_POLL_MS, signal);
    } catch {
      return false;
    }
  }
}
