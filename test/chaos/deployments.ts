// Workloads under faults: a few Deployments that the run keeps scaling and rolling while members
// (the controller-manager leader among them) are killed, with a kubelet stand-in making their pods
// Ready. Afterwards every Deployment must converge to its last spec within a bound, and no
// Deployment may ever have run more pods than the most replicas it was asked for plus its surge.
import type { Deployment } from '../../pkg/api/apps/v1/deployment.js';
import { deploymentResource } from '../../pkg/api/apps/v1/deployment.js';
import type { Pod } from '../../pkg/api/core/v1/pod-types.js';
import { podResource } from '../../pkg/api/core/v1/pod.js';
import type { RestClient } from '../../pkg/client/rest.js';
import { seededRandom } from '../helpers/random.js';
import { KubeletStandIn } from '../helpers/kubelet-stand-in.js';
import type { ContainerRun, DeploymentHistory } from './history.js';
import { appTemplate, createThroughFaults, scaleOrRoll, settleWithin, type WorkloadImages } from './apps.js';

const GROUP_LABEL = 'chaos-deployment';

export interface DeploymentWorkloadOptions {
  readonly client: RestClient;
  readonly namespace: string;
  readonly seed: number;
  readonly deployments: number;
  /** One scale or template change every this many ms while the run lasts. */
  readonly changeEveryMs: number;
  readonly now: () => number;
  readonly log: (line: string) => void;
  /** Kubelets run the pods (the stand-in only watches); each container's runs are recorded. */
  readonly kubelets?: boolean;
  readonly images?: WorkloadImages;
}

interface Tracked {
  readonly name: string;
  readonly replicasSent: number[];
  changes: number;
  convergedAfterMs?: number;
  last: string;
}

const surgeOf = (replicas: number): number => Math.ceil(replicas * 0.25);

function manifest(name: string, replicas: number, images: WorkloadImages | undefined): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { [GROUP_LABEL]: name } },
      template: appTemplate(GROUP_LABEL, name, images),
    },
  } as Deployment;
}

export class DeploymentWorkload {
  private readonly tracked: Tracked[] = [];
  private readonly standIn: KubeletStandIn;
  private standInRun: Promise<void> | undefined;
  private changer: Promise<void> | undefined;
  private readonly random: () => number;

  constructor(private readonly opts: DeploymentWorkloadOptions) {
    this.random = seededRandom(opts.seed ^ 0x5eed);
    this.standIn = new KubeletStandIn({
      client: opts.client,
      namespace: opts.namespace,
      concurrency: 4,
      labelSelector: GROUP_LABEL,
      groupLabel: GROUP_LABEL,
      log: opts.log,
      ...(opts.kubelets === true ? { passive: true, onPod: (_type: string, p: Pod) => this.recordContainers(p) } : {}),
    });
  }

  /** Each container's (restart count, container ID) pairs as the pod's statuses showed them, in order. */
  private readonly containerRuns = new Map<string, ContainerRun[]>();

  private recordContainers(p: Pod): void {
    for (const c of p.status?.containerStatuses ?? []) {
      if (c.containerID === undefined || c.containerID === '') continue;
      const key = `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''} (${p.metadata?.uid ?? ''}) ${c.name}`;
      const runs = this.containerRuns.get(key) ?? [];
      this.containerRuns.set(key, runs);
      const last = runs[runs.length - 1];
      if (last?.containerId !== c.containerID || last.restartCount !== (c.restartCount ?? 0)) {
        const previous = c.lastState?.terminated;
        runs.push({ restartCount: c.restartCount ?? 0, containerId: c.containerID, ...(previous !== undefined && previous.startedAt === undefined ? { previousNeverStarted: true } : {}) });
      }
    }
  }

  /** Creates the Deployments and starts the stand-in (until `standInSignal`) and the changes (until `changeSignal`). */
  async start(changeSignal: AbortSignal, standInSignal: AbortSignal): Promise<void> {
    this.standInRun = this.standIn.run(standInSignal);
    const api = this.api();
    for (let i = 0; i < this.opts.deployments; i++) {
      const name = `chaos-web-${i}`;
      const replicas = 2 + (i % 3);
      const t: Tracked = { name, replicasSent: [replicas], changes: 0, last: 'not created' };
      this.tracked.push(t);
      await createThroughFaults(() => api.create(manifest(name, replicas, this.opts.images)), changeSignal);
    }
    this.changer = this.changeLoop(changeSignal);
  }

  /** After the faults: waits up to `boundMs` for every Deployment to match its spec. */
  async settle(boundMs: number, signal: AbortSignal): Promise<void> {
    await this.changer;
    const pods = this.opts.client.resource<Pod>(podResource).namespace(this.opts.namespace);
    await settleWithin({
      workloads: this.tracked,
      boundMs,
      now: this.opts.now,
      signal,
      log: this.opts.log,
      label: 'deployments',
      round: async (waiting, since) => {
        const live = (await pods.listAll({ labelSelector: GROUP_LABEL })).items.filter((p) => p.metadata?.deletionTimestamp === undefined);
        for (const t of waiting) {
          const d = await this.api().get(t.name);
          const s = d.status ?? {};
          const want = d.spec?.replicas ?? 1;
          const running = live.filter((p) => p.metadata?.labels?.[GROUP_LABEL] === t.name).length;
          t.last = `spec ${want}, generation ${d.metadata?.generation ?? '?'} observed ${s.observedGeneration ?? '?'}, replicas ${s.replicas ?? 0} updated ${s.updatedReplicas ?? 0} available ${s.availableReplicas ?? 0}, pods ${running}`;
          const done = (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) && s.replicas === want && s.updatedReplicas === want && s.availableReplicas === want && running === want;
          if (done) t.convergedAfterMs = since();
        }
      },
    });
  }

  async stop(): Promise<void> {
    await this.changer;
    await this.standInRun;
  }

  history(boundMs: number): DeploymentHistory {
    return {
      boundMs,
      deployments: this.tracked.map((t) => {
        const most = Math.max(...t.replicasSent);
        return {
          name: t.name,
          replicasSent: t.replicasSent,
          changes: t.changes,
          ...(t.convergedAfterMs !== undefined ? { convergedAfterMs: t.convergedAfterMs } : {}),
          last: t.last,
          peakPods: this.standIn.peakPerGroup.get(t.name) ?? 0,
          podBound: most + surgeOf(most),
          peakPodNames: this.standIn.peakPods.get(t.name) ?? [],
        };
      }),
      standIn: { readyWrites: this.standIn.readyWrites, errors: this.standIn.errors },
      ...(this.opts.kubelets === true ? { containers: [...this.containerRuns].map(([container, runs]) => ({ container, runs })) } : {}),
    };
  }

  private api() {
    return this.opts.client.resource<Deployment>(deploymentResource).namespace(this.opts.namespace);
  }

  /** Scales a Deployment (1 to 5 replicas) or rolls it, one change at a time. */
  private changeLoop(signal: AbortSignal): Promise<void> {
    return scaleOrRoll({ workloads: this.tracked, everyMs: this.opts.changeEveryMs, maxReplicas: 5, random: this.random, patch: (name, body) => this.api().patch(name, body, 'strategic'), signal });
  }
}
