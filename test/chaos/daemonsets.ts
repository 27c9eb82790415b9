// A DaemonSet under faults, on the real kubelets: the run rolls its template now and then while
// members, kubelets and the controller-manager leader are killed and nodes go away. Afterwards it
// must converge: every node that is Ready (and not tainted against it) runs exactly one daemon pod, Running and Ready at the
// current template, and no node has two.
import type { DaemonSet } from '../../pkg/api/apps/v1/daemonset.js';
import { daemonSetResource } from '../../pkg/api/apps/v1/daemonset.js';
import type { Node } from '../../pkg/api/core/v1/node.js';
import { nodeResource } from '../../pkg/api/core/v1/node.js';
import type { Pod } from '../../pkg/api/core/v1/pod-types.js';
import { podResource } from '../../pkg/api/core/v1/pod.js';
import type { RestClient } from '../../pkg/client/rest.js';
import type { DaemonSetHistory } from './history.js';
import { SIMULATED_IMAGES, containerOf, createThroughFaults, type WorkloadImages } from './apps.js';
import { sleep } from './sleep.js';

const NAME = 'chaos-agent';
const LABEL = 'chaos-daemon';

export interface DaemonSetWorkloadOptions {
  readonly client: RestClient;
  readonly namespace: string;
  /** One template change every this many ms while the run lasts. */
  readonly changeEveryMs: number;
  readonly now: () => number;
  readonly log: (line: string) => void;
  readonly images?: WorkloadImages;
}

const manifest = (images: WorkloadImages): DaemonSet => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: NAME },
  spec: {
    selector: { matchLabels: { [LABEL]: NAME } },
    // A node removed for good keeps its daemon pod unavailable for ever (its Node object stays, as
    // upstream's does): with maxUnavailable 1 the rollout would stall there, as upstream's would.
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '100%' } },
    template: {
      metadata: { labels: { [LABEL]: NAME }, annotations: { 'chaos/revision': '0' } },
      spec: { terminationGracePeriodSeconds: 0, containers: [containerOf('agent', images.idle)] },
    },
  },
}) as DaemonSet;

/** Taints every daemon pod tolerates (upstream's automatic daemon tolerations): any other keeps the DaemonSet off the node. */
const TOLERATED = /^node\.kubernetes\.io\/(not-ready|unreachable|disk-pressure|memory-pressure|pid-pressure|unschedulable)$/;
const eligible = (n: Node): boolean => (n.spec?.taints ?? []).every((t) => TOLERATED.test(t.key ?? '') || (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute'));

const isReady = (o: { status?: { conditions?: readonly { type?: string; status?: string }[] } }): boolean => o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

export class DaemonSetWorkload {
  private changer: Promise<void> | undefined;
  private changes = 0;
  private convergedAfterMs: number | undefined;
  private created = false;
  private last = 'not created';

  constructor(private readonly opts: DaemonSetWorkloadOptions) {}

  async start(changeSignal: AbortSignal): Promise<void> {
    this.created = await createThroughFaults(() => this.api().create(manifest(this.opts.images ?? SIMULATED_IMAGES)), changeSignal);
    this.changer = this.changeLoop(changeSignal);
  }

  /** After the faults: waits up to `boundMs` for one Ready pod of the current template on every Ready node and none doubled. */
  async settle(boundMs: number, signal: AbortSignal): Promise<void> {
    await this.changer;
    const t0 = this.opts.now();
    const pods = this.opts.client.resource<Pod>(podResource).namespace(this.opts.namespace);
    const nodes = this.opts.client.resource<Node>(nodeResource);
    while (!signal.aborted && this.created && this.convergedAfterMs === undefined && this.opts.now() - t0 <= boundMs) {
      try {
        const ds = await this.api().get(NAME);
        const readyNodes = (await nodes.listAll({})).items.filter((n) => isReady(n) && eligible(n)).map((n) => n.metadata?.name ?? '');
        const live = (await pods.listAll({ labelSelector: LABEL })).items.filter((p) => p.metadata?.deletionTimestamp === undefined);
        const revision = ds.metadata?.annotations?.['deprecated.daemonset.template.generation'] ?? '';
        const perNode = new Map<string, Pod[]>();
        for (const p of live) perNode.set(p.spec?.nodeName ?? '(unbound)', [...(perNode.get(p.spec?.nodeName ?? '(unbound)') ?? []), p]);
        const doubled = [...perNode].filter(([, ps]) => ps.length > 1).map(([n]) => n);
        const missing = readyNodes.filter((n) => {
          const here = perNode.get(n) ?? [];
          return !(here.length === 1 && here[0]!.status?.phase === 'Running' && isReady(here[0]!) && here[0]!.metadata?.labels?.['pod-template-generation'] === revision);
        });
        const s = ds.status ?? {};
        this.last = `Ready eligible nodes [${readyNodes.join(' ')}], pods on ${[...perNode].map(([n, ps]) => `${n}×${ps.length}`).join(' ')}, template generation ${revision}, desired ${s.desiredNumberScheduled ?? 0} ready ${s.numberReady ?? 0} updated ${s.updatedNumberScheduled ?? 0}${missing.length > 0 ? `, not yet right on [${missing.join(' ')}]` : ''}${doubled.length > 0 ? `, two pods on [${doubled.join(' ')}]` : ''}`;
        if (readyNodes.length > 0 && missing.length === 0 && doubled.length === 0) this.convergedAfterMs = Math.round(this.opts.now() - t0);
      } catch (err) {
        this.opts.log(`daemonset: ${err instanceof Error ? err.message : String(err)}`);
      }
      await sleep(250, signal);
    }
  }

  async stop(): Promise<void> {
    await this.changer;
  }

  history(boundMs: number): DaemonSetHistory {
    return { boundMs, name: NAME, created: this.created, changes: this.changes, ...(this.convergedAfterMs !== undefined ? { convergedAfterMs: this.convergedAfterMs } : {}), last: this.last };
  }

  private api() {
    return this.opts.client.resource<DaemonSet>(daemonSetResource).namespace(this.opts.namespace);
  }

  private async changeLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && this.created) {
      await sleep(this.opts.changeEveryMs, signal);
      if (signal.aborted) break;
      this.changes++;
      try {
        await this.api().patch(NAME, { spec: { template: { metadata: { annotations: { 'chaos/revision': String(this.changes) } } } } }, 'strategic');
      } catch {
        // Faults make writes fail or leave them unknown; the check reads the final state.
      }
    }
  }
}
