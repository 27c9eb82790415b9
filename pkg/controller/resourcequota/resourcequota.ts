// Resource quota controller (upstream's resourcequota-controller): each ResourceQuota's status
// holds its hard limits (copied from spec.hard) and the namespace's usage of each, counted from the
// objects themselves — pods (not finished, selected by the quota's scopes), Services, claims and
// the object counts of any other kind. Admission charges creates as they happen; this recount
// catches up with everything else: a quota created or changed, an object deleted, a pod finished,
// and every --resource-quota-sync-period in case anything was missed.
import { daemonSetResource } from '../../api/apps/v1/daemonset.js';
import { deploymentResource } from '../../api/apps/v1/deployment.js';
import { replicaSetResource } from '../../api/apps/v1/replicaset.js';
import { statefulSetResource } from '../../api/apps/v1/statefulset.js';
import { cronJobResource } from '../../api/batch/v1/cronjob.js';
import { jobResource } from '../../api/batch/v1/job.js';
import { configMapResource } from '../../api/core/v1/configmap.js';
import { secretResource } from '../../api/core/v1/secret.js';
import type { PersistentVolumeClaim } from '../../api/core/v1/persistentvolumeclaim.js';
import { persistentVolumeClaimResource } from '../../api/core/v1/persistentvolumeclaim.js';
import type { Pod } from '../../api/core/v1/pod-types.js';
import { podResource } from '../../api/core/v1/pod.js';
import { addQuantities, type QuantityMap } from '../../api/core/v1/resource-helpers.js';
import type { ResourceQuota } from '../../api/core/v1/resourcequota.js';
import { resourceQuotaResource } from '../../api/core/v1/resourcequota.js';
import type { Service } from '../../api/core/v1/service.js';
import { serviceResource } from '../../api/core/v1/service.js';
import { Quantity, tryParseQuantity } from '../../api/resource/quantity.js';
import type { Lister } from '../../client/informer/lister.js';
import { splitMetaNamespaceKey, unwrapTombstone, type DeepReadonly } from '../../client/informer/store.js';
import { parseGoDurationMs } from '../../api/meta/duration.js';
import { evaluatorFor, kindOfCountName, maskUsage, podCounts, quotaMatches, type Evaluator } from '../../quota/evaluators.js';
import { canonicalJson, isConflict, isNotFound, WorkloadController, type ControllerContext, type ControllerDefinition, type Discovery, type ReconcileResult } from '../framework/index.js';

type QuotaView = DeepReadonly<ResourceQuota>;

export class ResourceQuotaController extends WorkloadController {
  private readonly quotas: Lister<ResourceQuota>;
  private readonly pods: Lister<Pod>;
  private readonly services: Lister<Service>;
  private readonly claims: Lister<PersistentVolumeClaim>;
  private readonly discovery: Discovery;
  private readonly resyncMs: number;

