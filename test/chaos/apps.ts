// What the chaos run's app workloads (Deployments, StatefulSets, Jobs, a DaemonSet) share: the
// tolerations that let their pods leave a lost node in 10 s, creates retried through faults, and the
// loop that keeps scaling and rolling them.
import type { Toleration } from '../../pkg/api/core/v1/common.js';
import type { PodTemplateSpec } from '../../pkg/api/core/v1/pod-types.js';
import { NODE_BASE_IMAGE, PAUSE_IMAGE } from '../../pkg/containerd/image.js';
import { sleep } from './sleep.js';

/** What the workloads' containers run, as the nodes' runtime understands it. */
export interface WorkloadImages {
  /** Runs until stopped. */
  readonly idle: { readonly image: string; readonly command?: readonly string[] };
  /** Runs two seconds and succeeds. */
  readonly twoSeconds: { readonly image: string; readonly command: readonly string[] };
}

/** The simulated runtime takes images and commands by their names. */
export const SIMULATED_IMAGES: WorkloadImages = { idle: { image: 'registry.k8s.io/pause:3.10' }, twoSeconds: { image: 'busybox:1.36', command: ['sleep', '2'] } };

/** A containerd node has only the images it imported (no registry is reachable): the pause image and the node image. */
export const CONTAINERD_IMAGES: WorkloadImages = { idle: { image: PAUSE_IMAGE }, twoSeconds: { image: NODE_BASE_IMAGE, command: ['node', '-e', 'setTimeout(() => {}, 2000)'] } };

/** A container spec of `images.idle` or `images.twoSeconds` named `name`. */
export const containerOf = (name: string, run: WorkloadImages['idle']): { name: string; image: string; command?: string[] } => ({ name, image: run.image, ...(run.command !== undefined ? { command: [...run.command] } : {}) });

/** A node removed for good gives its pods up after 10 s of NotReady, not 300 s, so replacements run within the run's bound. */
export const NODE_LOSS_TOLERATIONS: readonly Toleration[] = [
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 },
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 },
];

/** The pod template of a scaled-and-rolled workload: a pause container labelled with the workload's name, revision 0. */
export function appTemplate(groupLabel: string, name: string, images: WorkloadImages = SIMULATED_IMAGES): PodTemplateSpec {
  return {
    metadata: { labels: { [groupLabel]: name }, annotations: { 'chaos/revision': '0' } },
    spec: { containers: [containerOf('app', images.idle)], terminationGracePeriodSeconds: 0, tolerations: [...NODE_LOSS_TOLERATIONS] },
  };
}

/** Creates an object, retrying through faults; true once created (or found already made by a try whose reply was lost). */
export async function createThroughFaults(create: () => Promise<unknown>, signal: AbortSignal): Promise<boolean> {
  for (let attempt = 0; attempt < 10 && !signal.aborted; attempt++) {
    try {
      await create();
      return true;
    } catch (err) {
      if (/already exists/i.test(String(err))) return true;
      await sleep(500, signal);
    }
  }
  return false;
}

export interface ChangedWorkload {
  readonly name: string;
  /** Every replicas value sent (acknowledged or not: a lost reply may still have applied). */
  readonly replicasSent: number[];
  changes: number;
}

/**
 * Every `everyMs` until `signal`: one workload, picked at random, is scaled (1 to maxReplicas) or
 * rolled (a template annotation `chaos/revision`). Failed or unknown writes are fine: the checks
 * read the final spec back.
 */
export async function scaleOrRoll(o: {
  readonly workloads: readonly ChangedWorkload[];
  readonly everyMs: number;
  readonly maxReplicas: number;
  readonly random: () => number;
  readonly patch: (name: string, body: unknown) => Promise<unknown>;
  readonly signal: AbortSignal;
}): Promise<void> {
  while (!o.signal.aborted && o.workloads.length > 0) {
    await sleep(o.everyMs, o.signal);
    if (o.signal.aborted) break;
    const w = o.workloads[Math.floor(o.random() * o.workloads.length)]!;
    const scale = o.random() < 0.5;
    const replicas = 1 + Math.floor(o.random() * o.maxReplicas);
    const body = scale ? { spec: { replicas } } : { spec: { template: { metadata: { annotations: { 'chaos/revision': String(w.changes + 1) } } } } };
    if (scale) w.replicasSent.push(replicas);
    w.changes++;
    try {
      await o.patch(w.name, body);
    } catch {
      // Faults make writes fail or leave them unknown.
    }
  }
}

/**
 * After the faults: every 250 ms, `round` reads the cluster and sets `convergedAfterMs` (ms since
 * this started, from `since()`) on the workloads that reached their end state, until none is
 * waiting or `boundMs` passed. A round that fails (faults may linger) is logged and tried again.
 */
export async function settleWithin<T extends { convergedAfterMs?: number }>(o: {
  readonly workloads: readonly T[];
  readonly boundMs: number;
  readonly now: () => number;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
  readonly label: string;
  readonly round: (waiting: readonly T[], since: () => number) => Promise<void>;
}): Promise<void> {
  const t0 = o.now();
  const since = (): number => Math.round(o.now() - t0);
  while (!o.signal.aborted) {
    const waiting = o.workloads.filter((w) => w.convergedAfterMs === undefined);
    if (waiting.length === 0 || o.now() - t0 > o.boundMs) break;
    try {
      await o.round(waiting, since);
    } catch (err) {
      o.log(`${o.label}: ${err instanceof Error ? err.message : String(err)}`);
    }
    await sleep(250, o.signal);
  }
}
