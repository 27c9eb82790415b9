// Schema-driven passes over a decoded JSON object: decoding checks (types, unknown fields, nulls),
// defaulting and the generic validation (required fields, enums). Kind-specific rules live with
// each kind; these passes are what every kind shares.
import { DefinitionName, type SchemaNode } from './dsl.js';
import { FieldPath, notSupported, required, type FieldError } from '../validation/field.js';
import { goTypeOf } from '../validation/gofmt.js';
import { jsonTextFactsOf } from './json-text.js';

function pointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

export interface DecodeResult {
  /** Type mismatches, worded as Go's JSON decoder words them (they make a 400). */
  readonly typeErrors: string[];
  /** Paths of fields the schema does not declare (already removed from the object). */
  readonly unknownFields: string[];
}

function jsonTypeOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'object') return 'object';
  return typeof v; // string, boolean
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks a freshly parsed object against its schema the way the Go decoder does: JSON types must
 * match, `null` means "absent" (the field is removed), fields the schema does not know are
 * collected and removed. Mutates `obj`.
 */
export function decodeObject(obj: Record<string, unknown>, schema: SchemaNode): DecodeResult {
  const result: DecodeResult = { typeErrors: [], unknownFields: [] };
  const facts = jsonTextFactsOf(obj);
  const literals = facts !== undefined && facts.numberLiterals.size > 0 ? facts.numberLiterals : undefined;
  walkDecode(obj, schema, '', schema[DefinitionName] ?? '', result, literals, literals ? '' : undefined);
  return result;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_LIMIT = 2n ** 63n;

/**
 * Why Go would refuse to decode `value` into an integer field: a literal that is not an integer
 * (`2.0`, `1e2`) or a value outside int32/int64. The literal is the JSON text when it was kept.
 */
function integerError(value: number, literal: string | undefined, format: string | undefined): string | undefined {
  if (literal !== undefined) {
    if (!/^-?\d+$/.test(literal)) return `number ${literal}`;
    const big = BigInt(literal);
    if (format === 'int32' ? big < BigInt(INT32_MIN) || big > BigInt(INT32_MAX) : big < -INT64_LIMIT || big >= INT64_LIMIT) return `number ${literal}`;
    return undefined;
  }
  if (format === 'int32' ? value < INT32_MIN || value > INT32_MAX : Math.abs(value) >= 2 ** 63) return `number ${formatNumber(value)}`;
  return undefined;
}

function formatNumber(v: number): string {
  return Number.isSafeInteger(v) ? String(v) : BigInt(v).toString();
}

function checkScalar(value: unknown, node: SchemaNode): boolean {
  if (node['x-kubernetes-int-or-string']) return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
  if (node[DefinitionName] === 'io.k8s.apimachinery.pkg.api.resource.Quantity') return typeof value === 'string' || typeof value === 'number';
  switch (node.type) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    default:
      return true;
  }
}

