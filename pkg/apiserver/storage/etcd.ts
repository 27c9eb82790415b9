// The apiserver's only store: etcd, through the raw KV API of the etcd3 client. Values are the
// object's JSON without resourceVersion; resourceVersion is the key's mod_revision.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Etcd3, GRPCDeadlineExceededError, isRecoverableError, type IOptions, type ITxnRequest, type ITxnResponse } from 'etcd3';
import { circuitBreaker, ConsecutiveBreaker, handleWhen, noop, retry, type CircuitBreakerPolicy } from 'cockatiel';
import { serviceUnavailable, timeout, requestEntityTooLarge, StatusError } from '../../api/errors.js';

export interface StoredValue {
  readonly key: string;
  readonly value: Buffer;
  readonly modRevision: number;
  readonly createRevision: number;
}

export interface RangeResult {
  readonly kvs: StoredValue[];
  /** Store revision the range was read at. */
  readonly revision: number;
  readonly more: boolean;
  readonly count: number;
}

/** A compare-and-swap lost: the key's current state, for the caller's error and retry. */
export class CasFailedError extends Error {
  override readonly name = 'CasFailedError';
  constructor(readonly current: StoredValue | undefined) {
    super('etcd compare failed');
  }
}

/**
 * A key whose mod_revision every write made inside `runGuarded` must still see, checked in the
 * write's own transaction (for fenced leader writes: the Lease). When the key has changed,
 * `revalidate` decides: it returns the revision to guard from now on (the change was harmless,
 * e.g. a renewal) or throws (the write must be refused).
 */
export interface WriteGuard {
  readonly key: string;
  modRevision: number;
  revalidate(current: StoredValue | undefined): number;
}

const guards = new AsyncLocalStorage<WriteGuard>();

/** Runs `fn` with every EtcdStore write it makes (however deep) guarded by `guard`. */
export function runGuarded<T>(guard: WriteGuard, fn: () => Promise<T>): Promise<T> {
  return guards.run(guard, fn);
}

/** How many times a write is retried because only its guard key changed harmlessly. */
const GUARD_RETRIES = 10;

export class CompactedError extends Error {
  override readonly name = 'CompactedError';
  constructor(readonly compactRevision: number) {
    super(`revision compacted at ${compactRevision}`);
  }
}

/** etcd refuses requests bigger than this by default (--max-request-bytes). */
export const MAX_VALUE_BYTES = 1.5 * 1024 * 1024;

export interface EtcdStoreOptions {
  readonly endpoints: readonly string[];
  /** Deadline of every non-streaming call; a lost etcd then fails requests fast. */
  readonly requestTimeoutMs?: number;
  /** Tests only: wraps every write transaction (to simulate a reply lost after the write applied). */
  readonly txnInterceptor?: (send: () => Promise<ITxnResponse>) => Promise<ITxnResponse>;
}

/** Maps transport failures to the Status a client should see (503/504), keeping the cause. */
export function storageError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  const text = err instanceof Error ? err.message : String(err);
  if (/deadline|timed? ?out/i.test(text)) return timeout('request did not complete within requested timeout - context deadline exceeded', 1);
  if (/too large/i.test(text)) return requestEntityTooLarge(text);
  return serviceUnavailable(`storage is unavailable: ${text}`);
}

/** A write that may or may not have been applied: the client must look before doing it again. */
function outcomeUnknown(err: unknown): StatusError {
  const text = err instanceof Error ? err.message : String(err);
  return timeout(`the write may have been applied: storage did not answer its retry (${text})`, 1);
}

function toStored(kv: { key: Buffer; value: Buffer; mod_revision: string; create_revision: string }): StoredValue {
  return { key: kv.key.toString(), value: kv.value, modRevision: Number(kv.mod_revision), createRevision: Number(kv.create_revision) };
}

/** The end of a prefix range: the prefix with its last byte incremented. */
export function prefixEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i]! < 0xff) {
      const end = Buffer.from(b.subarray(0, i + 1));
      end[i] = b[i]! + 1;
      return end;
    }
  }
  return Buffer.from([0]);
}

/** Transient gRPC failures worth one more try on another member; never a deadline (it already cost one). */
function retriable(err: unknown): boolean {
  return err instanceof Error && isRecoverableError(err) && !(err instanceof GRPCDeadlineExceededError);
}

