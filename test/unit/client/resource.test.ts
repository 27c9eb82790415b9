import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GoneError } from '../../../pkg/api/errors.js';
import { RestClient, resourcePath, type KubeObject, type ResourceClient, type ResourceDescriptor } from '../../../pkg/client/index.js';
import { sendJson, startServer, status, type Recorded, type TestServer } from './server.fixture.js';

const pods: ResourceDescriptor = { group: '', version: 'v1', plural: 'pods', namespaced: true };
const deployments: ResourceDescriptor = { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true };
const nodes: ResourceDescriptor = { group: '', version: 'v1', plural: 'nodes', namespaced: false };
const clusterRoles: ResourceDescriptor = { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles', namespaced: false };

let server: TestServer;
let client: RestClient;
before(async () => {
  server = await startServer((req, res) => sendJson(res, req.method === 'POST' ? 201 : 200, { kind: 'Echo', metadata: { name: 'x', continue: '' }, items: [] }));
  client = new RestClient({ servers: [server.url] });
});
after(async () => {
  client.close();
  await server.close();
});

async function lastRequest(fn: () => Promise<unknown>): Promise<Recorded> {
  const before = server.requests.length;
  await fn();
  assert.equal(server.requests.length, before + 1);
  return server.requests[server.requests.length - 1]!;
}

const pod = (name: string, ns?: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, ...(ns === undefined ? {} : { namespace: ns }) } });
const p = (): ResourceClient<KubeObject> => client.resource(pods).namespace('ns1');

