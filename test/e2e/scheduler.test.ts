// The scheduler end to end: the local launcher's etcd, apiserver and two leader-elected scheduler
// replicas, Node objects created with kubectl (there is no kubelet), and what a user sees through
// the real kubectl: bindings, events, conditions, and the Lease during failover.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { LocalLeaders, type LeaseSpecView } from '../helpers/local-leaders.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface EventView {
  reason?: string;
  message?: string;
  reportingComponent?: string;
  reportingInstance?: string;
  involvedObject?: { name?: string; namespace?: string };
}

let c: LocalCluster;
let leaders: LocalLeaders;

function kubectl(args: string[], input?: string): string {
  const r = c.kubectl(args, input !== undefined ? { input } : {});
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function apply(obj: unknown): void {
  kubectl(['apply', '-f', '-'], JSON.stringify(obj));
}

/** Polls until check returns a value other than undefined; fails with `what` after timeoutMs. */
async function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 30_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

function node(name: string, labels: Record<string, string>, taints: { key: string; value: string; effect: string }[] = [], cpu = '4'): unknown {
  const resources = { cpu, memory: '8Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...labels } },
    spec: taints.length > 0 ? { taints } : {},
    status: { capacity: resources, allocatable: resources },
  };
}

interface PodOpts {
  labels?: Record<string, string>;
  nodeSelector?: Record<string, string>;
  tolerations?: unknown[];
  cpu?: string;
  affinity?: unknown;
  schedulerName?: string;
}

function pod(name: string, o: PodOpts = {}): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { e2e: 'scheduler', ...o.labels } },
    spec: {
      containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: o.cpu ?? '100m', memory: '64Mi' } } }],
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.affinity ? { affinity: o.affinity } : {}),
      ...(o.schedulerName ? { schedulerName: o.schedulerName } : {}),
    },
  };
}

function nodeOf(name: string): string {
  return kubectl(['get', 'pod', name, '-o', 'jsonpath={.spec.nodeName}']);
}

async function waitBound(name: string, timeoutMs = 30_000): Promise<string> {
  return waitFor(`pod ${name} to be bound`, () => nodeOf(name) || undefined, timeoutMs);
}

/** The FailedScheduling message once the scheduler has written the PodScheduled=False condition. */
async function waitUnschedulable(name: string): Promise<string> {
  return waitFor(`pod ${name} to be reported Unschedulable`, () => {
    const out = kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].reason}']);
    return out === 'Unschedulable' ? kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}']) : undefined;
  });
}

