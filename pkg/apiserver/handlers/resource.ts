// REST verbs on a resource: get, list, create, update, patch, delete, deletecollection.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiVersionOf, type KubeObject, type ResourceDef } from '../../api/registry.js';
import {
  badRequest,
  conflict,
  ConflictError,
  forbidden,
  invalid,
  methodNotSupported,
  notFound,
  StatusError,
  unsupportedMediaType,
} from '../../api/errors.js';
import type { DeleteOptions } from '../../api/meta/v1.js';
import { invalid as invalidField } from '../../api/validation/field.js';
import { asNode, type TSchema } from '../../api/schema/dsl.js';
import { decodeObject } from '../../api/schema/walk.js';
import { EvictionSchema } from '../../api/policy/v1/eviction.js';
import { BindingSchema } from '../../api/core/v1/pod.js';
import { DeleteOptionsSchema } from '../../api/meta/v1.js';
import { applyJsonPatch } from '../../api/patch/json-patch.js';
import { applyMergePatch } from '../../api/patch/merge-patch.js';
import { applyStrategicMergePatch } from '../../api/patch/strategic.js';
import { updateManagedFields } from '../../api/patch/apply.js';
import { PatchError } from '../../api/patch/errors.js';
import { decodeKubernetesProtobuf, isKubernetesProtobuf, ProtobufDecodeError } from '../../api/schema/protobuf.js';
import { addWarning, mediaType, negotiate, parseBody, queryBool, readBody, send, type RequestInfo } from '../http.js';
import { toTable, parseIncludeObject, partialObjectMetadata } from '../table.js';
import type { ResourceStore } from '../registry/store.js';
import { admitLimitRanges } from '../admission/limitranger.js';
import { admitPodPriority } from '../admission/priority.js';
import { admitDefaultStorageClass } from '../admission/storageclass.js';
import type { PersistentVolumeClaim } from '../../api/core/v1/persistentvolumeclaim.js';
import { admitResourceQuota } from '../admission/resourcequota.js';
import type { Pod } from '../../api/core/v1/index.js';
import { selectorFilter, type ServerContext } from './context.js';
import { encodeObject } from './encode.js';
import { ResponseWriter } from './stream.js';
import {
  decodeRequestObject,
  expectedTypeOf,
  parseFieldValidation,
  prepareCreate,
  prepareUpdate,
  reconcileNamespace,
  sameStored,
  timestamp,
  validateCreate,
  validateUpdate,
  type UpdateTarget,
} from './pipeline.js';

const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);
/** Kinds whose DELETE answers with the object rather than a Status, as upstream's stores do. */
const RETURNS_DELETED_OBJECT = new Set(['/pods', '/services', '/namespaces', '/nodes', '/persistentvolumes', '/persistentvolumeclaims']);

export interface Request {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly info: RequestInfo;
  readonly url: URL;
  readonly def: ResourceDef;
  readonly store: ResourceStore;
}

function isDryRun(url: URL, body?: { dryRun?: readonly string[] }): boolean {
  const q = url.searchParams.getAll('dryRun');
  for (const v of [...q, ...(body?.dryRun ?? [])]) {
    if (v !== 'All') throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  }
  return q.length > 0 || (body?.dryRun?.length ?? 0) > 0;
}

function respond(r: Request, code: number, obj: unknown): void {
  const neg = negotiate(r.req.headers.accept, queryBool(r.url.searchParams, 'pretty'));
  let out = obj;
  if (neg.as === 'Table' && isKubeObject(obj) && obj.kind === r.def.kind) {
    out = toTable(r.def, [obj], { resourceVersion: obj.metadata?.resourceVersion ?? '' }, {
      includeObject: parseIncludeObject(r.url.searchParams.get('includeObject')),
      now: new Date(),
    });
  } else if (neg.as === 'PartialObjectMetadata' && isKubeObject(obj)) out = partialObjectMetadata(obj);
  send(r.res, code, out, neg.format, neg.pretty);
}

