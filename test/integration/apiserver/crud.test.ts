import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer, type TestCluster } from '../../helpers/apiserver.js';

type Obj = { metadata: Record<string, unknown>; [k: string]: unknown };

describe('apiserver CRUD on a real etcd', () => {
  let c: TestCluster;
  before(async () => {
    c = await startApiServer();
  });
  after(async () => {
    await c.stop();
  });

  const cm = (name: string, data: Record<string, string> = { a: '1' }): object => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

  test('the bootstrap namespaces exist at start', async () => {
    const res = await c.request('GET', '/api/v1/namespaces');
    assert.equal(res.status, 200);
    const names = (res.body as { items: Obj[] }).items.map((n) => n.metadata['name']);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(names.includes(ns), ns);
  });

  test('create returns 201 with uid, creationTimestamp and resourceVersion = etcd mod revision', async () => {
    const res = await c.request('POST', '/api/v1/namespaces/default/configmaps', cm('crud-one'));
    assert.equal(res.status, 201);
    const obj = res.body as Obj;
    assert.match(String(obj.metadata['uid']), /^[0-9a-f-]{36}$/);
    assert.match(String(obj.metadata['creationTimestamp']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const got = await c.request('GET', '/api/v1/namespaces/default/configmaps/crud-one');
    assert.equal((got.body as Obj).metadata['resourceVersion'], obj.metadata['resourceVersion']);
    assert.equal((got.body as Obj)['kind'], 'ConfigMap');
  });

  test('creating an existing name is 409 AlreadyExists as a Status', async () => {
    await c.request('POST', '/api/v1/namespaces/default/configmaps', cm('crud-dup'));
    const res = await c.request('POST', '/api/v1/namespaces/default/configmaps', cm('crud-dup'));
    assert.equal(res.status, 409);
    assert.deepEqual(res.body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'configmaps "crud-dup" already exists',
      reason: 'AlreadyExists',
      details: { name: 'crud-dup', kind: 'configmaps' },
      code: 409,
    });
  });

  test('generateName produces a unique name with a five-character suffix', async () => {
    const res = await c.request('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } });
    assert.equal(res.status, 201);
    assert.match(String((res.body as Obj).metadata['name']), /^gen-[a-z0-9]{5}$/);
  });

  test('an update with a stale resourceVersion is 409 Conflict', async () => {
    const created = (await c.request('POST', '/api/v1/namespaces/default/configmaps', cm('crud-cas'))).body as Obj;
    const first = await c.request('PUT', '/api/v1/namespaces/default/configmaps/crud-cas', { ...created, data: { a: '2' } });
    assert.equal(first.status, 200);
    const stale = await c.request('PUT', '/api/v1/namespaces/default/configmaps/crud-cas', { ...created, data: { a: '3' } });
    assert.equal(stale.status, 409);
    assert.equal((stale.body as { reason: string }).reason, 'Conflict');
    assert.equal(
      (stale.body as { message: string }).message,
      'Operation cannot be fulfilled on configmaps "crud-cas": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  test('creating in a namespace that does not exist is 404 for the namespace', async () => {
    const res = await c.request('POST', '/api/v1/namespaces/nope/configmaps', cm('x'));
    assert.equal(res.status, 404);
    assert.equal((res.body as { message: string }).message, 'namespaces "nope" not found');
  });

  test('an invalid name is 422 with the upstream message and cause', async () => {
    const res = await c.request('POST', '/api/v1/namespaces/default/configmaps', cm('Bad_Name'));
    assert.equal(res.status, 422);
    const body = res.body as { message: string; reason: string; details: { causes: { field: string }[] } };
    assert.equal(body.reason, 'Invalid');
    assert.match(body.message, /^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of/);
    assert.equal(body.details.causes[0]?.field, 'metadata.name');
  });

  test('malformed JSON is 400 and the server keeps serving', async () => {
    const res = await c.request('POST', '/api/v1/namespaces/default/configmaps', '{"apiVersion": "v1", kind');
    assert.equal(res.status, 400);
    assert.equal((res.body as { kind: string }).kind, 'Status');
    assert.equal((await c.request('GET', '/api/v1/namespaces/default/configmaps')).status, 200);
  });

  test('a kind that does not match the URL is 400', async () => {
    const res = await c.request('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } });
    assert.equal(res.status, 400);
  });

  test('unknown fields are refused with fieldValidation=Strict and reported as warnings by default', async () => {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'crud-unknown' }, data: {}, bogus: 1 };
    const strict = await c.request('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', body);
    assert.equal(strict.status, 400);
    assert.match((strict.body as { message: string }).message, /strict decoding error: unknown field "bogus"/);
    const warn = await c.request('POST', '/api/v1/namespaces/default/configmaps', body);
    assert.equal(warn.status, 201);
    assert.match(warn.headers.get('warning') ?? '', /unknown field \\"bogus\\"/);
  });

  test('an unknown resource is 404 NotFound as a Status', async () => {
    const res = await c.request('GET', '/api/v1/namespaces/default/widgets');
    assert.equal(res.status, 404);
    assert.equal((res.body as { reason: string }).reason, 'NotFound');
  });

  test('a body over 3 MiB is 413', async () => {
    const big = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x'.repeat(3 * 1024 * 1024 + 10) } };
    const res = await c.request('POST', '/api/v1/namespaces/default/configmaps', big);
    assert.equal(res.status, 413);
  });

  test('delete removes the object and returns a Success Status for configmaps', async () => {
    await c.request('POST', '/api/v1/namespaces/default/configmaps', cm('crud-del'));
    const res = await c.request('DELETE', '/api/v1/namespaces/default/configmaps/crud-del');
    assert.equal(res.status, 200);
    assert.equal((res.body as { status: string }).status, 'Success');
    assert.equal((await c.request('GET', '/api/v1/namespaces/default/configmaps/crud-del')).status, 404);
  });

  test('finalizers hold a deleted object until the last one is removed', async () => {
    const created = (await c.request('POST', '/api/v1/namespaces/default/configmaps', { ...cm('crud-fin'), metadata: { name: 'crud-fin', finalizers: ['example.com/hold'] } })).body as Obj;
    assert.ok(created.metadata['uid']);
    const del = await c.request('DELETE', '/api/v1/namespaces/default/configmaps/crud-fin');
    assert.equal(del.status, 200);
    const held = (await c.request('GET', '/api/v1/namespaces/default/configmaps/crud-fin')).body as Obj;
    assert.ok(held.metadata['deletionTimestamp'], 'deletionTimestamp is set');
    const patched = await c.request('PATCH', '/api/v1/namespaces/default/configmaps/crud-fin', { metadata: { finalizers: null } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(patched.status, 200);
    assert.equal((await c.request('GET', '/api/v1/namespaces/default/configmaps/crud-fin')).status, 404);
  });

  test('delete preconditions on uid are enforced', async () => {
    await c.request('POST', '/api/v1/namespaces/default/configmaps', cm('crud-pre'));
    const res = await c.request('DELETE', '/api/v1/namespaces/default/configmaps/crud-pre', { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'not-the-uid' } });
    assert.equal(res.status, 409);
    assert.match((res.body as { message: string }).message, /Precondition failed: UID in precondition: not-the-uid/);
  });

  test('deleting a namespace puts it in Terminating with the kubernetes finalizer, and refuses new content', async () => {
    await c.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
    const del = await c.request('DELETE', '/api/v1/namespaces/doomed');
    assert.equal(del.status, 200);
    const ns = (await c.request('GET', '/api/v1/namespaces/doomed')).body as Obj;
    assert.equal((ns['status'] as { phase: string }).phase, 'Terminating');
    assert.deepEqual((ns['spec'] as { finalizers: string[] }).finalizers, ['kubernetes']);
    const create = await c.request('POST', '/api/v1/namespaces/doomed/configmaps', cm('late'));
    assert.equal(create.status, 403);
    assert.match((create.body as { message: string }).message, /unable to create new content in namespace doomed because it is being terminated/);
  });

  test('the default namespace cannot be deleted', async () => {
    const res = await c.request('DELETE', '/api/v1/namespaces/default');
    assert.equal(res.status, 403);
  });

  test('an update without a resourceVersion applies unconditionally to the stored object', async () => {
    const path = '/api/v1/namespaces/default/configmaps';
    assert.equal((await c.request('POST', path, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unconditional' }, data: { v: '1' } })).status, 201);
    const res = await c.request('PUT', `${path}/unconditional`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unconditional' }, data: { v: '2' } });
    assert.equal(res.status, 200, res.text);
    const got = (await c.request('GET', `${path}/unconditional`)).body as { data: { v: string }; metadata: { resourceVersion: string } };
    assert.equal(got.data.v, '2');
    assert.equal(got.metadata.resourceVersion, (res.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
  });
});
