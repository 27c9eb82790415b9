// What every workload controller holds: its client, event sink, clock and logger from the
// controller context, and one reconcile loop that calls its reconcile(key).
import type { Logger } from 'pino';
import type { Clock } from '../../client/clock.js';
import type { ObjectClient } from './client.js';
import type { Controller, ControllerContext, EventSink } from './context.js';
import { ReconcileLoop, type Reconciler, type ReconcileResult } from './loop.js';

export abstract class WorkloadController implements Controller, Reconciler {
  readonly loop: ReconcileLoop;
  protected readonly client: ObjectClient;
  protected readonly events: EventSink;
  protected readonly clock: Clock;
  protected readonly log: Logger;

  /** `queue` names the work queue (upstream's queue name); `component` is the Events' reporting component. */
  protected constructor(ctx: ControllerContext, names: { readonly queue: string; readonly component: string }) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.log = ctx.log;
    this.events = ctx.events(names.component);
    this.loop = new ReconcileLoop({ name: names.queue, reconciler: this, workers: ctx.workers, clock: ctx.clock, log: ctx.log });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal);
  }

  abstract reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | void>;
}
