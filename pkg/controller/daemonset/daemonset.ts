// DaemonSet controller (upstream's daemonset-controller): one pod of each DaemonSet on every node
// that should run it — the template's nodeSelector and required node affinity match the node, and
// its tolerations (plus the ones every daemon pod gets: not-ready, unreachable, the pressure
// conditions, unschedulable) tolerate the node's NoSchedule and NoExecute taints. Pods are placed
// through node affinity (matchFields metadata.name), so the scheduler binds them. A node that stops
// qualifying loses its pod (NoExecute) or keeps it (NoSchedule only). The template is recorded in
// ControllerRevisions (kubectl rollout history/undo); RollingUpdate replaces old pods node by node
// within maxUnavailable, or with maxSurge starts the new pod first; OnDelete waits for the user.
import type { ControllerRevision } from '../../api/apps/v1/controllerrevision.js';
import { controllerRevisionResource } from '../../api/apps/v1/controllerrevision.js';
import type { DaemonSet } from '../../api/apps/v1/daemonset.js';
import { daemonSetResource } from '../../api/apps/v1/daemonset.js';
import type { Taint, Toleration } from '../../api/core/v1/common.js';
import type { Node } from '../../api/core/v1/node.js';
import { nodeResource } from '../../api/core/v1/node.js';
import type { Pod } from '../../api/core/v1/pod-types.js';
import { podResource } from '../../api/core/v1/pod.js';
import { tolerationsTolerateTaint } from '../../api/core/v1/toleration.js';
import { labelSelectorAsSelectorOrNothing } from '../../api/selectors/labels.js';
import type { Lister } from '../../client/informer/lister.js';
import type { SharedIndexInformer } from '../../client/informer/shared-informer.js';
import { metaNamespaceKey, splitMetaNamespaceKey, unwrapTombstone, type DeepReadonly } from '../../client/informer/store.js';
import { RequiredNodeAffinity } from '../../scheduler/framework/node-selector.js';
import { scaledValue } from '../framework/index.js';
import {
  canonicalJson,
  claimChildren,
  computeHash,
  CONTROLLER_REVISION_HASH_LABEL_KEY,
  controllerRefOf,
  ControllerExpectations,
  generateNamePrefix,
  isAlreadyExists,
  isNotFound,
  isPodAvailable,
  isPodReady,
  newControllerRef,
  podFromTemplate,
  PodControl,
  type ControllerContext,
  type ControllerDefinition,
  templateRevisionData,
  WorkloadController,
} from '../framework/index.js';
import { CONTROLLER_UID_INDEX, byControllerUid, type ReconcileResult } from '../framework/index.js';

const DS_KIND = { apiVersion: 'apps/v1', kind: 'DaemonSet' } as const;
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

type DSView = DeepReadonly<DaemonSet>;
type PodView = DeepReadonly<Pod>;
type NodeView = DeepReadonly<Node>;

/** The tolerations every daemon pod gets (upstream's AddOrUpdateDaemonPodTolerations). */
export function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const t: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (hostNetwork) t.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  return t;
}

/** The template's tolerations with the daemon ones added where the template has none for that key and effect. */
function withDaemonTolerations(own: readonly Toleration[] | undefined, hostNetwork: boolean): Toleration[] {
  const out = [...(own ?? [])];
  for (const t of daemonTolerations(hostNetwork)) if (!out.some((o) => o.key === t.key && o.effect === t.effect)) out.push(t);
  return out;
}

/**
 * upstream's NodeShouldRunDaemonPod: `shouldRun` — a new pod belongs there; `shouldContinue` — a
 * pod already there may stay (only an untolerated NoExecute taint or a mismatch sends it away).
 */
export function nodeShouldRunDaemonPod(node: NodeView, ds: DSView): { shouldRun: boolean; shouldContinue: boolean } {
  const spec = ds.spec?.template?.spec;
  const pod = { spec: { ...spec, nodeName: node.metadata?.name } } as Pod;
  if (spec?.nodeName && spec.nodeName !== node.metadata?.name) return { shouldRun: false, shouldContinue: false };
  if (!new RequiredNodeAffinity(pod).matches(node as Node)) return { shouldRun: false, shouldContinue: false };
  const tolerations = withDaemonTolerations(spec?.tolerations as Toleration[] | undefined, spec?.hostNetwork === true);
  let shouldRun = true;
  for (const taint of (node.spec?.taints ?? []) as Taint[]) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (tolerationsTolerateTaint(tolerations, taint)) continue;
    if (taint.effect === 'NoExecute') return { shouldRun: false, shouldContinue: false };
    shouldRun = false;
  }
  return { shouldRun, shouldContinue: true };
}

