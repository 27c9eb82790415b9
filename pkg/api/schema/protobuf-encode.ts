// The encoding side of protobuf.ts: a JSON object of a built-in kind to the Kubernetes protobuf
// wire format. Values are written when present (zero values included), nil ones are left out;
// int-or-strings and timestamps are written with all their fields, as Go writes them.
import type { SchemaNode } from './dsl.js';
import { wellKnownWire } from '../meta/wire.js';
import { wire as builtinWire } from '../wire.js';
import {
  kindOf,
  maxDepth,
  parseGoDuration,
  planFor,
  protobufMagic,
  ProtobufEncodeError,
  WireBytes,
  WireFixed64,
  wireTypeOf,
  WireVarint,
  type Slot,
  type ValueKind,
  type WireGroup,
  zeroOf,
} from './protobuf.js';

class Writer {
  private readonly parts: Buffer[] = [];
  private length = 0;

  raw(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }

  varint(v: bigint | number): void {
    let u = BigInt.asUintN(64, BigInt(v));
    const out: number[] = [];
    while (u >= 0x80n) {
      out.push(Number(u & 0x7fn) | 0x80);
      u >>= 7n;
    }
    out.push(Number(u));
    this.raw(Buffer.from(out));
  }

  tag(num: number, wireType: number): void {
    this.varint(num * 8 + wireType);
  }

  bytes(num: number, b: Buffer): void {
    this.tag(num, WireBytes);
    this.varint(b.length);
    this.raw(b);
  }

  finish(): Buffer {
    return Buffer.concat(this.parts, this.length);
  }
}

