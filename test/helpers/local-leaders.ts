// The leader-elected replicas of a local cluster (schedulers, controller-managers): which one leads,
// its pid, and the Lease as the apiserver has it — what failover tests kill and watch.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalCluster } from './local-cluster.js';
import { pollUntil, sleep } from './wait.js';

export { pollUntil };

export interface LeaseSpecView {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  leaseTransitions?: number;
}

interface ClusterJson {
  apiservers: string[];
  components: { name: string; pid?: number; restarts: number }[];
}

export class LocalLeaders {
  constructor(
    private readonly cluster: LocalCluster,
    /** Component name prefix in the launcher: "scheduler", "controller-manager". */
    readonly kind: string,
    readonly leaseName: string,
  ) {}

  lease(): LeaseSpecView {
    const r = this.cluster.kubectl(['get', 'lease', '-n', 'kube-system', this.leaseName, '-o', 'json']);
    if (r.code !== 0) return {};
    return (JSON.parse(r.stdout) as { spec?: LeaseSpecView }).spec ?? {};
  }

  apiserver(): string {
    return this.clusterJson().apiservers[0]!;
  }

  /** Reads the holder straight from the apiserver: kubectl is too slow to time a failover with. */
  async holderNow(): Promise<string> {
    const res = await fetch(`${this.apiserver()}/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${this.leaseName}`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { spec?: LeaseSpecView };
    return body.spec?.holderIdentity ?? '';
  }

  /** The replica whose log says it became leader as `identity`. */
  componentOf(identity: string): string | undefined {
    const pattern = new RegExp(`^${this.kind}-\\d+\\.log$`);
    for (const f of readdirSync(join(this.cluster.dir, 'logs'))) {
      if (!pattern.test(f)) continue;
      for (const line of readFileSync(join(this.cluster.dir, 'logs', f), 'utf8').split('\n')) {
        if (!line.includes('"became leader"')) continue;
        try {
          const rec = JSON.parse(line) as { identity?: string };
          if (rec.identity === identity) return f.replace(/\.log$/, '');
        } catch {
          // A line cut short by a SIGKILL.
        }
      }
    }
    return undefined;
  }

  pidOf(component: string): number | undefined {
    return this.clusterJson().components.find((x) => x.name === component)?.pid;
  }

  log(component: string): string {
    return readFileSync(join(this.cluster.dir, 'logs', `${component}.log`), 'utf8');
  }

  /** Both replicas are up (the launcher restarted any that was killed) and one of them leads. */
  waitTwoCandidatesAndLeader(): Promise<{ holder: string; component: string }> {
    return pollUntil(
      `a leader and two live ${this.kind} replicas`,
      () => {
        const holder = this.lease().holderIdentity ?? '';
        const component = holder !== '' ? this.componentOf(holder) : undefined;
        const live = [`${this.kind}-0`, `${this.kind}-1`].every((n) => {
          const pid = this.pidOf(n);
          if (pid === undefined) return false;
          try {
            process.kill(pid, 0);
            return true;
          } catch {
            return false;
          }
        });
        return component !== undefined && live ? { holder, component } : undefined;
      },
      60_000,
    );
  }

  /** Kills the leader with `signal` and resolves with the new holder and the time it took to appear in the Lease. */
  async killLeader(signal: NodeJS.Signals, leader: { holder: string; component: string }): Promise<{ holder: string; ms: number }> {
    const pid = this.pidOf(leader.component);
    if (pid === undefined) throw new Error(`no pid for ${leader.component}`);
    const killedAt = Date.now();
    process.kill(pid, signal);
    let holder = '';
    while (Date.now() - killedAt < 30_000) {
      holder = await this.holderNow().catch(() => '');
      if (holder !== '' && holder !== leader.holder) break;
      await sleep(25);
    }
    return { holder, ms: Date.now() - killedAt };
  }

  private clusterJson(): ClusterJson {
    return JSON.parse(readFileSync(join(this.cluster.dir, 'cluster.json'), 'utf8')) as ClusterJson;
  }
}
