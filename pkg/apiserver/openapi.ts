// OpenAPI v2 and v3 documents generated from the kinds' schemas: definitions for every named
// struct, paths with the operations and query parameters kubectl looks for (fieldValidation on
// PATCH), and x-kubernetes-group-version-kind on every kind.
import { createHash } from 'node:crypto';
import { apiVersionOf, type Registry, type ResourceDef } from '../api/registry.js';
import { asNode, definitionOf, DefinitionName, type SchemaNode } from '../api/schema/dsl.js';
import { DeleteOptionsSchema, StatusSchema } from '../api/meta/v1.js';

type Json = Record<string, unknown>;
type Style = 'v2' | 'v3';

const KUBE_VERSION = 'v1.32.0';

class DefinitionCollector {
  readonly defs: Record<string, Json> = {};
  private readonly gvks = new Map<string, { group: string; version: string; kind: string }[]>();

  constructor(private readonly style: Style) {}

  private refTo(name: string): string {
    return this.style === 'v2' ? `#/definitions/${name}` : `#/components/schemas/${name}`;
  }

  addGVK(definition: string, gvk: { group: string; version: string; kind: string }): void {
    const list = this.gvks.get(definition) ?? [];
    if (!list.some((g) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind)) list.push(gvk);
    this.gvks.set(definition, list);
  }

  /** Converts a schema node, hoisting named structs into definitions and referencing them. */
  convert(node: SchemaNode, top = false): Json {
    const name = node[DefinitionName];
    if (name && !top) {
      this.define(name, node);
      const ref: Json = this.style === 'v2' ? { $ref: this.refTo(name) } : { allOf: [{ $ref: this.refTo(name) }] };
      // A field that only reuses the type's own description would show it twice in kubectl explain.
      const own = (definitionOf(name) as SchemaNode | undefined)?.description;
      if (node.description && node.description !== own) ref['description'] = node.description;
      if (node.default !== undefined) ref['default'] = node.default;
      for (const k of ['x-kubernetes-patch-merge-key', 'x-kubernetes-patch-strategy', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys'] as const) {
        if (node[k] !== undefined) ref[k] = node[k];
      }
      return ref;
    }
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'properties' || k === 'items' || k === 'additionalProperties' || k === 'anyOf') continue;
      if (v === undefined) continue;
      out[k] = v;
    }
    if (node.properties) {
      const props: Json = {};
      for (const [k, v] of Object.entries(node.properties)) props[k] = this.convert(v);
      out['properties'] = props;
    }
    if (node.items) out['items'] = this.convert(node.items);
    if (node.additionalProperties !== undefined) {
      out['additionalProperties'] = typeof node.additionalProperties === 'boolean' ? node.additionalProperties : this.convert(node.additionalProperties);
    }
    if (node['x-kubernetes-int-or-string'] && this.style === 'v3') {
      delete out['type'];
      delete out['format'];
      out['anyOf'] = [{ type: 'integer' }, { type: 'string' }];
    }
    if (name === 'io.k8s.apimachinery.pkg.api.resource.Quantity' && this.style === 'v3') {
      delete out['type'];
      out['oneOf'] = [{ type: 'string' }, { type: 'number' }];
    }
    return out;
  }

  define(name: string, node: SchemaNode): void {
    if (this.defs[name]) return;
    this.defs[name] = {}; // placeholder against cycles
    const converted = this.convert(node, true);
    delete converted['default'];
    this.defs[name] = converted;
  }

  finish(): Record<string, Json> {
    for (const [name, gvks] of this.gvks) {
      const d = this.defs[name];
      if (d) d['x-kubernetes-group-version-kind'] = gvks;
    }
    return this.defs;
  }
}

function definitionName(def: ResourceDef): string {
  return asNode(def.schema)[DefinitionName] ?? `io.k8s.api.${def.group || 'core'}.${def.version}.${def.kind}`;
}

function listDefinition(def: ResourceDef): Json {
  return {
    description: `A list of ${def.kind} objects.`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { type: 'string', description: 'Versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'REST resource this object represents.' },
      items: { type: 'array', description: 'The items of the list.', items: { $ref: '' } },
      metadata: { description: 'Standard list metadata.' },
    },
  };
}

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

