// ServiceAccount controller: every active namespace has the ServiceAccounts it should (upstream:
// just "default"). Reconciles per namespace; recreates "default" when someone deletes it.
import type { Namespace } from '../../api/core/v1/namespace.js';
import { namespaceResource } from '../../api/core/v1/namespace.js';
import type { ServiceAccount } from '../../api/core/v1/serviceaccount.js';
import { serviceAccountResource } from '../../api/core/v1/serviceaccount.js';
import type { Lister } from '../../client/informer/lister.js';
import { unwrapTombstone } from '../../client/informer/store.js';
import { isAlreadyExists, isNamespaceTerminating, isNotFound, ReconcileLoop, type Controller, type ControllerContext, type ControllerDefinition, type ObjectClient, type Reconciler } from '../framework/index.js';

export const MANAGED_SERVICE_ACCOUNTS = ['default'] as const;

export class ServiceAccountController implements Controller, Reconciler {
  private readonly loop: ReconcileLoop;
  private readonly namespaces: Lister<Namespace>;
  private readonly accounts: Lister<ServiceAccount>;
  private readonly client: ObjectClient;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.loop = new ReconcileLoop({ name: 'serviceaccount', reconciler: this, workers: ctx.workers, clock: ctx.clock, log: ctx.log });
    const nsInformer = ctx.informers.forResource<Namespace>(namespaceResource);
    const saInformer = ctx.informers.forResource<ServiceAccount>(serviceAccountResource);
    this.namespaces = nsInformer.lister();
    this.accounts = saInformer.lister();
    nsInformer.addEventHandler({
      onAdd: (ns) => this.loop.enqueue(ns.metadata?.name ?? ''),
      onUpdate: (_old, ns) => this.loop.enqueue(ns.metadata?.name ?? ''),
    });
    saInformer.addEventHandler({
      onDelete: (sa) => {
        const o = unwrapTombstone(sa);
        if ((MANAGED_SERVICE_ACCOUNTS as readonly string[]).includes(o.metadata?.name ?? '')) this.loop.enqueue(o.metadata?.namespace ?? '');
      },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal);
  }

  async reconcile(namespace: string): Promise<void> {
    const ns = this.namespaces.get(namespace);
    if (ns === undefined || ns.status?.phase !== 'Active' || ns.metadata?.deletionTimestamp !== undefined) return;
    for (const name of MANAGED_SERVICE_ACCOUNTS) {
      if (this.accounts.namespace(namespace).get(name) !== undefined) continue;
      try {
        await this.client.create<ServiceAccount>(serviceAccountResource, namespace, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
      } catch (err) {
        // Made meanwhile by someone else, or the namespace is going away: nothing to do.
        if (isAlreadyExists(err) || isNamespaceTerminating(err) || isNotFound(err)) continue;
        throw err;
      }
    }
  }
}

export const serviceAccountControllerDefinition: ControllerDefinition = {
  name: 'serviceaccount-controller',
  aliases: ['serviceaccount'],
  create: (ctx) => new ServiceAccountController(ctx),
};
