import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AlreadyExistsError, ConflictError, GoneError, InvalidError, NotFoundError, StatusError } from '../../../pkg/api/errors.js';
import { ConnectionError, RestClient, type RestClientOptions } from '../../../pkg/client/index.js';
import { deadUrl, recordingSleep, sendJson, startServer, status, type Handler, type TestServer } from './server.fixture.js';

async function withServers<R>(handlers: Handler[], fn: (servers: TestServer[]) => Promise<R>): Promise<R> {
  const servers = await Promise.all(handlers.map((h) => startServer(h)));
  try {
    return await fn(servers);
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
}

function client(opts: Partial<RestClientOptions> & Pick<RestClientOptions, 'servers'>): RestClient {
  return new RestClient({ retry: { jitter: 0 }, ...opts });
}

const okPod: Handler = (_req, res) => sendJson(res, 200, { kind: 'Pod', metadata: { name: 'web' } });

test('a GET fails over from a refused port to a live server and remembers the live one', async () => {
  await withServers([okPod], async ([live]) => {
    const dead = await deadUrl();
    const c = client({ servers: [dead, live!.url] });
    try {
      const pod = await c.request<{ metadata: { name: string } }>({ path: '/api/v1/namespaces/default/pods/web' });
      assert.equal(pod.metadata.name, 'web');
      assert.equal(c.currentServer, live!.url);
      await c.request({ path: '/api/v1/namespaces/default/pods/web' });
      assert.equal(live!.requests.length, 2);
    } finally {
      c.close();
    }
  });
});

const writeCases: { name: string; first: 'refused' | 'reset'; method: string; expectRetried: boolean }[] = [
  { name: 'a POST is retried on the next server when the first refused the connection', first: 'refused', method: 'POST', expectRetried: true },
  { name: 'a POST is not retried when the connection was reset after the request was sent', first: 'reset', method: 'POST', expectRetried: false },
  { name: 'a GET is retried on the next server when the connection was reset', first: 'reset', method: 'GET', expectRetried: true },
];
for (const tc of writeCases) {
  test(tc.name, async () => {
    const reset: Handler = (_req, res) => {
      res.socket?.destroy();
    };
    await withServers([reset, okPod], async ([resetting, live]) => {
      const first = tc.first === 'refused' ? await deadUrl() : resetting!.url;
      const c = client({ servers: [first, live!.url] });
      try {
        const call = c.request({ method: tc.method, path: '/api/v1/namespaces/default/pods', body: { kind: 'Pod' } });
        if (tc.expectRetried) {
          await call;
          assert.equal(live!.requests.length, 1);
        } else {
          await assert.rejects(call, (err: unknown) => err instanceof ConnectionError && err.maybeSent);
          assert.equal(live!.requests.length, 0);
        }
      } finally {
        c.close();
      }
    });
  });
}

test('a 503 from a dying server moves a GET to the next server at once', async () => {
  const dying: Handler = (_req, res) => sendJson(res, 503, status(503, 'ServiceUnavailable', 'shutting down'));
  await withServers([dying, okPod], async ([a, b]) => {
    const rec = recordingSleep();
    const c = client({ servers: [a!.url, b!.url], sleep: rec.sleep });
    try {
      await c.request({ path: '/api/v1/pods' });
      assert.deepEqual(rec.delays, []);
      assert.equal(c.currentServer, b!.url);
    } finally {
      c.close();
    }
  });
});

const retryAfterCases: { name: string; respond: Handler; expectDelay: number }[] = [
  {
    name: 'a 503 with a Retry-After header waits that many seconds before retrying',
    respond: (_req, res) => sendJson(res, 503, status(503, 'ServiceUnavailable', 'busy'), { 'Retry-After': '1' }),
    expectDelay: 1000,
  },
  {
    name: 'a 429 with details.retryAfterSeconds waits that many seconds before retrying',
    respond: (_req, res) => sendJson(res, 429, status(429, 'TooManyRequests', 'slow down', { retryAfterSeconds: 2 })),
    expectDelay: 2000,
  },
  {
    name: 'a 504 without a delay hint waits the first backoff step',
    respond: (_req, res) => sendJson(res, 504, status(504, 'Timeout', 'Timeout: request did not complete')),
    expectDelay: 200,
  },
];
for (const tc of retryAfterCases) {
  test(tc.name, async () => {
    let calls = 0;
    const flaky: Handler = async (req, res, raw) => {
      calls++;
      if (calls === 1) await tc.respond(req, res, raw);
      else sendJson(res, 200, { kind: 'PodList', metadata: {}, items: [] });
    };
    await withServers([flaky], async ([s]) => {
      const rec = recordingSleep();
      const c = client({ servers: [s!.url], sleep: rec.sleep });
      try {
        const list = await c.request<{ kind: string }>({ path: '/api/v1/pods' });
        assert.equal(list.kind, 'PodList');
        assert.deepEqual(rec.delays, [tc.expectDelay]);
      } finally {
        c.close();
      }
    });
  });
}

test('a 503 on a POST is thrown without a retry because the write may have happened', async () => {
  await withServers([(_req, res) => sendJson(res, 503, status(503, 'ServiceUnavailable', 'etcd unavailable'))], async ([s]) => {
    const rec = recordingSleep();
    const c = client({ servers: [s!.url], sleep: rec.sleep });
    try {
      await assert.rejects(c.request({ method: 'POST', path: '/api/v1/namespaces/default/pods', body: {} }), (err: unknown) => err instanceof StatusError && err.code === 503);
      assert.equal(s!.requests.length, 1);
    } finally {
      c.close();
    }
  });
});

test('a 429 on a POST is retried because the server refused it before doing anything', async () => {
  let calls = 0;
  const handler: Handler = (_req, res) => {
    calls++;
    if (calls === 1) sendJson(res, 429, status(429, 'TooManyRequests', 'too many'), { 'Retry-After': '1' });
    else sendJson(res, 201, { kind: 'Pod' });
  };
  await withServers([handler], async ([s]) => {
    const rec = recordingSleep();
    const c = client({ servers: [s!.url], sleep: rec.sleep });
    try {
      await c.request({ method: 'POST', path: '/api/v1/namespaces/default/pods', body: {} });
      assert.equal(s!.requests.length, 2);
    } finally {
      c.close();
    }
  });
});

test('retries stop after maxRetries waits and the last error is thrown', async () => {
  await withServers([(_req, res) => sendJson(res, 503, status(503, 'ServiceUnavailable', 'down'))], async ([s]) => {
    const rec = recordingSleep();
    const c = client({ servers: [s!.url], sleep: rec.sleep, retry: { jitter: 0, maxRetries: 3, initialMs: 100, maxMs: 250 } });
    try {
      await assert.rejects(c.request({ path: '/api/v1/pods' }), (err: unknown) => err instanceof StatusError && err.code === 503 && err.message === 'down');
      assert.deepEqual(rec.delays, [100, 200, 250]);
      assert.equal(s!.requests.length, 4);
    } finally {
      c.close();
    }
  });
});

test('every server refusing gives a ConnectionError after the backoff rounds', async () => {
  const rec = recordingSleep();
  const c = client({ servers: [await deadUrl(), await deadUrl()], sleep: rec.sleep, retry: { jitter: 0, maxRetries: 2 } });
  try {
    await assert.rejects(c.request({ path: '/api/v1/pods' }), (err: unknown) => err instanceof ConnectionError && err.code === 'ECONNREFUSED' && !err.maybeSent);
    // Each round tries both servers without waiting, then waits once.
    assert.deepEqual(rec.delays, [200, 400]);
  } finally {
    c.close();
  }
});

test('aborting the signal rejects with its reason and closes the connection', async () => {
  await withServers([() => undefined], async ([s]) => {
    const c = client({ servers: [s!.url] });
    try {
      const ac = new AbortController();
      const call = c.request({ path: '/api/v1/pods', signal: ac.signal });
      setTimeout(() => ac.abort(), 50);
      await assert.rejects(call, (err: unknown) => err instanceof DOMException && err.name === 'AbortError');
      await waitFor(() => s!.closedSockets() === 1);
    } finally {
      c.close();
    }
  });
});

test("the end of the leader's term aborts its writes in flight, and no write of an ended term goes out; reads are not tied to it", async () => {
  // The server holds every request: only an abort ends one.
  await withServers([() => undefined], async ([s]) => {
    let term = new AbortController();
    const c = client({ servers: [s!.url], leaderTerm: () => term.signal });
    try {
      const write = c.request({ method: 'POST', path: '/api/v1/namespaces/default/pods', body: {} });
      // Long enough that a loaded machine still sees both requests arrive before it ends.
      const read = c.request({ path: '/api/v1/pods', timeoutMs: 3000 });
      await waitFor(() => s!.requests.length === 2);
      term.abort(new Error('term over'));
      await assert.rejects(write, /term over/);
      // The read goes on until its own deadline.
      await assert.rejects(read, (err: unknown) => err instanceof ConnectionError && err.code === 'ETIMEDOUT');
      await assert.rejects(c.request({ method: 'DELETE', path: '/api/v1/namespaces/default/pods/x' }), /term over/);
      assert.equal(s!.requests.length, 2, 'a write of an ended term was sent');
      term = new AbortController();
      const next = c.request({ method: 'POST', path: '/api/v1/namespaces/default/pods', body: {}, timeoutMs: 200 });
      await assert.rejects(next, (err: unknown) => err instanceof ConnectionError && err.code === 'ETIMEDOUT');
    } finally {
      c.close();
    }
  });
});

test('a call that outlives its deadline fails with an ETIMEDOUT ConnectionError', async () => {
  await withServers([() => undefined], async ([s]) => {
    const c = client({ servers: [s!.url], timeoutMs: 100 });
    try {
      await assert.rejects(c.request({ path: '/api/v1/pods' }), (err: unknown) => err instanceof ConnectionError && err.code === 'ETIMEDOUT');
    } finally {
      c.close();
    }
  });
});

test('a GET to a server that never answers times out per attempt and fails over', async () => {
  await withServers([() => undefined, okPod], async ([hung, live]) => {
    const c = client({ servers: [hung!.url, live!.url], attemptTimeoutMs: 100 });
    try {
      await c.request({ path: '/api/v1/namespaces/default/pods/web' });
      assert.equal(c.currentServer, live!.url);
    } finally {
      c.close();
    }
  });
});

const errorCases: { name: string; method: string; code: number; body: string; contentType: string; check: (err: unknown) => boolean }[] = [
  {
    name: 'a NotFound Status becomes NotFoundError with the server message',
    method: 'GET',
    code: 404,
    body: JSON.stringify(status(404, 'NotFound', 'pods "web" not found', { name: 'web', kind: 'pods' })),
    contentType: 'application/json',
    check: (e) => e instanceof NotFoundError && e.message === 'pods "web" not found' && e.status.details?.name === 'web',
  },
  {
    name: 'an AlreadyExists Status becomes AlreadyExistsError',
    method: 'POST',
    code: 409,
    body: JSON.stringify(status(409, 'AlreadyExists', 'pods "web" already exists')),
    contentType: 'application/json',
    check: (e) => e instanceof AlreadyExistsError && e.code === 409,
  },
  {
    name: 'a Conflict Status becomes ConflictError',
    method: 'PUT',
    code: 409,
    body: JSON.stringify(status(409, 'Conflict', 'Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again')),
    contentType: 'application/json',
    check: (e) => e instanceof ConflictError,
  },
  {
    name: 'an Invalid Status becomes InvalidError keeping its causes',
    method: 'POST',
    code: 422,
    body: JSON.stringify(status(422, 'Invalid', 'Pod "x" is invalid: spec.containers: Required value', { causes: [{ reason: 'FieldValueRequired', field: 'spec.containers' }] })),
    contentType: 'application/json',
    check: (e) => e instanceof InvalidError && e.status.details?.causes?.[0]?.field === 'spec.containers',
  },
  {
    name: 'an Expired Status becomes GoneError',
    method: 'GET',
    code: 410,
    body: JSON.stringify(status(410, 'Expired', 'too old resource version: 1 (5)')),
    contentType: 'application/json',
    check: (e) => e instanceof GoneError,
  },
  {
    name: 'a 404 without a Status body gets upstream generic message naming the object',
    method: 'GET',
    code: 404,
    body: '404 page not found',
    contentType: 'text/plain',
    check: (e) => e instanceof NotFoundError && e.message === 'the server could not find the requested resource (get pods web)',
  },
  {
    name: 'a 409 without a Status body on POST is AlreadyExists',
    method: 'POST',
    code: 409,
    body: '',
    contentType: 'text/plain',
    check: (e) => e instanceof AlreadyExistsError && e.message === 'the server reported a conflict (post pods web)',
  },
  {
    name: 'a 500 with a text body quotes the server message',
    method: 'GET',
    code: 500,
    body: 'boom',
    contentType: 'text/plain',
    check: (e) => e instanceof StatusError && e.code === 500 && e.reason === 'InternalError' && e.message === 'an error on the server ("boom") has prevented the request from succeeding (get pods web)',
  },
  {
    name: 'an unusual code without a body keeps the HTTP code',
    method: 'GET',
    code: 418,
    body: '',
    contentType: 'text/plain',
    check: (e) => e instanceof StatusError && e.code === 418 && e.message === 'the server responded with the status code 418 but did not return more information (get pods web)',
  },
];
for (const tc of errorCases) {
  test(tc.name, async () => {
    await withServers(
      [
        (_req, res) => {
          res.writeHead(tc.code, { 'Content-Type': tc.contentType });
          res.end(tc.body);
        },
      ],
      async ([s]) => {
        const c = client({ servers: [s!.url] });
        try {
          await assert.rejects(c.request({ method: tc.method, path: '/api/v1/namespaces/default/pods/web', body: tc.method === 'GET' ? undefined : {}, subject: { group: '', resource: 'pods', name: 'web' } }), tc.check);
        } finally {
          c.close();
        }
      },
    );
  });
}

const headerCases: { name: string; opts: Partial<RestClientOptions>; header: string; expect: string | undefined }[] = [
  { name: 'the User-Agent names the component', opts: { component: 'scheduler' }, header: 'user-agent', expect: 'kubets/scheduler' },
  { name: 'the User-Agent defaults to kubets/client', opts: {}, header: 'user-agent', expect: 'kubets/client' },
  { name: 'a bearer token is sent as Authorization', opts: { token: 'abc' }, header: 'authorization', expect: 'Bearer abc' },
  { name: 'basic credentials are sent as Authorization', opts: { username: 'admin', password: 'secret' }, header: 'authorization', expect: `Basic ${Buffer.from('admin:secret').toString('base64')}` },
  { name: 'no credentials send no Authorization', opts: {}, header: 'authorization', expect: undefined },
];
for (const tc of headerCases) {
  test(tc.name, async () => {
    await withServers([okPod], async ([s]) => {
      const c = client({ servers: [s!.url], ...tc.opts });
      try {
        await c.request({ path: '/api/v1/pods' });
        assert.equal(s!.requests[0]?.headers[tc.header], tc.expect);
      } finally {
        c.close();
      }
    });
  });
}

test('a token file is read and sent as a bearer token', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubets-token-'));
  writeFileSync(join(dir, 'token'), 'from-file\n');
  await withServers([okPod], async ([s]) => {
    const c = client({ servers: [s!.url], tokenFile: join(dir, 'token') });
    try {
      await c.request({ path: '/api/v1/pods' });
      assert.equal(s!.requests[0]?.headers['authorization'], 'Bearer from-file');
    } finally {
      c.close();
    }
  });
});