function isKubeObject(v: unknown): v is KubeObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function withTypeMeta(def: ResourceDef, obj: KubeObject): KubeObject {
  return { apiVersion: apiVersionOf(def), kind: def.kind, ...obj };
}

export async function handleGet(ctx: ServerContext, r: Request): Promise<void> {
  const rv = r.url.searchParams.get('resourceVersion') ?? '';
  let obj: KubeObject | undefined;
  if (rv === '0') {
    await ctx.caches.start();
    obj = r.store.getCached(r.info.namespace, r.info.name);
    if (!obj) throw notFound(r.store.qualified, r.info.name);
  } else obj = await r.store.get(r.info.namespace, r.info.name);
  respond(r, 200, withTypeMeta(r.def, obj));
}

export async function handleList(ctx: ServerContext, r: Request): Promise<void> {
  const q = r.url.searchParams;
  const { filter, unfiltered } = selectorFilter(r.def, q.get('labelSelector'), q.get('fieldSelector'));
  const limitText = q.get('limit');
  const limit = limitText === null || limitText === '' ? undefined : Number(limitText);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw badRequest(`invalid limit: ${limitText}`);
  const result = await r.store.list(r.info.namespace, {
    filter,
    unfiltered,
    ...(limit !== undefined ? { limit } : {}),
    ...(q.get('continue') ? { continue: q.get('continue')! } : {}),
    ...(q.get('resourceVersion') !== null ? { resourceVersion: q.get('resourceVersion')! } : {}),
    ...(q.get('resourceVersionMatch') ? { resourceVersionMatch: q.get('resourceVersionMatch')! } : {}),
  });
  const listMeta: Record<string, unknown> = { resourceVersion: result.resourceVersion };
  if (result.continue) listMeta['continue'] = result.continue;
  if (result.remainingItemCount !== undefined) listMeta['remainingItemCount'] = result.remainingItemCount;
  const neg = negotiate(r.req.headers.accept, queryBool(q, 'pretty'));
  if (neg.as === 'Table') {
    send(r.res, 200, toTable(r.def, result.items, listMeta, { includeObject: parseIncludeObject(q.get('includeObject')), now: ctx.now() }), neg.format, neg.pretty);
    return;
  }
  if (neg.as === 'PartialObjectMetadataList' || neg.as === 'PartialObjectMetadata') {
    send(r.res, 200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: listMeta, items: result.items.map(partialObjectMetadata) }, neg.format, neg.pretty);
    return;
  }
  const head = `{"kind":${JSON.stringify(r.def.listKind)},"apiVersion":${JSON.stringify(apiVersionOf(r.def))},"metadata":${JSON.stringify(listMeta)},"items":[`;
  const apiVersion = apiVersionOf(r.def);
  const encode = (o: KubeObject): string => encodeObject(apiVersion, r.def.kind, o);
  if (neg.format === 'json' && !neg.pretty) {
    await streamJsonList(r.res, head, result.items, encode);
    return;
  }
  send(r.res, 200, JSON.parse(`${head}${result.items.map(encode).join(',')}]}`), neg.format, neg.pretty);
}

/** Text gathered before one write: big enough that a list of thousands is a few dozen writes. */
const LIST_WRITE_CHARS = 256 * 1024;

/**
 * Writes a JSON list in slices, yielding to the event loop between slices and waiting for the
 * socket to drain, so a list of ten thousand objects never holds the apiserver for the whole
 * encode, nor buffers it all in memory.
 */
async function streamJsonList<T>(res: ServerResponse, head: string, items: readonly T[], encode: (item: T) => string): Promise<void> {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json');
  const writer = new ResponseWriter(res);
  let chunk = head;
  for (let i = 0; i < items.length; i++) {
    chunk += (i === 0 ? '' : ',') + encode(items[i]!);
    if (chunk.length < LIST_WRITE_CHARS && (i % 16 !== 15 || !writer.spent())) continue;
    if (!(await writer.write(chunk))) return;
    chunk = '';
  }
  res.end(chunk + ']}');
}

