// The elector across an apiserver stall: a leader that cannot renew stops acting but is not
// deposed when nobody else took the Lease, and a standby that could not see the Lease does not
// snatch it the moment the apiserver answers again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import type { Lease } from '../../../../pkg/api/coordination/v1/index.js';
import { conflict, notFound } from '../../../../pkg/api/errors.js';
import { FakeClock } from '../../../../pkg/client/clock.js';
import { LeaderElector, type ElectionOutcome } from '../../../../pkg/client/leaderelection/leaderelection.js';

/** One Lease behind an apiserver that can be made unreachable. */
class FakeLeases {
  lease: Lease | undefined;
  private rv = 0;
  reachable = true;
  readonly calls = { get: 0, update: 0 };

  private check(): void {
    if (!this.reachable) throw new Error('connect ECONNREFUSED');
  }

  get = async (): Promise<Lease> => {
    this.calls.get++;
    this.check();
    if (this.lease === undefined) throw notFound({ group: 'coordination.k8s.io', resource: 'leases' }, 'lock');
    return structuredClone(this.lease);
  };

  create = async (l: Lease): Promise<Lease> => {
    this.check();
    this.lease = { ...structuredClone(l), metadata: { ...l.metadata, resourceVersion: String(++this.rv) } };
    return structuredClone(this.lease);
  };

  update = async (l: Lease): Promise<Lease> => {
    this.calls.update++;
    this.check();
    if (l.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) throw conflict({ group: 'coordination.k8s.io', resource: 'leases' }, 'x', 'modified');
    this.lease = { ...structuredClone(l), metadata: { ...l.metadata, resourceVersion: String(++this.rv) } };
    return structuredClone(this.lease);
  };

  holder(): string | undefined {
    return this.lease?.spec?.holderIdentity;
  }
}

function candidate(leases: FakeLeases, clock: FakeClock, identity: string): LeaderElector {
  return new LeaderElector({ leases, namespace: 'kube-system', name: 'lock', identity, leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 250, clock, random: () => 0 });
}

/** Moves the fake clock in small steps, letting the elector's promises run between them. */
async function advance(clock: FakeClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 50) {
    clock.advance(50);
    for (let i = 0; i < 5; i++) await tick();
  }
}

test('a leader that cannot renew past its deadline stops acting and reports renewal-missed; contending again under its identity leads again, in a new term', async () => {
  const clock = new FakeClock(1_000_000);
  const leases = new FakeLeases();
  const a = candidate(leases, clock, 'a');
  let acting = false;
  const outcome: Promise<ElectionOutcome> = a.run(new AbortController().signal, async (leading) => {
    acting = true;
    await new Promise((r) => leading.addEventListener('abort', r, { once: true }));
    acting = false;
  });
  await advance(clock, 300);
  assert.equal(leases.holder(), 'a');
  assert.equal(acting, true);
  leases.reachable = false;
  await advance(clock, 2000);
  leases.reachable = true;
  await advance(clock, 100);
  assert.equal(await outcome, 'renewal-missed');
  assert.equal(acting, false, 'the term stopped acting');
  const transitions = leases.lease?.spec?.leaseTransitions;
  const fence = a.fence;
  // The next incarnation, same identity: the Lease still names it, so it leads again at once (no
  // failover), in a new term: the old incarnation's writes still in flight carry a stale fence.
  const again = candidate(leases, clock, 'a');
  const events: string[] = [];
  void again.run(new AbortController().signal, () => void events.push('leading'));
  await advance(clock, 300);
  assert.deepEqual(events, ['leading']);
  assert.equal(leases.holder(), 'a');
  assert.equal(leases.lease?.spec?.leaseTransitions, (transitions ?? 0) + 1);
  assert.notEqual(again.fence, fence);
  // Its own renewals keep that term.
  await advance(clock, 1000);
  assert.equal(leases.lease?.spec?.leaseTransitions, (transitions ?? 0) + 1);
});

test('a frozen leader that wakes to find another holder in the Lease reports lost', async () => {
  const clock = new FakeClock(1_000_000);
  const leases = new FakeLeases();
  const a = candidate(leases, clock, 'a');
  const outcome = a.run(new AbortController().signal, () => undefined);
  await advance(clock, 300);
  // Frozen (SIGSTOP): 3 s pass with none of a's code running; b takes the lease meanwhile.
  leases.lease = { ...leases.lease!, spec: { ...leases.lease!.spec, holderIdentity: 'b', leaseTransitions: 1 } };
  clock.advance(3000);
  await advance(clock, 300);
  assert.equal(await outcome, 'lost');
});

test('a standby that could not read the Lease waits a full lease duration after reads succeed again before taking over', async () => {
  const clock = new FakeClock(1_000_000);
  const leases = new FakeLeases();
  const a = candidate(leases, clock, 'a');
  void a.run(new AbortController().signal, () => undefined);
  await advance(clock, 300);
  const b = candidate(leases, clock, 'b');
  const bLeads: number[] = [];
  void b.run(new AbortController().signal, () => void bLeads.push(clock.now()));
  // Stall just after b has seen a's latest renewal (a renews at 800, b reads at 850), so that
  // nothing b reads after the stall looks new to it.
  await advance(clock, 600);
  // The apiserver stalls for 3 s: nobody can read or write; then it answers again, and the
  // leader (here: nobody renews any more) has a lease duration to come back before b takes over.
  leases.reachable = false;
  const stalledAt = clock.now();
  await advance(clock, 3000);
  leases.reachable = true;
  const back = clock.now();
  await advance(clock, 1500);
  assert.deepEqual(bLeads, [], `b took over ${bLeads[0]! - back} ms after the apiserver came back (stalled at ${stalledAt})`);
  await advance(clock, 1500);
  assert.equal(bLeads.length, 1, 'after a full lease duration with no renewal b takes over');
});

test('a leader renews with one write from the Lease it last wrote, and reads the Lease again only when that write conflicts', async () => {
  const clock = new FakeClock(1_000_000);
  const leases = new FakeLeases();
  const a = candidate(leases, clock, 'a');
  const stop = new AbortController();
  const outcome = a.run(stop.signal, async (leading) => {
    await new Promise((r) => leading.addEventListener('abort', r, { once: true }));
  });
  await advance(clock, 300);
  assert.equal(leases.holder(), 'a');
  const before = { ...leases.calls };
  const renewedBefore = leases.lease?.spec?.renewTime;
  await advance(clock, 1000);
  assert.notEqual(leases.lease?.spec?.renewTime, renewedBefore, 'it renewed');
  assert.ok(leases.calls.update - before.update >= 3, `renewals in 1 s: ${leases.calls.update - before.update}`);
  assert.equal(leases.calls.get, before.get, 'no read per renewal');

  // Someone else takes the Lease: the next renewal's write conflicts, the read shows the new holder.
  leases.lease = { ...leases.lease!, spec: { ...leases.lease!.spec, holderIdentity: 'b', leaseTransitions: 9 }, metadata: { ...leases.lease!.metadata, resourceVersion: '999' } };
  await advance(clock, 300);
  assert.equal(await outcome, 'lost');
  assert.ok(leases.calls.get > before.get, 'the conflict was answered by reading the Lease');
  assert.equal(leases.holder(), 'b');
});
