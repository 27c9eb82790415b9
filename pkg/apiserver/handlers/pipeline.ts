// The object pipeline every write goes through: decode against the schema (types, unknown
// fields), default, fill the server-owned metadata, validate. Pure functions over plain objects.
import { randomUUID } from 'node:crypto';
import { apiVersionOf, type KubeObject, type ResourceDef } from '../../api/registry.js';
import { asNode, type SchemaNode } from '../../api/schema/dsl.js';
import { applyDefaults, decodeObject, validateSchema } from '../../api/schema/walk.js';
import { jsonTextFactsOf } from '../../api/schema/json-text.js';
import { badRequest, invalid } from '../../api/errors.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../api/validation/objectmeta.js';
import { FieldPath, type FieldError } from '../../api/validation/field.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function parseFieldValidation(v: string | null): FieldValidation {
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got "${v}"`);
}

/** Kinds whose writes record metadata.generation (upstream strategies that set it). */
const GENERATION_GROUPS = new Set(['apps', 'batch', 'policy', 'discovery.k8s.io']);

export function tracksGeneration(def: ResourceDef): boolean {
  return GENERATION_GROUPS.has(def.group) && def.kind !== 'ControllerRevision';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Turns a parsed request body into an object of `def`'s kind: checks apiVersion/kind against
 * the URL, JSON types and unknown fields (per fieldValidation). Returns warnings for Warn mode.
 */
export interface ExpectedType {
  readonly kind: string;
  readonly apiVersion: string;
  readonly schema: SchemaNode;
}

export function expectedTypeOf(def: ResourceDef): ExpectedType {
  return { kind: def.kind, apiVersion: apiVersionOf(def), schema: asNode(def.schema) };
}

export function decodeRequestObject(raw: unknown, expected: ExpectedType, mode: FieldValidation): { obj: KubeObject; warnings: string[] } {
  const { kind: expectKind, apiVersion: expectApiVersion } = expected;
  if (!isRecord(raw)) throw badRequest(`the object provided is not a ${expectKind}: the body must be a JSON object`);
  // Like upstream's decoder, a body without apiVersion/kind takes them from the URL.
  if (raw['kind'] === undefined || raw['kind'] === '') raw['kind'] = expectKind;
  if (raw['apiVersion'] === undefined || raw['apiVersion'] === '') raw['apiVersion'] = expectApiVersion;
  const kind = raw['kind'];
  const apiVersion = raw['apiVersion'];
  if (typeof kind !== 'string' || kind === '') throw badRequest(`Object 'Kind' is missing in '${truncate(JSON.stringify(raw))}'`);
  if (typeof apiVersion !== 'string' || apiVersion === '') throw badRequest(`Object 'apiVersion' is missing in '${truncate(JSON.stringify(raw))}'`);
  if (apiVersion !== expectApiVersion) {
    throw badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${expectApiVersion})`);
  }
  if (kind !== expectKind) throw badRequest(`the kind in the data (${kind}) does not match the expected kind (${expectKind})`);
  const version = expectApiVersion.split('/').pop() ?? expectApiVersion;
  const decoded = decodeObject(raw, expected.schema);
  const prefix = `${expectKind} in version "${version}" cannot be handled as a ${expectKind}: `;
  if (decoded.typeErrors.length > 0) throw badRequest(prefix + decoded.typeErrors[0]);
  const warnings: string[] = [];
  const duplicates = jsonTextFactsOf(raw)?.duplicateFields ?? [];
  if (decoded.unknownFields.length > 0 || duplicates.length > 0) {
    const texts = [...duplicates.map((f) => `duplicate field "${f}"`), ...decoded.unknownFields.map((f) => `unknown field "${f}"`)];
    if (mode === 'Strict') throw badRequest(`${prefix}strict decoding error: ${texts.join(', ')}`);
    if (mode === 'Warn') warnings.push(...texts);
  }
  return { obj: raw as KubeObject, warnings };
}

function truncate(s: string): string {
  return s.length > 200 ? s.slice(0, 200) + '...' : s;
}

/** RFC 3339 to the second, as metav1.Time serializes. */
export function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_GENERATED_PREFIX = 58;

export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  return prefix.slice(0, MAX_GENERATED_PREFIX) + suffix;
}

