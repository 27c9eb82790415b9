// The scheduler's view of the cluster: nodes with the pods on them, including pods it has
// assumed (chosen a node for, binding in flight) so the next cycle counts them at once instead of
// waiting for the binding to come back through the watch.
//
// Snapshots are live: scheduling a pod (Framework.scheduleOne) is synchronous, so nothing can
// change the cache during a cycle, and the snapshot can share the cache's NodeInfos. It is
// rebuilt only when the set of nodes or a node object changes.
import type { Node, Pod } from '../../api/core/v1/index.js';
import { NO_STORAGE, NodeInfo, PodInfo, Snapshot, type StorageLister } from '../framework/index.js';

interface PodState {
  info: PodInfo;
  node: string;
  /** Placed by this scheduler, not yet seen bound through the watch. */
  assumed: boolean;
}

export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly pods = new Map<string, PodState>();
  /** Pods bound to nodes the cache has not seen yet: placed when the node arrives. */
  private readonly orphans = new Map<string, Map<string, PodInfo>>();
  private readonly namespaceLabels = new Map<string, Readonly<Record<string, string>>>();
  private current: Snapshot | undefined;

  /** The claims, volumes and classes every snapshot reads (the scheduler's listers, live). */
  constructor(private readonly storage: StorageLister = NO_STORAGE) {}

  nodeCount(): number {
    return this.nodes.size;
  }

  snapshot(): Snapshot {
    this.current ??= new Snapshot([...this.nodes.values()], this.namespaceLabels, this.storage);
    return this.current;
  }

  setNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const old = this.nodes.get(name);
    const info = new NodeInfo(node);
    if (old) for (const p of old.pods) info.addPod(p);
    const waiting = this.orphans.get(name);
    if (waiting) {
      for (const p of waiting.values()) info.addPod(p);
      this.orphans.delete(name);
    }
    this.nodes.set(name, info);
    this.current = undefined;
  }

  removeNode(name: string): void {
    const info = this.nodes.get(name);
    if (!info) return;
    // Its pods stay known (they will be deleted by the node lifecycle), waiting for the node.
    const waiting = new Map(info.pods.map((p) => [p.key, p]));
    if (waiting.size > 0) this.orphans.set(name, waiting);
    this.nodes.delete(name);
    this.current = undefined;
  }

  setNamespaceLabels(name: string, labels: Readonly<Record<string, string>> | undefined): void {
    if (labels === undefined) this.namespaceLabels.delete(name);
    else this.namespaceLabels.set(name, labels);
  }

  /** A pod bound to a node (seen through the watch), added or changed. Confirms an assumed pod. */
  setBoundPod(pod: Pod): void {
    const key = podKey(pod);
    const node = pod.spec?.nodeName ?? '';
    const prev = this.pods.get(key);
    if (prev) this.detach(key, prev);
    const info = new PodInfo(pod);
    this.pods.set(key, { info, node, assumed: false });
    this.attach(key, node, info);
  }

  removePod(key: string): void {
    const prev = this.pods.get(key);
    if (!prev) return;
    this.detach(key, prev);
    this.pods.delete(key);
  }

  isAssumed(key: string): boolean {
    return this.pods.get(key)?.assumed === true;
  }

  /** The pod goes to `node` now, before the binding is written. */
  assume(info: PodInfo, node: string): void {
    const key = info.key;
    const prev = this.pods.get(key);
    if (prev) this.detach(key, prev);
    this.pods.set(key, { info, node, assumed: true });
    this.attach(key, node, info);
  }

  /** The binding failed: the assumed pod leaves its node again. */
  forget(key: string): void {
    const prev = this.pods.get(key);
    if (prev?.assumed) this.removePod(key);
  }

  private attach(key: string, node: string, info: PodInfo): void {
    const ni = this.nodes.get(node);
    if (ni) ni.addPod(info);
    else {
      let m = this.orphans.get(node);
      if (!m) this.orphans.set(node, (m = new Map()));
      m.set(key, info);
    }
  }

  private detach(key: string, prev: PodState): void {
    const ni = this.nodes.get(prev.node);
    if (ni) ni.removePod(prev.info);
    else this.orphans.get(prev.node)?.delete(key);
  }
}
