// A leader-elected writer for leader election tests, run as its own process so a test can freeze
// it (SIGSTOP) like a real component. While leading it updates the ConfigMap leader-owned-<lease>
// every 100 ms with a fenced client, printing one JSON line per election event and per write. With --late-writes MS
// it keeps writing for MS after losing the lease, as a leader that has not noticed yet would:
// those writes must be refused. Exits 0 when cancelled (SIGTERM), 3 when leadership was lost.
import { parseArgs } from 'node:util';
import type { Lease } from '../../pkg/api/coordination/v1/index.js';
import type { ConfigMap } from '../../pkg/api/core/v1/index.js';
import { StatusError } from '../../pkg/api/errors.js';
import { LeaderElector } from '../../pkg/client/leaderelection/leaderelection.js';
import { RestClient } from '../../pkg/client/index.js';

const { values } = parseArgs({
  options: {
    server: { type: 'string' },
    identity: { type: 'string' },
    lease: { type: 'string', default: 'writer' },
    'late-writes': { type: 'string', default: '0' },
  },
});
const server = values.server!;
const identity = values.identity!;
const lateWritesMs = Number(values['late-writes']);
const print = (o: object): void => void process.stdout.write(JSON.stringify({ ...o, identity, at: Date.now() }) + '\n');

const LEASES = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true } as const;
const CONFIGMAPS = { group: '', version: 'v1', plural: 'configmaps', namespaced: true } as const;

const electionClient = new RestClient({ servers: [server], component: 'leader-writer-election', timeoutMs: 2_000 });
const elector: LeaderElector = new LeaderElector({
  leases: electionClient.resource<Lease>(LEASES).namespace('kube-system'),
  namespace: 'kube-system',
  name: values.lease!,
  identity,
  leaseDurationMs: 2_000,
  renewDeadlineMs: 1_500,
  retryPeriodMs: 250,
  onEvent: (e) => print({ event: e.type, ...e }),
});
const workClient = new RestClient({ servers: [server], component: 'leader-writer', timeoutMs: 2_000, retry: { maxRetries: 0 }, leaderFence: () => elector.fence });

let seq = 0;
async function writeOnce(): Promise<void> {
  const n = ++seq;
  try {
    await workClient.resource<ConfigMap>(CONFIGMAPS).namespace('default').update({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `leader-owned-${values.lease!}` }, data: { owner: identity, seq: String(n) } });
    print({ event: 'write', seq: n, code: 200 });
  } catch (err) {
    print({ event: 'write', seq: n, code: err instanceof StatusError ? err.code : 0, message: err instanceof Error ? err.message : String(err) });
  }
}

const root = new AbortController();
process.once('SIGTERM', () => root.abort());
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const outcome = await elector.run(root.signal, async (leading) => {
  while (!leading.aborted) {
    await writeOnce();
    await sleep(100);
  }
});
const lostAt = Date.now();
while (outcome === 'lost' && Date.now() - lostAt < lateWritesMs) {
  await writeOnce();
  await sleep(100);
}
print({ event: 'exit', outcome });
electionClient.close();
workClient.close();
process.exit(outcome === 'lost' ? 3 : 0);
