// The framework: runs a profile's plugins at each extension point over a Snapshot, and
// scheduleOne ties them together (filter a sample of nodes, score, pick one or explain why none).
import { CycleState } from './cycle-state.js';
import { FitError, type Diagnosis } from './fit-error.js';
import {
  isFilterPlugin,
  isPermitPlugin,
  isPreBindPlugin,
  isPostFilterPlugin,
  isPreFilterPlugin,
  isPreScorePlugin,
  isQueueSortPlugin,
  isReservePlugin,
  isScorePlugin,
  MAX_NODE_SCORE,
  MIN_NODE_SCORE,
  type AnyPlugin,
  type FilterPlugin,
  type FrameworkHandle,
  type NodeScore,
  type PermitPlugin,
  type PostFilterOutcome,
  type PostFilterPlugin,
  type PreBindPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type QueuedPodInfo,
  type QueueSortPlugin,
  type ReservePlugin,
  type ScorePlugin,
} from './interface.js';
import type { ResolvedProfile } from './config.js';
import type { PluginDeps, Registry } from './registry.js';
import { errorStatus, isRejected, isSuccess, newStatus, statusMessage, SUCCESS, withPlugin, type Status } from './status.js';
import { PodInfo, type NodeInfo, type Snapshot } from './types.js';
import type { Pod } from '../../api/core/v1/index.js';

/** Uniform number in [0, 1), like Math.random; injected so tests are deterministic. */
export type RandomFn = () => number;

export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
export const ERR_NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

/** How many feasible nodes to look for before scoring (upstream's adaptive sampling). */
export function numFeasibleNodesToFind(percentage: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentage;
  if (pct === 0) pct = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND, 50 - Math.trunc(numAllNodes / 125));
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

export interface NodePluginScores {
  readonly name: string;
  /** Weighted score per plugin. */
  readonly scores: ReadonlyMap<string, number>;
  readonly totalScore: number;
}

export type ScheduleResult =
  | {
      readonly kind: 'scheduled';
      readonly node: string;
      readonly scores: readonly NodePluginScores[];
      readonly evaluatedNodes: number;
      readonly feasibleNodes: number;
      readonly state: CycleState;
      /** Permit's verdict: Success, or Wait with a timeout the caller enforces. */
      readonly permit: { readonly status: Status; readonly timeoutMs?: number };
    }
  | {
      readonly kind: 'unschedulable';
      readonly error: FitError;
      /** Set by preemption: where the pod should go once the victims are gone. */
      readonly nominatedNodeName?: string;
      readonly victims?: readonly PodInfo[];
    }
  | { readonly kind: 'error'; readonly message: string };

export class Framework {
  readonly profileName: string;
  private readonly queueSort: QueueSortPlugin | undefined;
  private readonly preFilter: PreFilterPlugin[];
  private readonly filter: FilterPlugin[];
  private readonly postFilter: PostFilterPlugin[];
  private readonly preScore: PreScorePlugin[];
  private readonly score: ScorePlugin[];
  private readonly reserve: ReservePlugin[];
  private readonly permit: PermitPlugin[];
  private readonly preBind: PreBindPlugin[];
  private readonly weights: ReadonlyMap<string, number>;
  private readonly percentage: number;
  /** Round-robin start of the node sample, carried across cycles as upstream does. */
  nextStartNodeIndex = 0;

