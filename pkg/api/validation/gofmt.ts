// Go's %#v rendering of a typed value, for the "Invalid value:" part of field errors where
// kube-apiserver prints a struct (v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, ...}).
import { DefinitionName, type SchemaNode } from '../schema/dsl.js';

/** A bad value that carries its schema, so it can be printed the way Go prints the typed value. */
export class GoTyped {
  constructor(
    readonly value: unknown,
    readonly schema: SchemaNode,
  ) {}
  toJSON(): unknown {
    return this.value;
  }
}

const ACRONYMS: Record<string, string> = { uid: 'UID', ip: 'IP', ips: 'IPs', url: 'URL', id: 'ID', api: 'API', tls: 'TLS', dns: 'DNS', cidr: 'CIDR' };

function goFieldName(json: string): string {
  const lower = json.toLowerCase();
  if (ACRONYMS[lower]) return ACRONYMS[lower];
  return json.charAt(0).toUpperCase() + json.slice(1);
}

/** The Go type a schema node stands for, as Go's errors and %#v name it. */
export function goTypeOf(node: SchemaNode): string {
  const def = node[DefinitionName];
  if (def === 'io.k8s.apimachinery.pkg.api.resource.Quantity') return 'resource.Quantity';
  if (def === 'io.k8s.apimachinery.pkg.util.intstr.IntOrString') return 'intstr.IntOrString';
  if (def) return `v1.${def.split('.').pop() ?? ''}`;
  switch (node.type) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'integer':
      return node.format === 'int32' ? 'int32' : 'int64';
    case 'number':
      return 'float64';
    case 'array':
      return `[]${node.items ? goTypeOf(node.items) : 'interface {}'}`;
    case 'object':
      if (node.additionalProperties && typeof node.additionalProperties === 'object') return `map[string]${goTypeOf(node.additionalProperties)}`;
      return 'map[string]interface {}';
    default:
      return 'interface {}';
  }
}

function isStruct(node: SchemaNode): boolean {
  return node.type === 'object' && node.properties !== undefined;
}

/** The zero value of a field that is absent: nil for references, zero for scalars. */
function zero(node: SchemaNode): string {
  if (isStruct(node)) return `(*${goTypeOf(node)})(nil)`;
  if (node.type === 'array' || (node.type === 'object' && node.additionalProperties)) return `${goTypeOf(node)}(nil)`;
  if (node.type === 'string') return '""';
  if (node.type === 'boolean') return 'false';
  if (node.type === 'integer' || node.type === 'number') return '0';
  return '<nil>';
}

export function goFormat(value: unknown, node: SchemaNode, top = true): string {
  if (value === undefined || value === null) return zero(node);
  if (isStruct(node) && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    const fields = Object.entries(node.properties ?? {}).map(([k, child]) => `${goFieldName(k)}:${v[k] === undefined ? zero(child) : goFormat(v[k], child, false)}`);
    // Go dereferences the top-level pointer; nested set pointers show as &T{...}.
    return `${top ? '' : '&'}${goTypeOf(node)}{${fields.join(', ')}}`;
  }
  if (node.type === 'array' && Array.isArray(value)) {
    const item = node.items ?? {};
    const elems = value.map((x) => (isStruct(item) ? goFormat(x, item, true) : goFormat(x, item, false)));
    return `${goTypeOf(node)}{${elems.join(', ')}}`;
  }
  if (node.type === 'object' && node.additionalProperties && typeof node.additionalProperties === 'object' && typeof value === 'object') {
    const inner = node.additionalProperties;
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `${goTypeOf(node)}{${entries.map(([k, x]) => `${JSON.stringify(k)}:${goFormat(x, inner, false)}`).join(', ')}}`;
  }
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}
