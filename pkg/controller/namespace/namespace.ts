// Namespace controller: a namespace being deleted is emptied of every namespaced resource the API
// serves (from discovery), then its `kubernetes` finalizer is removed through namespaces/finalize
// and the apiserver lets it go. While something resists, its status says what, with upstream's
// five deletion conditions, and the namespace is looked at again shortly.
import type { Namespace } from '../../api/core/v1/namespace.js';
import { namespaceResource } from '../../api/core/v1/namespace.js';
import { formatTime } from '../../api/meta/v1.js';
import type { Lister } from '../../client/informer/lister.js';
import type { DeepReadonly } from '../../client/informer/store.js';
import type { Clock } from '../../client/clock.js';
import type { KubeObject } from '../../client/resource.js';
import { isNotFound, ReconcileLoop, type Controller, type ControllerContext, type ControllerDefinition, type ObjectClient, type Reconciler, type ReconcileResult } from '../framework/index.js';
import type { DiscoveredResource, Discovery } from '../framework/discovery.js';

export const KUBERNETES_FINALIZER = 'kubernetes';
/** How soon a namespace whose content is still going away is looked at again. */
export const CONTENT_REMAINING_REQUEUE_MS = 2_000;

type Condition = NonNullable<NonNullable<Namespace['status']>['conditions']>[number];

const CONDITION_TYPES = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;

type ConditionType = (typeof CONDITION_TYPES)[number];

/** What one pass over the namespace's content found. */
export interface ContentReport {
  readonly discoveryErrors: readonly string[];
  readonly deleteErrors: readonly string[];
  /** "pods" / "deployments.apps" → instances still there. */
  readonly remaining: ReadonlyMap<string, number>;
  /** Finalizer → instances still carrying it. */
  readonly finalizers: ReadonlyMap<string, number>;
}

function qualifiedResource(r: DiscoveredResource): string {
  return r.group === '' ? r.plural : `${r.plural}.${r.group}`;
}

function countsText(m: ReadonlyMap<string, number>, word: string): string {
  return [...m.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, n]) => `${k} ${word} ${n} resource instances`)
    .join(', ');
}

