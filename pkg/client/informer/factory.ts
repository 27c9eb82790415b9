// One informer per resource and scope per process: every controller asking for pods gets the
// same informer, so a process holds one watch and one cache per resource.
import type { Clock } from '../clock.js';
import type { RestClient } from '../rest.js';
import { selectorString, type KubeObject, type ResourceDescriptor, type Selector } from '../resource.js';
import { listWatcherFor, type ListWatcher, type ListWatchScope } from './list-watch.js';
import type { InformerLogger, ReflectorOptions } from './reflector.js';
import { SharedIndexInformer } from './shared-informer.js';
import type { Indexers } from './store.js';

export interface InformerRequest<T> {
  /** Only this namespace; default: the factory's namespace, else all namespaces. */
  readonly namespace?: string;
  readonly labelSelector?: Selector;
  readonly fieldSelector?: Selector;
  /** Added to the informer (also when it already exists). */
  readonly indexers?: Indexers<T>;
}

export interface SharedInformerFactoryOptions {
  /** Resync period for handlers that give none. Default 0 (no resync). */
  readonly defaultResyncPeriodMs?: number;
  /** Restricts every informer to one namespace. */
  readonly namespace?: string;
  readonly clock?: Clock;
  readonly logger?: InformerLogger;
  /** Backoff, page size and watch timeout of the reflectors. */
  readonly reflector?: Omit<ReflectorOptions, 'clock' | 'logger' | 'name'>;
  /** Where informers list and watch; default: the RestClient. Tests pass fakes here. */
  readonly listWatcher?: (d: ResourceDescriptor, scope: ListWatchScope) => ListWatcher<KubeObject>;
}

export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedIndexInformer<KubeObject>>();
  private readonly runs = new Map<string, Promise<void>>();

  constructor(
    private readonly rest: RestClient | undefined,
    private readonly opts: SharedInformerFactoryOptions = {},
  ) {
    if (rest === undefined && opts.listWatcher === undefined) throw new Error('SharedInformerFactory needs a RestClient or a listWatcher option');
  }

  /** The informer for this resource and scope, created on first request. */
  forResource<T extends KubeObject>(d: ResourceDescriptor, req: InformerRequest<T> = {}): SharedIndexInformer<T> {
    const namespace = d.namespaced ? (req.namespace ?? this.opts.namespace ?? '') : '';
    const scope: ListWatchScope = { namespace, labelSelector: req.labelSelector, fieldSelector: req.fieldSelector };
    const key = informerKey(d, scope);
    let inf = this.informers.get(key) as SharedIndexInformer<T> | undefined;
    if (inf === undefined) {
      const lw = this.opts.listWatcher !== undefined ? (this.opts.listWatcher(d, scope) as ListWatcher<T>) : listWatcherFor<T>(this.rest!.resource<T>(d), scope);
      inf = new SharedIndexInformer<T>(lw, {
        ...this.opts.reflector,
        name: key,
        clock: this.opts.clock,
        logger: this.opts.logger,
        defaultResyncPeriodMs: this.opts.defaultResyncPeriodMs,
      });
      this.informers.set(key, inf as unknown as SharedIndexInformer<KubeObject>);
    }
    if (req.indexers !== undefined) inf.addIndexers(req.indexers);
    return inf;
  }

  /** Starts every informer not yet started; call again after requesting more informers. */
  start(signal: AbortSignal): void {
    for (const [key, inf] of this.informers) {
      if (this.runs.has(key)) continue;
      this.runs.set(key, inf.run(signal));
    }
  }

  /**
   * Waits (at most `timeoutMs`) until every started informer has caught up with a fresh read of
   * the API; returns the names of those that did not.
   */
  async waitUntilFresh(signal: AbortSignal, timeoutMs: number): Promise<string[]> {
    const started = [...this.informers.entries()].filter(([k]) => this.runs.has(k));
    const results = await Promise.all(started.map(async ([k, inf]) => ((await inf.waitUntilFresh(signal, timeoutMs)) ? undefined : k)));
    return results.filter((k): k is string => k !== undefined);
  }

  /** True when every started informer has synced (for readiness checks). */
  hasSynced(): boolean {
    return [...this.informers.entries()].every(([k, inf]) => !this.runs.has(k) || inf.hasSynced());
  }

  /** Resolves true once every started informer synced, false if `signal` aborts first. */
  async waitForCacheSync(signal: AbortSignal): Promise<boolean> {
    const started = [...this.informers.entries()].filter(([k]) => this.runs.has(k)).map(([, inf]) => inf);
    const results = await Promise.all(started.map((inf) => inf.waitForCacheSync(signal)));
    return results.every((ok) => ok);
  }

  /** Settles once every started informer has stopped (after the start signal aborted). */
  async stopped(): Promise<void> {
    await Promise.all(this.runs.values());
  }
}

/** The identity of an informer: resource plus scope. */
export function informerKey(d: ResourceDescriptor, scope: ListWatchScope): string {
  const gvr = d.group === '' ? `${d.plural}.${d.version}` : `${d.plural}.${d.version}.${d.group}`;
  const parts = [gvr];
  if (scope.namespace !== undefined && scope.namespace !== '') parts.push(`namespace=${scope.namespace}`);
  const l = selectorString(scope.labelSelector);
  if (l !== undefined && l !== '') parts.push(`labels=${l}`);
  const f = selectorString(scope.fieldSelector);
  if (f !== undefined && f !== '') parts.push(`fields=${f}`);
  return parts.join(' ');
}
