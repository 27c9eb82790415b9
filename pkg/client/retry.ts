// The one retry helper of the client: exponential backoff with jitter, capped, cancellable, and
// aware of the delay a server asks for (Retry-After, Status details.retryAfterSeconds).
import { StatusError } from '../api/errors.js';
import { ConnectionError } from './errors.js';

export interface RetryPolicy {
  /** Delay before the first retry, in ms. */
  readonly initialMs: number;
  /** Upper bound of one computed delay, in ms. */
  readonly maxMs: number;
  /** Growth of the delay per retry. */
  readonly factor: number;
  /** Fraction of each delay that is randomised (0 = none, 1 = anywhere in (0, delay]). */
  readonly jitter: number;
  /** Number of waits allowed before the last error is thrown; Infinity retries until aborted. */
  readonly maxRetries: number;
  /** Upper bound of a server-requested delay, in ms, so a bogus Retry-After can't stall a caller. */
  readonly maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  initialMs: 200,
  maxMs: 5_000,
  factor: 2,
  jitter: 0.5,
  maxRetries: 6,
  maxRetryAfterMs: 60_000,
};

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * What to do after a failed attempt: give up, try again at once (another server is still
 * untried), wait the next backoff step, or wait a given time (the server said so). 'now' does not
 * count against maxRetries, so the caller must bound it (rest.ts: once per server per round).
 */
export type RetryDecision = 'stop' | 'now' | 'backoff' | { readonly afterMs: number };

export interface RetryOptions {
  readonly policy?: Partial<RetryPolicy>;
  readonly signal?: AbortSignal;
  /** Defaults to retrying transient errors (see isTransientError) with their Retry-After. */
  readonly decide?: (err: unknown, attempt: number) => RetryDecision;
  /** Called before each wait; useful for logging. */
  readonly onRetry?: (err: unknown, delayMs: number, attempt: number) => void;
  readonly random?: () => number;
  readonly sleep?: Sleep;
}

export function resolvePolicy(p: Partial<RetryPolicy> | undefined): RetryPolicy {
  return { ...defaultRetryPolicy, ...p };
}

/** Delay of backoff step `step` (0-based): grows by `factor`, capped at maxMs, jittered downwards. */
export function backoffDelay(policy: RetryPolicy, step: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxMs, policy.initialMs * Math.pow(policy.factor, step));
  // Jitter only shortens the delay so the cap stays a true upper bound.
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.round(base * (1 - jitter * random()));
}

/** A stateful backoff for reconnect loops (watch, informers): next() grows, reset() after success. */
export class Backoff {
  private step = 0;
  private readonly policy: RetryPolicy;
  constructor(
    policy?: Partial<RetryPolicy>,
    private readonly random: () => number = Math.random,
  ) {
    this.policy = resolvePolicy(policy);
  }
  next(): number {
    const d = backoffDelay(this.policy, this.step, this.random);
    this.step++;
    return d;
  }
  reset(): void {
    this.step = 0;
  }
  get attempts(): number {
    return this.step;
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export const sleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** The delay a server asked for on this error, in ms, if any. */
export function retryAfterMs(err: unknown): number | undefined {
  if (!(err instanceof StatusError)) return undefined;
  const secs = err.status.details?.retryAfterSeconds;
  return typeof secs === 'number' && secs > 0 ? secs * 1000 : undefined;
}

/** Errors worth retrying: lost connections, throttling, and a server that is unavailable or timed out. */
export function isTransientError(err: unknown): boolean {
  if (err instanceof ConnectionError) return true;
  if (err instanceof StatusError) {
    if ([429, 502, 503, 504].includes(err.code)) return true;
    return err.reason === 'ServerTimeout' || err.reason === 'Timeout' || err.reason === 'TooManyRequests';
  }
  return false;
}

function defaultDecide(err: unknown): RetryDecision {
  if (!isTransientError(err)) return 'stop';
  const after = retryAfterMs(err);
  return after === undefined ? 'backoff' : { afterMs: after };
}

/**
 * Runs `fn` until it succeeds, the decision says stop, maxRetries waits are used up, or the signal
 * aborts (then the signal's reason is thrown). `attempt` counts calls from 0.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const policy = resolvePolicy(opts.policy);
  const decide = opts.decide ?? defaultDecide;
  const random = opts.random ?? Math.random;
  const wait = opts.sleep ?? sleep;
  let waits = 0;
  for (let attempt = 0; ; attempt++) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    try {
      return await fn(attempt);
    } catch (err: unknown) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      const d = decide(err, attempt);
      if (d === 'stop') throw err;
      if (d === 'now') continue;
      if (waits >= policy.maxRetries) throw err;
      const delay = d === 'backoff' ? backoffDelay(policy, waits, random) : Math.min(d.afterMs, policy.maxRetryAfterMs);
      waits++;
      opts.onRetry?.(err, delay, attempt);
      await wait(delay, opts.signal);
    }
  }
}