/** The five deletion conditions upstream reports, from one pass's findings (pure). */
export function deletionConditions(report: ContentReport): Record<ConditionType, Omit<Condition, 'type' | 'lastTransitionTime'>> {
  const d = report.discoveryErrors;
  const e = report.deleteErrors;
  return {
    NamespaceDeletionDiscoveryFailure:
      d.length > 0
        ? { status: 'True', reason: 'DiscoveryFailed', message: `Discovery failed for some groups, ${d.length} failing: ${d.join(', ')}` }
        : { status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
    NamespaceDeletionGroupVersionParsingFailure: { status: 'False', reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
    NamespaceDeletionContentFailure:
      e.length > 0
        ? { status: 'True', reason: 'ContentDeletionFailed', message: `Failed to delete all resource types, ${e.length} remaining: ${e.join(', ')}` }
        : { status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
    NamespaceContentRemaining:
      report.remaining.size > 0
        ? { status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${countsText(report.remaining, 'has')}` }
        : { status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed' },
    NamespaceFinalizersRemaining:
      report.finalizers.size > 0
        ? { status: 'True', reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${countsText(report.finalizers, 'in')}` }
        : { status: 'False', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
  };
}

/** The namespace's conditions with this pass's values; a transition time moves only when a status changes. */
export function mergeConditions(current: readonly DeepReadonly<Condition>[], next: ReturnType<typeof deletionConditions>, now: string): Condition[] {
  const out: Condition[] = current.filter((c) => !(CONDITION_TYPES as readonly string[]).includes(c.type ?? '')).map((c) => ({ ...c }) as Condition);
  for (const type of CONDITION_TYPES) {
    const prev = current.find((c) => c.type === type);
    const want = next[type];
    out.push({ type, ...want, lastTransitionTime: prev !== undefined && prev.status === want.status && prev.lastTransitionTime !== undefined ? prev.lastTransitionTime : now });
  }
  return out;
}

function sameConditions(a: readonly DeepReadonly<Condition>[], b: readonly Condition[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class NamespaceController implements Controller, Reconciler {
  private readonly loop: ReconcileLoop;
  private readonly namespaces: Lister<Namespace>;
  private readonly client: ObjectClient;
  private readonly discovery: Discovery;
  private readonly clock: Clock;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.discovery = ctx.discovery;
    this.clock = ctx.clock;
    this.loop = new ReconcileLoop({ name: 'namespace', reconciler: this, workers: ctx.workers, clock: ctx.clock, log: ctx.log });
    const nsInformer = ctx.informers.forResource<Namespace>(namespaceResource);
    this.namespaces = nsInformer.lister();
    const enqueue = (ns: DeepReadonly<Namespace>): void => {
      if (ns.metadata?.deletionTimestamp !== undefined) this.loop.enqueue(ns.metadata.name ?? '');
    };
    nsInformer.addEventHandler({ onAdd: enqueue, onUpdate: (_old, ns) => enqueue(ns) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal);
  }

  async reconcile(name: string, signal: AbortSignal): Promise<ReconcileResult | void> {
    const ns = this.namespaces.get(name);
    if (ns === undefined || ns.metadata?.deletionTimestamp === undefined) return;
    if (!(ns.spec?.finalizers ?? []).includes(KUBERNETES_FINALIZER)) return;
    const report = await this.deleteContent(name, signal);
    const conditions = mergeConditions(ns.status?.conditions ?? [], deletionConditions(report), formatTime(this.clock.now()));
    if (!sameConditions(ns.status?.conditions ?? [], conditions)) {
      try {
        await this.client.updateStatus<Namespace>(namespaceResource, { ...structuredClone(ns as Namespace), status: { ...(ns.status as Namespace['status']), phase: 'Terminating', conditions } });
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
    }
    const clean = report.discoveryErrors.length === 0 && report.deleteErrors.length === 0 && report.remaining.size === 0;
    if (!clean) return { requeueAfterMs: CONTENT_REMAINING_REQUEUE_MS };
    await this.finalize(name);
  }

  /** Deletes what is left in the namespace, resource by resource, and reports what remains. */
  private async deleteContent(namespace: string, signal: AbortSignal): Promise<ContentReport> {
    const discoveryErrors: string[] = [];
    let resources: readonly DiscoveredResource[] = [];
    try {
      const found = await this.discovery.preferredResources(signal);
      resources = found.resources;
      for (const f of found.failed) discoveryErrors.push(`${f.groupVersion}: ${f.error}`);
    } catch (err) {
      discoveryErrors.push(err instanceof Error ? err.message : String(err));
    }
    const deleteErrors: string[] = [];
    const remaining = new Map<string, number>();
    const finalizers = new Map<string, number>();
    for (const r of resources) {
      if (!r.namespaced || !r.verbs.includes('list') || !(r.verbs.includes('deletecollection') || r.verbs.includes('delete'))) continue;
      const qualified = qualifiedResource(r);
      try {
        if (r.verbs.includes('deletecollection')) await this.client.deleteCollection(r, namespace);
        else for (const o of await this.client.list<KubeObject>(r, namespace)) await this.client.delete(r, namespace, o.metadata?.name ?? '').catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));
        const left = await this.client.list<KubeObject>(r, namespace);
        if (left.length > 0) remaining.set(qualified, left.length);
        for (const o of left) for (const f of o.metadata?.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
      } catch (err) {
        deleteErrors.push(`${qualified}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return { discoveryErrors, deleteErrors, remaining, finalizers };
  }

  /** Removes our finalizer through namespaces/<name>/finalize, from a fresh read. */
  private async finalize(name: string): Promise<void> {
    let ns: Namespace;
    try {
      ns = await this.client.get<Namespace>(namespaceResource, '', name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const rest = (ns.spec?.finalizers ?? []).filter((f) => f !== KUBERNETES_FINALIZER);
    if (rest.length === (ns.spec?.finalizers ?? []).length) return;
    const spec = rest.length > 0 ? { ...ns.spec, finalizers: rest } : { ...ns.spec, finalizers: [] };
    try {
      await this.client.updateSubresource<Namespace>(namespaceResource, { ...ns, spec }, 'finalize');
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }

}

export const namespaceControllerDefinition: ControllerDefinition = {
  name: 'namespace-controller',
  aliases: ['namespace'],
  workers: { flag: 'concurrent-namespace-syncs', default: 10 },
  create: (ctx) => new NamespaceController(ctx),
};
