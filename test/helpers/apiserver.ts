// An in-process apiserver on a real etcd, for integration tests.
import { pino } from 'pino';
import { builtinRegistry } from '../../pkg/api/index.js';
import { ApiServer } from '../../pkg/apiserver/server.js';
import { startEtcd, type TestEtcd } from './etcd.js';

export interface TestCluster {
  readonly etcd: TestEtcd;
  readonly server: ApiServer;
  readonly url: string;
  /** Raw HTTP against the apiserver; returns status, headers and the parsed JSON (or text). */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: unknown; text: string }>;
  stop(): Promise<void>;
}

export async function startApiServer(opts: { watchCacheSize?: number; watcherQueueLimit?: number; watchBookmarkIntervalMs?: number; advertiseAddress?: string; maxMutatingRequestsInflight?: number; etcd?: TestEtcd } = {}): Promise<TestCluster> {
  const etcd = opts.etcd ?? (await startEtcd());
  const root = new AbortController();
  const server = new ApiServer({
    etcdServers: [etcd.url],
    bindAddress: '127.0.0.1',
    securePort: 0,
    serviceClusterIPRange: '10.96.0.0/12',
    serviceNodePortRange: '30000-32767',
    ...(opts.watchCacheSize !== undefined ? { watchCacheSize: opts.watchCacheSize } : {}),
    ...(opts.advertiseAddress !== undefined ? { advertiseAddress: opts.advertiseAddress } : {}),
    ...(opts.watcherQueueLimit !== undefined ? { watcherQueueLimit: opts.watcherQueueLimit } : {}),
    ...(opts.watchBookmarkIntervalMs !== undefined ? { watchBookmarkIntervalMs: opts.watchBookmarkIntervalMs } : {}),
    ...(opts.maxMutatingRequestsInflight !== undefined ? { maxMutatingRequestsInflight: opts.maxMutatingRequestsInflight } : {}),
    registry: builtinRegistry(),
    logger: pino({ level: 'silent' }),
    shutdownDelayMs: 0,
  });
  const { done } = await server.start(root.signal);
  const url = `http://127.0.0.1:${server.address().port}`;
  // Ready means the bootstrap namespaces exist.
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${url}/readyz`).catch(() => undefined);
    if (res?.ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    etcd,
    server,
    url,
    async request(method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        (init.headers as Record<string, string>)['Content-Type'] ??= 'application/json';
      }
      const res = await fetch(url + path, init);
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    async stop() {
      root.abort();
      await done;
      if (!opts.etcd) await etcd.stop();
    },
  };
}
