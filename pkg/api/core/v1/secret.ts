// core/v1 Secret: small pieces of sensitive data, stored base64-encoded. `stringData` is a
// write-only convenience: it is folded into `data` on every write and never stored.
import { isDeepStrictEqual } from 'node:util';
import { listSchema, resourceSchema } from '../../meta/v1.js';
import { age } from '../../printers/age.js';
import type { ResourceDef } from '../../registry.js';
import { boolean, map, string, withDefault, type Static } from '../../schema/dsl.js';
import { FieldPath, forbidden, invalid, required, tooLong, type FieldError } from '../../validation/field.js';
import { isConfigMapKey } from '../../validation/names.js';
import { validateImmutableField } from '../../validation/objectmeta.js';

/** Largest total size of a Secret's (or ConfigMap's) values, in bytes. */
export const maxSecretSize = 1024 * 1024;

export const SecretTypes = {
  opaque: 'Opaque',
  serviceAccountToken: 'kubernetes.io/service-account-token',
  dockercfg: 'kubernetes.io/dockercfg',
  dockerConfigJson: 'kubernetes.io/dockerconfigjson',
  basicAuth: 'kubernetes.io/basic-auth',
  sshAuth: 'kubernetes.io/ssh-auth',
  tls: 'kubernetes.io/tls',
  bootstrapToken: 'bootstrap.kubernetes.io/token',
} as const;

export const SecretSchema = resourceSchema('io.k8s.api.core.v1.Secret', 'Holds sensitive data such as passwords, tokens or keys. Values are base64-encoded; the total size is limited to 1 MiB.', {
  immutable: boolean('When true, data and type can no longer change; only metadata can be updated.'),
  data: map(string('', { format: 'byte' }), 'The secret data: keys of alphanumerics, "-", "_" or ".", values base64-encoded.'),
  stringData: map(string(''), 'Write-only plain-text values, merged into data (overwriting it) on every write and never returned.'),
  type: withDefault(string('How the data is meant to be used (Opaque, kubernetes.io/tls, ...); decides which keys are required.'), 'Opaque'),
});
export type Secret = Static<typeof SecretSchema>;
export const SecretListSchema = listSchema('io.k8s.api.core.v1.SecretList', SecretSchema);

const b64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const b64Index = new Int16Array(256).fill(-1);
for (let i = 0; i < b64Alphabet.length; i++) b64Index[b64Alphabet.charCodeAt(i)] = i;
const CR = 13;
const LF = 10;
const PAD = 61;

/**
 * Decodes standard padded base64 the way Go's encoding/json decodes a []byte: CR and LF are
 * skipped, anything else outside the alphabet is an error at its byte offset.
 */
export function decodeGoBase64(s: string): { bytes: Buffer } | { error: string } {
  const src = Buffer.from(s, 'utf8');
  const isNL = (i: number): boolean => src[i] === CR || src[i] === LF;
  const fail = (at: number): { error: string } => ({ error: `illegal base64 data at input byte ${at}` });
  const out: number[] = [];
  let si = 0;
  let done = false;
  while (!done && si < src.length) {
    const q: number[] = [];
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) {
          done = true;
          break;
        }
        return fail(si - j);
      }
      const c = src[si]!;
      si++;
      const v = b64Index[c]!;
      if (v >= 0) {
        q.push(v);
        continue;
      }
      if (c === CR || c === LF) {
        j--;
        continue;
      }
      if (c !== PAD) return fail(si - 1);
      // Padding is allowed only after two or three symbols, and must end the input.
      if (j < 2) return fail(si - 1);
      if (j === 2) {
        while (si < src.length && isNL(si)) si++;
        if (si === src.length) return fail(src.length);
        if (src[si] !== PAD) return fail(si - 1);
        si++;
      }
      while (si < src.length && isNL(si)) si++;
      if (si < src.length) return fail(si);
      done = true;
      break;
    }
    if (q.length >= 2) out.push(((q[0]! << 2) | (q[1]! >> 4)) & 0xff);
    if (q.length >= 3) out.push(((q[1]! << 4) | (q[2]! >> 2)) & 0xff);
    if (q.length >= 4) out.push(((q[2]! << 6) | q[3]!) & 0xff);
  }
  return { bytes: Buffer.from(out) };
}

/** Decoded bytes of a base64 map value; undefined when it is not valid base64. */
function decoded(value: string | undefined): Buffer | undefined {
  const r = decodeGoBase64(value ?? '');
  return 'bytes' in r ? r.bytes : undefined;
}

