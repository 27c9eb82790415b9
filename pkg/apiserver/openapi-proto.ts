// /openapi/v2 as the gnostic protobuf message openapi.v2.Document: client-go's
// DiscoveryClient.OpenAPISchema asks for it, so kubectl's client-side validation (kind: List
// files, --validate=strict on kinds without server-side field validation) and
// `kubectl explain --output=plaintext-openapiv2` need it. The message layouts below follow
// gnostic's OpenAPIv2.proto field numbers; maps become ordered Named* lists and every x-* key
// becomes a NamedAny whose Any carries the value as YAML text, as gnostic's compiler does.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { notAcceptable } from '../api/errors.js';

/** The Content-Type kube-apiserver answers protobuf requests for /openapi/v2 with. */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
/** The older spelling client-go still sends in Accept; answered with OPENAPI_V2_PROTOBUF. */
export const OPENAPI_V2_PROTOBUF_DEPRECATED = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

export type OpenAPIV2Format = 'json' | 'protobuf';

type Json = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Protobuf wire writer

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;

/** One message being encoded; fields are appended in call order. */
class ProtoMessage {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  private varint(value: bigint): void {
    const out: number[] = [];
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: number): void {
    this.varint(BigInt((field << 3) | wire));
  }

  /** `always` writes '' too: repeated strings keep their empty elements. */
  string(field: number, value: string, always = false): void {
    if (value === '' && !always) return;
    const bytes = Buffer.from(value, 'utf8');
    this.tag(field, WIRE_BYTES);
    this.varint(BigInt(bytes.length));
    this.push(bytes);
  }

  /** `always` writes false too: a oneof member has presence even at its zero value. */
  bool(field: number, value: boolean, always = false): void {
    if (!value && !always) return;
    this.tag(field, WIRE_VARINT);
    this.varint(value ? 1n : 0n);
  }

  int64(field: number, value: number): void {
    if (value === 0) return;
    this.tag(field, WIRE_VARINT);
    this.varint(BigInt(value));
  }

  double(field: number, value: number): void {
    if (value === 0 && !Object.is(value, -0)) return;
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    this.tag(field, WIRE_FIXED64);
    this.push(b);
  }

  /** Sub-messages are written even when empty: presence is what readers test. */
  message(field: number, value: ProtoMessage): void {
    this.tag(field, WIRE_BYTES);
    this.varint(BigInt(value.length));
    for (const p of value.parts) this.push(p);
  }

  finish(): Uint8Array {
    return Buffer.concat(this.parts, this.length);
  }
}

// ---------------------------------------------------------------------------------------------
// Swagger JSON → openapi.v2 messages

class OpenAPIV2ConversionError extends Error {
  override readonly name = 'OpenAPIV2ConversionError';
}

function fail(path: string, what: string): never {
  throw new OpenAPIV2ConversionError(`openapi v2 at ${path || '/'}: ${what}`);
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asObject(v: unknown, path: string): Json {
  if (!isObject(v)) fail(path, 'expected an object');
  return v;
}

function asString(v: unknown, path: string): string {
  if (typeof v !== 'string') fail(path, 'expected a string');
  return v;
}

function asNumber(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, 'expected a number');
  return v;
}

function asBool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, 'expected a boolean');
  return v;
}

function asArray(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(path, 'expected an array');
  return v;
}