test('the raw request sends query, body and content type as given and keeps a server path prefix', async () => {
  await withServers([(_req, res) => sendJson(res, 200, { ok: true })], async ([s]) => {
    const c = client({ servers: [`${s!.url}/prefix/`] });
    try {
      const out = await c.request<{ ok: boolean }>({
        method: 'PATCH',
        path: '/api/v1/nodes/n1',
        query: { fieldManager: 'me', dryRun: ['All'], force: true, skip: undefined },
        body: '{"spec":{}}',
        contentType: 'application/merge-patch+json',
      });
      assert.deepEqual(out, { ok: true });
      const r = s!.requests[0]!;
      assert.equal(r.url, '/prefix/api/v1/nodes/n1?fieldManager=me&dryRun=All&force=true');
      assert.equal(r.headers['content-type'], 'application/merge-patch+json');
      assert.equal(r.body, '{"spec":{}}');
    } finally {
      c.close();
    }
  });
});

const textCases: { name: string; body: string }[] = [
  { name: 'a text response is returned as text', body: 'ok' },
  { name: 'a text response that looks like JSON (a log line) is still returned as text', body: '{"level":"info"}\n' },
];
for (const tc of textCases) {
  test(tc.name, async () => {
    const handler: Handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(tc.body);
    };
    await withServers([handler], async ([s]) => {
      const c = client({ servers: [s!.url] });
      try {
        assert.equal(await c.request<string>({ path: '/api/v1/namespaces/default/pods/web/log' }), tc.body);
      } finally {
        c.close();
      }
    });
  });
}

test('send returns error responses without throwing', async () => {
  await withServers([(_req, res) => sendJson(res, 404, status(404, 'NotFound', 'nope'))], async ([s]) => {
    const c = client({ servers: [s!.url] });
    try {
      const r = await c.send({ path: '/api/v1/namespaces/x' });
      assert.equal(r.statusCode, 404);
      assert.equal(JSON.parse(r.body.toString()).reason, 'NotFound');
    } finally {
      c.close();
    }
  });
});

async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