/** The first-character message Go's JSON decoder gives for text that is not a JSON object. */
function jsonObjectError(text: string): string | undefined {
  const t = text.trim();
  if (t === '') return 'unexpected end of JSON input';
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch (e) {
    const first = t[0]!;
    if (!'{["-0123456789tfn'.includes(first)) return `invalid character '${first}' looking for beginning of value`;
    return e instanceof SyntaxError && /end of (JSON )?input/i.test(e.message) ? 'unexpected end of JSON input' : 'invalid character in JSON input';
  }
  if (parsed === null || (typeof parsed === 'object' && !Array.isArray(parsed))) return undefined;
  const kind = Array.isArray(parsed) ? 'array' : typeof parsed === 'boolean' ? 'bool' : typeof parsed;
  return `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`;
}

const redacted = '<secret contents redacted>';

export function validateSecret(secret: Secret): FieldError[] {
  const errs: FieldError[] = [];
  const dataPath = FieldPath.root('data');
  const data = secret.data ?? {};
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    for (const msg of isConfigMapKey(key)) errs.push(invalid(dataPath.key(key), key, msg));
    const r = decodeGoBase64(value);
    if ('error' in r) errs.push(invalid(dataPath.key(key), redacted, r.error));
    else total += r.bytes.length;
  }
  if (total > maxSecretSize) errs.push(tooLong(dataPath, '', maxSecretSize));

  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(data, k);
  switch (secret.type) {
    case SecretTypes.serviceAccountToken:
      // Only the name annotation is needed up front; the token controller fills in the rest.
      if (!secret.metadata?.annotations?.['kubernetes.io/service-account.name']) {
        errs.push(required(FieldPath.root('metadata').child('annotations').key('kubernetes.io/service-account.name')));
      }
      break;
    case SecretTypes.dockercfg:
    case SecretTypes.dockerConfigJson: {
      const key = secret.type === SecretTypes.dockercfg ? '.dockercfg' : '.dockerconfigjson';
      if (!has(key)) {
        errs.push(required(dataPath.key(key)));
        break;
      }
      const bytes = decoded(data[key]);
      const msg = bytes ? jsonObjectError(bytes.toString('utf8')) : undefined;
      if (msg) errs.push(invalid(dataPath.key(key), redacted, msg));
      break;
    }
    case SecretTypes.basicAuth:
      if (!has('username') && !has('password')) errs.push(required(dataPath.key('username')), required(dataPath.key('password')));
      break;
    case SecretTypes.sshAuth:
      if ((decoded(data['ssh-privatekey'])?.length ?? 0) === 0) errs.push(required(dataPath.key('ssh-privatekey')));
      break;
    case SecretTypes.tls:
      if (!has('tls.crt')) errs.push(required(dataPath.key('tls.crt')));
      if (!has('tls.key')) errs.push(required(dataPath.key('tls.key')));
      break;
    default:
      break;
  }
  return errs;
}

export function validateSecretUpdate(secret: Secret, old: Secret): FieldError[] {
  const errs = validateImmutableField(secret.type, old.type, FieldPath.root('type'));
  if (old.immutable === true) {
    if (secret.immutable !== true) errs.push(forbidden(FieldPath.root('immutable'), 'field is immutable when `immutable` is set'));
    if (!isDeepStrictEqual(secret.data ?? {}, old.data ?? {})) errs.push(forbidden(FieldPath.root('data'), 'field is immutable when `immutable` is set'));
  }
  return [...errs, ...validateSecret(secret)];
}

/** Folds stringData into data (stringData wins) and drops it, as the v1 conversion does. */
export function mergeStringData(secret: Secret): void {
  if (secret.stringData === undefined) return;
  const data = { ...(secret.data ?? {}) };
  for (const [k, v] of Object.entries(secret.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  delete secret.stringData;
  if (Object.keys(data).length > 0) secret.data = data;
}

function defaultSecret(secret: Secret): void {
  // An explicit empty type means Opaque too.
  secret.type ||= SecretTypes.opaque;
  mergeStringData(secret);
}

export const secretResource: ResourceDef<Secret> = {
  group: '',
  version: 'v1',
  kind: 'Secret',
  listKind: 'SecretList',
  plural: 'secrets',
  singular: 'secret',
  namespaced: true,
  schema: SecretSchema,
  nameValidation: 'subdomain',
  defaults: defaultSecret,
  validate: validateSecret,
  validateUpdate: validateSecretUpdate,
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the secret.', priority: 0 },
      { name: 'Type', type: 'string', description: 'How the data is meant to be used.', priority: 0 },
      { name: 'Data', type: 'string', description: 'Number of data entries.', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the secret was created.', priority: 0 },
    ],
    cells: (s, now) => [s.metadata?.name ?? '', s.type ?? '', Object.keys(s.data ?? {}).length, age(s.metadata?.creationTimestamp, now)],
  },
  fieldSelectors: { type: (s) => s.type ?? '' },
};
