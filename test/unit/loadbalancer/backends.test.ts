// The load balancer's pure backend table: states, choice of backend, cuts, resolve changes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BackendTable, type BackendState, type ProbeResult, type Transition } from '../../../pkg/loadbalancer/backends.js';

const A = '10.0.0.1:6443';
const B = '10.0.0.2:6443';
const C = '10.0.0.3:6443';
const TARGET = 'apiserver:6443';

const ok: ProbeResult = { kind: 'answered', statusCode: 200 };
const unready: ProbeResult = { kind: 'answered', statusCode: 503 };
const silent: ProbeResult = { kind: 'no-answer', error: 'health probe timed out after 1000ms' };
const refused: ProbeResult = { kind: 'refused', error: 'connect ECONNREFUSED 10.0.0.1:6443' };

function fakeClock(start = 1_000): { now(): number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

function table(ips: string[] = ['10.0.0.1', '10.0.0.2']): { t: BackendTable; clock: ReturnType<typeof fakeClock> } {
  const clock = fakeClock();
  const t = new BackendTable({ clock });
  t.setResolved(TARGET, 6443, ips);
  return { t, clock };
}

function stateOf(t: BackendTable, address: string): BackendState | undefined {
  return t.snapshot().find((b) => b.address === address)?.state;
}

describe('backend states', () => {
  const cases: { name: string; probes: ProbeResult[]; want: BackendState; lastError?: string }[] = [
    { name: 'a new backend is unknown until probed', probes: [], want: 'unknown' },
    { name: 'a 2xx answer makes a backend ready', probes: [ok], want: 'ready' },
    { name: 'a 204 answer also counts as ready', probes: [{ kind: 'answered', statusCode: 204 }], want: 'ready' },
    { name: 'a non-2xx answer makes a backend not-ready', probes: [ok, unready], want: 'not-ready', lastError: 'health probe answered HTTP 503' },
    { name: 'one failed probe leaves a ready backend ready', probes: [ok, silent], want: 'ready', lastError: 'health probe timed out after 1000ms' },
    { name: 'two consecutive failed probes make a backend down', probes: [ok, silent, silent], want: 'down' },
    { name: 'refused probes count as failures too', probes: [ok, refused, refused], want: 'down' },
    { name: 'an answer between two failures resets the count', probes: [ok, silent, ok, silent], want: 'ready' },
    { name: 'a not-ready backend that stops answering becomes down', probes: [unready, silent, silent], want: 'down' },
    { name: 'an unknown backend that never answers becomes down', probes: [silent, silent], want: 'down' },
    { name: 'a down backend that answers 2xx again is ready', probes: [silent, silent, ok], want: 'ready' },
    { name: 'a down backend that answers 503 is not-ready', probes: [silent, silent, unready], want: 'not-ready' },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      const { t } = table(['10.0.0.1']);
      for (const p of tc.probes) t.probeResult(A, p);
      assert.equal(stateOf(t, A), tc.want);
      if (tc.lastError !== undefined) assert.equal(t.snapshot()[0]!.lastError, tc.lastError);
    });
  }

  test('a transition names both states, the reason and how long the old state lasted', () => {
    const { t, clock } = table(['10.0.0.1']);
    clock.advance(250);
    const tr = t.probeResult(A, ok);
    assert.deepEqual(tr, { address: A, from: 'unknown', to: 'ready', reason: 'health probe answered HTTP 200', previousForMs: 250, cut: [] });
    clock.advance(4000);
    t.probeResult(A, silent);
    clock.advance(500);
    const down = t.probeResult(A, silent);
    assert.deepEqual(down, { address: A, from: 'ready', to: 'down', reason: '2 consecutive failed health probes: health probe timed out after 1000ms', previousForMs: 4500, cut: [] });
  });

  test('a probe that does not change the state yields no transition', () => {
    const { t } = table(['10.0.0.1']);
    t.probeResult(A, ok);
    assert.equal(t.probeResult(A, ok), undefined);
  });

  test('a ready backend has no lastError once it answers 2xx again', () => {
    const { t } = table(['10.0.0.1']);
    t.probeResult(A, silent);
    t.probeResult(A, ok);
    assert.deepEqual(t.snapshot(), [{ address: A, state: 'ready', connections: 0 }]);
  });

  test('the number of failures that makes a backend down is configurable', () => {
    const t = new BackendTable({ downAfterFailures: 3 });
    t.setResolved(TARGET, 6443, ['10.0.0.1']);
    t.probeResult(A, silent);
    t.probeResult(A, silent);
    assert.equal(stateOf(t, A), 'unknown');
    t.probeResult(A, silent);
    assert.equal(stateOf(t, A), 'down');
  });
});

