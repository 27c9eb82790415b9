// Schema-driven walks over objects for server-side apply (structured-merge-diff's typed package):
// the field set of an object, the comparison of two objects, the merge of an applied configuration
// into a live object, and removal of a field set. Types come from our SchemaNode: lists are atomic,
// sets or maps (x-kubernetes-list-type, else derived from the patch strategy as kube-openapi does),
// maps and structs are granular unless x-kubernetes-map-type is atomic; a missing schema or
// x-kubernetes-preserve-unknown-fields makes the subtree atomic.
import type { SchemaNode } from '../schema/dsl.js';
import { FieldSet, fieldPE, keyPE, pathString, serializePE, valuePE, type FieldPath, type PathElement } from './fieldpath.js';
import { deepEqual, hasOwn, isObject, setOwn, type JsonObject } from './json.js';

export type Atom =
  | { readonly kind: 'leaf' }
  | { readonly kind: 'map'; readonly node: SchemaNode }
  | { readonly kind: 'list'; readonly node: SchemaNode; readonly keys: readonly string[] };

const LEAF: Atom = { kind: 'leaf' };

function isListSchema(n: SchemaNode): boolean {
  return n.type === 'array' || n.items !== undefined;
}

function isMapSchema(n: SchemaNode): boolean {
  return n.type === 'object' || n.properties !== undefined || typeof n.additionalProperties === 'object';
}

/** How a value is walked under a schema node; a value of the wrong shape is a leaf. */
export function atomOf(node: SchemaNode | undefined, v: unknown): Atom {
  if (node === undefined || node['x-kubernetes-preserve-unknown-fields'] === true) return LEAF;
  if (isListSchema(node)) {
    if (!Array.isArray(v) && v !== undefined) return LEAF;
    const listType = node['x-kubernetes-list-type'];
    if (listType === 'map') return { kind: 'list', node, keys: node['x-kubernetes-list-map-keys'] ?? [] };
    if (listType === 'set') return { kind: 'list', node, keys: [] };
    if (listType === 'atomic') return LEAF;
    if ((node['x-kubernetes-patch-strategy'] ?? '').split(',').includes('merge')) {
      const key = node['x-kubernetes-patch-merge-key'];
      return { kind: 'list', node, keys: key ? [key] : [] };
    }
    return LEAF;
  }
  if (isMapSchema(node)) {
    if (!isObject(v) && v !== undefined) return LEAF;
    if (node['x-kubernetes-map-type'] === 'atomic') return LEAF;
    return { kind: 'map', node };
  }
  return LEAF;
}

export function fieldSchema(node: SchemaNode, key: string): SchemaNode | undefined {
  if (node.properties && Object.prototype.hasOwnProperty.call(node.properties, key)) return node.properties[key];
  return typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
}

function isNamedField(node: SchemaNode, key: string): boolean {
  return node.properties !== undefined && Object.prototype.hasOwnProperty.call(node.properties, key);
}

export class TypedError extends Error {}

/** The path element of a list item, or an error text as upstream words it. */
export function itemPE(atom: Atom & { kind: 'list' }, item: unknown): PathElement {
  if (atom.keys.length > 0) {
    if (item === null || item === undefined) throw new TypedError('associative list with keys may not have a null element');
    if (!isObject(item)) throw new TypedError('associative list with keys may not have non-map elements');
    const fields: [string, unknown][] = [];
    for (const k of atom.keys) {
      if (hasOwn(item, k) && item[k] !== null) fields.push([k, item[k]]);
      else {
        const def = atom.node.items?.properties?.[k]?.default;
        if (def === undefined) throw new TypedError(`associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`);
        fields.push([k, def]);
      }
    }
    return keyPE(fields);
  }
  if (isObject(item)) throw new TypedError("associative list without keys has an element that's a map type");
  if (Array.isArray(item)) throw new TypedError('not supported: associative list with lists as elements');
  if (item === null || item === undefined) throw new TypedError("associative list without keys has an element that's an explicit null");
  return valuePE(item);
}

/** Checks an applied configuration: list items must have their keys and no duplicates. */
export function validate(v: unknown, node: SchemaNode | undefined, path: FieldPath = []): void {
  const atom = atomOf(node, v);
  if (atom.kind === 'map' && isObject(v)) {
    for (const [k, sub] of Object.entries(v)) validate(sub, fieldSchema(atom.node, k), [...path, fieldPE(k)]);
  } else if (atom.kind === 'list' && Array.isArray(v)) {
    const seen = new Set<string>();
    v.forEach((item, i) => {
      let pe: PathElement;
      try {
        pe = itemPE(atom, item);
      } catch (e) {
        throw new TypedError(`${pathString(path)}: element ${i}: ${(e as Error).message}`);
      }
      const k = serializePE(pe);
      if (seen.has(k)) throw new TypedError(`${pathString(path)}: duplicate entries for key ${pathString([pe])}`);
      seen.add(k);
      validate(item, atom.node.items, [...path, pe]);
    });
  }
}

