// The kubelet's volumes on a real directory: the atomic layout of API data volumes, what each
// source puts there (upstream's file names, modes, formats and errors), hostPath type checks, and
// the CRI mounts of a container with subPath and readOnly.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../../pkg/api/core/v1/pod-types.js';
import type { PersistentVolume } from '../../../pkg/api/core/v1/persistentvolume.js';
import type { PersistentVolumeClaim } from '../../../pkg/api/core/v1/persistentvolumeclaim.js';
import { writePayload, type PayloadFile } from '../../../pkg/kubelet/volume/atomic-writer.js';
import { checkHostPath, VolumeManager, VolumeSetupError, type VolumeSources } from '../../../pkg/kubelet/volume/manager.js';
import { formatMap, type ObjectData } from '../../../pkg/kubelet/volume/payload.js';

const root = mkdtempSync(join(tmpdir(), 'kubets-volume-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

const file = (text: string, mode = 0o644): PayloadFile => ({ content: Buffer.from(text), mode });
const bytes = (o: Record<string, string>): ObjectData => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Buffer.from(v)]));

class Sources implements VolumeSources {
  configMaps = new Map<string, ObjectData>();
  secrets = new Map<string, ObjectData>();
  claims = new Map<string, PersistentVolumeClaim>();
  volumes = new Map<string, PersistentVolume>();
  async configMap(ns: string, name: string): Promise<ObjectData | undefined> {
    return this.configMaps.get(`${ns}/${name}`);
  }
  async secret(ns: string, name: string): Promise<ObjectData | undefined> {
    return this.secrets.get(`${ns}/${name}`);
  }
  async claim(ns: string, name: string): Promise<PersistentVolumeClaim | undefined> {
    return this.claims.get(`${ns}/${name}`);
  }
  async persistentVolume(name: string): Promise<PersistentVolume | undefined> {
    return this.volumes.get(name);
  }
}

let uids = 0;
function pod(spec: Partial<NonNullable<Pod['spec']>>, labels: Record<string, string> = {}): Pod {
  return { metadata: { name: 'web', namespace: 'default', uid: `uid-${++uids}`, labels }, spec: { containers: [{ name: 'app', image: 'busybox' }], ...spec } };
}

describe('atomic writer', () => {
  test('files live in a timestamped directory behind ..data; each top-level name is a link through it', async () => {
    const dir = join(root, 'aw1');
    assert.equal(await writePayload(dir, new Map([['a', file('1')], ['sub/b', file('2', 0o400)]])), true);
    const data = readlinkSync(join(dir, '..data'));
    assert.match(data, /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d{9}$/);
    assert.equal(readlinkSync(join(dir, 'a')), '..data/a');
    assert.equal(readlinkSync(join(dir, 'sub')), '..data/sub');
    assert.equal(readFileSync(join(dir, 'sub', 'b'), 'utf8'), '2');
    assert.equal(statSync(join(dir, 'sub', 'b')).mode & 0o777, 0o400);
  });

  test('the same payload writes nothing; a change swaps ..data, drops links of keys that went and the old data', async () => {
    const dir = join(root, 'aw2');
    await writePayload(dir, new Map([['a', file('1')], ['b', file('2')]]));
    const first = readlinkSync(join(dir, '..data'));
    assert.equal(await writePayload(dir, new Map([['a', file('1')], ['b', file('2')]])), false);
    assert.equal(await writePayload(dir, new Map([['a', file('1', 0o600)], ['b', file('2')]])), true, 'a mode change is a change');
    assert.equal(await writePayload(dir, new Map([['a', file('one')]])), true);
    const second = readlinkSync(join(dir, '..data'));
    assert.notEqual(second, first);
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'one');
    assert.deepEqual(readdirSync(dir).sort(), [second, '..data', 'a'].sort());
  });
});

