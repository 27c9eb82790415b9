// batch/v1: run-to-completion workloads.
import { erase, type ResourceDef } from '../../registry.js';
import { cronJobResource } from './cronjob.js';
import { jobResource } from './job.js';

export * from './cron.js';
export * from './cronjob.js';
export * from './job.js';
export {
  countIndexes,
  validateJob,
  validateJobSpec,
  validateJobSpecCommon,
  validateJobUpdate,
  type JobValidationOptions,
} from './jobvalidation.js';

export const resources: ResourceDef[] = [erase(cronJobResource), erase(jobResource)];