  constructor(profile: ResolvedProfile, registry: Registry, deps: PluginDeps = {}) {
    this.profileName = profile.schedulerName;
    const instances = new Map<string, AnyPlugin>();
    const get = (name: string): AnyPlugin => {
      let p = instances.get(name);
      if (!p) {
        const f = registry.get(name);
        if (!f) throw new Error(`plugin "${name}" does not exist`);
        p = f(profile.pluginArgs.get(name), deps);
        instances.set(name, p);
      }
      return p;
    };
    const pick = <T extends AnyPlugin>(names: readonly string[], guard: (p: AnyPlugin) => p is T, point: string): T[] =>
      names.map((n) => {
        const p = get(n);
        if (!guard(p)) throw new Error(`plugin "${n}" does not extend ${point} plugin`);
        return p;
      });
    const pts = profile.points;
    this.queueSort = pick(pts.queueSort, isQueueSortPlugin, 'QueueSort')[0];
    this.preFilter = pick(pts.preFilter, isPreFilterPlugin, 'PreFilter');
    this.filter = pick(pts.filter, isFilterPlugin, 'Filter');
    this.postFilter = pick(pts.postFilter, isPostFilterPlugin, 'PostFilter');
    this.preScore = pick(pts.preScore, isPreScorePlugin, 'PreScore');
    this.score = pick(pts.score, isScorePlugin, 'Score');
    this.reserve = pick(pts.reserve, isReservePlugin, 'Reserve');
    this.permit = pick(pts.permit, isPermitPlugin, 'Permit');
    this.preBind = pick(pts.preBind, isPreBindPlugin, 'PreBind');
    this.weights = profile.scoreWeights;
    this.percentage = profile.percentageOfNodesToScore;
  }