/** Request kinds that are not resources of their own but arrive as bodies (subresources, options). */
const BODY_KINDS: Record<string, TSchema> = {
  'policy/v1 Eviction': EvictionSchema,
  'v1 Binding': BindingSchema,
  'v1 DeleteOptions': DeleteOptionsSchema,
  'meta.k8s.io/v1 DeleteOptions': DeleteOptionsSchema,
};

/** A request body as JSON, YAML or Kubernetes protobuf (what typed clients such as kubectl create send). */
export async function readObjectBody(ctx: ServerContext, r: Request): Promise<unknown> {
  const contentType = r.req.headers['content-type'];
  if (isKubernetesProtobuf(contentType)) {
    const body = await readBody(r.req);
    try {
      return decodeKubernetesProtobuf(body, (apiVersion, kind) => {
        const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
        const def = ctx.registry.byKind(group ?? '', version ?? '', kind);
        const schema = def?.schema ?? BODY_KINDS[`${apiVersion} ${kind}`];
        return schema ? asNode(schema) : undefined;
      }).object;
    } catch (err) {
      if (err instanceof ProtobufDecodeError) throw badRequest(`error decoding the protobuf request body: ${err.message}`);
      throw err;
    }
  }
  const type = mediaType(contentType);
  if (type !== '' && type !== 'application/json' && type !== 'application/yaml' && type !== '*/*') throw unsupportedMediaType();
  return parseBody(await readBody(r.req), contentType);
}

/** Namespace lifecycle admission: the namespace must exist and not be terminating. */
export async function admitNamespace(ctx: ServerContext, def: ResourceDef, namespace: string | undefined, name: string): Promise<void> {
  if (!def.namespaced || namespace === undefined) return;
  const nsStore = ctx.storeByResource('', 'namespaces');
  if (!nsStore) return;
  let ns = nsStore.getCached(undefined, namespace);
  if (!ns) {
    try {
      ns = await nsStore.get(undefined, namespace);
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) throw notFound({ group: '', resource: 'namespaces' }, namespace);
      throw err;
    }
  }
  const phase = (ns['status'] as { phase?: string } | undefined)?.phase;
  if (ns.metadata?.deletionTimestamp || phase === 'Terminating') {
    throw forbidden({ group: def.group, resource: def.plural }, name, `unable to create new content in namespace ${namespace} because it is being terminated`);
  }
}

export async function handleCreate(ctx: ServerContext, r: Request): Promise<void> {
  const raw = await readObjectBody(ctx, r);
  const mode = parseFieldValidation(r.url.searchParams.get('fieldValidation'));
  const { obj, warnings } = decodeRequestObject(raw, expectedTypeOf(r.def), mode);
  for (const w of warnings) addWarning(r.res, w);
  reconcileNamespace(obj, r.def, r.info.namespace);
  const dryRun = isDryRun(r.url);
  const created = await createObject(ctx, { def: r.def, store: r.store, obj, dryRun, fieldManager: fieldManagerOf(r) });
  respond(r, 201, withTypeMeta(r.def, created));
}

/** Create after decoding: admission, defaults, validation, allocation, persistence. */
export interface CreateOptions {
  readonly def: ResourceDef;
  readonly store: ResourceStore;
  readonly obj: KubeObject;
  readonly dryRun: boolean;
  /** Records an Update entry in managedFields for this manager; absent when apply already did. */
  readonly fieldManager?: string;
}

