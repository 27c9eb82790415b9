// The kubelet: registers its node, watches the pods bound to it (and only those), and keeps one
// serialized worker per pod that syncs the pod through CRI and writes its status when it changed.
// A relist of the runtime every second (upstream's PLEG) turns container changes — an exit, a
// crash — into syncs of their pods. Everything is per instance: many kubelets fit in one process.
import type { Logger } from 'pino';
import type { Container, Pod } from '../api/core/v1/pod-types.js';
import { podResource } from '../api/core/v1/pod.js';
import type { Clock, Timer } from '../client/clock.js';
import { EventRecorder } from '../client/events.js';
import { SharedInformerFactory } from '../client/informer/index.js';
import { unwrapTombstone, type DeepReadonly } from '../client/informer/store.js';
import type { RestClient } from '../client/rest.js';
import { canonicalJson } from '../controller/framework/hash.js';
import { isConflict, isInvalid, isNotFound } from '../controller/framework/errors.js';
import type { CriClient, StreamFlags } from '../cri/client.js';
import { NodeAgent } from './node-agent.js';
import type { KubeletFlags } from './options.js';
import { computePodStatus, type ProbeView } from './pod-status.js';
import { removePodCgroups } from './resources.js';
import { StatsProvider } from './stats.js';
import { Prober } from './prober.js';
import { admitPod } from './admission.js';
import type { EnvSources } from './env.js';
import { configMapResource } from '../api/core/v1/configmap.js';
import { secretResource } from '../api/core/v1/secret.js';
import type { KubeObject, ResourceDescriptor } from '../client/resource.js';
import { persistentVolumeClaimResource, type PersistentVolumeClaim } from '../api/core/v1/persistentvolumeclaim.js';
import { persistentVolumeResource, type PersistentVolume } from '../api/core/v1/persistentvolume.js';
import { VolumeManager, type VolumeSources } from './volume/manager.js';
import { CsiDrivers } from './volume/csi-drivers.js';
import { csiNodeResource, type CSINode } from '../api/storage/v1/csinode.js';
import { FAKE_RUNTIME_NAME } from '../cri/fake/runtime.js';
import { PodSyncer } from './pod-sync.js';
import { containersNamed, POD_UID_LABEL, readRuntimePod, runtimePodUids } from './runtime-pod.js';

type DataObject = KubeObject & { data?: Record<string, string>; binaryData?: Record<string, string> };