function quoteYaml(s: string): string {
  // JSON string syntax is YAML double-quoted syntax, except that YAML 1.1 treats these three as
  // line breaks inside quotes: escape them so the text comes back unchanged.
  return JSON.stringify(s).replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A JSON value as YAML text that yaml.v2 (what kubectl's readers use) parses back to the same
 * value: flow style with every string double-quoted, so nothing is re-typed ("on", "1.0").
 */
export function yamlText(value: unknown): string {
  const flow = (v: unknown): string => {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'string') return quoteYaml(v);
    if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
    if (isObject(v)) return `{${Object.entries(v).map(([k, x]) => `${quoteYaml(k)}: ${flow(x)}`).join(', ')}}`;
    return 'null';
  };
  return flow(value) + '\n';
}

/** openapi.v2.Any: field 2 holds the YAML text. */
function anyMessage(value: unknown): ProtoMessage {
  const m = new ProtoMessage();
  m.string(2, yamlText(value));
  return m;
}

/** A writer for one JSON key of a message. */
type Codec = (m: ProtoMessage, field: number, value: unknown, path: string) => void;
/** JSON key → [field number, writer]; `vendorExtension` is where x-* keys go, if the message has them. */
interface Layout {
  readonly fields: Readonly<Record<string, readonly [number, Codec]>>;
  readonly vendorExtension?: number;
}

const str: Codec = (m, f, v, p) => m.string(f, asString(v, p));
const bool: Codec = (m, f, v, p) => m.bool(f, asBool(v, p));
const dbl: Codec = (m, f, v, p) => m.double(f, asNumber(v, p));
const i64: Codec = (m, f, v, p) => {
  const n = asNumber(v, p);
  if (!Number.isInteger(n)) fail(p, 'expected an integer');
  m.int64(f, n);
};
const strs: Codec = (m, f, v, p) => {
  asArray(v, p).forEach((s, i) => m.string(f, asString(s, `${p}/${i}`), true));
};
const any: Codec = (m, f, v) => m.message(f, anyMessage(v));
const anys: Codec = (m, f, v, p) => {
  for (const x of asArray(v, p)) m.message(f, anyMessage(x));
};

type Converter = (v: unknown, path: string) => ProtoMessage;
const one = (conv: Converter): Codec => (m, f, v, p) => m.message(f, conv(v, p));
const many = (conv: Converter): Codec => (m, f, v, p) => {
  asArray(v, p).forEach((x, i) => m.message(f, conv(x, `${p}/${i}`)));
};

/** A JSON map as a wrapper message holding repeated {name = 1, value = 2} at field 1. */
function namedList(conv: Converter): Converter {
  return (v, p) => {
    const wrapper = new ProtoMessage();
    for (const [name, value] of Object.entries(asObject(v, p))) wrapper.message(1, named(name, conv(value, `${p}/${escapePointer(name)}`)));
    return wrapper;
  };
}

function named(name: string, value: ProtoMessage): ProtoMessage {
  const entry = new ProtoMessage();
  entry.string(1, name);
  entry.message(2, value);
  return entry;
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Writes the object's keys through `layout`, in field-number order as Go's proto.Marshal does. */
function encode(v: unknown, path: string, layout: Layout): ProtoMessage {
  const obj = asObject(v, path);
  const writes: { field: number; order: number; write: (m: ProtoMessage) => void }[] = [];
  Object.entries(obj).forEach(([key, value], order) => {
    if (value === undefined) return;
    const p = `${path}/${escapePointer(key)}`;
    const spec = layout.fields[key];
    if (spec) {
      const [field, codec] = spec;
      writes.push({ field, order, write: (m) => codec(m, field, value, p) });
      return;
    }
    if (key.startsWith('x-') && layout.vendorExtension !== undefined) {
      const field = layout.vendorExtension;
      writes.push({ field, order, write: (m) => m.message(field, named(key, anyMessage(value))) });
      return;
    }
    fail(path, `unsupported key "${key}"`);
  });
  writes.sort((a, b) => a.field - b.field || a.order - b.order);
  const m = new ProtoMessage();
  for (const w of writes) w.write(m);
  return m;
}

const byLayout = (layout: Layout): Converter => (v, p) => encode(v, p, layout);

const externalDocs = byLayout({ fields: { description: [1, str], url: [2, str] }, vendorExtension: 3 });
const xml = byLayout({ fields: { name: [1, str], namespace: [2, str], prefix: [3, str], attribute: [4, bool], wrapped: [5, bool] }, vendorExtension: 6 });

/** openapi.v2.Schema. */
function schema(v: unknown, path: string): ProtoMessage {
  return encode(v, path, SCHEMA);
}

const additionalProperties: Codec = (m, f, v, p) => {
  const item = new ProtoMessage();
  if (typeof v === 'boolean') item.bool(2, v, true);
  else item.message(1, schema(v, p));
  m.message(f, item);
};
const typeItem: Codec = (m, f, v, p) => {
  const item = new ProtoMessage();
  strs(item, 1, typeof v === 'string' ? [v] : v, p);
  m.message(f, item);
};
const itemsItem: Codec = (m, f, v, p) => {
  const item = new ProtoMessage();
  if (Array.isArray(v)) many(schema)(item, 1, v, p);
  else item.message(1, schema(v, p));
  m.message(f, item);
};

const SCHEMA: Layout = {
  fields: {
    $ref: [1, str],
    format: [2, str],
    title: [3, str],
    description: [4, str],
    default: [5, any],
    multipleOf: [6, dbl],
    maximum: [7, dbl],
    exclusiveMaximum: [8, bool],
    minimum: [9, dbl],
    exclusiveMinimum: [10, bool],
    maxLength: [11, i64],
    minLength: [12, i64],
    pattern: [13, str],
    maxItems: [14, i64],
    minItems: [15, i64],
    uniqueItems: [16, bool],
    maxProperties: [17, i64],
    minProperties: [18, i64],
    required: [19, strs],
    enum: [20, anys],
    additionalProperties: [21, additionalProperties],
    type: [22, typeItem],
    items: [23, itemsItem],
    allOf: [24, many(schema)],
    properties: [25, one(namedList(schema))],
    discriminator: [26, str],
    readOnly: [27, bool],
    xml: [28, one(xml)],
    externalDocs: [29, one(externalDocs)],
    example: [30, any],
  },
  vendorExtension: 31,
};

/** The validation keywords shared by non-body parameters, headers and primitive items, from `first` on. */
function primitiveFields(first: number): Record<string, readonly [number, Codec]> {
  return {
    type: [first, str],
    format: [first + 1, str],
    items: [first + 2, one(primitivesItems)],
    collectionFormat: [first + 3, str],
    default: [first + 4, any],
    maximum: [first + 5, dbl],
    exclusiveMaximum: [first + 6, bool],
    minimum: [first + 7, dbl],
    exclusiveMinimum: [first + 8, bool],
    maxLength: [first + 9, i64],
    minLength: [first + 10, i64],
    pattern: [first + 11, str],
    maxItems: [first + 12, i64],
    minItems: [first + 13, i64],
    uniqueItems: [first + 14, bool],
    enum: [first + 15, anys],
    multipleOf: [first + 16, dbl],
  };
}

function primitivesItems(v: unknown, path: string): ProtoMessage {
  return encode(v, path, { fields: primitiveFields(1), vendorExtension: 18 });
}

const header = byLayout({ fields: { ...primitiveFields(1), description: [18, str] }, vendorExtension: 19 });

const PARAMETER_HEAD = { required: [1, bool], in: [2, str], description: [3, str], name: [4, str] } as const;
// query and formData carry allowEmptyValue at 5 and shift the rest by one; header and path don't.
const queryLike = byLayout({ fields: { ...PARAMETER_HEAD, allowEmptyValue: [5, bool], ...primitiveFields(6) }, vendorExtension: 23 });
const pathLike = byLayout({ fields: { ...PARAMETER_HEAD, ...primitiveFields(5) }, vendorExtension: 22 });
const bodyParameter = byLayout({ fields: { description: [1, str], name: [2, str], in: [3, str], required: [4, bool], schema: [5, one(schema)] }, vendorExtension: 6 });

/** NonBodyParameter's oneof member for each `in`. */
const NON_BODY: Readonly<Record<string, readonly [number, Converter]>> = {
  header: [1, pathLike],
  formData: [2, queryLike],
  query: [3, queryLike],
  path: [4, pathLike],
};

/** openapi.v2.Parameter: oneof body_parameter = 1, non_body_parameter = 2. */
function parameter(v: unknown, path: string): ProtoMessage {
  const obj = asObject(v, path);
  const where = asString(obj['in'], `${path}/in`);
  const out = new ProtoMessage();
  if (where === 'body') {
    out.message(1, bodyParameter(obj, path));
    return out;
  }
  const member = NON_BODY[where];
  if (!member) fail(`${path}/in`, `unsupported parameter location "${where}"`);
  const nonBody = new ProtoMessage();
  nonBody.message(member[0], member[1](obj, path));
  out.message(2, nonBody);
  return out;
}

const jsonReference = byLayout({ fields: { $ref: [1, str], description: [2, str] } });

/** ParametersItem (and ResponseValue): a $ref becomes the json_reference member at 2. */
function refOr(conv: Converter): Converter {
  return (v, path) => {
    const out = new ProtoMessage();
    if (isObject(v) && '$ref' in v) out.message(2, jsonReference(v, path));
    else out.message(1, conv(v, path));
    return out;
  };
}

const response = byLayout({
  fields: {
    description: [1, str],
    // SchemaItem: gnostic matches a plain Schema first, so member 1.
    schema: [2, (m, f, v, p) => {
      const item = new ProtoMessage();
      item.message(1, schema(v, p));
      m.message(f, item);
    }],
    headers: [3, one(namedList(header))],
    examples: [4, one(namedList((x) => anyMessage(x)))],
  },
  vendorExtension: 5,
});

/** openapi.v2.Responses: status codes and "default" at 1, x-* at 2. */
function responses(v: unknown, path: string): ProtoMessage {
  const out = new ProtoMessage();
  for (const [code, value] of Object.entries(asObject(v, path))) {
    if (code.startsWith('x-')) out.message(2, named(code, anyMessage(value)));
    else out.message(1, named(code, refOr(response)(value, `${path}/${escapePointer(code)}`)));
  }
  return out;
}

const securityRequirement = namedList((v, p) => {
  const arr = new ProtoMessage();
  strs(arr, 1, v, p);
  return arr;
});

const operation = byLayout({
  fields: {
    tags: [1, strs],
    summary: [2, str],
    description: [3, str],
    externalDocs: [4, one(externalDocs)],
    operationId: [5, str],
    produces: [6, strs],
    consumes: [7, strs],
    parameters: [8, many(refOr(parameter))],
    responses: [9, one(responses)],
    schemes: [10, strs],
    deprecated: [11, bool],
    security: [12, many(securityRequirement)],
  },
  vendorExtension: 13,
});

const pathItem = byLayout({
  fields: {
    $ref: [1, str],
    get: [2, one(operation)],
    put: [3, one(operation)],
    post: [4, one(operation)],
    delete: [5, one(operation)],
    options: [6, one(operation)],
    head: [7, one(operation)],
    patch: [8, one(operation)],
    parameters: [9, many(refOr(parameter))],
  },
  vendorExtension: 10,
});

/** openapi.v2.Paths: x-* at 1, the paths at 2. */
function paths(v: unknown, path: string): ProtoMessage {
  const out = new ProtoMessage();
  for (const [key, value] of Object.entries(asObject(v, path))) {
    if (key.startsWith('x-')) out.message(1, named(key, anyMessage(value)));
    else if (key.startsWith('/')) out.message(2, named(key, pathItem(value, `${path}/${escapePointer(key)}`)));
    else fail(path, `unsupported key "${key}"`);
  }
  return out;
}

const contact = byLayout({ fields: { name: [1, str], url: [2, str], email: [3, str] }, vendorExtension: 4 });
const license = byLayout({ fields: { name: [1, str], url: [2, str] }, vendorExtension: 3 });
const info = byLayout({
  fields: { title: [1, str], version: [2, str], description: [3, str], termsOfService: [4, str], contact: [5, one(contact)], license: [6, one(license)] },
  vendorExtension: 7,
});
const tag = byLayout({ fields: { name: [1, str], description: [2, str], externalDocs: [3, one(externalDocs)] }, vendorExtension: 4 });

// Oauth2Scopes' entries are NamedString {name = 1, value = 2}, not a nested message.
function oauth2Scopes(v: unknown, path: string): ProtoMessage {
  const out = new ProtoMessage();
  for (const [name, value] of Object.entries(asObject(v, path))) {
    const entry = new ProtoMessage();
    entry.string(1, name);
    entry.string(2, asString(value, `${path}/${escapePointer(name)}`));
    out.message(1, entry);
  }
  return out;
}

const OAUTH2: Readonly<Record<string, readonly [number, Layout]>> = {
  implicit: [3, { fields: { type: [1, str], flow: [2, str], scopes: [3, one(oauth2Scopes)], authorizationUrl: [4, str], description: [5, str] }, vendorExtension: 6 }],
  password: [4, { fields: { type: [1, str], flow: [2, str], scopes: [3, one(oauth2Scopes)], tokenUrl: [4, str], description: [5, str] }, vendorExtension: 6 }],
  application: [5, { fields: { type: [1, str], flow: [2, str], scopes: [3, one(oauth2Scopes)], tokenUrl: [4, str], description: [5, str] }, vendorExtension: 6 }],
  accessCode: [6, { fields: { type: [1, str], flow: [2, str], scopes: [3, one(oauth2Scopes)], authorizationUrl: [4, str], tokenUrl: [5, str], description: [6, str] }, vendorExtension: 7 }],
};

/** SecurityDefinitionsItem: the member follows `type` (and `flow` for oauth2). */
function securityScheme(v: unknown, path: string): ProtoMessage {
  const obj = asObject(v, path);
  const type = asString(obj['type'], `${path}/type`);
  const out = new ProtoMessage();
  if (type === 'basic') {
    out.message(1, encode(obj, path, { fields: { type: [1, str], description: [2, str] }, vendorExtension: 3 }));
  } else if (type === 'apiKey') {
    out.message(2, encode(obj, path, { fields: { type: [1, str], name: [2, str], in: [3, str], description: [4, str] }, vendorExtension: 5 }));
  } else if (type === 'oauth2') {
    const flow = asString(obj['flow'], `${path}/flow`);
    const member = OAUTH2[flow];
    if (!member) fail(`${path}/flow`, `unsupported oauth2 flow "${flow}"`);
    out.message(member[0], encode(obj, path, member[1]));
  } else {
    fail(`${path}/type`, `unsupported security scheme type "${type}"`);
  }
  return out;
}

const DOCUMENT: Layout = {
  fields: {
    swagger: [1, str],
    info: [2, one(info)],
    host: [3, str],
    basePath: [4, str],
    schemes: [5, strs],
    consumes: [6, strs],
    produces: [7, strs],
    paths: [8, one(paths)],
    definitions: [9, one(namedList(schema))],
    parameters: [10, one(namedList(parameter))],
    responses: [11, one(namedList(response))],
    security: [12, many(securityRequirement)],
    securityDefinitions: [13, one(namedList(securityScheme))],
    tags: [14, many(tag)],
    externalDocs: [15, one(externalDocs)],
  },
  vendorExtension: 16,
};

/**
 * Encodes a Swagger 2.0 document (parsed JSON) as the binary openapi.v2.Document. Throws on keys
 * Swagger 2.0 does not define, as gnostic's parser refuses them.
 */
export function encodeOpenAPIV2(swagger: unknown): Uint8Array {
  return encode(swagger, '', DOCUMENT).finish();
}

// ---------------------------------------------------------------------------------------------
// Content negotiation and serving

const OFFERS: readonly { type: string; subtype: string; format: OpenAPIV2Format }[] = [
  { type: 'application', subtype: 'json', format: 'json' },
  { type: 'application', subtype: OPENAPI_V2_PROTOBUF_DEPRECATED.slice('application/'.length), format: 'protobuf' },
  { type: 'application', subtype: OPENAPI_V2_PROTOBUF.slice('application/'.length), format: 'protobuf' },
];

/**
 * Picks the format for an Accept header the way kube-openapi does: clauses by quality, then the
 * more specific first; the first clause any offer matches wins, JSON for wildcards. Undefined
 * means 406.
 */
export function negotiateOpenAPIV2(accept: string | undefined): OpenAPIV2Format | undefined {
  const header = accept === undefined || accept.trim() === '' ? '*/*' : accept;
  const clauses = header
    .split(',')
    .map((part, index) => {
      const [range = '', ...params] = part.split(';').map((s) => s.trim());
      let q = 1;
      for (const p of params) {
        const m = /^q\s*=\s*([0-9.]+)$/i.exec(p);
        if (m) q = Number(m[1]);
      }
      const mime = range.toLowerCase();
      const [type, subtype] = mime === '*' ? ['*', '*'] : mime.split('/');
      return { type: type ?? '', subtype: subtype ?? '', q: Number.isNaN(q) ? 0 : q, index, valid: mime === '*' || mime.split('/').length === 2 };
    })
    .filter((c) => c.valid && c.q > 0)
    .sort((a, b) => b.q - a.q || Number(a.type === '*') - Number(b.type === '*') || Number(a.subtype === '*') - Number(b.subtype === '*') || a.index - b.index);
  for (const c of clauses) {
    for (const o of OFFERS) {
      if ((c.type === o.type || c.type === '*') && (c.subtype === o.subtype || c.subtype === '*')) return o.format;
    }
  }
  return undefined;
}

interface Encoded {
  readonly source: string;
  readonly etag: string;
  readonly lastModified: string;
  readonly bodies: Map<string, Buffer>;
}

/** Encodings per document source, built on first use and reused while swagger() is unchanged. */
const encodings = new WeakMap<object, Encoded>();

/** Gzip pays off from about this size, as in kube-apiserver's gzip handler. */
const GZIP_MIN_BYTES = 1400;

function encodedFor(docs: { swagger(): string }): Encoded {
  const source = docs.swagger();
  const cached = encodings.get(docs);
  if (cached && cached.source === source) return cached;
  const fresh: Encoded = {
    source,
    etag: `"${createHash('sha512').update(source).digest('hex').toUpperCase()}"`,
    lastModified: new Date().toUTCString(),
    bodies: new Map(),
  };
  encodings.set(docs, fresh);
  return fresh;
}

function body(enc: Encoded, format: OpenAPIV2Format, gzip: boolean): Buffer {
  const key = `${format}${gzip ? '+gzip' : ''}`;
  let b = enc.bodies.get(key);
  if (!b) {
    const plain = format === 'json' ? Buffer.from(enc.source, 'utf8') : Buffer.from(encodeOpenAPIV2(JSON.parse(enc.source) as unknown));
    b = gzip ? gzipSync(plain) : plain;
    enc.bodies.set(key, b);
  }
  return b;
}

function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [coding = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (coding !== 'gzip') return false;
    const q = params.map((p) => /^q=([0-9.]+)$/.exec(p)).find((m) => m !== null);
    return !q || Number(q[1]) > 0;
  });
}

