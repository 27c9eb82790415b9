// RFC 6902 JSON patch with the behaviour (and error texts) of the json-patch v4 library that
// kube-apiserver applies `application/json-patch+json` with. Notable upstream choices kept here:
// negative array indexes count from the end, `replace` of a missing object key adds it, `copy`
// from a missing object key copies null, and a null value is treated as a missing path.
import { badRequest, PatchError, unprocessable } from './errors.js';
import { clone, deepEqual, hasOwn, isObject, jsonTypeWord, setOwn, type JsonObject } from './json.js';

/** Upstream refuses bigger patches with 413. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/**
 * What all `copy` operations of one patch may add together, in JSON bytes (kube-apiserver sets
 * json-patch's AccumulatedCopySizeLimit to its 3 MiB request limit). Without it thirty copies of
 * a map into itself double the document thirty times: gigabytes from a 4 KB request.
 */
export const MAX_ACCUMULATED_COPY_BYTES = 3 * 1024 * 1024;

type Container = JsonObject | unknown[];

const MISSING = 'missing value';
const INVALID_INDEX = 'invalid index referenced';
const TEST_FAILED = 'test failed';

class OpFailure extends Error {}

function fail(message: string): never {
  throw new OpFailure(message);
}

/** JSON pointer token unescaping: "~1" first, then "~0" (RFC 6901 section 4). */
export function decodePointerToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function encodePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** strconv.Atoi, with its error texts. */
function atoi(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new OpFailure(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (Math.abs(n) >= 2 ** 63) throw new OpFailure(`strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

function invalidIndex(idx: number): never {
  fail(`Unable to access invalid index: ${idx}: ${INVALID_INDEX}`);
}

/** Reads a member; undefined means absent or null (upstream does not tell them apart). */
function get(c: Container, key: string): unknown {
  if (Array.isArray(c)) {
    let idx = atoi(key);
    if (idx < 0) {
      if (idx < -c.length) invalidIndex(idx);
      idx += c.length;
    }
    if (idx >= c.length) invalidIndex(idx);
    return c[idx] ?? undefined;
  }
  return hasOwn(c, key) ? (c[key] ?? undefined) : undefined;
}

function add(c: Container, key: string, value: unknown): void {
  if (!Array.isArray(c)) {
    setOwn(c, key, value);
    return;
  }
  if (key === '-') {
    c.push(value);
    return;
  }
  let idx: number;
  try {
    idx = atoi(key);
  } catch (e) {
    fail(`value was not a proper array index: '${key}': ${(e as Error).message}`);
  }
  const size = c.length + 1;
  if (idx >= size) invalidIndex(idx);
  if (idx < 0) {
    if (idx < -size) invalidIndex(idx);
    idx += size;
  }
  c.splice(idx, 0, value);
}

function remove(c: Container, key: string): void {
  if (!Array.isArray(c)) {
    if (!hasOwn(c, key)) fail(`Unable to remove nonexistent key: ${key}: ${MISSING}`);
    delete c[key];
    return;
  }
  let idx = atoi(key);
  if (idx >= c.length) invalidIndex(idx);
  if (idx < 0) {
    if (idx < -c.length) invalidIndex(idx);
    idx += c.length;
  }
  c.splice(idx, 1);
}

function set(c: Container, key: string, value: unknown): void {
  if (!Array.isArray(c)) {
    setOwn(c, key, value);
    return;
  }
  let idx = atoi(key);
  if (idx < 0) idx += c.length;
  c[idx] = value;
}

/** The container holding the last token of `path`, or null when any step is missing. */
function findContainer(root: Container, path: string): [Container, string] | null {
  const split = path.split('/');
  if (split.length < 2) return null;
  let doc: Container = root;
  for (const part of split.slice(1, -1)) {
    let next: unknown;
    try {
      next = get(doc, decodePointerToken(part));
    } catch {
      return null;
    }
    if (!Array.isArray(next) && !isObject(next)) return null;
    doc = next;
  }
  return [doc, decodePointerToken(split[split.length - 1] ?? '')];
}

function wrap(prefix: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof OpFailure) fail(`${prefix}: ${e.message}`);
    throw e;
  }
}

interface Op {
  readonly raw: JsonObject;
}

function stringField(op: Op, name: 'path' | 'from'): string | undefined {
  const v = op.raw[name];
  return typeof v === 'string' ? v : undefined;
}

/** The error text upstream gets when decoding `path`/`from` fails. */
function decodeFailure(op: Op, name: 'path' | 'from'): string {
  const v = op.raw[name];
  if (v === undefined || v === null) return name === 'path' ? `operation missing path field: ${MISSING}` : `operation, missing from field: ${MISSING}`;
  return `json: cannot unmarshal ${jsonTypeWord(v)} into Go value of type string`;
}

function opValue(op: Op): unknown {
  return clone(op.raw['value'] ?? null);
}

class Doc {
  private copiedBytes = 0;

  constructor(public root: Container) {}

  add(op: Op): void {
    const path = stringField(op, 'path');
    if (path === undefined) fail(`add operation failed to decode path: ${MISSING}`);
    const found = findContainer(this.root, path);
    if (!found) fail(`add operation does not apply: doc is missing path: "${path}": ${MISSING}`);
    wrap(`error in add for path: '${path}'`, () => add(found[0], found[1], opValue(op)));
  }

  remove(op: Op): void {
    const path = stringField(op, 'path');
    if (path === undefined) fail(`remove operation failed to decode path: ${MISSING}`);
    const found = findContainer(this.root, path);
    if (!found) fail(`remove operation does not apply: doc is missing path: "${path}": ${MISSING}`);
    wrap(`error in remove for path: '${path}'`, () => remove(found[0], found[1]));
  }

  replace(op: Op): void {
    const path = stringField(op, 'path');
    if (path === undefined) fail(`replace operation failed to decode path: ${decodeFailure(op, 'path')}`);
    if (path === '') {
      // Upstream wraps a nil error here, so a scalar value is silently ignored.
      const v = opValue(op);
      if (Array.isArray(v) || isObject(v)) this.root = v;
      return;
    }
    const found = findContainer(this.root, path);
    if (!found) fail(`replace operation does not apply: doc is missing path: ${path}: ${MISSING}`);
    try {
      get(found[0], found[1]);
    } catch {
      fail(`replace operation does not apply: doc is missing key: ${path}: ${MISSING}`);
    }
    wrap(`error in remove for path: '${path}'`, () => set(found[0], found[1], opValue(op)));
  }

  move(op: Op): void {
    const from = stringField(op, 'from');
    if (from === undefined) fail(`move operation failed to decode from: ${decodeFailure(op, 'from')}`);
    const src = findContainer(this.root, from);
    if (!src) fail(`move operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
    let value: unknown;
    wrap(`error in move for path: '${src[1]}'`, () => {
      value = get(src[0], src[1]);
    });
    wrap(`error in move for path: '${src[1]}'`, () => remove(src[0], src[1]));
    const path = stringField(op, 'path');
    if (path === undefined) fail(`move operation failed to decode path: ${decodeFailure(op, 'path')}`);
    const dst = findContainer(this.root, path);
    if (!dst) fail(`move operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
    wrap(`error in move for path: '${path}'`, () => add(dst[0], dst[1], value ?? null));
  }

  copy(op: Op): void {
    const from = stringField(op, 'from');
    if (from === undefined) fail(`copy operation failed to decode from: ${decodeFailure(op, 'from')}`);
    const src = findContainer(this.root, from);
    if (!src) fail(`copy operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
    let value: unknown;
    wrap(`error in copy for from: '${from}'`, () => {
      value = get(src[0], src[1]);
    });
    const path = stringField(op, 'path');
    if (path === undefined) fail(`copy operation failed to decode path: ${MISSING}`);
    const dst = findContainer(this.root, path);
    if (!dst) fail(`copy operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
    const size = JSON.stringify(value ?? null).length;
    if (this.copiedBytes + size > MAX_ACCUMULATED_COPY_BYTES) {
      fail(`Unable to complete the copy, the accumulated size increase of copy is ${this.copiedBytes + size}, exceeding the limit ${MAX_ACCUMULATED_COPY_BYTES}`);
    }
    this.copiedBytes += size;
    wrap('error while adding value during copy', () => add(dst[0], dst[1], clone(value ?? null)));
  }

  test(op: Op): void {
    const path = stringField(op, 'path');
    if (path === undefined) fail(`test operation failed to decode path: ${decodeFailure(op, 'path')}`);
    const expected = op.raw['value'];
    if (path === '') {
      if (deepEqual(this.root, expected ?? null)) return;
      fail(`testing value ${path} failed: ${TEST_FAILED}`);
    }
    const found = findContainer(this.root, path);
    if (!found) fail(`test operation does not apply: is missing path: ${path}: ${MISSING}`);
    let actual: unknown;
    wrap(`error in test for path: '${path}'`, () => {
      actual = get(found[0], found[1]);
    });
    if (actual === undefined) {
      if (expected === null || expected === undefined) return;
      fail(`testing value ${path} failed: ${TEST_FAILED}`);
    }
    if (expected === undefined || !deepEqual(actual, expected)) fail(`testing value ${path} failed: ${TEST_FAILED}`);
  }
}

function decodeOps(ops: unknown): Op[] {
  if (ops === null || ops === undefined) return [];
  if (!Array.isArray(ops)) throw badRequest(`json: cannot unmarshal ${jsonTypeWord(ops)} into Go value of type jsonpatch.Patch`);
  return ops.map((o) => {
    if (o === null) return { raw: {} };
    if (!isObject(o)) throw badRequest(`json: cannot unmarshal ${jsonTypeWord(o)} into Go value of type jsonpatch.Operation`);
    return { raw: o };
  });
}

/**
 * Applies an RFC 6902 patch (already decoded from JSON) to a document and returns the new
 * document; the input is not modified. Throws PatchError: 400 for a malformed patch, 413 above
 * MAX_JSON_PATCH_OPERATIONS, 422 when an operation does not apply.
 */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  const list = decodeOps(ops);
  if (list.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new PatchError(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${list.length}`, 413);
  }
  if (!Array.isArray(doc) && !isObject(doc)) {
    throw new PatchError(`json: cannot unmarshal ${jsonTypeWord(doc)} into Go value of type jsonpatch.partialDoc`, 500);
  }
  const d = new Doc(clone(doc));
  for (const op of list) {
    const kind = typeof op.raw['op'] === 'string' ? (op.raw['op'] as string) : 'unknown';
    try {
      switch (kind) {
        case 'add':
          d.add(op);
          break;
        case 'remove':
          d.remove(op);
          break;
        case 'replace':
          d.replace(op);
          break;
        case 'move':
          d.move(op);
          break;
        case 'copy':
          d.copy(op);
          break;
        case 'test':
          d.test(op);
          break;
        default:
          fail(`Unexpected kind: ${kind}`);
      }
    } catch (e) {
      if (e instanceof OpFailure) throw unprocessable(e.message);
      throw e;
    }
  }
  return d.root;
}