  /** QueueSort: true when a should be tried before b. */
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    if (!this.queueSort) return a.timestamp < b.timestamp;
    return this.queueSort.less(a, b);
  }

  runPreFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): { status: Status; nodeNames?: ReadonlySet<string> } {
    let nodeNames: Set<string> | undefined;
    const pinning: string[] = [];
    let rejected: Status | undefined;
    for (const pl of this.preFilter) {
      const out = pl.preFilter(state, pod, snapshot);
      const s = out.status;
      if (s.code === 'Skip') {
        state.skipFilterPlugins.add(pl.name);
        continue;
      }
      if (!isSuccess(s)) {
        const st = withPlugin(s, pl.name);
        // Unresolvable ends PreFilter; plain Unschedulable lets the rest run so preemption has their state.
        if (st.code === 'UnschedulableAndUnresolvable') return { status: st };
        if (st.code === 'Unschedulable') {
          rejected = st;
          continue;
        }
        return { status: withPlugin(errorStatus(`running PreFilter plugin "${pl.name}": ${statusMessage(s)}`), pl.name) };
      }
      const names = out.result?.nodeNames;
      if (names) {
        pinning.push(pl.name);
        nodeNames = nodeNames ? new Set([...nodeNames].filter((n) => names.has(n))) : new Set(names);
        if (nodeNames.size === 0) {
          const msg =
            pinning.length === 1
              ? `node(s) didn't satisfy plugin ${pinning[0]}`
              : `node(s) didn't satisfy plugin(s) [${pinning.join(' ')}] simultaneously`;
          return { status: newStatus('UnschedulableAndUnresolvable', msg) };
        }
      }
    }
    if (rejected) return { status: rejected };
    return nodeNames ? { status: SUCCESS, nodeNames } : { status: SUCCESS };
  }

  /** Runs the filters in order and stops at the first that rejects the node. */
  runFilterPlugins(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status {
    for (const pl of this.filter) {
      if (state.skipFilterPlugins.has(pl.name)) continue;
      const s = pl.filter(state, pod, nodeInfo);
      if (s.code === 'Success') continue;
      if (!isRejected(s)) return withPlugin(errorStatus(`running "${pl.name}" filter plugin: ${statusMessage(s)}`), pl.name);
      return withPlugin(s, pl.name);
    }
    return SUCCESS;
  }

  runPreFilterExtensionAddPod(state: CycleState, podToSchedule: PodInfo, podToAdd: PodInfo, nodeInfo: NodeInfo, snapshot: Snapshot): Status {
    for (const pl of this.preFilter) {
      if (!pl.preFilterExtensions || state.skipFilterPlugins.has(pl.name)) continue;
      const s = pl.preFilterExtensions.addPod(state, podToSchedule, podToAdd, nodeInfo, snapshot);
      if (!isSuccess(s)) return withPlugin(s, pl.name);
    }
    return SUCCESS;
  }

  runPreFilterExtensionRemovePod(state: CycleState, podToSchedule: PodInfo, podToRemove: PodInfo, nodeInfo: NodeInfo, snapshot: Snapshot): Status {
    for (const pl of this.preFilter) {
      if (!pl.preFilterExtensions || state.skipFilterPlugins.has(pl.name)) continue;
      const s = pl.preFilterExtensions.removePod(state, podToSchedule, podToRemove, nodeInfo, snapshot);
      if (!isSuccess(s)) return withPlugin(s, pl.name);
    }
    return SUCCESS;
  }

  handle(snapshot: Snapshot, rand: RandomFn): FrameworkHandle {
    return {
      snapshot,
      runFilterPlugins: (s, p, n) => this.runFilterPlugins(s, p, n),
      runPreFilterExtensionAddPod: (s, p, a, n) => this.runPreFilterExtensionAddPod(s, p, a, n, snapshot),
      runPreFilterExtensionRemovePod: (s, p, r, n) => this.runPreFilterExtensionRemovePod(s, p, r, n, snapshot),
      randomInt: (n) => Math.min(n - 1, Math.floor(rand() * n)),
    };
  }

  /** Runs PostFilter plugins until one succeeds (or fails hard); the message of the last rejection is kept. */
  runPostFilter(state: CycleState, pod: PodInfo, diagnosis: Diagnosis, snapshot: Snapshot, rand: RandomFn): PostFilterOutcome {
    let last: PostFilterOutcome = { status: newStatus('Unschedulable') };
    const h = this.handle(snapshot, rand);
    for (const pl of this.postFilter) {
      const out = pl.postFilter(state, pod, diagnosis, h);
      if (out.status.code === 'Success') return out;
      if (!isRejected(out.status)) return { status: withPlugin(out.status, pl.name) };
      last = { ...out, status: withPlugin(out.status, pl.name) };
    }
    return last;
  }

  runPreScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], snapshot: Snapshot): Status {
    for (const pl of this.preScore) {
      const s = pl.preScore(state, pod, nodes, snapshot);
      if (s.code === 'Skip') {
        state.skipScorePlugins.add(pl.name);
        continue;
      }
      if (!isSuccess(s)) return withPlugin(errorStatus(`running PreScore plugin "${pl.name}": ${statusMessage(s)}`), pl.name);
    }
    return SUCCESS;
  }

  /** Scores, normalizes and weights; each plugin's normalized score must be within [0, 100]. */
  runScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): { status: Status; scores: NodePluginScores[] } {
    const plugins = this.score.filter((p) => !state.skipScorePlugins.has(p.name));
    const perPlugin: NodeScore[][] = [];
    for (const pl of plugins) {
      const list: NodeScore[] = new Array<NodeScore>(nodes.length);
      for (let i = 0; i < nodes.length; i++) {
        const r = pl.score(state, pod, nodes[i]!);
        if (typeof r !== 'number') return { status: withPlugin(errorStatus(`running Score plugin "${pl.name}": ${statusMessage(r)}`), pl.name), scores: [] };
        list[i] = { name: nodes[i]!.name, score: r };
      }
      if (pl.normalizeScore) {
        const s = pl.normalizeScore(state, pod, list);
        if (!isSuccess(s)) return { status: withPlugin(errorStatus(`running Normalize on Score plugin "${pl.name}": ${statusMessage(s)}`), pl.name), scores: [] };
      }
      const w = this.weights.get(pl.name) ?? 1;
      for (const ns of list) {
        if (ns.score > MAX_NODE_SCORE || ns.score < MIN_NODE_SCORE) {
          const msg = `plugin "${pl.name}" returns an invalid score ${ns.score}, it should in the range of [${MIN_NODE_SCORE}, ${MAX_NODE_SCORE}] after normalizing`;
          return { status: withPlugin(errorStatus(msg), pl.name), scores: [] };
        }
        ns.score *= w;
      }
      perPlugin.push(list);
    }
    const scores: NodePluginScores[] = nodes.map((n, i) => {
      const m = new Map<string, number>();
      let total = 0;
      plugins.forEach((pl, j) => {
        const v = perPlugin[j]![i]!.score;
        m.set(pl.name, v);
        total += v;
      });
      return { name: n.name, scores: m, totalScore: total };
    });
    return { status: SUCCESS, scores };
  }

  runReserve(state: CycleState, pod: PodInfo, nodeName: string): Status {
    for (const pl of this.reserve) {
      const s = pl.reserve(state, pod, nodeName);
      if (!isSuccess(s)) return withPlugin(isRejected(s) ? s : errorStatus(`running Reserve plugin "${pl.name}": ${statusMessage(s)}`), pl.name);
    }
    return SUCCESS;
  }

  /** Undoes Reserve, in reverse order; always runs every plugin. */
  runUnreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (let i = this.reserve.length - 1; i >= 0; i--) this.reserve[i]!.unreserve(state, pod, nodeName);
  }

  /** Any rejection wins; otherwise Wait (with the shortest timeout) when some plugin waits. */
  runPermit(state: CycleState, pod: PodInfo, nodeName: string): { status: Status; timeoutMs?: number } {
    let wait: number | undefined;
    for (const pl of this.permit) {
      const out = pl.permit(state, pod, nodeName);
      const s = out.status;
      if (s.code === 'Wait') {
        wait = Math.min(wait ?? Number.POSITIVE_INFINITY, out.timeoutMs ?? 0);
        continue;
      }
      if (!isSuccess(s)) return { status: withPlugin(isRejected(s) ? s : errorStatus(`running Permit plugin "${pl.name}": ${statusMessage(s)}`), pl.name) };
    }
    return wait === undefined ? { status: SUCCESS } : { status: newStatus('Wait'), timeoutMs: wait };
  }

  /** The PreBind plugins in order; the first that does not succeed ends the run. */
  async runPreBind(state: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status> {
    for (const pl of this.preBind) {
      const s = await pl.preBind(state, pod, nodeName, signal);
      if (!isSuccess(s)) return withPlugin(isRejected(s) ? s : errorStatus(`running PreBind plugin "${pl.name}": ${statusMessage(s)}`), pl.name);
    }
    return SUCCESS;
  }

  /** Filters nodes from the round-robin start until enough feasible ones are found. */
  findFeasibleNodes(
    state: CycleState,
    pod: PodInfo,
    nodes: readonly NodeInfo[],
    statuses: Map<string, Status>,
  ): NodeInfo[] {
    const n = nodes.length;
    if (n === 0) return [];
    const want = numFeasibleNodesToFind(this.percentage, n);
    const feasible: NodeInfo[] = [];
    const start = this.nextStartNodeIndex % n;
    let processed = 0;
    for (; processed < n && feasible.length < want; processed++) {
      const ni = nodes[(start + processed) % n]!;
      const s = this.filter.length === 0 ? SUCCESS : this.runFilterPlugins(state, pod, ni);
      if (s.code === 'Success') feasible.push(ni);
      else statuses.set(ni.name, s);
    }
    this.nextStartNodeIndex = (start + processed) % n;
    return feasible;
  }

  /** One scheduling cycle for a pod over a snapshot: no I/O, no clocks; rand breaks ties. */
  scheduleOne(pod: Pod | PodInfo, snapshot: Snapshot, rand: RandomFn): ScheduleResult {
    const pi = pod instanceof PodInfo ? pod : new PodInfo(pod);
    const all = snapshot.nodeInfos;
    if (all.length === 0) return { kind: 'error', message: ERR_NO_NODES_AVAILABLE };
    const state = new CycleState();

    const pre = this.runPreFilter(state, pi, snapshot);
    if (!isSuccess(pre.status)) {
      if (!isRejected(pre.status)) return { kind: 'error', message: statusMessage(pre.status) };
      const d: Diagnosis = { statuses: new Map(), absentStatus: pre.status, preFilterMsg: statusMessage(pre.status), unschedulablePlugins: new Set(pre.status.plugin ? [pre.status.plugin] : []) };
      return this.unschedulable(state, pi, snapshot, d, rand);
    }

    let nodes = all;
    let absentStatus: Status = newStatus('UnschedulableAndUnresolvable');
    if (pre.nodeNames) {
      nodes = [...pre.nodeNames].map((n) => snapshot.get(n)).filter((n): n is NodeInfo => n !== undefined);
      absentStatus = newStatus('UnschedulableAndUnresolvable', "node(s) didn't satisfy plugin(s) [NodeAffinity]");
    }
    const statuses = new Map<string, Status>();
    const feasible = this.findFeasibleNodes(state, pi, nodes, statuses);
    for (const s of statuses.values()) if (!isRejected(s)) return { kind: 'error', message: statusMessage(s) };
    if (feasible.length === 0) {
      const plugins = new Set<string>();
      for (const s of statuses.values()) if (s.plugin) plugins.add(s.plugin);
      return this.unschedulable(state, pi, snapshot, { statuses, absentStatus, unschedulablePlugins: plugins }, rand);
    }

    let node: string;
    let scores: NodePluginScores[] = [];
    if (feasible.length === 1) {
      node = feasible[0]!.name;
    } else {
      const ps = this.runPreScore(state, pi, feasible, snapshot);
      if (!isSuccess(ps)) return { kind: 'error', message: statusMessage(ps) };
      const sc = this.runScore(state, pi, feasible);
      if (!isSuccess(sc.status)) return { kind: 'error', message: statusMessage(sc.status) };
      scores = sc.scores;
      node = selectHost(scores, rand)!;
    }

    const rs = this.runReserve(state, pi, node);
    if (!isSuccess(rs)) {
      this.runUnreserve(state, pi, node);
      return { kind: 'error', message: statusMessage(rs) };
    }
    const permit = this.runPermit(state, pi, node);
    if (!isSuccess(permit.status) && permit.status.code !== 'Wait') {
      this.runUnreserve(state, pi, node);
      return { kind: 'error', message: statusMessage(permit.status) };
    }
    return { kind: 'scheduled', node, scores, evaluatedNodes: feasible.length + statuses.size, feasibleNodes: feasible.length, state, permit };
  }

  private unschedulable(state: CycleState, pi: PodInfo, snapshot: Snapshot, d: Diagnosis, rand: RandomFn): ScheduleResult {
    const error = new FitError(pi, snapshot.nodeInfos.length, d);
    if (this.postFilter.length === 0) return { kind: 'unschedulable', error };
    const out = this.runPostFilter(state, pi, d, snapshot, rand);
    const msg = statusMessage(out.status);
    if (msg) error.setPostFilterMsg(msg);
    const r = out.result;
    return {
      kind: 'unschedulable',
      error,
      ...(r?.nominatedNodeName ? { nominatedNodeName: r.nominatedNodeName, victims: r.victims ?? [] } : {}),
    };
  }
}

/** The highest total score; ties are broken uniformly at random (reservoir sampling). */
export function selectHost(scores: readonly NodePluginScores[], rand: RandomFn): string | undefined {
  let best: string | undefined;
  let max = Number.NEGATIVE_INFINITY;
  let count = 0;
  for (const s of scores) {
    if (s.totalScore > max) {
      max = s.totalScore;
      best = s.name;
      count = 1;
    } else if (s.totalScore === max) {
      count++;
      if (Math.floor(rand() * count) === 0) best = s.name;
    }
  }
  return best;
}

/** A framework for a resolved profile with the in-tree registry's plugins. */
export function newFramework(profile: ResolvedProfile, registry: Registry, deps: PluginDeps = {}): Framework {
  return new Framework(profile, registry, deps);
}
