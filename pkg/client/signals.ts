// Linked abort signals with explicit disposal. AbortSignal.any keeps a reference from a long-lived
// parent (a process's root signal) to every child; here listeners are removed when a call ends.

export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** True once the timeout (not a parent) aborted the signal. */
  readonly timedOut: boolean;
  dispose(): void;
}

/** A signal that aborts when any parent aborts or after `timeoutMs` (0 or undefined: never). */
export function linkSignals(parents: readonly (AbortSignal | undefined)[], timeoutMs?: number): LinkedSignal {
  const ac = new AbortController();
  const cleanups: (() => void)[] = [];
  let timedOut = false;
  for (const p of parents) {
    if (p === undefined) continue;
    if (p.aborted) {
      ac.abort(p.reason);
      break;
    }
    const onAbort = (): void => ac.abort(p.reason);
    p.addEventListener('abort', onAbort, { once: true });
    cleanups.push(() => p.removeEventListener('abort', onAbort));
  }
  if (!ac.signal.aborted && timeoutMs !== undefined && timeoutMs > 0) {
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort(new DOMException(`the operation timed out after ${timeoutMs}ms`, 'TimeoutError'));
    }, timeoutMs);
    // The request's socket keeps the process alive while needed; the timer alone must not.
    timer.unref();
    cleanups.push(() => clearTimeout(timer));
  }
  return {
    signal: ac.signal,
    get timedOut() {
      return timedOut;
    },
    dispose() {
      for (const c of cleanups.splice(0)) c();
    },
  };
}
