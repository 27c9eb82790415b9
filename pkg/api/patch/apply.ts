// Server-side apply (application/apply-patch+yaml) and managed-fields tracking for ordinary writes,
// following kube-apiserver's field manager: the applied configuration is merged into the live
// object, the applier owns exactly the fields it applied, fields it applied before and dropped are
// removed unless someone else owns them, and changing a field another manager owns is a conflict
// unless forced (then ownership moves). Updates move ownership of changed fields to the updater.
import type { SchemaNode } from '../schema/dsl.js';
import { PatchError } from './errors.js';
import { FieldSet, fieldPE, pathString, type FieldPath } from './fieldpath.js';
import { clone, deepEqual, isObject, setOwn, type JsonObject } from './json.js';
import {
  capUpdateManagers,
  cloneManaged,
  decodeManagedFields,
  emptyManaged,
  encodeManagedFields,
  formatTime,
  managerIdentifier,
  ManagedFieldsError,
  printManager,
  type Managed,
  type ManagedFieldsEntry,
} from './managedfields.js';
import { compare, ensureNamedFieldsAreMembers, merge, removeItems, toFieldSet, TypedError, validate } from './typed.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
const BEFORE_FIRST_APPLY = 'before-first-apply';
const CURRENT_OPERATION = 'current-operation';

/** One conflicting field: the manager identifier that owns it and its path. */
export interface ApplyConflict {
  readonly manager: string;
  readonly path: string;
}

export interface StatusCauseLike {
  readonly reason: 'FieldManagerConflict';
  readonly message: string;
  readonly field: string;
}

