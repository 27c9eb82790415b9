// Subresources other than status: scale (autoscaling/v1 Scale), pods/binding, namespaces/finalize.
import type { KubeObject, ResourceDef, ScaleSubresource } from '../../api/registry.js';
import { badRequest, conflict, internalError, invalid, serviceUnavailable, StatusError } from '../../api/errors.js';
import type { DeleteOptions } from '../../api/meta/v1.js';
import { asNode } from '../../api/schema/dsl.js';
import { EvictionSchema } from '../../api/policy/v1/eviction.js';
import { labelSelectorAsSelector } from '../../api/selectors/labels.js';
import type { LabelSelector } from '../../api/meta/v1.js';
import { addWarning, parseBody, readBody, send } from '../http.js';
import type { ServerContext } from './context.js';
import { applyPatchDocument, deleteObject, fieldManagerOf, patchTypeOf, readObjectBody, updateObject, type Request } from './resource.js';
import { decodeRequestObject, expectedTypeOf, parseFieldValidation, timestamp, type ExpectedType } from './pipeline.js';
import { invalid as invalidField } from '../../api/validation/field.js';

function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const seg of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const segs = path.split('.');
  let cur = obj;
  for (const seg of segs.slice(0, -1)) {
    const next = cur[seg];
    if (typeof next !== 'object' || next === null) cur[seg] = {};
    cur = cur[seg] as Record<string, unknown>;
  }
  cur[segs[segs.length - 1]!] = value;
}

/** The autoscaling/v1 Scale view of a scalable object. */
export function scaleOf(obj: KubeObject, scale: ScaleSubresource): KubeObject {
  const meta = obj.metadata ?? {};
  const selectorValue = getPath(obj, 'spec.selector');
  let selector = '';
  if (typeof selectorValue === 'object' && selectorValue !== null) {
    try {
      selector = labelSelectorAsSelector(selectorValue as LabelSelector).toString();
    } catch {
      selector = '';
    }
  }
  const status: Record<string, unknown> = { replicas: Number(getPath(obj, scale.statusReplicasPath) ?? 0) };
  if (selector !== '') status['selector'] = selector;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      creationTimestamp: meta.creationTimestamp,
    },
    spec: { replicas: Number(getPath(obj, scale.specReplicasPath) ?? 0) },
    status,
  };
}

/** A whole object sent to a named URL must carry that name (upstream's checkName on update). */
function checkNameMatchesURL(body: unknown, urlName: string): void {
  const name = (body as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  if (typeof body === 'object' && body !== null && name !== urlName) {
    throw badRequest(`the name of the object (${typeof name === 'string' ? name : ''}) does not match the name on the URL (${urlName})`);
  }
}

function checkScale(def: ResourceDef, name: string, scaleObj: unknown): number {
  if (typeof scaleObj !== 'object' || scaleObj === null) throw badRequest('the body must be a Scale object');
  const s = scaleObj as { kind?: unknown; spec?: { replicas?: unknown } };
  if (s.kind !== undefined && s.kind !== 'Scale') throw badRequest(`the kind in the data (${String(s.kind)}) does not match the expected kind (Scale)`);
  const replicas = s.spec?.replicas ?? 0;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas)) {
    throw badRequest(`Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal ${typeof replicas} into Go struct field ScaleSpec.spec.replicas of type int32`);
  }
  if (replicas < 0) {
    throw invalid({ group: 'autoscaling', kind: 'Scale' }, name, [invalidField('spec.replicas', replicas, 'must be greater than or equal to 0')]);
  }
  void def;
  return replicas;
}

