// The load balancer over real sockets: fake apiserver backends on 127.0.0.1, the balancer
// in-process, clients through it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo } from 'node:net';
import { pino } from 'pino';
import { LoadBalancer, type LoadBalancerOptions } from '../../../pkg/loadbalancer/server.js';
import type { BackendStatus } from '../../../pkg/loadbalancer/backends.js';

const LOCAL = '127.0.0.1';
/** Turns a hang (say, a connection never cut) into a failure; not a performance bound. */
const HANG = { timeout: 60_000 };

/** A stand-in apiserver: /readyz, /whoami, /slow (answers when released), POST /echo. */
class FakeBackend {
  ready = true;
  /** Frozen: every request, probes included, is read and never answered. */
  frozen = false;
  readonly served: string[] = [];
  private readonly server: Server;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly name: string) {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
  }

  /** Kept after the listener closes: the balancer still knows the backend by it. */
  port = 0;

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, LOCAL, r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Answers every /slow request waiting so far. */
  release(): void {
    for (const w of this.waiting.splice(0)) w();
  }

  slowWaiting(): number {
    return this.waiting.length;
  }

  /** Stops accepting; open connections stay (idle keep-alive ones are closed by node). */
  closeListener(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  destroy(): void {
    this.frozen = false;
    this.release();
    this.server.close();
    this.server.closeAllConnections();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.frozen) return;
    const path = req.url ?? '/';
    if (path === '/readyz') {
      res.statusCode = this.ready ? 200 : 503;
      res.end(this.ready ? 'ok' : 'shutting down');
      return;
    }
    this.served.push(path);
    if (path === '/whoami') return void res.end(this.name);
    if (path === '/slow') return void this.waiting.push(() => res.end(this.name));
    if (path === '/echo') {
      res.setHeader('x-backend', this.name);
      req.pipe(res);
      return;
    }
    res.statusCode = 404;
    res.end();
  }
}

interface Running {
  readonly lb: LoadBalancer;
  readonly port: number;
  readonly adminPort: number;
  stop(): Promise<void>;
}

async function startBalancer(backends: { port: number }[], opts: Partial<LoadBalancerOptions> = {}): Promise<Running> {
  const ac = new AbortController();
  const lb = new LoadBalancer({
    listen: { host: LOCAL, port: 0 },
    adminListen: { host: LOCAL, port: 0 },
    backends: backends.map((b) => ({ host: LOCAL, port: b.port })),
    healthIntervalMs: 50,
    healthTimeoutMs: 300,
    resolveIntervalMs: 50,
    connectTimeoutMs: 500,
    logger: pino({ level: 'silent' }),
    ...opts,
  });
  const started = await lb.start(ac.signal);
  let stopped: Promise<void> | undefined;
  return {
    lb,
    port: started.listen.port,
    adminPort: started.admin.port,
    stop: () => {
      ac.abort();
      return (stopped ??= started.done);
    },
  };
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers: IncomingMessage['headers'];
}

