// A Job's podFailurePolicy and successPolicy as upstream evaluates them: the first pod failure
// rule that matches a failed pod decides what the failure does; success policy rules say when an
// Indexed Job has succeeded enough.
import type { Job } from '../../api/batch/v1/job.js';
import type { Pod } from '../../api/core/v1/pod-types.js';
import type { DeepReadonly } from '../../client/informer/store.js';
import { parseIndexes } from './indexes.js';

export type FailureAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

export interface FailureMatch {
  readonly action: FailureAction;
  /** What the FailureTarget condition says when the action fails the Job. */
  readonly message: string;
}

/** The rule a failed pod matches, or undefined (the pod counts against backoffLimit). */
export function matchPodFailurePolicy(job: DeepReadonly<Job>, pod: DeepReadonly<Pod>): FailureMatch | undefined {
  const rules = job.spec?.podFailurePolicy?.rules ?? [];
  const podName = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const [i, rule] of rules.entries()) {
    const action = (rule.action ?? 'Count') as FailureAction;
    const onExit = rule.onExitCodes;
    if (onExit !== undefined) {
      for (const s of statuses) {
        if (onExit.containerName && onExit.containerName !== s.name) continue;
        const code = s.state?.terminated?.exitCode;
        // Exit code 0 never matches: a container that succeeded did not fail the pod.
        if (code === undefined || code === 0) continue;
        const listed = (onExit.values ?? []).includes(code);
        if ((onExit.operator === 'In' && listed) || (onExit.operator === 'NotIn' && !listed)) {
          return { action, message: `Container ${s.name} for pod ${podName} failed with exit code ${code} matching ${action} rule at index ${i}` };
        }
      }
      continue;
    }
    for (const pattern of rule.onPodConditions ?? []) {
      const c = pod.status?.conditions?.find((x) => x.type === pattern.type);
      if (c !== undefined && c.status === (pattern.status ?? 'True')) return { action, message: `Pod ${podName} has condition ${pattern.type} matching ${action} rule at index ${i}` };
    }
  }
  return undefined;
}

/** The index of the first success policy rule the completed indexes satisfy. */
export function matchSuccessPolicy(job: DeepReadonly<Job>, completed: ReadonlySet<number>): number | undefined {
  const completions = job.spec?.completions ?? 0;
  for (const [i, rule] of (job.spec?.successPolicy?.rules ?? []).entries()) {
    if (rule.succeededIndexes !== undefined) {
      const wanted = parseIndexes(rule.succeededIndexes, completions);
      const done = [...wanted].filter((x) => completed.has(x)).length;
      if (done >= (rule.succeededCount ?? wanted.size)) return i;
    } else if (rule.succeededCount !== undefined && completed.size >= rule.succeededCount) return i;
  }
  return undefined;
}
