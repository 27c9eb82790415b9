// The compose `real` profile as a user runs it: `docker-compose --profile real up -d --scale node=0`
// gives a cluster whose nodes are containers running containerd, runc and a CNI bridge, and the
// user's real HTTP server answers across nodes, logs, execs, port-forwards, is OOMKilled at its
// limit, keeps a claim's data, and outlives its kubelet and containerd being killed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../pkg/cluster/launcher.js';
import { HELLO_DEPLOYMENT, MEMORY_HOG, STARTED_AT_SERVER, VISITS_STATEFULSET } from '../helpers/real-workloads.js';
import { ComposeProject, REPO_ROOT, containerLogTail, docker, healthy, kubectl, notHealthy, serviceOf, waitFor, type ContainerInfo, type Run } from '../helpers/compose.js';

/** Runs a node script inside a node container (the image has node, not a shell's tools). */
async function inNode(container: string, script: string): Promise<string> {
  return docker(['exec', container, 'node', '-e', script]);
}

/** The pid (in the node container) of its process whose command line contains `what`. */
const PID_OF = (what: string): string =>
  `const fs=require('fs');for(const p of fs.readdirSync('/proc').filter(p=>/^\\d+$/.test(p)&&Number(p)!==process.pid)){try{if(fs.readFileSync('/proc/'+p+'/cmdline','utf8').split('\\0').join(' ').includes(${JSON.stringify(what)})){console.log(p);break}}catch{}}`;

