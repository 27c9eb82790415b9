// The chaos workload: a few workers create, update (with a resourceVersion precondition) and
// delete ConfigMaps through the API while faults happen, and record every write with what the API
// said about it. Each worker owns its keys and sends one request at a time, so per key the order
// of writes is the order they were sent in.
import { StatusError } from '../../pkg/api/errors.js';
import type { ObjectMeta } from '../../pkg/api/meta/v1.js';
import { ConnectionError, type ResourceClient, type RestClient } from '../../pkg/client/index.js';
import type { WriteOp, WriteOutcome, WriteRecord } from './history.js';
import { deriveSeed, seededRandom } from './plan.js';
import { sleep } from './sleep.js';

export interface ConfigMap {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  data?: Record<string, string>;
}

export const CONFIGMAPS = { group: '', version: 'v1', plural: 'configmaps', namespaced: true } as const;
export const NAMESPACES = { group: '', version: 'v1', plural: 'namespaces', namespaced: false } as const;

/** The data key naming the write that produced an object's current content. */
export const WRITE_ID_KEY = 'chaos-write-id';

/** How a failed call ends up: surely not applied, or maybe applied. */
export function classifyError(err: unknown): Exclude<WriteOutcome, 'acknowledged'> {
  if (err instanceof ConnectionError) return err.maybeSent ? 'unknown' : 'failed';
  if (err instanceof StatusError) {
    // A 5xx may come after the write reached etcd (a timeout waiting for the answer, say).
    if (err.code >= 500) return 'unknown';
    return 'failed';
  }
  return 'unknown';
}

