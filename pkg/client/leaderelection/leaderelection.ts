// Lease-based leader election through the apiserver, with fencing (see README.md here).
import { formatFencingToken, type Lease } from '../../api/coordination/v1/index.js';
import { StatusError } from '../../api/errors.js';
import { realClock, type Clock } from '../clock.js';
import type { ResourceClient } from '../resource.js';
import { heldByOther, nextRecord, observe, recordOf, releasedRecord, specOf, type LeaderRecord, type Observation } from './record.js';

export type ElectionEvent =
  | { readonly type: 'acquired'; readonly identity: string; readonly leaseTransitions: number }
  | { readonly type: 'lost'; readonly identity: string; readonly reason: string }
  | { readonly type: 'released'; readonly identity: string }
  | { readonly type: 'new-leader'; readonly identity: string };

export interface LeaderElectionOptions {
  /**
   * Leases in the lock's namespace. Its RestClient must NOT send a leader fence: acquiring a new
   * term with the token of an old one would be refused.
   */
  readonly leases: Pick<ResourceClient<Lease>, 'get' | 'create' | 'update'>;
  readonly namespace: string;
  readonly name: string;
  /** Unique per process incarnation (upstream: hostname_uuid), so a restart is a new term. */
  readonly identity: string;
  /** How long candidates wait after the last change they saw before taking the lease over. Whole seconds (the Lease field is in seconds). */
  readonly leaseDurationMs: number;
  /** A leader that could not renew for this long stops leading. */
  readonly renewDeadlineMs: number;
  /** Pause between tries to acquire or renew. */
  readonly retryPeriodMs: number;
  /** On cancel, write a released record so a successor need not wait for expiry (default true). */
  readonly releaseOnCancel?: boolean;
  readonly clock?: Clock;
  readonly onEvent?: (e: ElectionEvent) => void;
  /** Random source for jitter (tests). */
  readonly random?: () => number;
}

/**
 * Why run() returned: cancelled by its signal; lost to another holder; or 'renewal-missed', when
 * this leader could not renew within its deadline but saw nobody else take the Lease (a stalled
 * apiserver, a paused process). It has stopped acting; its owner should contend again with the
 * same identity: if the Lease still names it, it leads again, in a new term.
 */
export type ElectionOutcome = 'cancelled' | 'lost' | 'renewal-missed';

const JITTER = 1.2;

export class LeaderElector {
  private observed: Observation | undefined;
  private leaseRv: string | undefined;
  /** The Lease as this elector's last successful write left it (the next renewal starts from it). */
  private lastWritten: Lease | undefined;
  private lastRenew = -Infinity;
  private leading = false;
  private token: string | undefined;
  private lastLeader: string | undefined;
  /** A try failed since the last Lease this candidate read: it could not see the Lease for a while. */
  private blind = false;
  private readonly clock: Clock;
  private readonly leaseDurationSeconds: number;

  constructor(private readonly opts: LeaderElectionOptions) {
    if (opts.leaseDurationMs < 1000 || opts.leaseDurationMs % 1000 !== 0) throw new Error(`the lease duration must be a whole number of seconds >= 1s, not ${opts.leaseDurationMs}ms`);
    if (!(opts.renewDeadlineMs < opts.leaseDurationMs)) throw new Error('the renew deadline must be shorter than the lease duration');
    if (!(opts.retryPeriodMs * JITTER < opts.renewDeadlineMs)) throw new Error(`the retry period (x${JITTER} jitter) must be shorter than the renew deadline`);
    this.clock = opts.clock ?? realClock;
    this.leaseDurationSeconds = opts.leaseDurationMs / 1000;
  }

  /**
   * Liveness as upstream's leader-election health check judges it: unhealthy only while this
   * process believes it leads yet has not renewed for the lease duration plus `toleranceMs`.
   */
  healthy(toleranceMs: number): boolean {
    return !this.leading || this.clock.now() - this.lastRenew <= this.opts.leaseDurationMs + toleranceMs;
  }

  /** True while this process leads and has renewed within the renew deadline. */
  isLeading(): boolean {
    return this.leading && this.clock.now() - this.lastRenew < this.opts.renewDeadlineMs;
  }

  /**
   * The fencing token of the term this process won last; it stays set after the term ends, so
   * a deposed leader's late writes carry a stale token and are refused rather than sent unfenced.
   */
  get fence(): string | undefined {
    return this.token;
  }

  /** The holder this process saw last. */
  get leader(): string | undefined {
    return this.lastLeader;
  }

