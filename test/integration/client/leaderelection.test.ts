// Leader election end to end: real apiserver and etcd, candidates as separate processes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startApiServer, type TestCluster } from '../../helpers/apiserver.js';

const WRITER = fileURLToPath(new URL('../../helpers/leader-writer.js', import.meta.url));

interface Line {
  event: string;
  identity: string;
  at: number;
  code?: number;
  seq?: number;
  outcome?: string;
}

class Writer {
  readonly lines: Line[] = [];
  readonly proc: ChildProcess;
  readonly exited: Promise<number | null>;
  constructor(server: string, identity: string, lease: string, lateWritesMs = 0) {
    this.proc = spawn(process.execPath, [WRITER, '--server', server, '--identity', identity, '--lease', lease, '--late-writes', String(lateWritesMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    createInterface({ input: this.proc.stdout! }).on('line', (l) => this.lines.push(JSON.parse(l) as Line));
    this.exited = new Promise((r) => this.proc.once('exit', (code) => r(code)));
  }
  async waitFor(pred: (l: Line) => boolean, ms = 20_000): Promise<Line> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.lines.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`timed out; saw ${JSON.stringify(this.lines.slice(-5))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGCONT');
      this.proc.kill('SIGKILL');
    }
  }
}

describe('leader election', () => {
  let c: TestCluster;
  const writers: Writer[] = [];
  before(async () => {
    c = await startApiServer();
    for (const lease of ['release', 'frozen']) {
      const r = await c.request('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `leader-owned-${lease}` }, data: { owner: 'nobody' } });
      assert.equal(r.status, 201, r.text);
    }
  });
  after(async () => {
    for (const w of writers) w.kill();
    await c.stop();
  });

  test('one of two candidates leads; on SIGTERM it releases the lease and the other takes over within a retry period or two', async () => {
    const a = new Writer(c.url, 'a_1', 'release');
    writers.push(a);
    await a.waitFor((l) => l.event === 'acquired');
    const b = new Writer(c.url, 'b_1', 'release');
    writers.push(b);
    await b.waitFor((l) => l.event === 'new-leader' && l.identity === 'b_1');
    assert.equal(b.lines.some((l) => l.event === 'acquired'), false, 'b must not lead while a renews');
    const termAt = Date.now();
    a.proc.kill('SIGTERM');
    assert.equal(await a.exited, 0);
    assert.ok(a.lines.some((l) => l.event === 'released'));
    const acquired = await b.waitFor((l) => l.event === 'acquired');
    // Released, not expired: b needs no lease duration (2 s) to take over.
    assert.ok(acquired.at - termAt < 2_000, `b took over ${acquired.at - termAt}ms after SIGTERM`);
    const lease = (await c.request('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/release')).body as { spec: { holderIdentity: string; leaseTransitions: number } };
    assert.equal(lease.spec.holderIdentity, 'b_1');
    assert.equal(lease.spec.leaseTransitions, 1);
    b.proc.kill('SIGTERM');
    await b.exited;
  });

  test('a frozen leader that wakes after a new leader took over has its late writes refused, then exits', async () => {
    const a = new Writer(c.url, 'a_2', 'frozen', 1_000);
    writers.push(a);
    await a.waitFor((l) => l.event === 'write' && l.code === 200);
    a.proc.kill('SIGSTOP');
    const b = new Writer(c.url, 'b_2', 'frozen');
    writers.push(b);
    const bAcquired = await b.waitFor((l) => l.event === 'acquired');
    await b.waitFor((l) => l.event === 'write' && l.code === 200);
    const resumedAt = Date.now();
    a.proc.kill('SIGCONT');
    assert.equal(await a.exited, 3, 'a deposed leader exits with "lost"');
    const late = a.lines.filter((l) => l.event === 'write' && l.at >= resumedAt);
    assert.ok(late.length > 0, 'the woken leader tried to write');
    for (const w of late) assert.equal(w.code, 409, JSON.stringify(w));
    // Nothing of a's landed after b's term began: the object is b's.
    const owned = (await c.request('GET', '/api/v1/namespaces/default/configmaps/leader-owned-frozen')).body as { data: { owner: string } };
    assert.equal(owned.data.owner, 'b_2');
    assert.ok(a.lines.every((l) => !(l.event === 'write' && l.code === 200 && l.at > bAcquired.at)));
    b.proc.kill('SIGTERM');
    await b.exited;
  });
});
