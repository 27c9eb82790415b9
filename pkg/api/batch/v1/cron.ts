// Cron schedules as CronJob accepts them: the standard 5-field syntax (minute hour day-of-month
// month day-of-week, with names, ranges, steps, '*' and '?') and the descriptors (@hourly, @daily,
// @every 1h30m, ...). Errors are worded like the parser kube-apiserver uses, since they reach users
// verbatim in "spec.schedule: Invalid value" messages.
import { parseGoDurationMs } from '../../meta/duration.js';

/** A bit per allowed value; bit 63 records that the field was written as '*' (or '?'). */
export interface CronFields {
  readonly minute: bigint;
  readonly hour: bigint;
  readonly dayOfMonth: bigint;
  readonly month: bigint;
  readonly dayOfWeek: bigint;
}

export type CronSchedule =
  | { readonly kind: 'fields'; readonly fields: CronFields; readonly timeZone?: string }
  | { readonly kind: 'every'; readonly everyMs: number; readonly timeZone?: string };

export type CronParseResult = { readonly ok: true; readonly schedule: CronSchedule } | { readonly ok: false; readonly error: string };

export const starBit = 1n << 63n;

interface Bounds {
  readonly min: bigint;
  readonly max: bigint;
  readonly names?: Readonly<Record<string, bigint>>;
}

const monthNames = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const dayNames = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const minutes: Bounds = { min: 0n, max: 59n };
const hours: Bounds = { min: 0n, max: 23n };
const daysOfMonth: Bounds = { min: 1n, max: 31n };
const months: Bounds = { min: 1n, max: 12n, names: Object.fromEntries(monthNames.map((n, i) => [n, BigInt(i + 1)])) };
const daysOfWeek: Bounds = { min: 0n, max: 6n, names: Object.fromEntries(dayNames.map((n, i) => [n, BigInt(i)])) };

class CronError extends Error {}

const maxInt64 = (1n << 63n) - 1n;

