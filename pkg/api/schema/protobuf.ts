// The Kubernetes protobuf wire format ("k8s\0" + runtime.Unknown) for the built-in kinds, decoded to
// (and encoded from) the JSON object the JSON API carries. Our schemas give the shape; the wire
// tables (pkg/api/wire.ts) give only the field numbers.
//
// Zero values: Go writes every non-pointer scalar, even "" / 0 / false, and leaves out nil
// pointers. JSON drops zero values of `omitempty` fields but keeps pointers that are set. So a
// scalar read from the wire is kept when it is not a zero value, or when the wire table lists the
// field in `keepZero` (a Go pointer, or a field without omitempty). That keeps `replicas: 0`,
// `storageClassName: ""` and `value: 0`, and drops the `stdin: false`, `hostPort: 0` and
// `generateName: ""` that Go's encoder writes for unset fields. Messages (structs, quantities,
// int-or-strings) are kept whenever present, as Go's JSON does for non-pointer structs, except an
// empty Time, which is Go's zero time (JSON null).
import { DefinitionName, type SchemaNode } from './dsl.js';
import { wellKnownWire } from '../meta/wire.js';
import { wire as builtinWire } from '../wire.js';

export const kubernetesProtobufMediaType = 'application/vnd.kubernetes.protobuf';

/** The wire facts of a set of definitions. */
export interface WireGroup {
  /**
   * Field numbers of each struct definition by JSON field name. A key `...<definition>` marks a Go
   * struct embedded inline: its fields appear in the parent's JSON, on the wire they sit in a
   * nested message with that number, described by the table of `<definition>`.
   */
  readonly fields: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Scalar fields whose zero value is meaningful when present (Go pointers, fields without omitempty). */
  readonly keepZero: Readonly<Record<string, readonly string[]>>;
}

export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';
  /** JSON path of the field being decoded ("" for the envelope). */
  readonly path: string;
  constructor(message: string, path = '') {
    super(path ? `${path}: ${message}` : message);
    this.path = path;
  }
}

export class ProtobufEncodeError extends Error {
  override readonly name = 'ProtobufEncodeError';
}

export interface DecodedObject {
  readonly apiVersion: string;
  readonly kind: string;
  /** The object as the JSON API would receive it, apiVersion and kind included. */
  readonly object: Record<string, unknown>;
}

export type SchemaLookup = (apiVersion: string, kind: string) => SchemaNode | undefined;

export const protobufMagic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
/** Deeper than any built-in kind nests; a bound against hostile input. */
export const maxDepth = 64;

/** Whether a Content-Type header names the Kubernetes protobuf encoding. */
export function isKubernetesProtobuf(contentType: string | undefined | null): boolean {
  if (!contentType) return false;
  return contentType.split(';', 1)[0]!.trim().toLowerCase() === kubernetesProtobufMediaType;
}

// ---------------------------------------------------------------------------------------------
// Plans: the per-definition index from field numbers to JSON fields, built once per schema.

export type Slot =
  | { readonly kind: 'field'; readonly json: string; readonly node: SchemaNode; readonly value: ValueKind; readonly keepZero: boolean }
  | { readonly kind: 'inline'; readonly slots: ReadonlyMap<number, Slot> };

export interface Plan {
  readonly byNumber: ReadonlyMap<number, Slot>;
  /** JSON field → the number path to it (one number, or the inline message number then the field's). */
  readonly byJson: ReadonlyMap<string, readonly number[]>;
}

const inlinePrefix = '...';
const planCache = new WeakMap<WireGroup, WeakMap<object, Plan>>();

