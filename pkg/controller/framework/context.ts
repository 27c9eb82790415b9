// What the controller-manager hands each controller, and how a controller declares itself:
// its upstream name (for --controllers), its workers flag, and a constructor that asks for its
// informers. Controllers never reach for globals: client, informers, events, clock and logger
// all come from here, so tests pass fakes.
import type { Logger } from 'pino';
import type { Clock } from '../../client/clock.js';
import type { EventType } from '../../client/events.js';
import type { SharedInformerFactory } from '../../client/informer/factory.js';
import type { KubeObject } from '../../client/resource.js';
import type { DeepReadonly } from '../../client/informer/store.js';
import type { ObjectClient } from './client.js';
import type { Discovery } from './discovery.js';

/** Records an Event about an object (the EventRecorder in a process, a recording fake in tests). */
export interface EventSink {
  record(regarding: DeepReadonly<KubeObject> & { apiVersion?: string; kind?: string }, type: EventType, reason: string, action: string, note: string): unknown;
}

export interface ControllerContext {
  readonly client: ObjectClient;
  readonly informers: SharedInformerFactory;
  /** What the API serves, for controllers that act on every resource (namespace, garbage collector). */
  readonly discovery: Discovery;
  /** The event sink reporting as `component` (e.g. "replicaset-controller"). */
  readonly events: (component: string) => EventSink;
  readonly clock: Clock;
  readonly log: Logger;
  /** Workers from the controller's --concurrent-*-syncs flag (its default when not given). */
  readonly workers: number;
  /**
   * The value of one of the controller's own flags (declared in its definition's `flags`), as
   * given on the command line or its default; e.g. flag('node-monitor-grace-period') → "40s".
   */
  readonly flag: (name: string) => string;
}

export interface ControllerFlag {
  /** Upstream's default, as text ("40s", "12500", "0.1"). */
  readonly default: string;
  readonly usage: string;
}

export interface Controller {
  /** Runs until `signal` aborts (the manager starts it once leading and informers synced). */
  run(signal: AbortSignal): Promise<void>;
}

export interface ControllerDefinition {
  /** Upstream's name for --controllers, e.g. "replicaset-controller". */
  readonly name: string;
  /** Older names upstream still accepts, e.g. "replicaset". */
  readonly aliases: readonly string[];
  /** --concurrent-*-syncs flag and its upstream default. */
  readonly workers?: { readonly flag: string; readonly default: number };
  readonly disabledByDefault?: boolean;
  /** Flags of this controller beyond workers, by upstream name without dashes ("node-monitor-period"). */
  readonly flags?: Readonly<Record<string, ControllerFlag>>;
  /** Requests the informers it needs (before the factory starts) and builds the controller. */
  create(ctx: ControllerContext): Controller;
}