export async function createObject(ctx: ServerContext, opts: CreateOptions): Promise<KubeObject> {
  const { def, store, obj, dryRun, fieldManager } = opts;
  const meta = (obj.metadata ??= {});
  if (!meta.name && !meta.generateName) {
    throw invalid({ group: def.group, kind: def.kind }, '', [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' }]);
  }
  await admitNamespace(ctx, def, meta.namespace, meta.name ?? meta.generateName ?? '');
  if (def.group === '' && def.kind === 'Pod') await admitPodPriority(ctx, obj as Pod);
  if (def.group === '' && def.kind === 'PersistentVolumeClaim') admitDefaultStorageClass(ctx, obj as PersistentVolumeClaim);
  admitLimitRanges(ctx, def, obj);
  const isService = def.group === '' && def.kind === 'Service';
  const userIP = isService ? (obj['spec'] as { clusterIP?: string } | undefined)?.clusterIP : undefined;
  // Only a Service create is retried (with other random values), so only it needs the original.
  const original = isService ? structuredClone(obj) : obj;
  for (let attempt = 0; ; attempt++) {
    const candidate = attempt === 0 ? obj : structuredClone(original);
    prepareCreate(candidate, def, ctx.now());
    // Allocation comes before validation, as upstream's beginCreate: validation sees the allocated values.
    const puts = isService ? ctx.allocator.planCreate(candidate).puts : [];
    validateCreate(candidate, def);
    if (fieldManager !== undefined) recordManagedFields(ctx, def, null, candidate, fieldManager, '');
    if (dryRun) return candidate;
    // Charged once: a Service retried for other allocated values is the same object.
    if (attempt === 0) await admitResourceQuota(ctx, def, candidate);
    try {
      return await store.create(candidate, { puts });
    } catch (err) {
      // A random ClusterIP or NodePort collided with one in use: try other values.
      const collided = err instanceof ConflictError && puts.length > 0;
      if (collided && !userIP && attempt < 10) continue;
      if (collided) {
        throw invalid({ group: '', kind: 'Service' }, candidate.metadata?.name ?? '', [
          invalidField('spec.clusterIPs', [userIP ?? ''], `failed to allocate IP ${userIP ?? ''}: provided IP is already allocated`),
        ]);
      }
      throw err;
    }
  }
}

export async function handleUpdate(ctx: ServerContext, r: Request, target: UpdateTarget): Promise<void> {
  const raw = await readObjectBody(ctx, r);
  const mode = parseFieldValidation(r.url.searchParams.get('fieldValidation'));
  const { obj, warnings } = decodeRequestObject(raw, expectedTypeOf(r.def), mode);
  for (const w of warnings) addWarning(r.res, w);
  reconcileNamespace(obj, r.def, r.info.namespace);
  if (obj.metadata?.name !== r.info.name) {
    throw badRequest(`the name of the object (${obj.metadata?.name ?? ''}) does not match the name on the URL (${r.info.name})`);
  }
  const dryRun = isDryRun(r.url);
  const result = await updateObject(ctx, {
    def: r.def,
    store: r.store,
    namespace: r.info.namespace,
    name: r.info.name,
    // A fresh copy each attempt: the loop fills in the stored resourceVersion of an unconditional
    // update, which must not turn into a stale precondition on the retry after a lost race.
    compute: () => structuredClone(obj),
    target,
    dryRun,
    pinnedByClient: true,
    fieldManager: fieldManagerOf(r),
  });
  respond(r, 200, withTypeMeta(r.def, result));
}

/**
 * The guaranteed-update loop: read the current object, compute the new one, write it with a
 * compare-and-swap, and retry on a lost race unless the client pinned a resourceVersion.
 */
export interface UpdateOptions {
  readonly def: ResourceDef;
  readonly store: ResourceStore;
  readonly namespace: string | undefined;
  readonly name: string;
  /** Builds the desired object from a fresh copy of the current one. */
  readonly compute: (current: KubeObject) => KubeObject;
  readonly target: UpdateTarget;
  readonly dryRun: boolean;
  /** The client sent a whole object: a resourceVersion in it is a precondition, never retried. */
  readonly pinnedByClient: boolean;
  /** Records an Update entry in managedFields for this manager; absent when apply already did. */
  readonly fieldManager?: string;
  /** The subresource managed fields are attributed to ("status", "scale"). */
  readonly subresource?: string;
  /** Replaces the kind's update validation (pods/binding checks its own rules). */
  readonly validate?: (obj: KubeObject, old: KubeObject) => void;
}

/**
 * The guaranteed-update loop: read the current object, compute the new one, write it with a
 * compare-and-swap, and retry on a lost race unless the client pinned a resourceVersion.
 */
export async function updateObject(ctx: ServerContext, opts: UpdateOptions): Promise<KubeObject> {
  const started = Date.now();
  const { def, store, namespace, name, compute, target, dryRun, fieldManager } = opts;
  const fromClientObject = opts.pinnedByClient;
  for (let attempt = 0; ; attempt++) {
    const current = await store.get(namespace, name);
    const next = compute(structuredClone(current));
    const pinned = next.metadata?.resourceVersion;
    if (pinned !== undefined && pinned !== '' && pinned !== current.metadata?.resourceVersion) {
      if (!/^\d+$/.test(pinned)) {
        throw invalid({ group: def.group, kind: def.kind }, name, [invalidField('metadata.resourceVersion', pinned, 'must be specified for an update')]);
      }
      throw conflict(store.qualified, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    // An update without a resourceVersion is unconditional (every built-in kind allows it, as
    // upstream): it applies to whatever is stored now.
    if ((pinned === undefined || pinned === '') && current.metadata?.resourceVersion !== undefined) next.metadata = { ...next.metadata, resourceVersion: current.metadata.resourceVersion };
    const obj = prepareUpdate(next, current, def, target);
    let plan = { puts: [] as { key: string; value: Buffer }[], deletes: [] as string[] };
    if (def.group === '' && def.kind === 'Service' && target === 'main') plan = ctx.allocator.planUpdate(obj, current);
    if (opts.validate) opts.validate(obj, current);
    else validateUpdate(obj, current, def);
    if (fieldManager !== undefined) recordManagedFields(ctx, def, current, obj, fieldManager, opts.subresource ?? (target === 'status' ? 'status' : ''));
    if (dryRun) return obj;
    if (sameStored(obj, current)) return current;
    const expected = Number(current.metadata?.resourceVersion ?? '0');
    try {
      if (obj.metadata?.deletionTimestamp && (obj.metadata.finalizers ?? []).length === 0 && !namespaceStillFinalizing(def, obj)) {
        // The last finalizer is gone: the object leaves the store now.
        const rev = await store.remove(namespace, name, expected, releaseKeysOf(ctx, def, current));
        return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rev) } };
      }
      return await store.update(obj, expected, plan);
    } catch (err) {
      const lostRace = err instanceof ConflictError && (pinned === undefined || pinned === '' || !fromClientObject);
      if (lostRace && (await retryAfterLostRace(attempt, started))) continue;
      throw err;
    }
  }
}

/** How long a write keeps retrying lost compare-and-swaps before it reports the conflict. */
const LOST_RACE_RETRY_MS = 30_000;

/**
 * Whether a write that lost a compare-and-swap should read again and retry, as upstream's
 * GuaranteedUpdate does until the request's deadline (a fixed number of tries starved an
 * unconditional PUT among eight writers). After a few quick tries it waits a random moment, so
 * writers that keep colliding spread out.
 */
async function retryAfterLostRace(attempt: number, started: number): Promise<boolean> {
  if (Date.now() - started > LOST_RACE_RETRY_MS) return false;
  if (attempt >= 3) await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 * attempt)));
  return true;
}

