// Protobuf field numbers of the batch/v1 types, as Kubernetes v1.32 assigns them, keyed by our
// OpenAPI definition names and JSON field names. The schemas give the shape; this only adds numbers.
import type { WireGroup } from '../../schema/protobuf.js';

const P = 'io.k8s.api.batch.v1.';

export const batchWire: WireGroup = {
  fields: {
    [`${P}CronJob`]: { metadata: 1, spec: 2, status: 3 },
    [`${P}CronJobSpec`]: {
      schedule: 1, timeZone: 8, startingDeadlineSeconds: 2, concurrencyPolicy: 3, suspend: 4, jobTemplate: 5,
      successfulJobsHistoryLimit: 6, failedJobsHistoryLimit: 7,
    },
    [`${P}CronJobStatus`]: { active: 1, lastScheduleTime: 4, lastSuccessfulTime: 5 },
    [`${P}Job`]: { metadata: 1, spec: 2, status: 3 },
    [`${P}JobCondition`]: { type: 1, status: 2, lastProbeTime: 3, lastTransitionTime: 4, reason: 5, message: 6 },
    [`${P}JobSpec`]: {
      parallelism: 1, completions: 2, activeDeadlineSeconds: 3, podFailurePolicy: 11, successPolicy: 16, backoffLimit: 7,
      backoffLimitPerIndex: 12, maxFailedIndexes: 13, selector: 4, manualSelector: 5, template: 6, ttlSecondsAfterFinished: 8,
      completionMode: 9, suspend: 10, podReplacementPolicy: 14, managedBy: 15,
    },
    [`${P}JobStatus`]: {
      conditions: 1, startTime: 2, completionTime: 3, active: 4, succeeded: 5, failed: 6, terminating: 11, completedIndexes: 7,
      failedIndexes: 10, uncountedTerminatedPods: 8, ready: 9,
    },
    [`${P}JobTemplateSpec`]: { metadata: 1, spec: 2 },
    [`${P}PodFailurePolicy`]: { rules: 1 },
    [`${P}PodFailurePolicyOnExitCodesRequirement`]: { containerName: 1, operator: 2, values: 3 },
    [`${P}PodFailurePolicyOnPodConditionsPattern`]: { type: 1, status: 2 },
    [`${P}PodFailurePolicyRule`]: { action: 1, onExitCodes: 2, onPodConditions: 3 },
    [`${P}SuccessPolicy`]: { rules: 1 },
    [`${P}SuccessPolicyRule`]: { succeededIndexes: 1, succeededCount: 2 },
    [`${P}UncountedTerminatedPods`]: { succeeded: 1, failed: 2 },
  },
  keepZero: {
    [`${P}CronJobSpec`]: ['schedule', 'timeZone', 'startingDeadlineSeconds', 'suspend', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'],
    [`${P}JobCondition`]: ['type', 'status'],
    [`${P}JobSpec`]: ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'backoffLimitPerIndex', 'maxFailedIndexes', 'manualSelector', 'ttlSecondsAfterFinished', 'completionMode', 'suspend', 'podReplacementPolicy', 'managedBy'],
    [`${P}JobStatus`]: ['terminating', 'failedIndexes', 'ready'],
    [`${P}PodFailurePolicyOnExitCodesRequirement`]: ['containerName', 'operator'],
    [`${P}PodFailurePolicyOnPodConditionsPattern`]: ['type', 'status'],
    [`${P}PodFailurePolicyRule`]: ['action'],
    [`${P}SuccessPolicyRule`]: ['succeededIndexes', 'succeededCount'],
  },
};
