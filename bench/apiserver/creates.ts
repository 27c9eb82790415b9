// Create throughput: Pod POSTs through the apiserver against raw etcd puts of the same stored JSON,
// through the same etcd3 client library, at the same concurrency levels.
import type { Etcd3 } from 'etcd3';
import { ApiClient, exchange, isRecord, parseJson } from './http.js';
import { closedLoop, withCpu, type CpuProbe, type LatencySummary, type LoadResult } from './stats.js';

export const RAW_PREFIX = '/kubets-bench';
const NAME = '__BENCH_NAME__';

/** A small, realistic Pod: one container with ports, env, requests and probes' usual neighbours. */
export function podManifest(): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: NAME, labels: { app: 'bench', tier: 'web', 'app.kubernetes.io/part-of': 'kubets-bench' } },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'registry.k8s.io/pause:3.10',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: [{ name: 'MODE', value: 'bench' }],
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
    },
  };
}

/** The JSON a store would hold for a created object: the response without resourceVersion. */
export function storedForm(created: unknown, name: string): string {
  if (!isRecord(created) || !isRecord(created.metadata)) throw new Error('created object has no metadata');
  const copy = structuredClone(created);
  delete (copy.metadata as Record<string, unknown>).resourceVersion;
  // A template: every later put carries its own name in place of the placeholder.
  return JSON.stringify(copy).split(`"${name}"`).join(`"${NAME}"`);
}

export function fill(template: string, name: string): string {
  return template.split(NAME).join(name);
}

export async function ensureNamespace(api: ApiClient, name: string): Promise<void> {
  const agent = ApiClient.agent(1);
  try {
    await api.expect(agent, 'POST', '/api/v1/namespaces', [201, 409], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  } finally {
    agent.destroy();
  }
}

export interface CreateLevel {
  readonly concurrency: number;
  /** Best round of each side: the machine is shared and noisy, the best is the most repeatable. */
  readonly apiserverPerSec: number;
  readonly etcdPerSec: number;
  readonly ratio: number;
  readonly apiserverRoundsPerSec: number[];
  readonly etcdRoundsPerSec: number[];
  readonly apiserverLatency: LatencySummary;
  readonly etcdLatency: LatencySummary;
  /** CPU ms per create of each process during the best apiserver round, and per put during the best etcd round. */
  readonly apiserverCpuMsPerOp: Record<string, number | null> | null;
  readonly etcdCpuMsPerOp: Record<string, number | null> | null;
  readonly apiserverErrors: number;
  readonly etcdErrors: number;
  readonly errorSamples: string[];
}

export interface CreateOptions {
  readonly concurrencies: readonly number[];
  readonly seconds: number;
  readonly rounds: number;
  readonly namespace: string;
  readonly log: (line: string) => void;
  readonly cpu?: CpuProbe;
}

function best(rs: readonly LoadResult[]): LoadResult {
  return rs.reduce((a, b) => (b.perSec > a.perSec ? b : a));
}

export async function measureCreates(api: ApiClient, etcd: Etcd3, opts: CreateOptions, signal: AbortSignal): Promise<{ levels: CreateLevel[]; storedBytes: number }> {
  const ns = opts.namespace;
  await ensureNamespace(api, ns);
  const path = `/api/v1/namespaces/${ns}/pods`;
  const body = JSON.stringify(podManifest());
  const warm = ApiClient.agent(1);
  // Warm-up creates, and the first one's response becomes the raw-etcd value.
  const first = await api.expect(warm, 'POST', path, [201], fill(body, 'warmup-0'));
  const stored = storedForm(parseJson(first.body), 'warmup-0');
  for (let i = 1; i < 20; i++) await api.expect(warm, 'POST', path, [201], fill(body, `warmup-${i}`));
  warm.destroy();
  for (let i = 0; i < 20; i++) await etcd.put(`${RAW_PREFIX}/pods/${ns}/warmup-${i}`).value(fill(stored, `warmup-${i}`));

  const maxOps = 1_000_000;
  const levels: CreateLevel[] = [];
  for (const c of opts.concurrencies) {
    const apiRuns: LoadResult[] = [];
    const etcdRuns: LoadResult[] = [];
    for (let round = 0; round < opts.rounds && !signal.aborted; round++) {
      const runApi = async (): Promise<void> => {
        const agent = ApiClient.agent(c);
        try {
          apiRuns.push(
            await withCpu(opts.cpu, () => closedLoop(
              c,
              opts.seconds * 1000,
              maxOps,
              async (i) => {
                const name = `p-c${c}-r${round}-${i}`;
                const res = await api.send(agent, 'POST', path, fill(body, name));
                return res.status === 201 ? true : exchange('POST', path, res);
              },
              signal,
            )),
          );
        } finally {
          agent.destroy();
        }
      };
      const runEtcd = async (): Promise<void> => {
        etcdRuns.push(
          await withCpu(opts.cpu, () => closedLoop(
            c,
            opts.seconds * 1000,
            maxOps,
            async (i) => {
              const name = `p-c${c}-r${round}-${i}`;
              await etcd.put(`${RAW_PREFIX}/pods/${ns}/${name}`).value(fill(stored, name));
              return true;
            },
            signal,
          )),
        );
      };
      // Alternate which side goes first so neither always gets the fresher etcd.
      if (round % 2 === 0) {
        await runApi();
        await runEtcd();
      } else {
        await runEtcd();
        await runApi();
      }
      opts.log(`creates c=${c} round ${round}: apiserver ${apiRuns.at(-1)?.perSec}/s, etcd ${etcdRuns.at(-1)?.perSec}/s`);
    }
    if (apiRuns.length === 0 || etcdRuns.length === 0) break;
    const a = best(apiRuns);
    const e = best(etcdRuns);
    levels.push({
      concurrency: c,
      apiserverPerSec: a.perSec,
      etcdPerSec: e.perSec,
      ratio: e.perSec > 0 ? Math.round((a.perSec / e.perSec) * 1000) / 1000 : 0,
      apiserverRoundsPerSec: apiRuns.map((r) => r.perSec),
      etcdRoundsPerSec: etcdRuns.map((r) => r.perSec),
      apiserverLatency: a.latency,
      etcdLatency: e.latency,
      apiserverCpuMsPerOp: a.cpuMsPerOp ?? null,
      etcdCpuMsPerOp: e.cpuMsPerOp ?? null,
      apiserverErrors: apiRuns.reduce((n, r) => n + r.errors, 0),
      etcdErrors: etcdRuns.reduce((n, r) => n + r.errors, 0),
      errorSamples: [...new Set([...apiRuns, ...etcdRuns].flatMap((r) => r.errorSamples))].slice(0, 5),
    });
  }
  return { levels, storedBytes: Buffer.byteLength(fill(stored, 'p-c64-r0-1000')) };
}