function indexItems(atom: Atom & { kind: 'list' }, list: readonly unknown[]): { pe: PathElement; key: string; item: unknown }[] {
  return list.map((item) => {
    const pe = itemPE(atom, item);
    return { pe, key: serializePE(pe), item };
  });
}

/** The set of fields an object sets (what an applier owns by applying it). */
export function toFieldSet(v: unknown, node: SchemaNode | undefined): FieldSet {
  const set = new FieldSet();
  walkSet(v, node, [], set);
  return set;
}

function walkSet(v: unknown, node: SchemaNode | undefined, path: FieldPath, set: FieldSet): void {
  const atom = atomOf(node, v);
  if (atom.kind === 'leaf') {
    set.insert(path);
    return;
  }
  if (atom.kind === 'list') {
    if (!Array.isArray(v)) return;
    const items = indexItems(atom, v);
    const counts = new Map<string, number>();
    for (const it of items) counts.set(it.key, (counts.get(it.key) ?? 0) + 1);
    const done = new Set<string>();
    for (const it of items) {
      if (done.has(it.key)) continue;
      done.add(it.key);
      const p = [...path, it.pe];
      if ((counts.get(it.key) ?? 0) < 2) walkSet(it.item, atom.node.items, p, set);
      set.insert(p);
    }
    return;
  }
  if (!isObject(v)) return;
  for (const [k, sub] of Object.entries(v)) {
    const p = [...path, fieldPE(k)];
    walkSet(sub, fieldSchema(atom.node, k), p, set);
    if (sub === null || (isObject(sub) && Object.keys(sub).length === 0) || !isNamedField(atom.node, k)) set.insert(p);
  }
}

export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

/** Which fields were added, modified and removed going from `lhs` to `rhs`. */
export function compare(lhs: unknown, rhs: unknown, node: SchemaNode | undefined): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  walkCompare(lhs, rhs, node, [], c);
  return c;
}