/** The manager a write is recorded under: ?fieldManager=, else the User-Agent's program name. */
export function fieldManagerOf(r: Request): string {
  const explicit = r.url.searchParams.get('fieldManager');
  if (explicit !== null && explicit !== '') {
    if (explicit.length > 128) throw invalid({ group: 'meta.k8s.io', kind: 'UpdateOptions' }, '', [invalidField('fieldManager', explicit, 'must be no more than 128 characters')]);
    return explicit;
  }
  const ua = String(r.req.headers['user-agent'] ?? '');
  return ua.split('/')[0] ?? '';
}

/** Moves ownership of the fields this write changed to `manager` (server-side apply bookkeeping). */
function recordManagedFields(ctx: ServerContext, def: ResourceDef, old: KubeObject | null, obj: KubeObject, manager: string, subresource: string): void {
  try {
    const out = updateManagedFields({ old, updated: obj, manager, operation: 'Update', subresource, schema: asNode(def.schema), apiVersion: apiVersionOf(def), now: ctx.now() });
    obj.metadata = { ...obj.metadata, managedFields: out.managedFields };
  } catch (err) {
    // Ownership tracking must never fail a write that is otherwise valid; upstream drops it likewise.
    ctx.log.warn({ err: String(err), kind: def.kind, name: obj.metadata?.name }, 'managed fields not updated');
  }
}

