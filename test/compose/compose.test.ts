// The compose cluster as its users drive it: docker-compose on deploy/docker-compose.yml, kubectl
// through the load balancer's published port, replicas killed, stopped and scaled.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../pkg/cluster/launcher.js';
import { ComposeProject, REPO_ROOT, containerLogTail, docker, healthy, ipOf, kubectl, notHealthy, serviceOf, sleep, waitFor, type ContainerInfo } from '../helpers/compose.js';

describe('the compose cluster', { timeout: 600_000 }, () => {
  let project: ComposeProject;
  let dir: string;
  let kubeconfig: string;

  /** Waits until every container of the project runs and passes its health check; a timeout names the others. */
  async function everyServiceHealthy(ms: number): Promise<ContainerInfo[]> {
    try {
      return await waitFor('every service healthy', ms, async () => {
        const now = await project.containers();
        if (!healthy(now)) throw new Error(`not healthy: ${notHealthy(now)}`);
        return now;
      });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${await unhealthyEvidence()}`);
    }
  }

  /** For each container not healthy: its last health checks and the tail of its log, so a timeout explains itself. */
  async function unhealthyEvidence(): Promise<string> {
    const out: string[] = [];
    for (const c of await project.containers().catch(() => [])) {
      if (c.State.Running && c.State.Health?.Status === 'healthy') continue;
      const checks = (c.State.Health?.Log ?? []).map((l) => `  check ${l.Start} exit ${l.ExitCode}: ${l.Output.trim().slice(0, 300)}`);
      const log = await containerLogTail(c.Id, 40).catch((e: unknown) => String(e));
      out.push(`${serviceOf(c)} ${c.Id.slice(0, 12)} (restarts ${c.RestartCount}, failing streak ${c.State.Health?.FailingStreak ?? '-'}):`, ...checks, '  log:', ...log.trimEnd().split('\n').map((l) => `  ${l}`));
    }
    return out.join('\n');
  }

  /**
   * Runs kubectl over and over while `fault` happens; every call may be retried once, and must then
   * succeed (a retried create that finds its object made by the first try counts as succeeded).
   */
  async function underFault(fault: () => Promise<unknown>, verbs: (i: number) => string[], durationMs = 6_000): Promise<{ calls: number; retried: number; failedTwice: string[] }> {
    let stop = false;
    let calls = 0;
    let retried = 0;
    const failedTwice: string[] = [];
    const loop = (async () => {
      for (let i = 0; !stop; i++) {
        const args = verbs(i);
        calls++;
        let r = await kubectl(kubeconfig, args);
        if (r.code !== 0) {
          retried++;
          const first = r.stderr.trim();
          r = await kubectl(kubeconfig, args);
          // A replica killed after etcd committed a create but before its reply left loses only the
          // reply: the retry then meets the object the first try made, which is that try's success.
          const firstTryApplied = args[0] === 'create' && /\balready exists\b/.test(r.stderr);
          if (r.code !== 0 && !firstTryApplied) failedTwice.push(`${args.join(' ')}: ${r.stderr.trim()} (first try: ${first})`);
        }
      }
    })();
    await sleep(1_000);
    await fault();
    await sleep(durationMs);
    stop = true;
    await loop;
    return { calls, retried, failedTwice };
  }

  async function byService(service: string): Promise<ContainerInfo[]> {
    return (await project.containers()).filter((c) => serviceOf(c) === service).sort((a, b) => a.Name.localeCompare(b.Name));
  }

  before(async () => {
    project = new ComposeProject(`kubets-test-${process.pid}`, await freePort());
    dir = mkdtempSync(join(tmpdir(), 'kubets-compose-'));
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, readFileSync(join(REPO_ROOT, 'deploy', 'kubeconfig'), 'utf8').replaceAll('127.0.0.1:6443', `127.0.0.1:${project.apiPort}`));
  });

  after(async () => {
    await project.down().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  test('docker-compose up brings three etcd members, two apiservers, the load balancer, two schedulers, two controller-managers and two nodes to healthy', async (t) => {
    const started = Date.now();
    await project.compose(['up', '-d']);
    // A fresh machine's first start (twelve containers, each health check a process) can be slow.
    const cs = await everyServiceHealthy(240_000);
    t.diagnostic(`all services healthy ${((Date.now() - started) / 1000).toFixed(1)} s after docker-compose up`);
    assert.deepEqual(cs.map(serviceOf).sort(), ['apiserver', 'apiserver', 'controller-manager', 'controller-manager', 'etcd-0', 'etcd-1', 'etcd-2', 'loadbalancer', 'node', 'node', 'scheduler', 'scheduler']);
  });

  test('kubectl through the published port lists the namespaces, applies and reads back, and sees every apiserver in the kubernetes Endpoints', async () => {
    const ns = await kubectl(kubeconfig, ['get', 'namespaces', '-o', 'name']);
    assert.equal(ns.code, 0, ns.stderr);
    for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.match(ns.stdout, new RegExp(`^namespace/${n}$`, 'm'));
    const applied = await kubectl(kubeconfig, ['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\ndata:\n  greeting: hi\n');
    assert.equal(applied.code, 0, applied.stderr);
    const got = await kubectl(kubeconfig, ['get', 'configmap', 'hello', '-o', 'jsonpath={.data.greeting}']);
    assert.equal(got.stdout, 'hi');
    const ips = (await byService('apiserver')).map(ipOf).sort();
    const eps = await waitFor('Endpoints with both replicas', 30_000, async () => {
      const r = await kubectl(kubeconfig, ['get', 'endpoints', 'kubernetes', '-n', 'default', '-o', 'jsonpath={.subsets[*].addresses[*].ip}']);
      const seen = r.stdout.split(' ').filter((s) => s !== '').sort();
      return seen.length === ips.length ? seen : undefined;
    });
    assert.deepEqual(eps, ips);
  });

  test('the elected controller-manager runs its controllers: a namespace made with kubectl gets its default ServiceAccount', async () => {
    assert.equal((await kubectl(kubeconfig, ['create', 'namespace', 'compose-cm'])).code, 0);
    await waitFor('serviceaccount default in compose-cm', 30_000, async () => ((await kubectl(kubeconfig, ['get', 'serviceaccount', 'default', '-n', 'compose-cm'])).code === 0 ? true : undefined));
    const holder = await kubectl(kubeconfig, ['get', 'lease', 'kube-controller-manager', '-n', 'kube-system', '-o', 'jsonpath={.spec.holderIdentity}']);
    const hosts = (await byService('controller-manager')).map((c) => c.Id.slice(0, 12));
    assert.ok(hosts.some((h) => holder.stdout.startsWith(`${h}_`)), `the Lease holder ${holder.stdout} is one of the replicas ${hosts.join(', ')}`);
  });

  test('the nodes register under their container names with their own pod ranges, and run a Deployment; kubectl logs reaches their kubelets', async () => {
    const nodes = (await byService('node')).map((c) => c.Id.slice(0, 12)).sort();
    const ranges = await waitFor('two Ready nodes with pod ranges', 60_000, async () => {
      const r = await kubectl(kubeconfig, ['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.podCIDR}={.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']);
      const rows = r.stdout.trim().split('\n').filter((l) => l.endsWith('=True') && !l.includes('==')).sort();
      return rows.length === 2 ? rows : undefined;
    });
    assert.deepEqual(ranges.map((l) => l.split('=')[0]), nodes);
    const cidrs = ranges.map((l) => l.split('=')[1]!);
    assert.ok(cidrs.every((c) => /^10\.244\.\d+\.0\/24$/.test(c)) && new Set(cidrs).size === 2, cidrs.join(' '));
    assert.equal((await kubectl(kubeconfig, ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=4'])).code, 0);
    const status = await kubectl(kubeconfig, ['rollout', 'status', 'deployment/web', '--timeout=90s']);
    assert.match(status.stdout, /successfully rolled out/, status.stderr);
    assert.equal((await kubectl(kubeconfig, ['run', 'hello', '--image=busybox:1.36', '--restart=Never', '--', 'echo', 'hello from compose'])).code, 0);
    const logs = await waitFor('the log of hello', 60_000, async () => {
      const r = await kubectl(kubeconfig, ['logs', 'hello']);
      return r.code === 0 && r.stdout !== '' ? r.stdout : undefined;
    });
    assert.equal(logs, 'hello from compose\n');
  });

  test('running docker-compose up again changes nothing', async () => {
    const before = (await project.containers()).map((c) => c.Id).sort();
    await project.compose(['up', '-d']);
    const after = await project.containers();
    assert.deepEqual(after.map((c) => c.Id).sort(), before);
    assert.ok(after.every((c) => c.State.Running));
    assert.equal((await kubectl(kubeconfig, ['get', 'configmap', 'hello', '-o', 'name'])).stdout.trim(), 'configmap/hello');
  });

  // SIGKILL goes to the container's init process from the host rather than through `docker kill`:
  // dockerd 20.10 marks a `docker kill`ed container as stopped by hand and never restarts it, while
  // a crash is what the restart policy is there for.
  test('kubectl does not notice an apiserver replica killed with SIGKILL, and the replica comes back by itself', async (t) => {
    const [victim] = await byService('apiserver');
    assert.ok(victim);
    const r = await underFault(
      async () => process.kill(victim.State.Pid, 'SIGKILL'),
      (i) => (i % 2 === 0 ? ['get', 'configmaps', '-o', 'name'] : ['create', 'configmap', `killed-${i}`, '--from-literal=k=v']),
    );
    t.diagnostic(`${r.calls} kubectl calls, ${r.retried} needed a retry`);
    assert.deepEqual(r.failedTwice, [], `${r.calls} calls, ${r.retried} retried`);
    await waitFor('the killed replica healthy again', 60_000, async () => {
      const c = (await project.containers()).find((x) => x.Id === victim.Id);
      return c?.State.Running === true && c.State.StartedAt !== victim.State.StartedAt && c.State.Health?.Status === 'healthy' ? c : undefined;
    });
  });

  test('kubectl does not notice an apiserver replica stopped with SIGTERM (docker stop)', async (t) => {
    const [, victim] = await byService('apiserver');
    assert.ok(victim);
    const r = await underFault(
      () => docker(['stop', '-t', '10', victim.Id]),
      (i) => (i % 2 === 0 ? ['get', 'configmaps', '-o', 'name'] : ['create', 'configmap', `stopped-${i}`, '--from-literal=k=v']),
    );
    t.diagnostic(`${r.calls} kubectl calls, ${r.retried} needed a retry`);
    assert.deepEqual(r.failedTwice, [], `${r.calls} calls, ${r.retried} retried`);
    await docker(['start', victim.Id]);
    // On a loaded two-CPU machine a restarted replica has taken more than a minute to pass its
    // health check; the timeout names whatever is still unhealthy.
    await everyServiceHealthy(120_000);
  });

  /** The etcd member that leads the Raft group, asked over the v3 JSON gateway of each member. */
  async function etcdLeader(): Promise<ContainerInfo> {
    const members = (await project.containers()).filter((c) => serviceOf(c).startsWith('etcd-'));
    for (const m of members) {
      const res = await fetch(`http://${ipOf(m)}:2379/v3/maintenance/status`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(2_000) });
      const status = (await res.json()) as { header?: { member_id?: string }; leader?: string };
      if (status.header?.member_id !== undefined && status.header.member_id === status.leader) return m;
    }
    throw new Error('no etcd member says it leads');
  }

  // The leader is the harsher member to lose: writes stall until the other two elect a new one.
  test('writes go on while the etcd leader is killed, and every acknowledged one is there afterwards', async (t) => {
    const victim = await waitFor('an etcd leader', 10_000, etcdLeader);
    t.diagnostic(`killing the etcd leader ${serviceOf(victim)}`);
    const created: string[] = [];
    const r = await underFault(
      async () => process.kill(victim.State.Pid, 'SIGKILL'),
      (i) => {
        created.push(`etcd-fault-${i}`);
        return ['create', 'configmap', `etcd-fault-${i}`, '--from-literal=k=v'];
      },
    );
    t.diagnostic(`${r.calls} kubectl calls, ${r.retried} needed a retry`);
    assert.deepEqual(r.failedTwice, [], `${r.calls} calls, ${r.retried} retried`);
    await waitFor('the killed member back', 60_000, async () => {
      const back = (await project.containers()).find((c) => c.Id === victim.Id);
      return back !== undefined && back.State.StartedAt !== victim.State.StartedAt ? true : undefined;
    });
    await everyServiceHealthy(120_000);
    const names = new Set((await kubectl(kubeconfig, ['get', 'configmaps', '-o', 'name'])).stdout.split('\n').map((l) => l.replace('configmap/', '')));
    for (const n of created) assert.ok(names.has(n), `${n} was acknowledged and must exist`);
  });

  test('--scale apiserver=3 adds a replica that the load balancer and the kubernetes Endpoints pick up', async () => {
    await project.compose(['up', '-d', '--scale', 'apiserver=3']);
    const replicas = await waitFor('three healthy apiservers', 90_000, async () => {
      const a = await byService('apiserver');
      return a.length === 3 && healthy(a) ? a : undefined;
    });
    const [lb] = await byService('loadbalancer');
    assert.ok(lb);
    await waitFor('three ready backends', 30_000, async () => {
      const res = await fetch(`http://${ipOf(lb)}:8404/backends`, { signal: AbortSignal.timeout(2_000) });
      const backends = (await res.json()) as { address: string; state: string }[];
      return backends.filter((b) => b.state === 'ready').length === 3 ? backends : undefined;
    });
    const ips = replicas.map(ipOf).sort();
    await waitFor('Endpoints with three replicas', 30_000, async () => {
      const r = await kubectl(kubeconfig, ['get', 'endpoints', 'kubernetes', '-n', 'default', '-o', 'jsonpath={.subsets[*].addresses[*].ip}']);
      const seen = r.stdout.split(' ').filter((s) => s !== '').sort();
      return JSON.stringify(seen) === JSON.stringify(ips) ? seen : undefined;
    });
  });

  test('--scale node=3 adds a node that registers and takes pods', async () => {
    await project.compose(['up', '-d', '--scale', 'node=3']);
    await waitFor('three Ready nodes', 90_000, async () => {
      const r = await kubectl(kubeconfig, ['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status} {end}']);
      return r.stdout.trim().split(' ').filter((s) => s === 'True').length === 3 ? true : undefined;
    });
    assert.equal((await kubectl(kubeconfig, ['scale', 'deployment', 'web', '--replicas=9'])).code, 0);
    const status = await kubectl(kubeconfig, ['rollout', 'status', 'deployment/web', '--timeout=90s']);
    assert.match(status.stdout, /successfully rolled out/, status.stderr);
    const used = await kubectl(kubeconfig, ['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.nodeName}']);
    assert.equal(new Set(used.stdout.split(' ')).size, 3, `pods on ${used.stdout}`);
  });

  test('docker-compose down -v leaves no container, network or volume behind', async () => {
    await project.down();
    assert.deepEqual(await project.leftovers(), []);
  });
});