function queryParam(name: string, description: string, type = 'string'): Json {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

function v2Param(p: Json): Json {
  const schema = p['schema'] as Json;
  const out: Json = { ...p, type: schema['type'] };
  delete out['schema'];
  return out;
}

function operations(def: ResourceDef, item: boolean, style: Style, ref: (name: string) => Json): Json {
  const gvk = { group: def.group, version: def.version, kind: def.kind };
  const defName = definitionName(def);
  const listName = defName + 'List';
  const body = (schema: Json): Json =>
    style === 'v3'
      ? { content: { '*/*': { schema } }, required: true }
      : { name: 'body', in: 'body', required: true, schema };
  const response = (schema: Json): Json =>
    style === 'v3'
      ? { description: 'OK', content: { 'application/json': { schema }, 'application/yaml': { schema } } }
      : { description: 'OK', schema };
  const p = (x: Json): Json => (style === 'v3' ? x : v2Param(x));
  const dryRun = p(queryParam('dryRun', 'When present, changes are not persisted. The only valid value is "All".'));
  const fieldManager = p(queryParam('fieldManager', 'Name of the actor making the change.'));
  const fieldValidation = p(queryParam('fieldValidation', 'How to treat unknown or duplicate fields: Ignore, Warn (default) or Strict.'));
  const op = (action: string, extra: Json): Json => ({
    description: `${action} ${def.kind}`,
    operationId: `${action}${def.kind}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    ...extra,
  });
  const withBody = (schema: Json, params: Json[], action: string, responses: Json): Json => {
    if (style === 'v3') return op(action, { requestBody: body(schema), parameters: params, responses });
    return op(action, { parameters: [body(schema), ...params], responses });
  };
  if (item) {
    const out: Json = {
      get: op('get', { responses: { '200': response(ref(defName)) } }),
      put: withBody(ref(defName), [dryRun, fieldManager, fieldValidation], 'put', { '200': response(ref(defName)) }),
      delete: op('delete', { parameters: [dryRun, p(queryParam('gracePeriodSeconds', 'Seconds before deletion.', 'integer')), p(queryParam('propagationPolicy', 'Orphan, Background or Foreground.'))], responses: { '200': response(ref('io.k8s.apimachinery.pkg.apis.meta.v1.Status')) } }),
    };
    const patchParams = [dryRun, fieldManager, fieldValidation, p(queryParam('force', 'Force an apply, taking over conflicting fields.', 'boolean'))];
    out['patch'] =
      style === 'v3'
        ? op('patch', {
            requestBody: { content: Object.fromEntries(PATCH_TYPES.map((t) => [t, { schema: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Patch') }])), required: true },
            parameters: patchParams,
            responses: { '200': response(ref(defName)) },
          })
        : op('patch', { consumes: PATCH_TYPES, parameters: [{ name: 'body', in: 'body', required: true, schema: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Patch') }, ...patchParams], responses: { '200': response(ref(defName)) } });
    return out;
  }
  return {
    get: op('list', { responses: { '200': response(ref(listName)) } }),
    post: withBody(ref(defName), [dryRun, fieldManager, fieldValidation], 'post', { '201': response(ref(defName)) }),
    delete: op('deletecollection', { responses: { '200': response(ref('io.k8s.apimachinery.pkg.apis.meta.v1.Status')) } }),
  };
}

function resourcePaths(def: ResourceDef, style: Style, ref: (n: string) => Json): Record<string, Json> {
  const base = def.group === '' ? `/api/${def.version}` : `/apis/${def.group}/${def.version}`;
  const coll = def.namespaced ? `${base}/namespaces/{namespace}/${def.plural}` : `${base}/${def.plural}`;
  const pathParam = (name: string): Json =>
    style === 'v3' ? { name, in: 'path', required: true, schema: { type: 'string', uniqueItems: true } } : { name, in: 'path', required: true, type: 'string', uniqueItems: true };
  const common = def.namespaced ? [pathParam('namespace')] : [];
  const paths: Record<string, Json> = {};
  paths[coll] = { ...operations(def, false, style, ref), parameters: common };
  paths[`${coll}/{name}`] = { ...operations(def, true, style, ref), parameters: [pathParam('name'), ...common] };
  if (def.subresources?.status) {
    const ops = operations(def, true, style, ref);
    delete ops['delete'];
    paths[`${coll}/{name}/status`] = { ...ops, parameters: [pathParam('name'), ...common] };
  }
  return paths;
}

function collect(defs: readonly ResourceDef[], style: Style): { definitions: Record<string, Json>; paths: Record<string, Json> } {
  const c = new DefinitionCollector(style);
  const ref = (n: string): Json => ({ $ref: style === 'v2' ? `#/definitions/${n}` : `#/components/schemas/${n}` });
  c.define('io.k8s.apimachinery.pkg.apis.meta.v1.Status', asNode(StatusSchema));
  c.define('io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', asNode(DeleteOptionsSchema));
  c.defs['io.k8s.apimachinery.pkg.apis.meta.v1.Patch'] = { description: 'A patch document in one of the supported patch formats.', type: 'object' };
  const paths: Record<string, Json> = {};
  for (const def of defs) {
    const name = definitionName(def);
    c.define(name, asNode(def.schema));
    c.addGVK(name, { group: def.group, version: def.version, kind: def.kind });
    const list = listDefinition(def);
    const props = list['properties'] as Record<string, Json>;
    props['items'] = { type: 'array', description: 'The items of the list.', items: ref(name) };
    props['metadata'] = style === 'v2' ? { ...ref('io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta'), description: 'Standard list metadata.' } : { allOf: [ref('io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta')], description: 'Standard list metadata.' };
    c.defs[name + 'List'] = list;
    c.addGVK(name + 'List', { group: def.group, version: def.version, kind: def.listKind });
    Object.assign(paths, resourcePaths(def, style, ref));
  }
  return { definitions: c.finish(), paths };
}

export class OpenAPIDocuments {
  private v2?: string;
  private readonly v3 = new Map<string, string>();
  private v3Index?: Json;

  constructor(private readonly registry: Registry) {}

  /** The whole API as one Swagger 2.0 document. */
  swagger(): string {
    if (!this.v2) {
      const { definitions, paths } = collect(this.registry.all(), 'v2');
      this.v2 = JSON.stringify({ swagger: '2.0', info: { title: 'Kubernetes', version: KUBE_VERSION }, paths, definitions });
    }
    return this.v2;
  }

  /** "api/v1", "apis/apps/v1", ... */
  groupVersionPaths(): string[] {
    const out: string[] = [];
    for (const d of this.registry.all()) {
      const p = d.group === '' ? `api/${d.version}` : `apis/${d.group}/${d.version}`;
      if (!out.includes(p)) out.push(p);
    }
    return out;
  }

  /** One OpenAPI 3.0 document per group-version, as /openapi/v3/<path> serves it. */
  v3Document(path: string): string | undefined {
    const cached = this.v3.get(path);
    if (cached) return cached;
    const defs = this.registry.all().filter((d) => (d.group === '' ? `api/${d.version}` : `apis/${d.group}/${d.version}`) === path);
    if (defs.length === 0) return undefined;
    const { definitions, paths } = collect(defs, 'v3');
    const doc = JSON.stringify({ openapi: '3.0.0', info: { title: 'Kubernetes', version: KUBE_VERSION }, paths, components: { schemas: definitions } });
    this.v3.set(path, doc);
    return doc;
  }

  /** The /openapi/v3 discovery document: every group-version with a content hash. */
  v3Root(): Json {
    if (!this.v3Index) {
      const paths: Json = {};
      for (const p of this.groupVersionPaths()) {
        const hash = createHash('sha512').update(this.v3Document(p) ?? '').digest('hex').toUpperCase().slice(0, 128);
        paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
      }
      this.v3Index = { paths };
    }
    return this.v3Index;
  }
}

export function groupVersionOf(def: ResourceDef): string {
  return apiVersionOf(def);
}
