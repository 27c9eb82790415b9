// The schema DSL: every kind is declared once with these builders. The result is a plain JSON
// schema (TypeBox), from which the TypeScript type (`Static`), defaulting, validation, pruning of
// unknown fields, strategic-merge metadata and the OpenAPI documents are all derived.
import {
  Type,
  type Static,
  type TSchema,
  type TObject,
  type TOptional,
  type TString,
  type TInteger,
  type TNumber,
  type TBoolean,
  type TArray,
  type TUnsafe,
} from '@sinclair/typebox';

export type { Static, TSchema, TObject };

/** Symbol under which a named (OpenAPI definition) schema keeps its definition name. */
export const DefinitionName: unique symbol = Symbol.for('kubets.definitionName');

/** Extensions Kubernetes puts on its OpenAPI schemas; they drive patching and apply. */
export interface KubernetesExtensions {
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
  'x-kubernetes-unions'?: unknown[];
}

/** The JSON schema shape every walker (defaulting, validation, OpenAPI) reads. */
export interface SchemaNode extends KubernetesExtensions {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  format?: string;
  enum?: readonly (string | number)[];
  default?: unknown;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  minimum?: number;
  maximum?: number;
  [DefinitionName]?: string;
}

export function asNode(s: TSchema): SchemaNode {
  return s as unknown as SchemaNode;
}

const definitions = new Map<string, TSchema>();

/** Canonical schema of every named definition built so far (first declaration wins). */
export function definitionOf(name: string): TSchema | undefined {
  return definitions.get(name);
}

function named<T extends TSchema>(name: string, schema: T): T {
  (schema as Record<symbol, unknown>)[DefinitionName] = name;
  if (!definitions.has(name)) definitions.set(name, schema);
  return schema;
}

interface ScalarOptions {
  default?: unknown;
  format?: string;
}

export function string(description: string, opts: ScalarOptions & { enum?: readonly string[] } = {}): TString {
  const o: Record<string, unknown> = { description };
  if (opts.format !== undefined) o['format'] = opts.format;
  if (opts.enum !== undefined) o['enum'] = [...opts.enum];
  if (opts.default !== undefined) o['default'] = opts.default;
  return Type.String(o);
}

export function int32(description: string, opts: ScalarOptions & { minimum?: number } = {}): TInteger {
  return Type.Integer({ description, format: 'int32', ...opts });
}

export function int64(description: string, opts: ScalarOptions & { minimum?: number } = {}): TInteger {
  return Type.Integer({ description, format: 'int64', ...opts });
}

export function number(description: string, opts: ScalarOptions = {}): TNumber {
  return Type.Number({ description, format: 'double', ...opts });
}

export function boolean(description: string, opts: ScalarOptions = {}): TBoolean {
  return Type.Boolean({ description, ...opts });
}

/** A resource quantity ("500m", "128Mi", 2). Serialized as a string. */
export function quantity(description: string): TUnsafe<string | number> {
  return withDescription(QuantitySchema, description);
}

/** An int-or-string (ports by number or name, percentages). */
export function intOrString(description: string, opts: ScalarOptions = {}): TUnsafe<number | string> {
  const s = withDescription(IntOrStringSchema, description);
  if (opts.default !== undefined) (s as Record<string, unknown>)['default'] = opts.default;
  return s;
}

/** An RFC 3339 timestamp with second precision (metav1.Time). */
export function time(description: string): TUnsafe<string> {
  return withDescription(TimeSchema, description);
}

/** A timestamp with microsecond precision (metav1.MicroTime). */
export function microTime(description: string): TUnsafe<string> {
  return withDescription(MicroTimeSchema, description);
}

/** Free-form JSON (RawExtension, FieldsV1): kept as is, never pruned. */
export function freeForm(description: string): TUnsafe<Record<string, unknown>> {
  return Type.Unsafe<Record<string, unknown>>({
    description,
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  });
}

/** A string-keyed map (labels, annotations, data, resource lists). */
export function map<V extends TSchema>(value: V, description: string, opts: { mapType?: 'atomic' | 'granular' } = {}): TUnsafe<Record<string, Static<V>>> {
  const o: Record<string, unknown> = { description, type: 'object', additionalProperties: value };
  if (opts.mapType) o['x-kubernetes-map-type'] = opts.mapType;
  return Type.Unsafe<Record<string, Static<V>>>(o);
}

