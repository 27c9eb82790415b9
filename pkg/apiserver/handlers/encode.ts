// The JSON of a stored object version, encoded once and shared by every list and watch that
// sends it (upstream's cachingObject): objects in the watch cache never change, so a list of
// thousands of them costs string concatenation, not thousands of JSON.stringify calls.
import type { KubeObject } from '../../api/registry.js';

const encoded = new WeakMap<KubeObject, string>();

/**
 * `obj` with its apiVersion and kind, as JSON. Each stored object is viewed through one
 * version, so the object alone identifies the text.
 */
export function encodeObject(apiVersion: string, kind: string, obj: KubeObject): string {
  let s = encoded.get(obj);
  if (s === undefined) {
    s = JSON.stringify({ apiVersion, kind, ...obj });
    encoded.set(obj, s);
  }
  return s;
}