/** The node a daemon pod is for: its nodeName once bound, else the node its affinity pins. */
export function nodeOfDaemonPod(p: PodView): string | undefined {
  if (p.spec?.nodeName) return p.spec.nodeName;
  for (const term of p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

const revisionData = (ds: DSView): unknown => templateRevisionData(ds.spec?.template);

export class DaemonSetController extends WorkloadController {
  private readonly sets: Lister<DaemonSet>;
  private readonly podInformer: SharedIndexInformer<Pod>;
  private readonly pods: Lister<Pod>;
  private readonly nodes: Lister<Node>;
  private readonly revisionInformer: SharedIndexInformer<ControllerRevision>;
  readonly expectations: ControllerExpectations;
  private readonly podControl: PodControl;

  constructor(ctx: ControllerContext) {
    super(ctx, { queue: 'daemonset', component: 'daemonset-controller' });
    this.expectations = new ControllerExpectations(ctx.clock);
    this.podControl = new PodControl(this.client, this.events, this.expectations);
    const dsInformer = ctx.informers.forResource<DaemonSet>(daemonSetResource);
    this.podInformer = ctx.informers.forResource<Pod>(podResource, { indexers: { [CONTROLLER_UID_INDEX]: byControllerUid } });
    const nodeInformer = ctx.informers.forResource<Node>(nodeResource);
    this.revisionInformer = ctx.informers.forResource<ControllerRevision>(controllerRevisionResource, { indexers: { [CONTROLLER_UID_INDEX]: byControllerUid } });
    this.sets = dsInformer.lister();
    this.pods = this.podInformer.lister();
    this.nodes = nodeInformer.lister();
    dsInformer.addEventHandler({
      onAdd: (ds) => this.loop.enqueueObject(ds),
      onUpdate: (_o, ds) => this.loop.enqueueObject(ds),
      onDelete: (ds) => {
        this.expectations.forget(metaNamespaceKey(unwrapTombstone(ds)));
        this.loop.enqueueObject(ds);
      },
    });
    this.podInformer.addEventHandler({
      onAdd: (p) => this.podEvent(p, 'add'),
      onUpdate: (old, p) => this.podEvent(p, old.metadata?.deletionTimestamp === undefined && p.metadata?.deletionTimestamp !== undefined ? 'delete' : 'update'),
      onDelete: (p) => this.podEvent(unwrapTombstone(p), 'delete'),
    });
    // A node's labels, taints or readiness decide which DaemonSets belong there: every one looks again.
    const allSets = (): void => this.sets.list().forEach((ds) => this.loop.enqueueObject(ds));
    const shape = (n: NodeView): string => canonicalJson([n.metadata?.labels, n.spec?.taints, n.spec?.unschedulable]);
    nodeInformer.addEventHandler({ onAdd: allSets, onUpdate: (o, n) => (shape(o) !== shape(n) ? allSets() : undefined), onDelete: allSets });
  }

  private podEvent(p: PodView, what: 'add' | 'update' | 'delete'): void {
    const ref = controllerRefOf(p);
    if (ref?.kind !== 'DaemonSet') return;
    const ds = this.sets.namespace(p.metadata?.namespace ?? '').get(ref.name);
    if (ds?.metadata?.uid !== ref.uid) return;
    const key = metaNamespaceKey(ds);
    if (what === 'add') this.expectations.creationObserved(key);
    if (what === 'delete') this.expectations.deletionObserved(key, metaNamespaceKey(p));
    this.loop.enqueue(key);
    // A pod that became ready becomes available minReadySeconds later.
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (what === 'update' && minReady > 0) this.loop.enqueueAfter(key, minReady * 1000 + 1000);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const ds = this.sets.namespace(namespace).get(name);
    if (ds === undefined) {
      this.expectations.forget(key);
      return;
    }
    if (ds.metadata?.deletionTimestamp !== undefined) return;
    const hash = await this.currentRevision(ds);
    const selector = labelSelectorAsSelectorOrNothing(ds.spec?.selector);
    const pods = await claimChildren<Pod>({
      owner: ds,
      ownerKind: DS_KIND,
      ownerResource: daemonSetResource,
      childResource: podResource,
      client: this.client,
      selector,
      owned: this.podInformer.indexer.byIndex(CONTROLLER_UID_INDEX, ds.metadata?.uid ?? ''),
      matching: this.pods.namespace(namespace).list(selector),
    });
    const byNode = new Map<string, PodView[]>();
    for (const p of pods) {
      if (p.metadata?.deletionTimestamp !== undefined) continue;
      const node = nodeOfDaemonPod(p);
      if (node === undefined) continue;
      byNode.set(node, [...(byNode.get(node) ?? []), p]);
    }
    const nodes = this.nodes.list();
    let manageError: unknown;
    if (this.expectations.satisfied(key)) {
      try {
        await this.manage(key, ds, nodes, byNode, hash);
      } catch (err) {
        manageError = err;
      }
    }
    await this.updateStatus(ds, nodes, byNode, hash);
    if (manageError !== undefined) throw manageError;
    const recheck = this.expectations.recheckInMs(key);
    if (recheck !== undefined) return { requeueAfterMs: recheck };
  }

  /** Creates, deletes and (RollingUpdate) replaces daemon pods; one kind of change per sync, as upstream. */
  private async manage(key: string, ds: DSView, nodes: readonly NodeView[], byNode: ReadonlyMap<string, PodView[]>, hash: string): Promise<void> {
    const create: string[] = [];
    const remove: PodView[] = [];
    const now = this.clock.now();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const surge = ds.spec?.updateStrategy?.type === 'RollingUpdate' && scaledValue(ds.spec.updateStrategy.rollingUpdate?.maxSurge, nodes.length, true) > 0;
    for (const node of nodes) {
      const nodeName = node.metadata?.name ?? '';
      const { shouldRun, shouldContinue } = nodeShouldRunDaemonPod(node, ds);
      const here = byNode.get(nodeName) ?? [];
      if (!shouldContinue) {
        remove.push(...here);
        continue;
      }
      const failed = here.filter((p) => p.status?.phase === 'Failed');
      for (const p of failed) void this.events.record(ds, 'Warning', 'FailedDaemonPod', 'FailedDaemonPod', `Found failed daemon pod ${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''} on node ${nodeName}, will try to kill it`);
      remove.push(...failed);
      const live = here.filter((p) => p.status?.phase !== 'Failed');
      if (live.length === 0) {
        if (shouldRun) create.push(nodeName);
        continue;
      }
      // More than one: keep the oldest (during a surge rollout, one old and one new may share a node).
      if (live.length > 1 && !surge) {
        const oldestFirst = [...live].sort((a, b) => (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? ''));
        remove.push(...oldestFirst.slice(1));
      }
    }
    if (create.length > 0 || remove.length > 0) {
      await this.podControl.deletePods(ds, key, remove);
      await this.podControl.createPods(ds, key, create.length, this.podMaker(ds, hash, [...create]));
      return;
    }
    if (ds.spec?.updateStrategy?.type !== 'RollingUpdate') return;
    await this.rollingUpdate(key, ds, nodes, byNode, hash, now, minReady);
  }

  /** One step of a rolling update: old pods replaced within maxUnavailable, or (maxSurge) new pods started first. */
  private async rollingUpdate(key: string, ds: DSView, nodes: readonly NodeView[], byNode: ReadonlyMap<string, PodView[]>, hash: string, now: number, minReady: number): Promise<void> {
    const eligible = nodes.filter((n) => nodeShouldRunDaemonPod(n, ds).shouldRun || (byNode.get(n.metadata?.name ?? '') ?? []).length > 0);
    const desired = eligible.length;
    const ru = ds.spec?.updateStrategy?.rollingUpdate;
    const maxSurge = scaledValue(ru?.maxSurge, desired, true);
    const maxUnavailable = scaledValue(ru?.maxUnavailable, desired, true);
    const isNew = (p: PodView): boolean => p.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL_KEY] === hash;
    const available = (p: PodView): boolean => isPodAvailable(p, minReady, now);
    const toDelete: PodView[] = [];
    const toCreate: string[] = [];
    if (maxSurge === 0) {
      let unavailable = 0;
      const candidates: PodView[] = [];
      for (const n of eligible) {
        const here = byNode.get(n.metadata?.name ?? '') ?? [];
        const pod = here[0];
        if (pod === undefined || !available(pod)) unavailable++;
        if (pod === undefined || isNew(pod)) continue;
        // An old pod that is not available costs nothing to replace.
        if (!available(pod)) toDelete.push(pod);
        else candidates.push(pod);
      }
      const budget = Math.max(0, maxUnavailable - unavailable + toDelete.length);
      toDelete.push(...candidates.slice(0, Math.max(0, budget - toDelete.length)));
    } else {
      let surging = 0;
      const waiting: string[] = [];
      for (const n of eligible) {
        const nodeName = n.metadata?.name ?? '';
        const here = byNode.get(nodeName) ?? [];
        const oldPods = here.filter((p) => !isNew(p));
        const newPod = here.find(isNew);
        if (oldPods.length === 0) continue;
        if (newPod === undefined) {
          // An old pod already unavailable is simply replaced; otherwise a new one starts beside it.
          if (oldPods.every((p) => !available(p))) toDelete.push(...oldPods);
          else waiting.push(nodeName);
        } else if (available(newPod)) toDelete.push(...oldPods);
        else surging++;
      }
      toCreate.push(...waiting.slice(0, Math.max(0, maxSurge - surging)));
    }
    if (toDelete.length > 0) await this.podControl.deletePods(ds, key, toDelete);
    if (toCreate.length > 0) await this.podControl.createPods(ds, key, toCreate.length, this.podMaker(ds, hash, toCreate));
  }

  /** Pods for the given nodes in turn: the template, pinned by node affinity, daemon tolerations, revision labels. */
  private podMaker(ds: DSView, hash: string, nodes: string[]): () => Pod {
    let i = 0;
    return () => {
      const nodeName = nodes[i++]!;
      const pod = podFromTemplate({ namespace: ds.metadata?.namespace ?? '', template: ds.spec!.template!, controllerRef: newControllerRef(ds, DS_KIND), generateName: generateNamePrefix(ds.metadata?.name ?? '') });
      const meta = (pod.metadata ??= {});
      meta.labels = { ...meta.labels, [CONTROLLER_REVISION_HASH_LABEL_KEY]: hash, [TEMPLATE_GENERATION_LABEL]: ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION] ?? String(ds.metadata?.generation ?? 1) };
      const spec = pod.spec!;
      spec.tolerations = withDaemonTolerations(spec.tolerations, spec.hostNetwork === true);
      // Only this node: the template's other required terms are replaced, as upstream does.
      const affinity = (spec.affinity ??= {});
      affinity.nodeAffinity = {
        ...affinity.nodeAffinity,
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] },
      };
      return pod;
    };
  }

  /** The hash of the current template's ControllerRevision, made (or renumbered) when needed. */
  private async currentRevision(ds: DSView): Promise<string> {
    const revisions = this.revisionInformer.indexer.byIndex(CONTROLLER_UID_INDEX, ds.metadata?.uid ?? '');
    const data = revisionData(ds);
    const maxRevision = Math.max(0, ...revisions.map((r) => r.revision ?? 0));
    const matching = revisions.filter((r) => canonicalJson(r.data) === canonicalJson(data));
    const current = matching.sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0))[0];
    if (current !== undefined) {
      const others = revisions.filter((r) => r !== current);
      const next = Math.max(0, ...others.map((r) => r.revision ?? 0)) + 1;
      if ((current.revision ?? 0) < next) {
        // Back to an older template (kubectl rollout undo): it becomes the newest revision.
        await this.client.update<ControllerRevision>(controllerRevisionResource, { ...(structuredClone(current) as ControllerRevision), revision: next });
      }
      await this.truncateHistory(ds, revisions, current);
      return current.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL_KEY] ?? current.metadata?.name?.slice((ds.metadata?.name ?? '').length + 1) ?? '';
    }
    const hash = computeHash(ds.spec?.template, ds.status?.collisionCount);
    const revision: ControllerRevision = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: `${ds.metadata?.name ?? ''}-${hash}`,
        namespace: ds.metadata?.namespace ?? '',
        labels: { ...ds.spec?.template?.metadata?.labels, [CONTROLLER_REVISION_HASH_LABEL_KEY]: hash },
        ...(ds.metadata?.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
        ownerReferences: [newControllerRef(ds, DS_KIND)],
      },
      data: data as ControllerRevision['data'],
      revision: maxRevision + 1,
    };
    try {
      await this.client.create<ControllerRevision>(controllerRevisionResource, ds.metadata?.namespace ?? '', revision);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // Same name, other data: a hash collision. A new collision count gives a new name next sync.
      const existing = await this.client.get<ControllerRevision>(controllerRevisionResource, ds.metadata?.namespace ?? '', revision.metadata!.name!);
      if (canonicalJson(existing.data) !== canonicalJson(data)) {
        const next = structuredClone(ds) as DaemonSet;
        next.status = { ...next.status, collisionCount: (ds.status?.collisionCount ?? 0) + 1 } as DaemonSet['status'];
        await this.client.updateStatus<DaemonSet>(daemonSetResource, next);
        throw new Error(`controller revision ${revision.metadata!.name!} exists with other data: collision count raised`);
      }
    }
    return hash;
  }

  /** Keeps revisionHistoryLimit old revisions that no pod uses any more. */
  private async truncateHistory(ds: DSView, revisions: readonly DeepReadonly<ControllerRevision>[], current: DeepReadonly<ControllerRevision>): Promise<void> {
    const limit = ds.spec?.revisionHistoryLimit ?? 10;
    const inUse = new Set(this.podInformer.indexer.byIndex(CONTROLLER_UID_INDEX, ds.metadata?.uid ?? '').map((p) => p.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL_KEY]));
    const old = revisions.filter((r) => r !== current && !inUse.has(r.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL_KEY])).sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
    for (const r of old.slice(0, Math.max(0, old.length - limit))) {
      await this.client.delete(controllerRevisionResource, r.metadata?.namespace ?? '', r.metadata?.name ?? '').catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    }
  }

  private async updateStatus(ds: DSView, nodes: readonly NodeView[], byNode: ReadonlyMap<string, PodView[]>, hash: string): Promise<void> {
    const now = this.clock.now();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    let desired = 0;
    let current = 0;
    let misscheduled = 0;
    let ready = 0;
    let updated = 0;
    let available = 0;
    for (const node of nodes) {
      const here = byNode.get(node.metadata?.name ?? '') ?? [];
      const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
      if (!shouldRun) {
        if (here.length > 0) misscheduled++;
        continue;
      }
      desired++;
      if (here.length === 0) continue;
      current++;
      if (here.some((p) => isPodReady(p))) ready++;
      if (here.some((p) => isPodAvailable(p, minReady, now))) available++;
      if (here.some((p) => p.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL_KEY] === hash)) updated++;
    }
    const status = {
      ...ds.status,
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      desiredNumberScheduled: desired,
      numberReady: ready,
      observedGeneration: ds.metadata?.generation ?? 0,
      updatedNumberScheduled: updated,
      numberAvailable: available,
      numberUnavailable: desired - available,
    };
    if (status.numberAvailable === 0) delete (status as { numberAvailable?: number }).numberAvailable;
    if (status.numberUnavailable === 0) delete (status as { numberUnavailable?: number }).numberUnavailable;
    if (status.updatedNumberScheduled === 0) delete (status as { updatedNumberScheduled?: number }).updatedNumberScheduled;
    if (canonicalJson(status) === canonicalJson(ds.status ?? {})) return;
    try {
      await this.client.updateStatus<DaemonSet>(daemonSetResource, { ...(structuredClone(ds) as DaemonSet), status: structuredClone(status) as DaemonSet['status'] });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    // Pods ready but not yet available: look again when they get there.
    if (minReady > 0 && ready > available) this.loop.enqueueAfter(metaNamespaceKey(ds), minReady * 1000);
  }
}

export const daemonSetControllerDefinition: ControllerDefinition = {
  name: 'daemonset-controller',
  aliases: ['daemonset'],
  workers: { flag: 'concurrent-daemonset-syncs', default: 2 },
  create: (ctx) => new DaemonSetController(ctx),
};
