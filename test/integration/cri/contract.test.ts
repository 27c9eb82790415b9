// The CRI contract the kubelet relies on, the same cases against every backend: the simulated
// runtime and a real containerd (started here with its own config, root, state and socket, as a
// node starts it). Commands differ only in how each backend spells "run forever", "exit 3" and
// "print": the vocabulary for the simulated runtime, node in the kubets/node-base image for containerd.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realClock } from '../../../pkg/client/clock.js';
import { CriClient } from '../../../pkg/cri/client.js';
import { startFakeRuntimeServer } from '../../../pkg/cri/fake/server.js';
import type { ContainerConfig, DeepPartial, PodSandboxConfig } from '../../../pkg/cri/types.js';
import { ensureNodeImageArchives } from '../../../pkg/containerd/image.js';
import { containerdCommand, importImages, prepareContainerdNode, teardownContainerdNode, waitForContainerd } from '../../../pkg/containerd/node.js';
import { startCniServer, type CniServer } from '../../../pkg/cni/service.js';
import { BridgeBackend } from '../../../pkg/cni/bridge.js';
import { pollUntil } from '../../helpers/local-leaders.js';
import { distDir } from '../../helpers/local-cluster.js';
import { containerdUnavailable } from '../../helpers/containerd.js';

interface Backend {
  readonly name: string;
  readonly skip?: string | undefined;
  readonly image: string;
  readonly forever: string[];
  readonly exit3: string[];
  /** Prints its one argument and exits 0. */
  readonly print: string[];
  readonly runtimeName: RegExp;
  /** Brings the runtime up; its CRI endpoint and how to stop it. */
  start(dir: string): Promise<{ endpoint: string; stop: () => Promise<void> }>;
}

const BACKENDS: Backend[] = [
  {
    name: 'the simulated runtime',
    image: 'busybox:1.36',
    forever: ['sleep', '3600'],
    exit3: ['sh', '-c', 'exit 3'],
    print: ['echo'],
    runtimeName: /^kubets-fake$/,
    async start(dir) {
      const server = await startFakeRuntimeServer(`unix://${join(dir, 'fake.sock')}`, realClock);
      return { endpoint: server.endpoint, stop: () => server.stop() };
    },
  },
  {
    name: 'containerd',
    skip: containerdUnavailable(),
    image: 'kubets/node-base:20',
    forever: ['node', '-e', 'setInterval(()=>{},1000)'],
    exit3: ['node', '-e', 'process.exit(3)'],
    print: ['node', '-e', 'console.log(process.argv[1])'],
    runtimeName: /^containerd$/,
    async start(dir) {
      const bridge = `kb${process.pid.toString(16).padStart(6, '0').slice(-6)}7`;
      const cniSocket = join(dir, 'cni.sock');
      const cni: CniServer = await startCniServer(`unix://${cniSocket}`, new BridgeBackend({ podCidr: '10.251.7.0/24', bridge, stateDir: join(dir, 'cni-state') }));
      const layout = await prepareContainerdNode({ dir: join(dir, 'containerd'), podCidr: '10.251.7.0/24', bridge, cniSocket, cniPlugin: join(distDir, 'cmd', 'cni-plugin', 'main.js') });
      const { command, args } = containerdCommand(layout);
      const child: ChildProcess = spawn(command, args, { stdio: 'ignore' });
      await waitForContainerd(layout.socket, 30_000);
      await importImages(layout.socket, await ensureNodeImageArchives(join(dir, 'images')));
      return {
        endpoint: `unix://${layout.socket}`,
        stop: async () => {
          await teardownContainerdNode(layout.socket, bridge, dir);
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
          await cni.stop();
        },
      };
    },
  },
];