/** Reads one object from the API; undefined when it does not exist. */
async function readOptional<T extends KubeObject>(client: RestClient, r: ResourceDescriptor, ns: string | undefined, name: string, signal: AbortSignal): Promise<T | undefined> {
  try {
    const res = client.resource<T>(r);
    return await (ns === undefined ? res.get(name, { signal }) : res.namespace(ns).get(name, { signal }));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** ConfigMap and Secret data read from the API when a container is created (Secret values decoded). */
function apiEnvSources(client: RestClient, signal: () => AbortSignal): EnvSources {
  return {
    configMap: async (ns, name) => {
      const o = await readOptional<DataObject>(client, configMapResource, ns, name, signal());
      return o === undefined ? undefined : (o.data ?? {});
    },
    secret: async (ns, name) => {
      const o = await readOptional<DataObject>(client, secretResource, ns, name, signal());
      return o === undefined ? undefined : Object.fromEntries(Object.entries(o.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    },
  };
}

/** What the kubelet's volumes are made from, read from the API at each setup (ConfigMap binaryData and Secret data decoded). */
function apiVolumeSources(client: RestClient, signal: () => AbortSignal): VolumeSources {
  return {
    configMap: async (ns, name) => {
      const o = await readOptional<DataObject>(client, configMapResource, ns, name, signal());
      if (o === undefined) return undefined;
      return { ...Object.fromEntries(Object.entries(o.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'utf8')])), ...Object.fromEntries(Object.entries(o.binaryData ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])) };
    },
    secret: async (ns, name) => {
      const o = await readOptional<DataObject>(client, secretResource, ns, name, signal());
      return o === undefined ? undefined : Object.fromEntries(Object.entries(o.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
    },
    claim: (ns, name) => readOptional<PersistentVolumeClaim>(client, persistentVolumeClaimResource, ns, name, signal()),
    persistentVolume: (name) => readOptional<PersistentVolume>(client, persistentVolumeResource, undefined, name, signal()),
  };
}

/** How often the kubelet looks for CSI drivers come or gone. */
const CSI_NODE_PERIOD_MS = 10_000;

/** Upstream's PLEG relist period. */
export const RELIST_PERIOD_MS = 1000;
const DEFAULT_GRACE_SECONDS = 30;

export interface KubeletOptions {
  readonly flags: KubeletFlags;
  readonly client: RestClient;
  readonly cri: CriClient;
  readonly clock: Clock;
  readonly log: Logger;
  /** The port the kubelet's HTTP server listens on (reported in the Node's daemonEndpoints). */
  readonly port: () => number;
}

interface Worker {
  running: boolean;
  again: boolean;
  timer: Timer | undefined;
}

export class Kubelet {
  readonly node: NodeAgent;
  private readonly informers: SharedInformerFactory;
  private readonly csiDrivers: CsiDrivers;
  private readonly events: EventRecorder;
  private readonly syncer: PodSyncer;
  private readonly prober: Prober;
  private readonly workers = new Map<string, Worker>();
  /** Pods by uid, as the watch shows them (deleted ones are absent). */
  private readonly pods = new Map<string, DeepReadonly<Pod>>();
  private runtimeName = 'kubets-fake';
  /** Pods admitted to run here; a pod is checked once, when first seen. */
  private readonly admitted = new Set<string>();
  private lastRelist = new Map<string, string>();
  private lastRelistAt = 0;
  private signal: AbortSignal = AbortSignal.abort();
  /** Whether the API has the pod; undefined until the pods were listed and handed to this kubelet. */
  private known: (uid: string) => boolean | undefined = () => undefined;

  constructor(private readonly o: KubeletOptions) {
    this.events = new EventRecorder({ client: o.client, controller: 'kubelet', instance: o.flags.nodeName, clock: o.clock, onError: (err) => o.log.debug({ err: err instanceof Error ? err.message : String(err) }, 'event dropped') });
    this.node = new NodeAgent({ flags: o.flags, client: o.client, cri: o.cri, clock: o.clock, log: o.log, events: this.events, kubeletPort: o.port });
    this.informers = new SharedInformerFactory(o.client, { logger: o.log, clock: o.clock });
    this.csiDrivers = new CsiDrivers(o.flags.rootDir);
    const podEvent = (pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void => void this.events.record({ ...pod, apiVersion: 'v1', kind: 'Pod' }, type, reason, reason, message);
    this.prober = new Prober({ cri: o.cri, clock: o.clock, log: o.log, networkProbes: () => this.runtimeName !== FAKE_RUNTIME_NAME, hostIp: () => o.flags.nodeIp, onChange: (uid) => this.enqueue(uid), event: podEvent });
    this.syncer = new PodSyncer({
      cri: o.cri,
      clock: o.clock,
      log: o.log,
      podLogsDir: o.flags.podLogsDir,
      nodeName: o.flags.nodeName,
      hostIp: o.flags.nodeIp,
      // events.k8s.io/v1 requires an action; the kubelet's reason names what it did.
      event: podEvent,
      mustRestart: (pod, c, id) => this.prober.mustRestart(pod, c, id),
      // A simulated runtime makes no cgroups; many simulated kubelets share one process.
      cleanupPod: async (uid) => void (this.runtimeName !== FAKE_RUNTIME_NAME ? await removePodCgroups(uid) : undefined),
      env: apiEnvSources(o.client, () => this.signal),
      allocatable: () => (this.node.current()?.status?.allocatable ?? {}) as Record<string, string>,
      volumes: new VolumeManager({
        rootDir: o.flags.rootDir,
        sources: apiVolumeSources(o.client, () => this.signal),
        allocatable: () => (this.node.current()?.status?.allocatable ?? {}) as Record<string, string>,
        csiDriver: (name) => this.csiDrivers.get(name),
        memoryMediumTmpfs: () => this.runtimeName !== FAKE_RUNTIME_NAME && process.getuid?.() === 0,
      }),
    });
  }

  /** The pods bound to this node, as last seen. */
  podList(): DeepReadonly<Pod>[] {
    return [...this.pods.values()];
  }

  /**
   * Where a container's log is (the current run, or the one before with `previous`), and whether
   * that container still runs; or the error upstream's kubelet answers.
   */
  async containerLog(namespace: string, name: string, container: string, previous: boolean): Promise<{ path: string; running: () => Promise<boolean> } | { code: number; message: string }> {
    const pod = [...this.pods.values()].find((p) => p.metadata?.namespace === namespace && p.metadata?.name === name);
    if (pod === undefined) return { code: 404, message: `pod "${name}" not found` };
    const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    if (!specs.some((c) => c.name === container)) return { code: 404, message: `container "${container}" not found in pod "${name}"` };
    const runtime = await readRuntimePod(this.o.cri, pod.metadata?.uid ?? '', this.signal);
    const [current, before] = containersNamed(runtime, container);
    const picked = previous ? before : current;
    if (picked === undefined) {
      if (previous) return { code: 400, message: `previous terminated container "${container}" in pod "${name}" not found` };
      const waiting = this.syncer.waitingOf(pod.metadata?.uid ?? '').get(container)?.reason ?? 'ContainerCreating';
      return { code: 400, message: `container "${container}" in pod "${name}" is waiting to start: ${waiting}` };
    }
    const id = picked.id;
    return {
      path: picked.logPath,
      running: async () => (await this.o.cri.containerStatus(id).catch(() => undefined))?.state === 'CONTAINER_RUNNING',
    };
  }

  /**
   * The runtime's streaming URL for an exec or attach session in a running container of a pod on
   * this node, or why there is none (as upstream's kubelet answers).
   */
  async streamingUrl(kind: 'exec' | 'attach', namespace: string, name: string, container: string, cmd: readonly string[], streams: StreamFlags): Promise<{ url: string } | { code: number; message: string }> {
    const pod = [...this.pods.values()].find((p) => p.metadata?.namespace === namespace && p.metadata?.name === name);
    if (pod === undefined) return { code: 404, message: `pod "${name}" not found` };
    if (![...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].some((c) => c.name === container)) return { code: 404, message: `container "${container}" not found in pod "${name}"` };
    const runtime = await readRuntimePod(this.o.cri, pod.metadata?.uid ?? '', this.signal);
    const [current] = containersNamed(runtime, container);
    if (current === undefined || current.state !== 'CONTAINER_RUNNING') return { code: 400, message: `container ${container} is not running` };
    try {
      return { url: kind === 'exec' ? await this.o.cri.exec(current.id, cmd, streams, { signal: this.signal }) : await this.o.cri.attach(current.id, streams, { signal: this.signal }) };
    } catch (err) {
      return { code: 500, message: err instanceof Error ? err.message : String(err) };
    }
  }

  /** The Summary API (/stats/summary): the node from the kernel, the pods' containers from the runtime. */
  statsSummary(): Promise<object> {
    this.stats ??= new StatsProvider({
      nodeName: this.o.flags.nodeName,
      startTime: () => this.startedAt,
      now: () => this.o.clock.now(),
      containerStats: () => this.o.cri.listContainerStats(undefined, { signal: this.signal }),
    });
    const pods = [...this.pods.values()]
      .filter((p) => p.status?.phase === 'Running' || p.status?.phase === 'Pending')
      .map((p) => ({ name: p.metadata?.name ?? '', namespace: p.metadata?.namespace ?? '', uid: p.metadata?.uid ?? '', ...(p.status?.startTime !== undefined ? { startTime: p.status.startTime } : {}) }));
    return this.stats.summary(pods);
  }

  private stats: StatsProvider | undefined;
  private readonly startedAt = new Date().toISOString();

  /** The runtime's streaming URL forwarding to the ports of a pod's sandbox on this node, or why there is none. */
  async portForwardUrl(namespace: string, name: string): Promise<{ url: string } | { code: number; message: string }> {
    const pod = [...this.pods.values()].find((p) => p.metadata?.namespace === namespace && p.metadata?.name === name);
    if (pod === undefined) return { code: 404, message: `pod "${name}" not found` };
    const runtime = await readRuntimePod(this.o.cri, pod.metadata?.uid ?? '', this.signal);
    const sandbox = runtime.sandboxes.find((s) => s.state === 'SANDBOX_READY');
    if (sandbox === undefined) return { code: 400, message: `pod ${name} has no running sandbox` };
    try {
      return { url: await this.o.cri.portForward(sandbox.id, [], { signal: this.signal }) };
    } catch (err) {
      return { code: 500, message: err instanceof Error ? err.message : String(err) };
    }
  }

  /** Whether the loops run: the node is registered and the runtime answered its last relist recently. */
  healthy(): boolean {
    return this.node.current() !== undefined && this.o.clock.now() - this.lastRelistAt < 10 * RELIST_PERIOD_MS;
  }

  async run(signal: AbortSignal): Promise<void> {
    this.signal = signal;
    const version = await this.waitForRuntime(signal);
    this.runtimeName = version.runtimeName;
    this.o.log.info({ node: this.o.flags.nodeName, runtime: `${version.runtimeName}://${version.runtimeVersion}` }, 'kubelet starting');
    await this.node.register(signal);
    const node = this.node.current();
    if (node) void this.events.record({ ...node, apiVersion: 'v1', kind: 'Node', metadata: { ...node.metadata, uid: this.o.flags.nodeName } }, 'Normal', 'Starting', 'Starting', 'Starting kubelet.');
    const informer = this.informers.forResource<Pod>(podResource, { fieldSelector: `spec.nodeName=${this.o.flags.nodeName}` });
    const registration = informer.addEventHandler({
      onAdd: (p) => this.observe(p),
      onUpdate: (_o, p) => this.observe(p),
      onDelete: (p) => {
        const pod = unwrapTombstone(p);
        const uid = pod.metadata?.uid ?? '';
        this.pods.delete(uid);
        this.enqueue(uid);
      },
    });
    this.informers.start(signal);
    // Whether the API has a pod: its cache once it was listed and handed to this kubelet's handler
    // (before that, every running pod would look deleted and be killed).
    this.known = (uid) => (registration.hasSynced() ? this.pods.has(uid) || informer.indexer.list().some((p) => p.metadata?.uid === uid) : undefined);
    try {
      await Promise.all([this.node.run(signal), this.relistLoop(signal), this.csiNodeLoop(signal), this.informers.waitForCacheSync(signal)]);
    } finally {
      for (const w of this.workers.values()) w.timer?.cancel();
      this.csiDrivers.close();
    }
  }

  /** The runtime's version once it answers: a kubelet may start before its runtime, or outlive it. */
  private async waitForRuntime(signal: AbortSignal): Promise<{ runtimeName: string; runtimeVersion: string }> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.o.cri.version({ signal, timeoutMs: 5_000 });
      } catch (err) {
        if (signal.aborted) throw err;
        if (attempt % 10 === 0) this.o.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'container runtime not ready; waiting');
        await this.o.clock.sleep(Math.min(100 * 2 ** attempt, 1000), signal);
      }
    }
  }

  private observe(p: DeepReadonly<Pod>): void {
    const uid = p.metadata?.uid ?? '';
    // The echo of this kubelet's own status write (already stored from its answer) needs no sync.
    const echo = this.pods.get(uid)?.metadata?.resourceVersion === p.metadata?.resourceVersion;
    this.pods.set(uid, p);
    if (!echo) this.enqueue(uid);
  }

  /** Runs a sync of the pod now (or after `delayMs`); syncs of one pod never overlap. */
  enqueue(uid: string, delayMs = 0): void {
    if (uid === '' || this.signal.aborted) return;
    let w = this.workers.get(uid);
    if (w === undefined) {
      w = { running: false, again: false, timer: undefined };
      this.workers.set(uid, w);
    }
    const worker = w;
    if (delayMs > 0) {
      worker.timer?.cancel();
      worker.timer = this.o.clock.setTimer(delayMs, () => {
        worker.timer = undefined;
        this.enqueue(uid);
      });
      return;
    }
    if (worker.running) {
      worker.again = true;
      return;
    }
    worker.running = true;
    void (async () => {
      do {
        worker.again = false;
        try {
          await this.syncPod(uid);
        } catch (err) {
          if (this.signal.aborted) break;
          this.o.log.warn({ pod: uid, err: err instanceof Error ? err.message : String(err) }, 'error syncing pod; will retry');
          worker.timer?.cancel();
          worker.timer = this.o.clock.setTimer(1000, () => {
            worker.timer = undefined;
            this.enqueue(uid);
          });
        }
      } while (worker.again && !this.signal.aborted);
      worker.running = false;
      if (!this.pods.has(uid) && worker.timer === undefined) this.workers.delete(uid);
    })();
  }

  private async syncPod(uid: string): Promise<void> {
    const signal = this.signal;
    const pod = this.pods.get(uid) as Pod | undefined;
    if (pod === undefined) {
      // Not known yet is not gone: a kubelet that just started must not kill what it will adopt.
      if (this.known(uid) !== false) return;
      this.prober.forget(uid);
      this.admitted.delete(uid);
      // Gone from the API (deleted, or force-deleted while running): nothing of it may run on.
      await this.syncer.kill(uid, undefined, 0, signal);
      await this.syncer.remove(uid, signal);
      return;
    }
    if (pod.metadata?.deletionTimestamp !== undefined) {
      this.prober.forget(uid);
      const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
      const runtime = await this.syncer.kill(uid, pod, grace, signal);
      const status = computePodStatus({ pod, runtime, waiting: new Map(), runtimeName: this.runtimeName, hostIp: this.o.flags.nodeIp, nowMs: this.o.clock.now(), terminating: true });
      await this.writeStatus(pod, status);
      // Everything stopped: the pod object goes, as upstream's status manager deletes it (grace 0, this uid only).
      try {
        await this.o.client.resource<Pod>(podResource).namespace(pod.metadata.namespace ?? '').delete(pod.metadata.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid }, signal });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
      return;
    }
    if (!this.admit(pod)) return;
    const result = await this.syncer.sync(pod, signal);
    // A container this sync saw running is no news to the next relist (one it just started would
    // otherwise bring the pod straight back for a sync that finds nothing to do). An exited one
    // stays news: its restart is the relist's to trigger.
    for (const c of result.runtime.containers) if (c.state === 'CONTAINER_RUNNING') this.lastRelist.set(c.id, `${c.state}|${uid}`);
    this.prober.sync(pod, result.runtime);
    const specOf = (name: string): Container | undefined => pod.spec?.containers?.find((c) => c.name === name);
    const probes: ProbeView = {
      started: (name, id) => this.prober.started(pod, specOf(name)!, id),
      ready: (name, id) => this.prober.ready(pod, specOf(name)!, id),
    };
    const status = computePodStatus({ pod, runtime: result.runtime, waiting: result.waiting, runtimeName: this.runtimeName, hostIp: this.o.flags.nodeIp, nowMs: this.o.clock.now(), probes });
    await this.writeStatus(pod, status);
    if (result.retryAfterMs !== undefined) this.enqueue(uid, Math.max(1, result.retryAfterMs));
  }

  /**
   * Whether the pod may run here: pods already running (or terminal) were admitted before; a new
   * one is checked against the node and the pods admitted so far, and rejected as upstream does
   * (phase Failed, the predicate's reason, "Pod was rejected: ..." and a Warning Event).
   */
  private admit(pod: Pod): boolean {
    const uid = pod.metadata?.uid ?? '';
    if (this.admitted.has(uid)) return true;
    const phase = pod.status?.phase;
    if (phase === 'Failed' || phase === 'Succeeded') return false;
    const node = this.node.current();
    const started = phase === 'Running' || (pod.status?.containerStatuses ?? []).some((c) => c.containerID !== undefined);
    if (!started && node !== undefined) {
      const others = [...this.pods.values()].filter((p) => this.admitted.has(p.metadata?.uid ?? '') && p.metadata?.deletionTimestamp === undefined && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded') as Pod[];
      const verdict = admitPod(pod, node, others);
      if (!verdict.admit) {
        this.o.log.info({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, reason: verdict.reason }, 'pod rejected');
        void this.events.record({ ...pod, apiVersion: 'v1', kind: 'Pod' }, 'Warning', verdict.reason, verdict.reason, verdict.message);
        void this.writeStatus(pod, { ...pod.status, phase: 'Failed', reason: verdict.reason, message: `Pod was rejected: ${verdict.message}` }).catch(() => undefined);
        return false;
      }
    }
    this.admitted.add(uid);
    return true;
  }

  /** Writes the status when it differs from what the API has (uid-guarded). */
  private async writeStatus(pod: Pod, status: NonNullable<Pod['status']>): Promise<void> {
    if (canonicalJson(pod.status ?? {}) === canonicalJson(status)) return;
    try {
      const updated = await this.o.client
        .resource<Pod>(podResource)
        .namespace(pod.metadata?.namespace ?? '')
        .patch(pod.metadata?.name ?? '', { metadata: { uid: pod.metadata?.uid }, status }, 'merge', { subresource: 'status', signal: this.signal });
      const uid = pod.metadata?.uid ?? '';
      // The next sync starts from what was written, not from a watch event still on its way.
      if (this.pods.has(uid) && updated.metadata?.uid === uid) this.pods.set(uid, updated);
    } catch (err) {
      // Gone, or replaced by a pod of the same name: the watch brings the news.
      if (!isNotFound(err) && !isInvalid(err) && !isConflict(err)) throw err;
    }
  }

  /**
   * The node's CSINode object, as upstream's kubelet keeps it: named after the node, owned by it,
   * listing the CSI drivers whose sockets answer under <root-dir>/plugins. Written when the list
   * changes (looked at every 10 s), so idle nodes cost the API nothing.
   */
  private async csiNodeLoop(signal: AbortSignal): Promise<void> {
    const name = this.o.flags.nodeName;
    const csiNodes = this.o.client.resource<CSINode>(csiNodeResource);
    let written: string | undefined;
    while (!signal.aborted) {
      try {
        const drivers = await this.csiDrivers.registered(signal);
        const want = JSON.stringify(drivers);
        if (want !== written) {
          const node = this.node.current();
          const current = await csiNodes.get(name, { signal }).catch((err: unknown) => {
            if (isNotFound(err)) return undefined;
            throw err;
          });
          if (current === undefined) {
            const owner = node?.metadata?.uid ? [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid }] : [];
            await csiNodes.create({ apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name, ownerReferences: owner }, spec: { drivers } }, { signal });
          } else if (JSON.stringify(current.spec?.drivers ?? []) !== want) {
            await csiNodes.update({ ...current, spec: { ...current.spec, drivers } }, { signal });
          }
          written = want;
        }
      } catch (err) {
        if (!signal.aborted) this.o.log.debug({ err: err instanceof Error ? err.message : String(err) }, 'could not update the CSINode');
      }
      await this.o.clock.sleep(CSI_NODE_PERIOD_MS, signal).catch(() => undefined);
    }
  }

  /** PLEG: every second, what changed in the runtime becomes a sync of its pod. */
  private async relistLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const containers = await this.o.cri.listContainers(undefined, { signal, timeoutMs: 10_000 });
        const now = new Map<string, string>();
        for (const c of containers) now.set(c.id, `${c.state}|${c.labels[POD_UID_LABEL] ?? ''}`);
        const changed = new Set<string>();
        for (const [id, v] of now) if (this.lastRelist.get(id) !== v) changed.add(v.split('|')[1]!);
        for (const [id, v] of this.lastRelist) if (!now.has(id)) changed.add(v.split('|')[1]!);
        this.lastRelist = now;
        // Pods the runtime holds but the API no longer has (deleted while this kubelet was down).
        for (const uid of await runtimePodUids(this.o.cri, signal)) if (this.known(uid) === false) changed.add(uid);
        for (const uid of changed) this.enqueue(uid);
        this.lastRelistAt = this.o.clock.now();
      } catch (err) {
        if (!signal.aborted) this.o.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'runtime relist failed');
      }
      await this.o.clock.sleep(RELIST_PERIOD_MS, signal).catch(() => undefined);
    }
  }
}
