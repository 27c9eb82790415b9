// Field paths and field sets of server-side apply (structured-merge-diff's fieldpath), with the
// fieldsV1 encoding stored in metadata.managedFields: {"f:spec":{"f:replicas":{}}}, list items as
// "k:{json of key fields}", "v:<json>" or "i:<n>", and "." when an item is itself a member.
import { isObject, kindOf, setOwn, type JsonObject } from './json.js';

export type PathElement =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'key'; readonly fields: readonly (readonly [string, unknown])[] }
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'index'; readonly index: number };

export type FieldPath = readonly PathElement[];

const fieldPEs = new Map<string, PathElement>();

/** A struct field or map key path element; interned, as the same few names recur in every object. */
export function fieldPE(name: string): PathElement {
  let pe = fieldPEs.get(name);
  if (pe === undefined) {
    pe = Object.freeze({ kind: 'field', name }) as PathElement;
    // Map keys (labels, annotations, data) are unbounded; intern only a bounded number of names.
    if (fieldPEs.size < 50_000) fieldPEs.set(name, pe);
  }
  return pe;
}

/** A list-map item path element; key fields are kept sorted by name. */
export function keyPE(fields: readonly (readonly [string, unknown])[]): PathElement {
  return { kind: 'key', fields: [...fields].sort((a, b) => cmpStr(a[0], b[0])) };
}

export function valuePE(value: unknown): PathElement {
  return { kind: 'value', value };
}

export function indexPE(index: number): PathElement {
  return { kind: 'index', index };
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const KIND_ORDER: Record<string, number> = { number: 0, string: 1, boolean: 2, array: 3, object: 4, null: 5 };

/** Total order over JSON values: numbers, strings, booleans, lists, maps, null. */
export function compareValues(a: unknown, b: unknown): number {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka !== kb) return (KIND_ORDER[ka] ?? 9) - (KIND_ORDER[kb] ?? 9);
  switch (ka) {
    case 'number':
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 'string':
      return cmpStr(a as string, b as string);
    case 'boolean':
      return a === b ? 0 : a ? 1 : -1;
    case 'array': {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    case 'object': {
      const x = a as JsonObject;
      const y = b as JsonObject;
      const kx = Object.keys(x).sort();
      const ky = Object.keys(y).sort();
      for (let i = 0; i < Math.min(kx.length, ky.length); i++) {
        const c = cmpStr(kx[i] as string, ky[i] as string) || compareValues(x[kx[i] as string], y[ky[i] as string]);
        if (c !== 0) return c;
      }
      return kx.length - ky.length;
    }
    default:
      return 0;
  }
}

const PE_ORDER = { field: 0, key: 1, value: 2, index: 3 } as const;

export function comparePE(a: PathElement, b: PathElement): number {
  if (a.kind !== b.kind) return PE_ORDER[a.kind] - PE_ORDER[b.kind];
  switch (a.kind) {
    case 'field':
      return cmpStr(a.name, (b as typeof a).name);
    case 'key': {
      const y = (b as typeof a).fields;
      for (let i = 0; i < Math.min(a.fields.length, y.length); i++) {
        const [an, av] = a.fields[i] as readonly [string, unknown];
        const [bn, bv] = y[i] as readonly [string, unknown];
        const c = cmpStr(an, bn) || compareValues(av, bv);
        if (c !== 0) return c;
      }
      return a.fields.length - y.length;
    }
    case 'value':
      return compareValues(a.value, (b as typeof a).value);
    case 'index':
      return a.index - (b as typeof a).index;
  }
}

/** encoding/json output: like JSON.stringify with sorted keys and HTML-safe escapes. */
export function goJson(v: unknown): string {
  const s = JSON.stringify(sortKeys(v)) ?? 'null';
  return s.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const k of Object.keys(v).sort()) setOwn(out, k, sortKeys(v[k]));
    return out;
  }
  return v;
}

const serialized = new WeakMap<PathElement, string>();

/** The fieldsV1 key of a path element (memoized: sets ask for it at every level they touch). */
export function serializePE(pe: PathElement): string {
  let s = serialized.get(pe);
  if (s === undefined) {
    s = serializePEUncached(pe);
    serialized.set(pe, s);
  }
  return s;
}

function serializePEUncached(pe: PathElement): string {
  switch (pe.kind) {
    case 'field':
      return `f:${pe.name}`;
    case 'key':
      return `k:{${pe.fields.map(([n, v]) => `${goJson(n)}:${goJson(v)}`).join(',')}}`;
    case 'value':
      return `v:${goJson(pe.value)}`;
    case 'index':
      return `i:${pe.index}`;
  }
}