for (const b of BACKENDS) {
  describe(`the CRI contract: ${b.name}`, { skip: b.skip }, () => {
    let dir: string;
    let cri: CriClient;
    let stop: () => Promise<void>;
    let seq = 0;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'kubets-cri-contract-'));
      const started = await b.start(dir);
      stop = started.stop;
      cri = new CriClient({ endpoint: started.endpoint, timeoutMs: 60_000 });
      // As the kubelet does (IfNotPresent): the simulated runtime pulls it, containerd has it imported.
      if ((await cri.imageStatus(b.image)) === undefined) await cri.pullImage(b.image);
    });
    after(async () => {
      cri?.close();
      await stop?.();
      rmSync(dir, { recursive: true, force: true });
    });

    const sandbox = (): DeepPartial<PodSandboxConfig> => {
      const n = ++seq;
      return {
        metadata: { name: `pod-${n}`, uid: `uid-${process.pid}-${n}`, namespace: 'default', attempt: 0 },
        hostname: `pod-${n}`,
        logDirectory: join(dir, 'pods', `pod-${n}`),
        labels: { 'io.kubernetes.pod.uid': `uid-${process.pid}-${n}`, contract: 'yes' },
        linux: { securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
      };
    };
    const container = (name: string, command: string[], args: string[] = []): DeepPartial<ContainerConfig> => ({
      metadata: { name, attempt: 0 },
      image: { image: b.image },
      command,
      args,
      logPath: `${name}.log`,
      labels: { 'io.kubernetes.container.name': name },
    });

    test('names itself and says it is ready, network included', async () => {
      assert.match((await cri.version()).runtimeName, b.runtimeName);
      const conditions = (await cri.status()).status?.conditions ?? [];
      for (const type of ['RuntimeReady', 'NetworkReady']) assert.equal(conditions.find((c) => c.type === type)?.status, true, `${type} is true`);
    });

    test('a sandbox gets an address, and a container in it runs until stopped, then reports its exit', async () => {
      const config = sandbox();
      const id = await cri.runPodSandbox(config);
      const status = await cri.podSandboxStatus(id);
      assert.equal(status.state, 'SANDBOX_READY');
      assert.match(status.network?.ip ?? '', /^\d+\.\d+\.\d+\.\d+$/);
      assert.ok((await cri.listPodSandbox({ labelSelector: { contract: 'yes' } })).some((s) => s.id === id));

      const c = await cri.createContainer(id, container('main', b.forever), config);
      assert.equal((await cri.containerStatus(c)).state, 'CONTAINER_CREATED');
      await cri.startContainer(c);
      assert.equal((await cri.containerStatus(c)).state, 'CONTAINER_RUNNING');
      const ok = await cri.execSync(c, b.print, 10);
      assert.equal(ok.exitCode, 0);
      const failed = await cri.execSync(c, b.exit3, 10);
      assert.equal(failed.exitCode, 3);
      await cri.stopContainer(c, 2);
      const stopped = await cri.containerStatus(c);
      assert.equal(stopped.state, 'CONTAINER_EXITED');
      assert.notEqual(stopped.finishedAt, '0');
      await cri.removeContainer(c);
      await cri.stopPodSandbox(id);
      await cri.removePodSandbox(id);
      assert.ok(!(await cri.listPodSandbox()).some((s) => s.id === id));
    });

    test('a container that exits is reported with its exit code; what it printed is in its log in the CRI format', async () => {
      const config = sandbox();
      const id = await cri.runPodSandbox(config);
      const c = await cri.createContainer(id, container('once', [...b.print, 'printed-line']), config);
      await cri.startContainer(c);
      await pollUntil('it exits', async () => ((await cri.containerStatus(c)).state === 'CONTAINER_EXITED' ? true : undefined), 30_000, 100);
      const s = await cri.containerStatus(c);
      assert.equal(s.exitCode, 0);
      const log = join(dir, 'pods', `pod-${seq}`, 'once.log');
      await pollUntil('the line logged', () => (existsSync(log) && /^\S+ stdout F printed-line$/m.test(readFileSync(log, 'utf8')) ? true : undefined), 10_000, 100);
      const bad = await cri.createContainer(id, container('bad', b.exit3), config);
      await cri.startContainer(bad);
      await pollUntil('bad exits', async () => ((await cri.containerStatus(bad)).state === 'CONTAINER_EXITED' ? true : undefined), 30_000, 100);
      assert.equal((await cri.containerStatus(bad)).exitCode, 3);
      await cri.stopPodSandbox(id);
      await cri.removePodSandbox(id);
    });

    test('an image not on the node has no status, and pulling one from a registry it cannot reach fails', async () => {
      assert.equal(await cri.imageStatus('registry.invalid/nothing:1'), undefined);
      assert.notEqual(await cri.imageStatus(b.image), undefined);
      await assert.rejects(cri.pullImage(b.name === 'containerd' ? 'registry.invalid/nothing:1' : 'nginx:notfound'));
    });
  });
}
