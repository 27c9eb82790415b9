// The ResourceQuota admission plugin: an object created in a namespace with quotas is charged to
// every quota that limits something it uses (and whose scopes select it). The charge is refused
// with upstream's message when it would take a quota past its hard limit ("exceeded quota: q,
// requested: pods=1, used: pods=2, limited: pods=2"), when a cpu/memory quota meets a container
// that states no such request or limit ("failed quota: q: must specify ..."), or when the quota
// controller has not yet counted a resource ("status unknown for quota"). Otherwise the charge is
// written into each quota's status.used with a compare-and-swap before the object is stored, so
// two creates racing for the last unit cannot both get it; the quota controller later recounts.
import { quantityMap } from '../../api/core/v1/resource-helpers.js';
import type { ResourceQuota } from '../../api/core/v1/resourcequota.js';
import { ConflictError, forbidden } from '../../api/errors.js';
import type { ResourceDef } from '../../api/registry.js';
import { Quantity } from '../../api/resource/quantity.js';
import type { KubeObject } from '../../api/registry.js';
import { evaluatorFor, maskUsage, prettyPrint, quotaMatches } from '../../quota/evaluators.js';
import type { ServerContext } from '../handlers/context.js';

/** Lost races with other charges (or the controller) before the create gives up with a Conflict. */
const MAX_ATTEMPTS = 5;

/** Charges a create to the namespace's quotas, or throws the Forbidden upstream's plugin returns. */
export async function admitResourceQuota(ctx: ServerContext, def: ResourceDef, obj: KubeObject): Promise<void> {
  const namespace = obj.metadata?.namespace;
  if (!def.namespaced || namespace === undefined) return;
  const store = ctx.storeByResource('', 'resourcequotas');
  if (store === undefined) return;
  // Most namespaces have no quota: the watch cache says so without a read of etcd.
  const cached = [...store.cache.objects.values()].some((o) => o.metadata?.namespace === namespace);
  if (!cached) return;
  const ev = evaluatorFor(def.group, def.plural);
  const usage = ev.usage(obj, ctx.now().getTime());
  const name = obj.metadata?.name ?? obj.metadata?.generateName ?? '';
  const refuse = (message: string): never => {
    throw forbidden({ group: def.group, resource: def.plural }, name, message);
  };
  // Quotas already charged stay charged when another one's write loses a race (as upstream).
  const charged = new Set<string>();
  for (let attempt = 1; ; attempt++) {
    // A consistent read: the charge must build on the latest usage.
    const quotas = (await store.list(namespace, { filter: () => true, unfiltered: true })).items as ResourceQuota[];
    const charges: { quota: ResourceQuota; used: Map<string, Quantity> }[] = [];
    for (const q of quotas.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))) {
      if (charged.has(q.metadata?.name ?? '')) continue;
      const hard = quantityMap(q.status?.hard);
      const restricted = ev.matchingResources([...hard.keys()]);
      if (restricted.length === 0 || !quotaMatches(q, [...hard.keys()], ev, obj)) continue;
      const constraint = ev.constraints?.(restricted, obj);
      if (constraint !== undefined) refuse(`failed quota: ${q.metadata?.name ?? ''}: ${constraint}`);
      const used = quantityMap(q.status?.used);
      const unknown = restricted.filter((r) => !used.has(r));
      if (unknown.length > 0) refuse(`status unknown for quota: ${q.metadata?.name ?? ''}, resources: ${unknown.sort().join(',')}`);
      const requested = maskUsage(usage, restricted);
      const next = new Map(used);
      const exceeded: string[] = [];
      for (const [r, amount] of requested) {
        const total = (used.get(r) ?? Quantity.zero()).add(amount);
        next.set(r, total);
        if (amount.sign() > 0 && total.cmp(hard.get(r)!) > 0) exceeded.push(r);
      }
      if (exceeded.length > 0) {
        refuse(`exceeded quota: ${q.metadata?.name ?? ''}, requested: ${prettyPrint(maskUsage(requested, exceeded))}, used: ${prettyPrint(maskUsage(used, exceeded))}, limited: ${prettyPrint(maskUsage(hard, exceeded))}`);
      }
      if ([...requested.values()].some((a) => !a.isZero())) charges.push({ quota: q, used: next });
    }
    try {
      for (const { quota, used } of charges) {
        const status = { ...quota.status, used: Object.fromEntries([...used].map(([k, v]) => [k, v.toString()])) };
        await store.update({ ...quota, status } as KubeObject, Number(quota.metadata?.resourceVersion ?? 0));
        charged.add(quota.metadata?.name ?? '');
      }
      return;
    } catch (err) {
      // Another charge or a recount came first: charge again from the new usage.
      if (!(err instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}
