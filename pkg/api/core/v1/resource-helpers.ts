// A pod's requests and limits as exact quantities (upstream's component-helpers resource.PodRequests
// and PodLimits): the app containers and sidecars summed, each plain init container's peak (with
// the sidecars started before it) taken when larger, plus the pod overhead. Quota and LimitRange
// need the quantities themselves, not the scheduler's numeric units.
import { Quantity, tryParseQuantity } from '../../resource/quantity.js';
import type { PodSpec } from './pod-types.js';

export type QuantityMap = Map<string, Quantity>;

type List = Readonly<Record<string, string | number>> | undefined;

/** A ResourceList as quantities (values that do not parse are left out: validation reports them). */
export function quantityMap(list: List): QuantityMap {
  const m: QuantityMap = new Map();
  for (const [k, v] of Object.entries(list ?? {})) {
    const q = tryParseQuantity(v);
    if (q !== undefined) m.set(k, q);
  }
  return m;
}

/** Adds `b` into `a`. */
export function addQuantities(a: QuantityMap, b: ReadonlyMap<string, Quantity>): QuantityMap {
  for (const [k, v] of b) a.set(k, (a.get(k) ?? Quantity.zero()).add(v));
  return a;
}

function maxInto(a: QuantityMap, b: ReadonlyMap<string, Quantity>): void {
  for (const [k, v] of b) {
    const cur = a.get(k);
    if (cur === undefined || v.cmp(cur) > 0) a.set(k, v);
  }
}

function aggregate(spec: PodSpec | undefined, pick: (r: { requests?: List; limits?: List } | undefined) => List): QuantityMap {
  const total: QuantityMap = new Map();
  for (const c of spec?.containers ?? []) addQuantities(total, quantityMap(pick(c.resources)));
  const sidecars: QuantityMap = new Map();
  const initPeak: QuantityMap = new Map();
  for (const c of spec?.initContainers ?? []) {
    const own = quantityMap(pick(c.resources));
    if (c.restartPolicy === 'Always') {
      addQuantities(total, own);
      addQuantities(sidecars, own);
      maxInto(initPeak, sidecars);
    } else {
      maxInto(initPeak, addQuantities(new Map(own), sidecars));
    }
  }
  maxInto(total, initPeak);
  return total;
}

/** The pod's effective requests by resource name, overhead included. */
export function podRequests(spec: PodSpec | undefined): QuantityMap {
  const total = aggregate(spec, (r) => r?.requests);
  return addQuantities(total, quantityMap(spec?.overhead as List));
}

/** The pod's effective limits by resource name (overhead added only where a limit is set, as upstream). */
export function podLimits(spec: PodSpec | undefined): QuantityMap {
  const total = aggregate(spec, (r) => r?.limits);
  for (const [k, v] of quantityMap(spec?.overhead as List)) {
    const cur = total.get(k);
    if (cur !== undefined) total.set(k, cur.add(v));
  }
  return total;
}
