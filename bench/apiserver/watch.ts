// Watch fan-out: many concurrent watch streams on one resource, a paced series of updates, and
// the delay from each write to each watcher receiving its event; plus one raw etcd watcher.
import type { Etcd3 } from 'etcd3';
import { Agent, request, type ClientRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { ensureNamespace, RAW_PREFIX } from './creates.js';
import { ApiClient, exchange, isRecord, parseJson, resourceVersionOf } from './http.js';
import { summarize, type LatencySummary } from './stats.js';

const SEQ_KEY = 'bench-seq';
const SEQ_RE = /"bench-seq":"([0-9]+|sync)"/;

export interface WatchOptions {
  readonly namespace: string;
  readonly watchers: number;
  readonly writes: number;
  readonly intervalMs: number;
  readonly log: (line: string) => void;
}

export interface WatchResult {
  readonly watchers: number;
  readonly watchersConnected: number;
  /** Watchers that saw the warm-up event before measured writes began. */
  readonly watchersSynced: number;
  readonly connectMs: number;
  readonly writes: number;
  readonly expectedEvents: number;
  readonly deliveredEvents: number;
  readonly duplicateEvents: number;
  readonly streamsClosedEarly: number;
  /** Receive time minus the time the write's response arrived (an event that beat the response counts 0). */
  readonly latencyFromAckMs: LatencySummary;
  /** Receive time minus the time the write was sent. */
  readonly latencyFromSendMs: LatencySummary;
  readonly writeLatencyMs: LatencySummary;
  readonly errorSamples: string[];
}

interface Stream {
  req?: ClientRequest;
  status: number;
  closed: boolean;
  /** Chunks with their arrival time; parsed only after measuring, to keep the receive path cheap. */
  readonly chunks: Array<{ t: number; data: Buffer }>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}

function openStream(api: ApiClient, agent: Agent, path: string, errors: string[]): Promise<Stream> {
  const s: Stream = { status: 0, closed: false, chunks: [] };
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      errors.push(`GET ${path}: no response headers within 30 s`);
      resolve(s);
    }, 30_000);
    const req = request({ host: api.host, port: api.port, path, agent, headers: { Accept: 'application/json' } }, (res) => {
      clearTimeout(timer);
      s.status = res.statusCode ?? 0;
      res.on('data', (data: Buffer) => s.chunks.push({ t: performance.now(), data }));
      res.on('end', () => (s.closed = true));
      res.on('error', () => (s.closed = true));
      if (s.status !== 200 && errors.length < 5) {
        res.on('end', () => errors.push(exchange('GET', path, { status: s.status, body: Buffer.concat(s.chunks.map((c) => c.data)) })));
      }
      resolve(s);
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      s.closed = true;
      if (errors.length < 5) errors.push(`GET ${path}: ${err.message}`);
      resolve(s);
    });
    s.req = req;
    req.end();
  });
}

/** (seq, receive time) of every watch event line in a stream, in arrival order. */
function eventsOf(s: Stream): Array<{ seq: string; t: number }> {
  const out: Array<{ seq: string; t: number }> = [];
  let carry = '';
  for (const { t, data } of s.chunks) {
    const lines = (carry + data.toString('utf8')).split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      const m = SEQ_RE.exec(line);
      if (m) out.push({ seq: m[1]!, t });
    }
  }
  return out;
}

/** Whether the stream's latest data holds this seq (events arrive in order, so earlier ones came first). */
function reached(s: Stream, seq: string): boolean {
  return Buffer.concat(s.chunks.slice(-2).map((c) => c.data)).includes(`"${SEQ_KEY}":"${seq}"`);
}

