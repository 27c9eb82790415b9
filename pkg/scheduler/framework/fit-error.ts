// The "0/3 nodes are available: ..." error of a pod that fits no node, formatted as upstream.
import type { NodeToStatus } from './interface.js';
import type { PodInfo } from './types.js';

export interface Diagnosis extends NodeToStatus {
  /** Set when PreFilter rejected the pod: the message replaces the per-node histogram. */
  readonly preFilterMsg?: string;
  /** PostFilter's (preemption's) message, appended as its own sentence. */
  postFilterMsg?: string;
  readonly unschedulablePlugins?: ReadonlySet<string>;
}

export class FitError extends Error {
  override readonly name = 'FitError';

  constructor(
    readonly pod: PodInfo,
    readonly numAllNodes: number,
    readonly diagnosis: Diagnosis,
  ) {
    super(fitErrorMessage(numAllNodes, diagnosis));
  }

  /** Records PostFilter's message and rebuilds the text. */
  setPostFilterMsg(msg: string): void {
    this.diagnosis.postFilterMsg = msg;
    this.message = fitErrorMessage(this.numAllNodes, this.diagnosis);
  }
}

export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (d.preFilterMsg) {
    msg += ` ${d.preFilterMsg}.`;
  } else {
    const counts = new Map<string, number>();
    for (const s of d.statuses.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    const absent = numAllNodes - d.statuses.size;
    if (absent > 0) for (const r of d.absentStatus.reasons) counts.set(r, (counts.get(r) ?? 0) + absent);
    // Sorted as strings, count included, exactly as upstream ("10 x" before "2 y").
    const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (parts.length > 0) msg += ` ${parts.join(', ')}.`;
  }
  // The nested preemption message already ends its sentence; real events show a single period.
  if (d.postFilterMsg) msg += d.postFilterMsg.endsWith('.') ? ` ${d.postFilterMsg}` : ` ${d.postFilterMsg}.`;
  return msg;
}
