// Typed access to one resource type: URL layout per group and scope, the query parameters and
// bodies of each verb, paging, subresources and watch.
import { GoneError } from '../api/errors.js';
import type { DeleteOptions, ListMeta, ObjectMeta, Status } from '../api/meta/v1.js';
import type { CallOptions, QueryValue, RestClient } from './rest.js';
import type { WatchStream } from './watch.js';

/** The least every API object has. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export interface ObjectList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

export interface ResourceDescriptor {
  /** "" for the core group. */
  readonly group: string;
  readonly version: string;
  /** Lower-case plural resource name: "pods", "deployments". */
  readonly plural: string;
  readonly namespaced: boolean;
}

/** Label selectors as text ("app=web,tier!=db") or as a map of required label values. */
export type Selector = string | Readonly<Record<string, string>>;

export interface GetOptions extends CallOptions {
  readonly resourceVersion?: string;
}

export interface ListOptions extends CallOptions {
  readonly labelSelector?: Selector;
  readonly fieldSelector?: Selector;
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: 'NotOlderThan' | 'Exact';
  /** Server-side timeout of the list call. */
  readonly timeoutSeconds?: number;
}

export interface WatchOptions {
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: 'NotOlderThan' | 'Exact';
  readonly labelSelector?: Selector;
  readonly fieldSelector?: Selector;
  readonly allowWatchBookmarks?: boolean;
  readonly sendInitialEvents?: boolean;
  /** The server ends the watch after this many seconds. */
  readonly timeoutSeconds?: number;
  readonly signal?: AbortSignal;
}

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

export interface WriteOptions extends CallOptions {
  /** Validate and default without persisting (dryRun=All). */
  readonly dryRun?: boolean;
  readonly fieldManager?: string;
  readonly fieldValidation?: FieldValidation;
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

export interface PatchOptions extends WriteOptions {
  /** Server-side apply only: take ownership of conflicting fields. */
  readonly force?: boolean;
  /** Patch a subresource ("status", "scale") instead of the object. */
  readonly subresource?: string;
}

export interface DeleteCallOptions extends CallOptions {
  readonly gracePeriodSeconds?: number;
  readonly propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
  readonly orphanDependents?: boolean;
  readonly dryRun?: boolean;
}

export interface DeleteCollectionOptions extends DeleteCallOptions {
  readonly labelSelector?: Selector;
  readonly fieldSelector?: Selector;
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: 'NotOlderThan' | 'Exact';
}

/** autoscaling/v1 Scale, the body of the scale subresource. */
export interface Scale extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas: number; selector?: string };
}

export const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** Page size listAll asks for, as client-go's pager does. */
const DEFAULT_PAGE_SIZE = 500;

