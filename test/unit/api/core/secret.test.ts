import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeGoBase64, secretResource, type Secret } from '../../../../pkg/api/core/v1/index.js';
import { asNode } from '../../../../pkg/api/schema/dsl.js';
import { applyDefaults, validateSchema } from '../../../../pkg/api/schema/walk.js';
import { errorString } from '../../../../pkg/api/validation/field.js';

const def = secretResource;
const schema = asNode(def.schema);
const now = new Date('2024-05-01T12:00:00Z');
const b64 = (s: string): string => Buffer.from(s).toString('base64');

function secret(fields: Partial<Secret> = {}): Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'default', creationTimestamp: '2024-04-30T12:00:00Z' }, ...fields };
}

function defaulted(obj: Secret): Secret {
  applyDefaults(obj, schema);
  def.defaults!(obj);
  return obj;
}

const errors = (obj: Secret, old?: Secret): string[] => {
  defaulted(obj);
  return [...validateSchema(obj, schema), ...(old ? def.validateUpdate!(obj, defaulted(old)) : def.validate!(obj))].map(errorString);
};

test('a secret is Opaque by default', () => {
  assert.equal(defaulted(secret()).type, 'Opaque');
});

test('stringData is folded into data, wins over it, and is not kept', () => {
  const s = defaulted(secret({ data: { user: b64('old'), keep: b64('k') }, stringData: { user: 'admin', pass: 'pässword' } }));
  assert.deepEqual(s.data, { user: b64('admin'), keep: b64('k'), pass: b64('pässword') });
  assert.equal(s.stringData, undefined);
});

const cases: { name: string; obj: () => Secret; want: string[] }[] = [
  { name: 'an opaque secret with base64 data is valid', obj: () => secret({ data: { token: b64('abc') } }), want: [] },
  { name: 'data must be base64', obj: () => secret({ data: { token: 'abc' } }), want: ['data[token]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 0'] },
  { name: 'a TLS secret needs a certificate and a key', obj: () => secret({ type: 'kubernetes.io/tls' }), want: ['data[tls.crt]: Required value', 'data[tls.key]: Required value'] },
  {
    name: 'a basic-auth secret needs a username or a password',
    obj: () => secret({ type: 'kubernetes.io/basic-auth' }),
    want: ['data[username]: Required value', 'data[password]: Required value'],
  },
  { name: 'a basic-auth secret with only a password is valid', obj: () => secret({ type: 'kubernetes.io/basic-auth', data: { password: b64('p') } }), want: [] },
  { name: 'an ssh-auth secret needs a non-empty private key', obj: () => secret({ type: 'kubernetes.io/ssh-auth', data: { 'ssh-privatekey': '' } }), want: ['data[ssh-privatekey]: Required value'] },
  {
    name: 'a service-account token secret names its account',
    obj: () => secret({ type: 'kubernetes.io/service-account-token' }),
    want: ['metadata.annotations[kubernetes.io/service-account.name]: Required value'],
  },
  {
    name: 'a docker config must be a JSON object',
    obj: () => secret({ type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('[1]') } }),
    want: ['data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": json: cannot unmarshal array into Go value of type map[string]interface {}'],
  },
  {
    name: 'a docker config must be there',
    obj: () => secret({ type: 'kubernetes.io/dockercfg', data: {} }),
    want: ['data[.dockercfg]: Required value'],
  },
  { name: 'a well-formed docker config is valid', obj: () => secret({ type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{"auths":{}}') } }), want: [] },
];

for (const tc of cases) test(tc.name, () => assert.deepEqual(errors(tc.obj()), tc.want));

test('the total size of a secret is limited to 1 MiB of decoded bytes', () => {
  const errs = def.validate!(defaulted(secret({ data: { a: Buffer.alloc(1024 * 1024 + 1).toString('base64') } })));
  assert.deepEqual(errs.map((e) => [e.type, e.field]), [['FieldValueTooLong', 'data']]);
});

test('the type of a secret cannot change', () => {
  assert.deepEqual(errors(secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } }), secret()), [
    'type: Invalid value: "kubernetes.io/tls": field is immutable',
  ]);
});

test('an immutable secret keeps its data', () => {
  assert.deepEqual(errors(secret({ immutable: true, data: { a: b64('2') } }), secret({ immutable: true, data: { a: b64('1') } })), [
    'data: Forbidden: field is immutable when `immutable` is set',
  ]);
});

const b64Cases: { name: string; input: string; want: string | number }[] = [
  { name: 'padded base64 decodes', input: 'aGVsbG8=', want: 5 },
  { name: 'line breaks inside base64 are skipped', input: 'aGVs\nbG8=\r\n', want: 5 },
  { name: 'a character outside the alphabet is an error at its offset', input: 'aGV*bG8=', want: 'illegal base64 data at input byte 3' },
  { name: 'missing padding is an error at the start of the short quantum', input: 'aGVsbG8', want: 'illegal base64 data at input byte 4' },
  { name: 'data after the padding is an error', input: 'aGVsbA==aGVs', want: 'illegal base64 data at input byte 8' },
  { name: 'the empty string decodes to nothing', input: '', want: 0 },
];

for (const tc of b64Cases) {
  test(tc.name, () => {
    const r = decodeGoBase64(tc.input);
    assert.deepEqual('bytes' in r ? r.bytes.length : r.error, tc.want);
  });
}

test('the table shows the type and the number of entries', () => {
  assert.deepEqual(def.table!.cells(defaulted(secret({ data: { a: b64('1'), b: b64('2') } })), now), ['creds', 'Opaque', 2, '24h']);
});

test('secrets can be selected by type', () => {
  assert.equal(def.fieldSelectors!['type']!(secret({ type: 'kubernetes.io/tls' })), 'kubernetes.io/tls');
});
