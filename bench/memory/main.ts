// The apiserver's memory and event-loop hold under load: resident memory at rest (the baseline,
// measured in the same run), after 5,000 ConfigMaps, after a hostile campaign (large objects
// rewritten, JSON patch copy bombs, big lists), and after a minute idle; and the longest the
// event loop was held, from the apiserver's own /metrics. Prints one JSON document.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEtcd } from '../../test/helpers/etcd.js';
import { Cleanup, startApiServerProcess } from '../apiserver/processes.js';
import { runBenchmark } from '../apiserver/processes.js';

const USAGE = `Usage: node dist/bench/memory/main.js [--quick] [--objects=N] [--idle-seconds=N]
  --quick            1,000 ConfigMaps and 5 s idle (about 30 s in all)
  --objects=N        ConfigMaps created (default 5000)
  --idle-seconds=N   rest before the last reading (default 60)`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function metrics(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

async function rssMiB(url: string): Promise<number> {
  return Math.round(((await metrics(url)).get('process_resident_memory_bytes') ?? NaN) / 1024 / 1024);
}

async function heapMiB(url: string): Promise<number> {
  return Math.round(((await metrics(url)).get('kubets_heap_used_bytes') ?? NaN) / 1024 / 1024);
}

/** The longest event-loop hold so far (it only grows, so a phase that raised it is the one to blame). */
async function loopMaxMs(url: string): Promise<number> {
  return Math.round(((await metrics(url)).get('kubets_event_loop_delay_max_seconds') ?? NaN) * 1000);
}

/** Runs `n` calls of `one` with at most `concurrency` in flight. */
async function pool(n: number, concurrency: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await one(next++);
  }));
}

async function call(url: string, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<number> {
  const res = await fetch(url + path, {
    method,
    signal: AbortSignal.timeout(60_000),
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'Content-Type': contentType } } : {}),
  });
  await res.arrayBuffer();
  return res.status;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ args: process.argv.slice(2), strict: true, options: { quick: { type: 'boolean', default: false }, objects: { type: 'string' }, 'idle-seconds': { type: 'string' }, help: { type: 'boolean', default: false } } });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const objects = Number(values.objects ?? (values.quick ? 1000 : 5000));
  const idleSeconds = Number(values['idle-seconds'] ?? (values.quick ? 5 : 60));
  const distDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const dir = mkdtempSync(join(tmpdir(), 'kubets-bench-memory-'));
  const cleanup = new Cleanup();
  const root = new AbortController();
  cleanup.installSignalHandlers(root);
  // The whole run is bounded: a stalled phase ends it with what was measured so far.
  const deadline = setTimeout(() => {
    process.stderr.write('bench: memory run over its 15 minute bound; stopping\n');
    root.abort();
    void cleanup.run().finally(() => process.exit(1));
  }, 15 * 60_000);
  deadline.unref();
  const phases: Record<string, number> = {};
  const loopMax: Record<string, number> = {};
  try {
    const etcd = await startEtcd();
    cleanup.add(() => etcd.stop());
    const api = await startApiServerProcess({ distDir, etcdUrl: etcd.url, dir, cleanup, signal: root.signal });
    const url = api.url;
    await sleep(2000);
    const rss: Record<string, number> = { atRest: await rssMiB(url) };

    let started = performance.now();
    const data = { payload: 'x'.repeat(1024) };
    await pool(objects, 16, async (i) => {
      await call(url, 'POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `mem-${i}` }, data });
    });
    phases['createMs'] = Math.round(performance.now() - started);
    loopMax['creates'] = await loopMaxMs(url);
    rss['after' + objects + 'ConfigMaps'] = await rssMiB(url);

    started = performance.now();
    // Large objects rewritten many times: what the watch cache's event window holds on to.
    const big = { payload: 'y'.repeat(900 * 1024) };
    await call(url, 'POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: big });
    await pool(100, 4, async (i) => {
      await call(url, 'PUT', '/api/v1/namespaces/default/configmaps/big', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { ...big, i: String(i) } });
    });
    loopMax['bigUpdates'] = await loopMaxMs(url);
    // JSON patch copy bombs, refused at the copy limit.
    const bomb = [{ op: 'add', path: '/metadata/annotations', value: { a: 'z'.repeat(1000) } }, ...Array.from({ length: 30 }, (_, i) => ({ op: 'copy', from: '/metadata/annotations', path: `/metadata/annotations/c${i}` }))];
    const bombCodes = new Set<number>();
    await pool(50, 4, async () => void bombCodes.add(await call(url, 'PATCH', '/api/v1/namespaces/default/configmaps/mem-0', bomb, 'application/json-patch+json')));
    loopMax['copyBombs'] = await loopMaxMs(url);
    // Full lists of everything, several at once.
    await pool(20, 4, async () => void (await call(url, 'GET', '/api/v1/configmaps')));
    phases['campaignMs'] = Math.round(performance.now() - started);
    loopMax['lists'] = await loopMaxMs(url);
    rss['afterCampaign'] = await rssMiB(url);
    await sleep(idleSeconds * 1000);
    rss[`after${idleSeconds}sIdle`] = await rssMiB(url);
    const heapAfterIdle = await heapMiB(url);
    const m = await metrics(url);
    const result = {
      bench: 'memory',
      objects,
      rssMiB: rss,
      growthOverBaselineMiB: Object.fromEntries(Object.entries(rss).map(([k, v]) => [k, v - rss['atRest']!])),
      heapUsedAfterIdleMiB: heapAfterIdle,
      eventLoopDelayMaxMs: Math.round((m.get('kubets_event_loop_delay_max_seconds') ?? NaN) * 1000),
      eventLoopDelayMaxMsSoFarAfter: loopMax,
      eventLoopDelayP99Ms: Math.round((m.get('kubets_event_loop_delay_p99_seconds') ?? NaN) * 1000 * 10) / 10,
      copyBombAnswers: [...bombCodes],
      phases,
    };
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return 0;
  } catch (err) {
    process.stdout.write(JSON.stringify({ bench: 'memory', error: err instanceof Error ? err.message : String(err), phases }, null, 2) + '\n');
    return 1;
  } finally {
    await cleanup.run();
    rmSync(dir, { recursive: true, force: true });
  }
}

runBenchmark(main);
