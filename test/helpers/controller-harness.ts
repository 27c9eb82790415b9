// Controllers against a real apiserver on a real etcd, driven with the real kubectl: the harness
// every controller integration test shares. There is no kubelet here, so tests play its part with
// `setPodsReady` (status written as a kubelet would) and `finalizePods` (the kubelet's final delete).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Pod } from '../../pkg/api/core/v1/pod-types.js';
import { podResource } from '../../pkg/api/core/v1/pod.js';
import { realClock } from '../../pkg/client/clock.js';
import { EventRecorder } from '../../pkg/client/events.js';
import { SharedInformerFactory } from '../../pkg/client/informer/factory.js';
import { RestClient } from '../../pkg/client/rest.js';
import { restDiscovery, restObjectClient, type ControllerDefinition, type ObjectClient } from '../../pkg/controller/framework/index.js';
import { startApiServer, type TestCluster } from './apiserver.js';
import { runKubectl } from './kubectl.js';
import { pollUntil } from './wait.js';

export interface KubectlRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ControllerHarness {
  readonly cluster: TestCluster;
  readonly rest: RestClient;
  readonly client: ObjectClient;
  readonly kubeconfig: string;
  kubectl(args: readonly string[], input?: string): Promise<KubectlRun>;
  /** kubectl that must succeed; returns stdout. */
  kubectlOk(args: readonly string[], input?: string): Promise<string>;
  /** Marks the matching pods Running and Ready (conditions and timestamps as a kubelet writes them). */
  setPodsReady(namespace: string, labelSelector: string, ready?: boolean): Promise<number>;
  /** Completes the deletion of terminating pods (the kubelet's grace-0 delete). */
  finalizePods(namespace: string): Promise<number>;
  /** Polls `probe` until it returns a value other than undefined (every 100 ms, up to `ms`). */
  waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms?: number): Promise<T>;
  stop(): Promise<void>;
}

/** Starts an apiserver and runs the given controllers in-process against it (no leader election). */
export async function startControllerHarness(
  definitions: readonly ControllerDefinition[],
  opts: { workers?: number; flags?: Readonly<Record<string, string>> } = {},
): Promise<ControllerHarness> {
  const cluster = await startApiServer();
  const dir = mkdtempSync(join(tmpdir(), 'kubets-ctrl-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${cluster.url}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\n    namespace: default\ncurrent-context: c\nusers:\n- name: u\n  user: {}\n`,
  );
  const rest = new RestClient({ servers: [cluster.url], component: 'kube-controller-manager' });
  const client = restObjectClient(rest);
  const discovery = restDiscovery(rest);
  const informers = new SharedInformerFactory(rest);
  const log = pino({ level: process.env['KUBETS_TEST_LOG'] ?? 'silent' });
  const stop = new AbortController();
  const recorders = new Map<string, EventRecorder>();
  const events = (component: string): EventRecorder => {
    let r = recorders.get(component);
    if (r === undefined) {
      r = new EventRecorder({ client: rest, controller: component, instance: `${component}-test` });
      recorders.set(component, r);
    }
    return r;
  };
  const controllers = definitions.map((d) => {
    const flag = (name: string): string => {
      const v = opts.flags?.[name] ?? d.flags?.[name]?.default;
      if (v === undefined) throw new Error(`${d.name} has no flag --${name}`);
      return v;
    };
    return d.create({ client, informers, discovery, events, clock: realClock, log, workers: opts.workers ?? d.workers?.default ?? 1, flag });
  });
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  const running = controllers.map((c) => c.run(stop.signal));

  const kubectl = (args: readonly string[], input?: string): Promise<KubectlRun> => runKubectl(['--kubeconfig', kubeconfig, ...args], input);

  const pods = (namespace: string) => rest.resource<Pod>(podResource).namespace(namespace);

  return {
    cluster,
    rest,
    client,
    kubeconfig,
    kubectl,
    async kubectlOk(args, input) {
      const r = await kubectl(args, input);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
      return r.stdout;
    },
    async setPodsReady(namespace, labelSelector, ready = true) {
      const list = await pods(namespace).list({ labelSelector });
      let n = 0;
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      for (const p of list.items) {
        if (p.metadata?.deletionTimestamp !== undefined) continue;
        const status = ready ? 'True' : 'False';
        const conditions = [
          { type: 'Initialized', status: 'True', lastTransitionTime: now },
          { type: 'Ready', status, lastTransitionTime: now },
          { type: 'ContainersReady', status, lastTransitionTime: now },
          { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
        ];
        const podIP = `10.244.0.${(n % 250) + 2}`;
        await pods(namespace).patch(p.metadata?.name ?? '', { status: { phase: 'Running', conditions, podIP, podIPs: [{ ip: podIP }], startTime: now } }, 'merge', { subresource: 'status' });
        n++;
      }
      return n;
    },
    async finalizePods(namespace) {
      const list = await pods(namespace).list();
      let n = 0;
      for (const p of list.items) {
        if (p.metadata?.deletionTimestamp === undefined) continue;
        await pods(namespace)
          .delete(p.metadata.name ?? '', { gracePeriodSeconds: 0 })
          .catch(() => undefined);
        n++;
      }
      return n;
    },
    waitFor(what, probe, ms = 20_000) {
      return pollUntil(what, probe, ms, 100, { retryErrors: true });
    },
    async stop() {
      stop.abort();
      await Promise.all(running);
      await informers.stopped();
      rest.close();
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
