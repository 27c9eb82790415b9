// Resource accounting as kube-scheduler does it: cpu in millicores, everything else in units,
// pod requests = max(sum of app containers + sidecars, any init container's peak) + overhead.
import type { Pod } from '../../api/core/v1/index.js';
import { tryParseQuantity } from '../../api/resource/quantity.js';

/** Defaults used for scoring only, for containers that request no cpu / memory (upstream values). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export const RESOURCE_CPU = 'cpu';
export const RESOURCE_MEMORY = 'memory';
export const RESOURCE_EPHEMERAL_STORAGE = 'ephemeral-storage';
export const RESOURCE_PODS = 'pods';

export class Resource {
  milliCPU = 0;
  memory = 0;
  ephemeralStorage = 0;
  /** Extended resources, hugepages and the like, by name. */
  scalar: Map<string, number> | undefined;

  get(name: string): number {
    switch (name) {
      case RESOURCE_CPU:
        return this.milliCPU;
      case RESOURCE_MEMORY:
        return this.memory;
      case RESOURCE_EPHEMERAL_STORAGE:
        return this.ephemeralStorage;
      default:
        return this.scalar?.get(name) ?? 0;
    }
  }

  set(name: string, v: number): void {
    switch (name) {
      case RESOURCE_CPU:
        this.milliCPU = v;
        return;
      case RESOURCE_MEMORY:
        this.memory = v;
        return;
      case RESOURCE_EPHEMERAL_STORAGE:
        this.ephemeralStorage = v;
        return;
      default:
        (this.scalar ??= new Map()).set(name, v);
    }
  }

  /** Adds (sign 1) or subtracts (sign -1) another resource. */
  addScaled(o: Resource, sign: 1 | -1): void {
    this.milliCPU += sign * o.milliCPU;
    this.memory += sign * o.memory;
    this.ephemeralStorage += sign * o.ephemeralStorage;
    if (o.scalar) for (const [k, v] of o.scalar) this.set(k, this.get(k) + sign * v);
  }

  clone(): Resource {
    const r = new Resource();
    r.milliCPU = this.milliCPU;
    r.memory = this.memory;
    r.ephemeralStorage = this.ephemeralStorage;
    if (this.scalar) r.scalar = new Map(this.scalar);
    return r;
  }

  isZero(): boolean {
    if (this.milliCPU !== 0 || this.memory !== 0 || this.ephemeralStorage !== 0) return false;
    if (this.scalar) for (const v of this.scalar.values()) if (v !== 0) return false;
    return true;
  }
}

type ResourceList = Readonly<Record<string, string | number>> | undefined;

/** A quantity in the scheduler's unit: millicores for cpu, rounded-up units otherwise. */
export function quantityValue(name: string, q: string | number): number {
  const parsed = tryParseQuantity(q);
  if (!parsed) return 0;
  return Number(name === RESOURCE_CPU ? parsed.milliValue() : parsed.value());
}

/** A ResourceList as a Resource; "pods" is not a request and is skipped. */
export function resourceFromList(list: ResourceList): Resource {
  const r = new Resource();
  if (list) for (const name of Object.keys(list)) if (name !== RESOURCE_PODS) r.set(name, quantityValue(name, list[name]!));
  return r;
}

function addList(into: Map<string, number>, list: ReadonlyMap<string, number>): void {
  for (const [k, v] of list) into.set(k, (into.get(k) ?? 0) + v);
}
function maxList(into: Map<string, number>, list: ReadonlyMap<string, number>): void {
  for (const [k, v] of list) {
    const cur = into.get(k);
    if (cur === undefined || v > cur) into.set(k, v);
  }
}

function containerRequests(list: ResourceList, nonMissing: boolean): Map<string, number> {
  const m = new Map<string, number>();
  if (list) for (const name of Object.keys(list)) m.set(name, quantityValue(name, list[name]!));
  if (nonMissing) {
    if (!m.has(RESOURCE_CPU)) m.set(RESOURCE_CPU, DEFAULT_MILLI_CPU_REQUEST);
    if (!m.has(RESOURCE_MEMORY)) m.set(RESOURCE_MEMORY, DEFAULT_MEMORY_REQUEST);
  }
  return m;
}

/**
 * The pod's effective requests by resource name. With nonMissing, containers that leave cpu or
 * memory out count the scoring defaults (100m, 200Mi) instead (an explicit 0 stays 0).
 */
export function podRequestList(pod: Pod, nonMissing = false): Map<string, number> {
  const spec = pod.spec;
  const reqs = new Map<string, number>();
  for (const c of spec?.containers ?? []) addList(reqs, containerRequests(c.resources?.requests, nonMissing));
  // A sidecar (restartPolicy Always) keeps running, so it adds to the steady state and to every
  // later init container's peak; a plain init container only needs room while it runs.
  const sidecars = new Map<string, number>();
  const initPeak = new Map<string, number>();
  for (const c of spec?.initContainers ?? []) {
    const r = containerRequests(c.resources?.requests, nonMissing);
    let use: Map<string, number>;
    if (c.restartPolicy === 'Always') {
      addList(reqs, r);
      addList(sidecars, r);
      use = sidecars;
    } else {
      use = new Map(r);
      addList(use, sidecars);
    }
    maxList(initPeak, use);
  }
  maxList(reqs, initPeak);
  if (spec?.overhead) {
    const o = spec.overhead as Readonly<Record<string, string | number>>;
    for (const name of Object.keys(o)) reqs.set(name, (reqs.get(name) ?? 0) + quantityValue(name, o[name]!));
  }
  return reqs;
}

export interface PodResources {
  readonly requests: Resource;
  /** cpu (millicores) and memory with the scoring defaults applied. */
  readonly nonZeroMilliCPU: number;
  readonly nonZeroMemory: number;
}

export function computePodResources(pod: Pod): PodResources {
  const requests = new Resource();
  for (const [k, v] of podRequestList(pod)) if (k !== RESOURCE_PODS) requests.set(k, v);
  const nz = podRequestList(pod, true);
  return { requests, nonZeroMilliCPU: nz.get(RESOURCE_CPU) ?? 0, nonZeroMemory: nz.get(RESOURCE_MEMORY) ?? 0 };
}