export class EtcdStore {
  readonly client: Etcd3;
  /**
   * Transactions go through a client that never retries by itself: a write whose connection
   * failed may still have been applied, so `cas` retries it knowing that, and recognises its own
   * earlier success instead of reporting a conflict with itself.
   */
  private readonly writeClient: Etcd3;
  private readonly txnInterceptor: ((send: () => Promise<ITxnResponse>) => Promise<ITxnResponse>) | undefined;

  constructor(opts: EtcdStoreOptions) {
    const deadline = opts.requestTimeoutMs ?? 2000;
    const breakers = new Map<string, CircuitBreakerPolicy>();
    const options: IOptions = {
      hosts: [...opts.endpoints],
      // Streams (watches) must live forever; unary calls get a deadline so a dead member fails fast.
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + deadline }),
      // Large ranges (a resource with many objects) exceed gRPC's 4 MiB default.
      grpcOptions: {
        'grpc.max_receive_message_length': 512 * 1024 * 1024,
        // A connection whose member vanished without a reset (network cut, or this container got a
        // new address) is found dead within ~9 s and replaced; without pings every call on it, the
        // watch included, would wait out its deadline forever. etcd refuses pings under 5 s apart.
        'grpc.keepalive_time_ms': 6_000,
        'grpc.keepalive_timeout_ms': 3_000,
        'grpc.keepalive_permit_without_calls': 1,
      },
      faultHandling: {
        // One more try on another member for connection failures, which fail at once; never after
        // a deadline, so a request costs at most one deadline when etcd hangs.
        global: retry(handleWhen(retriable), { maxAttempts: 1 }),
        // A member that keeps failing is skipped for a second, then tried again. One breaker per
        // member, shared by the read and the write client: either one's success closes it.
        host: (host) => {
          let b = breakers.get(host);
          if (!b) {
            b = circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(3) });
            breakers.set(host, b);
          }
          return b;
        },
      },
    };
    this.client = new Etcd3(options);
    this.writeClient = new Etcd3({ ...options, faultHandling: { ...options.faultHandling, global: noop } });
    this.txnInterceptor = opts.txnInterceptor;
  }

  async close(): Promise<void> {
    this.client.close();
    this.writeClient.close();
  }

  async get(key: string): Promise<StoredValue | undefined> {
    try {
      const res = await this.client.kv.range({ key: Buffer.from(key) });
      const kv = res.kvs[0];
      return kv ? toStored(kv) : undefined;
    } catch (err) {
      throw storageError(err);
    }
  }

  async currentRevision(): Promise<number> {
    try {
      const res = await this.client.kv.range({ key: Buffer.from('/registry/'), count_only: true });
      return Number(res.header.revision);
    } catch (err) {
      throw storageError(err);
    }
  }

  /** Reads keys with a prefix (or from `start` to the prefix end) at a revision (0 = latest). */
  async range(prefix: string, opts: { start?: string; limit?: number; revision?: number } = {}): Promise<RangeResult> {
    try {
      const res = await this.client.kv.range({
        key: Buffer.from(opts.start ?? prefix),
        range_end: prefixEnd(prefix),
        limit: opts.limit ?? 0,
        revision: opts.revision ?? 0,
      });
      return { kvs: res.kvs.map(toStored), revision: Number(res.header.revision), more: res.more, count: Number(res.count) };
    } catch (err) {
      const text = err instanceof Error ? err.message : '';
      if (/compacted/.test(text)) throw new CompactedError(0);
      throw storageError(err);
    }
  }

  /**
   * Runs a transaction whose failure branch reads `readBack`; a lost compare becomes a
   * CasFailedError carrying that key's current value, transport failures a Status. A transient
   * failure is retried once; if that retry's compare fails and `readBack` already holds what this
   * write meant to leave there (`intended`: the value put, or absent for a delete), the first try
   * was applied after all and the write succeeded.
   */
  private async cas(req: { compare: ITxnRequest['compare']; success: ITxnRequest['success'] }, readBack: string, intended: Buffer | 'absent'): Promise<number> {
    const guard = guards.getStore();
    let ambiguous = false;
    let guardRetries = 0;
    for (;;) {
      let res;
      try {
        const send = (): Promise<ITxnResponse> =>
          this.writeClient.kv.txn({
            compare: guard ? [...(req.compare ?? []), { key: Buffer.from(guard.key), target: 'Mod', result: 'Equal', mod_revision: guard.modRevision }] : req.compare,
            success: req.success,
            failure: [{ request_range: { key: Buffer.from(readBack) } }, ...(guard ? [{ request_range: { key: Buffer.from(guard.key) } }] : [])],
          });
        res = await (this.txnInterceptor ? this.txnInterceptor(send) : send());
      } catch (err) {
        if (!ambiguous && retriable(err)) {
          ambiguous = true;
          continue;
        }
        // After a try that may have applied, "unavailable" would read as "not done": a controller
        // would then make the pod again (compose chaos: 8 pods for 5 + 2). A 504 says "unknown".
        if (ambiguous) throw outcomeUnknown(err);
        throw storageError(err);
      }
      if (res.succeeded) return Number(res.header.revision);
      const kv = res.responses[0]?.response_range?.kvs[0];
      const current = kv ? toStored(kv) : undefined;
      if (ambiguous && (intended === 'absent' ? current === undefined : current?.value.equals(intended) === true)) {
        return current?.modRevision ?? Number(res.header.revision);
      }
      if (guard) {
        const g = res.responses[1]?.response_range?.kvs[0];
        const guardNow = g ? toStored(g) : undefined;
        if ((guardNow?.modRevision ?? 0) !== guard.modRevision) {
          guard.modRevision = guard.revalidate(guardNow);
          if (guardRetries++ < GUARD_RETRIES) continue;
        }
      }
      throw new CasFailedError(current);
    }
  }

  private checkSize(value: Buffer): void {
    if (value.length > MAX_VALUE_BYTES) throw requestEntityTooLarge(`the object is ${value.length} bytes, over the store's limit of ${MAX_VALUE_BYTES} bytes`);
  }

  /**
   * Puts every key only if none of `mustNotExist` exists; the keys are written in one transaction.
   * Returns the revision of the write. Throws CasFailedError (with the first key's value) otherwise.
   */
  async createAll(puts: readonly { key: string; value: Buffer }[], mustNotExist: readonly string[] = puts.map((p) => p.key)): Promise<number> {
    for (const p of puts) this.checkSize(p.value);
    return this.cas(
      {
        compare: mustNotExist.map((k) => ({ key: Buffer.from(k), target: 'Create', result: 'Equal', create_revision: 0 })),
        success: puts.map((p) => ({ request_put: { key: Buffer.from(p.key), value: p.value } })),
      },
      puts[0]?.key ?? mustNotExist[0] ?? '',
      puts[0]?.value ?? 'absent',
    );
  }

  async create(key: string, value: Buffer): Promise<number> {
    return this.createAll([{ key, value }]);
  }

  /** Compare-and-swap on mod_revision; extra keys are put or deleted in the same transaction. */
  async update(
    key: string,
    value: Buffer,
    expectedModRevision: number,
    extra: { puts?: readonly { key: string; value: Buffer }[]; deletes?: readonly string[]; mustNotExist?: readonly string[] } = {},
  ): Promise<number> {
    this.checkSize(value);
    return this.cas(
      {
        compare: [
          { key: Buffer.from(key), target: 'Mod', result: 'Equal', mod_revision: expectedModRevision },
          ...(extra.mustNotExist ?? []).map((k) => ({ key: Buffer.from(k), target: 'Create' as const, result: 'Equal' as const, create_revision: 0 })),
        ],
        success: [
          { request_put: { key: Buffer.from(key), value } },
          ...(extra.puts ?? []).map((p) => ({ request_put: { key: Buffer.from(p.key), value: p.value } })),
          ...(extra.deletes ?? []).map((k) => ({ request_delete_range: { key: Buffer.from(k) } })),
        ],
      },
      key,
      value,
    );
  }

  /** Deletes the key if its mod_revision still matches; extra keys go in the same transaction. */
  async delete(key: string, expectedModRevision: number, alsoDelete: readonly string[] = []): Promise<number> {
    return this.cas(
      {
        compare: [{ key: Buffer.from(key), target: 'Mod', result: 'Equal', mod_revision: expectedModRevision }],
        success: [key, ...alsoDelete].map((k) => ({ request_delete_range: { key: Buffer.from(k) } })),
      },
      key,
      'absent',
    );
  }
}
