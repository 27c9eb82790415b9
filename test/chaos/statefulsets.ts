// StatefulSets under faults: two sets of 3 (OrderedReady and Parallel) that the run keeps scaling
// (1 to 4) and rolling while members, kubelets and the controller-manager leader are killed. A
// watch on their pods checks that an ordinal never has two pods at once — a pod of a name appears
// only after the previous pod of that name was deleted — and afterwards every set must converge:
// pods for exactly ordinals 0..replicas-1, all Running and Ready at the update revision.
import type { StatefulSet } from '../../pkg/api/apps/v1/statefulset.js';
import { statefulSetResource } from '../../pkg/api/apps/v1/statefulset.js';
import type { Pod } from '../../pkg/api/core/v1/pod-types.js';
import { podResource } from '../../pkg/api/core/v1/pod.js';
import type { RestClient } from '../../pkg/client/rest.js';
import { KubeletStandIn } from '../helpers/kubelet-stand-in.js';
import { seededRandom } from '../helpers/random.js';
import type { StatefulSetHistory } from './history.js';
import { appTemplate, createThroughFaults, scaleOrRoll, settleWithin, type WorkloadImages } from './apps.js';

const GROUP_LABEL = 'chaos-sts';
const POLICIES = ['OrderedReady', 'Parallel'] as const;

export interface StatefulSetWorkloadOptions {
  readonly client: RestClient;
  readonly namespace: string;
  readonly seed: number;
  /** One scale or template change every this many ms while the run lasts. */
  readonly changeEveryMs: number;
  readonly now: () => number;
  readonly log: (line: string) => void;
  /** Kubelets run the pods (the stand-in only watches). */
  readonly kubelets: boolean;
  readonly images?: WorkloadImages;
}

interface Tracked {
  readonly name: string;
  readonly policy: string;
  readonly replicasSent: number[];
  changes: number;
  convergedAfterMs?: number;
  last: string;
}

function manifest(name: string, policy: string, images: WorkloadImages | undefined): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      replicas: 3,
      serviceName: name,
      podManagementPolicy: policy,
      selector: { matchLabels: { [GROUP_LABEL]: name } },
      template: appTemplate(GROUP_LABEL, name, images),
    },
  } as StatefulSet;
}

/**
 * Who holds each pod name, from a pod watch: a pod seen while another pod of its name was not yet
 * deleted is an overlap — two pods of one ordinal. A relist restarts the judgement from what it lists.
 */
export class OrdinalHolders {
  private readonly holder = new Map<string, string>();
  readonly overlaps: string[] = [];
  /** Pod identities seen (a name taken by a new pod counts again). */
  seen = 0;

  relisted(pods: readonly Pod[]): void {
    this.holder.clear();
    for (const p of pods) this.holder.set(p.metadata?.name ?? '', p.metadata?.uid ?? '');
  }

  observe(type: string, p: Pod): void {
    const name = p.metadata?.name ?? '';
    const uid = p.metadata?.uid ?? '';
    const held = this.holder.get(name);
    if (type === 'DELETED') {
      if (held === uid) this.holder.delete(name);
      return;
    }
    if (held === uid) return;
    this.seen++;
    if (held !== undefined) this.overlaps.push(`${name}: pod ${uid} (${p.status?.phase ?? 'no phase'}) while pod ${held} of that name was not deleted yet`);
    this.holder.set(name, uid);
  }
}

export class StatefulSetWorkload {
  private readonly tracked: Tracked[] = [];
  private readonly standIn: KubeletStandIn;
  private standInRun: Promise<void> | undefined;
  private changer: Promise<void> | undefined;
  private readonly random: () => number;
  private readonly holders = new OrdinalHolders();