describe('choosing a backend for a new connection', () => {
  test('ties between ready backends take turns', () => {
    const { t } = table(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    for (const a of [A, B, C]) t.probeResult(a, ok);
    const firsts = [1, 2, 3, 4, 5, 6].map(() => t.pick()[0]);
    assert.deepEqual(firsts, [A, B, C, A, B, C]);
  });

  test('the ready backend with the fewest open connections goes first', () => {
    const { t } = table(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    for (const a of [A, B, C]) t.probeResult(a, ok);
    t.connectionOpened(A, 1);
    t.connectionOpened(A, 2);
    t.connectionOpened(B, 3);
    for (let i = 0; i < 4; i++) assert.deepEqual(t.pick(), [C, B, A]);
    t.connectionClosed(1);
    t.connectionClosed(2);
    const firsts = new Set([1, 2, 3, 4].map(() => t.pick()[0]));
    assert.deepEqual([...firsts].sort(), [A, C]);
  });

  test('opening connections through pick spreads them evenly', () => {
    const { t } = table(['10.0.0.1', '10.0.0.2']);
    t.probeResult(A, ok);
    t.probeResult(B, ok);
    for (let id = 1; id <= 10; id++) assert.ok(t.connectionOpened(t.pick()[0]!, id));
    assert.deepEqual(t.snapshot().map((b) => b.connections), [5, 5]);
  });

  const fallback: { name: string; probes: [string, ProbeResult[]][]; want: string[] }[] = [
    { name: 'ready backends come before unknown ones', probes: [[B, [ok]]], want: [B, A] },
    { name: 'unknown backends come before not-ready ones', probes: [[A, [unready]]], want: [B, A] },
    { name: 'not-ready backends are still offered when nothing else is', probes: [[A, [unready]], [B, [unready]]], want: [A, B] },
    { name: 'down backends are never offered', probes: [[A, [ok]], [B, [silent, silent]]], want: [A] },
    { name: 'every backend is offered when all are down (panic routing), rather than cutting the client off', probes: [[A, [silent, silent]], [B, [refused, refused]]], want: [A, B] },
  ];
  for (const tc of fallback) {
    test(tc.name, () => {
      const { t } = table();
      for (const [a, probes] of tc.probes) for (const p of probes) t.probeResult(a, p);
      // The first pick starts the round-robin at the first address, so ties keep address order.
      assert.deepEqual(t.pick(), tc.want);
    });
  }

  test('a failed connect makes the backend down at once', () => {
    const { t } = table();
    t.probeResult(A, ok);
    t.probeResult(B, ok);
    const tr = t.connectFailed(A, { kind: 'refused', error: 'connect ECONNREFUSED 10.0.0.1:6443' });
    assert.equal(tr?.to, 'down');
    assert.equal(tr?.reason, 'connect failed: connect ECONNREFUSED 10.0.0.1:6443');
    assert.deepEqual(t.pick(), [B]);
    assert.equal(t.probeResult(A, ok)?.to, 'ready');
  });
});

describe('connections to cut', () => {
  function withConnections(): BackendTable {
    const { t } = table();
    t.probeResult(A, ok);
    t.probeResult(B, ok);
    t.connectionOpened(A, 7);
    t.connectionOpened(B, 8);
    t.connectionOpened(A, 3);
    return t;
  }
  const cases: { name: string; act: (t: BackendTable) => Transition | undefined; to: BackendState | undefined; cut: number[] }[] = [
    { name: 'a backend down after probes without answer yields its connections to cut', act: (t) => (t.probeResult(A, silent), t.probeResult(A, silent)), to: 'down', cut: [3, 7] },
    { name: 'a backend down after a timed-out connect yields its connections to cut', act: (t) => t.connectFailed(A, { kind: 'no-answer', error: 'connect timed out' }), to: 'down', cut: [3, 7] },
    { name: 'a backend whose probes are refused is down but its connections are left to finish', act: (t) => (t.probeResult(A, refused), t.probeResult(A, refused)), to: 'down', cut: [] },
    { name: 'a refused connect makes the backend down without cutting', act: (t) => t.connectFailed(A, { kind: 'refused', error: 'connect ECONNREFUSED' }), to: 'down', cut: [] },
    { name: 'a not-ready backend keeps its connections', act: (t) => t.probeResult(A, unready), to: 'not-ready', cut: [] },
    { name: 'a single failed probe cuts nothing', act: (t) => t.probeResult(A, silent), to: undefined, cut: [] },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      const t = withConnections();
      const tr = tc.act(t);
      assert.equal(tr?.to, tc.to);
      assert.deepEqual(tr?.cut ?? [], tc.cut);
    });
  }

  test('a down backend that then stops answering altogether has its remaining connections cut', () => {
    const t = withConnections();
    t.probeResult(A, refused);
    t.probeResult(A, refused);
    const tr = t.probeResult(A, silent);
    assert.deepEqual(tr && { from: tr.from, to: tr.to, cut: tr.cut }, { from: 'down', to: 'down', cut: [3, 7] });
  });

  test('closed connections are not cut', () => {
    const t = withConnections();
    t.connectionClosed(7);
    assert.deepEqual(t.connectFailed(A, { kind: 'no-answer', error: 'x' })?.cut, [3]);
  });

  test('a connection moved to another backend counts only there', () => {
    const t = withConnections();
    assert.ok(t.connectionOpened(B, 3));
    assert.deepEqual(t.snapshot().map((b) => [b.address, b.connections]), [[A, 1], [B, 2]]);
  });
});