/** The number index of a struct schema (cached per schema and wire table). Shared with the encoder. */
export function planFor(node: SchemaNode, wire: WireGroup, path = ''): Plan {
  const props = node.properties ?? {};
  let perWire = planCache.get(wire);
  if (!perWire) {
    perWire = new WeakMap();
    planCache.set(wire, perWire);
  }
  const cached = perWire.get(props);
  if (cached) return cached;
  const name = node[DefinitionName];
  const table = name === undefined ? undefined : wire.fields[name];
  if (!table) throw new ProtobufDecodeError(`no protobuf field numbers for ${name ?? 'an unnamed struct'}`, path);
  const keep = new Set(wire.keepZero[name!] ?? []);
  const byJson = new Map<string, number[]>();
  const build = (t: Readonly<Record<string, number>>, prefix: readonly number[], seen: readonly string[]): Map<number, Slot> => {
    const slots = new Map<number, Slot>();
    for (const [field, num] of Object.entries(t)) {
      if (field.startsWith(inlinePrefix)) {
        const inner = field.slice(inlinePrefix.length);
        const innerTable = wire.fields[inner];
        if (!innerTable || seen.includes(inner)) throw new ProtobufDecodeError(`bad inline struct ${inner} in ${name}`, path);
        slots.set(num, { kind: 'inline', slots: build(innerTable, [...prefix, num], [...seen, inner]) });
        continue;
      }
      const child = props[field];
      // An inline table may describe more fields than this parent declares; those are skipped.
      if (!child) continue;
      slots.set(num, { kind: 'field', json: field, node: child, value: kindOf(child), keepZero: keep.has(field) });
      byJson.set(field, [...prefix, num]);
    }
    return slots;
  };
  const plan: Plan = { byNumber: build(table, [], [name!]), byJson };
  perWire.set(props, plan);
  return plan;
}

export type ValueKind =
  | 'struct' | 'map' | 'array' | 'raw' | 'quantity' | 'intOrString' | 'time' | 'microTime' | 'duration'
  | 'string' | 'bytes' | 'int32' | 'int64' | 'bool' | 'double';

const metaPrefix = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

/** How a schema node travels on the wire. */
export function kindOf(node: SchemaNode): ValueKind {
  switch (node[DefinitionName]) {
    case 'io.k8s.apimachinery.pkg.api.resource.Quantity':
      return 'quantity';
    case 'io.k8s.apimachinery.pkg.util.intstr.IntOrString':
      return 'intOrString';
    case `${metaPrefix}Time`:
      return 'time';
    case `${metaPrefix}MicroTime`:
      return 'microTime';
    case `${metaPrefix}Duration`:
      return 'duration';
  }
  if (node['x-kubernetes-int-or-string']) return 'intOrString';
  switch (node.type) {
    case 'object':
      if (node.properties) return 'struct';
      if (node['x-kubernetes-preserve-unknown-fields']) return 'raw';
      return 'map';
    case 'array':
      return 'array';
    case 'string':
      return node.format === 'byte' ? 'bytes' : 'string';
    case 'integer':
      return node.format === 'int32' ? 'int32' : 'int64';
    case 'boolean':
      return 'bool';
    case 'number':
      return 'double';
    default:
      // Schemas without a type (free-form values) travel as JSON bytes.
      return 'raw';
  }
}

export const WireVarint = 0;
export const WireFixed64 = 1;
export const WireBytes = 2;
export const WireFixed32 = 5;

