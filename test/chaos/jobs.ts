// Jobs under faults: while members, kubelets and the controller-manager leader are killed, the
// run starts a Job every few seconds (NonIndexed and Indexed in turn, 4 completions, 2 at a time,
// pods that sleep 2 s on the real kubelets). Afterwards every Job must reach its success criteria
// within the bound and have counted each completion exactly once: status.succeeded equals its
// completions, and so does the number of its pods that succeeded (one per index when Indexed).
import type { Job } from '../../pkg/api/batch/v1/job.js';
import { jobResource } from '../../pkg/api/batch/v1/job.js';
import type { Pod } from '../../pkg/api/core/v1/pod-types.js';
import { podResource } from '../../pkg/api/core/v1/pod.js';
import type { RestClient } from '../../pkg/client/rest.js';
import type { JobHistory, JobRecord } from './history.js';
import { NODE_LOSS_TOLERATIONS, SIMULATED_IMAGES, containerOf, type WorkloadImages } from './apps.js';
import { sleep } from './sleep.js';

const COMPLETIONS = 4;
const INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';

export interface JobWorkloadOptions {
  readonly client: RestClient;
  readonly namespace: string;
  /** A new Job every this many ms while the run lasts. */
  readonly everyMs: number;
  readonly now: () => number;
  readonly log: (line: string) => void;
  readonly images?: WorkloadImages;
}

function manifest(name: string, indexed: boolean, images: WorkloadImages): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels: { 'chaos-job': name } },
    spec: {
      completions: COMPLETIONS,
      parallelism: 2,
      backoffLimit: 20,
      completionMode: indexed ? 'Indexed' : 'NonIndexed',
      template: {
        spec: {
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: 0,
          tolerations: [...NODE_LOSS_TOLERATIONS],
          containers: [containerOf('work', images.twoSeconds)],
        },
      },
    },
  } as Job;
}

interface Tracked {
  readonly name: string;
  readonly indexed: boolean;
  doneAfterMs?: number;
  neverCreated?: boolean;
  last: string;
  succeeded: number;
  failed: number;
  succeededPods: number;
  completedIndexes: string;
}

export class JobWorkload {
  private readonly tracked: Tracked[] = [];
  private starter: Promise<void> | undefined;

  constructor(private readonly opts: JobWorkloadOptions) {}

  /** Starts a Job now and then every `everyMs` until `signal`. */
  start(signal: AbortSignal): void {
    this.starter = (async () => {
      for (let i = 0; !signal.aborted; i++) {
        const name = `chaos-job-${i}`;
        const indexed = i % 2 === 1;
        // Tracked before it is sent: a create whose reply was lost may still have made the Job.
        this.tracked.push({ name, indexed, last: 'not created', succeeded: 0, failed: 0, succeededPods: 0, completedIndexes: '' });
        for (let attempt = 0; attempt < 10 && !signal.aborted; attempt++) {
          try {
            await this.api().create(manifest(name, indexed, this.opts.images ?? SIMULATED_IMAGES));
            break;
          } catch (err) {
            if (/already exists/i.test(String(err))) break;
            await sleep(500, signal);
          }
        }
        await sleep(this.opts.everyMs, signal);
      }
    })();
  }

  /** After the faults: waits up to `boundMs` for every Job to meet its success criteria, then reads its counts. */
  async settle(boundMs: number, signal: AbortSignal): Promise<void> {
    await this.starter;
    const t0 = this.opts.now();
    const pods = this.opts.client.resource<Pod>(podResource).namespace(this.opts.namespace);
    while (!signal.aborted) {
      const waiting = this.tracked.filter((t) => t.doneAfterMs === undefined);
      if (waiting.length === 0 || this.opts.now() - t0 > boundMs) break;
      try {
        const all = (await pods.listAll({ labelSelector: 'batch.kubernetes.io/job-name' })).items;
        for (const t of waiting) {
          let job: Job;
          try {
            job = await this.api().get(t.name);
          } catch (err) {
            if (/not found/i.test(String(err))) {
              t.last = 'never created (every create failed)';
              t.neverCreated = true;
              t.doneAfterMs = Math.round(this.opts.now() - t0);
              continue;
            }
            throw err;
          }
          const s = job.status ?? {};
          const mine = all.filter((p) => p.metadata?.ownerReferences?.some((r) => r.uid === job.metadata?.uid));
          const succeeded = mine.filter((p) => p.status?.phase === 'Succeeded');
          t.succeeded = s.succeeded ?? 0;
          t.failed = s.failed ?? 0;
          t.succeededPods = t.indexed ? new Set(succeeded.map((p) => p.metadata?.annotations?.[INDEX_ANNOTATION])).size : succeeded.length;
          t.completedIndexes = s.completedIndexes ?? '';
          const conditions = (s.conditions ?? []).filter((c) => c.status === 'True').map((c) => c.type ?? '');
          t.last = `conditions [${conditions.join(', ')}], succeeded ${t.succeeded}, failed ${t.failed}, active ${s.active ?? 0}, uncounted ${(s.uncountedTerminatedPods?.succeeded?.length ?? 0) + (s.uncountedTerminatedPods?.failed?.length ?? 0)}, succeeded pods ${succeeded.length}`;
          const counted = (s.uncountedTerminatedPods?.succeeded?.length ?? 0) === 0;
          if ((conditions.includes('SuccessCriteriaMet') || conditions.includes('Complete')) && counted) t.doneAfterMs = Math.round(this.opts.now() - t0);
        }
      } catch (err) {
        this.opts.log(`jobs: ${err instanceof Error ? err.message : String(err)}`);
      }
      await sleep(500, signal);
    }
  }

  async stop(): Promise<void> {
    await this.starter;
  }

  history(boundMs: number): JobHistory {
    return {
      boundMs,
      completions: COMPLETIONS,
      jobs: this.tracked.map(
        (t): JobRecord => ({
          name: t.name,
          indexed: t.indexed,
          ...(t.doneAfterMs !== undefined ? { doneAfterMs: t.doneAfterMs } : {}),
          ...(t.neverCreated === true ? { neverCreated: true } : {}),
          last: t.last,
          succeeded: t.succeeded,
          failed: t.failed,
          succeededPods: t.succeededPods,
          completedIndexes: t.completedIndexes,
        }),
      ),
    };
  }

  private api() {
    return this.opts.client.resource<Job>(jobResource).namespace(this.opts.namespace);
  }
}
