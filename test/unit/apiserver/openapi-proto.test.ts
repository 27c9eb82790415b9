import assert from 'node:assert/strict';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { StatusError } from '../../../pkg/api/errors.js';
import { builtinRegistry } from '../../../pkg/api/index.js';
import { OpenAPIDocuments } from '../../../pkg/apiserver/openapi.js';
import {
  encodeOpenAPIV2,
  negotiateOpenAPIV2,
  OPENAPI_V2_PROTOBUF,
  OPENAPI_V2_PROTOBUF_DEPRECATED,
  serveOpenAPIV2,
  yamlText,
  type OpenAPIV2Format,
} from '../../../pkg/apiserver/openapi-proto.js';

// A minimal protobuf wire reader, enough to walk the encoded messages by field number.
interface WireField {
  readonly no: number;
  readonly wire: number;
  readonly int?: bigint;
  readonly bytes?: Buffer;
}

function readVarint(buf: Buffer, at: number): [bigint, number] {
  let v = 0n;
  let shift = 0n;
  for (;;) {
    const b = buf[at++];
    if (b === undefined) throw new Error('truncated varint');
    v |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [v, at];
    shift += 7n;
  }
}

function wireFields(buf: Buffer): WireField[] {
  const out: WireField[] = [];
  let at = 0;
  while (at < buf.length) {
    const [key, next] = readVarint(buf, at);
    at = next;
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [v, n] = readVarint(buf, at);
      at = n;
      out.push({ no, wire, int: v });
    } else if (wire === 1) {
      out.push({ no, wire, bytes: buf.subarray(at, at + 8) });
      at += 8;
    } else if (wire === 2) {
      const [len, n] = readVarint(buf, at);
      out.push({ no, wire, bytes: buf.subarray(n, n + Number(len)) });
      at = n + Number(len);
    } else {
      throw new Error(`unexpected wire type ${wire}`);
    }
  }
  return out;
}

const subs = (buf: Buffer, no: number): Buffer[] => wireFields(buf).filter((f) => f.no === no).map((f) => f.bytes!);
const sub = (buf: Buffer, no: number): Buffer => {
  const all = subs(buf, no);
  assert.equal(all.length, 1, `field ${no} present once`);
  return all[0]!;
};
const strings = (buf: Buffer, no: number): string[] => subs(buf, no).map((b) => b.toString('utf8'));
const varint = (buf: Buffer, no: number): bigint | undefined => wireFields(buf).find((f) => f.no === no)?.int;
const fieldNumbers = (buf: Buffer): number[] => wireFields(buf).map((f) => f.no);

/** Named* lists (NamedSchema, NamedPathItem, NamedAny ...) as name → value bytes. */
function namedEntries(buf: Buffer, no: number): Map<string, Buffer> {
  return new Map(subs(buf, no).map((e) => [strings(e, 1)[0] ?? '', sub(e, 2)]));
}

/** NamedAny vendor extensions as name → YAML text. */
function extensions(buf: Buffer, no: number): Map<string, string> {
  return new Map([...namedEntries(buf, no)].map(([k, any]) => [k, strings(any, 2)[0] ?? '']));
}

const encoded = (doc: unknown): Buffer => Buffer.from(encodeOpenAPIV2(doc));

// Document fields: swagger 1, info 2, paths 8, definitions 9. Schema: $ref 1, description 4,
// default 5, required 19, enum 20, additionalProperties 21, type 22, items 23, properties 25, x-* 31.
function definitionsOf(doc: Buffer): Map<string, Buffer> {
  return namedEntries(sub(doc, 9), 1);
}