function walkDecode(value: unknown, node: SchemaNode, path: string, structName: string, out: DecodeResult, literals?: ReadonlyMap<string, string>, ptr?: string): unknown {
  if (node['x-kubernetes-preserve-unknown-fields'] && !node.properties) return value;
  if (node.type === 'object' && node.properties) {
    if (!isObject(value)) {
      out.typeErrors.push(
        `json: cannot unmarshal ${jsonTypeOf(value)} into Go ${path ? `struct field ${structName}.${path}` : 'value'} of type ${goTypeOf(node)}`,
      );
      return value;
    }
    const ownName = node[DefinitionName]?.split('.').pop() ?? structName;
    for (const key of Object.keys(value)) {
      const child = node.properties[key];
      const childPath = path ? `${path}.${key}` : key;
      if (child === undefined) {
        out.unknownFields.push(childPath);
        delete value[key];
        continue;
      }
      const v = value[key];
      if (v === null) {
        delete value[key];
        continue;
      }
      const decoded = walkDecode(v, child, childPath, ownName, out, literals, ptr === undefined ? undefined : `${ptr}/${pointerToken(key)}`);
      if (decoded !== v) value[key] = decoded;
      // Go's omitempty drops empty maps and lists: {} and [] read back as absent.
      if (isEmptyCollection(decoded, child)) delete value[key];
    }
    return value;
  }
  if (node.type === 'object' && node.additionalProperties && typeof node.additionalProperties === 'object') {
    if (!isObject(value)) {
      out.typeErrors.push(`json: cannot unmarshal ${jsonTypeOf(value)} into Go struct field ${structName}.${path} of type ${goTypeOf(node)}`);
      return value;
    }
    const inner = node.additionalProperties;
    for (const key of Object.keys(value)) {
      const v = value[key];
      if (v === null) {
        // Go decodes a null map value to the zero value; for strings that is "".
        if (inner.type === 'string') value[key] = '';
        continue;
      }
      walkDecode(v, inner, `${path}[${key}]`, structName, out, literals, ptr === undefined ? undefined : `${ptr}/${pointerToken(key)}`);
    }
    return value;
  }
  if (node.type === 'array') {
    if (!Array.isArray(value)) {
      out.typeErrors.push(`json: cannot unmarshal ${jsonTypeOf(value)} into Go struct field ${structName}.${path} of type ${goTypeOf(node)}`);
      return value;
    }
    const item = node.items;
    if (item) value.forEach((v, i) => {
      if (v !== null) walkDecode(v, item, `${path}[${i}]`, structName, out, literals, ptr === undefined ? undefined : `${ptr}/${i}`);
    });
    return value;
  }
  const integral = node.type === 'integer' || node['x-kubernetes-int-or-string'] === true;
  if (!checkScalar(value, node)) {
    // Go names the literal of a number it cannot put into an integer (`number 1.5`), not of other mismatches.
    const what = typeof value === 'number' && integral ? `number ${(ptr === undefined ? undefined : literals?.get(ptr)) ?? String(value)}` : jsonTypeOf(value);
    out.typeErrors.push(`json: cannot unmarshal ${what} into Go struct field ${structName}.${path} of type ${node['x-kubernetes-int-or-string'] ? 'int32' : goTypeOf(node)}`);
    return value;
  }
  if (typeof value === 'number' && integral) {
    const bad = integerError(value, ptr === undefined ? undefined : literals?.get(ptr), node['x-kubernetes-int-or-string'] ? 'int32' : node.format);
    if (bad !== undefined) {
      out.typeErrors.push(`json: cannot unmarshal ${bad} into Go struct field ${structName}.${path} of type ${node['x-kubernetes-int-or-string'] ? 'int32' : goTypeOf(node)}`);
      return value;
    }
  }
  const def = node[DefinitionName];
  if ((def === TIME || def === MICRO_TIME) && typeof value === 'string') return normalizeTime(value, def === MICRO_TIME, path, out);
  return value;
}

const TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
const MICRO_TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime';

/** Timestamps are stored as Go serializes them: RFC 3339, to the second (Time) or microsecond (MicroTime). */
function normalizeTime(value: string, micro: boolean, path: string, out: DecodeResult): string {
  if (value === '') return value;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  const t = m ? Date.parse(value) : NaN;
  if (!m || Number.isNaN(t)) {
    out.typeErrors.push(`parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(value)} as a timestamp (${path})`);
    return value;
  }
  const d = new Date(t);
  const base = d.toISOString().slice(0, 19);
  if (!micro) return `${base}Z`;
  const fraction = ((m[2] ?? '.0').slice(1) + '000000').slice(0, 6);
  return `${base}.${fraction}Z`;
}

function isEmptyCollection(v: unknown, node: SchemaNode): boolean {
  if (Array.isArray(v)) return v.length === 0 && node.type === 'array';
  if (typeof v === 'object' && v !== null && node.type === 'object' && !node.properties && node.additionalProperties) return Object.keys(v).length === 0;
  return false;
}

interface NodePlan {
  /** Properties with a default of their own. */
  readonly defaults: readonly (readonly [string, SchemaNode])[];
  /** Properties under which some default, required field or enum may apply. */
  readonly defaultDescend: readonly (readonly [string, SchemaNode])[];
  readonly validateDescend: readonly (readonly [string, SchemaNode])[];
  readonly hasDefaultsBelow: boolean;
  readonly hasRulesBelow: boolean;
}

const plans = new WeakMap<SchemaNode, NodePlan>();
const inProgress = new WeakSet<SchemaNode>();

/**
 * What the defaulting and validation passes need to visit under a schema node, computed once per
 * node: most of a Pod's fields carry no default, required field or enum, and skipping them keeps
 * these passes cheap on the write path.
 */