describe('the compose real profile', { timeout: 900_000 }, () => {
  let project: ComposeProject;
  let dir: string;
  let kubeconfig: string;
  let nodeContainers: ContainerInfo[] = [];

  async function ok(args: string[], input?: string): Promise<string> {
    const r: Run = await kubectl(kubeconfig, args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  const phase = async (pod: string): Promise<string> => (await kubectl(kubeconfig, ['get', 'pod', pod, '-o', 'jsonpath={.status.phase}'])).stdout;
  const untilPhase = (pod: string, re: RegExp, ms = 180_000): Promise<string> => waitFor(`${pod} ${re.source}`, ms, async () => ((p) => (re.test(p) ? p : undefined))(await phase(pod)));

  before(async () => {
    project = new ComposeProject(`kubets-test-real-${process.pid}`, await freePort());
    dir = mkdtempSync(join(tmpdir(), 'kubets-compose-real-'));
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, readFileSync(join(REPO_ROOT, 'deploy', 'kubeconfig'), 'utf8').replaceAll('127.0.0.1:6443', `127.0.0.1:${project.apiPort}`));
  });

  after(async () => {
    const ids = nodeContainers.map((c) => c.Id);
    await project.down().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(await project.leftovers(), [], 'down -v removes the nodes and their containerd volumes');
    // Every pod cgroup a node made sat inside its container's: nothing of them is left on the host.
    const left = ids.flatMap((id) => ['memory', 'cpu', 'pids'].map((c) => `/sys/fs/cgroup/${c}/docker/${id}`)).filter((d) => existsSync(d));
    assert.deepEqual(left, [], 'the nodes\' cgroups go with them');
  });

  test('docker-compose --profile real up gives nodes on containerd, each with its pod range', async (t) => {
    const started = Date.now();
    // A small control plane beside two real nodes: these machines have two CPUs.
    await project.compose(['--profile', 'real', 'up', '-d', '--scale', 'node=0', '--scale', 'apiserver=1', '--scale', 'scheduler=1', '--scale', 'controller-manager=1'], 300_000);
    try {
      await waitFor('every service healthy', 300_000, async () => {
        const now = await project.containers();
        if (!healthy(now)) throw new Error(`not healthy: ${notHealthy(now)}`);
        return now;
      });
    } catch (err) {
      const logs = await Promise.all((await project.containers()).filter((c) => serviceOf(c) === 'real-node').map((c) => containerLogTail(c.Id, 30).catch(() => '')));
      throw new Error(`${(err as Error).message}\n${logs.join('\n')}`);
    }
    nodeContainers = (await project.containers()).filter((c) => serviceOf(c) === 'real-node');
    assert.equal(nodeContainers.length, 2);
    const nodes = nodeContainers.map((c) => c.Config.Hostname).sort();
    await waitFor('both nodes Ready with a pod range', 120_000, async () => {
      const out = (await kubectl(kubeconfig, ['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status} {.spec.podCIDR} {.status.nodeInfo.containerRuntimeVersion}{"\\n"}{end}'])).stdout;
      const lines = out.trim().split('\n').sort();
      return lines.length === 2 && lines.every((l) => /^\S+ True 10\.244\.\d+\.0\/24 containerd:\/\/1\.\S+$/.test(l)) ? lines : undefined;
    });
    assert.deepEqual((await ok(['get', 'nodes', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').sort(), nodes);
    t.diagnostic(`real nodes Ready ${((Date.now() - started) / 1000).toFixed(1)} s after docker-compose up`);
  });

  test('a Deployment of a real HTTP server answers on its pod IPs from a pod on the other node, logs (-f) its requests, execs and port-forwards', async () => {
    await ok(['apply', '-f', '-'], HELLO_DEPLOYMENT);
    await ok(['rollout', 'status', 'deployment/hello', '--timeout=180s']);
    const pods = (await ok(['get', 'pods', '-l', 'app=hello', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.podIP}{"\\n"}{end}']))
      .trim()
      .split('\n')
      .map((line) => {
        const [name, node, ip] = line.split(' ');
        return { name: name ?? '', node: node ?? '', ip: ip ?? '' };
      });
    assert.equal(new Set(pods.map((p) => p.node)).size, 2, 'one pod per node');
    const first = pods[0]!;
    const second = pods[1]!;

    // Follow the second pod's log while the first pod, on the other node, asks it by pod IP.
    const follow = spawn('kubectl', ['--kubeconfig', kubeconfig, 'logs', '-f', second.name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let followed = '';
    follow.stdout.on('data', (d: Buffer) => (followed += d.toString()));
    try {
      const ask = `fetch('http://${second.ip}:8080/across-nodes',{signal:AbortSignal.timeout(5000)}).then(async r=>console.log(await r.text()))`;
      assert.equal((await ok(['exec', first.name, '--', 'node', '-e', ask])).trim(), `hello from ${second.name}`);
      await waitFor('the request in logs -f', 30_000, async () => (followed.includes('GET /across-nodes') ? true : undefined));
    } finally {
      follow.kill('SIGINT');
    }

    // kubectl exec runs in the container, with its exit code and piped input.
    assert.equal((await ok(['exec', first.name, '--', 'node', '-e', "console.log(require('os').hostname())"])).trim(), first.name);
    const failed = await kubectl(kubeconfig, ['exec', first.name, '--', 'node', '-e', 'process.exit(7)']);
    assert.equal(failed.code, 7);
    assert.match(failed.stderr, /command terminated with exit code 7/);
    assert.equal(await ok(['exec', '-i', first.name, '--', 'node', '-e', 'process.stdin.pipe(process.stdout)'], 'piped\n'), 'piped\n');

    // port-forward from this machine to a pod inside a node container.
    const port = await freePort();
    const forward = spawn('kubectl', ['--kubeconfig', kubeconfig, 'port-forward', `pod/${second.name}`, `${port}:8080`], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let said = '';
      forward.stdout.on('data', (d: Buffer) => (said += d.toString()));
      await waitFor('kubectl listening', 30_000, async () => (said.includes(`Forwarding from 127.0.0.1:${port} -> 8080`) ? true : undefined));
      const res = await fetch(`http://127.0.0.1:${port}/forwarded`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(await res.text(), `hello from ${second.name}\n`);
    } finally {
      forward.kill('SIGINT');
    }
  });

  test('a memory hog is OOMKilled at its limit', async () => {
    await ok(['run', 'hog', '--image=kubets/node-base:20', '--restart=Never', `--overrides=${JSON.stringify({ spec: { containers: [MEMORY_HOG] } })}`]);
    assert.equal(await untilPhase('hog', /^(Succeeded|Failed)$/), 'Failed');
    assert.equal(await ok(['get', 'pod', 'hog', '-o', 'jsonpath={.status.containerStatuses[0].state.terminated.reason}/{.status.containerStatuses[0].state.terminated.exitCode}']), 'OOMKilled/137');
  });

  test('a StatefulSet\'s claim keeps the data a pod wrote for the pod that replaces it', async () => {
    await ok(['apply', '-f', '-'], VISITS_STATEFULSET);
    const logged = (n: number): Promise<boolean> => waitFor(`visit ${n} logged`, 180_000, async () => ((await kubectl(kubeconfig, ['logs', 'store-0'])).stdout.includes(`visit ${n}`) ? true : undefined));
    await logged(1);
    assert.equal(await ok(['get', 'pvc', 'data-store-0', '-o', 'jsonpath={.status.phase} {.spec.storageClassName}']), 'Bound standard');
    const uid = await ok(['get', 'pod', 'store-0', '-o', 'jsonpath={.metadata.uid}']);
    await ok(['delete', 'pod', 'store-0', '--wait=true']);
    await waitFor('a new store-0', 120_000, async () => ((p) => (p !== '' && p !== uid ? true : undefined))((await kubectl(kubeconfig, ['get', 'pod', 'store-0', '-o', 'jsonpath={.metadata.uid}'])).stdout));
    await logged(2);
  });

  test('a container runs on through its node\'s kubelet and containerd being SIGKILLed, and is adopted: same container, no restart', async () => {
    const node = nodeContainers[0]!;
    await ok(['run', 'steady', '--image=kubets/node-base:20', `--overrides={"spec":{"nodeName":"${node.Config.Hostname}"}}`, '--', 'node', '-e', STARTED_AT_SERVER]);
    await untilPhase('steady', /^Running$/);
    const state = (): Promise<string> => ok(['get', 'pod', 'steady', '-o', 'jsonpath={.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount} {.status.podIP}']);
    const before = await state();
    const ip = before.split(' ')[2]!;
    // Asked from inside the node container: the pod network is the node's.
    const ask = (): Promise<string> => inNode(node.Id, `fetch('http://${ip}:8080/').then(async r=>process.stdout.write(await r.text()))`);
    const started = await ask();
    for (const proc of ['cmd/kubelet/main.js', '/usr/bin/containerd --config']) {
      const pid = (await inNode(node.Id, PID_OF(proc))).trim();
      assert.match(pid, /^\d+$/, `${proc} runs in the node`);
      await inNode(node.Id, `process.kill(${pid},'SIGKILL')`);
      assert.equal(await ask(), started, `the container answers while ${proc} is down`);
      await waitFor(`${proc} started again`, 60_000, async () => ((now) => (/^\d+$/.test(now) && now !== pid ? true : undefined))((await inNode(node.Id, PID_OF(proc))).trim()));
    }
    await waitFor('the node Ready again', 120_000, async () => ((await ok(['get', 'node', node.Config.Hostname, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'True' ? true : undefined));
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(await state(), before);
    assert.equal(await ask(), started);
  });
});
