// Read latency with many stored objects: paced single-object GETs and full/paged LISTs through the
// apiserver, next to the same reads of the same JSON straight from etcd.
import type { Etcd3 } from 'etcd3';
import { ensureNamespace, fill, RAW_PREFIX, storedForm } from './creates.js';
import { ApiClient, exchange, isRecord, parseJson } from './http.js';
import { closedLoop, paced, serial, withCpu, type CpuProbe, type LoadResult, type PacedResult, type OpResult } from './stats.js';

const NAME = '__BENCH_NAME__';
const NUDGE_NS = 'bench-list-nudge';

function configMap(): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: NAME, labels: { app: 'bench', shard: 'a' }, annotations: { 'kubets.io/bench': 'reads' } },
    data: {
      'app.properties': 'log.level=info\nlisten.port=8080\ncache.size=256\nfeature.flags=alpha,beta\n',
      'mode': 'bench',
      'motd': 'x'.repeat(200),
    },
  };
}

export function cmName(i: number): string {
  return `cm-${String(i).padStart(5, '0')}`;
}

export interface SeedResult {
  readonly objects: number;
  readonly apiserver: LoadResult;
  readonly etcd: LoadResult;
  readonly storedBytes: number;
}

/** Stores `count` ConfigMaps through the apiserver and the same JSON under the raw etcd prefix. */
export async function seed(api: ApiClient, etcd: Etcd3, ns: string, count: number, signal: AbortSignal, cpu?: CpuProbe): Promise<SeedResult> {
  await ensureNamespace(api, ns);
  const path = `/api/v1/namespaces/${ns}/configmaps`;
  const body = JSON.stringify(configMap());
  const c = 32;
  const agent = ApiClient.agent(c);
  const apiserver = await withCpu(cpu, () => closedLoop(
    c,
    Number.POSITIVE_INFINITY,
    count,
    async (i) => {
      const res = await api.send(agent, 'POST', path, fill(body, cmName(i)));
      // 409: left from an earlier, interrupted seeding in the same etcd is still the object we want.
      return res.status === 201 || res.status === 409 ? true : exchange('POST', path, res);
    },
    signal,
  ));
  const one = await api.expect(agent, 'GET', `${path}/${cmName(0)}`, [200]);
  agent.destroy();
  const stored = storedForm(parseJson(one.body), cmName(0));
  const etcdRun = await withCpu(cpu, () => closedLoop(
    c,
    Number.POSITIVE_INFINITY,
    count,
    async (i) => {
      await etcd.put(`${RAW_PREFIX}/configmaps/${ns}/${cmName(i)}`).value(fill(stored, cmName(i)));
      return true;
    },
    signal,
  ));
  return { objects: count, apiserver, etcd: etcdRun, storedBytes: Buffer.byteLength(fill(stored, cmName(0))) };
}

export interface GetResult {
  readonly objects: number;
  readonly apiserver: PacedResult;
  readonly etcd: PacedResult;
}

export async function measureGets(api: ApiClient, etcd: Etcd3, ns: string, count: number, rate: number, seconds: number, signal: AbortSignal, cpu?: CpuProbe): Promise<GetResult> {
  // A fixed pseudo-random order, the same for both sides.
  let x = 0x9e3779b9;
  const order = Array.from({ length: Math.ceil(rate * seconds) + 1 }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % count;
  });
  const agent = ApiClient.agent(Number.POSITIVE_INFINITY);
  try {
    // Open the keep-alive connections before measuring so the first requests don't pay for them.
    for (let i = 0; i < 20; i++) await api.expect(agent, 'GET', `/api/v1/namespaces/${ns}/configmaps/${cmName(i % count)}`, [200]);
    const etcdRes = await withCpu(cpu, () => paced(
      rate,
      seconds * 1000,
      async (i) => {
        const v = await etcd.get(`${RAW_PREFIX}/configmaps/${ns}/${cmName(order[i]!)}`).buffer();
        return v !== null ? true : `etcd get ${cmName(order[i]!)}: missing`;
      },
      signal,
    ));
    const apiRes = await withCpu(cpu, () => paced(
      rate,
      seconds * 1000,
      async (i) => {
        const path = `/api/v1/namespaces/${ns}/configmaps/${cmName(order[i]!)}`;
        const res = await api.send(agent, 'GET', path);
        return res.status === 200 ? true : exchange('GET', path, res);
      },
      signal,
    ));
    return { objects: count, apiserver: apiRes, etcd: etcdRes };
  } finally {
    agent.destroy();
  }
}