  /**
   * Campaigns until elected, runs `lead` with a signal that aborts when leadership ends, and
   * returns why it ended. Never throws for API errors: they count as failed tries.
   */
  async run(signal: AbortSignal, lead: (leading: AbortSignal) => Promise<void> | void): Promise<ElectionOutcome> {
    while (!signal.aborted && !(await this.tryAcquireOrRenew(signal))) await this.pause(this.jittered(), signal);
    if (signal.aborted) return 'cancelled';
    const term = new AbortController();
    const stopTerm = (): void => term.abort();
    signal.addEventListener('abort', stopTerm, { once: true });
    let leadDone: Promise<void> = Promise.resolve();
    try {
      leadDone = Promise.resolve()
        .then(() => lead(term.signal))
        .catch(() => undefined);
      const ended = await this.renewLoop(signal);
      term.abort();
      if (ended === undefined) {
        await leadDone;
        if (this.opts.releaseOnCancel ?? true) await this.release();
        return 'cancelled';
      }
      this.leading = false;
      this.opts.onEvent?.({ type: 'lost', identity: this.opts.identity, reason: ended.reason });
      // Stop acting before anyone contends again: the term's work must be over first.
      await leadDone;
      return ended.toOther ? 'lost' : 'renewal-missed';
    } finally {
      this.leading = false;
      signal.removeEventListener('abort', stopTerm);
    }
  }

  /**
   * Renews every retry period; returns why leadership ended (and whether another holder took the
   * Lease), or undefined when cancelled.
   */
  private async renewLoop(signal: AbortSignal): Promise<{ reason: string; toOther: boolean } | undefined> {
    while (!signal.aborted) {
      await this.pause(this.opts.retryPeriodMs, signal);
      if (signal.aborted) return undefined;
      // Woken after a long stop (SIGSTOP, a paused VM): the lease may be someone else's by now.
      if (this.clock.now() - this.lastRenew >= this.opts.renewDeadlineMs) {
        const reason = `no renewal for ${Math.round(this.clock.now() - this.lastRenew)}ms`;
        const holder = await this.currentHolder(signal);
        return { reason, toOther: holder !== undefined && holder !== '' && holder !== this.opts.identity };
      }
      const deadline = this.lastRenew + this.opts.renewDeadlineMs;
      for (;;) {
        if (await this.tryAcquireOrRenew(signal, deadline - this.clock.now())) break;
        if (signal.aborted) return undefined;
        const holder = this.observed?.record.holderIdentity;
        if (holder !== undefined && holder !== '' && holder !== this.opts.identity) return { reason: `the lease is held by ${holder}`, toOther: true };
        if (this.clock.now() + this.opts.retryPeriodMs >= deadline) return { reason: `could not renew within ${this.opts.renewDeadlineMs}ms`, toOther: false };
        await this.pause(this.opts.retryPeriodMs, signal);
      }
    }
    return undefined;
  }

  /** Who the Lease names now; undefined when it cannot be read. Never renews. */
  private async currentHolder(signal: AbortSignal): Promise<string | undefined> {
    try {
      const lease = await this.opts.leases.get(this.opts.name, { signal, timeoutMs: this.opts.renewDeadlineMs });
      return recordOf(lease.spec).holderIdentity;
    } catch {
      return undefined;
    }
  }

  /** Waits, or less when the signal aborts; never rejects. */
  private async pause(ms: number, signal: AbortSignal): Promise<void> {
    await this.clock.sleep(ms, signal).catch(() => undefined);
  }

  private jittered(): number {
    return this.opts.retryPeriodMs * (1 + (JITTER - 1) * (this.opts.random ?? Math.random)());
  }

  private noteLeader(record: LeaderRecord): void {
    if (record.holderIdentity !== '' && record.holderIdentity !== this.lastLeader) {
      this.lastLeader = record.holderIdentity;
      this.opts.onEvent?.({ type: 'new-leader', identity: record.holderIdentity });
    }
  }

