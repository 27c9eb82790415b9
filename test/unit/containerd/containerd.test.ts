import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerdLayout, renderContainerdConfig } from '../../../pkg/containerd/config.js';
import { PAUSE_IMAGE, writeOciArchive } from '../../../pkg/containerd/image.js';
import { isNodeBridgeName, kubetsNetworkList, readOnlySystemMounts, staleNodeBridges, type HostLink } from '../../../pkg/containerd/node.js';
import { DEFAULT_IMAGE_DIR, parseNodeFlags } from '../../../pkg/cluster/node.js';
import { defaultRouteInterface } from '../../../pkg/kubelet/options.js';
import { bridgeNetworkList } from '../../../pkg/cni/bridge.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('a containerd node', () => {
  test('its config keeps everything under its own directory and sets what these machines need', () => {
    const layout = containerdLayout('/var/lib/kubets/node-1/containerd');
    const config = renderContainerdConfig(layout);
    assert.match(config, /^root = "\/var\/lib\/kubets\/node-1\/containerd\/root"$/m);
    assert.match(config, /^state = "\/var\/lib\/kubets\/node-1\/containerd\/state"$/m);
    assert.match(config, /\[grpc\]\n {2}address = "\/var\/lib\/kubets\/node-1\/containerd\/containerd\.sock"/);
    assert.match(config, /^ {2}restrict_oom_score_adj = true$/m);
    assert.match(config, new RegExp(`^  sandbox_image = "${PAUSE_IMAGE.replace(/\./g, '\\.')}"$`, 'm'));
    assert.match(config, /^ {2}bin_dir = "\/usr\/lib\/cni"$/m);
    assert.match(config, /^ {2}conf_dir = "\/var\/lib\/kubets\/node-1\/containerd\/cni\/net\.d"$/m);
  });

  test('its pod network is the kubets plugin asking the node\'s CNI service, whose bridge backend runs bridge with addresses from the pod range, firewall and portmap', () => {
    assert.deepEqual(kubetsNetworkList('/n/cni.sock'), { cniVersion: '1.0.0', name: 'kubets', plugins: [{ type: 'kubets', socket: '/n/cni.sock', capabilities: { portMappings: true } }] });
    const list = bridgeNetworkList('10.244.3.0/24', 'kbabcdef3', '/x/ipam') as unknown as { plugins: { type: string; bridge?: string; ipam?: { ranges: { subnet: string }[][]; dataDir: string } }[] };
    assert.deepEqual(list.plugins.map((p) => p.type), ['bridge', 'firewall', 'portmap']);
    assert.equal(list.plugins[0]?.bridge, 'kbabcdef3');
    assert.deepEqual(list.plugins[0]?.ipam?.ranges, [[{ subnet: '10.244.3.0/24' }]]);
    assert.equal(list.plugins[0]?.ipam?.dataDir, '/x/ipam');
    assert.ok(isNodeBridgeName('kbabcdef3') && isNodeBridgeName('kb00000012'));
    assert.ok(!isNodeBridgeName('docker0') && !isNodeBridgeName('kbr1') && !isNodeBridgeName('kbabcdef'));
  });

  test('a node bridge of another cluster on the same range is stale unless one of its ports leads into a namespace a process is in', () => {
    const bridge = (ifname: string, local: string): HostLink => ({ ifname, operstate: 'UP', addr_info: [{ local }] });
    const port = (ifname: string, master: string, link_netnsid: number): HostLink => ({ ifname, master, link_netnsid });
    const links = [
      bridge('kb574ce12', '10.244.2.1'), // a killed cluster's: its pods' namespaces are pinned but empty
      port('veth1', 'kb574ce12', 34),
      port('veth2', 'kb574ce12', 35),
      bridge('kb0a0a0a2', '10.244.2.1'), // a live cluster's: a pause process sits in cni-live
      port('veth3', 'kb0a0a0a2', 36),
      bridge('kb1111112', '10.244.2.1'), // no pod at all
      bridge('kbffffff1', '10.244.1.1'), // another range
      bridge('kbeeeeee2', '10.244.2.1'), // the new node's own bridge
      bridge('docker0', '10.244.2.1'), // not a kubets bridge
    ];
    const view = { links, netnsById: new Map([[34, 'cni-a'], [35, 'cni-b'], [36, 'cni-live']]), occupiedNetns: new Set(['cni-live']) };
    assert.deepEqual(staleNodeBridges('10.244.2.0/24', 'kbeeeeee2', view), { bridges: ['kb574ce12', 'kb1111112'], netns: ['cni-a', 'cni-b'] });
    assert.deepEqual(staleNodeBridges('10.244.2.0/24', 'kbeeeeee2', { ...view, occupiedNetns: new Set(['cni-live', 'cni-b']) }), { bridges: ['kb1111112'], netns: [] });
  });

  test('an image archive is an OCI layout whose index names the image and whose digests hold', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubets-oci-'));
    try {
      const rootfs = join(dir, 'rootfs');
      mkdirSync(join(rootfs, 'bin'), { recursive: true });
      writeFileSync(join(rootfs, 'bin', 'hello'), 'hi\n');
      const archive = join(dir, 'out', 'hello.tar');
      await writeOciArchive({ name: 'docker.io/kubets/hello:1', rootfs, config: { Entrypoint: ['/bin/hello'] } }, archive);
      const unpacked = join(dir, 'unpacked');
      mkdirSync(unpacked);
      execFileSync('tar', ['-xf', archive, '-C', unpacked]);
      assert.deepEqual(JSON.parse(readFileSync(join(unpacked, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
      const blob = (digest: string): Buffer => {
        const data = readFileSync(join(unpacked, 'blobs', 'sha256', digest.replace(/^sha256:/, '')));
        assert.equal(`sha256:${sha256(data)}`, digest, 'a blob is stored under its digest');
        return data;
      };
      const index = JSON.parse(readFileSync(join(unpacked, 'index.json'), 'utf8')) as { manifests: { digest: string; size: number; annotations: Record<string, string> }[] };
      assert.equal(index.manifests.length, 1);
      const entry = index.manifests[0]!;
      assert.equal(entry.annotations['io.containerd.image.name'], 'docker.io/kubets/hello:1');
      const manifestBytes = blob(entry.digest);
      assert.equal(manifestBytes.length, entry.size);
      const manifest = JSON.parse(manifestBytes.toString()) as { config: { digest: string }; layers: { digest: string; size: number }[] };
      const config = JSON.parse(blob(manifest.config.digest).toString()) as { config: { Entrypoint: string[] }; rootfs: { diff_ids: string[] } };
      assert.deepEqual(config.config.Entrypoint, ['/bin/hello']);
      const layer = blob(manifest.layers[0]!.digest);
      assert.equal(layer.length, manifest.layers[0]!.size);
      assert.deepEqual(config.rootfs.diff_ids, [manifest.layers[0]!.digest]);
      const files = execFileSync('tar', ['-tf', join(unpacked, 'blobs', 'sha256', manifest.layers[0]!.digest.slice(7))], { encoding: 'utf8' });
      assert.match(files, /^\.\/bin\/hello$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a node in a container', () => {
  test('finds /sys and the cgroup hierarchies Docker mounted read-only, and nothing else', () => {
    const mountinfo = [
      '355 339 0:120 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/x',
      '358 355 0:122 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro',
      '360 358 0:123 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,mode=755',
      '361 360 0:28 /docker/588d /sys/fs/cgroup/cpu ro,nosuid,nodev,noexec,relatime - cgroup cgroup rw,cpu',
      '362 360 0:29 /docker/588d /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime - cgroup cgroup rw,memory',
      '363 355 0:30 / /proc/sys ro,nosuid - proc proc rw',
      '364 355 0:31 / /etc/hosts rw,relatime - ext4 /dev/vda rw',
    ].join('\n');
    assert.deepEqual(readOnlySystemMounts(mountinfo), ['/sys', '/sys/fs/cgroup/cpu', '/sys/fs/cgroup/memory']);
    assert.deepEqual(readOnlySystemMounts(mountinfo.replace(/ ro,/g, ' rw,')), []);
  });

  test('`kubets node --runtime=containerd` starts its own containerd: the kubelet is given no endpoint, and the image directory is the node\'s flag', () => {
    const flags = parseNodeFlags(['--runtime=containerd', '--master=http://lb:6443', '--root-dir=/var/lib/kubelet', '--image-dir', '/images']);
    assert.equal(flags.nodeRuntime, 'containerd');
    assert.equal(flags.imageDir, '/images');
    assert.deepEqual(flags.kubeletArgs, ['--master=http://lb:6443', '--root-dir=/var/lib/kubelet']);
    assert.equal(parseNodeFlags(['--runtime', 'containerd']).imageDir, DEFAULT_IMAGE_DIR);
    assert.equal(parseNodeFlags(['--runtime=fake']).nodeRuntime, 'kubelet');
    assert.deepEqual(parseNodeFlags(['--runtime', 'fake', '--root-dir=/r']).kubeletArgs, ['--root-dir=/r', '--runtime=fake'], 'the kubelet\'s own runtimes are passed on');
    assert.throws(() => parseNodeFlags(['--runtime=containerd', '--container-runtime-endpoint=unix:///x.sock']), /give no --container-runtime-endpoint/);
  });

  test('its node IP is the address of the default route\'s interface, so a pod bridge that comes up first does not take it', () => {
    const routes = [
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
      'cni0\t0003F40A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
      'eth0\t00000000\t010012AC\t0003\t0\t0\t0\t00000000\t0\t0\t0',
      'eth0\t000012AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
    ].join('\n');
    assert.equal(defaultRouteInterface(routes), 'eth0');
    assert.equal(defaultRouteInterface(routes.split('\n').filter((l) => !l.includes('010012AC')).join('\n')), undefined);
  });
});