function namespaceStillFinalizing(def: ResourceDef, obj: KubeObject): boolean {
  if (def.group !== '' || def.kind !== 'Namespace') return false;
  return ((obj['spec'] as { finalizers?: string[] } | undefined)?.finalizers ?? []).length > 0;
}

function releaseKeysOf(ctx: ServerContext, def: ResourceDef, obj: KubeObject): string[] {
  return def.group === '' && def.kind === 'Service' ? ctx.allocator.releaseKeys(obj) : [];
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export function patchTypeOf(contentType: string | undefined): PatchType {
  switch (mediaType(contentType)) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+cbor':
      return 'apply';
    default:
      throw new StatusError({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `the server does not support the content type ${mediaType(contentType)} for a patch: only application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json and application/apply-patch+yaml are accepted`,
        reason: 'UnsupportedMediaType',
        code: 415,
      });
  }
}

/** Applies a non-apply patch to the current object's JSON; engine failures become Statuses. */
export function applyPatchDocument(type: Exclude<PatchType, 'apply'>, current: KubeObject, patch: unknown, def: ResourceDef): KubeObject {
  try {
    let out: unknown;
    if (type === 'json') out = applyJsonPatch(current, patch);
    else if (type === 'merge') out = applyMergePatch(current, patch);
    else out = applyStrategicMergePatch(current, patch, asNode(def.schema));
    if (typeof out !== 'object' || out === null || Array.isArray(out)) throw badRequest('the patch result is not an object');
    return out as KubeObject;
  } catch (err) {
    if (err instanceof PatchError) {
      throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: err.statusMessage, reason: err.reason, code: err.code });
    }
    throw err;
  }
}

export async function handlePatch(ctx: ServerContext, r: Request, target: UpdateTarget): Promise<void> {
  const type = patchTypeOf(r.req.headers['content-type']);
  const body = await readBody(r.req);
  const patch = parseBody(body, type === 'apply' ? 'application/yaml' : 'application/json');
  const mode = parseFieldValidation(r.url.searchParams.get('fieldValidation'));
  const dryRun = isDryRun(r.url);
  if (type === 'apply') {
    const { serverSideApply } = await import('./apply.js');
    const out = await serverSideApply(ctx, r, patch, target, dryRun, mode);
    respond(r, out.created ? 201 : 200, withTypeMeta(r.def, out.object));
    return;
  }
  if (type !== 'json' && (typeof patch !== 'object' || patch === null || Array.isArray(patch))) {
    throw badRequest(`error decoding patch: json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}`);
  }
  const warnings = new Set<string>();
  const result = await updateObject(ctx, {
    def: r.def,
    store: r.store,
    namespace: r.info.namespace,
    name: r.info.name,
    compute: (current) => {
      const patched = applyPatchDocument(type, current, patch, r.def);
      const decoded = decodeRequestObject(patched, expectedTypeOf(r.def), mode);
      for (const w of decoded.warnings) warnings.add(w);
      if (decoded.obj.metadata?.name !== r.info.name) throw badRequest('metadata.name: Invalid value: the name of a patched object cannot change');
      // A resourceVersion the patch set (any patch type: merge, strategic, or a JSON patch
      // `replace /metadata/resourceVersion`) is a precondition, as upstream; one it removed makes
      // the update unconditional, and an untouched one is the current one.
      return decoded.obj;
    },
    target,
    dryRun,
    pinnedByClient: false,
    fieldManager: fieldManagerOf(r),
  });

  for (const w of warnings) addWarning(r.res, w);
  respond(r, 200, withTypeMeta(r.def, result));
}

