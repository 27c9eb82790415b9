// What a program using the official JS client (@kubernetes/client-node 1.3.0) sees against `npm start`'s cluster.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  ListWatch,
  PatchStrategy,
  Watch,
  makeInformer,
  setHeaderOptions,
  type V1ConfigMap,
  type V1Deployment,
} from '@kubernetes/client-node';
import { startLocalCluster, type LocalCluster } from '../helpers/local-cluster.js';

const NS = 'client-node';

function configMap(name: string, labels: Record<string, string>, data: Record<string, string>): V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data };
}

function deployment(name: string, image: string): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name, tier: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: 'main', image, ports: [{ containerPort: 80 }] },
            { name: 'sidecar', image: 'busybox:1.36', command: ['sleep', 'infinity'] },
          ],
        },
      },
    },
  };
}

/** Runs `fn`, which must throw an ApiException, and returns its code and the parsed Status body. */
async function apiError(fn: () => Promise<unknown>): Promise<{ code: number; status: Record<string, unknown> }> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof ApiException, `expected ApiException, got ${String(err)}`);
    const body: unknown = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
    assert.ok(body !== null && typeof body === 'object', 'the error carries a Status body');
    return { code: err.code, status: body as Record<string, unknown> };
  }
  assert.fail('the call succeeded but an ApiException was expected');
}