  constructor(private readonly opts: StatefulSetWorkloadOptions) {
    this.random = seededRandom(opts.seed ^ 0x575);
    this.standIn = new KubeletStandIn({
      client: opts.client,
      namespace: opts.namespace,
      concurrency: 2,
      labelSelector: GROUP_LABEL,
      groupLabel: GROUP_LABEL,
      log: opts.log,
      ...(opts.kubelets ? { passive: true } : {}),
      onList: (pods) => this.holders.relisted(pods),
      onPod: (type, p) => this.holders.observe(type, p),
    });
  }

  async start(changeSignal: AbortSignal, standInSignal: AbortSignal): Promise<void> {
    this.standInRun = this.standIn.run(standInSignal);
    for (const [i, policy] of POLICIES.entries()) {
      const name = `chaos-db-${i}`;
      this.tracked.push({ name, policy, replicasSent: [3], changes: 0, last: 'not created' });
      await createThroughFaults(() => this.api().create(manifest(name, policy, this.opts.images)), changeSignal);
    }
    this.changer = this.changeLoop(changeSignal);
  }

  /** After the faults: waits up to `boundMs` for every set to have exactly its ordinals, Ready, at the update revision. */
  async settle(boundMs: number, signal: AbortSignal): Promise<void> {
    await this.changer;
    const pods = this.opts.client.resource<Pod>(podResource).namespace(this.opts.namespace);
    await settleWithin({
      workloads: this.tracked,
      boundMs,
      now: this.opts.now,
      signal,
      log: this.opts.log,
      label: 'statefulsets',
      round: async (waiting, since) => {
        const all = (await pods.listAll({ labelSelector: GROUP_LABEL })).items;
        for (const t of waiting) {
          const set = await this.api().get(t.name);
          const s = set.status ?? {};
          const want = set.spec?.replicas ?? 1;
          const mine = all.filter((p) => p.metadata?.labels?.[GROUP_LABEL] === t.name);
          const names = mine.map((p) => p.metadata?.name ?? '').sort();
          const ready = mine.filter((p) => p.metadata?.deletionTimestamp === undefined && p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true);
          const atUpdate = mine.filter((p) => p.metadata?.labels?.['controller-revision-hash'] === s.updateRevision);
          const expected = Array.from({ length: want }, (_, i) => `${t.name}-${i}`).sort();
          t.last = `spec ${want}, generation ${set.metadata?.generation ?? '?'} observed ${s.observedGeneration ?? '?'}, ready ${s.readyReplicas ?? 0} updated ${s.updatedReplicas ?? 0}, revisions ${s.currentRevision ?? '?'}→${s.updateRevision ?? '?'}, pods [${names.join(' ')}] ready ${ready.length}`;
          const done =
            (s.observedGeneration ?? 0) >= (set.metadata?.generation ?? 1) &&
            names.join(' ') === expected.join(' ') &&
            ready.length === want &&
            atUpdate.length === want &&
            s.currentRevision === s.updateRevision &&
            s.readyReplicas === want;
          if (done) t.convergedAfterMs = since();
        }
      },
    });
  }

  async stop(): Promise<void> {
    await this.changer;
    await this.standInRun;
  }

  history(boundMs: number): StatefulSetHistory {
    return {
      boundMs,
      sets: this.tracked.map((t) => ({
        name: t.name,
        policy: t.policy,
        replicasSent: t.replicasSent,
        changes: t.changes,
        ...(t.convergedAfterMs !== undefined ? { convergedAfterMs: t.convergedAfterMs } : {}),
        last: t.last,
      })),
      podsSeen: this.holders.seen,
      overlaps: this.holders.overlaps,
    };
  }

  private api() {
    return this.opts.client.resource<StatefulSet>(statefulSetResource).namespace(this.opts.namespace);
  }

  /** Scales a set (1 to 4 replicas) or rolls it, one change at a time. */
  private changeLoop(signal: AbortSignal): Promise<void> {
    return scaleOrRoll({ workloads: this.tracked, everyMs: this.opts.changeEveryMs, maxReplicas: 4, random: this.random, patch: (name, body) => this.api().patch(name, body, 'strategic'), signal });
  }
}