function decodeDeleteOptionsProtobuf(body: Buffer): unknown {
  try {
    return decodeKubernetesProtobuf(body, (_apiVersion, kind) => (kind === 'DeleteOptions' ? asNode(DeleteOptionsSchema) : undefined)).object;
  } catch (err) {
    if (err instanceof ProtobufDecodeError) throw badRequest(`error decoding the protobuf request body: ${err.message}`);
    throw err;
  }
}

async function readDeleteOptions(r: Request): Promise<DeleteOptions> {
  const q = r.url.searchParams;
  let opts: DeleteOptions = {};
  const body = await readBody(r.req);
  if (body.length > 0) {
    const parsed = isKubernetesProtobuf(r.req.headers['content-type']) ? decodeDeleteOptionsProtobuf(body) : parseBody(body, r.req.headers['content-type']);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('the body of a delete must be a DeleteOptions object');
    // Typed as Go decodes DeleteOptions: `gracePeriodSeconds: "x"` refuses the delete instead of being ignored.
    const { typeErrors } = decodeObject(parsed as Record<string, unknown>, asNode(DeleteOptionsSchema));
    if (typeErrors.length > 0) throw badRequest(typeErrors[0]!);
    opts = parsed as DeleteOptions;
  }
  const grace = q.get('gracePeriodSeconds');
  if (grace !== null) {
    const n = Number(grace);
    if (!Number.isInteger(n)) throw badRequest(`invalid gracePeriodSeconds: ${grace}`);
    opts.gracePeriodSeconds = n;
  }
  const policy = q.get('propagationPolicy');
  if (policy !== null) opts.propagationPolicy = policy;
  if (q.get('orphanDependents') !== null) opts.orphanDependents = queryBool(q, 'orphanDependents');
  if (opts.propagationPolicy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw invalid({ group: 'meta.k8s.io', kind: 'DeleteOptions' }, '', [
      { type: 'FieldValueNotSupported', field: 'propagationPolicy', badValue: opts.propagationPolicy, detail: 'supported values: "Foreground", "Background", "Orphan", "nil"' },
    ]);
  }
  return opts;
}

export async function handleDelete(ctx: ServerContext, r: Request): Promise<void> {
  const opts = await readDeleteOptions(r);
  const dryRun = isDryRun(r.url, opts);
  const out = await deleteObject(ctx, r.def, r.store, r.info.namespace, r.info.name, opts, dryRun);
  if (out.kind === 'deleted' && !RETURNS_DELETED_OBJECT.has(`${r.def.group}/${r.def.plural}`)) {
    send(r.res, 200, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: r.info.name, group: r.def.group, kind: r.def.plural, uid: out.object.metadata?.uid },
    });
    return;
  }
  // A graceful or finalized delete answers 202 only for the legacy "accepted" case; upstream uses 200 with the object.
  respond(r, 200, withTypeMeta(r.def, out.object));
}

type DeleteOutcome = { kind: 'deleted' | 'pending'; object: KubeObject };