/** Go's strconv.Atoi (base 10, optional sign), with its error wording. */
function atoi(s: string): bigint {
  const m = /^([+-]?)(\d+)$/.exec(s);
  if (!m) throw new CronError(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  const magnitude = BigInt(m[2]!);
  if (magnitude > maxInt64 + (m[1] === '-' ? 1n : 0n)) throw new CronError(`strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`);
  return m[1] === '-' ? -magnitude : magnitude;
}

function nonNegativeInt(expr: string): bigint {
  let n: bigint;
  try {
    n = atoi(expr);
  } catch (e) {
    throw new CronError(`failed to parse int from ${expr}: ${(e as Error).message}`);
  }
  if (n < 0n) throw new CronError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function intOrName(expr: string, b: Bounds): bigint {
  const named = b.names?.[expr.toLowerCase()];
  return named ?? nonNegativeInt(expr);
}

function bitsBetween(lo: bigint, hi: bigint, step: bigint): bigint {
  let bits = 0n;
  for (let i = lo; i <= hi; i += step) bits |= 1n << i;
  return bits;
}

/** One comma-separated piece: "*", "N", "N-M", each optionally followed by "/step". */
function parseRange(expr: string, b: Bounds): bigint {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  const single = lowAndHigh.length === 1;
  let start: bigint;
  let end: bigint;
  let extra = 0n;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
    extra = starBit;
  } else {
    start = intOrName(lowAndHigh[0]!, b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = intOrName(lowAndHigh[1]!, b);
    else throw new CronError(`too many hyphens: ${expr}`);
  }
  let step = 1n;
  if (rangeAndStep.length === 2) {
    step = nonNegativeInt(rangeAndStep[1]!);
    // "N/step" means "N-max/step".
    if (single) end = b.max;
    if (step > 1n) extra = 0n;
  } else if (rangeAndStep.length > 2) {
    throw new CronError(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new CronError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0n) throw new CronError(`step of range should be a positive number: ${expr}`);
  return bitsBetween(start, end, step) | extra;
}

function parseField(field: string, b: Bounds): bigint {
  let bits = 0n;
  for (const expr of field.split(',').filter((s) => s !== '')) bits |= parseRange(expr, b);
  return bits;
}

const all = (b: Bounds): bigint => bitsBetween(b.min, b.max, 1n) | starBit;
const first = (b: Bounds): bigint => 1n << b.min;

const descriptors: Readonly<Record<string, CronFields>> = {
  '@yearly': { minute: first(minutes), hour: first(hours), dayOfMonth: first(daysOfMonth), month: first(months), dayOfWeek: all(daysOfWeek) },
  '@monthly': { minute: first(minutes), hour: first(hours), dayOfMonth: first(daysOfMonth), month: all(months), dayOfWeek: all(daysOfWeek) },
  '@weekly': { minute: first(minutes), hour: first(hours), dayOfMonth: all(daysOfMonth), month: all(months), dayOfWeek: first(daysOfWeek) },
  '@daily': { minute: first(minutes), hour: first(hours), dayOfMonth: all(daysOfMonth), month: all(months), dayOfWeek: all(daysOfWeek) },
  '@hourly': { minute: first(minutes), hour: all(hours), dayOfMonth: all(daysOfMonth), month: all(months), dayOfWeek: all(daysOfWeek) },
};
const descriptorAliases: Readonly<Record<string, string>> = { '@annually': '@yearly', '@midnight': '@daily' };

// ---- time zones ----

/** Go's time.LoadLocation against the IANA database: case-sensitive names, "UTC" included. */
export function isKnownTimeZone(name: string): boolean {
  if (name === 'UTC') return true;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return false;
  }
  // ICU ignores case; the tz database does not ("america/new_york" is unknown to Go).
  return resolved === name || resolved.toLowerCase() !== name.toLowerCase();
}

// ---- the parser ----

function parse(spec: string): CronSchedule {
  if (spec === '') throw new CronError('empty spec string');
  let timeZone: string | undefined;
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const space = spec.indexOf(' ');
    const eq = spec.indexOf('=');
    const name = space < 0 ? spec.slice(eq + 1) : spec.slice(eq + 1, space);
    if (!isKnownTimeZone(name)) throw new CronError(`provided bad location ${name}: unknown time zone ${name}`);
    timeZone = name;
    spec = space < 0 ? '' : spec.slice(space).trim();
  }
  if (spec.startsWith('@')) {
    const fields = descriptors[descriptorAliases[spec] ?? spec];
    if (fields) return { kind: 'fields', fields, ...(timeZone ? { timeZone } : {}) };
    if (spec.startsWith('@every ')) {
      let ms: number;
      try {
        ms = parseGoDurationMs(spec.slice('@every '.length));
      } catch (e) {
        throw new CronError(`failed to parse duration ${spec}: ${(e as Error).message}`);
      }
      // A schedule never fires more often than once a second.
      const everyMs = ms < 1000 ? 1000 : ms - (ms % 1000);
      return { kind: 'every', everyMs, ...(timeZone ? { timeZone } : {}) };
    }
    throw new CronError(`unrecognized descriptor: ${spec}`);
  }
  const parts = spec.split(/[\s\u0085]+/).filter((p) => p !== '');
  if (parts.length !== 5) throw new CronError(`expected exactly 5 fields, found ${parts.length}: [${parts.join(' ')}]`);
  const fields: CronFields = {
    minute: parseField(parts[0]!, minutes),
    hour: parseField(parts[1]!, hours),
    dayOfMonth: parseField(parts[2]!, daysOfMonth),
    month: parseField(parts[3]!, months),
    dayOfWeek: parseField(parts[4]!, daysOfWeek),
  };
  return { kind: 'fields', fields, ...(timeZone ? { timeZone } : {}) };
}

/** Parses a CronJob schedule; the error text is what upstream reports for it. */
export function parseCronSchedule(spec: string): CronParseResult {
  try {
    return { ok: true, schedule: parse(spec) };
  } catch (e) {
    if (e instanceof CronError) return { ok: false, error: e.message };
    throw e;
  }
}