const negotiation: { name: string; accept: string | undefined; want: OpenAPIV2Format | undefined }[] = [
  { name: 'no Accept header gets JSON', accept: undefined, want: 'json' },
  { name: 'an empty Accept header gets JSON', accept: '', want: 'json' },
  { name: 'a wildcard gets JSON', accept: '*/*', want: 'json' },
  { name: 'application/* gets JSON', accept: 'application/*', want: 'json' },
  { name: 'application/json gets JSON', accept: 'application/json', want: 'json' },
  { name: 'the spelling client-go sends gets protobuf', accept: OPENAPI_V2_PROTOBUF_DEPRECATED, want: 'protobuf' },
  { name: 'the current protobuf media type gets protobuf', accept: OPENAPI_V2_PROTOBUF, want: 'protobuf' },
  { name: 'the higher quality wins over order', accept: `application/json;q=0.5, ${OPENAPI_V2_PROTOBUF}`, want: 'protobuf' },
  { name: 'a specific type wins over a wildcard of the same quality', accept: `*/*, ${OPENAPI_V2_PROTOBUF}`, want: 'protobuf' },
  { name: 'a type refused with q=0 is skipped', accept: `${OPENAPI_V2_PROTOBUF};q=0, application/json`, want: 'json' },
  { name: 'an unserved type alone is not acceptable', accept: 'text/html', want: undefined },
  { name: 'an unserved type falls back to a listed wildcard', accept: 'text/html, */*;q=0.1', want: 'json' },
  { name: 'media types compare case-insensitively', accept: 'Application/JSON', want: 'json' },
];

for (const tc of negotiation) {
  test(`negotiation: ${tc.name}`, () => {
    assert.equal(negotiateOpenAPIV2(tc.accept), tc.want);
  });
}

const yamlCases: { name: string; value: unknown; want: string }[] = [
  { name: 'strings are double-quoted so YAML 1.1 does not read "on" as a boolean', value: 'on', want: '"on"\n' },
  { name: 'a group-version-kind list is a flow sequence of flow mappings', value: [{ group: '', version: 'v1', kind: 'Pod' }], want: '[{"group": "", "version": "v1", "kind": "Pod"}]\n' },
  { name: 'numbers, booleans and null stay plain', value: [1, 2.5, true, null], want: '[1, 2.5, true, null]\n' },
  { name: 'YAML 1.1 line separators are escaped inside quotes', value: 'a\u2028b', want: '"a\\u2028b"\n' },
];

for (const tc of yamlCases) {
  test(`yamlText: ${tc.name}`, () => {
    assert.equal(yamlText(tc.value), tc.want);
  });
}