export async function handleScale(ctx: ServerContext, r: Request): Promise<void> {
  const scale = r.def.subresources?.scale;
  if (!scale) throw badRequest(`the server does not allow this method on the requested resource`);
  if (r.info.verb === 'get') {
    send(r.res, 200, scaleOf(await r.store.get(r.info.namespace, r.info.name), scale));
    return;
  }
  const body = await readBody(r.req);
  const isPatch = r.info.verb === 'patch';
  const patchType = isPatch ? patchTypeOf(r.req.headers['content-type']) : undefined;
  const input = parseBody(body, isPatch ? 'application/json' : r.req.headers['content-type']);
  if (!isPatch) checkNameMatchesURL(input, r.info.name);
  const updated = await updateObject(ctx, {
    def: r.def,
    store: r.store,
    namespace: r.info.namespace,
    name: r.info.name,
    compute: (current) => {
      const currentScale = scaleOf(current, scale);
      let desired: unknown = input;
      if (patchType !== undefined) {
        if (patchType === 'apply') throw badRequest('server-side apply is not supported on the scale subresource');
        desired = applyPatchDocument(patchType, currentScale, input, r.def);
      }
      const replicas = checkScale(r.def, r.info.name, desired);
      const rv = (desired as KubeObject).metadata?.resourceVersion;
      if (rv && rv !== current.metadata?.resourceVersion) {
        throw conflict(r.store.qualified, r.info.name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      setPath(current, scale.specReplicasPath, replicas);
      return current;
    },
    target: 'main',
    dryRun: false,
    pinnedByClient: false,
    fieldManager: fieldManagerOf(r),
    subresource: 'scale',
  });
  send(r.res, 200, scaleOf(updated, scale));
}

/** pods/binding: assigns a pending pod to a node, once. */
export async function handleBinding(ctx: ServerContext, r: Request): Promise<void> {
  const input = await readObjectBody(ctx, r);
  const binding = input as { kind?: string; metadata?: { name?: string; annotations?: Record<string, string> }; target?: { kind?: string; name?: string } };
  if (typeof input !== 'object' || input === null || binding.kind !== 'Binding') throw badRequest('the body must be a Binding object');
  if (binding.metadata?.name !== r.info.name) throw badRequest('name in URL does not match name in Binding object');
  const nodeName = binding.target?.name ?? '';
  if (nodeName === '') {
    throw invalid({ group: '', kind: 'Binding' }, r.info.name, [{ type: 'FieldValueRequired', field: 'target.name', detail: '' }]);
  }
  if (binding.target?.kind && binding.target.kind !== 'Node') {
    throw invalid({ group: '', kind: 'Binding' }, r.info.name, [invalidField('target.kind', binding.target.kind, 'must be empty or \'Node\'')]);
  }
  await updateObject(ctx, {
    def: r.def,
    store: r.store,
    namespace: r.info.namespace,
    name: r.info.name,
    compute: (pod) => {
      const spec = (pod['spec'] ??= {}) as { nodeName?: string };
      if (pod.metadata?.deletionTimestamp) throw conflict(r.store.qualified, r.info.name, 'pod is being deleted, cannot be assigned to a host');
      if (spec.nodeName) throw conflict(r.store.qualified, r.info.name, `pod ${r.info.name} is already assigned to node "${spec.nodeName}"`);
      spec.nodeName = nodeName;
      if (binding.metadata?.annotations) pod.metadata = { ...pod.metadata, annotations: { ...pod.metadata?.annotations, ...binding.metadata.annotations } };
      const status = (pod['status'] ??= {}) as { conditions?: { type: string; status: string; lastProbeTime?: null; lastTransitionTime?: string }[] };
      const conds = (status.conditions ??= []);
      const i = conds.findIndex((c) => c.type === 'PodScheduled');
      const cond = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp(ctx.now()) };
      if (i >= 0) conds[i] = cond;
      else conds.push(cond);
      return pod;
    },
    target: 'all',
    dryRun: false,
    pinnedByClient: false,
    fieldManager: fieldManagerOf(r),
    subresource: 'binding',
    // The binding's own checks ran above; the pod spec immutability rules do not apply to it.
    validate: () => undefined,
  });
  send(r.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

/** namespaces/<name>/finalize: writes spec.finalizers only. */
export async function handleFinalize(ctx: ServerContext, r: Request): Promise<void> {
  const raw = await readObjectBody(ctx, r);
  // Decoded as a Namespace: `finalizers: [1]` is the client's mistake (400), never a crash.
  const { obj: input, warnings } = decodeRequestObject(raw, expectedTypeOf(r.def), parseFieldValidation(r.url.searchParams.get('fieldValidation')));
  for (const w of warnings) addWarning(r.res, w);
  checkNameMatchesURL(input, r.info.name);
  const finalizers = (input['spec'] as { finalizers?: string[] } | undefined)?.finalizers ?? [];
  const out = await updateObject(ctx, {
    def: r.def,
    store: r.store,
    namespace: undefined,
    name: r.info.name,
    compute: (ns) => {
      ns['spec'] = { ...((ns['spec'] as object) ?? {}), finalizers };
      if (finalizers.length === 0) delete (ns['spec'] as { finalizers?: string[] }).finalizers;
      return ns;
    },
    target: 'all',
    dryRun: false,
    pinnedByClient: false,
    fieldManager: fieldManagerOf(r),
    subresource: 'finalize',
  });
  send(r.res, 200, { apiVersion: 'v1', kind: 'Namespace', ...out });
}

interface PodDisruptionBudgetView {
  metadata?: { name?: string };
  spec?: { selector?: LabelSelector };
  status?: { disruptionsAllowed?: number; currentHealthy?: number; desiredHealthy?: number; observedGeneration?: number; disruptedPods?: Record<string, string> };
}

/**
 * pods/eviction: a delete that respects PodDisruptionBudgets. A budget that allows no disruption
 * answers 429 (the client retries); otherwise the budget's allowance is taken, then the pod deleted.
 */
export async function handleEviction(ctx: ServerContext, r: Request): Promise<void> {
  const input = await readObjectBody(ctx, r);
  const evictionDef = evictionType();
  const { obj: eviction } = decodeRequestObject(input, evictionDef, 'Strict');
  if (eviction.metadata?.name !== undefined && eviction.metadata.name !== r.info.name) {
    throw badRequest(`name in URL does not match name in Eviction object`);
  }
  const deleteOptions = (eviction['deleteOptions'] ?? {}) as DeleteOptions;
  const pod = await r.store.get(r.info.namespace, r.info.name);
  const phase = (pod['status'] as { phase?: string } | undefined)?.phase;
  const terminal = phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || pod.metadata?.deletionTimestamp !== undefined;
  const pdbStore = ctx.storeByResource('policy', 'poddisruptionbudgets');
  if (!terminal && pdbStore) {
    const budgets = (await pdbStore.list(r.info.namespace, { filter: () => true, unfiltered: true })).items.filter((b) => {
      const sel = (b as PodDisruptionBudgetView).spec?.selector;
      if (!sel) return false;
      try {
        const s = labelSelectorAsSelector(sel);
        return !s.isEmpty() && s.matches(pod.metadata?.labels ?? {});
      } catch {
        return false;
      }
    }) as PodDisruptionBudgetView[];
    if (budgets.length > 1) {
      throw internalError(new Error('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.'));
    }
    const budget = budgets[0];
    if (budget?.metadata?.name) {
      await updateObject(ctx, {
        def: pdbStore.def,
        store: pdbStore,
        namespace: r.info.namespace,
        name: budget.metadata.name,
        compute: (current) => {
          const status = ((current as PodDisruptionBudgetView).status ??= {});
          const allowed = status.disruptionsAllowed ?? 0;
          const processed = (status.observedGeneration ?? 0) >= (current.metadata?.generation ?? 0);
          if (allowed <= 0 || !processed) {
            throw new StatusError({
              kind: 'Status',
              apiVersion: 'v1',
              metadata: {},
              status: 'Failure',
              message: "Cannot evict pod as it would violate the pod's disruption budget.",
              reason: 'TooManyRequests',
              details: {
                causes: [
                  {
                    reason: 'DisruptionBudget',
                    message: processed
                      ? `The disruption budget ${budget.metadata?.name ?? ''} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`
                      : `The disruption budget ${budget.metadata?.name ?? ''} is still being processed by the server.`,
                  },
                ],
              },
              code: 429,
            });
          }
          status.disruptionsAllowed = allowed - 1;
          // Remembered until the disruption controller sees the pod go.
          status.disruptedPods = { ...(status.disruptedPods ?? {}), [r.info.name]: timestamp(ctx.now()) };
          return current;
        },
        target: 'status',
        dryRun: false,
        pinnedByClient: false,
        fieldManager: fieldManagerOf(r),
        subresource: 'status',
      });
    }
  }
  await deleteObject(ctx, r.def, r.store, r.info.namespace, r.info.name, deleteOptions, false);
  send(r.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

function evictionType(): ExpectedType {
  return { kind: 'Eviction', apiVersion: 'policy/v1', schema: asNode(EvictionSchema) };
}

/** A pod as kubeletOfPod reads it. */
interface PodOnNode {
  metadata?: { name?: string };
  spec?: { nodeName?: string; containers?: { name: string }[]; initContainers?: { name: string }[]; ephemeralContainers?: { name: string }[] };
  status?: { phase?: string };
}

/**
 * The kubelet of a pod's node (http://<InternalIP>:<kubelet port>) and the container a request
 * names (the only one when it names none; none for `requested` null), checked as kube-apiserver
 * checks them.
 */
export async function kubeletOfPod(ctx: ServerContext, store: { get(ns: string | undefined, name: string): Promise<unknown> }, namespace: string | undefined, name: string, requested: string | null, purpose: string): Promise<{ kubelet: string; container: string; pod: PodOnNode }> {
  const pod = (await store.get(namespace, name)) as PodOnNode;
  const containers = (pod.spec?.containers ?? []).map((c) => c.name);
  const inits = (pod.spec?.initContainers ?? []).map((c) => c.name);
  // null: the request is for the pod (port forwarding), no container to check.
  let container = requested ?? '';
  if (requested === null) {
    // Nothing to choose.
  } else if (container === '') {
    if (containers.length === 1) container = containers[0]!;
    else {
      let message = `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`;
      if (inits.length > 0) message += ` or one of the init containers: [${inits.join(' ')}]`;
      throw badRequest(message);
    }
  } else if (![...containers, ...inits, ...(pod.spec?.ephemeralContainers ?? []).map((c) => c.name)].includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${name}`);
  }
  const nodeName = pod.spec?.nodeName ?? '';
  if (nodeName === '') throw badRequest(`pod ${name} does not have a host assigned`);
  const nodes = ctx.storeByResource('', 'nodes');
  const node = (await nodes!.get(undefined, nodeName)) as { status?: { addresses?: { type: string; address: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } } };
  const address = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? node.status?.addresses?.find((a) => a.type === 'Hostname')?.address;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0;
  if (address === undefined || port === 0) throw badRequest(`node ${nodeName} has no kubelet address to ${purpose}`);
  return { kubelet: `http://${address.includes(':') ? `[${address}]` : address}:${port}`, container, pod };
}

/** Options of pods/log the kubelet understands; anything else is not passed on. */
const LOG_OPTIONS = ['container', 'follow', 'previous', 'sinceSeconds', 'sinceTime', 'timestamps', 'tailLines', 'limitBytes'];

/**
 * pods/<name>/log: checks the pod and container as kube-apiserver does, then streams the
 * container's log from the kubelet of the pod's node (its InternalIP and kubelet port from the
 * Node), so `kubectl logs [-f] [-p] [--tail]` work.
 */
export async function handlePodLog(ctx: ServerContext, r: Request): Promise<void> {
  const q = r.url.searchParams;
  for (const n of ['sinceSeconds', 'tailLines', 'limitBytes']) {
    const v = q.get(n);
    if (v !== null && (!/^\d+$/.test(v) || (n !== 'tailLines' && Number(v) === 0))) throw badRequest(`${n}: Invalid value: ${JSON.stringify(v)}: must be ${n === 'tailLines' ? 'greater than or equal to 0' : 'greater than 0'}`);
  }
  if (q.get('sinceSeconds') !== null && q.get('sinceTime') !== null) throw badRequest('at most one of `sinceTime` or `sinceSeconds` may be specified');
  const { kubelet, container } = await kubeletOfPod(ctx, r.store, r.info.namespace, r.info.name, q.get('container') ?? '', 'read logs from');
  const query = new URLSearchParams();
  for (const n of LOG_OPTIONS) if (n !== 'container' && q.get(n) !== null) query.set(n, q.get(n)!);
  const target = `${kubelet}/containerLogs/${encodeURIComponent(r.info.namespace ?? '')}/${encodeURIComponent(r.info.name)}/${encodeURIComponent(container)}?${query}`;
  const abort = new AbortController();
  r.res.on('close', () => abort.abort());
  let upstream: Response;
  try {
    upstream = await fetch(target, { signal: abort.signal });
  } catch (err) {
    throw serviceUnavailable(`Get "${target}": ${err instanceof Error ? err.message : String(err)}`);
  }
  if (upstream.status !== 200) {
    const text = (await upstream.text()).trim();
    throw upstream.status === 400 ? badRequest(text) : upstream.status === 404 ? new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: text, reason: 'NotFound', code: 404 }) : internalError(new Error(text));
  }
  r.res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  try {
    for await (const chunk of upstream.body as unknown as AsyncIterable<Uint8Array>) {
      if (!r.res.write(chunk)) await new Promise<void>((resolve) => r.res.once('drain', () => resolve()));
    }
  } catch {
    // The client went away (or the kubelet did): end what was sent.
  } finally {
    r.res.end();
  }
}

/**
 * nodes/<name>/proxy/<path>: a GET passed to the node's kubelet (its InternalIP and kubelet port),
 * as `kubectl get --raw /api/v1/nodes/<node>/proxy/stats/summary` uses it. The answer comes back
 * with the kubelet's status and content type.
 */
export async function handleNodeProxy(ctx: ServerContext, r: Request): Promise<void> {
  if (r.req.method !== 'GET' && r.req.method !== 'HEAD') throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `the server does not allow this method on the requested resource`, reason: 'MethodNotAllowed', code: 405 });
  const node = (await r.store.get(undefined, r.info.name)) as { status?: { addresses?: { type: string; address: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } } };
  const address = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? node.status?.addresses?.find((a) => a.type === 'Hostname')?.address;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0;
  if (address === undefined || port === 0) throw serviceUnavailable(`node ${r.info.name} has no kubelet address`);
  const path = r.info.subresource.replace(/^proxy\/?/, '');
  const target = `http://${address.includes(':') ? `[${address}]` : address}:${port}/${path}${r.url.search}`;
  let upstream: Response;
  try {
    upstream = await fetch(target, { signal: AbortSignal.timeout(60_000) });
  } catch (err) {
    throw serviceUnavailable(`error trying to reach service: ${err instanceof Error ? err.message : String(err)}`);
  }
  const body = Buffer.from(await upstream.arrayBuffer());
  r.res.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('content-type') ?? 'application/octet-stream', 'Content-Length': body.length });
  r.res.end(r.req.method === 'HEAD' ? undefined : body);
}
