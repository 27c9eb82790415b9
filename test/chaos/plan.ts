// Fault plans: what to break, how and when. A plan comes from a seed (so a run can be replayed)
// or from a JSON file; either way it is plain data, checked here before anything is broken.
import { seededRandom } from '../helpers/random.js';

/** Faults a generated plan picks from. */
export const FAULT_KINDS = ['kill', 'term', 'freeze', 'restart', 'netcut'] as const;
/**
 * A node taken away for good (its container removed), in explicit plans only: nothing brings it
 * back, so it ends a run's story for that node.
 */
export const REMOVE = 'remove';
export type FaultKind = (typeof FAULT_KINDS)[number] | typeof REMOVE;

/** The apiserver the workload's client last talked to, resolved when the fault is injected. */
export const CURRENT_APISERVER = 'current-apiserver';

/** The scheduler replica holding the kube-scheduler Lease, resolved when the fault is injected. */
export const SCHEDULER_LEADER = 'scheduler-leader';

/** The controller-manager replica holding the kube-controller-manager Lease, resolved likewise. */
export const CONTROLLER_MANAGER_LEADER = 'controller-manager-leader';

export interface FaultStep {
  /** When to inject, in ms after the workload started (later if the previous fault has not healed). */
  readonly atMs: number;
  /** "etcd-N", "apiserver-N", "current-apiserver", a leader, or "node-N" (its kubelet). */
  readonly target: string;
  readonly fault: FaultKind;
  /** How long a freeze (SIGSTOP to SIGCONT, or docker pause to unpause) or a network cut lasts; ignored by the other faults. */
  readonly durationMs?: number;
}

export interface Topology {
  readonly etcdMembers: number;
  readonly apiservers: number;
  /** Leader-elected scheduler replicas (none when absent). */
  readonly schedulers?: number;
  /** Leader-elected controller-manager replicas (none when absent). */
  readonly controllerManagers?: number;
  /** Kubelets, node-1 ... node-N, each with a runtime process of its own (none when absent). */
  readonly nodes?: number;
  /** Each node's runtime (node-N-runtime) is a target too: a real containerd, whose containers outlive it. */
  readonly nodeRuntimes?: boolean;
}

export { seededRandom };


/** An independent stream for one consumer (a worker, the planner), so adding one doesn't shift the others. */
export function deriveSeed(seed: number, stream: string): number {
  // FNV-1a over the stream name, mixed with the seed.
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < stream.length; i++) {
    h ^= stream.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[Math.min(items.length - 1, Math.floor(random() * items.length))] as T;
}

export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.min(max - min, Math.floor(random() * (max - min + 1)));
}

export interface PlanOptions {
  readonly seed: number;
  readonly durationMs: number;
  /** Number of faults, spread evenly over the run; exclusive with intervalMs. */
  readonly faults?: number;
  /** One fault every intervalMs; used when faults is not given. */
  readonly intervalMs?: number;
  readonly topology: Topology;
  /** The faults to choose from (what the target can inject); all kinds by default. */
  readonly faultKinds?: readonly FaultKind[];
  /** Quiet time at the start, so the workload has written something before the first fault. */
  readonly warmupMs?: number;
  /** Quiet time at the end, so the last fault heals before the run stops. */
  readonly cooldownMs?: number;
}

export const DEFAULT_INTERVAL_MS = 15_000;
const DEFAULT_WARMUP_MS = 5_000;
const DEFAULT_COOLDOWN_MS = 10_000;
const FREEZE_MIN_MS = 2_000;
const FREEZE_MAX_MS = 8_000;
const NODE_FAULT_SHARE = 0.2;

/** Target names a plan may use for a topology. */
export function validTargets(t: Topology): string[] {
  const out: string[] = [];
  for (let i = 0; i < t.etcdMembers; i++) out.push(t.etcdMembers === 1 ? 'etcd' : `etcd-${i}`);
  for (let i = 0; i < t.apiservers; i++) out.push(t.apiservers === 1 ? 'apiserver' : `apiserver-${i}`);
  out.push(CURRENT_APISERVER);
  const schedulers = t.schedulers ?? 0;
  for (let i = 0; i < schedulers; i++) out.push(schedulers === 1 ? 'scheduler' : `scheduler-${i}`);
  if (schedulers > 0) out.push(SCHEDULER_LEADER);
  const cms = t.controllerManagers ?? 0;
  for (let i = 0; i < cms; i++) out.push(cms === 1 ? 'controller-manager' : `controller-manager-${i}`);
  if (cms > 0) out.push(CONTROLLER_MANAGER_LEADER);
  for (let i = 1; i <= (t.nodes ?? 0); i++) out.push(`node-${i}`);
  if (t.nodeRuntimes === true) for (let i = 1; i <= (t.nodes ?? 0); i++) out.push(`node-${i}-runtime`);
  return out;
}

/** Start times of the faults: evenly spaced with a seeded jitter of up to a quarter of the gap. */
function schedule(opts: PlanOptions, random: () => number): number[] {
  const warmup = opts.warmupMs ?? DEFAULT_WARMUP_MS;
  const cooldown = opts.cooldownMs ?? DEFAULT_COOLDOWN_MS;
  const window = opts.durationMs - warmup - cooldown;
  if (window <= 0) return [];
  if (opts.faults !== undefined) {
    const n = Math.max(0, Math.floor(opts.faults));
    if (n === 0) return [];
    const gap = window / n;
    return Array.from({ length: n }, (_, i) => Math.round(warmup + i * gap + random() * gap * 0.25));
  }
  const interval = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
  if (interval <= 0) throw new Error('the fault interval must be positive');
  const out: number[] = [];
  for (let at = warmup; at <= warmup + window; at += interval) out.push(Math.round(at));
  return out;
}