  constructor(ctx: ControllerContext) {
    super(ctx, { queue: 'resourcequota_primary', component: 'resource-quota-controller' });
    this.discovery = ctx.discovery;
    this.resyncMs = parseGoDurationMs(ctx.flag('resource-quota-sync-period'));
    const quotaInformer = ctx.informers.forResource<ResourceQuota>(resourceQuotaResource);
    const podInformer = ctx.informers.forResource<Pod>(podResource);
    const serviceInformer = ctx.informers.forResource<Service>(serviceResource);
    const claimInformer = ctx.informers.forResource<PersistentVolumeClaim>(persistentVolumeClaimResource);
    this.quotas = quotaInformer.lister();
    this.pods = podInformer.lister();
    this.services = serviceInformer.lister();
    this.claims = claimInformer.lister();
    quotaInformer.addEventHandler({
      onAdd: (q) => this.loop.enqueueObject(q),
      // Only a change of what it limits (or a status someone else rewrote) needs a recount.
      onUpdate: (old, q) => (canonicalJson(old.spec) !== canonicalJson(q.spec) || canonicalJson(q.status?.hard) !== canonicalJson(q.spec?.hard) ? this.loop.enqueueObject(q) : undefined),
    });
    const replenish = (obj: { metadata?: { namespace?: string } }): void => {
      for (const q of this.quotas.namespace(obj.metadata?.namespace ?? '').list()) this.loop.enqueueObject(q);
    };
    const now = (): number => this.clock.now();
    podInformer.addEventHandler({
      // A pod stops counting when it finishes or its deletion's grace runs out, and when it is gone.
      onUpdate: (old, p) => (podCounts(old as Pod, now()) && !podCounts(p as Pod, now()) ? replenish(p) : undefined),
      onDelete: (p) => replenish(unwrapTombstone(p)),
    });
    serviceInformer.addEventHandler({
      onUpdate: (old, s) => (old.spec?.type !== s.spec?.type || (old.spec?.ports ?? []).length !== (s.spec?.ports ?? []).length ? replenish(s) : undefined),
      onDelete: (s) => replenish(unwrapTombstone(s)),
    });
    claimInformer.addEventHandler({ onDelete: (c) => replenish(unwrapTombstone(c)) });
    // Object counts of the kinds other controllers already watch (their informers are shared), and
    // ConfigMaps and Secrets: a deletion frees its count at once. Other kinds wait for the resync.
    for (const r of [configMapResource, secretResource, deploymentResource, replicaSetResource, statefulSetResource, daemonSetResource, jobResource, cronJobResource]) {
      ctx.informers.forResource(r).addEventHandler({ onDelete: (o) => replenish(unwrapTombstone(o)) });
    }
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const quota = this.quotas.namespace(namespace).get(name);
    if (quota === undefined) return;
    const hardNames = Object.keys(quota.spec?.hard ?? {});
    const used = await this.usage(quota, namespace, hardNames);
    const status = {
      hard: Object.fromEntries(hardNames.map((n) => [n, tryParseQuantity(quota.spec!.hard![n])?.toString() ?? String(quota.spec!.hard![n])])),
      used: Object.fromEntries([...used].map(([n, q]) => [n, q.toString()])),
    };
    if (canonicalJson(status) !== canonicalJson(quota.status ?? {})) {
      try {
        await this.client.updateStatus<ResourceQuota>(resourceQuotaResource, { ...(structuredClone(quota) as ResourceQuota), status });
      } catch (err) {
        if (isNotFound(err)) return;
        // A charge from admission landed first: count again from the new state.
        if (isConflict(err)) return { requeueAfterMs: 0 };
        throw err;
      }
    }
    return { requeueAfterMs: this.resyncMs };
  }

  /** The namespace's usage of each resource the quota limits (zero for what nothing uses). */
  private async usage(quota: QuotaView, namespace: string, hardNames: readonly string[]): Promise<QuantityMap> {
    const total: QuantityMap = new Map(hardNames.map((n) => [n, Quantity.zero()]));
    const nowMs = this.clock.now();
    const add = (ev: Evaluator, objects: readonly unknown[]): void => {
      const names = ev.matchingResources(hardNames);
      if (names.length === 0) return;
      for (const o of objects) if (quotaMatches(quota as ResourceQuota, hardNames, ev, o)) addQuantities(total, maskUsage(ev.usage(o, nowMs), names));
    };
    add(evaluatorFor('', 'pods'), this.pods.namespace(namespace).list());
    add(evaluatorFor('', 'services'), this.services.namespace(namespace).list());
    add(evaluatorFor('', 'persistentvolumeclaims'), this.claims.namespace(namespace).list());
    // Every other kind is an object count, read from the API when a quota asks for it.
    const others = hardNames.map(kindOfCountName).filter((k): k is { group: string; resource: string } => k !== undefined && !(k.group === '' && ['pods', 'services', 'persistentvolumeclaims'].includes(k.resource)));
    if (others.length > 0) {
      const served = (await this.discovery.preferredResources()).resources;
      for (const k of others) {
        const r = served.find((d) => d.group === k.group && d.plural === k.resource && d.namespaced);
        if (r === undefined) continue;
        add(evaluatorFor(k.group, k.resource), await this.client.list(r, namespace));
      }
    }
    return total;
  }
}

export const resourceQuotaControllerDefinition: ControllerDefinition = {
  name: 'resourcequota-controller',
  aliases: ['resourcequota'],
  workers: { flag: 'concurrent-resource-quota-syncs', default: 5 },
  flags: { 'resource-quota-sync-period': { default: '5m0s', usage: 'The period for syncing quota usage status in the system.' } },
  create: (ctx) => new ResourceQuotaController(ctx),
};
