// RFC 7386 JSON merge patch, as the json-patch v4 library used by kube-apiserver applies it:
// objects merge recursively, null removes a key, anything else replaces the target value. Nulls
// inside a value that is newly added are dropped (but null elements of arrays are kept).
import { badRequest } from './errors.js';
import { clone, hasOwn, isObject, setOwn, type JsonObject } from './json.js';

function pruneNulls(v: unknown): unknown {
  if (isObject(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null || v[k] === undefined) delete v[k];
      else pruneNulls(v[k]);
    }
  } else if (Array.isArray(v)) {
    for (const e of v) if (e !== null) pruneNulls(e);
  }
  return v;
}

function mergeValue(cur: unknown, patch: unknown): unknown {
  if (!isObject(cur)) return pruneNulls(patch);
  if (!isObject(patch)) return patch;
  mergeObjects(cur, patch);
  return cur;
}

function mergeObjects(doc: JsonObject, patch: JsonObject): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || v === undefined) {
      delete doc[k];
    } else if (!hasOwn(doc, k) || doc[k] === null) {
      setOwn(doc, k, pruneNulls(v));
    } else {
      setOwn(doc, k, mergeValue(doc[k], v));
    }
  }
}

/**
 * Applies a JSON merge patch (decoded JSON) to a document; inputs are not modified. A null or
 * scalar patch is "Invalid JSON Patch" (PatchError 400); an array patch replaces the document.
 */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  if (patch === null || patch === undefined) throw badRequest('Invalid JSON Patch');
  const p = clone(patch);
  if (Array.isArray(p)) return pruneNulls(p);
  if (!isObject(p)) throw badRequest('Invalid JSON Patch');
  if (!isObject(doc)) return pruneNulls(p);
  const d = clone(doc);
  mergeObjects(d, p);
  return d;
}