/**
 * The plan for a seed. Without leader-elected components: etcd members about 40% of the time, a
 * named apiserver 30%, the client's current apiserver 30%. Each leader-elected component present
 * (scheduler, controller-manager) takes 20% for its leader, and the rest shrink in proportion.
 * With nodes, one fault in five hits a kubelet (the split of the others unchanged), so plans of
 * topologies without nodes stay as they were. The fault kinds equally often; freezes and network
 * cuts of 2 to 8 s.
 */
export function generatePlan(opts: PlanOptions): FaultStep[] {
  const random = seededRandom(deriveSeed(opts.seed, 'plan'));
  const etcd = validTargets({ ...opts.topology, apiservers: 0, schedulers: 0, controllerManagers: 0 }).filter((t) => t.startsWith('etcd'));
  const apiservers = validTargets({ ...opts.topology, etcdMembers: 0, schedulers: 0, controllerManagers: 0 }).filter((t) => t.startsWith('apiserver'));
  const leaders = [...((opts.topology.schedulers ?? 0) > 0 ? [SCHEDULER_LEADER] : []), ...((opts.topology.controllerManagers ?? 0) > 0 ? [CONTROLLER_MANAGER_LEADER] : [])];
  // Seeds planned before controller-managers existed keep their plans: the scheduler-only split is unchanged.
  const weights = leaders.length === 0 ? [0.4, 0.3, 0.3] : leaders.length === 1 ? [0.35, 0.25, 0.2] : [0.25, 0.2, 0.15];
  const nodes = validTargets({ etcdMembers: 0, apiservers: 0, nodes: opts.topology.nodes ?? 0 }).filter((t) => t.startsWith('node-'));
  const nodeRandom = seededRandom(deriveSeed(opts.seed, 'plan-nodes'));
  return schedule(opts, random).map((atMs) => {
    if (nodes.length > 0 && nodeRandom() < NODE_FAULT_SHARE) {
      const fault = pick(nodeRandom, opts.faultKinds ?? FAULT_KINDS);
      const target = pick(nodeRandom, nodes);
      return lasts(fault) ? { atMs, target, fault, durationMs: randomInt(nodeRandom, FREEZE_MIN_MS, FREEZE_MAX_MS) } : { atMs, target, fault };
    }
    const r = random();
    const [we, wa, wc] = weights as [number, number, number];
    let target: string;
    if (r < we) target = pick(random, etcd);
    else if (r < we + wa) target = pick(random, apiservers);
    else if (r < we + wa + wc) target = CURRENT_APISERVER;
    else target = leaders[Math.min(leaders.length - 1, Math.floor(((r - we - wa - wc) / (1 - we - wa - wc)) * leaders.length))]!;
    const fault = pick(random, opts.faultKinds ?? FAULT_KINDS);
    const step: FaultStep = lasts(fault) ? { atMs, target, fault, durationMs: randomInt(random, FREEZE_MIN_MS, FREEZE_MAX_MS) } : { atMs, target, fault };
    return step;
  });
}

/** Faults that hold the member for a duration and then let it go. */
export function lasts(fault: FaultKind): boolean {
  return fault === 'freeze' || fault === 'netcut';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks a plan read from JSON: an array of {atMs, target, fault, durationMs?}, targets valid for
 * the topology, freezes with a positive duration. Returns the steps sorted by atMs.
 */
export function parsePlan(data: unknown, topology: Topology, faultKinds: readonly FaultKind[] = FAULT_KINDS): FaultStep[] {
  if (!Array.isArray(data)) throw new Error('a fault plan must be a JSON array of {atMs, target, fault, durationMs?}');
  const targets = new Set(validTargets(topology));
  const steps = data.map((raw: unknown, i): FaultStep => {
    const where = `plan[${i}]`;
    if (!isRecord(raw)) throw new Error(`${where}: must be an object`);
    const { atMs, target, fault, durationMs } = raw;
    if (typeof atMs !== 'number' || !Number.isFinite(atMs) || atMs < 0) throw new Error(`${where}.atMs: must be a number of ms >= 0`);
    if (typeof target !== 'string' || !targets.has(target)) throw new Error(`${where}.target: must be one of ${[...targets].join(', ')}`);
    if (typeof fault !== 'string' || !(faultKinds as readonly string[]).includes(fault)) throw new Error(`${where}.fault: must be one of ${faultKinds.join(', ')}`);
    const kind = fault as FaultKind;
    if (durationMs !== undefined && (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs <= 0)) {
      throw new Error(`${where}.durationMs: must be a positive number of ms`);
    }
    if (kind === REMOVE && !/^node-\d+$/.test(target)) throw new Error(`${where}.target: only a node (node-N) can be removed`);
    if (lasts(kind)) {
      if (durationMs === undefined) throw new Error(`${where}.durationMs: a ${kind} needs a duration`);
      return { atMs, target, fault: kind, durationMs };
    }
    return { atMs, target, fault: kind };
  });
  const sorted = steps.sort((a, b) => a.atMs - b.atMs);
  const removed = new Set<string>();
  for (const step of sorted) {
    if (removed.has(step.target)) throw new Error(`plan: ${step.target} is removed before its ${step.fault} at ${step.atMs}ms`);
    if (step.fault === REMOVE) removed.add(step.target);
  }
  return sorted;
}