async function until(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('@kubernetes/client-node against a local kubets cluster', () => {
  let c: LocalCluster;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let kc: KubeConfig;
  let asWritten: KubeConfig;
  before(async () => {
    c = await startLocalCluster();
    asWritten = new KubeConfig();
    asWritten.loadFromFile(c.kubeconfig);
    kc = new KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    // client-node refuses plain http unless skipTLSVerify is set; the test below checks the launcher's file
    // itself, the rest of the suite uses a copy with the flag so the API is still exercised.
    const cluster = kc.getCurrentCluster();
    if (cluster?.server.startsWith('http:') && !cluster.skipTLSVerify) {
      kc.loadFromOptions({
        clusters: kc.clusters.map((cl) => (cl.name === cluster.name ? { ...cl, skipTLSVerify: true } : cl)),
        users: kc.users,
        contexts: kc.contexts,
        currentContext: kc.currentContext,
      });
    }
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    await core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } });
  });
  after(async () => {
    await c.stop();
  });

  test('the kubeconfig the launcher writes works with client-node as is', async () => {
    const ns = await asWritten.makeApiClient(CoreV1Api).readNamespace({ name: 'default' });
    assert.equal(ns.status?.phase, 'Active');
  });

  test('a body without apiVersion and kind is created as the kind the URL names, as typed clients send it', async () => {
    const ns = await core.createNamespace({ body: { metadata: { name: 'no-type-meta' } } });
    assert.equal(ns.kind, 'Namespace');
    assert.equal(ns.metadata?.name, 'no-type-meta');
    const cm = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'no-type-meta' }, data: { a: '1' } } });
    assert.equal(cm.kind, 'ConfigMap');
    assert.equal(cm.apiVersion, 'v1');
    await core.deleteNamespacedConfigMap({ namespace: NS, name: 'no-type-meta' });
  });

  test('createNamespacedConfigMap returns the stored object with server-set metadata', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: NS, body: configMap('settings', { app: 'demo', tier: 'a' }, { mode: 'fast' }) });
    assert.equal(created.metadata?.name, 'settings');
    assert.equal(created.metadata?.namespace, NS);
    assert.match(created.metadata?.uid ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.match(created.metadata?.resourceVersion ?? '', /^\d+$/);
    assert.ok(created.metadata?.creationTimestamp instanceof Date, 'creationTimestamp deserializes to a Date');
    assert.deepEqual(created.data, { mode: 'fast' });
    const read = await core.readNamespacedConfigMap({ name: 'settings', namespace: NS });
    assert.equal(read.metadata?.uid, created.metadata?.uid);
    assert.equal(read.metadata?.resourceVersion, created.metadata?.resourceVersion);
  });

  test('listNamespacedConfigMap filters with equality and set-based label selectors', async () => {
    await core.createNamespacedConfigMap({ namespace: NS, body: configMap('other-a', { app: 'demo', tier: 'b' }, {}) });
    await core.createNamespacedConfigMap({ namespace: NS, body: configMap('other-c', { app: 'demo', tier: 'c' }, {}) });
    await core.createNamespacedConfigMap({ namespace: NS, body: configMap('unrelated', { app: 'else' }, {}) });
    const names = async (labelSelector: string): Promise<string[]> =>
      (await core.listNamespacedConfigMap({ namespace: NS, labelSelector })).items.map((i) => i.metadata?.name ?? '').sort();
    assert.deepEqual(await names('app=demo'), ['other-a', 'other-c', 'settings']);
    assert.deepEqual(await names('app=demo,tier in (a,b)'), ['other-a', 'settings']);
    assert.deepEqual(await names('app,tier notin (a,b)'), ['other-c', 'unrelated']);
    assert.deepEqual(await names('!tier'), ['unrelated']);
    const list = await core.listNamespacedConfigMap({ namespace: NS });
    assert.equal(list.kind, 'ConfigMapList');
    assert.match(list.metadata?.resourceVersion ?? '', /^\d+$/);
  });

  test('replaceNamespacedConfigMap updates the object and a stale resourceVersion is a 409 Conflict', async () => {
    const current = await core.readNamespacedConfigMap({ name: 'settings', namespace: NS });
    const stale = structuredClone(current);
    current.data = { mode: 'slow' };
    const replaced = await core.replaceNamespacedConfigMap({ name: 'settings', namespace: NS, body: current });
    assert.deepEqual(replaced.data, { mode: 'slow' });
    assert.notEqual(replaced.metadata?.resourceVersion, stale.metadata?.resourceVersion);
    stale.data = { mode: 'lost-update' };
    const { code, status } = await apiError(() => core.replaceNamespacedConfigMap({ name: 'settings', namespace: NS, body: stale }));
    assert.equal(code, 409);
    assert.equal(status.kind, 'Status');
    assert.equal(status.reason, 'Conflict');
    assert.equal(status.message, 'Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again');
  });

  test('patchNamespacedConfigMap applies merge and JSON patches chosen with setHeaderOptions', async () => {
    const before = await core.readNamespacedConfigMap({ name: 'settings', namespace: NS });
    const merged = await core.patchNamespacedConfigMap(
      { name: 'settings', namespace: NS, body: { metadata: { labels: { tier: null, patched: 'yes' } }, data: { extra: '1' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.deepEqual(merged.data, { ...before.data, extra: '1' });
    assert.deepEqual(merged.metadata?.labels, { app: 'demo', patched: 'yes' });
    const jsonPatched = await core.patchNamespacedConfigMap(
      { name: 'settings', namespace: NS, body: [{ op: 'replace', path: '/data/mode', value: 'json' }, { op: 'remove', path: '/data/extra' }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    assert.deepEqual(jsonPatched.data, { mode: 'json' });
  });

  test('AppsV1Api creates, reads, lists and replaces a Deployment with defaults filled in', async () => {
    const created = await apps.createNamespacedDeployment({ namespace: NS, body: deployment('shop', 'nginx:1.27') });
    assert.equal(created.metadata?.generation, 1);
    assert.equal(created.spec?.strategy?.type, 'RollingUpdate');
    assert.equal(created.spec?.revisionHistoryLimit, 10);
    assert.equal(created.spec?.progressDeadlineSeconds, 600);
    assert.equal(created.spec?.template.spec?.restartPolicy, 'Always');
    assert.equal(created.spec?.template.spec?.containers[0]?.imagePullPolicy, 'IfNotPresent');
    assert.equal(created.spec?.template.spec?.containers[0]?.ports?.[0]?.protocol, 'TCP');
    const listed = await apps.listNamespacedDeployment({ namespace: NS, labelSelector: 'tier=web' });
    assert.deepEqual(listed.items.map((d) => d.metadata?.name), ['shop']);
    const read = await apps.readNamespacedDeployment({ name: 'shop', namespace: NS });
    assert.ok(read.spec);
    read.spec.replicas = 4;
    const replaced = await apps.replaceNamespacedDeployment({ name: 'shop', namespace: NS, body: read });
    assert.equal(replaced.spec?.replicas, 4);
    assert.equal(replaced.metadata?.generation, 2);
  });

  test('a strategic merge patch merges containers by name and keeps the others', async () => {
    const patched = await apps.patchNamespacedDeployment(
      { name: 'shop', namespace: NS, body: { spec: { template: { spec: { containers: [{ name: 'main', image: 'nginx:1.28' }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const containers = patched.spec?.template.spec?.containers ?? [];
    assert.deepEqual(containers.map((x) => `${x.name}=${x.image}`), ['main=nginx:1.28', 'sidecar=busybox:1.36']);
    assert.equal(containers[0]?.ports?.[0]?.containerPort, 80);
    const merge = await apps.patchNamespacedDeployment(
      { name: 'shop', namespace: NS, body: { spec: { template: { spec: { containers: [{ name: 'only', image: 'nginx:1.29' }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.deepEqual(merge.spec?.template.spec?.containers.map((x) => x.name), ['only'], 'a merge patch replaces lists whole');
  });

  test('reading a missing ConfigMap is a 404 Status without a group for the core API', async () => {
    const err = await apiError(() => core.readNamespacedConfigMap({ name: 'nope', namespace: NS }));
    assert.equal(err.code, 404);
    assert.deepEqual(err.status, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'configmaps "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', kind: 'configmaps' },
      code: 404,
    });
  });

  test('deleteNamespacedDeployment removes it and a later read is a 404 Status', async () => {
    const status = await apps.deleteNamespacedDeployment({ name: 'shop', namespace: NS });
    assert.equal(status.status, 'Success');
    const err = await apiError(() => apps.readNamespacedDeployment({ name: 'shop', namespace: NS }));
    assert.equal(err.code, 404);
    assert.deepEqual(err.status, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "shop" not found',
      reason: 'NotFound',
      details: { name: 'shop', group: 'apps', kind: 'deployments' },
      code: 404,
    });
  });

  test('creating an existing ConfigMap is a 409 AlreadyExists Status', async () => {
    const err = await apiError(() => core.createNamespacedConfigMap({ namespace: NS, body: configMap('settings', {}, {}) }));
    assert.equal(err.code, 409);
    assert.deepEqual(err.status, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'configmaps "settings" already exists',
      reason: 'AlreadyExists',
      details: { name: 'settings', kind: 'configmaps' },
      code: 409,
    });
  });

  test('an invalid Deployment is a 422 Invalid Status with field causes', async () => {
    const bad = deployment('Bad_Name', 'nginx:1.27');
    const err = await apiError(() => apps.createNamespacedDeployment({ namespace: NS, body: bad }));
    assert.equal(err.code, 422);
    const detail =
      'Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')';
    assert.deepEqual(err.status, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `Deployment.apps "Bad_Name" is invalid: metadata.name: ${detail}`,
      reason: 'Invalid',
      details: { name: 'Bad_Name', group: 'apps', kind: 'Deployment', causes: [{ reason: 'FieldValueInvalid', message: detail, field: 'metadata.name' }] },
      code: 422,
    });
  });

  test('Watch streams ADDED, MODIFIED and DELETED for a namespace from a listed resourceVersion', async () => {
    await core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'watched' } } });
    const rv = (await core.listNamespacedConfigMap({ namespace: 'watched' })).metadata?.resourceVersion;
    const events: string[] = [];
    let doneErr: unknown = 'not done';
    const ctl = await new Watch(kc).watch(
      '/api/v1/namespaces/watched/configmaps',
      { resourceVersion: rv },
      (type: string, obj: V1ConfigMap) => events.push(`${type} ${obj.metadata?.name ?? '?'} ${JSON.stringify(obj.data ?? {})}`),
      (err: unknown) => (doneErr = err),
    );
    await core.createNamespacedConfigMap({ namespace: 'watched', body: configMap('w1', {}, { v: '1' }) });
    await core.patchNamespacedConfigMap({ name: 'w1', namespace: 'watched', body: { data: { v: '2' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await core.deleteNamespacedConfigMap({ name: 'w1', namespace: 'watched' });
    await until('three watch events', () => events.length >= 3);
    assert.equal(doneErr, 'not done', 'the server keeps the watch open');
    ctl.abort();
    assert.deepEqual(events, ['ADDED w1 {"v":"1"}', 'MODIFIED w1 {"v":"2"}', 'DELETED w1 {"v":"2"}']);
  });

  test('an informer sees adds, updates and deletes and its cache matches the server', async () => {
    await core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'informed' } } });
    await core.createNamespacedConfigMap({ namespace: 'informed', body: configMap('before', {}, { n: '0' }) });
    const informer = makeInformer<V1ConfigMap>(kc, '/api/v1/namespaces/informed/configmaps', () => core.listNamespacedConfigMap({ namespace: 'informed' }));
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update ${o.metadata?.name} ${o.data?.n}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    const errors: unknown[] = [];
    informer.on('error', (e: unknown) => errors.push(e));
    await informer.start();
    try {
      await until('the initial list', () => seen.includes('add before'));
      await core.createNamespacedConfigMap({ namespace: 'informed', body: configMap('a', {}, { n: '1' }) });
      await core.createNamespacedConfigMap({ namespace: 'informed', body: configMap('b', {}, { n: '1' }) });
      await core.patchNamespacedConfigMap({ name: 'a', namespace: 'informed', body: { data: { n: '2' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      await core.deleteNamespacedConfigMap({ name: 'before', namespace: 'informed' });
      await until('the informer to see all changes', () => seen.length >= 5);
      assert.deepEqual(seen, ['add before', 'add a', 'add b', 'update a 2', 'delete before']);
      assert.deepEqual(errors, []);
      const server = (await core.listNamespacedConfigMap({ namespace: 'informed' })).items;
      assert.ok(informer instanceof ListWatch, 'makeInformer returns a ListWatch, which is also the cache');
      const cache = informer.list('informed');
      const summary = (items: readonly V1ConfigMap[]): string[] => items.map((i) => `${i.metadata?.name}@${i.metadata?.resourceVersion}`).sort();
      assert.deepEqual(summary(cache), summary(server));
    } finally {
      await informer.stop();
    }
  });
});
