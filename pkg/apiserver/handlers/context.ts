// What every handler needs: the registry, one store per resource, the caches and helpers.
import type { Logger } from 'pino';
import type { KubeObject, Registry, ResourceDef } from '../../api/registry.js';
import type { EtcdStore } from '../storage/etcd.js';
import type { WatchCacheSet } from '../watchcache.js';
import type { ResourceStore } from '../registry/store.js';
import type { ServiceAllocator } from '../allocators.js';
import { parseLabelSelector } from '../../api/selectors/labels.js';
import { parseFieldSelector } from '../../api/selectors/fields.js';
import { badRequest } from '../../api/errors.js';
import type { ObjectFilter } from '../watchcache.js';

export interface ServerContext {
  readonly registry: Registry;
  readonly etcd: EtcdStore;
  readonly caches: WatchCacheSet;
  readonly allocator: ServiceAllocator;
  readonly log: Logger;
  readonly now: () => Date;
  readonly bookmarkIntervalMs: number;
  store(def: ResourceDef): ResourceStore;
  storeByResource(group: string, plural: string): ResourceStore | undefined;
}

/** Reads a dotted field path ("spec.nodeName") as the string a field selector compares with. */
function fieldValue(obj: KubeObject, path: string): string | undefined {
  let cur: unknown = obj;
  for (const seg of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

/** Builds the object filter of a list or watch from its label and field selectors. */
export function selectorFilter(def: ResourceDef, labelSelector: string | null, fieldSelector: string | null): { filter: ObjectFilter; unfiltered: boolean } {
  let labels: ReturnType<typeof parseLabelSelector> | undefined;
  let fields: ReturnType<typeof parseFieldSelector> | undefined;
  try {
    if (labelSelector) labels = parseLabelSelector(labelSelector);
  } catch (err) {
    throw badRequest(`unable to parse requirement: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    if (fieldSelector) fields = parseFieldSelector(fieldSelector);
  } catch (err) {
    throw badRequest(err instanceof Error ? err.message : String(err));
  }
  const extra = def.fieldSelectors ?? {};
  if (fields) {
    for (const r of fields.requirements()) {
      if (r.field !== 'metadata.name' && r.field !== 'metadata.namespace' && !(r.field in extra)) {
        throw badRequest(`field label not supported: ${r.field}`);
      }
    }
  }
  const getter = (obj: KubeObject) => (field: string): string | undefined => {
    if (field === 'metadata.name') return obj.metadata?.name ?? '';
    if (field === 'metadata.namespace') return obj.metadata?.namespace ?? '';
    const f = extra[field];
    return f ? (f(obj) ?? '') : fieldValue(obj, field);
  };
  const lbl = labels && !labels.isEmpty() ? labels : undefined;
  const fld = fields && !fields.isEmpty() ? fields : undefined;
  if (!lbl && !fld) return { filter: () => true, unfiltered: true };
  return {
    filter: (obj) => (!lbl || lbl.matches(obj.metadata?.labels ?? {})) && (!fld || fld.matches(getter(obj))),
    unfiltered: false,
  };
}
