// PrioritySort: higher priority first; equal priorities in the order they were queued.
import type { QueuedPodInfo, QueueSortPlugin } from '../../framework/interface.js';

export const PRIORITY_SORT = 'PrioritySort';

export const prioritySort = {
  name: PRIORITY_SORT,
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    const p1 = a.podInfo.priority;
    const p2 = b.podInfo.priority;
    return p1 > p2 || (p1 === p2 && a.timestamp < b.timestamp);
  },
} as const satisfies QueueSortPlugin;