describe('resolve results', () => {
  test('a name resolving to several addresses gives one backend each', () => {
    const t = new BackendTable();
    const change = t.setResolved(TARGET, 6443, ['10.0.0.2', '10.0.0.1']);
    assert.deepEqual(change, { target: TARGET, added: [A, B], vanished: [], dropped: [] });
    assert.deepEqual(t.snapshot(), [
      { address: A, state: 'unknown', connections: 0 },
      { address: B, state: 'unknown', connections: 0 },
    ]);
  });

  test('a new address is added and a vanished one without connections is dropped', () => {
    const { t } = table();
    const change = t.setResolved(TARGET, 6443, ['10.0.0.2', '10.0.0.3']);
    assert.deepEqual(change, { target: TARGET, added: [C], vanished: [A], dropped: [A] });
    assert.deepEqual(t.addresses(), [B, C]);
  });

  test('a vanished address with open connections stays until its last connection closes, and takes no new ones', () => {
    const { t } = table();
    t.probeResult(A, ok);
    t.probeResult(B, ok);
    t.connectionOpened(A, 1);
    t.connectionOpened(A, 2);
    assert.deepEqual(t.setResolved(TARGET, 6443, ['10.0.0.2']), { target: TARGET, added: [], vanished: [A], dropped: [] });
    assert.deepEqual(t.pick(), [B]);
    assert.equal(t.connectionOpened(A, 3), false);
    assert.equal(t.connectionClosed(1), undefined);
    assert.deepEqual(t.addresses(), [A, B]);
    assert.equal(t.connectionClosed(2), A);
    assert.deepEqual(t.addresses(), [B]);
  });

  test('an address that comes back before being dropped keeps its state', () => {
    const { t } = table();
    t.probeResult(A, ok);
    t.connectionOpened(A, 1);
    t.setResolved(TARGET, 6443, ['10.0.0.2']);
    assert.deepEqual(t.setResolved(TARGET, 6443, ['10.0.0.1', '10.0.0.2']), { target: TARGET, added: [A], vanished: [], dropped: [] });
    assert.equal(stateOf(t, A), 'ready');
    assert.equal(t.pick().includes(A), true);
  });

  test('an address named by two targets stays while either still resolves to it', () => {
    const t = new BackendTable();
    t.setResolved('a:6443', 6443, ['10.0.0.1']);
    t.setResolved('b:6443', 6443, ['10.0.0.1']);
    assert.deepEqual(t.setResolved('a:6443', 6443, []), { target: 'a:6443', added: [], vanished: [], dropped: [] });
    assert.deepEqual(t.addresses(), [A]);
    assert.deepEqual(t.setResolved('b:6443', 6443, []).dropped, [A]);
  });

  test('IPv6 addresses are bracketed', () => {
    const t = new BackendTable();
    t.setResolved('localhost:6443', 6443, ['::1']);
    assert.deepEqual(t.addresses(), ['[::1]:6443']);
    assert.deepEqual(t.endpoint('[::1]:6443'), { host: '::1', port: 6443 });
  });

  test('probe results for an address no longer in the table are ignored', () => {
    const { t } = table();
    t.setResolved(TARGET, 6443, []);
    assert.equal(t.probeResult(A, ok), undefined);
    assert.equal(t.connectFailed(A, { kind: 'no-answer', error: 'x' }), undefined);
  });
});

describe('health', () => {
  const cases: { name: string; setup: (t: BackendTable) => void; ok: boolean; reason: string }[] = [
    { name: 'healthy when one backend is ready', setup: (t) => (t.setResolved(TARGET, 6443, ['10.0.0.1', '10.0.0.2']), t.probeResult(A, ok)), ok: true, reason: 'ok' },
    { name: 'unhealthy before anything resolved', setup: () => undefined, ok: false, reason: 'no backend resolved yet' },
    { name: 'unhealthy when the name has no address', setup: (t) => t.setResolved(TARGET, 6443, []), ok: false, reason: 'no backend addresses resolved' },
    {
      name: 'unhealthy when no backend is ready, naming each state and error',
      setup: (t) => (t.setResolved(TARGET, 6443, ['10.0.0.1', '10.0.0.2']), t.probeResult(A, unready), t.probeResult(B, refused), t.probeResult(B, refused)),
      ok: false,
      reason: `no ready backend: ${A} not-ready (health probe answered HTTP 503); ${B} down (connect ECONNREFUSED 10.0.0.1:6443)`,
    },
    {
      name: 'a ready backend whose address vanished does not count',
      setup: (t) => (t.setResolved(TARGET, 6443, ['10.0.0.1']), t.probeResult(A, ok), t.connectionOpened(A, 1), t.setResolved(TARGET, 6443, [])),
      ok: false,
      reason: 'no backend addresses resolved',
    },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      const t = new BackendTable();
      tc.setup(t);
      assert.deepEqual(t.health(), { ok: tc.ok, reason: tc.reason });
    });
  }
});
