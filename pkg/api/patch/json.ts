// Small helpers over decoded JSON values shared by the patch engines, plus the Go `%v` rendering
// that upstream error messages embed (they print decoded maps as `map[k:v]`).

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

export function kindOf(v: unknown): JsonKind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'object':
      return 'object';
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      return 'null';
  }
}

/**
 * Sets an own property, `__proto__` included: a plain assignment of that key would change the
 * object's prototype and drop the member (a ConfigMap key named `__proto__` would vanish).
 */
export function setOwn(o: JsonObject, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

export function hasOwn(o: JsonObject, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

/** Deep copy of a JSON value (undefined becomes null inside containers, as JSON would). */
export function clone<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((e) => (e === undefined ? null : clone(e))) as T;
  const out: JsonObject = {};
  for (const [k, e] of Object.entries(v as JsonObject)) {
    if (e !== undefined) setOwn(out, k, clone(e));
  }
  return out as T;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  const ka = kindOf(a);
  if (ka !== kindOf(b)) return false;
  if (ka === 'array') {
    const x = a as unknown[];
    const y = b as unknown[];
    return x.length === y.length && x.every((e, i) => deepEqual(e, y[i]));
  }
  if (ka === 'object') {
    const x = a as JsonObject;
    const y = b as JsonObject;
    const kx = Object.keys(x).filter((k) => x[k] !== undefined);
    const ky = Object.keys(y).filter((k) => y[k] !== undefined);
    return kx.length === ky.length && kx.every((k) => hasOwn(y, k) && deepEqual(x[k], y[k]));
  }
  return false;
}

function goFloat(n: number): string {
  // Go prints exponents with at least two digits (1e-07); JS does not (1e-7).
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Go's `%v` of a value decoded by encoding/json (maps with sorted keys). */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goFormat(v[k])}`).join(' ')}]`;
  }
  if (typeof v === 'number') return goFloat(v);
  return String(v);
}

/** Go's reflect type name of a decoded JSON value, as `%s` of reflect.TypeOf prints it. */
export function goTypeName(v: unknown): string {
  switch (kindOf(v)) {
    case 'object':
      return 'map[string]interface {}';
    case 'array':
      return '[]interface {}';
    case 'string':
      return 'string';
    case 'number':
      return Number.isInteger(v) ? 'int64' : 'float64';
    case 'boolean':
      return 'bool';
    default:
      return '%!s(<nil>)';
  }
}

/** Go's `%s` of an arbitrary decoded value (non-strings print as `%!s(type=value)`). */
export function goString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '%!s(<nil>)';
  return `%!s(${goTypeName(v)}=${goFormat(v)})`;
}

/** The JSON kind name encoding/json uses in "cannot unmarshal X into Go value" errors. */
export function jsonTypeWord(v: unknown): string {
  switch (kindOf(v)) {
    case 'object':
      return 'object';
    case 'array':
      return 'array';
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'null';
  }
}