function eventsFor(name: string): EventView[] {
  const out = kubectl(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json']);
  return (JSON.parse(out) as { items: EventView[] }).items;
}

function lease(): LeaseSpecView {
  return leaders.lease();
}

before(async () => {
  c = await startLocalCluster(['--restart-crashed', '--controller-managers', '0', '--nodes', '0']);
  leaders = new LocalLeaders(c, 'scheduler', 'kube-scheduler');
  apply(node('node-a', { disk: 'ssd' }));
  apply(node('node-b', {}));
  apply(node('node-c', {}, [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]));
  await leaders.waitTwoCandidatesAndLeader();
});

after(async () => {
  await c?.stop();
});

describe('the scheduler places pods as kube-scheduler does', () => {
  test('a nodeSelector binds the pod to the labelled node and kubectl get events shows Scheduled', async () => {
    apply(pod('ssd-pod', { nodeSelector: { disk: 'ssd' } }));
    assert.equal(await waitBound('ssd-pod'), 'node-a');
    const ev = await waitFor('the Scheduled event', () => eventsFor('ssd-pod').find((e) => e.reason === 'Scheduled'));
    assert.equal(ev.message, 'Successfully assigned default/ssd-pod to node-a');
    assert.equal(ev.reportingComponent, 'default-scheduler');
    const table = kubectl(['get', 'events', '--field-selector', 'involvedObject.name=ssd-pod']);
    assert.match(table, /Normal\s+Scheduled\s+pod\/ssd-pod\s+Successfully assigned default\/ssd-pod to node-a/);
  });

  test('a NoSchedule taint keeps a pod off the node unless the pod tolerates it', async () => {
    apply(pod('gpu-intolerant', { nodeSelector: { 'kubernetes.io/hostname': 'node-c' } }));
    apply(pod('gpu-tolerant', { nodeSelector: { 'kubernetes.io/hostname': 'node-c' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }));
    assert.equal(await waitBound('gpu-tolerant'), 'node-c');
    const message = await waitUnschedulable('gpu-intolerant');
    assert.equal(
      message,
      "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
    assert.equal(nodeOf('gpu-intolerant'), '');
    // Pods that can go anywhere never land on the tainted node either.
    for (let i = 0; i < 4; i++) apply(pod(`anywhere-${i}`));
    for (let i = 0; i < 4; i++) assert.notEqual(await waitBound(`anywhere-${i}`), 'node-c');
  });

  test('a pod asking for more cpu than any node has stays Pending with FailedScheduling "Insufficient cpu" and PodScheduled False/Unschedulable', async () => {
    apply(pod('too-big', { cpu: '64' }));
    const expected =
      '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.';
    assert.equal(await waitUnschedulable('too-big'), expected);
    assert.equal(kubectl(['get', 'pod', 'too-big', '-o', 'jsonpath={.status.phase}']), 'Pending');
    assert.equal(kubectl(['get', 'pod', 'too-big', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].status}/{.status.conditions[?(@.type=="PodScheduled")].reason}']), 'False/Unschedulable');
    const describe = await waitFor('FailedScheduling in kubectl describe', () => {
      const out = kubectl(['describe', 'pod', 'too-big']);
      return out.includes('FailedScheduling') ? out : undefined;
    });
    assert.match(describe, /Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/3 nodes are available: .*2 Insufficient cpu\./);
    assert.ok(describe.includes(expected), `describe shows the full message:\n${describe}`);
    assert.match(describe, /PodScheduled\s+False/);
  });

  test('required pod anti-affinity on kubernetes.io/hostname spreads replicas over distinct nodes', async () => {
    const affinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'spread' } }, topologyKey: 'kubernetes.io/hostname' }],
      },
    };
    for (let i = 0; i < 3; i++) apply(pod(`spread-${i}`, { labels: { app: 'spread' }, affinity }));
    // Two untainted nodes: two replicas bind, on different nodes, and the third waits.
    const bound = await waitFor('two spread replicas bound', () => {
      const nodes = [0, 1, 2].map((i) => nodeOf(`spread-${i}`));
      return nodes.filter((n) => n !== '').length === 2 ? nodes : undefined;
    });
    const placed = bound.filter((n) => n !== '');
    assert.deepEqual([...placed].sort(), ['node-a', 'node-b']);
    const pending = `spread-${bound.indexOf('')}`;
    assert.equal(
      await waitUnschedulable(pending),
      "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
    );
    await sleep(1000);
    assert.equal(nodeOf(pending), '');
  });
});

describe('the scheduling queue', () => {
  test('a Pending pod is scheduled as soon as a node that fits is added', async (t) => {
    apply(pod('waits-for-node', { nodeSelector: { pool: 'late' } }));
    await waitUnschedulable('waits-for-node');
    // Its backoff is long over by now: only the node add can move it out of the unschedulable pods.
    await sleep(1500);
    const added = Date.now();
    apply(node('node-d', { pool: 'late' }));
    assert.equal(await waitBound('waits-for-node'), 'node-d');
    t.diagnostic(`bound ${Date.now() - added} ms after the node was added`);
  });
});

