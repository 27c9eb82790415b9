// Score normalization shared by several plugins.
import type { NodeScore } from '../../framework/interface.js';

/** Scales scores to [0, max] by the highest score; reverse flips them (fewer is better). */
export function defaultNormalizeScore(max: number, reverse: boolean, scores: NodeScore[]): void {
  let top = 0;
  for (const s of scores) if (s.score > top) top = s.score;
  if (top === 0) {
    if (reverse) for (const s of scores) s.score = max;
    return;
  }
  for (const s of scores) {
    let v = Math.trunc((max * s.score) / top);
    if (reverse) v = max - v;
    s.score = v;
  }
}