function isEmptyContainer(v: unknown): boolean {
  return v === undefined || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

function walkCompare(lhs: unknown, rhs: unknown, node: SchemaNode | undefined, path: FieldPath, c: Comparison): void {
  // The same value on both sides changes nothing below it (shared subtrees of an update).
  if (lhs === rhs && lhs !== undefined) return;
  const atom = atomOf(node, rhs !== undefined ? rhs : lhs);
  const shapeChanged = lhs !== undefined && rhs !== undefined && atomOf(node, lhs).kind !== atom.kind;
  const leaf = (): void => {
    if (lhs === undefined) c.added.insert(path);
    else if (rhs === undefined) c.removed.insert(path);
    else if (!deepEqual(lhs, rhs)) c.modified.insert(path);
  };
  if (atom.kind === 'leaf' || shapeChanged || (isEmptyContainer(lhs) && isEmptyContainer(rhs))) {
    leaf();
    return;
  }
  if (atom.kind === 'list') {
    const l = Array.isArray(lhs) ? indexItems(atom, lhs) : [];
    const r = Array.isArray(rhs) ? indexItems(atom, rhs) : [];
    const order: PathElement[] = [];
    const lv = new Map<string, unknown[]>();
    const rv = new Map<string, unknown[]>();
    for (const it of l) {
      if (!lv.has(it.key)) order.push(it.pe);
      lv.set(it.key, [...(lv.get(it.key) ?? []), it.item]);
    }
    for (const it of r) {
      if (!rv.has(it.key) && !lv.has(it.key)) order.push(it.pe);
      rv.set(it.key, [...(rv.get(it.key) ?? []), it.item]);
    }
    for (const pe of order) {
      const k = serializePE(pe);
      const ll = lv.get(k) ?? [];
      const rl = rv.get(k) ?? [];
      const p = [...path, pe];
      if (ll.length <= 1 && rl.length <= 1) walkCompare(ll[0], rl[0], atom.node.items, p, c);
      else if (ll.length >= 2 && rl.length >= 2) {
        if (!deepEqual(ll, rl)) c.modified.insert(p);
      } else if (ll.length >= 2) {
        if (rl.length !== 0) walkCompare(undefined, rl[0], atom.node.items, p, c);
        c.removed.insert(p);
      } else {
        if (ll.length !== 0) walkCompare(ll[0], undefined, atom.node.items, p, c);
        c.added.insert(p);
      }
    }
  } else {
    const l = isObject(lhs) ? lhs : {};
    const r = isObject(rhs) ? rhs : {};
    const keys = new Set([...Object.keys(l), ...Object.keys(r)]);
    for (const k of keys) walkCompare(l[k], r[k], fieldSchema(atom.node, k), [...path, fieldPE(k)], c);
  }
  if (lhs === undefined) c.added.insert(path);
  else if (rhs === undefined) c.removed.insert(path);
}

/** The live object with the applied configuration merged in (configuration values win). */
export function merge(lhs: unknown, rhs: unknown, node: SchemaNode | undefined): unknown {
  if (rhs === undefined) return lhs;
  if (lhs === undefined) return rhs;
  const atom = atomOf(node, rhs);
  if (atom.kind === 'leaf' || atomOf(node, lhs).kind !== atom.kind || (isEmptyContainer(lhs) && isEmptyContainer(rhs))) return rhs;
  if (atom.kind === 'map') {
    const l = lhs as JsonObject;
    const r = rhs as JsonObject;
    const out: JsonObject = {};
    for (const k of Object.keys(l)) {
      const v = hasOwn(r, k) ? merge(l[k], r[k], fieldSchema(atom.node, k)) : l[k];
      if (v !== undefined) setOwn(out, k, v);
    }
    for (const k of Object.keys(r)) if (!hasOwn(l, k)) setOwn(out, k, r[k]);
    return out;
  }
  return mergeList(atom, lhs as unknown[], rhs as unknown[]);
}

/**
 * Merges list items by key. Items only in the live list keep their place; items in the applied
 * list follow its order, anchored on the items both lists share.
 */
function mergeList(atom: Atom & { kind: 'list' }, lhs: unknown[], rhs: unknown[]): unknown[] {
  const l = indexItems(atom, lhs);
  const r = indexItems(atom, rhs);
  const lMap = new Map<string, unknown>();
  for (const it of l) lMap.set(it.key, lMap.has(it.key) ? null : it.item);
  const rMap = new Map<string, unknown>();
  for (const it of r) rMap.set(it.key, it.item);
  const shared = r.filter((it) => lMap.has(it.key)).map((it) => it.key);
  let nextShared = shared.shift();
  const mergedR = new Set<string>();
  const out: unknown[] = [];
  const mergeItem = (lv: unknown, rv: unknown): void => {
    const v = merge(lv ?? undefined, rv ?? undefined, atom.node.items);
    if (v !== undefined) out.push(v);
  };
  let li = 0;
  let ri = 0;
  while (li < l.length || ri < r.length) {
    if (li < l.length && ri < r.length) {
      const lk = (l[li] as { key: string }).key;
      if (lk === (r[ri] as { key: string }).key) {
        mergedR.add(lk);
        mergeItem(lMap.get(lk), rMap.get(lk));
        li++;
        ri++;
        nextShared = shared.shift();
        continue;
      }
      if (rMap.has(lk) && nextShared !== undefined && nextShared !== lk) {
        li++;
        continue;
      }
    }
    if (li < l.length) {
      const lk = (l[li] as { key: string }).key;
      if (!rMap.has(lk)) {
        mergeItem((l[li] as { item: unknown }).item, undefined);
        li++;
        continue;
      } else if (mergedR.has(lk)) {
        li++;
      }
    }
    if (ri < r.length) {
      const rk = (r[ri] as { key: string }).key;
      mergedR.add(rk);
      mergeItem(lMap.get(rk), rMap.get(rk));
      ri++;
      if (nextShared !== undefined && nextShared === rk) nextShared = shared.shift();
    }
  }
  return out;
}

/** The value without the fields of `toRemove`; a container left empty becomes null. */
export function removeItems(v: unknown, toRemove: FieldSet, node: SchemaNode | undefined): unknown {
  const atom = atomOf(node, v);
  if (atom.kind === 'leaf') return v;
  if (atom.kind === 'list') {
    if (!Array.isArray(v) || v.length === 0) return v;
    const out: unknown[] = [];
    for (const item of v) {
      const pe = itemPE(atom, item);
      if (toRemove.hasMember(pe)) continue;
      const sub = toRemove.child(pe);
      const nv = sub && !sub.isEmpty() ? removeItems(item, sub, atom.node.items) : item;
      if (nv !== null || item === null) out.push(nv);
    }
    return out.length > 0 ? out : null;
  }
  if (!isObject(v) || Object.keys(v).length === 0) return v;
  const out: JsonObject = {};
  for (const [k, sub] of Object.entries(v)) {
    const pe = fieldPE(k);
    if (toRemove.hasMember(pe)) continue;
    const s = toRemove.child(pe);
    const nv = s && !s.isEmpty() ? removeItems(sub, s, fieldSchema(atom.node, k)) : sub;
    out[k] = nv;
  }
  // Upstream leaves an emptied container as null; the caller drops nulls at the end.
  return Object.keys(out).length > 0 ? out : null;
}

/** Makes every named struct field that has children also a member (upstream's EnsureNamedFieldsAreMembers). */
export function ensureNamedFieldsAreMembers(set: FieldSet, node: SchemaNode | undefined): FieldSet {
  const out = new FieldSet();
  walkEnsure(set, node, out, []);
  return out;
}

function walkEnsure(set: FieldSet, node: SchemaNode | undefined, out: FieldSet, path: FieldPath): void {
  for (const e of set.entries()) {
    const p = [...path, e.pe];
    if (e.member) out.insert(p);
    if (!e.set) continue;
    let sub: SchemaNode | undefined;
    if (e.pe.kind === 'field') {
      if (node && isMapSchema(node) && isNamedField(node, e.pe.name)) out.insert(p);
      sub = node ? fieldSchema(node, e.pe.name) : undefined;
    } else {
      sub = node?.items;
    }
    walkEnsure(e.set, sub, out, p);
  }
}
