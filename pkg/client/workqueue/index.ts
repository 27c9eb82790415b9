// Public surface of the work queues and rate limiters.
export { BasicWorkQueue, DelayingWorkQueue } from './queue.js';
export type { DelayingQueue, QueueMetrics, QueueOptions, WorkQueue } from './queue.js';
export {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  RateLimitingWorkQueue,
  defaultControllerRateLimiter,
} from './rate-limiting.js';
export type { RateLimiter, RateLimitingQueue, RateLimitingQueueOptions } from './rate-limiting.js';