/** Deletion: preconditions, graceful pods, finalizers and propagation policy, then removal. */
export async function deleteObject(
  ctx: ServerContext,
  def: ResourceDef,
  store: ResourceStore,
  namespace: string | undefined,
  name: string,
  opts: DeleteOptions,
  dryRun: boolean,
): Promise<DeleteOutcome> {
  if (def.group === '' && def.kind === 'Namespace' && IMMORTAL_NAMESPACES.has(name)) {
    throw forbidden(store.qualified, name, 'this namespace may not be deleted');
  }
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const current = await store.get(namespace, name);
    const meta = current.metadata ?? {};
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== meta.uid) {
      throw conflict(store.qualified, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid ?? ''}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
      throw conflict(store.qualified, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`);
    }
    const next = structuredClone(current);
    const nmeta = (next.metadata ??= {});
    const finalizers = [...(nmeta.finalizers ?? [])];
    const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : undefined);
    if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    if (policy === 'Background') {
      const i = finalizers.indexOf('orphan');
      if (i >= 0) finalizers.splice(i, 1);
    }
    const grace = gracePeriod(def, current, opts);
    const isNamespace = def.group === '' && def.kind === 'Namespace';
    const nsFinalizers = isNamespace ? ((current['spec'] as { finalizers?: string[] } | undefined)?.finalizers ?? []) : [];
    const needsWait = finalizers.length > 0 || grace > 0 || nsFinalizers.length > 0;
    if (needsWait) {
      const now = ctx.now();
      if (!nmeta.deletionTimestamp) {
        nmeta.deletionTimestamp = timestamp(new Date(now.getTime() + grace * 1000));
        nmeta.deletionGracePeriodSeconds = grace;
      } else if (grace < (nmeta.deletionGracePeriodSeconds ?? 0)) {
        // A shorter grace period moves the deadline closer; a longer one never extends it.
        nmeta.deletionTimestamp = timestamp(new Date(now.getTime() + grace * 1000));
        nmeta.deletionGracePeriodSeconds = grace;
      }
      nmeta.finalizers = finalizers;
      if (finalizers.length === 0) delete nmeta.finalizers;
      if (isNamespace) next['status'] = { ...((next['status'] as object) ?? {}), phase: 'Terminating' };
      if (dryRun) return { kind: 'pending', object: next };
      if (sameStored(next, current)) return { kind: 'pending', object: current };
      try {
        const written = await store.update(next, Number(meta.resourceVersion ?? '0'));
        return { kind: 'pending', object: written };
      } catch (err) {
        if (err instanceof ConflictError && (await retryAfterLostRace(attempt, started))) continue;
        throw err;
      }
    }
    if (dryRun) return { kind: 'deleted', object: current };
    try {
      await store.remove(namespace, name, Number(meta.resourceVersion ?? '0'), releaseKeysOf(ctx, def, current));
      return { kind: 'deleted', object: current };
    } catch (err) {
      if (err instanceof ConflictError && (await retryAfterLostRace(attempt, started))) continue;
      throw err;
    }
  }
}

/** Pods bound to a node terminate gracefully; everything else goes at once (finalizers aside). */
function gracePeriod(def: ResourceDef, obj: KubeObject, opts: DeleteOptions): number {
  if (def.group !== '' || def.kind !== 'Pod') return 0;
  const spec = (obj['spec'] ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const phase = (obj['status'] as { phase?: string } | undefined)?.phase;
  if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  const g = opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
  return Math.max(0, g);
}

export async function handleDeleteCollection(ctx: ServerContext, r: Request): Promise<void> {
  const q = r.url.searchParams;
  const opts = await readDeleteOptions(r);
  const dryRun = isDryRun(r.url, opts);
  const { filter, unfiltered } = selectorFilter(r.def, q.get('labelSelector'), q.get('fieldSelector'));
  const listed = await r.store.list(r.info.namespace, { filter, unfiltered });
  const deleted: KubeObject[] = [];
  for (const item of listed.items) {
    try {
      const out = await deleteObject(ctx, r.def, r.store, item.metadata?.namespace, item.metadata?.name ?? '', opts, dryRun);
      deleted.push(withTypeMeta(r.def, out.object));
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) continue;
      throw err;
    }
  }
  send(r.res, 200, { kind: r.def.listKind, apiVersion: apiVersionOf(r.def), metadata: { resourceVersion: listed.resourceVersion }, items: deleted });
}

export function unsupportedVerb(r: Request, verb: string): never {
  throw methodNotSupported(r.store.qualified, verb);
}