/** One HTTP request; a fresh connection unless an agent is given. */
function get(port: number, path: string, opts: { agent?: Agent; method?: string; body?: Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: LOCAL, port, path, method: opts.method ?? 'GET', agent: opts.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1'), headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

async function backendsOf(r: Running): Promise<BackendStatus[]> {
  const a = await get(r.adminPort, '/backends');
  assert.equal(a.status, 200);
  return JSON.parse(a.body) as BackendStatus[];
}

async function stateOf(r: Running, b: FakeBackend): Promise<BackendStatus | undefined> {
  return (await backendsOf(r)).find((s) => s.address === `${LOCAL}:${b.port}`);
}

/** Polls until `check` holds; the bound is only there to turn a hang into a readable failure. */
async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A kept-alive client connection through the balancer that landed on `target`. */
async function connectionTo(r: Running, target: FakeBackend, agents: Agent[]): Promise<Agent> {
  for (let i = 0; i < 10; i++) {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    if ((await get(r.port, '/whoami', { agent })).body === target.name) return agent;
  }
  throw new Error(`no connection reached ${target.name}`);
}

describe('load balancer with two healthy backends', () => {
  let a: FakeBackend;
  let b: FakeBackend;
  let lb: Running;
  before(async () => {
    a = await new FakeBackend('a').start();
    b = await new FakeBackend('b').start();
    lb = await startBalancer([a, b]);
  });
  after(async () => {
    await lb.stop();
    a.destroy();
    b.destroy();
  });

  test('new connections are spread over both backends', HANG, async () => {
    const names: string[] = [];
    for (let i = 0; i < 10; i++) names.push((await get(lb.port, '/whoami')).body);
    assert.ok(names.includes('a') && names.includes('b'), `all went to one backend: ${names.join(',')}`);
  });

  test('/healthz answers ok and /backends lists both as ready', HANG, async () => {
    const h = await get(lb.adminPort, '/healthz');
    assert.deepEqual([h.status, h.body], [200, 'ok\n']);
    await waitFor('idle connections to be counted as closed', async () => (await backendsOf(lb)).every((s) => s.connections === 0));
    const expected = [a, b].map((x) => ({ address: `${LOCAL}:${x.port}`, state: 'ready', connections: 0 }));
    assert.deepEqual(
      (await backendsOf(lb)).sort((x, y) => x.address.localeCompare(y.address)),
      expected.sort((x, y) => x.address.localeCompare(y.address)),
    );
  });

  test('the admin server answers 404 on other paths', HANG, async () => {
    assert.equal((await get(lb.adminPort, '/nope')).status, 404);
  });

  test('a large body crosses the balancer unchanged in both directions', HANG, async () => {
    const body = randomBytes(4 * 1024 * 1024);
    const r = await get(lb.port, '/echo', { method: 'POST', body });
    assert.equal(r.status, 200);
    const sha = (x: Buffer): string => createHash('sha256').update(x).digest('hex');
    assert.equal(sha(Buffer.from(r.body, 'latin1')), sha(body));
  });

  test('a client that half-closes after its request still receives the whole answer', HANG, async () => {
    const text = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: LOCAL, port: lb.port, allowHalfOpen: true });
      const chunks: Buffer[] = [];
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('end', () => {
        s.end();
        resolve(Buffer.concat(chunks).toString());
      });
      s.on('error', reject);
      // Sent at once, before the balancer has reached a backend, then the write side closes.
      s.end('GET /whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(text, /\r\n\r\n[ab]$/);
  });
});

describe('load balancer when a backend fails', () => {
  const agents: Agent[] = [];
  const backends: FakeBackend[] = [];
  const balancers: Running[] = [];
  after(async () => {
    for (const ag of agents) ag.destroy();
    for (const r of balancers) await r.stop();
    for (const b of backends) b.destroy();
  });
  async function setup(opts: Partial<LoadBalancerOptions> = {}): Promise<{ a: FakeBackend; b: FakeBackend; lb: Running }> {
    const a = await new FakeBackend('a').start();
    const b = await new FakeBackend('b').start();
    backends.push(a, b);
    const lb = await startBalancer([a, b], opts);
    balancers.push(lb);
    return { a, b, lb };
  }

  test('after a backend closes its listener, and then loses every connection, each new request succeeds on the first try', HANG, async () => {
    // Probes effectively off: only the failed connects can steer new connections away.
    const { a, b, lb } = await setup({ healthIntervalMs: 3_600_000 });
    assert.equal((await stateOf(lb, b))?.state, 'ready');
    await b.closeListener();
    for (let i = 0; i < 6; i++) {
      const r = await get(lb.port, '/whoami');
      assert.deepEqual([r.status, r.body], [200, 'a']);
    }
    const bState = await stateOf(lb, b);
    assert.equal(bState?.state, 'down');
    assert.match(bState?.lastError ?? '', /ECONNREFUSED/);
    b.destroy();
    for (let i = 0; i < 6; i++) assert.equal((await get(lb.port, '/whoami')).body, 'a');
    assert.ok(a.served.length >= 12);
  });

  test('a backend whose /readyz turns 503 gets no new connections, and its in-flight slow request completes', HANG, async () => {
    const { a, b, lb } = await setup();
    const onB = await connectionTo(lb, b, agents);
    const slow = get(lb.port, '/slow', { agent: onB });
    await waitFor('the slow request to reach b', async () => b.slowWaiting() === 1);
    b.ready = false;
    await waitFor('b to be not-ready', async () => (await stateOf(lb, b))?.state === 'not-ready');
    const servedBefore = b.served.length;
    for (let i = 0; i < 6; i++) assert.equal((await get(lb.port, '/whoami')).body, 'a');
    assert.equal(b.served.length, servedBefore);
    assert.equal((await stateOf(lb, b))?.connections, 1);
    b.release();
    const r = await slow;
    assert.deepEqual([r.status, r.body], [200, 'b']);
    assert.equal((await get(lb.adminPort, '/healthz')).status, 200);
    assert.ok(a.served.length > 0);
  });

  test('a backend that stops answering entirely has its connections cut and leaves rotation', HANG, async () => {
    const { a, b, lb } = await setup();
    const onB = await connectionTo(lb, b, agents);
    const hung = get(lb.port, '/slow', { agent: onB });
    await waitFor('the request to reach b', async () => b.slowWaiting() === 1);
    b.frozen = true;
    await assert.rejects(hung, (err: unknown) => err instanceof Error && /ECONNRESET|socket hang up/.test(err.message));
    await waitFor('b to show no connections', async () => (await stateOf(lb, b))?.connections === 0);
    const bState = await stateOf(lb, b);
    assert.equal(bState?.state, 'down');
    assert.match(bState?.lastError ?? '', /timed out/);
    for (let i = 0; i < 6; i++) assert.equal((await get(lb.port, '/whoami')).body, 'a');
    assert.ok(a.served.length > 0);
  });

  test('when no backend answers, /healthz says why and client connections are closed', HANG, async () => {
    const deadPort = await freePort();
    const lb = await startBalancer([{ port: deadPort }]);
    balancers.push(lb);
    await waitFor('the backend to be down', async () => (await backendsOf(lb))[0]?.state === 'down');
    const h = await get(lb.adminPort, '/healthz');
    assert.equal(h.status, 503);
    assert.match(h.body, new RegExp(`^no ready backend: 127\\.0\\.0\\.1:${deadPort} down \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${deadPort}\\)\\n$`));
    const received = await new Promise<number>((resolve) => {
      const s = connect({ host: LOCAL, port: lb.port });
      let n = 0;
      s.on('data', (c: Buffer) => (n += c.length));
      s.on('error', () => undefined);
      s.on('close', () => resolve(n));
      s.write('GET /whoami HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    assert.equal(received, 0);
  });
});

describe('load balancer name resolution and shutdown', () => {
  let backend: FakeBackend;
  before(async () => {
    backend = await new FakeBackend('only').start();
  });
  after(() => backend.destroy());

  test('addresses appearing in the answer become backends, and a vanished one leaves after its last connection', HANG, async () => {
    let answer: string[] = [];
    const lb = await startBalancer([], {
      backends: [{ host: 'apiserver.test', port: backend.port }],
      lookup: async (host) => {
        assert.equal(host, 'apiserver.test');
        if (answer.length === 0) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
        return answer;
      },
    });
    const agents: Agent[] = [];
    try {
      const h = await get(lb.adminPort, '/healthz');
      assert.deepEqual([h.status, h.body], [503, 'no backend addresses resolved\n']);
      answer = [LOCAL];
      await waitFor('the resolved backend to be ready', async () => (await stateOf(lb, backend))?.state === 'ready');
      assert.equal((await get(lb.port, '/whoami')).body, 'only');
      const agent = await connectionTo(lb, backend, agents);
      const slow = get(lb.port, '/slow', { agent });
      await waitFor('the slow request to arrive', async () => backend.slowWaiting() === 1);
      answer = [];
      await waitFor('/healthz to see no address', async () => (await get(lb.adminPort, '/healthz')).status === 503);
      assert.equal((await stateOf(lb, backend))?.connections, 1);
      backend.release();
      assert.equal((await slow).body, 'only');
      agent.destroy();
      await waitFor('the vanished backend to be dropped', async () => (await backendsOf(lb)).length === 0);
    } finally {
      for (const ag of agents) ag.destroy();
      await lb.stop();
    }
  });

  test('on shutdown the listener closes at once and an open request still completes', HANG, async () => {
    const lb = await startBalancer([backend]);
    const agents: Agent[] = [];
    try {
      const agent = await connectionTo(lb, backend, agents);
      const slow = get(lb.port, '/slow', { agent });
      await waitFor('the slow request to arrive', async () => backend.slowWaiting() === 1);
      const stopped = lb.stop();
      await assert.rejects(get(lb.port, '/whoami'), /ECONNREFUSED/);
      backend.release();
      assert.equal((await slow).body, 'only');
      agent.destroy();
      await stopped;
    } finally {
      for (const ag of agents) ag.destroy();
    }
  });

  test('on shutdown connections still open after the drain timeout are closed', HANG, async () => {
    const lb = await startBalancer([backend], { drainTimeoutMs: 100 });
    const agents: Agent[] = [];
    try {
      const agent = await connectionTo(lb, backend, agents);
      const slow = get(lb.port, '/slow', { agent });
      await waitFor('the slow request to arrive', async () => backend.slowWaiting() === 1);
      await lb.stop();
      await assert.rejects(slow, /ECONNRESET|socket hang up/);
    } finally {
      backend.release();
      for (const ag of agents) ag.destroy();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createTcpServer();
    s.on('error', reject);
    s.listen(0, LOCAL, () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
