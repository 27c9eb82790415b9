export * from './job.js';
export { formatIndexes, parseIndexes } from './indexes.js';
export { matchPodFailurePolicy, matchSuccessPolicy } from './policy.js';