export function errorText(err: unknown): string {
  if (err instanceof StatusError) return `${err.code} ${err.reason}: ${err.message}`;
  if (err instanceof ConnectionError) return `${err.code}${err.maybeSent ? ' (maybe sent)' : ''}: ${err.message}`;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

export function writeIdOf(obj: ConfigMap | undefined): number | undefined {
  const v = obj?.data?.[WRITE_ID_KEY];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

export interface WorkloadOptions {
  readonly client: RestClient;
  readonly namespace: string;
  readonly seed: number;
  readonly concurrency: number;
  readonly keysPerWorker: number;
  /** Pause between two writes of one worker. */
  readonly thinkMs: number;
  /** The harness gives up waiting on one call after this long and marks it stuck. */
  readonly watchdogMs: number;
  /** ms since the run started. */
  readonly now: () => number;
}

type KeyState = { readonly rv: string; readonly uid: string } | 'absent' | 'retired';

const STUCK = Symbol('stuck');

export class Workload {
  readonly writes: WriteRecord[] = [];
  private nextId = 1;
  private readonly configmaps: ResourceClient<ConfigMap>;
  private running: Promise<void>[] = [];

  constructor(private readonly opts: WorkloadOptions) {
    this.configmaps = opts.client.resource<ConfigMap>(CONFIGMAPS).namespace(opts.namespace);
  }

  /** Starts the workers; they stop starting new writes once `signal` aborts. */
  start(signal: AbortSignal): void {
    for (let w = 0; w < this.opts.concurrency; w++) this.running.push(this.worker(w, signal));
  }

  /** Resolves when every worker has finished its last call. */
  async done(): Promise<void> {
    await Promise.all(this.running);
  }

  /** One acknowledged create by the harness itself (worker -1), e.g. the end-of-run fence. */
  async createMarker(name: string, signal: AbortSignal): Promise<WriteRecord> {
    const rec = this.begin(-1, name, 'create');
    try {
      const obj = await this.configmaps.create({ metadata: { name }, data: { [WRITE_ID_KEY]: String(rec.id) } }, { signal });
      this.acknowledge(rec, obj);
    } catch (err: unknown) {
      this.fail(rec, err);
    }
    return rec;
  }

  private begin(worker: number, key: string, op: WriteOp, precondition?: { rv: string; uid: string }): WriteRecord {
    const rec: WriteRecord = {
      id: this.nextId++,
      worker,
      key,
      op,
      sentAt: this.opts.now(),
      endedAt: 0,
      outcome: 'unknown',
      ...(precondition ? { precondition: Number(precondition.rv), uid: precondition.uid } : {}),
    };
    this.writes.push(rec);
    return rec;
  }

  private acknowledge(rec: WriteRecord, obj: ConfigMap | undefined): void {
    rec.endedAt = this.opts.now();
    rec.outcome = 'acknowledged';
    rec.server = this.opts.client.currentServer;
    if (obj?.metadata?.resourceVersion !== undefined) rec.rv = Number(obj.metadata.resourceVersion);
    if (rec.op !== 'delete' && obj?.metadata?.uid !== undefined) rec.uid = obj.metadata.uid;
  }

  private fail(rec: WriteRecord, err: unknown): void {
    rec.endedAt = this.opts.now();
    rec.outcome = classifyError(err);
    rec.server = err instanceof ConnectionError ? err.server : this.opts.client.currentServer;
    rec.error = errorText(err);
  }

  /** Runs `call` under the harness' watchdog; STUCK when it did not settle in time. */
  private async guarded<T>(call: Promise<T>): Promise<T | typeof STUCK> {
    let timer: NodeJS.Timeout | undefined;
    const watchdog = new Promise<typeof STUCK>((resolve) => (timer = setTimeout(() => resolve(STUCK), this.opts.watchdogMs)));
    try {
      return await Promise.race([call, watchdog]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async worker(w: number, signal: AbortSignal): Promise<void> {
    const random = seededRandom(deriveSeed(this.opts.seed, `worker-${w}`));
    const keys = new Map<string, KeyState>();
    for (let k = 0; k < this.opts.keysPerWorker; k++) keys.set(`cm-w${w}-k${k}`, 'absent');
    let seq = 0;
    while (!signal.aborted) {
      const live = [...keys].filter(([, s]) => s !== 'retired');
      if (live.length === 0) return;
      const [key, state] = live[Math.floor(random() * live.length)] ?? live[0]!;
      const rec = await this.writeOnce(w, key, state, random, ++seq);
      if (rec.stuck) {
        // The call may still land later, so nothing else may write this key any more.
        keys.set(key, 'retired');
      } else if (rec.outcome === 'acknowledged') {
        keys.set(key, rec.op === 'delete' ? 'absent' : { rv: String(rec.rv), uid: rec.uid ?? '' });
      } else {
        const fresh = await this.resync(key, signal);
        if (fresh !== undefined) keys.set(key, fresh);
      }
      await sleep(this.opts.thinkMs, signal);
    }
  }

  private async writeOnce(w: number, key: string, state: KeyState, random: () => number, seq: number): Promise<WriteRecord> {
    if (state === 'absent' || state === 'retired') {
      const rec = this.begin(w, key, 'create');
      const body: ConfigMap = { metadata: { name: key, labels: { 'chaos.kubets.io/worker': String(w) } }, data: { [WRITE_ID_KEY]: String(rec.id), seq: String(seq) } };
      return this.settle(rec, this.configmaps.create(body));
    }
    if (random() < 0.7) {
      const rec = this.begin(w, key, 'update', state);
      const body: ConfigMap = {
        metadata: { name: key, resourceVersion: state.rv, labels: { 'chaos.kubets.io/worker': String(w) } },
        data: { [WRITE_ID_KEY]: String(rec.id), seq: String(seq) },
      };
      return this.settle(rec, this.configmaps.update(body));
    }
    const rec = this.begin(w, key, 'delete', state);
    return this.settle(
      rec,
      this.configmaps.delete(key, { preconditions: { resourceVersion: state.rv, uid: state.uid } }).then(() => undefined),
    );
  }

  private async settle(rec: WriteRecord, call: Promise<ConfigMap | undefined>): Promise<WriteRecord> {
    // A late rejection after the watchdog fired must not surface as an unhandled one.
    call.catch(() => undefined);
    try {
      const r = await this.guarded(call);
      if (r === STUCK) {
        rec.endedAt = this.opts.now();
        rec.outcome = 'unknown';
        rec.stuck = true;
        rec.server = this.opts.client.currentServer;
        rec.error = `no answer within ${this.opts.watchdogMs}ms`;
      } else {
        this.acknowledge(rec, r);
      }
    } catch (err: unknown) {
      this.fail(rec, err);
    }
    return rec;
  }

  /** Reads the key back (a consistent read) after a write that failed or may have happened. */
  private async resync(key: string, signal: AbortSignal): Promise<KeyState | undefined> {
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        const r = await this.guarded(this.configmaps.get(key));
        if (r === STUCK) continue;
        const rv = r.metadata?.resourceVersion;
        return rv === undefined ? 'absent' : { rv, uid: r.metadata?.uid ?? '' };
      } catch (err: unknown) {
        if (err instanceof StatusError && err.code === 404) return 'absent';
        await sleep(Math.min(2000, 200 * 2 ** Math.min(attempt, 4)), signal);
      }
    }
    return undefined;
  }
}
