// The CRI contract of the simulated runtime, over real gRPC on a unix socket, through the client
// the kubelet uses: what a container does is read from its command, as README documents.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realClock } from '../../../pkg/client/clock.js';
import { CriClient, CriError, isCriNotFound } from '../../../pkg/cri/client.js';
import { startFakeRuntimeServer, type FakeRuntimeServer } from '../../../pkg/cri/fake/server.js';
import type { ContainerConfig, DeepPartial, PodSandboxConfig } from '../../../pkg/cri/types.js';
import { pollUntil } from '../../helpers/local-leaders.js';

describe('the simulated runtime over CRI', () => {
  let dir: string;
  let server: FakeRuntimeServer;
  let cri: CriClient;
  let podSeq = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubets-cri-'));
    server = await startFakeRuntimeServer(`unix://${join(dir, 'fake.sock')}`, realClock);
    cri = new CriClient({ endpoint: server.endpoint, timeoutMs: 10_000 });
  });
  after(async () => {
    cri.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const sandboxConfig = (hostNetwork = false): DeepPartial<PodSandboxConfig> => {
    const n = ++podSeq;
    return {
      metadata: { name: `pod-${n}`, uid: `uid-${n}`, namespace: 'default', attempt: 0 },
      hostname: `pod-${n}`,
      logDirectory: join(dir, 'pods', `default_pod-${n}_uid-${n}`),
      labels: { 'io.kubernetes.pod.uid': `uid-${n}` },
      annotations: { note: 'kept as given' },
      linux: hostNetwork ? { securityContext: { namespaceOptions: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } } } : null,
    };
  };
  const containerConfig = (name: string, command: string[], args: string[] = [], env: Record<string, string> = {}): DeepPartial<ContainerConfig> => ({
    metadata: { name, attempt: 0 },
    image: { image: 'busybox:1.36' },
    command,
    args,
    envs: Object.entries(env).map(([key, value]) => ({ key, value })),
    logPath: `${name}/0.log`,
    labels: { 'io.kubernetes.container.name': name },
  });
  /** A sandbox with one started container. */
  const run = async (command: string[], args: string[] = [], env: Record<string, string> = {}): Promise<{ sandbox: string; id: string; config: DeepPartial<PodSandboxConfig> }> => {
    const config = sandboxConfig();
    const sandbox = await cri.runPodSandbox(config);
    await cri.pullImage('busybox:1.36');
    const id = await cri.createContainer(sandbox, containerConfig('main', command, args, env), config);
    await cri.startContainer(id);
    return { sandbox, id, config };
  };
  const exited = (id: string) => pollUntil(`container ${id} exited`, async () => {
    const s = await cri.containerStatus(id);
    return s.state === 'CONTAINER_EXITED' ? s : undefined;
  }, 10_000, 20);

  test('Version and Status name the runtime and report it and its network ready', async () => {
    const v = await cri.version();
    assert.deepEqual([v.runtimeName, v.runtimeApiVersion], ['kubets-fake', 'v1']);
    const s = await cri.status();
    assert.deepEqual(s.status?.conditions.map((c) => [c.type, c.status]), [['RuntimeReady', true], ['NetworkReady', true]]);
  });

  test('sandboxes get IPs from the pod CIDR the kubelet sends, none on the host network, and give them back when stopped', async () => {
    await cri.updateRuntimeConfig('10.244.3.0/24');
    const a = await cri.runPodSandbox(sandboxConfig());
    const b = await cri.runPodSandbox(sandboxConfig());
    const host = await cri.runPodSandbox(sandboxConfig(true));
    const ipA = (await cri.podSandboxStatus(a)).network?.ip;
    const ipB = (await cri.podSandboxStatus(b)).network?.ip;
    assert.match(ipA ?? '', /^10\.244\.3\.\d+$/);
    assert.notEqual(ipA, ipB);
    assert.equal((await cri.podSandboxStatus(host)).network?.ip, '');
    const status = await cri.podSandboxStatus(a);
    assert.equal(status.annotations['note'], 'kept as given');
    assert.equal(status.state, 'SANDBOX_READY');
    await cri.stopPodSandbox(a);
    await cri.stopPodSandbox(a);
    assert.equal((await cri.podSandboxStatus(a)).state, 'SANDBOX_NOTREADY');
    const c = await cri.runPodSandbox(sandboxConfig());
    assert.equal((await cri.podSandboxStatus(c)).network?.ip, ipA, 'the stopped sandbox kept its IP');
    await cri.removePodSandbox(a);
    await cri.removePodSandbox(a);
    await assert.rejects(cri.podSandboxStatus(a), isCriNotFound);
    const listed = await cri.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.uid': (await cri.podSandboxStatus(b)).metadata!.uid } });
    assert.deepEqual(listed.map((s) => s.id), [b]);
  });

  test('images pull at once and are listed; the notfound tag fails as a registry answers', async () => {
    const ref = await cri.pullImage('nginx:1.27');
    assert.match(ref, /^sha256:[0-9a-f]{64}$/);
    assert.equal((await cri.imageStatus('docker.io/library/nginx:1.27'))?.id, ref);
    assert.ok((await cri.listImages()).some((i) => i.repoTags.includes('docker.io/library/nginx:1.27')));
    assert.equal(await cri.imageStatus('redis:7'), undefined);
    await assert.rejects(cri.pullImage('nginx:notfound'), (err: unknown) => err instanceof CriError && /failed to pull and unpack image "docker.io\/library\/nginx:notfound".*not found/.test(err.message));
    await cri.removeImage('nginx:1.27');
    assert.equal(await cri.imageStatus('nginx:1.27'), undefined);
  });

  test('a container needs its image and a free name', async () => {
    const config = sandboxConfig();
    const sandbox = await cri.runPodSandbox(config);
    await assert.rejects(cri.createContainer(sandbox, { ...containerConfig('c', ['sleep', '1']), image: { image: 'never-pulled:1' } }, config), isCriNotFound);
    await cri.pullImage('busybox:1.36');
    await cri.createContainer(sandbox, containerConfig('c', ['sleep', '1']), config);
    await assert.rejects(cri.createContainer(sandbox, containerConfig('c', ['sleep', '1']), config), /name is reserved/);
  });

  test('true exits 0 Completed, false and exit N fail with their codes as Error', async () => {
    for (const [command, code, reason] of [[['true'], 0, 'Completed'], [['false'], 1, 'Error'], [['sh', '-c', 'exit 3'], 3, 'Error'], [['/bin/sh', '-c', 'true && exit 0'], 0, 'Completed']] as const) {
      const { id } = await run([...command]);
      const s = await exited(id);
      assert.deepEqual([s.exitCode, s.reason], [code, reason], command.join(' '));
      assert.ok(BigInt(s.finishedAt) >= BigInt(s.startedAt) && BigInt(s.startedAt) > 0n);
    }
  });

  test('echo writes CRI log lines to the path the kubelet gave; $VAR expands from the env', async () => {
    const { id, config } = await run(['sh', '-c'], ['echo hello; echo "from $WHO" && echo done; false || echo recovered'], { WHO: 'kubets' });
    await exited(id);
    await server.runtime.flushLogs();
    const lines = readFileSync(join(config.logDirectory!, 'main', '0.log'), 'utf8').trim().split('\n');
    assert.deepEqual(lines.map((l) => l.replace(/^\S+ /, '')), ['stdout F hello', 'stdout F from kubets', 'stdout F done', 'stdout F recovered']);
    assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z stdout F hello$/);
  });

  test('sleep N runs N seconds, then exits 0', async () => {
    const { id } = await run(['sleep', '0.3']);
    assert.equal((await cri.containerStatus(id)).state, 'CONTAINER_RUNNING');
    const s = await exited(id);
    const ranMs = Number((BigInt(s.finishedAt) - BigInt(s.startedAt)) / 1_000_000n);
    assert.ok(ranMs >= 290, `ran ${ranMs} ms`);
    assert.equal(s.exitCode, 0);
  });

  test('stopping: a server exits 0 on SIGTERM (after the delay it asks for), PID 1 sleep ignores it and is killed at the timeout (137)', async () => {
    const server1 = await run(['nginx', '-g', 'daemon off;']);
    await cri.stopContainer(server1.id, 30);
    assert.deepEqual([(await cri.containerStatus(server1.id)).exitCode, (await cri.containerStatus(server1.id)).reason], [0, 'Completed']);

    const slow = await run(['nginx'], [], { KUBETS_FAKE_STOP_SECONDS: '0.2' });
    let t = Date.now();
    await cri.stopContainer(slow.id, 30);
    assert.ok(Date.now() - t >= 190);
    assert.equal((await cri.containerStatus(slow.id)).exitCode, 0);

    const sleeper = await run(['sleep', '3600']);
    t = Date.now();
    await cri.stopContainer(sleeper.id, 1);
    assert.ok(Date.now() - t >= 990, 'sleep did not wait for the grace period');
    assert.deepEqual([(await cri.containerStatus(sleeper.id)).exitCode, (await cri.containerStatus(sleeper.id)).reason], [137, 'Error']);
    // Stopping what has stopped is not an error.
    await cri.stopContainer(sleeper.id, 1);
  });

  test('ExecSync gives true, false, exit N, cat and the file set their meaning; anything else succeeds', async () => {
    const { id } = await run(['sh', '-c', 'touch /tmp/healthy; sleep 0.3; rm -f /tmp/healthy; sleep 3600']);
    const exec = (cmd: string[]) => cri.execSync(id, cmd, 5);
    assert.equal((await exec(['cat', '/tmp/healthy'])).exitCode, 0);
    assert.equal((await exec(['true'])).exitCode, 0);
    assert.equal((await exec(['false'])).exitCode, 1);
    assert.equal((await exec(['sh', '-c', 'exit 7'])).exitCode, 7);
    assert.equal((await exec(['pg_isready', '-U', 'postgres'])).exitCode, 0);
    assert.equal((await exec(['echo', 'hi'])).stdout.toString(), 'hi\n');
    await pollUntil('the file is removed', async () => ((await exec(['cat', '/tmp/healthy'])).exitCode === 1 ? true : undefined), 5000, 50);
    assert.match((await exec(['cat', '/tmp/healthy'])).stderr.toString(), /No such file or directory/);
    await assert.rejects(cri.execSync(id, ['sleep', '5'], 1), /timed out/);
  });

  test('StopPodSandbox kills its containers and RemovePodSandbox removes them', async () => {
    const { sandbox, id } = await run(['sleep', '3600']);
    await cri.stopPodSandbox(sandbox);
    assert.equal((await cri.containerStatus(id)).exitCode, 137);
    assert.deepEqual((await cri.listContainers({ podSandboxId: sandbox })).map((c) => c.id), [id]);
    await cri.removePodSandbox(sandbox);
    assert.deepEqual(await cri.listContainers({ podSandboxId: sandbox }), []);
    await assert.rejects(cri.containerStatus(id), isCriNotFound);
  });
});