/** Namespace from the URL into the object; a different one in the body is a 400. */
export function reconcileNamespace(obj: KubeObject, def: ResourceDef, urlNamespace: string | undefined): void {
  obj.metadata ??= {};
  if (!def.namespaced) {
    delete obj.metadata.namespace;
    return;
  }
  const bodyNs = obj.metadata.namespace;
  if (bodyNs === undefined || bodyNs === '') obj.metadata.namespace = urlNamespace;
  else if (urlNamespace !== undefined && bodyNs !== urlNamespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
}

function schemaDefaults(obj: KubeObject, def: ResourceDef): void {
  applyDefaults(obj, asNode(def.schema));
  def.defaults?.(obj);
}

/** Fills what the server owns on create; the name is generated from generateName if needed. */
export function prepareCreate(obj: KubeObject, def: ResourceDef, now: Date): void {
  const meta = (obj.metadata ??= {});
  if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
  meta.uid = randomUUID();
  meta.creationTimestamp = timestamp(now);
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.resourceVersion;
  delete meta.selfLink;
  if (tracksGeneration(def)) meta.generation = 1;
  else delete meta.generation;
  schemaDefaults(obj, def);
  def.prepareForCreate?.(obj);
}

export function validateCreate(obj: KubeObject, def: ResourceDef): void {
  const errs: FieldError[] = [
    ...validateObjectMeta(obj.metadata, { namespaced: def.namespaced, nameValidation: def.nameValidation }, FieldPath.root('metadata')),
    ...validateSchema(stripMeta(obj), asNode(def.schema)),
    ...(def.validate?.(obj) ?? []),
  ];
  if (errs.length > 0) throw invalid({ group: def.group, kind: def.kind }, obj.metadata?.name ?? obj.metadata?.generateName ?? '', errs);
}

function stripMeta(obj: KubeObject): KubeObject {
  const { metadata: _m, ...rest } = obj;
  return rest;
}

/** Everything outside metadata and status: what a change to bumps the generation. */
function specPart(obj: KubeObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return JSON.stringify(rest);
}

/** main: spec-side writes; status: the status subresource; all: internal writes that may change both. */
export type UpdateTarget = 'main' | 'status' | 'all';

/**
 * Builds the object to store from the client's `next` and the stored `old`: status writes only
 * change status, main writes never change status (for kinds with a status subresource), and the
 * server-owned metadata is carried over.
 */
export function prepareUpdate(next: KubeObject, old: KubeObject, def: ResourceDef, target: UpdateTarget): KubeObject {
  let obj: KubeObject;
  if (target === 'status') {
    obj = structuredClone(old);
    if (next['status'] === undefined) delete obj['status'];
    else obj['status'] = next['status'];
    // Metadata changes other than these are ignored on status writes, as upstream strategies do.
    obj.metadata = { ...old.metadata, resourceVersion: next.metadata?.resourceVersion ?? old.metadata?.resourceVersion };
  } else {
    obj = next;
    if (target === 'main' && def.subresources?.status) {
      if (old['status'] === undefined) delete obj['status'];
      else obj['status'] = structuredClone(old['status']);
    }
  }
  const meta = (obj.metadata ??= {});
  const oldMeta = old.metadata ?? {};
  meta.uid ??= oldMeta.uid;
  // Changes to creationTimestamp are ignored, as upstream's BeforeUpdate does.
  if (oldMeta.creationTimestamp !== undefined) meta.creationTimestamp = oldMeta.creationTimestamp;
  if (oldMeta.deletionTimestamp !== undefined) meta.deletionTimestamp = oldMeta.deletionTimestamp;
  else delete meta.deletionTimestamp;
  if (oldMeta.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
  else delete meta.deletionGracePeriodSeconds;
  if (oldMeta.managedFields !== undefined && meta.managedFields === undefined) meta.managedFields = oldMeta.managedFields;
  delete meta.selfLink;
  if (target === 'main') def.prepareForUpdate?.(obj, old);
  schemaDefaults(obj, def);
  if (tracksGeneration(def)) {
    const oldGen = oldMeta.generation ?? 1;
    meta.generation = target === 'main' && specPart(obj) !== specPart(old) ? oldGen + 1 : oldGen;
  } else if (oldMeta.generation !== undefined) meta.generation = oldMeta.generation;
  else delete meta.generation;
  return obj;
}

export function validateUpdate(obj: KubeObject, old: KubeObject, def: ResourceDef): void {
  const errs: FieldError[] = [
    ...validateObjectMeta(obj.metadata, { namespaced: def.namespaced, nameValidation: def.nameValidation }, FieldPath.root('metadata')),
    ...validateObjectMetaUpdate(obj.metadata, old.metadata, FieldPath.root('metadata')),
    ...validateSchema(stripMeta(obj), asNode(def.schema)),
    ...(def.validateUpdate ? def.validateUpdate(obj, old) : (def.validate?.(obj) ?? [])),
  ];
  if (errs.length > 0) throw invalid({ group: def.group, kind: def.kind }, obj.metadata?.name ?? '', errs);
}

/** Whether two stored forms are the same write (no-op updates are not written). */
export function sameStored(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): string => JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined } });
  return strip(a) === strip(b);
}
