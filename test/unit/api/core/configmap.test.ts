import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configMapResource, type ConfigMap } from '../../../../pkg/api/core/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';
import { isConfigMapKey } from '../../../../pkg/api/validation/names.js';

const def = configMapResource;
const schema = asNode(def.schema);
const now = new Date('2024-05-01T12:00:00Z');

function cm(fields: Partial<ConfigMap> = {}): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default', creationTimestamp: '2024-05-01T11:59:30Z' }, ...fields };
}

const errors = (obj: ConfigMap, old?: ConfigMap): string[] =>
  [...validateSchema(obj, schema), ...(old ? def.validateUpdate!(obj, old) : def.validate!(obj))].map(errorString);

const cases: { name: string; obj: () => ConfigMap; want: string[] }[] = [
  { name: 'string and binary data with distinct keys are valid', obj: () => cm({ data: { 'app.properties': 'a=b' }, binaryData: { logo: 'iVBORw0K' } }), want: [] },
  { name: 'keys must be config-map keys', obj: () => cm({ data: { 'a b': 'x' } }), want: [`data[a b]: Invalid value: "a b": ${isConfigMapKey('a b')[0]}`] },
  { name: 'a key may not be both in data and binaryData', obj: () => cm({ data: { k: 'x' }, binaryData: { k: 'eA==' } }), want: ['data[k]: Invalid value: "k": duplicate of key present in binaryData'] },
  { name: 'binary values must be base64', obj: () => cm({ binaryData: { k: 'not base64!' } }), want: ['binaryData[k]: Invalid value: "not base64!": illegal base64 data at input byte 3'] },
];

for (const tc of cases) test(tc.name, () => assert.deepEqual(errors(tc.obj()), tc.want));

test('more than 1 MiB of data in total is too long, reported for the whole object', () => {
  const errs = def.validate!(cm({ data: { a: 'x'.repeat(600 * 1024), b: 'y'.repeat(600 * 1024) } }));
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.type, 'FieldValueTooLong');
  assert.equal(errs[0]!.field, '');
});

test('exactly 1 MiB of data is accepted', () => {
  assert.deepEqual(def.validate!(cm({ data: { a: 'x'.repeat(1024 * 1024) } })), []);
});

test('an immutable config map keeps its data and its immutability', () => {
  const old = cm({ immutable: true, data: { a: '1' }, binaryData: { b: 'eA==' } });
  assert.deepEqual(errors(cm({ immutable: false, data: { a: '2' }, binaryData: {} }), old), [
    'immutable: Forbidden: field is immutable when `immutable` is set',
    'data: Forbidden: field is immutable when `immutable` is set',
    'binaryData: Forbidden: field is immutable when `immutable` is set',
  ]);
  assert.deepEqual(errors(cm({ immutable: true, data: { a: '1' }, binaryData: { b: 'eA==' }, metadata: { name: 'cfg', labels: { x: 'y' } } }), old), []);
});

test('a mutable config map can change its data', () => {
  assert.deepEqual(errors(cm({ data: { a: '2' } }), cm({ data: { a: '1' } })), []);
});

test('the DATA column counts string and binary entries', () => {
  assert.deepEqual(def.table!.cells(cm({ data: { a: '1', b: '2' }, binaryData: { c: 'eA==' } }), now), ['cfg', 3, '30s']);
  assert.deepEqual(def.table!.cells(cm(), now), ['cfg', 0, '30s']);
});