export function selectorString(s: Selector | undefined): string | undefined {
  if (s === undefined || typeof s === 'string') return s;
  return Object.entries(s)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/**
 * The URL path of a resource: /api/v1/namespaces/ns/pods/web/status for the core group,
 * /apis/apps/v1/... for others; no namespace segment for cluster-scoped types or all namespaces.
 */
export function resourcePath(d: ResourceDescriptor, namespace?: string, name?: string, subresource?: string): string {
  let p = d.group === '' ? `/api/${d.version}` : `/apis/${d.group}/${d.version}`;
  if (d.namespaced && namespace !== undefined && namespace !== '') p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${d.plural}`;
  if (name !== undefined) {
    if (name === '') throw new Error(`resource name may not be empty (${d.plural})`);
    p += `/${encodeURIComponent(name)}`;
    if (subresource !== undefined && subresource !== '') p += `/${subresource}`;
  }
  return p;
}

function writeQuery(o: WriteOptions | undefined): Record<string, QueryValue> {
  return {
    dryRun: o?.dryRun === true ? 'All' : undefined,
    fieldManager: o?.fieldManager,
    fieldValidation: o?.fieldValidation,
  };
}

function listQuery(o: ListOptions | DeleteCollectionOptions | undefined): Record<string, QueryValue> {
  return {
    labelSelector: selectorString(o?.labelSelector),
    fieldSelector: selectorString(o?.fieldSelector),
    limit: o?.limit,
    continue: o?.continue,
    resourceVersion: o?.resourceVersion,
    resourceVersionMatch: o?.resourceVersionMatch,
    timeoutSeconds: o !== undefined && 'timeoutSeconds' in o ? o.timeoutSeconds : undefined,
  };
}

function deleteBody(o: DeleteCallOptions | undefined): DeleteOptions {
  const body: DeleteOptions = { kind: 'DeleteOptions', apiVersion: 'v1' };
  if (o?.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = o.gracePeriodSeconds;
  if (o?.propagationPolicy !== undefined) body.propagationPolicy = o.propagationPolicy;
  if (o?.preconditions !== undefined) body.preconditions = { ...o.preconditions };
  if (o?.orphanDependents !== undefined) body.orphanDependents = o.orphanDependents;
  if (o?.dryRun === true) body.dryRun = ['All'];
  return body;
}

function call(o: CallOptions | undefined): CallOptions {
  return { signal: o?.signal, timeoutMs: o?.timeoutMs };
}

/**
 * Operations on one resource type. For a namespaced type, `client.resource(d)` lists and watches
 * across all namespaces; `.namespace(ns)` gives the client for one namespace, which single-object
 * operations need (create and update fall back to the object's metadata.namespace).
 */
export class ResourceClient<T extends KubeObject> {
  constructor(
    private readonly rest: RestClient,
    readonly descriptor: ResourceDescriptor,
    readonly namespaceName?: string,
  ) {}

  namespace(ns: string): ResourceClient<T> {
    if (!this.descriptor.namespaced) throw new Error(`${this.descriptor.plural} are not namespaced`);
    if (ns === '') throw new Error('namespace may not be empty');
    return new ResourceClient<T>(this.rest, this.descriptor, ns);
  }

  get(name: string, opts?: GetOptions): Promise<T> {
    return this.rest.request<T>({
      ...call(opts),
      path: this.objectPath('get', name),
      query: { resourceVersion: opts?.resourceVersion },
      subject: this.subject(name),
    });
  }

  list(opts?: ListOptions): Promise<ObjectList<T>> {
    return this.rest.request<ObjectList<T>>({ ...call(opts), path: this.collectionPath(), query: listQuery(opts), subject: this.subject() });
  }

  /**
   * Lists every page (limit defaults to 500). If a continue token expires mid-way, lists again in
   * one unpaged request so the result is still one consistent snapshot.
   */
  async listAll(opts?: ListOptions): Promise<ObjectList<T>> {
    const items: T[] = [];
    let cont = opts?.continue;
    let first: ObjectList<T> | undefined;
    for (;;) {
      let page: ObjectList<T>;
      try {
        page = await this.list({ ...opts, limit: opts?.limit ?? DEFAULT_PAGE_SIZE, continue: cont });
      } catch (err: unknown) {
        if (err instanceof GoneError && cont !== undefined && cont !== '') {
          return this.list({ ...opts, limit: undefined, continue: undefined });
        }
        throw err;
      }
      first ??= page;
      items.push(...page.items);
      cont = page.metadata?.continue;
      if (cont === undefined || cont === '') break;
    }
    const metadata: ListMeta = { resourceVersion: first.metadata?.resourceVersion };
    return { apiVersion: first.apiVersion, kind: first.kind, metadata, items };
  }

  create(obj: T, opts?: WriteOptions): Promise<T> {
    return this.rest.request<T>({
      ...call(opts),
      method: 'POST',
      path: this.collectionPath(obj),
      query: writeQuery(opts),
      body: obj,
      subject: this.subject(obj.metadata?.name),
    });
  }

  update(obj: T, opts?: WriteOptions): Promise<T> {
    const name = this.nameOf(obj, 'update');
    return this.rest.request<T>({ ...call(opts), method: 'PUT', path: this.objectPath('update', name, undefined, obj), query: writeQuery(opts), body: obj, subject: this.subject(name) });
  }

  updateStatus(obj: T, opts?: WriteOptions): Promise<T> {
    const name = this.nameOf(obj, 'update');
    return this.rest.request<T>({ ...call(opts), method: 'PUT', path: this.objectPath('update', name, 'status', obj), query: writeQuery(opts), body: obj, subject: this.subject(name) });
  }

  /** PATCH with the given patch type; `patch` is an object or array (sent as JSON) or raw text. */
  patch(name: string, patch: unknown, type: PatchType, opts?: PatchOptions): Promise<T> {
    if (type === 'apply' && (opts?.fieldManager === undefined || opts.fieldManager === '')) {
      throw new Error('server-side apply needs a fieldManager');
    }
    return this.rest.request<T>({
      ...call(opts),
      method: 'PATCH',
      path: this.objectPath('patch', name, opts?.subresource),
      query: { ...writeQuery(opts), force: type === 'apply' && opts?.force !== undefined ? opts.force : undefined },
      body: patch,
      contentType: PATCH_CONTENT_TYPES[type],
      subject: this.subject(name),
    });
  }

  /** DELETE; the server answers with the object (graceful deletion, finalizers) or a Success Status. */
  delete(name: string, opts?: DeleteCallOptions): Promise<T | Status> {
    return this.rest.request<T | Status>({
      ...call(opts),
      method: 'DELETE',
      path: this.objectPath('delete', name),
      query: { dryRun: opts?.dryRun === true ? 'All' : undefined },
      body: deleteBody(opts),
      subject: this.subject(name),
    });
  }

  /** Deletes every object matching the selectors in this scope. */
  deleteCollection(opts?: DeleteCollectionOptions): Promise<ObjectList<T> | Status> {
    return this.rest.request<ObjectList<T> | Status>({
      ...call(opts),
      method: 'DELETE',
      path: this.collectionPath(),
      query: { ...listQuery(opts), dryRun: opts?.dryRun === true ? 'All' : undefined },
      body: deleteBody(opts),
      subject: this.subject(),
    });
  }

  getSubresource<R = unknown>(name: string, subresource: string, opts?: GetOptions): Promise<R> {
    return this.rest.request<R>({
      ...call(opts),
      path: this.objectPath('get', name, subresource),
      query: { resourceVersion: opts?.resourceVersion },
      subject: this.subject(name),
    });
  }

  updateSubresource<R = unknown>(name: string, subresource: string, body: unknown, opts?: WriteOptions): Promise<R> {
    return this.rest.request<R>({ ...call(opts), method: 'PUT', path: this.objectPath('update', name, subresource), query: writeQuery(opts), body, subject: this.subject(name) });
  }

  /** POST to a subresource: pods/binding, pods/eviction, serviceaccounts/token ... */
  createSubresource<R = unknown>(name: string, subresource: string, body: unknown, opts?: WriteOptions): Promise<R> {
    return this.rest.request<R>({ ...call(opts), method: 'POST', path: this.objectPath('create', name, subresource), query: writeQuery(opts), body, subject: this.subject(name) });
  }

  getScale(name: string, opts?: GetOptions): Promise<Scale> {
    return this.getSubresource<Scale>(name, 'scale', opts);
  }

  updateScale(name: string, scale: Scale, opts?: WriteOptions): Promise<Scale> {
    return this.updateSubresource<Scale>(name, 'scale', scale, opts);
  }

  /** Opens a watch; iterate the result with `for await`. */
  watch(opts?: WatchOptions): Promise<WatchStream<T>> {
    return this.rest.watch<T>({
      path: this.collectionPath(),
      signal: opts?.signal,
      query: {
        resourceVersion: opts?.resourceVersion,
        resourceVersionMatch: opts?.resourceVersionMatch,
        labelSelector: selectorString(opts?.labelSelector),
        fieldSelector: selectorString(opts?.fieldSelector),
        allowWatchBookmarks: opts?.allowWatchBookmarks,
        sendInitialEvents: opts?.sendInitialEvents,
        timeoutSeconds: opts?.timeoutSeconds,
      },
      subject: this.subject(),
    });
  }

  private subject(name?: string): { group: string; resource: string; name?: string } {
    return name === undefined ? { group: this.descriptor.group, resource: this.descriptor.plural } : { group: this.descriptor.group, resource: this.descriptor.plural, name };
  }

  private nameOf(obj: T, verb: string): string {
    const name = obj.metadata?.name;
    if (name === undefined || name === '') throw new Error(`cannot ${verb} ${this.descriptor.plural}: metadata.name is empty`);
    return name;
  }

  /** Namespace for a single-object call: the client's, else the object's, else an error. */
  private scopeFor(verb: string, obj?: T): string | undefined {
    if (!this.descriptor.namespaced) return undefined;
    const ns = this.namespaceName ?? obj?.metadata?.namespace;
    if (ns === undefined || ns === '') throw new Error(`cannot ${verb} ${this.descriptor.plural} without a namespace: use .namespace(ns)`);
    return ns;
  }

  private objectPath(verb: string, name: string, subresource?: string, obj?: T): string {
    return resourcePath(this.descriptor, this.scopeFor(verb, obj), name, subresource);
  }

  private collectionPath(obj?: T): string {
    if (obj !== undefined) return resourcePath(this.descriptor, this.scopeFor('create', obj));
    return resourcePath(this.descriptor, this.namespaceName);
  }
}