function fail(path: string, msg: string): never {
  throw new ProtobufEncodeError(path ? `${path}: ${msg}` : msg);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(path: string, field: string): string {
  return path ? `${path}.${field}` : field;
}

function encodeStruct(obj: unknown, node: SchemaNode, wire: WireGroup, path: string, depth: number, topLevel = false): Buffer {
  if (depth > maxDepth) fail(path, `nesting deeper than ${maxDepth}`);
  if (!isRecord(obj)) fail(path, 'expected an object');
  const plan = planFor(node, wire, path);
  for (const key of Object.keys(obj)) {
    if (plan.byJson.has(key) || obj[key] === undefined || obj[key] === null) continue;
    // apiVersion and kind of a top-level kind travel in the envelope, not in the message.
    if (topLevel && (key === 'apiVersion' || key === 'kind')) continue;
    fail(join(path, key), 'field has no protobuf field number');
  }
  const w = new Writer();
  writeSlots(w, plan.byNumber, obj, wire, path, depth);
  return w.finish();
}

function writeSlots(w: Writer, slots: ReadonlyMap<number, Slot>, obj: Record<string, unknown>, wire: WireGroup, path: string, depth: number): void {
  for (const num of [...slots.keys()].sort((a, b) => a - b)) {
    const slot = slots.get(num)!;
    if (slot.kind === 'inline') {
      // Go always writes an embedded (non-pointer) struct, even when empty.
      const inner = new Writer();
      writeSlots(inner, slot.slots, obj, wire, path, depth + 1);
      w.bytes(num, inner.finish());
      continue;
    }
    const v = obj[slot.json];
    if (v === undefined || v === null) continue;
    writeValue(w, num, slot.node, v, wire, join(path, slot.json), depth);
  }
}

function writeValue(w: Writer, num: number, node: SchemaNode, v: unknown, wire: WireGroup, path: string, depth: number): void {
  const k = kindOf(node);
  if (k === 'array') {
    if (!Array.isArray(v)) fail(path, 'expected a list');
    const item = node.items;
    if (!item) fail(path, 'list without an item schema');
    v.forEach((x, i) => writeValue(w, num, item, x ?? zeroOf(kindOf(item)) ?? {}, wire, `${path}[${i}]`, depth));
    return;
  }
  if (k === 'map') {
    if (!isRecord(v)) fail(path, 'expected a map');
    const valueNode = typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
    if (!valueNode) fail(path, 'map without a value schema');
    const vk = kindOf(valueNode);
    if (vk === 'array' || vk === 'map') fail(path, 'a map of lists or maps has no protobuf form here');
    // Go writes map entries in key order.
    for (const key of Object.keys(v).sort()) {
      const entry = new Writer();
      entry.bytes(1, Buffer.from(key, 'utf8'));
      const value = v[key];
      if (value !== undefined && value !== null) writeValue(entry, 2, valueNode, value, wire, `${path}[${key}]`, depth);
      w.bytes(num, entry.finish());
    }
    return;
  }
  writeSingle(w, num, k, node, v, wire, path, depth);
}

function writeSingle(w: Writer, num: number, k: ValueKind, node: SchemaNode, v: unknown, wire: WireGroup, path: string, depth: number): void {
  switch (k) {
    case 'struct':
      w.bytes(num, encodeStruct(v, node, wire, path, depth + 1));
      return;
    case 'string':
      if (typeof v !== 'string') fail(path, 'expected a string');
      w.bytes(num, Buffer.from(v, 'utf8'));
      return;
    case 'bytes':
      if (typeof v !== 'string') fail(path, 'expected a base64 string');
      w.bytes(num, Buffer.from(v, 'base64'));
      return;
    case 'int32':
    case 'int64':
      if (typeof v !== 'number' || !Number.isInteger(v)) fail(path, 'expected an integer');
      w.tag(num, wireTypeOf(k));
      w.varint(k === 'int32' ? BigInt.asIntN(32, BigInt(v)) : BigInt(v));
      return;
    case 'bool':
      if (typeof v !== 'boolean') fail(path, 'expected a boolean');
      w.tag(num, WireVarint);
      w.varint(v ? 1 : 0);
      return;
    case 'double': {
      if (typeof v !== 'number') fail(path, 'expected a number');
      const b = Buffer.alloc(8);
      b.writeDoubleLE(v);
      w.tag(num, WireFixed64);
      w.raw(b);
      return;
    }
    case 'quantity': {
      if (typeof v !== 'string' && typeof v !== 'number') fail(path, 'expected a quantity');
      const m = new Writer();
      m.bytes(wellKnownWire.quantity.string, Buffer.from(String(v), 'utf8'));
      w.bytes(num, m.finish());
      return;
    }
    case 'intOrString': {
      const f = wellKnownWire.intOrString;
      const m = new Writer();
      if (typeof v === 'number' && Number.isInteger(v)) {
        m.tag(f.type, WireVarint);
        m.varint(0);
        m.tag(f.intVal, WireVarint);
        m.varint(BigInt.asIntN(32, BigInt(v)));
        m.bytes(f.strVal, Buffer.alloc(0));
      } else if (typeof v === 'string') {
        m.tag(f.type, WireVarint);
        m.varint(1);
        m.tag(f.intVal, WireVarint);
        m.varint(0);
        m.bytes(f.strVal, Buffer.from(v, 'utf8'));
      } else {
        fail(path, 'expected an integer or a string');
      }
      w.bytes(num, m.finish());
      return;
    }
    case 'time':
    case 'microTime': {
      if (typeof v !== 'string') fail(path, 'expected an RFC 3339 timestamp');
      const { seconds, nanos } = parseRfc3339(v, path);
      const f = wellKnownWire.timestamp;
      const m = new Writer();
      m.tag(f.seconds, WireVarint);
      m.varint(seconds);
      m.tag(f.nanos, WireVarint);
      m.varint(k === 'microTime' ? nanos - (nanos % 1000) : 0);
      w.bytes(num, m.finish());
      return;
    }
    case 'duration': {
      if (typeof v !== 'string') fail(path, 'expected a duration string');
      const m = new Writer();
      m.tag(wellKnownWire.duration.duration, WireVarint);
      m.varint(parseGoDuration(v));
      w.bytes(num, m.finish());
      return;
    }
    case 'raw': {
      const m = new Writer();
      m.bytes(wellKnownWire.rawExtension.raw, Buffer.from(JSON.stringify(v), 'utf8'));
      w.bytes(num, m.finish());
      return;
    }
    default:
      fail(path, `a ${k} cannot be a single value`);
  }
}

const rfc3339 = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

function parseRfc3339(s: string, path: string): { seconds: bigint; nanos: number } {
  const m = rfc3339.exec(s);
  const ms = m ? Date.parse(`${m[1]}T${m[2]}${m[4]!.toUpperCase()}`) : NaN;
  if (!m || Number.isNaN(ms)) fail(path, `invalid RFC 3339 timestamp "${s}"`);
  return { seconds: BigInt(Math.floor(ms / 1000)), nanos: Number((m[3] ?? '').padEnd(9, '0')) };
}

/** Encodes one struct message (no envelope). */
export function encodeProtobufMessage(object: Record<string, unknown>, schema: SchemaNode, wire: WireGroup = builtinWire): Buffer {
  return encodeStruct(object, schema, wire, '', 0);
}

/**
 * Encodes an object of a built-in kind as kubectl does: the "k8s\0" prefix, then runtime.Unknown
 * with the object's apiVersion and kind and the object's message as raw bytes.
 */
export function encodeKubernetesProtobuf(object: Record<string, unknown>, schema: SchemaNode, wire: WireGroup = builtinWire): Buffer {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || kind === '') {
    throw new ProtobufEncodeError('object needs a string apiVersion and kind');
  }
  const u = wellKnownWire.unknown;
  const t = wellKnownWire.typeMeta;
  const typeMeta = new Writer();
  typeMeta.bytes(t.apiVersion, Buffer.from(apiVersion, 'utf8'));
  typeMeta.bytes(t.kind, Buffer.from(kind, 'utf8'));
  const w = new Writer();
  w.raw(protobufMagic);
  w.bytes(u.typeMeta, typeMeta.finish());
  w.bytes(u.raw, encodeStruct(object, schema, wire, '', 0, true));
  w.bytes(u.contentEncoding, Buffer.alloc(0));
  w.bytes(u.contentType, Buffer.alloc(0));
  return w.finish();
}
