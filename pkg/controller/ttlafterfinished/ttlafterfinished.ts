// TTL after finished (upstream's ttl-after-finished-controller): a Job that finished (Complete or
// Failed) and sets ttlSecondsAfterFinished is deleted, with its pods (foreground), that many
// seconds after it finished. The TTL is read again from the API before the delete, so a Job whose
// TTL was just raised or removed is kept.
import type { Logger } from 'pino';
import type { Job } from '../../api/batch/v1/job.js';
import { jobResource } from '../../api/batch/v1/job.js';
import type { Clock } from '../../client/clock.js';
import type { Lister } from '../../client/informer/lister.js';
import { splitMetaNamespaceKey, type DeepReadonly } from '../../client/informer/store.js';
import { isConflict, isNotFound, ReconcileLoop, type Controller, type ControllerContext, type ControllerDefinition, type ObjectClient, type ReconcileResult } from '../framework/index.js';

/** When a finished Job with a TTL expires (ms), or undefined when it has none or has not finished. */
export function jobExpiry(job: DeepReadonly<Job>): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null) return undefined;
  const done = job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  if (done === undefined) return undefined;
  const finished = Date.parse(done.lastTransitionTime ?? job.status?.completionTime ?? '');
  return Number.isFinite(finished) ? finished + ttl * 1000 : undefined;
}

export class TtlAfterFinishedController implements Controller {
  private readonly jobs: Lister<Job>;
  private readonly client: ObjectClient;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly loop: ReconcileLoop;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.log = ctx.log;
    const informer = ctx.informers.forResource<Job>(jobResource);
    this.jobs = informer.lister();
    this.loop = new ReconcileLoop({ name: 'ttl-after-finished', reconciler: { reconcile: (key) => this.reconcile(key) }, workers: ctx.workers, clock: ctx.clock, log: ctx.log });
    const onJob = (j: DeepReadonly<Job>): void => {
      if (j.metadata?.deletionTimestamp === undefined && jobExpiry(j) !== undefined) this.loop.enqueueObject(j);
    };
    informer.addEventHandler({ onAdd: onJob, onUpdate: (_o, j) => onJob(j) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.jobs.namespace(namespace).get(name);
    if (cached === undefined || cached.metadata?.deletionTimestamp !== undefined) return;
    const expiry = jobExpiry(cached);
    if (expiry === undefined) return;
    const now = this.clock.now();
    if (expiry > now) return { requeueAfterMs: expiry - now };
    // The cache may be old: only the Job as the API has it now decides.
    let fresh: Job;
    try {
      fresh = await this.client.get<Job>(jobResource, namespace, name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const freshExpiry = jobExpiry(fresh);
    if (freshExpiry === undefined || fresh.metadata?.deletionTimestamp !== undefined) return;
    if (freshExpiry > now) return { requeueAfterMs: freshExpiry - now };
    this.log.info({ job: key }, 'deleting a finished job whose ttlSecondsAfterFinished passed');
    try {
      await this.client.delete(jobResource, namespace, name, { propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata?.uid ?? '' } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}

export const ttlAfterFinishedControllerDefinition: ControllerDefinition = {
  name: 'ttl-after-finished-controller',
  aliases: ['ttl-after-finished'],
  workers: { flag: 'concurrent-ttl-after-finished-syncs', default: 5 },
  create: (ctx) => new TtlAfterFinishedController(ctx),
};
