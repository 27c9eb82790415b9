// The LimitRanger admission plugin: the LimitRanges of a namespace give a new pod's containers
// their default limits and requests (noted in the `kubernetes.io/limit-ranger` annotation), then
// bound what pods, containers and claims may ask for — min, max and the limit/request ratio —
// with upstream's messages ("maximum cpu usage per Container is 1, but limit is 2").
import type { LimitRange, LimitRangeItem } from '../../api/core/v1/limitrange.js';
import type { PersistentVolumeClaim } from '../../api/core/v1/persistentvolumeclaim.js';
import type { Container, Pod } from '../../api/core/v1/pod-types.js';
import { podLimits, podRequests, quantityMap } from '../../api/core/v1/resource-helpers.js';
import { forbidden } from '../../api/errors.js';
import { Quantity, tryParseQuantity } from '../../api/resource/quantity.js';
import type { ResourceDef } from '../../api/registry.js';
import type { KubeObject } from '../../api/registry.js';
import type { ServerContext } from '../handlers/context.js';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

/** math.MaxInt64 / 1000: quantities at most this are compared in milli-units, for precision. */
const MAX_MILLI_VALUE = 9223372036854775n;

type Quantities = ReadonlyMap<string, Quantity>;
type List = Readonly<Record<string, string | number>> | undefined;

/** The LimitRanges of a namespace, from the watch cache (upstream reads its lister too). */
export function limitRangesIn(ctx: ServerContext, namespace: string): LimitRange[] {
  const store = ctx.storeByResource('', 'limitranges');
  if (store === undefined) return [];
  return [...store.cache.objects.values()].filter((o) => o.metadata?.namespace === namespace) as LimitRange[];
}

/** Values compared as upstream does: milli-units when every value fits, else whole units. */
function comparable(req: Quantity | undefined, lim: Quantity | undefined, enforced: Quantity): [bigint, bigint, bigint] {
  const all = [req, lim, enforced].filter((q): q is Quantity => q !== undefined);
  const milli = all.every((q) => q.value() <= MAX_MILLI_VALUE);
  const v = (q: Quantity | undefined): bigint => (q === undefined ? 0n : milli ? q.milliValue() : q.value());
  return [v(req), v(lim), v(enforced)];
}

export function minConstraint(limitType: string, name: string, enforced: Quantity, requests: Quantities, limits: Quantities): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  const [r, l, e] = comparable(req, lim, enforced);
  if (req === undefined) return `minimum ${name} usage per ${limitType} is ${enforced.toString()}.  No request is specified`;
  if (r < e) return `minimum ${name} usage per ${limitType} is ${enforced.toString()}, but request is ${req.toString()}`;
  if (lim !== undefined && l < e) return `minimum ${name} usage per ${limitType} is ${enforced.toString()}, but limit is ${lim.toString()}`;
  return undefined;
}

export function maxConstraint(limitType: string, name: string, enforced: Quantity, requests: Quantities, limits: Quantities): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  const [r, l, e] = comparable(req, lim, enforced);
  if (lim === undefined) return `maximum ${name} usage per ${limitType} is ${enforced.toString()}.  No limit is specified`;
  if (l > e) return `maximum ${name} usage per ${limitType} is ${enforced.toString()}, but limit is ${lim.toString()}`;
  if (req !== undefined && r > e) return `maximum ${name} usage per ${limitType} is ${enforced.toString()}, but request is ${req.toString()}`;
  return undefined;
}

function maxRequestConstraint(limitType: string, name: string, enforced: Quantity, requests: Quantities): string | undefined {
  const req = requests.get(name);
  const [r, , e] = comparable(req, undefined, enforced);
  if (req === undefined) return `maximum ${name} usage per ${limitType} is ${enforced.toString()}.  No request is specified`;
  if (r > e) return `maximum ${name} usage per ${limitType} is ${enforced.toString()}, but request is ${req.toString()}`;
  return undefined;
}

export function ratioConstraint(limitType: string, name: string, enforced: Quantity, requests: Quantities, limits: Quantities): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  const [r, l] = comparable(req, lim, enforced);
  if (req === undefined || r === 0n) return `${name} max limit to request ratio per ${limitType} is ${enforced.toString()}, but no request is specified or request is 0`;
  if (lim === undefined || l === 0n) return `${name} max limit to request ratio per ${limitType} is ${enforced.toString()}, but no limit is specified or limit is 0`;
  const observed = Number(l) / Number(r);
  const inMilli = enforced.value() <= MAX_MILLI_VALUE;
  const max = inMilli ? Number(enforced.milliValue()) : Number(enforced.value());
  if ((inMilli ? observed * 1000 : observed) > max) return `${name} max limit to request ratio per ${limitType} is ${enforced.toString()}, but provided ratio is ${observed.toFixed(6)}`;
  return undefined;
}