/**
 * Answers GET/HEAD /openapi/v2 with the document from `docs` as JSON or gnostic protobuf,
 * following the Accept header, with an ETag and gzip as kube-apiserver serves it.
 */
export function serveOpenAPIV2(req: IncomingMessage, res: ServerResponse, docs: { swagger(): string }): void {
  res.setHeader('Vary', 'Accept');
  const format = negotiateOpenAPIV2(req.headers.accept);
  if (!format) throw notAcceptable(`only the following media types are accepted: application/json, ${OPENAPI_V2_PROTOBUF}`);
  const enc = encodedFor(docs);
  res.setHeader('Content-Type', format === 'json' ? 'application/json' : OPENAPI_V2_PROTOBUF);
  res.setHeader('Etag', enc.etag);
  res.setHeader('Last-Modified', enc.lastModified);
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((t) => t.trim() === enc.etag || t.trim() === '*')) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const plainSize = body(enc, format, false).length;
  const gzip = plainSize >= GZIP_MIN_BYTES && acceptsGzip(req.headers['accept-encoding']);
  const payload = body(enc, format, gzip);
  res.appendHeader('Vary', 'Accept-Encoding');
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  res.statusCode = 200;
  res.setHeader('Content-Length', payload.length);
  if (req.method === 'HEAD') res.end();
  else res.end(payload);
}