function planOf(node: SchemaNode): NodePlan {
  const cached = plans.get(node);
  if (cached) return cached;
  if (inProgress.has(node)) return { defaults: [], defaultDescend: [], validateDescend: [], hasDefaultsBelow: true, hasRulesBelow: true };
  inProgress.add(node);
  const children: (readonly [string, SchemaNode])[] = [];
  if (node.properties) for (const e of Object.entries(node.properties)) children.push(e);
  else if (node.items) children.push(['', node.items]);
  else if (node.additionalProperties && typeof node.additionalProperties === 'object') children.push(['', node.additionalProperties]);
  const defaults = node.properties ? children.filter(([, c]) => c.default !== undefined) : [];
  const defaultDescend = children.filter(([, c]) => planOf(c).hasDefaultsBelow);
  const validateDescend = children.filter(([, c]) => planOf(c).hasRulesBelow);
  const plan: NodePlan = {
    defaults,
    defaultDescend,
    validateDescend,
    hasDefaultsBelow: defaults.length > 0 || defaultDescend.length > 0 || node.default !== undefined,
    hasRulesBelow: (node.required?.length ?? 0) > 0 || node.enum !== undefined || validateDescend.length > 0,
  };
  inProgress.delete(node);
  plans.set(node, plan);
  return plan;
}

/** Fills absent fields that have a schema default, top-down, recursing into present values. */
export function applyDefaults(value: unknown, node: SchemaNode): void {
  const plan = planOf(node);
  if (!plan.hasDefaultsBelow) return;
  if (node.type === 'object' && node.properties && isObject(value)) {
    for (const [key, child] of plan.defaults) if (value[key] === undefined) value[key] = structuredClone(child.default);
    for (const [key, child] of plan.defaultDescend) if (value[key] !== undefined) applyDefaults(value[key], child);
    return;
  }
  if (node.type === 'object' && isObject(value) && node.additionalProperties && typeof node.additionalProperties === 'object') {
    const inner = node.additionalProperties;
    for (const v of Object.values(value)) applyDefaults(v, inner);
    return;
  }
  if (node.type === 'array' && Array.isArray(value) && node.items) {
    const inner = node.items;
    for (const v of value) applyDefaults(v, inner);
  }
}

/**
 * The validation every kind shares: struct fields listed as required must be present (and, for
 * strings and lists, non-empty), enum strings must be one of their values.
 */
export function validateSchema(value: unknown, node: SchemaNode, path: FieldPath = FieldPath.root()): FieldError[] {
  const errs: FieldError[] = [];
  walkValidate(value, node, path, errs);
  return errs;
}

/**
 * Required fields that may still be empty strings: upstream validates only their length, e.g.
 * metav1.Condition's message (a DisruptionAllowed condition with reason SufficientPods has none).
 */
const EMPTY_STRING_ALLOWED: Readonly<Record<string, ReadonlySet<string>>> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.Condition': new Set(['message']),
};

function isEmptyValue(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

function walkValidate(value: unknown, node: SchemaNode, path: FieldPath, errs: FieldError[]): void {
  if (value === undefined || value === null) return;
  const plan = planOf(node);
  if (!plan.hasRulesBelow) return;
  if (node.type === 'object' && node.properties && isObject(value)) {
    for (const r of node.required ?? []) {
      if (r === 'apiVersion' || r === 'kind' || r === 'metadata') continue;
      if (value[r] === '' && EMPTY_STRING_ALLOWED[String((node as unknown as Record<symbol, unknown>)[DefinitionName])]?.has(r) === true) continue;
      if (isEmptyValue(value[r])) errs.push(required(path.child(r)));
    }
    for (const [key, child] of plan.validateDescend) {
      if (value[key] !== undefined) walkValidate(value[key], child, path.child(key), errs);
    }
    return;
  }
  if (node.type === 'object' && isObject(value) && node.additionalProperties && typeof node.additionalProperties === 'object') {
    for (const [k, v] of Object.entries(value)) walkValidate(v, node.additionalProperties, path.key(k), errs);
    return;
  }
  if (node.type === 'array' && Array.isArray(value) && node.items) {
    const inner = node.items;
    value.forEach((v, i) => walkValidate(v, inner, path.index(i), errs));
    return;
  }
  if (node.enum && typeof value === 'string' && !node.enum.includes(value)) {
    errs.push(notSupported(path, value, node.enum.map(String)));
  }
}

/** Finds the schema of a sub-path ("spec", "template", ...) following properties and items. */
export function schemaAt(node: SchemaNode, path: readonly (string | number)[]): SchemaNode | undefined {
  let cur: SchemaNode | undefined = node;
  for (const seg of path) {
    if (!cur) return undefined;
    if (typeof seg === 'number') cur = cur.items;
    else if (cur.properties) cur = cur.properties[seg];
    else if (cur.additionalProperties && typeof cur.additionalProperties === 'object') cur = cur.additionalProperties;
    else return undefined;
  }
  return cur;
}
