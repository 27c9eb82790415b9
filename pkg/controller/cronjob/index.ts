export * from './cronjob.js';
export { formatInZone, mostRecentScheduleTime, nextScheduleTime } from './schedule.js';