export function deserializePE(s: string): PathElement {
  if (s.length < 2) throw new Error('key must be 2 characters long:');
  if (s[1] !== ':') throw new Error(`missing colon: ${s}`);
  const body = s.slice(2);
  switch (s[0]) {
    case 'f':
      return fieldPE(body);
    case 'v':
      return valuePE(JSON.parse(body));
    case 'k': {
      const o: unknown = JSON.parse(body);
      if (!isObject(o)) throw new Error(`invalid key: ${s}`);
      return keyPE(Object.entries(o));
    }
    case 'i': {
      if (!/^[+-]?\d+$/.test(body)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(body)}: invalid syntax`);
      return indexPE(Number(body));
    }
    default:
      throw new Error('unknown path element type');
  }
}

/** Go %q of a string, close enough for messages: JSON quoting. */
function quote(s: string): string {
  return JSON.stringify(s);
}

function valueString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return quote(v);
  if (Array.isArray(v)) return `[${v.map(valueString).join(',')}]`;
  if (isObject(v)) return Object.keys(v).map((k) => `${k}=${valueString(v[k])}`).join('');
  return String(v);
}

/** The human form used in conflict messages: .spec.containers[name="app"].image */
export function peString(pe: PathElement): string {
  switch (pe.kind) {
    case 'field':
      return `.${pe.name}`;
    case 'key':
      return `[${pe.fields.map(([n, v]) => `${n}=${valueString(v)}`).join(',')}]`;
    case 'value':
      return `[=${valueString(pe.value)}]`;
    case 'index':
      return `[${pe.index}]`;
  }
}

export function pathString(p: FieldPath): string {
  return p.map(peString).join('');
}

interface Child {
  readonly pe: PathElement;
  readonly set: FieldSet;
}

/** A set of field paths, stored as a trie keyed by serialized path elements. */
export class FieldSet {
  private readonly members = new Map<string, PathElement>();
  private readonly children = new Map<string, Child>();

  static of(...paths: FieldPath[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: FieldPath): void {
    if (path.length === 0) return;
    const parent = path.slice(0, -1).reduce<FieldSet>((s, pe) => s.child(pe, true) as FieldSet, this);
    const last = path[path.length - 1] as PathElement;
    parent.members.set(serializePE(last), last);
  }

  /** The subtree below one element, optionally creating it. */
  child(pe: PathElement, create = false): FieldSet | undefined {
    const k = serializePE(pe);
    let c = this.children.get(k);
    if (c === undefined && create) {
      c = { pe, set: new FieldSet() };
      this.children.set(k, c);
    }
    return c?.set;
  }

  withPrefix(pe: PathElement): FieldSet {
    return this.child(pe) ?? new FieldSet();
  }

  hasMember(pe: PathElement): boolean {
    return this.members.has(serializePE(pe));
  }

  has(path: FieldPath): boolean {
    if (path.length === 0) return false;
    const parent = path.slice(0, -1).reduce<FieldSet | undefined>((s, pe) => s?.child(pe), this);
    return parent !== undefined && parent.hasMember(path[path.length - 1] as PathElement);
  }

  isEmpty(): boolean {
    if (this.members.size > 0) return false;
    for (const c of this.children.values()) if (!c.set.isEmpty()) return false;
    return true;
  }

  union(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const src of [this, o]) {
      for (const [k, pe] of src.members) out.members.set(k, pe);
      for (const [k, c] of src.children) {
        const prev = out.children.get(k);
        out.children.set(k, { pe: c.pe, set: prev ? prev.set.union(c.set) : c.set.union(new FieldSet()) });
      }
    }
    return out;
  }

  intersection(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      if (!oc) continue;
      const i = c.set.intersection(oc.set);
      if (!i.isEmpty()) out.children.set(k, { pe: c.pe, set: i });
    }
    return out;
  }

  /** Paths of this set that are not in `o` (structurally: members below a member of `o` stay). */
  difference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      const d = oc ? c.set.difference(oc.set) : c.set.union(new FieldSet());
      if (!d.isEmpty()) out.children.set(k, { pe: c.pe, set: d });
    }
    return out;
  }

  /** Adds `pe` as a member of this level (used to make named struct fields members). */
  addMember(pe: PathElement): void {
    this.members.set(serializePE(pe), pe);
  }

  /** Member and child elements of this level, each once, in path-element order. */
  entries(): { pe: PathElement; member: boolean; set: FieldSet | undefined }[] {
    const keys = new Set<string>([...this.members.keys(), ...this.children.keys()]);
    const out = [...keys].map((k) => {
      const c = this.children.get(k);
      const pe = (this.members.get(k) ?? c?.pe) as PathElement;
      return { pe, member: this.members.has(k), set: c && !c.set.isEmpty() ? c.set : undefined };
    });
    return out.filter((e) => e.member || e.set).sort((a, b) => comparePE(a.pe, b.pe));
  }

  /** Every member path, in order. */
  paths(prefix: FieldPath = []): FieldPath[] {
    const out: FieldPath[] = [];
    for (const e of this.entries()) {
      const p = [...prefix, e.pe];
      if (e.member) out.push(p);
      if (e.set) out.push(...e.set.paths(p));
    }
    return out;
  }

  equals(o: FieldSet): boolean {
    return JSON.stringify(this.toFieldsV1()) === JSON.stringify(o.toFieldsV1());
  }

  toFieldsV1(): JsonObject {
    return this.emit(false);
  }

  private emit(includeSelf: boolean): JsonObject {
    const out: JsonObject = {};
    const entries = this.entries();
    if (includeSelf && entries.length > 0) out['.'] = {};
    for (const e of entries) out[serializePE(e.pe)] = e.set ? e.set.emit(e.member) : {};
    return out;
  }

  static fromFieldsV1(v: unknown): FieldSet {
    const s = new FieldSet();
    if (!isObject(v)) throw new Error('expected an object');
    for (const [k, sub] of Object.entries(v)) {
      if (k === '.') continue;
      const pe = deserializePE(k);
      if (!isObject(sub)) throw new Error('expected an object');
      const keys = Object.keys(sub);
      if (keys.length === 0 || keys.includes('.')) s.addMember(pe);
      if (keys.some((x) => x !== '.')) {
        const c = FieldSet.fromFieldsV1(sub);
        if (!c.isEmpty()) s.children.set(serializePE(pe), { pe, set: c });
      }
    }
    return s;
  }
}
