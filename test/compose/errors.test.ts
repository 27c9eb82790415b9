// What a user sees when something around the compose cluster is wrong: a taken port, missing
// images, no Docker. Each failure says what is wrong and leaves nothing behind.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../pkg/cluster/launcher.js';
import { CommandError, ComposeProject, REPO_ROOT } from '../helpers/compose.js';

const BUILD = join(REPO_ROOT, 'deploy', 'build-images.sh');

describe('compose and image errors', { timeout: 300_000 }, () => {
  const projects: ComposeProject[] = [];
  const dirs: string[] = [];
  after(async () => {
    for (const p of projects) await p.down().catch(() => undefined);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('a host port already in use makes up fail naming the port, and down -v then leaves nothing', async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    const p = new ComposeProject(`kubets-test-port-${process.pid}`, port);
    projects.push(p);
    try {
      // Only the load balancer publishes a port; --no-deps spares starting etcd and the apiservers.
      const err = await p.compose(['up', '-d', '--no-deps', 'loadbalancer']).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof CommandError, 'up must fail');
      assert.match(err.stderr, new RegExp(`Cannot start service loadbalancer: .*listen tcp4 127\\.0\\.0\\.1:${port}: bind: address already in use`));
    } finally {
      blocker.close();
    }
    await p.down();
    assert.deepEqual(await p.leftovers(), []);
  });

  // docker-compose 1.29 ignores pull_policy and pulls a missing image; a registry on a closed
  // loopback port keeps that pull off the network and fails it at once.
  for (const [variable, service] of [
    ['KUBETS_IMAGE', 'apiserver'],
    ['KUBETS_ETCD_IMAGE', 'etcd-0'],
  ] as const) {
    test(`a missing ${variable} image makes up fail naming the service and the image, leaving nothing`, async () => {
      const image = '127.0.0.1:1/kubets/missing:none';
      const p = new ComposeProject(`kubets-test-image-${variable.toLowerCase().replaceAll('_', '-')}-${process.pid}`, await freePort(), { [variable]: image });
      projects.push(p);
      const err = await p.compose(['up', '-d']).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof CommandError, 'up must fail');
      assert.ok(err.stderr.includes(`Pulling ${service} (${image})...`), err.stderr);
      assert.match(err.stderr, /127\.0\.0\.1:1.*connection refused/);
      await p.down();
      assert.deepEqual(await p.leftovers(), []);
    });
  }

  test('building the images without docker says docker is not installed', () => {
    // A PATH with only what the script needs before it looks for docker.
    const bin = mkdtempSync(join(tmpdir(), 'kubets-nodocker-'));
    dirs.push(bin);
    for (const tool of ['bash', 'dirname']) symlinkSync(spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim(), join(bin, tool));
    const r = spawnSync(join(bin, 'bash'), [BUILD], { encoding: 'utf8', env: { PATH: bin } });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /docker is not installed/);
  });

  test('building the images with no engine answering says so', () => {
    const r = spawnSync('bash', [BUILD], { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /no Docker engine answers/);
  });
});