export function wireTypeOf(k: ValueKind): number {
  switch (k) {
    case 'int32':
    case 'int64':
    case 'bool':
      return WireVarint;
    case 'double':
      return WireFixed64;
    default:
      return WireBytes;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading.

class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    readonly path: string,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  fail(msg: string): never {
    throw new ProtobufDecodeError(msg, this.path);
  }

  /** A varint as an unsigned 64-bit value. */
  varint(): bigint {
    let result = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('unexpected end of data in a varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    this.fail('varint longer than 10 bytes');
  }

  /** A varint known to be small (tags, lengths); falls back to the exact path for long ones. */
  smallVarint(what: string): number {
    const start = this.pos;
    let result = 0;
    for (let i = 0; i < 4; i++) {
      if (this.pos >= this.end) this.fail(`unexpected end of data in ${what}`);
      const b = this.buf[this.pos++]!;
      result |= (b & 0x7f) << (7 * i);
      if (b < 0x80) return result;
    }
    this.pos = start;
    const v = this.varint();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} too large`);
    return Number(v);
  }

  tag(): { num: number; wireType: number } {
    const t = this.smallVarint('a field tag');
    const num = Math.floor(t / 8);
    if (num <= 0 || num > 0x1fffffff) this.fail(`illegal field number ${num}`);
    return { num, wireType: t % 8 };
  }

  bytes(): Buffer {
    const len = this.smallVarint('a length');
    if (len > this.end - this.pos) this.fail(`length ${len} runs past the end of the data`);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  double(): number {
    if (this.end - this.pos < 8) this.fail('unexpected end of data in a 64-bit value');
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  skip(wireType: number, num: number): void {
    switch (wireType) {
      case WireVarint:
        this.varint();
        return;
      case WireFixed64:
        if (this.end - this.pos < 8) this.fail('unexpected end of data in a 64-bit value');
        this.pos += 8;
        return;
      case WireBytes:
        this.bytes();
        return;
      case WireFixed32:
        if (this.end - this.pos < 4) this.fail('unexpected end of data in a 32-bit value');
        this.pos += 4;
        return;
      default:
        this.fail(`unsupported wire type ${wireType} for field ${num}`);
    }
  }
}

function sub(r: Reader, buf: Buffer, path: string): Reader {
  return new Reader(buf, path || r.path);
}

function fail(path: string, msg: string): never {
  throw new ProtobufDecodeError(msg, path);
}

function join(path: string, field: string): string {
  return path ? `${path}.${field}` : field;
}

function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  // A map key "__proto__" must become a plain property, never the prototype.
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function scalarFromVarint(k: ValueKind, v: bigint): number | boolean {
  if (k === 'bool') return v !== 0n;
  // Go reads an int32 from the low 32 bits; negative values arrive as 10-byte varints.
  return Number(k === 'int32' ? BigInt.asIntN(32, v) : BigInt.asIntN(64, v));
}

interface Ctx {
  readonly wire: WireGroup;
}

function decodeStruct(buf: Buffer, node: SchemaNode, path: string, depth: number, ctx: Ctx, into: Record<string, unknown> = {}): Record<string, unknown> {
  if (depth > maxDepth) throw new ProtobufDecodeError(`nesting deeper than ${maxDepth}`, path);
  const plan = planFor(node, ctx.wire, path);
  decodeSlots(new Reader(buf, path), plan.byNumber, into, path, depth, ctx);
  return into;
}

function decodeSlots(r: Reader, slots: ReadonlyMap<number, Slot>, out: Record<string, unknown>, path: string, depth: number, ctx: Ctx): void {
  while (!r.done) {
    const { num, wireType } = r.tag();
    const slot = slots.get(num);
    if (!slot) {
      // Go skips fields it does not know; so do we (newer clients, fields we do not serve).
      r.skip(wireType, num);
      continue;
    }
    if (slot.kind === 'inline') {
      if (wireType !== WireBytes) r.fail(`wrong wire type ${wireType} for embedded field ${num}`);
      if (depth + 1 > maxDepth) r.fail(`nesting deeper than ${maxDepth}`);
      decodeSlots(sub(r, r.bytes(), path), slot.slots, out, path, depth + 1, ctx);
      continue;
    }
    decodeField(r, wireType, slot, out, join(path, slot.json), depth, ctx);
  }
}

function decodeField(
  r: Reader,
  wireType: number,
  slot: Extract<Slot, { kind: 'field' }>,
  out: Record<string, unknown>,
  path: string,
  depth: number,
  ctx: Ctx,
): void {
  const node = slot.node;
  const k = slot.value;
  if (k === 'array') {
    const item = node.items;
    if (!item) throw new ProtobufDecodeError('list without an item schema', path);
    const list = (Array.isArray(out[slot.json]) ? out[slot.json] : []) as unknown[];
    decodeRepeated(r, wireType, item, list, path, depth, ctx);
    if (list.length > 0) out[slot.json] = list;
    return;
  }
  if (k === 'map') {
    if (wireType !== WireBytes) fail(path, `wrong wire type ${wireType} for a map entry`);
    const existing = out[slot.json];
    const map = (typeof existing === 'object' && existing !== null ? existing : {}) as Record<string, unknown>;
    decodeMapEntry(sub(r, r.bytes(), path), node, map, path, depth, ctx);
    out[slot.json] = map;
    return;
  }
  if (k === 'struct') {
    if (wireType !== WireBytes) fail(path, `wrong wire type ${wireType} for a message`);
    const existing = out[slot.json];
    // A repeated occurrence of a message merges into the earlier one, as protobuf specifies.
    const target = (typeof existing === 'object' && existing !== null && !Array.isArray(existing) ? existing : {}) as Record<string, unknown>;
    out[slot.json] = decodeStruct(r.bytes(), node, path, depth + 1, ctx, target);
    return;
  }
  const v = decodeSingle(r, wireType, k, node, path, depth, ctx);
  // Schema field names are never "__proto__", so plain assignment is safe here.
  if (v !== undefined && (slot.keepZero || !isScalarKind(k) || !isZero(v))) out[slot.json] = v;
  else if (slot.json in out) delete out[slot.json];
}

function isScalarKind(k: ValueKind): boolean {
  return k === 'string' || k === 'bytes' || k === 'int32' || k === 'int64' || k === 'bool' || k === 'double';
}

/** One value of a non-struct, non-repeated kind; undefined means "absent" (Go's zero time, empty raw JSON). */
function decodeSingle(r: Reader, wireType: number, k: ValueKind, node: SchemaNode, path: string, depth: number, ctx: Ctx): unknown {
  const want = wireTypeOf(k);
  if (wireType !== want) fail(path, `wrong wire type ${wireType} for ${k} (want ${want})`);
  switch (k) {
    case 'string':
      return r.bytes().toString('utf8');
    case 'bytes':
      return r.bytes().toString('base64');
    case 'int32':
    case 'int64':
    case 'bool':
      return scalarFromVarint(k, r.varint());
    case 'double':
      return r.double();
    case 'quantity':
      return decodeQuantity(sub(r, r.bytes(), path));
    case 'intOrString':
      return decodeIntOrString(sub(r, r.bytes(), path));
    case 'time':
    case 'microTime':
      return decodeTime(sub(r, r.bytes(), path), k === 'microTime');
    case 'duration':
      return decodeDuration(sub(r, r.bytes(), path));
    case 'raw':
      return decodeRaw(sub(r, r.bytes(), path));
    case 'struct':
      return decodeStruct(r.bytes(), node, path, depth + 1, ctx);
    default:
      fail(path, `a ${k} cannot be a single value`);
  }
}

function decodeRepeated(r: Reader, wireType: number, item: SchemaNode, list: unknown[], path: string, depth: number, ctx: Ctx): void {
  const k = kindOf(item);
  const at = `${path}[${list.length}]`;
  if (k === 'array' || k === 'map') fail(path, 'a list of lists or maps has no protobuf form');
  if (wireType === WireBytes && (k === 'int32' || k === 'int64' || k === 'bool' || k === 'double')) {
    // Packed: one length-delimited run of values.
    const p = sub(r, r.bytes(), at);
    while (!p.done) list.push(k === 'double' ? p.double() : scalarFromVarint(k, p.varint()));
    return;
  }
  const v = decodeSingle(r, wireType, k, item, at, depth, ctx);
  // Go keeps every element; a zero time or empty raw value is JSON null inside a list.
  list.push(v === undefined ? null : v);
}

function decodeMapEntry(r: Reader, node: SchemaNode, map: Record<string, unknown>, path: string, depth: number, ctx: Ctx): void {
  const valueNode = typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
  if (!valueNode) fail(path, 'map without a value schema');
  const vk = kindOf(valueNode);
  // Kubernetes wraps list and map values of maps in messages of their own; none of our kinds has them.
  if (vk === 'array' || vk === 'map') fail(path, 'a map of lists or maps has no protobuf form here');
  let key = '';
  let value: unknown;
  while (!r.done) {
    const { num, wireType } = r.tag();
    if (num === 1) {
      if (wireType !== WireBytes) fail(path, `wrong wire type ${wireType} for a map key`);
      key = r.bytes().toString('utf8');
    } else if (num === 2) {
      value = decodeSingle(r, wireType, vk, valueNode, `${path}[${key}]`, depth, ctx);
    } else {
      r.skip(wireType, num);
    }
  }
  setOwn(map, key, value ?? zeroOf(vk));
}

/** The JSON of a value Go would hold as its zero value (a map value left out on the wire, a null list item). */
export function zeroOf(k: ValueKind): unknown {
  switch (k) {
    case 'string':
    case 'bytes':
      return '';
    case 'int32':
    case 'int64':
    case 'double':
      return 0;
    case 'bool':
      return false;
    case 'quantity':
      return '0';
    case 'intOrString':
      return 0;
    case 'struct':
      return {};
    default:
      return null;
  }
}

function decodeQuantity(r: Reader): string {
  let s = '0';
  while (!r.done) {
    const { num, wireType } = r.tag();
    if (num === wellKnownWire.quantity.string && wireType === WireBytes) s = r.bytes().toString('utf8');
    else if (num === wellKnownWire.quantity.string) r.fail(`wrong wire type ${wireType} for a quantity`);
    else r.skip(wireType, num);
  }
  return s;
}

function decodeIntOrString(r: Reader): number | string {
  const f = wellKnownWire.intOrString;
  let type = 0n;
  let intVal = 0;
  let strVal = '';
  while (!r.done) {
    const { num, wireType } = r.tag();
    if (num === f.type || num === f.intVal) {
      if (wireType !== WireVarint) r.fail(`wrong wire type ${wireType} in an int-or-string`);
      const v = r.varint();
      if (num === f.type) type = BigInt.asIntN(64, v);
      else intVal = Number(BigInt.asIntN(32, v));
    } else if (num === f.strVal) {
      if (wireType !== WireBytes) r.fail(`wrong wire type ${wireType} in an int-or-string`);
      strVal = r.bytes().toString('utf8');
    } else {
      r.skip(wireType, num);
    }
  }
  if (type === 0n) return intVal;
  if (type === 1n) return strVal;
  r.fail(`int-or-string has unknown type ${type}`);
}

export const secondsOfYear1 = -62135596800n; // Go's zero time.Time
export const minSeconds = -62167219200n; // 0000-01-01T00:00:00Z
export const maxSeconds = 253402300799n; // 9999-12-31T23:59:59Z

function decodeTime(r: Reader, micro: boolean): string | undefined {
  // An empty message is Go's zero time, which JSON writes as null.
  if (r.done) return undefined;
  const f = wellKnownWire.timestamp;
  let seconds = 0n;
  let nanos = 0n;
  while (!r.done) {
    const { num, wireType } = r.tag();
    if (num === f.seconds || num === f.nanos) {
      if (wireType !== WireVarint) r.fail(`wrong wire type ${wireType} in a timestamp`);
      const v = r.varint();
      if (num === f.seconds) seconds = BigInt.asIntN(64, v);
      else nanos = BigInt.asIntN(32, v);
    } else {
      r.skip(wireType, num);
    }
  }
  // metav1.Time keeps whole seconds only; MicroTime truncates to microseconds (toward zero).
  const total = seconds * 1_000_000_000n + (micro ? (nanos / 1000n) * 1000n : 0n);
  let secs = total / 1_000_000_000n;
  let frac = total % 1_000_000_000n;
  if (frac < 0n) {
    frac += 1_000_000_000n;
    secs -= 1n;
  }
  if (secs === secondsOfYear1 && frac === 0n) return undefined;
  if (secs < minSeconds || secs > maxSeconds) r.fail(`timestamp ${seconds}s is outside years 0-9999`);
  const base = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  return micro ? `${base}.${(frac / 1000n).toString().padStart(6, '0')}Z` : `${base}Z`;
}

function decodeDuration(r: Reader): string {
  let nanos = 0n;
  while (!r.done) {
    const { num, wireType } = r.tag();
    if (num === wellKnownWire.duration.duration && wireType === WireVarint) nanos = BigInt.asIntN(64, r.varint());
    else if (num === wellKnownWire.duration.duration) r.fail(`wrong wire type ${wireType} in a duration`);
    else r.skip(wireType, num);
  }
  return formatGoDuration(nanos);
}

/** RawExtension and FieldsV1: a message whose field 1 holds JSON bytes. */
function decodeRaw(r: Reader): unknown {
  let raw: Buffer | undefined;
  while (!r.done) {
    const { num, wireType } = r.tag();
    if (num === wellKnownWire.rawExtension.raw && wireType === WireBytes) raw = r.bytes();
    else if (num === wellKnownWire.rawExtension.raw) r.fail(`wrong wire type ${wireType} for raw JSON`);
    else r.skip(wireType, num);
  }
  if (!raw || raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (err) {
    r.fail(`embedded raw value is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const unitNanos: readonly (readonly [string, bigint])[] = [
  ['h', 3_600_000_000_000n],
  ['m', 60_000_000_000n],
  ['s', 1_000_000_000n],
  ['ms', 1_000_000n],
  ['µs', 1_000n],
  ['ns', 1n],
];

function withFraction(v: bigint, scale: bigint): string {
  const whole = v / scale;
  const frac = v % scale;
  if (frac === 0n) return whole.toString();
  const digits = frac.toString().padStart(scale.toString().length - 1, '0').replace(/0+$/, '');
  return `${whole}.${digits}`;
}

/** A duration in nanoseconds the way Go's time.Duration prints it ("1h2m3.5s", "250ms", "0s"). */
export function formatGoDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  const neg = nanos < 0n;
  let u = neg ? -nanos : nanos;
  let out: string;
  if (u < 1_000_000_000n) {
    const [unit, scale] = u < 1_000n ? unitNanos[5]! : u < 1_000_000n ? unitNanos[4]! : unitNanos[3]!;
    out = withFraction(u, scale) + unit;
  } else {
    const h = u / unitNanos[0]![1];
    u %= unitNanos[0]![1];
    const m = u / unitNanos[1]![1];
    u %= unitNanos[1]![1];
    const s = `${withFraction(u, unitNanos[2]![1])}s`;
    out = h > 0n ? `${h}h${m}m${s}` : m > 0n ? `${m}m${s}` : s;
  }
  return neg ? `-${out}` : out;
}

/** Parses a Go duration string ("1h30m", "1.5s", "-2ms") to nanoseconds. */
export function parseGoDuration(text: string): bigint {
  const m = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(text);
  if (text === '0' || text === '-0' || text === '+0') return 0n;
  if (!m) throw new ProtobufEncodeError(`time: invalid duration "${text}"`);
  let total = 0n;
  for (const part of text.replace(/^[-+]/, '').matchAll(/(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/g)) {
    const unit = part[3] === 'us' || part[3] === 'μs' ? 'µs' : part[3]!;
    const scale = unitNanos.find(([u]) => u === unit)![1];
    const fracDigits = part[2] ?? '';
    total += BigInt(part[1] || '0') * scale;
    if (fracDigits) total += (BigInt(fracDigits) * scale) / 10n ** BigInt(fracDigits.length);
  }
  return m[1] === '-' ? -total : total;
}

// ---------------------------------------------------------------------------------------------
// The envelope.

/**
 * Decodes a request body in the Kubernetes protobuf encoding to the JSON object the JSON API
 * would have received. Throws ProtobufDecodeError on malformed bytes or a kind `schemaFor` does
 * not know.
 */
export function decodeKubernetesProtobuf(body: Buffer, schemaFor: SchemaLookup, wire: WireGroup = builtinWire): DecodedObject {
  if (body.length < protobufMagic.length || !body.subarray(0, protobufMagic.length).equals(protobufMagic)) {
    throw new ProtobufDecodeError('body does not start with the Kubernetes protobuf prefix "k8s\\x00"');
  }
  const u = wellKnownWire.unknown;
  const r = new Reader(body, '', protobufMagic.length);
  let apiVersion = '';
  let kind = '';
  let raw: Buffer = Buffer.alloc(0);
  let contentEncoding = '';
  while (!r.done) {
    const { num, wireType } = r.tag();
    if (num === u.typeMeta || num === u.raw || num === u.contentEncoding || num === u.contentType) {
      if (wireType !== WireBytes) r.fail(`wrong wire type ${wireType} for field ${num} of the envelope`);
      const b = r.bytes();
      if (num === u.typeMeta) ({ apiVersion, kind } = decodeTypeMeta(sub(r, b, '')));
      else if (num === u.raw) raw = b;
      else if (num === u.contentEncoding) contentEncoding = b.toString('utf8');
    } else {
      r.skip(wireType, num);
    }
  }
  if (contentEncoding !== '') throw new ProtobufDecodeError(`unsupported content encoding "${contentEncoding}"`);
  if (kind === '') throw new ProtobufDecodeError('object has no kind');
  const schema = schemaFor(apiVersion, kind);
  if (!schema) throw new ProtobufDecodeError(`no kind "${kind}" is registered for version "${apiVersion}"`);
  const object: Record<string, unknown> = { apiVersion, kind };
  decodeStruct(raw, schema, '', 0, { wire }, object);
  return { apiVersion, kind, object };
}

function decodeTypeMeta(r: Reader): { apiVersion: string; kind: string } {
  const t = wellKnownWire.typeMeta;
  let apiVersion = '';
  let kind = '';
  while (!r.done) {
    const { num, wireType } = r.tag();
    if ((num === t.apiVersion || num === t.kind) && wireType === WireBytes) {
      const s = r.bytes().toString('utf8');
      if (num === t.apiVersion) apiVersion = s;
      else kind = s;
    } else {
      r.skip(wireType, num);
    }
  }
  return { apiVersion, kind };
}

/** Decodes one message of a struct schema (no envelope). */
export function decodeProtobufMessage(bytes: Buffer, schema: SchemaNode, wire: WireGroup = builtinWire): Record<string, unknown> {
  return decodeStruct(bytes, schema, '', 0, { wire });
}

