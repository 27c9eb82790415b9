// HTTP plumbing: request info from the URL, bounded body reading, content negotiation, and
// writing objects and Status errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml, stringify as stringifyYaml, type Tags } from 'yaml';
import { parseJsonText } from '../api/schema/json-text.js';
import { badRequest, notAcceptable, requestEntityTooLarge, resourceNotFound, StatusError, internalError } from '../api/errors.js';

/** Bodies larger than this are refused (kube-apiserver's limit for JSON requests). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface RequestInfo {
  readonly isResourceRequest: boolean;
  readonly path: string;
  readonly verb: Verb | '';
  readonly apiPrefix: 'api' | 'apis' | '';
  readonly group: string;
  readonly version: string;
  readonly namespace: string | undefined;
  readonly resource: string;
  readonly name: string;
  readonly subresource: string;
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

/** A boolean query parameter, read as Go's strconv.ParseBool reads it ("True" from Python clients). */
export function queryBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v !== null && GO_TRUE.has(v);
}

/** Strings a name in a URL path may not be, or contain (upstream's path.IsValidPathSegmentName). */
const NAME_MAY_NOT_BE = ['.', '..'];
const NAME_MAY_NOT_CONTAIN = ['/', '%'];

/** Why `name` cannot be a path segment; empty when it can. */
export function pathSegmentNameErrors(name: string): string[] {
  for (const bad of NAME_MAY_NOT_BE) if (name === bad) return [`may not be '${bad}'`];
  return NAME_MAY_NOT_CONTAIN.filter((bad) => name.includes(bad)).map((bad) => `may not contain '${bad}'`);
}

/**
 * The request target split into decoded path segments and the query, without the dot-segment
 * normalisation WHATWG URL parsing applies: `configmaps/..` must stay a name, never become the
 * parent path (that turned a DELETE of a ConfigMap into a DELETE of its namespace).
 */
export interface RequestTarget {
  /** The path as sent (still percent-encoded). */
  readonly rawPath: string;
  /** Decoded segments of the path, leading and trailing slashes trimmed. */
  readonly segments: readonly string[];
  /** Only the query is read from here. */
  readonly url: URL;
}

export function parseRequestTarget(target: string): RequestTarget {
  const q = target.indexOf('?');
  const rawPath = q >= 0 ? target.slice(0, q) : target;
  const query = q >= 0 ? target.slice(q) : '';
  if (!rawPath.startsWith('/')) throw badRequest(`invalid request URI: ${JSON.stringify(target.slice(0, 200))}`);
  const trimmed = rawPath.replace(/^\/+|\/+$/g, '');
  const segments = trimmed === '' ? [] : trimmed.split('/').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw badRequest(`invalid URL escape ${JSON.stringify(s.slice(0, 200))} in the request path`);
    }
  });
  let url: URL;
  try {
    url = new URL('http://apiserver/' + query);
  } catch {
    throw badRequest('invalid query in the request URI');
  }
  return { rawPath, segments, url };
}

/** Splits a resource URL the way kube-apiserver's RequestInfoFactory does. */
export function parseRequestInfo(method: string, target: RequestTarget): RequestInfo {
  const url = target.url;
  const path = target.rawPath;
  const parts = target.segments;
  const none: RequestInfo = { isResourceRequest: false, path, verb: '', apiPrefix: '', group: '', version: '', namespace: undefined, resource: '', name: '', subresource: '' };
  let rest: string[];
  let apiPrefix: 'api' | 'apis';
  let group = '';
  let version: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    apiPrefix = 'api';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    apiPrefix = 'apis';
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return none;
  }
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  // /namespaces/<ns>/<resource>... is namespaced; /namespaces/<name>[/status|/finalize] is the namespace itself.
  if (rest[0] === 'namespaces' && rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  const resource = rest[0] ?? '';
  const name = rest[1] ?? '';
  const subresource = rest.slice(2).join('/');
  // An empty segment inside the path (`namespaces//configmaps`) names nothing; never read it as "all".
  if (parts.includes('')) throw resourceNotFound();
  if (rest.length > 1) {
    const errs = pathSegmentNameErrors(name);
    if (errs.length > 0) throw badRequest(`Name parameter invalid: ${JSON.stringify(name)}: ${errs.join(';')}`);
  }
  const isWatch = watchPath || queryBool(url.searchParams, 'watch');
  let verb: Verb | '' = '';
  switch (method) {
    case 'GET':
      verb = isWatch ? 'watch' : name ? 'get' : 'list';
      break;
    case 'HEAD':
      // A streaming watch has no meaningful HEAD; it is refused like any unsupported method.
      verb = isWatch ? '' : name ? 'get' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name ? 'delete' : 'deletecollection';
      break;
  }
  return { isResourceRequest: resource !== '', path, verb, apiPrefix, group, version, namespace, resource, name, subresource };
}