  /** One try: read the Lease, and write ourselves into it unless someone else holds it. */
  private async tryAcquireOrRenew(signal: AbortSignal, budgetMs = this.opts.renewDeadlineMs): Promise<boolean> {
    if (budgetMs <= 0) return false;
    const started = this.clock.now();
    const call = { signal, timeoutMs: Math.max(1, Math.min(budgetMs, this.opts.renewDeadlineMs)) };
    try {
      // A leader renews from the Lease its last write returned: one round trip instead of a read
      // and a write (as client-go's optimistic fast path), which matters on a loaded machine where
      // each request can take a good part of the renew deadline. A conflict means someone else
      // wrote: read it (the slow path below) with what is left of the budget.
      if (this.leading && this.lastWritten !== undefined) {
        const record = nextRecord(recordOf(this.lastWritten.spec), this.opts.identity, this.leaseDurationSeconds, this.clock.now());
        try {
          const updated = await this.opts.leases.update({ ...this.lastWritten, spec: specOf(record) }, call);
          this.won(updated, started);
          return true;
        } catch (err) {
          if (!(err instanceof StatusError && err.code === 409)) throw err;
          this.lastWritten = undefined;
          const left = budgetMs - (this.clock.now() - started);
          if (left <= 0) return false;
          call.timeoutMs = Math.max(1, Math.min(left, this.opts.renewDeadlineMs));
        }
      }
      let lease: Lease | undefined;
      try {
        lease = await this.opts.leases.get(this.opts.name, call);
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      }
      const now = this.clock.now();
      if (lease === undefined) {
        const record = nextRecord(undefined, this.opts.identity, this.leaseDurationSeconds, this.clock.now());
        const created = await this.opts.leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.opts.name, namespace: this.opts.namespace }, spec: specOf(record) }, call);
        this.won(created, now);
        return true;
      }
      const current = recordOf(lease.spec);
      // After a spell of failed tries (a stalled or unreachable apiserver) the holder could not
      // renew either: its lease runs again from now, not from before the gap, so a standby does
      // not take over the moment the apiserver answers, ahead of a leader about to renew.
      this.observed = this.blind ? { record: current, observedAt: now } : observe(this.observed, current, now);
      this.blind = false;
      this.leaseRv = lease.metadata?.resourceVersion;
      this.noteLeader(current);
      if (heldByOther(this.observed, this.opts.identity, now)) return false;
      // Only this elector's own renewals keep a term. Acquiring a Lease that still names our
      // identity means a previous incarnation of ours held it, and its writes may still be in
      // flight: a new term (new fencing token) makes the apiserver refuse them.
      const resumed = !this.leading && current.holderIdentity === this.opts.identity;
      const next = nextRecord(current, this.opts.identity, this.leaseDurationSeconds, this.clock.now());
      const record = resumed ? { ...next, acquireTime: next.renewTime, leaseTransitions: current.leaseTransitions + 1 } : next;
      const updated = await this.opts.leases.update({ ...lease, spec: specOf(record) }, call);
      this.won(updated, now);
      return true;
    } catch (err) {
      // Conflicts (someone else wrote first), timeouts, unreachable apiservers: a failed try.
      // Only a try that could not read the Lease leaves this candidate blind to it.
      if (!(err instanceof StatusError && err.code === 409)) this.blind = true;
      return false;
    }
  }

  private won(lease: Lease, startedAt: number): void {
    this.lastWritten = lease;
    const record = recordOf(lease.spec);
    this.observed = { record, observedAt: this.clock.now() };
    this.leaseRv = lease.metadata?.resourceVersion;
    // Counted from when the try began: the write may have landed at any moment after.
    this.lastRenew = startedAt;
    this.noteLeader(record);
    if (!this.leading) {
      this.leading = true;
      this.token = formatFencingToken({ namespace: this.opts.namespace, name: this.opts.name, holderIdentity: this.opts.identity, leaseTransitions: record.leaseTransitions });
      this.opts.onEvent?.({ type: 'acquired', identity: this.opts.identity, leaseTransitions: record.leaseTransitions });
    }
  }

  /**
   * Steps down: only while the lease is still ours. A renewal cut short by the cancel may have
   * landed anyway and moved the resourceVersion, so a conflict is answered by reading the lease
   * again and retrying while it still names us in the same term.
   */
  private async release(): Promise<void> {
    let obs = this.observed;
    let rv = this.leaseRv;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (obs === undefined || obs.record.holderIdentity !== this.opts.identity || rv === undefined) return;
      try {
        await this.opts.leases.update(
          { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.opts.name, namespace: this.opts.namespace, resourceVersion: rv }, spec: specOf(releasedRecord(obs.record, this.clock.now())) },
          { timeoutMs: this.opts.renewDeadlineMs },
        );
        this.opts.onEvent?.({ type: 'released', identity: this.opts.identity });
        return;
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 409)) return;
        try {
          const lease = await this.opts.leases.get(this.opts.name, { timeoutMs: this.opts.renewDeadlineMs });
          const record = recordOf(lease.spec);
          // Someone else's term by now: nothing of ours to release.
          if (record.leaseTransitions !== obs.record.leaseTransitions) return;
          obs = { record, observedAt: this.clock.now() };
          rv = lease.metadata?.resourceVersion;
        } catch {
          return;
        }
      }
    }
  }
}
