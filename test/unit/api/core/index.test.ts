import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resources } from '../../../../pkg/api/core/v1/index.js';
import { Registry } from '../../../../pkg/api/registry.js';

test('the core group serves every core kind once, in the legacy group', () => {
  const reg = new Registry(resources);
  assert.deepEqual(
    reg.all().map((d) => d.kind).sort(),
    ['ConfigMap', 'Endpoints', 'Event', 'LimitRange', 'Namespace', 'Node', 'PersistentVolume', 'PersistentVolumeClaim', 'Pod', 'ResourceQuota', 'Secret', 'Service', 'ServiceAccount'],
  );
  for (const d of resources) assert.equal(d.group, '', d.kind);
});

test('cluster-scoped kinds are namespaces, nodes and persistent volumes', () => {
  assert.deepEqual(resources.filter((d) => !d.namespaced).map((d) => d.kind).sort(), ['Namespace', 'Node', 'PersistentVolume']);
});

test('kinds with a status serve it through the status subresource', () => {
  const withStatus = resources.filter((d) => d.subresources?.status).map((d) => d.kind).sort();
  assert.deepEqual(withStatus, ['Namespace', 'Node', 'PersistentVolume', 'PersistentVolumeClaim', 'Pod', 'ResourceQuota', 'Service']);
});

test('every kind has a table whose NAME column is marked as the name', () => {
  for (const d of resources) {
    const name = d.table?.columns.find((c) => c.name === 'Name');
    assert.equal(name?.format, 'name', d.kind);
  }
});
