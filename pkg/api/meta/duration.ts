// Go's time.ParseDuration ("1h30m", "1.5s", "250ms"), for flags and for CronJob's @every. The
// protobuf codec keeps its own nanosecond-exact variant (pkg/api/schema/protobuf.ts).

export class DurationError extends Error {
  override readonly name = 'DurationError';
}

const durationUnits: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5
  'μs': 1e-3, // U+03BC
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go's time.ParseDuration, in milliseconds, with its error wording. */
export function parseGoDurationMs(orig: string): number {
  const invalid = (): DurationError => new DurationError(`time: invalid duration ${JSON.stringify(orig)}`);
  let s = orig;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();
  let total = 0;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const [whole, intPart = '', fracPart] = m;
    if (intPart === '' && (fracPart === undefined || fracPart === '')) throw invalid();
    s = s.slice(whole.length);
    const unitMatch = /^[^.\d]*/.exec(s)!;
    const unit = unitMatch[0];
    if (unit === '') throw new DurationError(`time: missing unit in duration ${JSON.stringify(orig)}`);
    const scale = durationUnits[unit];
    if (scale === undefined) throw new DurationError(`time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(orig)}`);
    s = s.slice(unit.length);
    total += Number(`${intPart || '0'}.${fracPart ?? ''}0`) * scale;
    // Go keeps durations in int64 nanoseconds.
    if (total * 1e6 > 2 ** 63) throw invalid();
  }
  return sign * total;
}
