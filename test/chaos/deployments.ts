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
import type { DeploymentHistory } from './history.js';
import { sleep } from './sleep.js';

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
}

interface Tracked {
  readonly name: string;
  readonly replicasSent: number[];
  changes: number;
  convergedAfterMs?: number;
  last: string;
}

const surgeOf = (replicas: number): number => Math.ceil(replicas * 0.25);

function manifest(name: string, replicas: number): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { [GROUP_LABEL]: name } },
      template: {
        metadata: { labels: { [GROUP_LABEL]: name }, annotations: { 'chaos/revision': '0' } },
        spec: {
          containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }],
          terminationGracePeriodSeconds: 0,
          // A node removed for good gives its pods up after 10 s of NotReady, not 300 s, so the
          // replacements run within the run's bound.
          tolerations: [
            { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 },
            { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 },
          ],
        },
      },
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
  private readonly containerRuns = new Map<string, { restartCount: number; containerId: string }[]>();

  private recordContainers(p: Pod): void {
    for (const c of p.status?.containerStatuses ?? []) {
      if (c.containerID === undefined || c.containerID === '') continue;
      const key = `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''} (${p.metadata?.uid ?? ''}) ${c.name}`;
      const runs = this.containerRuns.get(key) ?? [];
      this.containerRuns.set(key, runs);
      const last = runs[runs.length - 1];
      if (last?.containerId !== c.containerID || last.restartCount !== (c.restartCount ?? 0)) runs.push({ restartCount: c.restartCount ?? 0, containerId: c.containerID });
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
      for (let attempt = 0; attempt < 10; attempt++) {
        try {
          await api.create(manifest(name, replicas));
          break;
        } catch (err) {
          if (/already exists/i.test(String(err))) break;
          await sleep(500, changeSignal);
        }
      }
    }
    this.changer = this.changeLoop(changeSignal);
  }

  /** After the faults: waits up to `boundMs` for every Deployment to match its spec. */
  async settle(boundMs: number, signal: AbortSignal): Promise<void> {
    await this.changer;
    const t0 = this.opts.now();
    const pods = this.opts.client.resource<Pod>(podResource).namespace(this.opts.namespace);
    while (!signal.aborted) {
      const waiting = this.tracked.filter((t) => t.convergedAfterMs === undefined);
      if (waiting.length === 0 || this.opts.now() - t0 > boundMs) break;
      try {
        const live = (await pods.listAll({ labelSelector: GROUP_LABEL })).items.filter((p) => p.metadata?.deletionTimestamp === undefined);
        for (const t of waiting) {
          const d = await this.api().get(t.name);
          const s = d.status ?? {};
          const want = d.spec?.replicas ?? 1;
          const running = live.filter((p) => p.metadata?.labels?.[GROUP_LABEL] === t.name).length;
          t.last = `spec ${want}, generation ${d.metadata?.generation ?? '?'} observed ${s.observedGeneration ?? '?'}, replicas ${s.replicas ?? 0} updated ${s.updatedReplicas ?? 0} available ${s.availableReplicas ?? 0}, pods ${running}`;
          const done = (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) && s.replicas === want && s.updatedReplicas === want && s.availableReplicas === want && running === want;
          if (done) t.convergedAfterMs = Math.round(this.opts.now() - t0);
        }
      } catch (err) {
        this.opts.log(`deployments: ${err instanceof Error ? err.message : String(err)}`);
      }
      await sleep(250, signal);
    }
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
        };
      }),
      standIn: { readyWrites: this.standIn.readyWrites, errors: this.standIn.errors },
      ...(this.opts.kubelets === true ? { containers: [...this.containerRuns].map(([container, runs]) => ({ container, runs })) } : {}),
    };
  }

  private api() {
    return this.opts.client.resource<Deployment>(deploymentResource).namespace(this.opts.namespace);
  }

  /** Scales a Deployment (1 to 5 replicas) or rolls it (a template annotation), one change at a time. */
  private async changeLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && this.tracked.length > 0) {
      await sleep(this.opts.changeEveryMs, signal);
      if (signal.aborted) break;
      const t = this.tracked[Math.floor(this.random() * this.tracked.length)]!;
      const scale = this.random() < 0.5;
      const replicas = 1 + Math.floor(this.random() * 5);
      const patch = scale ? { spec: { replicas } } : { spec: { template: { metadata: { annotations: { 'chaos/revision': String(t.changes + 1) } } } } };
      if (scale) t.replicasSent.push(replicas);
      t.changes++;
      try {
        await this.api().patch(t.name, patch, 'strategic');
      } catch {
        // Faults make writes fail or leave them unknown; the check reads the final spec back.
      }
    }
  }
}
