import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceAccountResource, type ServiceAccount } from '../../../../pkg/api/core/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { validateSchema } from '../../../../pkg/api/schema/walk.js';

const def = serviceAccountResource;
const now = new Date('2024-05-01T12:00:00Z');

const sa = (fields: Partial<ServiceAccount> = {}): ServiceAccount => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name: 'builder', namespace: 'ci', creationTimestamp: '2024-04-29T12:00:00Z' },
  ...fields,
});

test('a service account with secrets and pull secrets is valid', () => {
  const obj = sa({ secrets: [{ name: 'token' }], imagePullSecrets: [{ name: 'registry' }], automountServiceAccountToken: false });
  assert.deepEqual(validateSchema(obj, asNode(def.schema)), []);
});

test('the SECRETS column counts the listed secrets', () => {
  assert.deepEqual(def.table!.cells(sa({ secrets: [{ name: 'a' }, { name: 'b' }] }), now), ['builder', 2, '2d']);
  assert.deepEqual(def.table!.cells(sa(), now), ['builder', 0, '2d']);
});

test('secrets merge by name in strategic merge patches', () => {
  const secrets = asNode(def.schema).properties!['secrets']!;
  assert.equal(secrets['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(secrets['x-kubernetes-patch-strategy'], 'merge');
});
