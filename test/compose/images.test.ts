// The images on their own, started and stopped around each test by testcontainers: etcd, the
// apiserver on it, the entry point's errors, and their sizes.
process.env['TESTCONTAINERS_RYUK_DISABLED'] = 'true';
process.env['TESTCONTAINERS_HOST_OVERRIDE'] = '127.0.0.1';

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { GenericContainer, Network, Wait, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import { docker } from '../helpers/compose.js';

const ETCD_IMAGE = 'kubets/etcd:3.4';
const KUBETS_IMAGE = 'kubets/kubets:latest';

describe('the images', { timeout: 300_000 }, () => {
  let network: StartedNetwork;
  let etcd: StartedTestContainer;
  let apiserver: StartedTestContainer;

  before(async () => {
    network = await new Network().start();
    etcd = await new GenericContainer(ETCD_IMAGE)
      .withNetwork(network)
      .withNetworkAliases('etcd')
      .withCommand(['--name=etcd', '--data-dir=/tmp/etcd', '--listen-client-urls=http://0.0.0.0:2379', '--advertise-client-urls=http://etcd:2379'])
      .withExposedPorts(2379)
      .withWaitStrategy(Wait.forHttp('/health', 2379).forStatusCode(200))
      .start();
    apiserver = await new GenericContainer(KUBETS_IMAGE)
      .withNetwork(network)
      .withCommand(['apiserver', '--etcd-servers=http://etcd:2379', '--bind-address=0.0.0.0', '--secure-port=6443'])
      .withExposedPorts(6443)
      .withWaitStrategy(Wait.forHttp('/readyz', 6443).forStatusCode(200))
      .start();
  });

  after(async () => {
    await apiserver?.stop();
    await etcd?.stop();
    await network?.stop();
  });

  test('the etcd image runs a member that answers /health', async () => {
    const res = await fetch(`http://127.0.0.1:${etcd.getMappedPort(2379)}/health`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { health: string }).health, 'true');
  });

  test('the kubets image runs an apiserver on that etcd that kubectl talks to', () => {
    const r = spawnSync('kubectl', ['--server', `http://127.0.0.1:${apiserver.getMappedPort(6443)}`, 'get', 'namespaces', '-o', 'name'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^namespace\/kube-system$/m);
  });

  test('the entry point refuses an unknown component with exit code 2', () => {
    const r = spawnSync('docker', ['run', '--rm', KUBETS_IMAGE, 'frobnicate'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown component "frobnicate"/);
  });

  test('probe exits 1 with the reason when nothing answers', () => {
    const r = spawnSync('docker', ['run', '--rm', KUBETS_IMAGE, 'probe', 'http://127.0.0.1:1/readyz'], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /probe: GET http:\/\/127\.0\.0\.1:1\/readyz/);
  });

  test('the images are small', async (t) => {
    const size = async (image: string): Promise<number> => Number((await docker(['image', 'inspect', '--format', '{{.Size}}', image])).trim());
    const kubets = await size(KUBETS_IMAGE);
    const etcdSize = await size(ETCD_IMAGE);
    t.diagnostic(`${KUBETS_IMAGE} ${(kubets / 1e6).toFixed(1)} MB, ${ETCD_IMAGE} ${(etcdSize / 1e6).toFixed(1)} MB`);
    assert.ok(kubets < 200e6, 'kubets image under 200 MB');
    assert.ok(etcdSize < 60e6, 'etcd image under 60 MB');
  });
});