const cases: { name: string; call: () => Promise<unknown>; method: string; url: string; contentType?: string; body?: unknown }[] = [
  { name: 'get of a core namespaced object uses /api/v1/namespaces/<ns>/<plural>/<name>', call: () => p().get('web'), method: 'GET', url: '/api/v1/namespaces/ns1/pods/web' },
  { name: 'get passes resourceVersion', call: () => p().get('web', { resourceVersion: '0' }), method: 'GET', url: '/api/v1/namespaces/ns1/pods/web?resourceVersion=0' },
  { name: 'get of a grouped namespaced object uses /apis/<group>/<version>', call: () => client.resource(deployments).namespace('ns1').get('d'), method: 'GET', url: '/apis/apps/v1/namespaces/ns1/deployments/d' },
  { name: 'get of a cluster-scoped core object has no namespace segment', call: () => client.resource(nodes).get('n1'), method: 'GET', url: '/api/v1/nodes/n1' },
  { name: 'get of a cluster-scoped grouped object has no namespace segment', call: () => client.resource(clusterRoles).get('admin'), method: 'GET', url: '/apis/rbac.authorization.k8s.io/v1/clusterroles/admin' },
  { name: 'names are escaped in the path', call: () => client.resource(nodes).get('a b'), method: 'GET', url: '/api/v1/nodes/a%20b' },
  {
    name: 'list passes selectors, paging and resourceVersion options',
    call: () => p().list({ labelSelector: 'app=web,tier!=db', fieldSelector: { 'spec.nodeName': 'n1' }, limit: 10, continue: 'tok', resourceVersion: '5', resourceVersionMatch: 'NotOlderThan' }),
    method: 'GET',
    url: '/api/v1/namespaces/ns1/pods?labelSelector=app%3Dweb%2Ctier%21%3Ddb&fieldSelector=spec.nodeName%3Dn1&limit=10&continue=tok&resourceVersion=5&resourceVersionMatch=NotOlderThan',
  },
  { name: 'list of a namespaced type without a namespace lists all namespaces', call: () => client.resource(pods).list(), method: 'GET', url: '/api/v1/pods' },
  {
    name: 'create posts to the collection with dryRun, fieldManager and fieldValidation',
    call: () => p().create(pod('web'), { dryRun: true, fieldManager: 'kubectl', fieldValidation: 'Strict' }),
    method: 'POST',
    url: '/api/v1/namespaces/ns1/pods?dryRun=All&fieldManager=kubectl&fieldValidation=Strict',
    contentType: 'application/json',
    body: pod('web'),
  },
  { name: 'create without a chosen namespace uses the object namespace', call: () => client.resource(pods).create(pod('web', 'ns2')), method: 'POST', url: '/api/v1/namespaces/ns2/pods', body: pod('web', 'ns2') },
  { name: 'update puts to the object', call: () => p().update(pod('web')), method: 'PUT', url: '/api/v1/namespaces/ns1/pods/web', body: pod('web') },
  { name: 'updateStatus puts to the status subresource', call: () => p().updateStatus(pod('web')), method: 'PUT', url: '/api/v1/namespaces/ns1/pods/web/status', body: pod('web') },
  { name: 'a merge patch uses application/merge-patch+json', call: () => p().patch('web', { metadata: { labels: { a: 'b' } } }, 'merge'), method: 'PATCH', url: '/api/v1/namespaces/ns1/pods/web', contentType: 'application/merge-patch+json', body: { metadata: { labels: { a: 'b' } } } },
  { name: 'a JSON patch uses application/json-patch+json', call: () => p().patch('web', [{ op: 'remove', path: '/spec/x' }], 'json'), method: 'PATCH', url: '/api/v1/namespaces/ns1/pods/web', contentType: 'application/json-patch+json', body: [{ op: 'remove', path: '/spec/x' }] },
  { name: 'a strategic merge patch uses application/strategic-merge-patch+json', call: () => p().patch('web', { spec: {} }, 'strategic'), method: 'PATCH', url: '/api/v1/namespaces/ns1/pods/web', contentType: 'application/strategic-merge-patch+json', body: { spec: {} } },
  {
    name: 'an apply patch uses application/apply-patch+yaml with fieldManager and force',
    call: () => p().patch('web', pod('web'), 'apply', { fieldManager: 'mgr', force: true }),
    method: 'PATCH',
    url: '/api/v1/namespaces/ns1/pods/web?fieldManager=mgr&force=true',
    contentType: 'application/apply-patch+yaml',
    body: pod('web'),
  },
  { name: 'a patch can target a subresource', call: () => client.resource(deployments).namespace('ns1').patch('d', { spec: { replicas: 2 } }, 'merge', { subresource: 'scale' }), method: 'PATCH', url: '/apis/apps/v1/namespaces/ns1/deployments/d/scale', body: { spec: { replicas: 2 } } },
  {
    name: 'delete sends DeleteOptions with propagation, grace period and preconditions',
    call: () => p().delete('web', { propagationPolicy: 'Foreground', gracePeriodSeconds: 0, preconditions: { uid: 'u1', resourceVersion: '7' } }),
    method: 'DELETE',
    url: '/api/v1/namespaces/ns1/pods/web',
    contentType: 'application/json',
    body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, propagationPolicy: 'Foreground', preconditions: { uid: 'u1', resourceVersion: '7' } },
  },
  { name: 'a dry-run delete says so in the query and the body', call: () => p().delete('web', { dryRun: true }), method: 'DELETE', url: '/api/v1/namespaces/ns1/pods/web?dryRun=All', body: { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'] } },
  {
    name: 'deleteCollection deletes the collection with selectors',
    call: () => p().deleteCollection({ labelSelector: { app: 'web' }, propagationPolicy: 'Background' }),
    method: 'DELETE',
    url: '/api/v1/namespaces/ns1/pods?labelSelector=app%3Dweb',
    body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
  },
  { name: 'getScale reads the scale subresource', call: () => client.resource(deployments).namespace('ns1').getScale('d'), method: 'GET', url: '/apis/apps/v1/namespaces/ns1/deployments/d/scale' },
  {
    name: 'updateSubresource puts to the named subresource',
    call: () => client.resource(deployments).namespace('ns1').updateSubresource('d', 'scale', { spec: { replicas: 3 } }),
    method: 'PUT',
    url: '/apis/apps/v1/namespaces/ns1/deployments/d/scale',
    body: { spec: { replicas: 3 } },
  },
  {
    name: 'createSubresource posts a binding',
    call: () => p().createSubresource('web', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web' }, target: { kind: 'Node', name: 'n1' } }),
    method: 'POST',
    url: '/api/v1/namespaces/ns1/pods/web/binding',
    body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web' }, target: { kind: 'Node', name: 'n1' } },
  },
  { name: 'getSubresource reads the status of a cluster-scoped object', call: () => client.resource(nodes).getSubresource('n1', 'status'), method: 'GET', url: '/api/v1/nodes/n1/status' },
];
for (const tc of cases) {
  test(tc.name, async () => {
    const r = await lastRequest(tc.call);
    assert.equal(r.method, tc.method);
    assert.equal(r.url, tc.url);
    if (tc.contentType !== undefined) assert.equal(r.headers['content-type'], tc.contentType);
    if (tc.body !== undefined) assert.deepEqual(JSON.parse(r.body), tc.body);
    else assert.equal(r.body, '');
  });
}

const misuse: { name: string; call: () => Promise<unknown> | unknown; message: RegExp }[] = [
  { name: 'a single-object call on a namespaced type without a namespace is refused', call: () => client.resource(pods).get('web'), message: /without a namespace/ },
  { name: 'choosing a namespace for a cluster-scoped type is refused', call: () => client.resource(nodes).namespace('x'), message: /not namespaced/ },
  { name: 'update without metadata.name is refused', call: () => p().update({ metadata: {} }), message: /metadata.name is empty/ },
  { name: 'server-side apply without a fieldManager is refused', call: () => p().patch('web', {}, 'apply'), message: /fieldManager/ },
];
for (const tc of misuse) {
  test(tc.name, async () => {
    const before = server.requests.length;
    await assert.rejects(async () => tc.call(), tc.message);
    assert.equal(server.requests.length, before);
  });
}

test('resourcePath builds core, grouped, namespaced and subresource paths', () => {
  assert.equal(resourcePath(pods, 'a', 'b', 'log'), '/api/v1/namespaces/a/pods/b/log');
  assert.equal(resourcePath(deployments), '/apis/apps/v1/deployments');
  assert.equal(resourcePath(nodes, 'ignored', 'n'), '/api/v1/nodes/n');
});

test('listAll follows continue tokens and returns every item with the first resourceVersion', async () => {
  const pages: Record<string, unknown> = {
    '': { kind: 'PodList', metadata: { resourceVersion: '10', continue: 'c1' }, items: [pod('a')] },
    c1: { kind: 'PodList', metadata: { resourceVersion: '10', continue: 'c2' }, items: [pod('b')] },
    c2: { kind: 'PodList', metadata: { resourceVersion: '10' }, items: [pod('c')] },
  };
  const s = await startServer((req, res) => sendJson(res, 200, pages[req.query.get('continue') ?? '']));
  const c = new RestClient({ servers: [s.url] });
  try {
    const all = await c.resource(pods).namespace('ns1').listAll({ limit: 1 });
    assert.deepEqual(
      all.items.map((i) => i.metadata?.name),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(all.metadata, { resourceVersion: '10' });
    assert.deepEqual(
      s.requests.map((r) => r.query.get('limit')),
      ['1', '1', '1'],
    );
  } finally {
    c.close();
    await s.close();
  }
});

test('listAll relists without paging when a continue token has expired', async () => {
  const s = await startServer((req, res) => {
    const cont = req.query.get('continue');
    if (cont === 'old') sendJson(res, 410, status(410, 'Expired', 'The provided continue parameter is too old'));
    else if (req.query.get('limit') === null) sendJson(res, 200, { kind: 'PodList', metadata: { resourceVersion: '20' }, items: [pod('a'), pod('b')] });
    else sendJson(res, 200, { kind: 'PodList', metadata: { resourceVersion: '10', continue: 'old' }, items: [pod('a')] });
  });
  const c = new RestClient({ servers: [s.url] });
  try {
    const all = await c.resource(pods).listAll();
    assert.equal(all.items.length, 2);
    assert.equal(all.metadata.resourceVersion, '20');
  } finally {
    c.close();
    await s.close();
  }
});

test('a 410 on the first page of listAll is thrown as GoneError', async () => {
  const s = await startServer((_req, res) => sendJson(res, 410, status(410, 'Expired', 'too old resource version: 1 (9)')));
  const c = new RestClient({ servers: [s.url] });
  try {
    await assert.rejects(c.resource(pods).listAll({ resourceVersion: '1', resourceVersionMatch: 'Exact' }), GoneError);
  } finally {
    c.close();
    await s.close();
  }
});
