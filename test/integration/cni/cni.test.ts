// The CNI gRPC contract: the same cases against every backend, through the service a node runs
// (proto/cni.proto) — host-local (no namespace) and bridge (the standard plugins in a real
// network namespace the test makes) — and the kubets plugin as containerd executes it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CniBackend } from '../../../pkg/cni/backend.js';
import { BridgeBackend } from '../../../pkg/cni/bridge.js';
import { HostLocalBackend } from '../../../pkg/cni/host-local.js';
import { runPlugin } from '../../../pkg/cni/plugin.js';
import { CniClient, startCniServer, type CniServer } from '../../../pkg/cni/service.js';

const ipv4 = (address: string): string => address.replace(/\/\d+$/, '');

/** Why the bridge backend cannot run here (outside CI, which installs and runs as root). */
function bridgeUnavailable(): string | undefined {
  if (process.env.CI === 'true') return undefined;
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  if (!existsSync('/usr/lib/cni/bridge')) return 'no CNI plugins in /usr/lib/cni (Debian package containernetworking-plugins)';
  return undefined;
}

interface Case {
  readonly name: string;
  readonly skip?: string | undefined;
  readonly podCidr: string;
  readonly backend: (stateDir: string) => CniBackend;
  /** A network namespace for a sandbox (and its removal); '' when the backend needs none. */
  readonly netns: () => { path: string; remove: () => void };
  /** What the node sees of a sandbox's address (the interface in its namespace), when it can look. */
  readonly addressInside?: (netns: string) => string;
  readonly cleanup?: () => void;
}

const bridgeName = `kb${randomBytes(3).toString('hex')}9`;

const CASES: Case[] = [
  {
    name: 'host-local',
    podCidr: '10.250.1.0/24',
    backend: (dir) => new HostLocalBackend('10.250.1.0/24', dir),
    netns: () => ({ path: '', remove: () => undefined }),
  },
  {
    name: 'bridge',
    skip: bridgeUnavailable(),
    podCidr: '10.250.2.0/24',
    backend: (dir) => new BridgeBackend({ podCidr: '10.250.2.0/24', bridge: bridgeName, stateDir: dir }),
    netns: () => {
      const name = `kubets-cni-${randomBytes(4).toString('hex')}`;
      execFileSync('ip', ['netns', 'add', name]);
      return { path: `/var/run/netns/${name}`, remove: () => execFileSync('ip', ['netns', 'delete', name]) };
    },
    addressInside: (netns) => execFileSync('ip', ['netns', 'exec', netns.replace('/var/run/netns/', ''), 'ip', '-4', '-o', 'addr', 'show', 'eth0'], { encoding: 'utf8' }),
    cleanup: () => {
      try {
        execFileSync('ip', ['link', 'delete', bridgeName], { stdio: 'ignore' });
      } catch {
        // Never made.
      }
    },
  },
];

for (const c of CASES) {
  describe(`the CNI service with the ${c.name} backend`, { skip: c.skip }, () => {
    let dir: string;
    let server: CniServer;
    let client: CniClient;
    const namespaces: { path: string; remove: () => void }[] = [];
    const sandbox = (id: string): { containerId: string; netns: string; ifname: string; args: Record<string, string> } => {
      const ns = c.netns();
      namespaces.push(ns);
      return { containerId: id, netns: ns.path, ifname: 'eth0', args: { K8S_POD_NAMESPACE: 'default', K8S_POD_NAME: id } };
    };
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'kubets-cni-'));
      server = await startCniServer(`unix://${join(dir, 'cni.sock')}`, c.backend(join(dir, 'state')));
      client = new CniClient(server.endpoint);
    });
    after(async () => {
      client.close();
      await server.stop();
      for (const ns of namespaces) ns.remove();
      c.cleanup?.();
      rmSync(dir, { recursive: true, force: true });
    });

    test('is ready', async () => {
      assert.deepEqual(await client.status(), { ready: true, message: '' });
    });

    test('gives each sandbox its own address from the pod range, with the range\'s gateway', async () => {
      const a = sandbox('sandbox-a');
      const b = sandbox('sandbox-b');
      const ra = await client.add(a);
      const rb = await client.add(b);
      const prefix = c.podCidr.replace(/\.0\/24$/, '.');
      for (const r of [ra, rb]) {
        assert.equal(r.ips.length, 1);
        assert.match(r.ips[0]!.address, new RegExp(`^${prefix.replace(/\./g, '\\.')}\\d+/24$`));
        assert.equal(r.ips[0]!.gateway, `${prefix}1`);
      }
      assert.notEqual(ra.ips[0]!.address, rb.ips[0]!.address);
      if (c.addressInside) assert.match(c.addressInside(a.netns), new RegExp(`inet ${ipv4(ra.ips[0]!.address).replace(/\./g, '\\.')}/24`));
      await client.check(a);
      await client.del(a);
      await client.del(b);
    });

    test('Check fails for a sandbox it never added or deleted; Del is idempotent', async () => {
      const ghost = sandbox('ghost');
      await assert.rejects(client.check(ghost), (err: Error & { code?: number }) => err.name === 'CniError');
      const s = sandbox('sandbox-c');
      await client.add(s);
      await client.check(s);
      await client.del(s);
      await assert.rejects(client.check(s), (err: Error) => err.name === 'CniError', 'nothing left of the sandbox after Del');
      await client.del(s);
    });

    test('the kubets plugin prints a CNI result for ADD and nothing for DEL, as containerd expects', async () => {
      const s = sandbox('sandbox-e');
      const env = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: s.containerId, CNI_NETNS: s.netns, CNI_IFNAME: 'eth0', CNI_ARGS: 'K8S_POD_NAME=e;K8S_POD_NAMESPACE=default', CNI_PATH: '/usr/lib/cni' };
      const stdin = JSON.stringify({ cniVersion: '1.0.0', name: 'kubets', type: 'kubets', socket: join(dir, 'cni.sock') });
      const added = await runPlugin({ env, stdin });
      assert.equal(added.code, 0);
      const result = JSON.parse(added.stdout) as { cniVersion: string; ips: { address: string; gateway: string }[] };
      assert.equal(result.cniVersion, '1.0.0');
      assert.equal(result.ips[0]?.gateway, c.podCidr.replace(/0\/24$/, '1'));
      assert.deepEqual(await runPlugin({ env: { ...env, CNI_COMMAND: 'DEL' }, stdin }), { stdout: '', code: 0 });
      assert.deepEqual(JSON.parse((await runPlugin({ env: { ...env, CNI_COMMAND: 'VERSION' }, stdin })).stdout), { cniVersion: '1.0.0', supportedVersions: ['0.3.0', '0.3.1', '0.4.0', '1.0.0'] });
      const broken = await runPlugin({ env, stdin: JSON.stringify({ cniVersion: '1.0.0', name: 'kubets', type: 'kubets' }) });
      assert.equal(broken.code, 1);
      assert.deepEqual(JSON.parse(broken.stdout), { cniVersion: '1.0.0', code: 7, msg: 'the network configuration names no "socket" of the kubets CNI service' });
    });
  });
}