describe('API data volumes', () => {
  const sources = new Sources();
  sources.configMaps.set('default/app-config', bytes({ 'game.properties': 'lives=3\n', 'ui.mode': 'dark' }));
  sources.secrets.set('default/creds', bytes({ password: 's3cr3t' }));
  const manager = new VolumeManager({ rootDir: join(root, 'kubelet'), sources, allocatable: () => ({ cpu: '4', memory: '8Gi' }) });

  test('a configMap volume holds every key, read-only, under kubernetes.io~configmap; items pick keys, paths and modes', async () => {
    const p = pod({ volumes: [{ name: 'config', configMap: { name: 'app-config' } }, { name: 'picked', configMap: { name: 'app-config', items: [{ key: 'ui.mode', path: 'ui/mode', mode: 0o600 }], defaultMode: 0o640 } }] });
    const vols = await manager.setUp(p);
    const config = vols.get('config')!;
    assert.equal(config.path, join(root, 'kubelet', 'pods', p.metadata!.uid!, 'volumes', 'kubernetes.io~configmap', 'config'));
    assert.equal(config.readOnly, true);
    assert.equal(readFileSync(join(config.path, 'game.properties'), 'utf8'), 'lives=3\n');
    assert.equal(statSync(join(config.path, 'ui.mode')).mode & 0o777, 0o644, 'defaultMode 0644');
    const picked = vols.get('picked')!.path;
    assert.deepEqual(readdirSync(picked).filter((n) => !n.startsWith('..')), ['ui']);
    assert.equal(readFileSync(join(picked, 'ui', 'mode'), 'utf8'), 'dark');
    assert.equal(statSync(join(picked, 'ui', 'mode')).mode & 0o777, 0o600);
  });

  test('a missing ConfigMap, Secret or key fails the mount in upstream words unless optional', async () => {
    const failure = async (volumes: NonNullable<Pod['spec']>['volumes']): Promise<string> => {
      try {
        await manager.setUp(pod({ volumes }));
      } catch (err) {
        assert.ok(err instanceof VolumeSetupError);
        return err.message;
      }
      return 'no error';
    };
    assert.equal(await failure([{ name: 'cfg', configMap: { name: 'nope' } }]), 'MountVolume.SetUp failed for volume "cfg" : configmap "nope" not found');
    assert.equal(await failure([{ name: 's', secret: { secretName: 'nope' } }]), 'MountVolume.SetUp failed for volume "s" : secret "nope" not found');
    assert.equal(await failure([{ name: 'cfg', configMap: { name: 'app-config', items: [{ key: 'absent', path: 'x' }] } }]), 'MountVolume.SetUp failed for volume "cfg" : configmap references non-existent config key: absent');
    assert.equal(await failure([{ name: 'cfg', configMap: { name: 'nope', optional: true } }, { name: 's', secret: { secretName: 'creds', items: [{ key: 'absent', path: 'x' }], optional: true } }]), 'no error');
  });

  test('a secret volume holds the decoded values; a downward API volume the pod\'s fields, labels one key="value" per line', async () => {
    const p = pod(
      {
        containers: [{ name: 'app', image: 'busybox', resources: { limits: { memory: '64Mi' } } }],
        volumes: [
          { name: 'creds', secret: { secretName: 'creds' } },
          { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'name', fieldRef: { fieldPath: 'metadata.name' } }, { path: 'mem', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } }] } },
        ],
      },
      { tier: 'front', app: 'web "x"' },
    );
    const vols = await manager.setUp(p);
    assert.equal(readFileSync(join(vols.get('creds')!.path, 'password'), 'utf8'), 's3cr3t');
    const info = vols.get('info')!.path;
    assert.equal(readFileSync(join(info, 'labels'), 'utf8'), 'app="web \\"x\\""\ntier="front"');
    assert.equal(readFileSync(join(info, 'name'), 'utf8'), 'web');
    assert.equal(readFileSync(join(info, 'mem'), 'utf8'), '64');
    assert.equal(formatMap({}), '');
  });

  test('a projected volume merges its sources into one directory', async () => {
    const p = pod({ volumes: [{ name: 'all', projected: { sources: [{ configMap: { name: 'app-config', items: [{ key: 'ui.mode', path: 'mode' }] } }, { secret: { name: 'creds' } }, { downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } }], defaultMode: 0o400 } }] });
    const dir = (await manager.setUp(p)).get('all')!.path;
    assert.deepEqual(readdirSync(dir).filter((n) => !n.startsWith('..')).sort(), ['mode', 'ns', 'password']);
    assert.equal(statSync(join(dir, 'password')).mode & 0o777, 0o400);
  });

  test('a changed ConfigMap reaches a mounted volume at the next setup; a ConfigMap deleted later leaves the last content', async () => {
    sources.configMaps.set('default/live', bytes({ k: 'v1' }));
    const p = pod({ volumes: [{ name: 'live', configMap: { name: 'live' } }] });
    const dir = (await manager.setUp(p)).get('live')!.path;
    sources.configMaps.set('default/live', bytes({ k: 'v2' }));
    await manager.setUp(p);
    assert.equal(readFileSync(join(dir, 'k'), 'utf8'), 'v2');
    sources.configMaps.delete('default/live');
    await manager.setUp(p);
    assert.equal(readFileSync(join(dir, 'k'), 'utf8'), 'v2');
  });

  test('tearDown removes the pod directory with its volumes', async () => {
    const p = pod({ volumes: [{ name: 'scratch', emptyDir: {} }, { name: 'config', configMap: { name: 'app-config' } }] });
    const vols = await manager.setUp(p);
    writeFileSync(join(vols.get('scratch')!.path, 'f'), 'x');
    await manager.tearDown(p.metadata!.uid!);
    assert.throws(() => lstatSync(manager.podDir(p.metadata!.uid!)), /ENOENT/);
  });
});

