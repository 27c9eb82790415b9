// Strategic merge patch, applied the way kube-apiserver applies `strategic-merge-patch+json` to
// built-in kinds (apimachinery strategicpatch with MergeParallelList and IgnoreUnmatchedNulls).
// Patch metadata comes from our schema: x-kubernetes-patch-strategy ("merge", "replace",
// "retainKeys", "merge,retainKeys") and x-kubernetes-patch-merge-key. A field without a schema (or
// under x-kubernetes-preserve-unknown-fields) merges like JSON merge patch: maps recursively,
// lists replaced.
import type { SchemaNode } from '../schema/dsl.js';
import { badRequest, internal, PatchError, unprocessable } from './errors.js';
import { clone, goFormat, goString, goTypeName, hasOwn, isObject, jsonTypeWord, kindOf, type JsonKind, setOwn, type JsonObject } from './json.js';

const DIRECTIVE = '$patch';
const DELETE = 'delete';
const REPLACE = 'replace';
const MERGE = 'merge';
const RETAIN_KEYS_STRATEGY = 'retainKeys';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

// Upstream's sentinel errors, mapped to the codes interpretStrategicMergePatchError gives them.
const errBadPrimitiveList = (): PatchError => badRequest('invalid patch format of primitive list');
const errBadRetainKeys = (): PatchError => badRequest('invalid patch format of retainKeys');
const errBadSetElementOrder = (): PatchError => badRequest('invalid patch format of setElementOrder list');
const errNoListOfLists = (): PatchError => unprocessable('lists of lists are not supported');
const errNoMergeKey = (m: unknown, key: string): PatchError => internal(`map: ${goFormat(m)} does not contain declared merge key: ${key}`);
const errBadArgType = (expected: string, actual: unknown): PatchError =>
  internal(`expected a ${expected}, but received a ${goTypeName(actual)}`);
const errBadPatchType = (t: unknown, m: unknown): PatchError => internal(`unknown patch type: ${goString(t)} in map: ${goFormat(m)}`);

const MAP_TYPE = 'map[string]interface {}';
const SLICE_TYPE = '[]interface {}';

interface PatchMeta {
  readonly strategies: readonly string[];
  readonly mergeKey: string;
}

const NO_META: PatchMeta = { strategies: [], mergeKey: '' };

function opaque(schema: SchemaNode | undefined): boolean {
  return schema === undefined || schema['x-kubernetes-preserve-unknown-fields'] === true;
}

/** The schema of a field (struct property or map value) and the patch metadata declared on it. */
function lookupField(schema: SchemaNode | undefined, key: string): [SchemaNode | undefined, PatchMeta] {
  if (opaque(schema) || schema === undefined) return [undefined, NO_META];
  const props = schema.properties;
  let sub: SchemaNode | undefined;
  if (props !== undefined && Object.prototype.hasOwnProperty.call(props, key)) sub = props[key];
  else if (typeof schema.additionalProperties === 'object') sub = schema.additionalProperties;
  if (sub === undefined) return [undefined, NO_META];
  const strategy = sub['x-kubernetes-patch-strategy'] ?? '';
  return [
    sub,
    {
      strategies: strategy === '' ? [] : strategy.split(','),
      mergeKey: sub['x-kubernetes-patch-merge-key'] ?? '',
    },
  ];
}

function lookupStruct(schema: SchemaNode | undefined, key: string): [SchemaNode | undefined, PatchMeta] {
  const [sub, meta] = lookupField(schema, key);
  return [opaque(sub) ? undefined : sub, meta];
}

function lookupSlice(schema: SchemaNode | undefined, key: string): [SchemaNode | undefined, PatchMeta] {
  const [sub, meta] = lookupField(schema, key);
  return [opaque(sub) ? undefined : sub?.items, meta];
}

/** The non-retainKeys strategy ("merge", "replace" or ""). */
function mainStrategy(strategies: readonly string[]): string {
  switch (strategies.length) {
    case 0:
      return '';
    case 1:
      return strategies[0] === RETAIN_KEYS_STRATEGY ? '' : (strategies[0] ?? '');
    case 2:
      if (strategies[0] === RETAIN_KEYS_STRATEGY) return strategies[1] ?? '';
      if (strategies[1] === RETAIN_KEYS_STRATEGY) return strategies[0] ?? '';
      break;
  }
  throw internal(`unexpected patch strategy: [${strategies.join(' ')}]`);
}

/** `prefix/key` → key. */
function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    if (prefix === DELETE_FROM_PRIMITIVE_LIST) throw errBadPrimitiveList();
    throw errBadSetElementOrder();
  }
  return s.slice(slash + 1);
}

