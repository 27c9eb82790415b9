// Recording events.k8s.io/v1 Events about objects, as upstream components do with their event
// recorders. Recording never blocks or fails the caller: events are queued and written in the
// background one at a time, an event that cannot be written is reported to `onError`, and when
// the queue is full new events are dropped (counted) rather than slowing the component down.
// One writer and a queue of 1000 are upstream's choices (its broadcaster's sink writes events in
// order from one goroutine and drops when 1000 are waiting): under a burst, the component's real
// work (bindings, pod creates) keeps the apiserver, and events catch up or are shed afterwards.
// Repeats of the same event within ten minutes are folded into one Event with a series count
// (upstream's EventSeries), so a pod retried every few seconds does not write a new object.
import type { Event as EventV1 } from '../api/events/v1/index.js';
import { realClock, type Clock } from './clock.js';
import type { KubeObject } from './resource.js';
import type { RestClient } from './rest.js';
import { microTime } from './leaderelection/record.js';

export const EVENTS_V1 = { group: 'events.k8s.io', version: 'v1', plural: 'events', namespaced: true } as const;

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  readonly client: RestClient;
  /** reportingController, e.g. "default-scheduler". */
  readonly controller: string;
  /** reportingInstance, e.g. "default-scheduler-<hostname>". */
  readonly instance: string;
  readonly clock?: Clock;
  readonly onError?: (err: unknown, event: EventV1) => void;
}

const SERIES_WINDOW_MS = 10 * 60_000;
const NOTE_MAX = 1024;
const QUEUE_LIMIT = 1000;
const WRITERS = 1;

interface Seen {
  name: string;
  namespace: string;
  first: number;
  count: number;
}

type Regarding = KubeObject & { apiVersion?: string; kind?: string };

interface Pending {
  readonly args: [Regarding, EventType, string, string, string];
  readonly done: () => void;
}

export class EventRecorder {
  private readonly clock: Clock;
  private readonly seen = new Map<string, Seen>();
  private readonly queue: Pending[] = [];
  private writing = 0;
  /** Events dropped because the queue was full. */
  dropped = 0;

  constructor(private readonly opts: EventRecorderOptions) {
    this.clock = opts.clock ?? realClock;
  }

  /**
   * Records that `action` happened to `regarding` because of `reason`. Returns at once; the
   * promise settles when the event was written or given up (callers need not wait for it).
   */
  record(regarding: Regarding, type: EventType, reason: string, action: string, note: string): Promise<void> {
    if (this.queue.length >= QUEUE_LIMIT) {
      this.dropped++;
      return Promise.resolve();
    }
    return new Promise((done) => {
      this.queue.push({ args: [regarding, type, reason, action, note], done });
      this.pump();
    });
  }

  private pump(): void {
    while (this.writing < WRITERS && this.queue.length > 0) {
      const next = this.queue.shift()!;
      this.writing++;
      void this.write(...next.args).finally(() => {
        this.writing--;
        next.done();
        this.pump();
      });
    }
  }

  private async write(regarding: Regarding, type: EventType, reason: string, action: string, note: string): Promise<void> {
    const m = regarding.metadata ?? {};
    const namespace = m.namespace !== undefined && m.namespace !== '' ? m.namespace : 'default';
    const now = this.clock.now();
    const key = [namespace, m.name, m.uid, type, reason, action, note].join('\u0000');
    this.gc(now);
    const seen = this.seen.get(key);
    const prev = seen !== undefined && now - seen.first <= SERIES_WINDOW_MS ? seen : undefined;
    const client = this.opts.client.resource<EventV1>(EVENTS_V1).namespace(namespace);
    const truncated = note.length > NOTE_MAX ? note.slice(0, NOTE_MAX - 3) + '...' : note;
    if (prev !== undefined) {
      prev.count++;
      const patch = { series: { count: prev.count, lastObservedTime: microTime(now) } };
      try {
        await client.patch(prev.name, patch, 'merge');
        return;
      } catch {
        // Gone (expired, deleted): write a new one below.
        this.seen.delete(key);
      }
    }
    const name = `${m.name ?? 'unknown'}.${(BigInt(now) * 1_000_000n).toString(16)}`;
    const event: EventV1 = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name, namespace },
      eventTime: microTime(now),
      reportingController: this.opts.controller,
      reportingInstance: this.opts.instance,
      action,
      reason,
      type,
      note: truncated,
      regarding: {
        ...(regarding.apiVersion !== undefined ? { apiVersion: regarding.apiVersion } : {}),
        ...(regarding.kind !== undefined ? { kind: regarding.kind } : {}),
        ...(m.namespace !== undefined ? { namespace: m.namespace } : {}),
        ...(m.name !== undefined ? { name: m.name } : {}),
        ...(m.uid !== undefined ? { uid: m.uid } : {}),
        ...(m.resourceVersion !== undefined ? { resourceVersion: m.resourceVersion } : {}),
      },
    };
    try {
      await client.create(event);
      this.seen.set(key, { name, namespace, first: now, count: 1 });
    } catch (err) {
      this.opts.onError?.(err, event);
    }
  }

  private gc(now: number): void {
    if (this.seen.size < 4096) return;
    for (const [k, s] of this.seen) if (now - s.first > SERIES_WINDOW_MS) this.seen.delete(k);
  }
}