export interface ListCase {
  readonly query: string;
  readonly items: number;
  readonly responseBytes: number;
  /** The first answer's failure, when it failed; the case was then retried once after a write. */
  readonly firstAnswerError?: string;
  readonly apiserver?: LoadResult;
  readonly etcd: LoadResult;
  readonly error?: string;
}

function checkList(method: string, path: string, res: { status: number; body: Buffer }, wantItems: number, wantContinue: boolean): OpResult {
  if (res.status !== 200) return exchange(method, path, res);
  const v = parseJson(res.body);
  if (!isRecord(v) || !Array.isArray(v.items)) return `${method} ${path}: response has no items array`;
  if (v.items.length !== wantItems) return `${method} ${path}: ${v.items.length} items, expected ${wantItems}`;
  const cont = isRecord(v.metadata) ? v.metadata.continue : undefined;
  if (wantContinue && (typeof cont !== 'string' || cont === '')) return `${method} ${path}: first page has no metadata.continue`;
  return true;
}

/**
 * Full LIST, full LIST from cache (resourceVersion=0) and a first page of `limit=500`, one at a
 * time, each next to the same range read from etcd. A case whose first answer fails is retried
 * once after a write through the apiserver, and both outcomes are reported.
 */
export async function measureLists(api: ApiClient, etcd: Etcd3, ns: string, count: number, fullIterations: number, pageIterations: number, signal: AbortSignal, cpu?: CpuProbe): Promise<ListCase[]> {
  const agent = ApiClient.agent(1);
  const page = Math.min(500, count);
  const cases = [
    { query: '', items: count, iterations: fullIterations, limit: 0 },
    { query: 'resourceVersion=0', items: count, iterations: fullIterations, limit: 0 },
    { query: `limit=${page}`, items: page, iterations: pageIterations, limit: page },
  ];
  const out: ListCase[] = [];
  let nudges = 0;
  try {
    for (const c of cases) {
      const path = `/api/v1/namespaces/${ns}/configmaps${c.query ? `?${c.query}` : ''}`;
      const prefix = `${RAW_PREFIX}/configmaps/${ns}/`;
      const etcdRun = await withCpu(cpu, () =>
        serial(
          c.iterations,
          async () => {
            const b = etcd.getAll().prefix(prefix);
            if (c.limit > 0) b.limit(c.limit);
            const res = await b.exec();
            return res.kvs.length === c.items ? true : `etcd range ${prefix}: ${res.kvs.length} kvs, expected ${c.items}`;
          },
          signal,
        ),
      );
      // The first answer is checked in full (item count, continue token); timed ones only by status.
      const wantContinue = c.limit > 0 && count > c.limit;
      let first = await api.send(agent, 'GET', path);
      let verdict = checkList('GET', path, first, c.items, wantContinue);
      let firstAnswerError: string | undefined;
      if (verdict !== true) {
        firstAnswerError = verdict;
        // A ConfigMap write elsewhere moves the resource's newest revision past any raw etcd writes.
        await ensureNamespace(api, NUDGE_NS);
        await api.expect(agent, 'POST', `/api/v1/namespaces/${NUDGE_NS}/configmaps`, [201], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `list-nudge-${nudges++}` } }));
        first = await api.send(agent, 'GET', path);
        verdict = checkList('GET', path, first, c.items, wantContinue);
      }
      const base = { query: c.query || '(none)', items: c.items, responseBytes: first.body.length, etcd: etcdRun, ...(firstAnswerError ? { firstAnswerError } : {}) };
      if (verdict !== true) {
        out.push({ ...base, error: verdict });
        continue;
      }
      const apiserver = await withCpu(cpu, () =>
        serial(
          c.iterations,
          async () => {
            const res = await api.send(agent, 'GET', path);
            return res.status === 200 ? true : exchange('GET', path, res);
          },
          signal,
        ),
      );
      out.push({ ...base, apiserver });
    }
  } finally {
    agent.destroy();
  }
  return out;
}