/** Element kind shared by the given lists; upstream forbids mixed kinds and lists of lists. */
function sliceElementKind(...lists: (readonly unknown[] | undefined)[]): JsonKind {
  let kind: JsonKind | undefined;
  for (const l of lists) {
    for (const v of l ?? []) {
      const k = kindOf(v);
      if (kind === undefined) {
        kind = k;
        if (k === 'array') throw errNoListOfLists();
      } else if (k !== kind) {
        throw internal(`list element types are not identical: ${goFormat(lists.map((x) => x ?? []))}`);
      }
    }
  }
  if (kind === undefined) throw internal('no elements in any of the given slices');
  return kind;
}

/** Removes every map carrying a `$patch` directive, recursively; false means drop the value itself. */
function removeDirectives(v: unknown): [unknown, boolean] {
  if (isObject(v)) {
    if (hasOwn(v, DIRECTIVE)) return [null, false];
    for (const k of Object.keys(v)) {
      const [nv, keep] = removeDirectives(v[k]);
      if (keep) setOwn(v, k, nv);
      else delete v[k];
    }
    return [v, true];
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const e of v) {
      const [nv, keep] = removeDirectives(e);
      if (keep) out.push(nv);
    }
    return [out, true];
  }
  return [v, true];
}

function discardNulls(v: unknown): void {
  if (isObject(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null || v[k] === undefined) delete v[k];
      else discardNulls(v[k]);
    }
  } else if (Array.isArray(v)) {
    for (const e of v) discardNulls(e);
  }
}

/**
 * Directive keys in a value that lands in the result unmerged. Decoding into the typed object
 * drops them upstream; we drop them here so results never carry `$` keys.
 */
function stripDirectiveKeys(v: unknown): unknown {
  if (isObject(v)) {
    for (const k of Object.keys(v)) {
      if (k === DIRECTIVE || k === RETAIN_KEYS || k.startsWith(`${SET_ELEMENT_ORDER}/`) || k.startsWith(`${DELETE_FROM_PRIMITIVE_LIST}/`)) delete v[k];
      else stripDirectiveKeys(v[k]);
    }
  } else if (Array.isArray(v)) {
    for (const e of v) stripDirectiveKeys(e);
  }
  return v;
}

/** A value that is added as is: nulls and `$patch`-marked maps go, like upstream. */
function fresh(v: unknown): [unknown, boolean] {
  discardNulls(v);
  const [nv, keep] = removeDirectives(v);
  return [stripDirectiveKeys(nv), keep];
}

function mergeKeyOf(item: unknown, mergeKey: string): unknown {
  return isObject(item) ? (item[mergeKey] ?? null) : null;
}

/** Position of `v` in `list`, by merge key for maps and by value otherwise (-1 if absent). */
function indexIn(list: readonly unknown[], v: unknown, mergeKey: string, kind: JsonKind): number {
  const key = kind === 'object' ? mergeKeyOf(v, mergeKey) : v;
  for (let i = 0; i < list.length; i++) {
    const other = kind === 'object' ? mergeKeyOf(list[i], mergeKey) : list[i];
    if (other === key) return i;
  }
  return -1;
}

function findByKey(list: readonly unknown[], key: string, value: unknown): number {
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (!isObject(e)) throw internal(`value for key ${i} is not a map`);
    if (hasOwn(e, key) && e[key] === value) return i;
  }
  return -1;
}

function validateMergeKeys(mergeKey: string, ...lists: readonly unknown[][]): void {
  for (const l of lists) {
    for (const item of l) {
      if (!isObject(item)) throw errBadArgType(MAP_TYPE, item);
      if (!hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    }
  }
}

function splitDeletions(list: readonly unknown[]): [unknown[], unknown[]] {
  const keep: unknown[] = [];
  const del: unknown[] = [];
  for (const v of list) {
    if (!isObject(v)) throw errBadArgType(MAP_TYPE, v);
    if (v[DIRECTIVE] === DELETE) del.push(v);
    else keep.push(v);
  }
  return [keep, del];
}

/** Stable insertion sort, the algorithm Go's sort.SliceStable uses on short lists. */
function stableSort<T>(items: T[], less: (a: T, b: T) => boolean): void {
  for (let i = 1; i < items.length; i++) {
    for (let j = i; j > 0 && less(items[j] as T, items[j - 1] as T); j--) {
      const t = items[j] as T;
      items[j] = items[j - 1] as T;
      items[j - 1] = t;
    }
  }
}

function normalizeSliceOrder(toSort: unknown[], order: readonly unknown[], mergeKey: string, kind: JsonKind): unknown[] {
  let del: unknown[] = [];
  let items = toSort;
  if (kind === 'object') {
    validateMergeKeys(mergeKey, toSort, [...order]);
    [items, del] = splitDeletions(toSort);
  }
  stableSort(items, (a, b) => {
    const ia = indexIn(order, a, mergeKey, kind);
    if (ia >= 0) {
      const ib = indexIn(order, b, mergeKey, kind);
      if (ib >= 0) return ia < ib;
    }
    return true;
  });
  return [...items, ...del];
}

/** Interleaves server-only items into the patch items, keeping each list's own order. */
function mergeSorted(left: unknown[], right: unknown[], serverOrder: readonly unknown[], mergeKey: string, kind: JsonKind): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** Order rules: $setElementOrder (or patch order) for patched items, live order for the rest. */
function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string,
  kind: JsonKind,
): unknown[] {
  const p = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSorted(s, p, serverOrder, mergeKey, kind);
}