const sortedEntries = (list: List): [string, Quantity][] => [...quantityMap(list)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Every min/max/ratio bound of an item over the given requests and limits. */
function checkBounds(item: LimitRangeItem, limitType: string, requests: Quantities, limits: Quantities): string[] {
  const errs: string[] = [];
  const add = (e: string | undefined): void => void (e !== undefined && errs.push(e));
  for (const [k, v] of sortedEntries(item.min)) add(minConstraint(limitType, k, v, requests, limits));
  for (const [k, v] of sortedEntries(item.max)) add(maxConstraint(limitType, k, v, requests, limits));
  for (const [k, v] of sortedEntries(item.maxLimitRequestRatio)) add(ratioConstraint(limitType, k, v, requests, limits));
  return errs;
}

/** Fills each container's missing limits and requests from the Container items' defaults; returns the annotation's parts. */
function applyDefaults(containers: Container[] | undefined, kind: string, defaults: { limits: Record<string, string>; requests: Record<string, string> }): string[] {
  const notes: string[] = [];
  for (const c of containers ?? []) {
    const res = (c.resources ??= {});
    const setLimits: string[] = [];
    const setRequests: string[] = [];
    for (const [k, v] of Object.entries(defaults.limits)) {
      if ((res.limits as Record<string, unknown> | undefined)?.[k] !== undefined) continue;
      res.limits = { ...res.limits, [k]: v };
      setLimits.push(k);
    }
    for (const [k, v] of Object.entries(defaults.requests)) {
      if ((res.requests as Record<string, unknown> | undefined)?.[k] !== undefined) continue;
      res.requests = { ...res.requests, [k]: v };
      setRequests.push(k);
    }
    if (setRequests.length > 0) notes.push(`${setRequests.sort().join(', ')} request for ${kind} ${c.name}`);
    if (setLimits.length > 0) notes.push(`${setLimits.sort().join(', ')} limit for ${kind} ${c.name}`);
  }
  return notes;
}

const text = (v: string | number): string => tryParseQuantity(v)?.toString() ?? String(v);

/** The mutating half, for a pod being created: container defaults from each LimitRange in turn. */
export function defaultPodResources(pod: Pod, ranges: readonly LimitRange[]): void {
  const notes: string[] = [];
  for (const lr of ranges) {
    const defaults = { limits: {} as Record<string, string>, requests: {} as Record<string, string> };
    for (const item of lr.spec?.limits ?? []) {
      if (item.type !== 'Container') continue;
      for (const [k, v] of Object.entries(item.default ?? {})) defaults.limits[k] = text(v);
      for (const [k, v] of Object.entries(item.defaultRequest ?? {})) defaults.requests[k] = text(v);
    }
    notes.push(...applyDefaults(pod.spec?.containers, 'container', defaults), ...applyDefaults(pod.spec?.initContainers, 'init container', defaults));
  }
  if (notes.length > 0) (pod.metadata ??= {}).annotations = { ...pod.metadata?.annotations, [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` };
}

/** The validating half: every Container, Pod and PersistentVolumeClaim bound that the object breaks. */
export function limitViolations(def: Pick<ResourceDef, 'group' | 'kind'>, obj: KubeObject, ranges: readonly LimitRange[]): string[] {
  const errs: string[] = [];
  for (const lr of ranges) {
    for (const item of lr.spec?.limits ?? []) {
      if (def.group === '' && def.kind === 'Pod') {
        const pod = obj as Pod;
        if (item.type === 'Container') {
          for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
            errs.push(...checkBounds(item, 'Container', quantityMap(c.resources?.requests as List), quantityMap(c.resources?.limits as List)));
          }
        } else if (item.type === 'Pod') {
          errs.push(...checkBounds(item, 'Pod', podRequests(pod.spec), podLimits(pod.spec)));
        }
      } else if (def.group === '' && def.kind === 'PersistentVolumeClaim' && item.type === 'PersistentVolumeClaim') {
        const requests = quantityMap((obj as PersistentVolumeClaim).spec?.resources?.requests as List);
        for (const [k, v] of sortedEntries(item.min)) {
          const e = minConstraint('PersistentVolumeClaim', k, v, requests, new Map());
          if (e !== undefined) errs.push(e);
        }
        for (const [k, v] of sortedEntries(item.max)) {
          const e = maxRequestConstraint('PersistentVolumeClaim', k, v, requests);
          if (e !== undefined) errs.push(e);
        }
      }
    }
  }
  return errs;
}

/** LimitRanger on a create: pods get their defaults, then pods and claims are checked against the bounds. */
export function admitLimitRanges(ctx: ServerContext, def: ResourceDef, obj: KubeObject): void {
  const isPod = def.group === '' && def.kind === 'Pod';
  if (!isPod && !(def.group === '' && def.kind === 'PersistentVolumeClaim')) return;
  const ranges = limitRangesIn(ctx, obj.metadata?.namespace ?? '');
  if (ranges.length === 0) return;
  if (isPod) defaultPodResources(obj as Pod, ranges);
  const errs = limitViolations(def, obj, ranges);
  if (errs.length === 0) return;
  const name = obj.metadata?.name ?? obj.metadata?.generateName ?? '';
  // An aggregate of one error is that error; of several, "[a, b]" (upstream's utilerrors.NewAggregate).
  throw forbidden({ group: def.group, resource: def.plural }, name, errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]`);
}