export async function measureWatchFanout(api: ApiClient, opts: WatchOptions, signal: AbortSignal): Promise<WatchResult> {
  const ns = opts.namespace;
  await ensureNamespace(api, ns);
  const writer = ApiClient.agent(1);
  const base = `/api/v1/namespaces/${ns}/configmaps`;
  const name = `watched-${opts.watchers}`;
  await api.expect(writer, 'POST', base, [201, 409], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { [SEQ_KEY]: 'init', payload: 'y'.repeat(256) } }));
  let obj: unknown = parseJson((await api.expect(writer, 'GET', `${base}/${name}`, [200])).body);
  const listRv = resourceVersionOf(parseJson((await api.expect(writer, 'GET', base, [200])).body));
  if (listRv === '') throw new Error(`GET ${base}: list has no metadata.resourceVersion`);

  const errors: string[] = [];
  const agent = new Agent({ keepAlive: false });
  const path = `${base}?watch=1&resourceVersion=${listRv}`;
  const streams: Stream[] = [];
  const update = async (seq: string): Promise<void> => {
    if (!isRecord(obj) || !isRecord(obj.data)) throw new Error(`${base}/${name}: object has no data`);
    obj = { ...obj, data: { ...obj.data, [SEQ_KEY]: seq } };
    const res = await api.expect(writer, 'PUT', `${base}/${name}`, [200], JSON.stringify(obj));
    obj = parseJson(res.body);
  };
  try {
    const t0 = performance.now();
    // Batches keep the listen backlog from overflowing (a dropped SYN costs a 1 s retransmit).
    for (let i = 0; i < opts.watchers && !signal.aborted; i += 50) {
      const n = Math.min(50, opts.watchers - i);
      streams.push(...(await Promise.all(Array.from({ length: n }, () => openStream(api, agent, path, errors)))));
    }
    const connectMs = Math.round(performance.now() - t0);
    const connected = streams.filter((s) => s.status === 200 && !s.closed);
    opts.log(`watch: ${connected.length}/${opts.watchers} streams open in ${connectMs} ms`);

    // A warm-up event proves every stream is registered before anything is measured.
    await update('sync');
    const syncDeadline = Date.now() + 30_000;
    while (!signal.aborted && Date.now() < syncDeadline && !connected.every((s) => reached(s, 'sync'))) await sleep(50);
    const synced = connected.filter((s) => eventsOf(s).some((e) => e.seq === 'sync')).length;

    const sent: number[] = [];
    const acked: number[] = [];
    const start = performance.now();
    for (let k = 0; k < opts.writes && !signal.aborted; k++) {
      await sleep(start + k * opts.intervalMs - performance.now());
      sent[k] = performance.now();
      await update(String(k));
      acked[k] = performance.now();
    }
    const writes = sent.length;
    const want = (s: Stream): boolean => writes === 0 || reached(s, String(writes - 1));
    const drainDeadline = Date.now() + 10_000;
    while (!signal.aborted && Date.now() < drainDeadline && !connected.every(want)) await sleep(50);

    const fromAck: number[] = [];
    const fromSend: number[] = [];
    let delivered = 0;
    let duplicates = 0;
    for (const s of connected) {
      const seen = new Set<number>();
      for (const e of eventsOf(s)) {
        if (e.seq === 'sync') continue;
        const k = Number(e.seq);
        if (k >= writes) continue;
        if (seen.has(k)) {
          duplicates++;
          continue;
        }
        seen.add(k);
        delivered++;
        fromAck.push(Math.max(0, e.t - acked[k]!));
        fromSend.push(e.t - sent[k]!);
      }
    }
    return {
      watchers: opts.watchers,
      watchersConnected: connected.length,
      watchersSynced: synced,
      connectMs,
      writes,
      expectedEvents: connected.length * writes,
      deliveredEvents: delivered,
      duplicateEvents: duplicates,
      streamsClosedEarly: connected.filter((s) => s.closed).length,
      latencyFromAckMs: summarize(fromAck),
      latencyFromSendMs: summarize(fromSend),
      writeLatencyMs: summarize(sent.map((t, k) => acked[k]! - t)),
      errorSamples: errors.slice(0, 5),
    };
  } finally {
    for (const s of streams) s.req?.destroy();
    agent.destroy();
    writer.destroy();
  }
}

export interface EtcdWatchResult {
  readonly watchers: 1;
  readonly writes: number;
  readonly deliveredEvents: number;
  readonly latencyFromAckMs: LatencySummary;
  readonly latencyFromSendMs: LatencySummary;
  readonly writeLatencyMs: LatencySummary;
}

/** One etcd3 watcher on a key and the same paced writes: the floor any apiserver watch sits on. */
export async function measureEtcdWatch(etcd: Etcd3, writes: number, intervalMs: number, value: string, signal: AbortSignal): Promise<EtcdWatchResult> {
  const key = `${RAW_PREFIX}/watch/watched`;
  await etcd.put(key).value(value.split('"bench-seq":"init"').join('"bench-seq":"sync"'));
  const received: Array<{ seq: string; t: number }> = [];
  const watcher = await etcd.watch().key(key).create();
  watcher.on('put', (kv) => {
    const t = performance.now();
    const m = SEQ_RE.exec(kv.value.toString('utf8'));
    if (m) received.push({ seq: m[1]!, t });
  });
  try {
    const sent: number[] = [];
    const acked: number[] = [];
    const start = performance.now();
    for (let k = 0; k < writes && !signal.aborted; k++) {
      await sleep(start + k * intervalMs - performance.now());
      sent[k] = performance.now();
      await etcd.put(key).value(value.split('"bench-seq":"init"').join(`"bench-seq":"${k}"`));
      acked[k] = performance.now();
    }
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && received.filter((e) => e.seq !== 'sync').length < sent.length) await sleep(20);
    const fromAck: number[] = [];
    const fromSend: number[] = [];
    const seen = new Set<number>();
    for (const e of received) {
      const k = Number(e.seq);
      if (e.seq === 'sync' || k >= sent.length || seen.has(k)) continue;
      seen.add(k);
      fromAck.push(Math.max(0, e.t - acked[k]!));
      fromSend.push(e.t - sent[k]!);
    }
    return {
      watchers: 1,
      writes: sent.length,
      deliveredEvents: seen.size,
      latencyFromAckMs: summarize(fromAck),
      latencyFromSendMs: summarize(fromSend),
      writeLatencyMs: summarize(sent.map((t, k) => acked[k]! - t)),
    };
  } finally {
    await watcher.cancel();
  }
}