/** Reads the request body, refusing more than MAX_BODY_BYTES with 413. */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) {
    req.resume();
    throw requestEntityTooLarge(`limit is ${limit}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) {
      req.resume();
      throw requestEntityTooLarge(`limit is ${limit}`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Deeper than any real object gets; refusing it keeps recursive passes off the stack limit. */
export const MAX_NESTING_DEPTH = 500;

/** Nesting depth of a parsed value, measured without recursion. */
export function nestingDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d > max) max = d;
    if (max > MAX_NESTING_DEPTH) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, d + 1]);
  }
  return max;
}

/** Parses a JSON or YAML body into a value; malformed input is a 400 with the parser's words. */
export function parseBody(body: Buffer, contentType: string | undefined): unknown {
  const value = parseBodyText(body, contentType);
  if (nestingDepth(value) > MAX_NESTING_DEPTH) throw badRequest(`the request body is nested more than ${MAX_NESTING_DEPTH} levels deep`);
  return value;
}

/**
 * YAML as kube-apiserver reads it (go-yaml v2, YAML 1.1): `0644` is octal, `yes`/`on` are booleans,
 * `<<` merges; but timestamps and sexagesimal numbers stay strings, as go-yaml keeps them when
 * decoding into untyped values.
 */
const YAML_OPTIONS = {
  version: '1.1',
  customTags: (tags: Tags): Tags => tags.filter((t) => typeof t === 'string' || (t.tag !== 'tag:yaml.org,2002:timestamp' && !('format' in t && t.format === 'TIME'))),
  maxAliasCount: 100,
  uniqueKeys: false,
} as const;

function parseBodyText(body: Buffer, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  const text = body.toString('utf8');
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml' || type === 'text/yaml') {
    try {
      const docs = parseYaml(text, YAML_OPTIONS) as unknown;
      return docs;
    } catch (err) {
      throw badRequest(`error converting YAML to JSON: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  try {
    return parseJsonText(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw badRequest(`couldn't get version/kind; json parse error: ${detail}`);
  }
}

export interface Negotiated {
  readonly format: 'json' | 'yaml';
  /** "Table", "PartialObjectMetadata", "PartialObjectMetadataList" or "" for the plain object. */
  readonly as: string;
  readonly pretty: boolean;
}

/** Picks the response form from the Accept header, in the client's order of preference. */
export function negotiate(accept: string | undefined, pretty: boolean): Negotiated {
  const ranges = (accept ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ranges.length === 0) return { format: 'json', as: '', pretty };
  for (const r of ranges) {
    const [type, ...params] = r.split(';').map((s) => s.trim());
    const p = new Map(params.map((x) => {
      const i = x.indexOf('=');
      return [x.slice(0, i).trim(), x.slice(i + 1).trim()] as const;
    }));
    const mt = (type ?? '').toLowerCase();
    const fmt: 'json' | 'yaml' | undefined =
      mt === 'application/json' || mt === '*/*' || mt === 'application/*' ? 'json' : mt === 'application/yaml' ? 'yaml' : undefined;
    if (!fmt) continue;
    const as = p.get('as') ?? '';
    if (as !== '') {
      const g = p.get('g') ?? '';
      const v = p.get('v') ?? '';
      if (g !== 'meta.k8s.io' || (v !== 'v1' && v !== 'v1beta1')) continue;
      if (as !== 'Table' && as !== 'PartialObjectMetadata' && as !== 'PartialObjectMetadataList') continue;
    }
    return { format: fmt, as, pretty };
  }
  if (ranges.some((r) => r.startsWith('application/vnd.kubernetes.protobuf'))) {
    // Clients that ask for protobuf always accept JSON as well when they list it; plain protobuf-only is refused.
    throw notAcceptable('only the following media types are accepted: application/json, application/yaml');
  }
  throw notAcceptable('only the following media types are accepted: application/json, application/yaml');
}

export function serialize(value: unknown, format: 'json' | 'yaml', pretty = false): string {
  if (format === 'yaml') return stringifyYaml(value);
  return pretty ? JSON.stringify(value, null, 2) + '\n' : JSON.stringify(value);
}

export function send(res: ServerResponse, code: number, value: unknown, format: 'json' | 'yaml' = 'json', pretty = false): void {
  const body = serialize(value, format, pretty);
  if (!res.headersSent) {
    res.statusCode = code;
    res.setHeader('Content-Type', format === 'yaml' ? 'application/yaml' : 'application/json');
    res.setHeader('Content-Length', Buffer.byteLength(body));
  }
  res.end(body);
}

/** Writes any thrown value as a Kubernetes Status. */
export function sendError(res: ServerResponse, err: unknown): number {
  const se = err instanceof StatusError ? err : internalError(err);
  if (res.headersSent) {
    res.end();
    return se.code;
  }
  const retry = se.status.details?.retryAfterSeconds;
  if (retry !== undefined && (se.code === 429 || se.code === 503 || se.code === 504)) res.setHeader('Retry-After', String(retry));
  send(res, se.code, se.status);
  return se.code;
}

/** Adds a `Warning: 299 - "text"` header, as kube-apiserver reports warnings. */
export function addWarning(res: ServerResponse, text: string): void {
  const value = `299 - ${JSON.stringify(text)}`;
  const prev = res.getHeader('Warning');
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev.map(String) : [String(prev)];
  res.setHeader('Warning', [...list, value]);
}