/** A 409 Conflict listing every conflicting field, worded as kube-apiserver words it. */
export class ApplyConflictError extends Error {
  override readonly name = 'ApplyConflictError';
  readonly code = 409;
  readonly reason = 'Conflict';
  constructor(readonly conflicts: readonly ApplyConflict[]) {
    super(conflictMessage(conflicts));
  }
  /** Status details causes: one per conflict. */
  get causes(): StatusCauseLike[] {
    return this.conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.manager)}`, field: c.path }));
  }
}

function conflictMessage(conflicts: readonly ApplyConflict[]): string {
  if (conflicts.length === 1) {
    const c = conflicts[0] as ApplyConflict;
    return `Apply failed with 1 conflict: conflict with ${printManager(c.manager)}: ${c.path}`;
  }
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.path]);
  const lines: string[] = [];
  for (const m of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${printManager(m)}:`);
    for (const p of byManager.get(m) ?? []) lines.push(`- ${p}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

class Conflicts extends Error {
  constructor(readonly sets: Map<string, FieldSet>) {
    super('conflicts');
  }
  list(): { manager: string; path: FieldPath }[] {
    const out: { manager: string; path: FieldPath }[] = [];
    for (const m of [...this.sets.keys()].sort()) for (const p of (this.sets.get(m) as FieldSet).paths()) out.push({ manager: m, path: p });
    return out;
  }
}

// Fields the server owns: never recorded for any manager.
const STRIP = FieldSet.of(
  [fieldPE('apiVersion')],
  [fieldPE('kind')],
  [fieldPE('metadata')],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map((f) => [fieldPE('metadata'), fieldPE(f)]),
);

function stripMeta(m: Managed, id: string): void {
  const vs = m.fields.get(id);
  if (!vs) return;
  const s = vs.set.difference(STRIP);
  if (s.isEmpty()) m.fields.delete(id);
  else m.fields.set(id, { ...vs, set: s });
}

function withoutManagedFields(obj: unknown): JsonObject {
  const o = isObject(obj) ? clone(obj) : {};
  const meta = o['metadata'];
  if (isObject(meta)) delete meta['managedFields'];
  return o;
}

function shallowWithoutManagedFields(obj: JsonObject): JsonObject {
  const meta = obj['metadata'];
  if (!isObject(meta)) return { ...obj };
  const { managedFields: _drop, ...rest } = meta;
  return { ...obj, metadata: rest };
}

/** Null map values end up omitted once upstream decodes into typed objects; do the same. */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const [k, e] of Object.entries(v)) if (e !== null && e !== undefined) setOwn(out, k, dropNulls(e));
    return out;
  }
  return v;
}

/** Moves ownership: conflicting and removed fields leave the other managers' sets. */
function updateManagers(oldObj: unknown, newObj: unknown, managed: Managed, workflow: string, force: boolean, schema: SchemaNode) {
  const cmp = compare(oldObj, newObj, schema);
  const changed = cmp.modified.union(cmp.added);
  const conflicts = new Map<string, FieldSet>();
  for (const [id, vs] of managed.fields) {
    if (id === workflow) continue;
    const c = vs.set.intersection(changed);
    if (!c.isEmpty()) conflicts.set(id, c);
  }
  if (!force && conflicts.size > 0) throw new Conflicts(conflicts);
  for (const [id, vs] of [...managed.fields]) {
    if (id === workflow) continue;
    let s = vs.set;
    const c = conflicts.get(id);
    if (c) s = s.difference(c);
    if (!cmp.removed.isEmpty()) s = s.difference(cmp.removed);
    if (s.isEmpty()) managed.fields.delete(id);
    else managed.fields.set(id, { ...vs, set: s });
  }
  return cmp;
}

/** Removes what the applier applied last time and no longer applies, unless someone owns it. */
function prune(merged: unknown, managed: Managed, lastSet: FieldSet | undefined, schema: SchemaNode): unknown {
  if (lastSet === undefined || lastSet.isEmpty()) return merged;
  const en = (s: FieldSet): FieldSet => ensureNamedFieldsAreMembers(s, schema);
  const setOf = (v: unknown): FieldSet => en(toFieldSet(v ?? {}, schema));
  const last = en(lastSet);
  const pruned1 = removeItems(merged, last, schema);
  let owned = new FieldSet();
  for (const vs of managed.fields.values()) owned = owned.union(vs.set);
  const mergedSet = setOf(merged);
  const pruned2 = removeItems(merged, mergedSet.difference(setOf(pruned1).union(en(owned))), schema);
  return removeItems(merged, mergedSet.difference(setOf(pruned2)).intersection(last), schema) ?? {};
}

interface Step {
  object: unknown;
  managed: Managed;
  changed: boolean;
}

function smdApply(live: JsonObject, applied: JsonObject, managed: Managed, id: string, force: boolean, schema: SchemaNode, apiVersion: string): Step {
  const m = cloneManaged(managed);
  let newObj = merge(live, applied, schema);
  const lastSet = m.fields.get(id)?.set;
  m.fields.set(id, { set: toFieldSet(applied, schema), apiVersion, applied: true });
  newObj = prune(newObj, m, lastSet, schema);
  updateManagers(live, newObj, m, id, force, schema);
  return { object: newObj, managed: m, changed: !deepEqual(live, newObj) };
}

function smdUpdate(oldObj: JsonObject, newObj: JsonObject, managed: Managed, id: string, apiVersion: string, schema: SchemaNode, now: string): Managed {
  const m = cloneManaged(managed);
  const cmp = updateManagers(oldObj, newObj, m, CURRENT_OPERATION, true, schema);
  const set = (m.fields.get(CURRENT_OPERATION)?.set ?? new FieldSet()).difference(cmp.removed).union(cmp.modified).union(cmp.added);
  if (set.isEmpty()) m.fields.delete(CURRENT_OPERATION);
  else m.fields.set(CURRENT_OPERATION, { set, apiVersion, applied: false });
  stripMeta(m, CURRENT_OPERATION);
  const current = m.fields.get(CURRENT_OPERATION);
  if (current) {
    m.fields.delete(CURRENT_OPERATION);
    const previous = m.fields.get(id);
    m.fields.set(id, previous ? { ...current, set: current.set.union(previous.set) } : current);
    m.times.set(id, now);
  }
  return m;
}

function setManagedFields(obj: unknown, managed: Managed): { object: JsonObject; managedFields: ManagedFieldsEntry[] } {
  const object = (isObject(obj) ? obj : {}) as JsonObject;
  const entries = encodeManagedFields(managed);
  const meta = isObject(object['metadata']) ? object['metadata'] : undefined;
  if (entries.length > 0) {
    if (meta) meta['managedFields'] = entries;
    else object['metadata'] = { managedFields: entries };
  } else if (meta) {
    delete meta['managedFields'];
  }
  return { object, managedFields: entries };
}

function gvknn(obj: JsonObject, apiVersion: string): string {
  const meta = isObject(obj['metadata']) ? obj['metadata'] : {};
  const slash = apiVersion.indexOf('/');
  const gv = slash < 0 ? `/${apiVersion}` : apiVersion;
  return `${String(meta['namespace'] ?? '')}/${String(meta['name'] ?? '')}; ${gv}, Kind=${String(obj['kind'] ?? '')}`;
}

function decodeOrFail(entries: unknown): Managed {
  try {
    return decodeManagedFields(entries);
  } catch (e) {
    if (e instanceof ManagedFieldsError) throw new PatchError(`failed to decode managed fields: ${e.message}`, 500);
    throw e;
  }
}

/** Fields of the last-applied annotation that still hold their applied values in the live object. */
function allowedFromLastApplied(live: JsonObject, schema: SchemaNode, apiVersion: string): FieldSet | undefined {
  const meta = isObject(live['metadata']) ? live['metadata'] : {};
  const ann = isObject(meta['annotations']) ? meta['annotations'] : {};
  const text = ann[LAST_APPLIED_ANNOTATION];
  if (typeof text !== 'string' || text === '') return undefined;
  let last: unknown;
  try {
    last = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(last) || last['apiVersion'] !== apiVersion) return undefined;
  try {
    const cmp = compare(last, live, schema);
    return toFieldSet(last, schema).difference(cmp.modified).difference(cmp.added).difference(cmp.removed);
  } catch {
    return undefined;
  }
}

/** The annotation value kubectl keeps: the applied object without that annotation, as JSON. */
function lastAppliedValue(applied: JsonObject): string {
  const o = clone(applied);
  const meta = o['metadata'];
  if (isObject(meta) && isObject(meta['annotations'])) {
    delete meta['annotations'][LAST_APPLIED_ANNOTATION];
  }
  return `${JSON.stringify(sortedKeys(o))}\n`;
}

function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const k of Object.keys(v).sort()) setOwn(out, k, sortedKeys(v[k]));
    return out;
  }
  return v;
}

export interface ApplyOptions {
  /** The stored object, or null/undefined when apply creates it. */
  readonly live: unknown;
  /** The applied configuration (decoded YAML/JSON). */
  readonly applied: unknown;
  /** The fieldManager of the request. */
  readonly manager: string;
  readonly force: boolean;
  /** Entries to start from; defaults to live.metadata.managedFields. */
  readonly managedFields?: unknown;
  readonly schema: SchemaNode;
  /** group/version of the endpoint ("apps/v1", "v1"). */
  readonly apiVersion: string;
  readonly now: Date;
  readonly subresource?: string;
}

export interface ManagedResult {
  /** The resulting object, with metadata.managedFields set. */
  readonly object: JsonObject;
  readonly managedFields: ManagedFieldsEntry[];
}

/**
 * Server-side apply. Throws ApplyConflictError (409) on conflicts without force, PatchError 400
 * for a configuration upstream rejects up front, PatchError 500 for an invalid configuration or
 * undecodable managed fields.
 */
export function applyPatch(o: ApplyOptions): ManagedResult {
  if (!isObject(o.applied)) throw new PatchError('error decoding YAML: the apply configuration must be an object', 400);
  const applied = clone(o.applied);
  const patchVersion = typeof applied['apiVersion'] === 'string' ? applied['apiVersion'] : '';
  if (patchVersion !== o.apiVersion) {
    throw new PatchError(`Incorrect version specified in apply patch. Specified patch version: ${patchVersion}, expected: ${o.apiVersion}`, 400);
  }
  const appliedMeta = applied['metadata'];
  if (isObject(appliedMeta) && appliedMeta['managedFields'] !== undefined && appliedMeta['managedFields'] !== null) {
    throw new PatchError('metadata.managedFields must be nil', 400);
  }
  if (isObject(appliedMeta)) delete appliedMeta['managedFields'];
  try {
    validate(applied, o.schema);
  } catch (e) {
    if (e instanceof TypedError) throw new PatchError(`failed to create typed patch object (${gvknn(applied, o.apiVersion)}): ${e.message}`, 500);
    throw e;
  }

  const liveRaw = isObject(o.live) ? o.live : {};
  const live = withoutManagedFields(liveRaw);
  const now = formatTime(o.now);
  const liveMeta = isObject(liveRaw['metadata']) ? liveRaw['metadata'] : {};
  let managed = decodeOrFail(o.managedFields !== undefined ? o.managedFields : liveMeta['managedFields']);
  const id = managerIdentifier({ manager: o.manager || 'unknown', operation: 'Apply', apiVersion: o.apiVersion, subresource: o.subresource ?? '' });

  // Objects written before managed fields were tracked: their current fields get an owner first.
  if (managed.fields.size === 0) {
    const before = managerIdentifier({ manager: BEFORE_FIRST_APPLY, operation: 'Update', apiVersion: o.apiVersion, subresource: o.subresource ?? '' });
    managed = smdUpdate({}, live, managed, before, o.apiVersion, o.schema, now);
    capUpdateManagers(managed);
  }

  const run = (force: boolean): Step => {
    const step = smdApply(live, applied, managed, id, force, o.schema, o.apiVersion);
    stripMeta(step.managed, id);
    if (step.changed) step.managed.times.set(id, now);
    return step;
  };

  let step: Step | undefined;
  try {
    step = run(o.force);
  } catch (e) {
    if (!(e instanceof Conflicts)) throw e;
    let list = e.list();
    // kubectl upgrading from client-side apply may take over fields whose values it last applied.
    if (o.manager === 'kubectl') {
      const allowed = allowedFromLastApplied(live, o.schema, o.apiVersion);
      if (allowed) list = list.filter((c) => !allowed.has(c.path));
    }
    if (list.length > 0) throw new ApplyConflictError(list.map((c) => ({ manager: c.manager, path: pathString(c.path) })));
    step = run(true);
  }

  let object = step.changed ? (dropNulls(step.object) as JsonObject) : clone(live);
  if (o.manager === 'kubectl') {
    const meta = isObject(object['metadata']) ? object['metadata'] : undefined;
    const ann = meta && isObject(meta['annotations']) ? meta['annotations'] : undefined;
    const cur = ann?.[LAST_APPLIED_ANNOTATION];
    if (ann && typeof cur === 'string' && cur !== '') {
      object = clone(object);
      ((object['metadata'] as JsonObject)['annotations'] as JsonObject)[LAST_APPLIED_ANNOTATION] = lastAppliedValue(applied);
    }
  }
  return setManagedFields(object, step.managed);
}

export interface UpdateOptions {
  /** The stored object before the write, or null/undefined on create. */
  readonly old: unknown;
  /** The object about to be stored. */
  readonly updated: unknown;
  readonly manager: string;
  readonly operation: 'Update';
  /** "status", "scale", ... or '' for the main resource. */
  readonly subresource?: string;
  /** The stored entries; defaults to old.metadata.managedFields. */
  readonly managedFields?: unknown;
  readonly schema: SchemaNode;
  readonly apiVersion: string;
  readonly now: Date;
}

function isReset(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  return entries.length === 1 && isObject(entries[0]) && Object.keys(entries[0]).length === 0;
}

/**
 * Records an ordinary write (create, update, patch other than apply) in managed fields: the
 * updater becomes owner of every field it changed. A request may clear managed fields by sending
 * `managedFields: []`; objects that were never tracked stay untracked, as upstream.
 */
export function updateManagedFields(o: UpdateOptions): ManagedResult {
  const subresource = o.subresource ?? '';
  const oldRaw = isObject(o.old) ? o.old : undefined;
  const updatedRaw = isObject(o.updated) ? o.updated : {};
  const oldMeta = oldRaw && isObject(oldRaw['metadata']) ? oldRaw['metadata'] : {};
  const updMeta = isObject(updatedRaw['metadata']) ? updatedRaw['metadata'] : {};
  const stored = o.managedFields !== undefined ? o.managedFields : oldMeta['managedFields'];
  const safeDecode = (e: unknown): Managed => {
    try {
      return decodeManagedFields(e);
    } catch {
      return emptyManaged();
    }
  };

  let managed: Managed;
  if (subresource !== '') managed = safeDecode(stored);
  else if (isReset(updMeta['managedFields'])) managed = emptyManaged();
  else {
    let fromRequest: Managed | undefined;
    try {
      fromRequest = decodeManagedFields(updMeta['managedFields']);
    } catch {
      fromRequest = undefined;
    }
    managed = fromRequest && fromRequest.fields.size > 0 ? fromRequest : safeDecode(stored);
  }

  // Update only reads the objects (compare), so shallow copies without managedFields suffice: a
  // deep copy of every object on every write was most of this function's cost.
  const updated = shallowWithoutManagedFields(updatedRaw);
  if (managed.fields.size === 0 && typeof oldMeta['uid'] === 'string' && oldMeta['uid'] !== '') {
    return setManagedFields(updated, managed);
  }
  const old = oldRaw ? shallowWithoutManagedFields(oldRaw) : {};
  const id = managerIdentifier({ manager: o.manager || 'unknown', operation: o.operation, apiVersion: o.apiVersion, subresource });
  const result = smdUpdate(old, updated, managed, id, o.apiVersion, o.schema, formatTime(o.now));
  capUpdateManagers(result);
  return setManagedFields(updated, result);
}
