// When a CronJob's schedule fires, as the cron library upstream uses computes it: the next matching
// minute after a time, read on the wall clock of the schedule's time zone (a wall time that a DST
// change skips does not fire that day, as with cron), and the most recent time a
// schedule should have fired since the last run, counting how many were missed.
import { starBit, type CronFields, type CronSchedule } from '../../api/batch/v1/cron.js';

interface Wall {
  y: number;
  mo: number; // 1-12
  d: number;
  h: number;
  mi: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock in `timeZone` at `ms` (seconds dropped). */
function wallAt(ms: number, timeZone: string): Wall {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts['year']!, mo: parts['month']!, d: parts['day']!, h: parts['hour']! % 24, mi: parts['minute']! };
}

/** The zone's offset from UTC at `ms`, in ms. */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const w = wallAt(ms, timeZone);
  const asUtc = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi);
  return asUtc - (ms - (((ms % 60_000) + 60_000) % 60_000));
}

/** The instant a wall time names, or undefined for one a DST change skips. */
function instantOf(w: Wall, timeZone: string): number | undefined {
  const naive = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi);
  const first = naive - zoneOffsetMs(naive, timeZone);
  for (const at of [first, naive - zoneOffsetMs(first, timeZone)].sort((a, b) => a - b)) {
    const back = wallAt(at, timeZone);
    if (back.h === w.h && back.mi === w.mi && back.d === w.d) return at;
  }
  return undefined;
}

const has = (bits: bigint, n: number): boolean => (bits & (1n << BigInt(n))) !== 0n;

function dayMatches(f: CronFields, w: Wall): boolean {
  const dom = has(f.dayOfMonth, w.d);
  const dow = has(f.dayOfWeek, new Date(Date.UTC(w.y, w.mo - 1, w.d)).getUTCDay());
  // As cron does: with either field a star both must match, otherwise either may.
  if ((f.dayOfMonth & starBit) !== 0n || (f.dayOfWeek & starBit) !== 0n) return dom && dow;
  return dom || dow;
}

const daysIn = (y: number, mo: number): number => new Date(Date.UTC(y, mo, 0)).getUTCDate();

/** The first time after `afterMs` the schedule fires, or undefined when it never does within 5 years. */
export function nextScheduleTime(schedule: CronSchedule, afterMs: number, defaultTimeZone: string): number | undefined {
  if (schedule.kind === 'every') return Math.floor(afterMs / 1000) * 1000 + schedule.everyMs;
  const f = schedule.fields;
  const timeZone = schedule.timeZone ?? defaultTimeZone;
  // Start at the next whole minute.
  const w = wallAt(afterMs + 60_000, timeZone);
  const limitYear = w.y + 5;
  // Each step moves to the start of the next month, day, hour or minute, carrying into the larger units.
  const nextMonth = (): void => {
    w.mo++;
    if (w.mo > 12) {
      w.mo = 1;
      w.y++;
    }
    w.d = 1;
    w.h = 0;
    w.mi = 0;
  };
  const nextDay = (): void => {
    w.d++;
    w.h = 0;
    w.mi = 0;
    if (w.d > daysIn(w.y, w.mo)) nextMonth();
  };
  const nextHour = (): void => {
    w.h++;
    w.mi = 0;
    if (w.h > 23) nextDay();
  };
  const nextMinute = (): void => {
    w.mi++;
    if (w.mi > 59) nextHour();
  };
  for (let guard = 0; guard < 100_000 && w.y <= limitYear; guard++) {
    if (!has(f.month, w.mo)) nextMonth();
    else if (!dayMatches(f, w)) nextDay();
    else if (!has(f.hour, w.h)) nextHour();
    else if (!has(f.minute, w.mi)) nextMinute();
    else {
      const at = instantOf(w, timeZone);
      if (at !== undefined && at > afterMs) return at;
      nextMinute(); // skipped by DST, or not after `afterMs`
    }
  }
  return undefined;
}

export interface MostRecent {
  /** The latest time the schedule fired at or before now, after the last run (none: nothing due). */
  readonly scheduledMs?: number;
  /** More than 100 start times were missed since the last run. */
  readonly tooManyMissed: boolean;
  /** The first time after now. */
  readonly nextMs?: number;
}

/**
 * upstream's mostRecentScheduleTime: from the last schedule time (or creation, or now minus
 * startingDeadlineSeconds when later) to now. Only the most recent missed time is run.
 */
export function mostRecentScheduleTime(schedule: CronSchedule, earliestMs: number, nowMs: number, defaultTimeZone: string): MostRecent {
  const next = (t: number): number | undefined => nextScheduleTime(schedule, t, defaultTimeZone);
  const t1 = next(earliestMs);
  if (t1 === undefined || nowMs < t1) return { tooManyMissed: false, ...(t1 !== undefined ? { nextMs: t1 } : {}) };
  const t2 = next(t1);
  if (t2 === undefined || nowMs < t2) return { scheduledMs: t1, tooManyMissed: false, ...(t2 !== undefined ? { nextMs: t2 } : {}) };
  const between = Math.round((t2 - t1) / 1000);
  const missed = Math.floor((nowMs - t1) / 1000 / between) + 1;
  // Jump near the end, then walk to the true most recent time.
  let recent = Math.floor((t1 + (missed - 1) * between * 1000) / 1000) * 1000;
  if (recent > nowMs) recent = t1;
  let t = next(recent);
  for (let guard = 0; t !== undefined && t <= nowMs && guard < 10_000; guard++) {
    recent = t;
    t = next(t);
  }
  return { scheduledMs: recent, tooManyMissed: missed > 100, ...(t !== undefined ? { nextMs: t } : {}) };
}

/** RFC 3339 in the zone, as Go's time.Format(time.RFC3339) writes it ("Z" for UTC). */
export function formatInZone(ms: number, timeZone: string): string {
  const offset = zoneOffsetMs(ms, timeZone);
  const local = new Date(Math.floor(ms / 1000) * 1000 + offset).toISOString().replace(/\.\d{3}Z$/, '');
  if (offset === 0) return `${local}Z`;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset) / 60_000;
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