describe('scheduler leader election', () => {
  test('only the leader schedules, and after SIGKILL of the leader the other replica takes over the Lease and binds', async (t) => {
    const first = await leaders.waitTwoCandidatesAndLeader();
    const before = lease();
    // Every binding so far was reported by the current leader.
    const instances = new Set(
      (JSON.parse(kubectl(['get', 'events', '--field-selector', 'reason=Scheduled', '-o', 'json'])) as { items: EventView[] }).items.map((e) => e.reportingInstance),
    );
    assert.deepEqual([...instances], [first.holder]);
    // A replica starts its scheduling loop only in the terms it leads.
    for (const n of ['scheduler-0', 'scheduler-1']) {
      const log = readFileSync(join(c.dir, 'logs', `${n}.log`), 'utf8');
      const count = (msg: string): number => log.split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).length;
      assert.equal(count('caches synced; scheduling'), count('became leader'), `${n} schedules only while it leads`);
    }
    const { holder, ms: failoverMs } = await leaders.killLeader('SIGKILL', first);
    t.diagnostic(`failover after SIGKILL of ${first.component}: ${failoverMs} ms from kill to a new holder in the Lease`);
    assert.ok(holder !== '' && holder !== first.holder, 'a new replica holds the Lease');
    const successor = await waitFor('the new holder in a scheduler log', () => leaders.componentOf(holder));
    assert.notEqual(successor, first.component);
    const afterKill = lease();
    assert.equal(afterKill.holderIdentity, holder);
    assert.ok((afterKill.leaseTransitions ?? 0) > (before.leaseTransitions ?? 0), `leaseTransitions grew: ${before.leaseTransitions} -> ${afterKill.leaseTransitions}`);
    apply(pod('after-failover', { nodeSelector: { disk: 'ssd' } }));
    assert.equal(await waitBound('after-failover'), 'node-a');
    const ev = await waitFor('the Scheduled event', () => eventsFor('after-failover').find((e) => e.reason === 'Scheduled'));
    assert.equal(ev.reportingInstance, holder);
  });

  test('SIGTERM of the leader releases the Lease at once instead of letting it expire', async (t) => {
    const leader = await leaders.waitTwoCandidatesAndLeader();
    const server = leaders.apiserver();
    const pid = leaders.pidOf(leader.component);
    assert.ok(pid !== undefined, `pid of ${leader.component}`);
    // A watch sees every write to the Lease, including a released record the other replica replaces at once.
    const ac = new AbortController();
    const seen: { at: number; holder: string }[] = [];
    const res = await fetch(`${server}/apis/coordination.k8s.io/v1/namespaces/kube-system/leases?watch=1&fieldSelector=metadata.name%3Dkube-scheduler`, { signal: ac.signal });
    const reader = res.body!.getReader();
    const pump = (async () => {
      const dec = new TextDecoder();
      let buf = '';
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          buf += dec.decode(value, { stream: true });
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (line === '') continue;
            const ev = JSON.parse(line) as { type: string; object: { spec?: LeaseSpecView } };
            if (ev.type === 'ADDED' || ev.type === 'MODIFIED') seen.push({ at: Date.now(), holder: ev.object.spec?.holderIdentity ?? '' });
          }
        }
      } catch {
        // Aborted below.
      }
    })();
    await sleep(300);
    const termAt = Date.now();
    process.kill(pid, 'SIGTERM');
    try {
      await waitFor('a released Lease or a new holder', () => seen.find((s) => s.at >= termAt && s.holder !== leader.holder), 30_000, 20);
      // Let the other replica's takeover arrive too.
      await waitFor('a new holder', () => seen.find((s) => s.at >= termAt && s.holder !== '' && s.holder !== leader.holder), 30_000, 20);
    } finally {
      ac.abort();
      await pump;
    }
    const released = seen.find((s) => s.at >= termAt && s.holder === '');
    const taken = seen.find((s) => s.at >= termAt && s.holder !== '' && s.holder !== leader.holder)!;
    t.diagnostic(
      `SIGTERM of ${leader.component}: ${released ? `Lease released after ${released.at - termAt} ms, ` : 'no released record seen, '}new holder after ${taken.at - termAt} ms`,
    );
    // Without a release the other replica could only take over once the 2 s lease expired.
    assert.ok(released !== undefined, 'the leader wrote a released record (empty holderIdentity) on SIGTERM');
  });

  test('a pod for another scheduler is left alone by default-scheduler', async () => {
    await leaders.waitTwoCandidatesAndLeader();
    apply(pod('not-ours', { schedulerName: 'other-scheduler' }));
    apply(pod('ours-after', {}));
    // Once a pod created later is bound, the scheduler has certainly seen the first one.
    await waitBound('ours-after');
    await sleep(2000);
    assert.equal(nodeOf('not-ours'), '');
    assert.equal(kubectl(['get', 'pod', 'not-ours', '-o', 'jsonpath={.status.conditions}']), '');
    assert.deepEqual(eventsFor('not-ours'), []);
  });
});