const sample = {
  swagger: '2.0',
  info: { title: 'Kubernetes', version: 'v1.32.0' },
  paths: {
    '/api/v1/namespaces/{namespace}/configmaps/{name}': {
      patch: {
        operationId: 'patchConfigMap',
        consumes: ['application/merge-patch+json'],
        'x-kubernetes-action': 'patch',
        parameters: [
          { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.api.core.v1.ConfigMap' } },
          { name: 'fieldValidation', in: 'query', type: 'string', uniqueItems: true },
        ],
        responses: { '200': { description: 'OK', schema: { $ref: '#/definitions/io.k8s.api.core.v1.ConfigMap' } } },
      },
      parameters: [{ name: 'name', in: 'path', required: true, type: 'string' }, { $ref: '#/parameters/namespace' }],
    },
  },
  definitions: {
    'io.k8s.api.core.v1.ConfigMap': {
      description: 'Configuration data.',
      type: 'object',
      required: ['data'],
      properties: {
        data: { type: 'object', additionalProperties: { type: 'string' } },
        immutable: { type: 'boolean', default: false },
        ports: { type: 'array', items: { $ref: '#/definitions/io.k8s.api.core.v1.Port' }, 'x-kubernetes-patch-merge-key': 'containerPort', 'x-kubernetes-patch-strategy': 'merge' },
        policy: { type: 'string', enum: ['Always', 'Never'] },
      },
      'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'ConfigMap' }],
    },
    'io.k8s.api.core.v1.Port': { type: 'object', properties: {}, additionalProperties: false },
  },
};

test('the document carries swagger, info, paths and definitions at fields 1, 2, 8 and 9', () => {
  const doc = encoded(sample);
  assert.deepEqual(fieldNumbers(doc), [1, 2, 8, 9]);
  assert.deepEqual(strings(doc, 1), ['2.0']);
  assert.deepEqual(strings(sub(doc, 2), 1), ['Kubernetes']);
  assert.deepEqual(strings(sub(doc, 2), 2), ['v1.32.0']);
  assert.deepEqual([...definitionsOf(doc).keys()], ['io.k8s.api.core.v1.ConfigMap', 'io.k8s.api.core.v1.Port']);
});

test('a definition keeps its type, required list, properties in order and its group-version-kind extension', () => {
  const cm = definitionsOf(encoded(sample)).get('io.k8s.api.core.v1.ConfigMap')!;
  assert.deepEqual(strings(cm, 4), ['Configuration data.']);
  assert.deepEqual(strings(sub(cm, 22), 1), ['object']);
  assert.deepEqual(strings(cm, 19), ['data']);
  assert.deepEqual([...namedEntries(sub(cm, 25), 1).keys()], ['data', 'immutable', 'ports', 'policy']);
  assert.deepEqual(extensions(cm, 31), new Map([['x-kubernetes-group-version-kind', '[{"group": "", "version": "v1", "kind": "ConfigMap"}]\n']]));
});

test('map, array, default, enum and patch extensions are encoded as gnostic reads them', () => {
  const props = namedEntries(sub(definitionsOf(encoded(sample)).get('io.k8s.api.core.v1.ConfigMap')!, 25), 1);
  const valueSchema = sub(sub(props.get('data')!, 21), 1);
  assert.deepEqual(strings(sub(valueSchema, 22), 1), ['string']);
  assert.deepEqual(strings(sub(props.get('immutable')!, 5), 2), ['false\n']);
  const item = sub(sub(props.get('ports')!, 23), 1);
  assert.deepEqual(strings(item, 1), ['#/definitions/io.k8s.api.core.v1.Port']);
  assert.deepEqual(
    extensions(props.get('ports')!, 31),
    new Map([
      ['x-kubernetes-patch-merge-key', '"containerPort"\n'],
      ['x-kubernetes-patch-strategy', '"merge"\n'],
    ]),
  );
  assert.deepEqual(subs(props.get('policy')!, 20).map((any) => strings(any, 2)[0]), ['"Always"\n', '"Never"\n']);
});

test('additionalProperties false is written as a present boolean and empty properties stay present', () => {
  const port = definitionsOf(encoded(sample)).get('io.k8s.api.core.v1.Port')!;
  const additional = sub(port, 21);
  assert.equal(varint(additional, 2), 0n);
  assert.deepEqual(fieldNumbers(additional), [2]);
  assert.equal(sub(port, 25).length, 0);
});

test('body, query, path and referenced parameters land in their oneof members', () => {
  const paths = sub(encoded(sample), 8);
  const item = namedEntries(paths, 2).get('/api/v1/namespaces/{namespace}/configmaps/{name}')!;
  const patch = sub(item, 8);
  assert.deepEqual(strings(patch, 5), ['patchConfigMap']);
  assert.deepEqual(strings(patch, 7), ['application/merge-patch+json']);
  assert.deepEqual(extensions(patch, 13), new Map([['x-kubernetes-action', '"patch"\n']]));
  const [body, query] = subs(patch, 8);
  const bodyParam = sub(sub(body!, 1), 1);
  assert.deepEqual(strings(bodyParam, 2), ['body']);
  assert.equal(varint(bodyParam, 4), 1n);
  assert.deepEqual(strings(sub(bodyParam, 5), 1), ['#/definitions/io.k8s.api.core.v1.ConfigMap']);
  const queryParam = sub(sub(sub(query!, 1), 2), 3);
  assert.deepEqual(strings(queryParam, 4), ['fieldValidation']);
  assert.deepEqual(strings(queryParam, 6), ['string']);
  assert.equal(varint(queryParam, 20), 1n);
  const [name, ref] = subs(item, 9);
  const pathParam = sub(sub(sub(name!, 1), 2), 4);
  assert.deepEqual(strings(pathParam, 5), ['string']);
  assert.equal(varint(pathParam, 1), 1n);
  assert.deepEqual(strings(sub(ref!, 2), 1), ['#/parameters/namespace']);
  const ok = namedEntries(sub(patch, 9), 1).get('200')!;
  const response = sub(ok, 1);
  assert.deepEqual(strings(response, 1), ['OK']);
  assert.deepEqual(strings(sub(sub(response, 2), 1), 1), ['#/definitions/io.k8s.api.core.v1.ConfigMap']);
});

test('numbers use double and varint encodings and repeated strings keep empty elements', () => {
  const doc = encoded({
    swagger: '2.0',
    info: { title: 't', version: 'v' },
    paths: {},
    definitions: { N: { type: 'integer', minimum: -1.5, maxLength: 3, required: ['', 'a'] } },
  });
  const n = definitionsOf(doc).get('N')!;
  assert.equal(wireFields(n).find((f) => f.no === 9)!.bytes!.readDoubleLE(), -1.5);
  assert.equal(varint(n, 11), 3n);
  assert.deepEqual(strings(n, 19), ['', 'a']);
});

const refusals: { name: string; doc: unknown; message: RegExp }[] = [
  { name: 'a key Swagger 2.0 does not define', doc: { swagger: '2.0', definitions: { A: { type: 'object', nullable: true } } }, message: /\/definitions\/A: unsupported key "nullable"/ },
  { name: 'a parameter in an unknown location', doc: { swagger: '2.0', paths: { '/x': { parameters: [{ name: 'a', in: 'cookie' }] } } }, message: /unsupported parameter location "cookie"/ },
  { name: 'a value of the wrong type', doc: { swagger: 2 }, message: /\/swagger: expected a string/ },
  { name: 'a paths key that is neither a path nor an extension', doc: { swagger: '2.0', paths: { x: {} } }, message: /unsupported key "x"/ },
];

for (const tc of refusals) {
  test(`conversion refuses ${tc.name}`, () => {
    assert.throws(() => encodeOpenAPIV2(tc.doc), tc.message);
  });
}

test('the built-in API document converts, with Deployment carrying its group-version-kind', () => {
  const json = JSON.parse(new OpenAPIDocuments(builtinRegistry()).swagger()) as { definitions: Record<string, unknown> };
  const defs = definitionsOf(encoded(json));
  assert.deepEqual([...defs.keys()], Object.keys(json.definitions));
  const deployment = defs.get('io.k8s.api.apps.v1.Deployment');
  assert.ok(deployment);
  assert.equal(extensions(deployment, 31).get('x-kubernetes-group-version-kind'), '[{"group": "apps", "version": "v1", "kind": "Deployment"}]\n');
});

async function withServer(fn: (url: string) => Promise<void>): Promise<void> {
  let calls = 0;
  const docs = {
    swagger(): string {
      calls++;
      return JSON.stringify(sample);
    },
  };
  const server: Server = createServer((req, res) => {
    try {
      serveOpenAPIV2(req, res, docs);
    } catch (err) {
      res.statusCode = err instanceof StatusError ? err.code : 500;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}/openapi/v2`);
    assert.ok(calls > 0);
  } finally {
    await new Promise((r) => server.close(r));
  }
}

test('serving answers protobuf with the kube-apiserver content type, JSON by default, 406 otherwise', async () => {
  await withServer(async (url) => {
    const pb = await fetch(url, { headers: { accept: OPENAPI_V2_PROTOBUF_DEPRECATED } });
    assert.equal(pb.status, 200);
    assert.equal(pb.headers.get('content-type'), OPENAPI_V2_PROTOBUF);
    assert.deepEqual(Buffer.from(await pb.arrayBuffer()), Buffer.from(encodeOpenAPIV2(sample)));
    const json = await fetch(url);
    assert.equal(json.headers.get('content-type'), 'application/json');
    assert.deepEqual(await json.json(), sample);
    const refused = await fetch(url, { headers: { accept: 'text/html' } });
    assert.equal(refused.status, 406);
  });
});

test('serving honours If-None-Match with the document ETag and gzips when asked', async () => {
  await withServer(async (url) => {
    const first = await fetch(url, { headers: { accept: OPENAPI_V2_PROTOBUF } });
    const etag = first.headers.get('etag');
    assert.match(etag ?? '', /^"[0-9A-F]{128}"$/);
    const again = await fetch(url, { headers: { accept: OPENAPI_V2_PROTOBUF, 'if-none-match': etag! } });
    assert.equal(again.status, 304);
    const big = { ...sample, info: { title: 'x'.repeat(4000), version: 'v' } };
    const docs = { swagger: () => JSON.stringify(big) };
    const server = createServer((req, res) => serveOpenAPIV2(req, res, docs));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const raw = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
        const headers = { accept: OPENAPI_V2_PROTOBUF, 'accept-encoding': 'gzip' };
        get({ host: '127.0.0.1', port, path: '/openapi/v2', headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
        }).on('error', reject);
      });
      assert.equal(raw.encoding, 'gzip');
      assert.deepEqual(gunzipSync(raw.body), Buffer.from(encodeOpenAPIV2(big)));
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