export interface ListOptions {
  /** Strategic merge patch key ("name", "containerPort", ...). */
  mergeKey?: string;
  /** Strategic merge patch strategy ("merge", "retainKeys", "merge,retainKeys", "replace"). */
  strategy?: string;
  listType?: 'atomic' | 'set' | 'map';
  mapKeys?: string[];
  minItems?: number;
}

export function array<I extends TSchema>(item: I, description: string, opts: ListOptions = {}): TArray<I> {
  const o: Record<string, unknown> = { description };
  if (opts.mergeKey) o['x-kubernetes-patch-merge-key'] = opts.mergeKey;
  if (opts.strategy) o['x-kubernetes-patch-strategy'] = opts.strategy;
  if (opts.listType) o['x-kubernetes-list-type'] = opts.listType;
  if (opts.mapKeys) o['x-kubernetes-list-map-keys'] = opts.mapKeys;
  if (opts.minItems !== undefined) o['minItems'] = opts.minItems;
  return Type.Array(item, o);
}

type Props = Record<string, TSchema>;
type WithOptional<P extends Props, R extends string> = {
  [K in keyof P]: K extends R ? P[K] : TOptional<P[K]>;
};

export interface StructOptions<R extends string> {
  /** Fields that must be present (OpenAPI `required`, and the TypeScript type makes them non-optional). */
  required?: readonly R[];
  /** Patch strategy of the struct itself ("retainKeys" on volume sources). */
  strategy?: string;
  mapType?: 'atomic' | 'granular';
  unions?: unknown[];
}

/**
 * A named struct: an OpenAPI definition such as `io.k8s.api.core.v1.PodSpec`. Fields are optional
 * unless listed in `required`.
 */
export function struct<P extends Props, R extends keyof P & string = never>(
  definition: string,
  description: string,
  props: P,
  opts: StructOptions<R> = {},
): TObject<WithOptional<P, R>> {
  const required = new Set<string>(opts.required ?? []);
  const wrapped: Record<string, TSchema> = {};
  for (const [k, v] of Object.entries(props)) wrapped[k] = required.has(k) ? v : Type.Optional(v);
  const o: Record<string, unknown> = { description };
  if (opts.strategy) o['x-kubernetes-patch-strategy'] = opts.strategy;
  if (opts.mapType) o['x-kubernetes-map-type'] = opts.mapType;
  if (opts.unions) o['x-kubernetes-unions'] = opts.unions;
  return named(definition, Type.Object(wrapped as WithOptional<P, R>, o));
}

/** The same schema with a field-specific description (the definition stays shared). */
export function withDescription<T extends TSchema>(schema: T, description: string): T {
  return { ...schema, description };
}

/** Marks a field's list or struct with patch metadata at the point of use. */
export function withPatch<T extends TSchema>(schema: T, opts: { mergeKey?: string; strategy?: string }): T {
  const o: Record<string, unknown> = { ...schema };
  if (opts.mergeKey) o['x-kubernetes-patch-merge-key'] = opts.mergeKey;
  if (opts.strategy) o['x-kubernetes-patch-strategy'] = opts.strategy;
  return o as T;
}

/** A field with a default value applied when absent. */
export function withDefault<T extends TSchema>(schema: T, value: Static<T>): T {
  return { ...schema, default: value };
}

const QuantitySchema = named(
  'io.k8s.apimachinery.pkg.api.resource.Quantity',
  Type.Unsafe<string | number>({
    description:
      'A fixed-point number with an optional suffix: binary (Ki, Mi, Gi, Ti, Pi, Ei), decimal (m, k, M, G, T, P, E) or a decimal exponent (1e3).',
    type: 'string',
  }),
);

const IntOrStringSchema = named(
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  Type.Unsafe<number | string>({
    description: 'Either an integer or a string.',
    type: 'string',
    format: 'int-or-string',
    'x-kubernetes-int-or-string': true,
  }),
);

const TimeSchema = named(
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  Type.Unsafe<string>({ description: 'A timestamp in RFC 3339 form, to the second.', type: 'string', format: 'date-time' }),
);

const MicroTimeSchema = named(
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
  Type.Unsafe<string>({ description: 'A timestamp in RFC 3339 form, to the microsecond.', type: 'string', format: 'date-time' }),
);