describe('hostPath and claims', () => {
  test('hostPath types: *OrCreate make what is missing, the others refuse a mismatch in upstream words', async () => {
    const base = join(root, 'host');
    mkdirSync(base);
    writeFileSync(join(base, 'file'), '');
    await checkHostPath({ path: join(base, 'made'), type: 'DirectoryOrCreate' });
    assert.ok(statSync(join(base, 'made')).isDirectory());
    await checkHostPath({ path: join(base, 'made.txt'), type: 'FileOrCreate' });
    assert.ok(statSync(join(base, 'made.txt')).isFile());
    await checkHostPath({ path: join(base, 'anything'), type: '' });
    await assert.rejects(checkHostPath({ path: join(base, 'file'), type: 'Directory' }), { message: `hostPath type check failed: ${join(base, 'file')} is not a directory` });
    await assert.rejects(checkHostPath({ path: base, type: 'File' }), { message: `hostPath type check failed: ${base} is not a file` });
    await assert.rejects(checkHostPath({ path: join(base, 'file'), type: 'Socket' }), { message: `hostPath type check failed: ${join(base, 'file')} is not a socket file` });
  });

  test('a claim mounts its bound hostPath volume; an unbound claim or a CSI volume without its driver fails the mount', async () => {
    const sources = new Sources();
    const data = join(root, 'pv-data');
    sources.claims.set('default/bound', { metadata: { name: 'bound', namespace: 'default' }, spec: { volumeName: 'pv1' }, status: { phase: 'Bound' } });
    sources.claims.set('default/pending', { metadata: { name: 'pending', namespace: 'default' }, spec: {}, status: { phase: 'Pending' } });
    sources.claims.set('default/csi', { metadata: { name: 'csi', namespace: 'default' }, spec: { volumeName: 'pv2' }, status: { phase: 'Bound' } });
    sources.volumes.set('pv1', { metadata: { name: 'pv1' }, spec: { hostPath: { path: data, type: 'DirectoryOrCreate' } } });
    sources.volumes.set('pv2', { metadata: { name: 'pv2' }, spec: { csi: { driver: 'hostpath.csi.k8s.io', volumeHandle: 'v' } } });
    const manager = new VolumeManager({ rootDir: join(root, 'kubelet2'), sources, allocatable: () => ({}) });
    const vols = await manager.setUp(pod({ volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'bound', readOnly: true } }] }));
    assert.deepEqual(vols.get('data'), { path: data, readOnly: true });
    await assert.rejects(manager.setUp(pod({ volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'pending' } }] })), { message: 'MountVolume.SetUp failed for volume "data" : error processing PVC default/pending: PVC is not bound' });
    await assert.rejects(manager.setUp(pod({ volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'gone' } }] })), { message: 'MountVolume.SetUp failed for volume "data" : persistentvolumeclaim "gone" not found' });
    await assert.rejects(manager.setUp(pod({ volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'csi' } }] })), /driver name hostpath.csi.k8s.io not found in the list of registered CSI drivers/);
  });
});

describe('container mounts', () => {
  const manager = new VolumeManager({ rootDir: join(root, 'kubelet3'), sources: new Sources(), allocatable: () => ({}) });

  test('each volumeMount is a CRI mount; subPath and subPathExpr narrow it (made when missing); readOnly from the mount or the volume', async () => {
    const p = pod({
      containers: [
        {
          name: 'app',
          image: 'busybox',
          volumeMounts: [
            { name: 'scratch', mountPath: '/cache' },
            { name: 'scratch', mountPath: '/logs', subPathExpr: '$(POD_NAME)/logs', readOnly: true },
            { name: 'info', mountPath: '/etc/podinfo', mountPropagation: 'HostToContainer' },
          ],
        },
      ],
      volumes: [{ name: 'scratch', emptyDir: {} }, { name: 'info', downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } }],
    });
    const vols = await manager.setUp(p);
    const mounts = await manager.mounts(p, p.spec!.containers![0]!, vols, new Map([['POD_NAME', 'web']]));
    const scratch = vols.get('scratch')!.path;
    assert.deepEqual(
      mounts.map((m) => [m.containerPath, m.hostPath, m.readonly, m.propagation]),
      [
        ['/cache', scratch, false, 'PROPAGATION_PRIVATE'],
        ['/logs', join(scratch, 'web', 'logs'), true, 'PROPAGATION_PRIVATE'],
        ['/etc/podinfo', vols.get('info')!.path, true, 'PROPAGATION_HOST_TO_CONTAINER'],
      ],
    );
    assert.ok(statSync(join(scratch, 'web', 'logs')).isDirectory(), 'the subPath was made in the volume');
    await assert.rejects(manager.mounts(p, { name: 'bad', image: 'busybox', volumeMounts: [{ name: 'scratch', mountPath: '/x', subPathExpr: '$(UP)' }] }, vols, new Map([['UP', '../../etc']])), /subpath "..\/..\/etc" not within volume path/);
    await assert.rejects(manager.mounts(p, { name: 'bad', image: 'busybox', volumeMounts: [{ name: 'nope', mountPath: '/x' }] }, vols, new Map()), /cannot find volume "nope"/);
  });
});
