// A local cluster on real containers: `npm start -- --runtime containerd` gives each node a
// containerd of its own (runc, CNI bridge), and a user's Deployment of a real HTTP server answers
// on its pod IPs from a pod on the other node.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';
import { pollUntil } from '../helpers/local-leaders.js';
import { containerdUnavailable } from '../helpers/containerd.js';
import { HELLO_DEPLOYMENT, MEMORY_HOG, STARTED_AT_SERVER, VISITS_STATEFULSET } from '../helpers/real-workloads.js';
import { freePort, type ClusterRecord } from '../../pkg/cluster/launcher.js';


/** Processes whose command line names `dir` (containerd, its shims). */
function processesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(dir)) found.push(`${pid} ${cmd}`);
    } catch {
      // Gone already.
    }
  }
  return found;
}

describe('a cluster on containerd', { skip: containerdUnavailable() }, () => {
  let c: LocalCluster;
  before(async () => {
    c = await startLocalCluster(['--runtime', 'containerd', '--nodes', '2', '--schedulers', '1', '--controller-managers', '1']);
    await c.untilNodesReady(['node-1', 'node-2']);
  });
  after(async () => {
    const dir = c?.dir;
    const uids = c?.kubectlOk(['get', 'pods', '-A', '-o', 'jsonpath={.items[*].metadata.uid}']).split(' ').filter((u) => u !== '') ?? [];
    assert.ok(uids.length > 0, 'pods still run when the cluster stops');
    await c?.stop();
    if (dir !== undefined) assert.deepEqual(processesUnder(dir), [], 'containerd and every container shim stop with the cluster');
    const left = uids.flatMap((uid) => ['', 'burstable/', 'besteffort/'].map((q) => `/sys/fs/cgroup/memory/kubepods/${q}pod${uid}`)).filter((d) => existsSync(d));
    assert.deepEqual(left, [], 'the pods\' cgroups go with them');
  });

  test('runs a Deployment of a real HTTP server whose pods answer on their IPs from a pod on another node, logs the requests, and execs in them', async () => {
    assert.match(c.kubectlOk(['get', 'nodes', '-o', 'jsonpath={.items[*].status.nodeInfo.containerRuntimeVersion}']), /^containerd:\/\/1\.\S+ containerd:\/\/1\.\S+$/);
    c.kubectlOk(['apply', '-f', '-'], { input: HELLO_DEPLOYMENT });
    c.kubectlOk(['rollout', 'status', 'deployment/hello', '--timeout=120s']);
    const pods = c
      .kubectlOk(['get', 'pods', '-l', 'app=hello', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.podIP}{"\\n"}{end}'])
      .trim()
      .split('\n')
      .map((line) => {
        const [name, node, ip] = line.split(' ');
        return { name: name ?? '', node: node ?? '', ip: ip ?? '' };
      });
    assert.deepEqual(pods.map((p) => p.node).sort(), ['node-1', 'node-2']);
    for (const p of pods) assert.match(p.ip, p.node === 'node-1' ? /^10\.244\.1\.\d+$/ : /^10\.244\.2\.\d+$/);

    const client = "(async()=>{for (const ip of process.argv.slice(1)) console.log(ip, (await (await fetch('http://'+ip+':8080/from-client',{signal:AbortSignal.timeout(5000)})).text()).trim())})()";
    c.kubectlOk(['run', 'client', '--image=kubets/node-base:20', '--restart=Never', '--overrides={"spec":{"nodeName":"node-1"}}', '--command', '--', 'node', '-e', client, ...pods.map((p) => p.ip)]);
    await pollUntil('the client pod done', () => (/Succeeded|Failed/.test(c.kubectlOk(['get', 'pod', 'client', '-o', 'jsonpath={.status.phase}'])) ? true : undefined), 120_000, 500);
    const answers = c.kubectlOk(['logs', 'client']);
    for (const p of pods) assert.match(answers, new RegExp(`^${p.ip.replace(/\./g, '\\.')} hello from ${p.name}$`, 'm'));
    assert.equal(c.kubectlOk(['get', 'pod', 'client', '-o', 'jsonpath={.status.phase}']), 'Succeeded');

    for (const p of pods) assert.match(c.kubectlOk(['logs', p.name]), /^GET \/from-client$/m);
    // The network really is per pod: the host reaches a pod on its own bridge's address too.
    const hostFetch = execFileSync(process.execPath, ['-e', `fetch('http://${pods[0]?.ip}:8080/').then(async r=>console.log(await r.text()))`], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(hostFetch.trim(), `hello from ${pods[0]?.name}`);

    // kubectl exec runs in the container's namespaces, and exits with the command's code.
    const first = pods[0]!.name;
    assert.deepEqual(c.kubectl(['exec', first, '--', 'node', '-e', "console.log(require('os').hostname())"]), { code: 0, stdout: `${first}\n`, stderr: '' });
    const failed = c.kubectl(['exec', first, '--', 'node', '-e', 'process.exit(7)']);
    assert.equal(failed.code, 7);
    assert.match(failed.stderr, /command terminated with exit code 7/);
    // Piped input reaches the command and ends: the kubelet speaks SPDY to containerd, where stdin can close.
    assert.deepEqual(c.kubectl(['exec', '-i', first, '--', 'node', '-e', 'process.stdin.pipe(process.stdout)'], { input: 'piped\nlines\n' }), { code: 0, stdout: 'piped\nlines\n', stderr: '' });
  });

  test('probes reach the pod IP: httpGet on a named port and tcpSocket pass, an HTTP 500 keeps a container unready, a gRPC probe with nothing listening restarts it', async () => {
    const serve = (port: number, ready: number): string => `require('http').createServer((q,s)=>{s.statusCode=q.url==='/ready'?${ready}:200;s.end('ok')}).listen(${port})`;
    c.kubectlOk(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata: {name: probed}
spec:
  containers:
  - name: good
    image: kubets/node-base:20
    command: ["node", "-e", ${JSON.stringify(serve(8081, 200))}]
    ports: [{name: web, containerPort: 8081}]
    readinessProbe: {httpGet: {path: /ready, port: web}, periodSeconds: 1, timeoutSeconds: 2}
    livenessProbe: {tcpSocket: {port: 8081}, periodSeconds: 1, timeoutSeconds: 2, initialDelaySeconds: 2}
  - name: bad
    image: kubets/node-base:20
    command: ["node", "-e", ${JSON.stringify(serve(8080, 500))}]
    readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 1, timeoutSeconds: 2}
    livenessProbe: {grpc: {port: 9090}, periodSeconds: 1, failureThreshold: 2, initialDelaySeconds: 2}
`,
    });
    const status = (): string => c.kubectlOk(['get', 'pod', 'probed', '-o', 'jsonpath={range .status.containerStatuses[*]}{.name}={.ready}/{.restartCount} {end}']);
    await pollUntil('good ready, bad restarted', () => (/good=true\/0 /.test(status()) && /bad=false\/[1-9]/.test(status()) ? true : undefined), 120_000, 500);
    const ip = c.kubectlOk(['get', 'pod', 'probed', '-o', 'jsonpath={.status.podIP}']);
    const events = c.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=probed', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
    assert.match(events, /^Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 500$/m);
    assert.match(events, new RegExp(`^Unhealthy: Liveness probe failed: timeout: failed to connect service "${ip.replace(/\./g, '\\.')}:9090" within 1s: context deadline exceeded$`, 'm'));
    assert.match(events, /^Killing: Container bad failed liveness probe, will be restarted$/m);
  });

  test('limits are the container\'s cgroup: it reads its own quota and memory limit, a memory hog is OOMKilled, and the pod\'s cgroup goes with the pod', async () => {
    const read = "const f=(p)=>require('fs').readFileSync('/sys/fs/cgroup/'+p,'utf8').trim();console.log(f('cpu/cpu.cfs_quota_us'),f('cpu/cpu.shares'),f('memory/memory.limit_in_bytes'))";
    c.kubectlOk(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata: {name: limited}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: kubets/node-base:20
    command: ["node", "-e", ${JSON.stringify(read)}]
    resources: {requests: {cpu: 250m, memory: 32Mi}, limits: {cpu: 500m, memory: 128Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: hog}
spec:
  restartPolicy: Never
  containers:
  - ${JSON.stringify(MEMORY_HOG)}
`,
    });
    const phase = (name: string): string => c.kubectlOk(['get', 'pod', name, '-o', 'jsonpath={.status.phase}']);
    await pollUntil('both pods done', () => (/Succeeded|Failed/.test(phase('limited')) && /Succeeded|Failed/.test(phase('hog')) ? true : undefined), 120_000, 500);
    assert.equal(c.kubectlOk(['logs', 'limited']).trim(), `50000 256 ${128 * 1024 * 1024}`);
    assert.equal(phase('hog'), 'Failed');
    assert.equal(c.kubectlOk(['get', 'pod', 'hog', '-o', 'jsonpath={.status.containerStatuses[0].state.terminated.reason}/{.status.containerStatuses[0].state.terminated.exitCode}']), 'OOMKilled/137');
    assert.match(c.kubectlOk(['get', 'pod', 'hog']), /hog\s+0\/1\s+OOMKilled\s+0/);

    const uid = c.kubectlOk(['get', 'pod', 'limited', '-o', 'jsonpath={.metadata.uid}']);
    const podCgroup = `/sys/fs/cgroup/memory/kubepods/burstable/pod${uid}`;
    assert.ok(existsSync(podCgroup), `${podCgroup} while the pod exists`);
    c.kubectlOk(['delete', 'pod', 'limited', 'hog', '--wait=true']);
    await pollUntil('the pod cgroup removed', () => (!existsSync(podCgroup) ? true : undefined), 30_000, 250);
  });

  test('kubectl port-forward reaches a server listening on the pod\'s own localhost', async () => {
    c.kubectlOk(['run', 'local', '--image=kubets/node-base:20', '--', 'node', '-e', "require('http').createServer((q,s)=>s.end('forwarded '+q.url)).listen(8080,'127.0.0.1')"]);
    await pollUntil('the pod running', () => (c.kubectlOk(['get', 'pod', 'local', '-o', 'jsonpath={.status.phase}']) === 'Running' ? true : undefined), 120_000, 250);
    const port = await freePort();
    const forward = spawn('kubectl', ['port-forward', 'pod/local', `${port}:8080`], { env: { ...process.env, KUBECONFIG: c.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let said = '';
      forward.stdout.on('data', (d: Buffer) => (said += d.toString()));
      forward.stderr.on('data', (d: Buffer) => (said += d.toString()));
      await pollUntil('kubectl listening', () => (said.includes(`Forwarding from 127.0.0.1:${port} -> 8080`) ? true : undefined), 30_000, 100);
      for (const path of ['/one', '/two']) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) });
        assert.equal(await res.text(), `forwarded ${path}`);
      }
      assert.match(said, /Handling connection for \d+/);
    } finally {
      forward.kill('SIGINT');
    }
  });

  test('containers run on through a kubelet SIGKILL and a containerd SIGKILL, and are adopted: same container, same answers, no restart', async () => {
    const pidOf = (name: string): number | undefined => (JSON.parse(readFileSync(join(c.dir, 'cluster.json'), 'utf8')) as ClusterRecord).components.find((x) => x.name === name)?.pid;
    c.kubectlOk(['run', 'steady', '--image=kubets/node-base:20', '--overrides={"spec":{"nodeName":"node-2"}}', '--', 'node', '-e', STARTED_AT_SERVER]);
    await pollUntil('steady running', () => (c.kubectlOk(['get', 'pod', 'steady', '-o', 'jsonpath={.status.phase}']) === 'Running' ? true : undefined), 120_000, 250);
    const state = (): string => c.kubectlOk(['get', 'pod', 'steady', '-o', 'jsonpath={.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount} {.status.podIP}']);
    const before = state();
    const ip = before.split(' ')[2]!;
    const ask = async (): Promise<string> => (await fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(5000) })).text();
    const started = await ask();

    for (const component of ['node-2', 'node-2-runtime']) {
      const pid = pidOf(component);
      assert.ok(pid !== undefined, `${component} has a pid`);
      process.kill(pid, 'SIGKILL');
      // While the process is gone the container still answers: it belongs to its shim, not to them.
      assert.equal(await ask(), started);
      await pollUntil(`${component} started again`, () => {
        const now = pidOf(component);
        return now !== undefined && now !== pid ? true : undefined;
      }, 60_000, 250);
    }
    await c.untilNodesReady(['node-2']);
    // A few relists later the pod is as it was: same container, never restarted, same process.
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(state(), before);
    assert.equal(await ask(), started);
    assert.deepEqual(c.kubectl(['exec', 'steady', '--', 'node', '-e', 'console.log(1)']), { code: 0, stdout: '1\n', stderr: '' });
  });

  test('an emptyDir with medium Memory is a tmpfs of its sizeLimit, gone with the pod', async () => {
    c.kubectlOk(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata: {name: scratch}
spec:
  containers:
  - name: main
    image: kubets/node-base:20
    command: ["node", "-e", "const fs=require('fs');fs.writeFileSync('/scratch/f','kept');console.log(fs.readFileSync('/proc/mounts','utf8').split(String.fromCharCode(10)).find(l=>l.includes(' /scratch ')));setInterval(()=>{},1000)"]
    volumeMounts: [{name: scratch, mountPath: /scratch}]
  volumes:
  - name: scratch
    emptyDir: {medium: Memory, sizeLimit: 16Mi}
`,
    });
    await pollUntil('scratch running', () => (c.kubectlOk(['get', 'pod', 'scratch', '-o', 'jsonpath={.status.phase}']) === 'Running' ? true : undefined), 120_000, 250);
    await pollUntil('its mount logged', () => (c.kubectlOk(['logs', 'scratch']).trim() !== '' ? true : undefined), 30_000, 250);
    assert.match(c.kubectlOk(['logs', 'scratch']), /^tmpfs \/scratch tmpfs rw,.*size=16384k/m);
    const uid = c.kubectlOk(['get', 'pod', 'scratch', '-o', 'jsonpath={.metadata.uid}']);
    const node = c.kubectlOk(['get', 'pod', 'scratch', '-o', 'jsonpath={.spec.nodeName}']);
    const dir = join(c.dir, 'nodes', node, 'pods', uid, 'volumes', 'kubernetes.io~empty-dir', 'scratch');
    assert.match(readFileSync('/proc/self/mountinfo', 'utf8'), new RegExp(` ${dir.replace(/[.~]/g, '\\$&')} .* - tmpfs `));
    c.kubectlOk(['delete', 'pod', 'scratch', '--wait=true']);
    await pollUntil('the tmpfs unmounted and its directory removed', () => (!readFileSync('/proc/self/mountinfo', 'utf8').includes(dir) && !existsSync(dir) ? true : undefined), 30_000, 250);
  });

  test('a StatefulSet\'s claim is a real volume: data written by a pod is there for the pod that replaces it', async () => {
    c.kubectlOk(['apply', '-f', '-'], { input: VISITS_STATEFULSET });
    const logged = async (n: number): Promise<void> => {
      await pollUntil(`visit ${n} logged`, () => (c.kubectl(['logs', 'store-0']).stdout.includes(`visit ${n}`) ? true : undefined), 120_000, 500);
    };
    await logged(1);
    assert.equal(c.kubectlOk(['get', 'pvc', 'data-store-0', '-o', 'jsonpath={.status.phase} {.spec.storageClassName}']), 'Bound standard');
    const uid = c.kubectlOk(['get', 'pod', 'store-0', '-o', 'jsonpath={.metadata.uid}']);
    c.kubectlOk(['delete', 'pod', 'store-0', '--wait=true']);
    await pollUntil('a new store-0', () => {
      const now = c.kubectl(['get', 'pod', 'store-0', '-o', 'jsonpath={.metadata.uid}']).stdout;
      return now !== '' && now !== uid ? true : undefined;
    }, 120_000, 500);
    await logged(2);
  });

  test('the kubelet\'s summary (through the apiserver\'s node proxy) has the real usage of a busy container', async () => {
    c.kubectlOk(['run', 'busy', '--image=kubets/node-base:20', '--overrides={"spec":{"nodeName":"node-1"}}', '--', 'node', '-e', 'const keep=Buffer.alloc(32<<20,1);for(;;){keep[0]++}']);
    await pollUntil('busy running', () => (c.kubectlOk(['get', 'pod', 'busy', '-o', 'jsonpath={.status.phase}']) === 'Running' ? true : undefined), 120_000, 250);
    type Summary = { node: { nodeName: string; cpu: { usageCoreNanoSeconds: number }; memory: { workingSetBytes: number } }; pods: { podRef: { name: string }; containers: { name: string; cpu: { usageNanoCores?: number; usageCoreNanoSeconds?: number }; memory: { workingSetBytes?: number } }[] }[] };
    const read = (): Summary => JSON.parse(c.kubectlOk(['get', '--raw', '/api/v1/nodes/node-1/proxy/stats/summary'])) as Summary;
    const busy = await pollUntil('a CPU rate for busy', () => {
      const s = read().pods.find((p) => p.podRef.name === 'busy')?.containers.find((x) => x.name === 'busy');
      return s?.cpu.usageNanoCores !== undefined && s.cpu.usageNanoCores > 0 ? s : undefined;
    }, 60_000, 1000);
    const summary = read();
    assert.equal(summary.node.nodeName, 'node-1');
    assert.ok(summary.node.cpu.usageCoreNanoSeconds > 0 && summary.node.memory.workingSetBytes > 0);
    // A loop keeps most of a core busy; 32 MiB written stay in its working set.
    assert.ok(busy.cpu.usageNanoCores! > 2e8, `busy uses ${busy.cpu.usageNanoCores} nanocores`);
    assert.ok((busy.cpu.usageCoreNanoSeconds ?? 0) > 0);
    assert.ok((busy.memory.workingSetBytes ?? 0) > 32 * 1024 * 1024, `busy's working set is ${busy.memory.workingSetBytes} bytes`);
    c.kubectlOk(['delete', 'pod', 'busy', '--wait=true']);
  });
});

