// Extension points. A plugin implements only the ones it needs; the framework finds them by the
// methods present (checked with the type guards below).
import type { CycleState } from './cycle-state.js';
import type { Status } from './status.js';
import type { NodeInfo, PodInfo, Snapshot } from './types.js';

export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;

export interface Plugin {
  readonly name: string;
}

/** What the queue sorts by: a queued pod and when it entered the queue. */
export interface QueuedPodInfo {
  readonly podInfo: PodInfo;
  readonly timestamp: number;
}

export interface QueueSortPlugin extends Plugin {
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
}

export interface PreFilterResult {
  /** Only these nodes can fit; undefined means all nodes. */
  readonly nodeNames?: ReadonlySet<string>;
}

export interface PreFilterOutcome {
  readonly status: Status;
  readonly result?: PreFilterResult;
}

/** Lets preemption's what-if runs update PreFilter state when pods are added to or removed from a node. */
export interface PreFilterExtensions {
  addPod(state: CycleState, podToSchedule: PodInfo, podToAdd: PodInfo, nodeInfo: NodeInfo, snapshot: Snapshot): Status;
  removePod(state: CycleState, podToSchedule: PodInfo, podToRemove: PodInfo, nodeInfo: NodeInfo, snapshot: Snapshot): Status;
}

export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): PreFilterOutcome;
  readonly preFilterExtensions?: PreFilterExtensions;
}

export interface FilterPlugin extends Plugin {
  /** Uses only the NodeInfo given: preemption passes modified copies. */
  filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status;
}

/** What PostFilter needs of the framework: run filters and PreFilter extensions on what-if nodes. */
export interface FrameworkHandle {
  readonly snapshot: Snapshot;
  runFilterPlugins(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status;
  runPreFilterExtensionAddPod(state: CycleState, podToSchedule: PodInfo, podToAdd: PodInfo, nodeInfo: NodeInfo): Status;
  runPreFilterExtensionRemovePod(state: CycleState, podToSchedule: PodInfo, podToRemove: PodInfo, nodeInfo: NodeInfo): Status;
  /** Uniform integer in [0, n). */
  randomInt(n: number): number;
}

/** Filter results per node; nodes absent from the map have absentStatus. */
export interface NodeToStatus {
  readonly statuses: ReadonlyMap<string, Status>;
  readonly absentStatus: Status;
}

export interface PostFilterResult {
  readonly nominatedNodeName?: string;
  /** Pods the caller must delete so that the pod fits on the nominated node. */
  readonly victims?: readonly PodInfo[];
}

export interface PostFilterOutcome {
  readonly status: Status;
  readonly result?: PostFilterResult;
}

export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, filteredNodes: NodeToStatus, handle: FrameworkHandle): PostFilterOutcome;
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], snapshot: Snapshot): Status;
}

export interface NodeScore {
  readonly name: string;
  score: number;
}

export interface ScorePlugin extends Plugin {
  /** A raw score; NormalizeScore (when present) maps the list into [0, 100]. */
  score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): number | Status;
  normalizeScore?(state: CycleState, pod: PodInfo, scores: NodeScore[]): Status;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status;
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}

export interface PermitOutcome {
  readonly status: Status;
  /** With a Wait status: how long the pod may wait before it is rejected. */
  readonly timeoutMs?: number;
}

export interface PermitPlugin extends Plugin {
  permit(state: CycleState, pod: PodInfo, nodeName: string): PermitOutcome;
}

/** Work before the pod is bound (VolumeBinding's volume bindings), I/O like binding itself. */
export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status>;
}

/** Binding is I/O: the scheduler process supplies the implementation (DefaultBinder posts pods/binding). */
export interface BindPlugin extends Plugin {
  bind(state: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status>;
}

export type AnyPlugin = Plugin &
  Partial<
    Pick<QueueSortPlugin, 'less'> &
      Pick<PreFilterPlugin, 'preFilter' | 'preFilterExtensions'> &
      Pick<FilterPlugin, 'filter'> &
      Pick<PostFilterPlugin, 'postFilter'> &
      Pick<PreScorePlugin, 'preScore'> &
      Pick<ScorePlugin, 'score' | 'normalizeScore'> &
      Pick<ReservePlugin, 'reserve' | 'unreserve'> &
      Pick<PermitPlugin, 'permit'> &
      Pick<PreBindPlugin, 'preBind'> &
      Pick<BindPlugin, 'bind'>
  >;

export const isQueueSortPlugin = (p: AnyPlugin): p is QueueSortPlugin => typeof p.less === 'function';
export const isPreFilterPlugin = (p: AnyPlugin): p is PreFilterPlugin => typeof p.preFilter === 'function';
export const isFilterPlugin = (p: AnyPlugin): p is FilterPlugin => typeof p.filter === 'function';
export const isPostFilterPlugin = (p: AnyPlugin): p is PostFilterPlugin => typeof p.postFilter === 'function';
export const isPreScorePlugin = (p: AnyPlugin): p is PreScorePlugin => typeof p.preScore === 'function';
export const isScorePlugin = (p: AnyPlugin): p is ScorePlugin => typeof p.score === 'function';
export const isReservePlugin = (p: AnyPlugin): p is ReservePlugin => typeof p.reserve === 'function' && typeof p.unreserve === 'function';
export const isPermitPlugin = (p: AnyPlugin): p is PermitPlugin => typeof p.permit === 'function';
export const isPreBindPlugin = (p: AnyPlugin): p is PreBindPlugin => typeof p.preBind === 'function';
export const isBindPlugin = (p: AnyPlugin): p is BindPlugin => typeof p.bind === 'function';

export type ExtensionPoint =
  | 'queueSort'
  | 'preFilter'
  | 'filter'
  | 'postFilter'
  | 'preScore'
  | 'score'
  | 'reserve'
  | 'permit'
  | 'preBind'
  | 'bind'
  | 'postBind';

export const EXTENSION_POINTS: readonly ExtensionPoint[] = [
  'queueSort',
  'preFilter',
  'filter',
  'postFilter',
  'preScore',
  'score',
  'reserve',
  'permit',
  'preBind',
  'bind',
  'postBind',
];

/** Whether the plugin implements the extension point (postBind has no plugins here). */
export function implementsPoint(p: AnyPlugin, point: ExtensionPoint): boolean {
  switch (point) {
    case 'queueSort':
      return isQueueSortPlugin(p);
    case 'preFilter':
      return isPreFilterPlugin(p);
    case 'filter':
      return isFilterPlugin(p);
    case 'postFilter':
      return isPostFilterPlugin(p);
    case 'preScore':
      return isPreScorePlugin(p);
    case 'score':
      return isScorePlugin(p);
    case 'reserve':
      return isReservePlugin(p);
    case 'permit':
      return isPermitPlugin(p);
    case 'preBind':
      return isPreBindPlugin(p);
    case 'bind':
      return isBindPlugin(p);
    case 'postBind':
      return false;
  }
}