function partition(list: readonly unknown[], by: readonly unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  if (mergeKey === '') {
    const set = new Set(by);
    for (const v of list) (set.has(v) ? inPatch : serverOnly).push(v);
    return [inPatch, serverOnly];
  }
  for (const v of list) {
    if (!isObject(v)) throw errBadArgType(MAP_TYPE, v);
    if (!hasOwn(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    (findByKey(by, mergeKey, v[mergeKey]) >= 0 ? inPatch : serverOnly).push(v);
  }
  return [inPatch, serverOnly];
}

function dedupe(list: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of list) if (!out.includes(v)) out.push(v);
  return out;
}

function mergeSlice(original: unknown[], patch: unknown[], schema: SchemaNode | undefined, mergeKey: string, isDeleteList: boolean): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch);
  let merged: unknown[];
  let orig = original;
  let items = patch;
  if (kind !== 'object') {
    if (isDeleteList) return original.filter((v) => !patch.includes(v));
    merged = dedupe([...original, ...patch]);
  } else {
    if (mergeKey === '') throw internal('cannot merge lists without merge key for struct');
    [orig, items] = applySpecialElements(original, patch, mergeKey);
    merged = [...orig];
    for (const v of items) {
      const m = v as JsonObject;
      if (!hasOwn(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
      const at = findByKey(merged, mergeKey, m[mergeKey]);
      if (at >= 0) merged[at] = mergeMap(merged[at] as JsonObject, m, schema);
      else merged.push(stripDirectiveKeys(v));
    }
  }
  const [patchItems, serverOnly] = partition(merged, items, kind === 'object' ? mergeKey : '');
  return normalizeElementOrder(patchItems, serverOnly, items, orig, kind === 'object' ? mergeKey : '', kind);
}

/** Handles `$patch` elements of a merging list: delete by key, or replace the whole list. */
function applySpecialElements(original: unknown[], patch: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const plain: unknown[] = [];
  let replace = false;
  let orig = original;
  for (const v of patch) {
    const m = v as JsonObject;
    if (!hasOwn(m, DIRECTIVE)) {
      plain.push(v);
      continue;
    }
    const directive = m[DIRECTIVE];
    if (directive === DELETE) {
      if (!hasOwn(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
      const value = m[mergeKey];
      for (;;) {
        const at = findByKey(orig, mergeKey, value);
        if (at < 0) break;
        orig = [...orig.slice(0, at), ...orig.slice(at + 1)];
      }
    } else if (directive === REPLACE) {
      replace = true;
    } else if (directive === MERGE) {
      throw internal('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(directive, m);
    }
  }
  if (replace) return [plain.map(stripDirectiveKeys), []];
  return [orig, plain];
}

function mergeSliceHandler(
  original: unknown,
  patch: unknown,
  schema: SchemaNode | undefined,
  strategy: string,
  mergeKey: string,
  isDeleteList: boolean,
): unknown[] {
  if (!Array.isArray(original)) throw errBadArgType(SLICE_TYPE, original);
  if (!Array.isArray(patch)) throw errBadArgType(SLICE_TYPE, patch);
  if (strategy === MERGE || isDeleteList) return mergeSlice(original, patch, schema, mergeKey, isDeleteList);
  return stripDirectiveKeys(patch) as unknown[];
}

function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!hasOwn(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw errBadRetainKeys();
  const keep = new Set(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw errBadRetainKeys();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

function validateWithSetOrder(patchList: unknown[] | undefined, order: unknown[], mergeKey: string): void {
  const list = patchList ?? [];
  if (order.length === 0 || list.length === 0) return;
  const nonDelete = mergeKey === '' ? list : splitDeletions(list)[0];
  let pi = 0;
  let oi = 0;
  while (pi < nonDelete.length && oi < order.length) {
    const item = nonDelete[pi];
    if (isObject(item) && hasOwn(item, DIRECTIVE)) {
      pi++;
      continue;
    }
    if (keyEqual(item, order[oi], mergeKey)) pi++;
    oi++;
  }
  if (pi < nonDelete.length && oi >= order.length) {
    throw internal(`The order in patch list:\n${goFormat(list)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goFormat(order)}\n`);
  }
}

function keyEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (mergeKey === '') return left === right;
  if (!isObject(left)) throw errBadArgType(MAP_TYPE, left);
  if (!isObject(right)) throw errBadArgType(MAP_TYPE, right);
  if (!hasOwn(left, mergeKey)) throw errNoMergeKey(left, mergeKey);
  if (!hasOwn(right, mergeKey)) throw errNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

/** Merges every list that has a `$setElementOrder/<list>` directive, in the requested order. */
function applySetElementOrder(original: JsonObject, patch: JsonObject, schema: SchemaNode | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw errBadArgType(SLICE_TYPE, order);
    const listKey = extractKey(key, SET_ELEMENT_ORDER);
    const foundOriginal = hasOwn(original, listKey);
    const foundPatch = hasOwn(patch, listKey);
    const originalList = original[listKey];
    const patchList = patch[listKey];
    if (foundOriginal && !Array.isArray(originalList)) throw errBadArgType(SLICE_TYPE, originalList);
    if (foundPatch && !Array.isArray(patchList)) throw errBadArgType(SLICE_TYPE, patchList);
    const origArr = foundOriginal ? (originalList as unknown[]) : undefined;
    const patchArr = foundPatch ? (patchList as unknown[]) : undefined;
    const [sub, meta] = lookupSlice(schema, listKey);
    const strategy = mainStrategy(meta.strategies);
    validateWithSetOrder(patchArr, order, meta.mergeKey);
    let merged: unknown[];
    if (origArr !== undefined && patchArr === undefined) merged = origArr;
    else if (origArr === undefined && patchArr !== undefined) merged = removeDirectives(patchArr)[0] as unknown[];
    else if (origArr !== undefined && patchArr !== undefined) merged = mergeSliceHandler(origArr, patchArr, sub, strategy, meta.mergeKey, false);
    else continue;
    const [inOrder, serverOnly] = partition(merged, order, meta.mergeKey);
    const kind = sliceElementKind(origArr, patchArr);
    original[listKey] = normalizeElementOrder(inOrder, serverOnly, order, origArr ?? [], meta.mergeKey, kind);
    delete patch[listKey];
  }
}

function mergeMap(original: JsonObject | null, patch: JsonObject, schema: SchemaNode | undefined): JsonObject {
  if (hasOwn(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    if (directive === REPLACE) {
      delete patch[DIRECTIVE];
      return stripDirectiveKeys(patch) as JsonObject;
    }
    if (directive === DELETE) return {};
    throw errBadPatchType(directive, patch);
  }
  const out = original ?? {};
  applyRetainKeys(out, patch);
  applySetElementOrder(out, patch, schema);

  for (const rawKey of Object.keys(patch)) {
    if (!hasOwn(patch, rawKey)) continue;
    const patchV = patch[rawKey];
    let key = rawKey;
    const isDeleteList = rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST);
    if (isDeleteList) key = extractKey(rawKey, DELETE_FROM_PRIMITIVE_LIST);

    if (patchV === null || patchV === undefined) {
      delete out[key];
      continue;
    }
    if (!hasOwn(out, key) || kindOf(out[key]) !== kindOf(patchV)) {
      if (!isDeleteList) {
        const [v, keep] = fresh(patchV);
        if (keep) setOwn(out, key, v);
        else delete out[key];
      }
      continue;
    }
    const current = out[key];
    if (isObject(current)) {
      const [sub, meta] = lookupStruct(schema, key);
      setOwn(out, key, mainStrategy(meta.strategies) === REPLACE ? stripDirectiveKeys(patchV) : mergeMap(current, patchV as JsonObject, sub));
    } else if (Array.isArray(current)) {
      const [sub, meta] = lookupSlice(schema, key);
      setOwn(out, key, mergeSliceHandler(current, patchV, sub, mainStrategy(meta.strategies), meta.mergeKey, isDeleteList));
    } else {
      setOwn(out, key, patchV);
    }
  }
  return out;
}

/**
 * Applies a strategic merge patch (decoded JSON) to an object using the patch metadata of
 * `schema`. Inputs are not modified. Throws PatchError with upstream's texts and codes.
 */
export function applyStrategicMergePatch(original: unknown, patch: unknown, schema: SchemaNode): unknown {
  if (patch === null || patch === undefined) return clone(original);
  if (!isObject(patch)) throw badRequest(`json: cannot unmarshal ${jsonTypeWord(patch)} into Go value of type map[string]interface {}`);
  if (original !== null && original !== undefined && !isObject(original)) throw errBadArgType(MAP_TYPE, original);
  return mergeMap(isObject(original) ? clone(original) : null, clone(patch), schema);
}
