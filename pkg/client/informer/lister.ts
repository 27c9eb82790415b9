// Listers: typed reads of an informer's cache by label selector, name and namespace. Results
// are the cache's own frozen objects; structuredClone before changing one.
import { everythingSelector, parseLabelSelector, selectorFromSet, type Selector as LabelSelector } from '../../api/selectors/labels.js';
import type { KubeObject } from '../resource.js';
import { NAMESPACE_INDEX, type DeepReadonly, type Store } from './store.js';

/** A parsed selector, selector text ("app=web,tier in (a,b)"), or a map of required labels. */
export type ListerSelector = LabelSelector | string | Readonly<Record<string, string>>;

function toSelector(s: ListerSelector | undefined): LabelSelector {
  if (s === undefined) return everythingSelector();
  if (typeof s === 'string') return parseLabelSelector(s);
  if (isParsed(s)) return s;
  return selectorFromSet(s);
}

function isParsed(s: LabelSelector | Readonly<Record<string, string>>): s is LabelSelector {
  return typeof (s as { matches?: unknown }).matches === 'function';
}

function select<T extends KubeObject>(objs: DeepReadonly<T>[], selector: ListerSelector | undefined): DeepReadonly<T>[] {
  const sel = toSelector(selector);
  if (sel.isEmpty()) return objs;
  return objs.filter((o) => sel.matches(o.metadata?.labels));
}

export class Lister<T extends KubeObject> {
  constructor(private readonly store: Store<T>) {}

  /** Every cached object matching the selector (all when absent). Throws SelectorParseError for bad text. */
  list(selector?: ListerSelector): DeepReadonly<T>[] {
    return select(this.store.list(), selector);
  }

  /**
   * The object with this cache key: its name for cluster-scoped types, "namespace/name" for
   * namespaced ones (or use namespace(ns).get(name)).
   */
  get(key: string): DeepReadonly<T> | undefined {
    return this.store.get(key);
  }

  namespace(ns: string): NamespaceLister<T> {
    return new NamespaceLister<T>(this.store, ns);
  }
}

export class NamespaceLister<T extends KubeObject> {
  constructor(
    private readonly store: Store<T>,
    readonly namespaceName: string,
  ) {}

  list(selector?: ListerSelector): DeepReadonly<T>[] {
    const inNamespace = this.store.hasIndex(NAMESPACE_INDEX)
      ? this.store.byIndex(NAMESPACE_INDEX, this.namespaceName)
      : this.store.list().filter((o) => (o.metadata?.namespace ?? '') === this.namespaceName);
    return select(inNamespace, selector);
  }

  get(name: string): DeepReadonly<T> | undefined {
    return this.store.get(`${this.namespaceName}/${name}`);
  }
}
