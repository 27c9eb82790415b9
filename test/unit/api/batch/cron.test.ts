import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKnownTimeZone, parseCronSchedule, starBit } from '../../../../pkg/api/batch/v1/cron.js';
import { parseGoDurationMs } from '../../../../pkg/api/meta/duration.js';

const bits = (...values: number[]): bigint => values.reduce((acc, v) => acc | (1n << BigInt(v)), 0n);

const valid: { name: string; spec: string; check?: (s: ReturnType<typeof parseCronSchedule>) => void }[] = [
  { name: 'every minute', spec: '* * * * *' },
  {
    name: 'a step over a range',
    spec: '0-30/10 * * * *',
    check: (r) => assert.equal(r.ok && r.schedule.kind === 'fields' && r.schedule.fields.minute, bits(0, 10, 20, 30)),
  },
  {
    name: 'a single value with a step runs to the end of the range',
    spec: '50/5 * * * *',
    check: (r) => assert.equal(r.ok && r.schedule.kind === 'fields' && r.schedule.fields.minute, bits(50, 55)),
  },
  {
    name: 'month and weekday names in any case',
    spec: '0 9 * JAN-mar Mon-Fri',
    check: (r) => {
      assert.ok(r.ok && r.schedule.kind === 'fields');
      assert.equal(r.schedule.fields.month, bits(1, 2, 3));
      assert.equal(r.schedule.fields.dayOfWeek, bits(1, 2, 3, 4, 5));
    },
  },
  { name: 'question mark as a wildcard', spec: '0 0 ? * *' },
  { name: 'lists of values', spec: '0,15,30,45 */6 1,15 * *' },
  {
    name: 'the @hourly descriptor',
    spec: '@hourly',
    check: (r) => assert.equal(r.ok && r.schedule.kind === 'fields' && r.schedule.fields.hour & starBit, starBit),
  },
  { name: 'the @midnight alias', spec: '@midnight' },
  { name: 'the @annually alias', spec: '@annually' },
  {
    name: 'an @every duration rounded down to whole seconds',
    spec: '@every 1h30m10.5s',
    check: (r) => assert.deepEqual(r.ok && r.schedule, { kind: 'every', everyMs: 5410_000 }),
  },
  { name: 'a TZ prefix naming a known zone', spec: 'TZ=Europe/Berlin 0 3 * * *' },
];

for (const c of valid) {
  test(`the schedule parser accepts ${c.name}`, () => {
    const r = parseCronSchedule(c.spec);
    assert.ok(r.ok, r.ok ? '' : r.error);
    c.check?.(r);
  });
}

const invalid: { name: string; spec: string; error: string }[] = [
  { name: 'too few fields', spec: '* * *', error: 'expected exactly 5 fields, found 3: [* * *]' },
  { name: 'six fields', spec: '0 * * * * *', error: 'expected exactly 5 fields, found 6: [0 * * * * *]' },
  { name: 'a minute above 59', spec: '60 * * * *', error: 'end of range (60) above maximum (59): 60' },
  { name: 'a day of month of 0', spec: '0 0 0 * *', error: 'beginning of range (0) below minimum (1): 0' },
  { name: 'a reversed range', spec: '0 5-2 * * *', error: 'beginning of range (5) beyond end of range (2): 5-2' },
  { name: 'a zero step', spec: '*/0 * * * *', error: 'step of range should be a positive number: */0' },
  { name: 'a word instead of a number', spec: 'every * * * *', error: 'failed to parse int from every: strconv.Atoi: parsing "every": invalid syntax' },
  { name: 'a negative number', spec: '0 0 * * -1', error: 'failed to parse int from : strconv.Atoi: parsing "": invalid syntax' },
  { name: 'too many hyphens', spec: '1-2-3 * * * *', error: 'too many hyphens: 1-2-3' },
  { name: 'too many slashes', spec: '*/2/3 * * * *', error: 'too many slashes: */2/3' },
  { name: 'an unknown descriptor', spec: '@often', error: 'unrecognized descriptor: @often' },
  {
    name: 'an @every with a bad duration',
    spec: '@every soon',
    error: 'failed to parse duration @every soon: time: invalid duration "soon"',
  },
  { name: 'an unknown TZ zone', spec: 'TZ=Mars/Olympus * * * * *', error: 'provided bad location Mars/Olympus: unknown time zone Mars/Olympus' },
];

for (const c of invalid) {
  test(`the schedule parser rejects ${c.name}`, () => {
    assert.deepEqual(parseCronSchedule(c.spec), { ok: false, error: c.error });
  });
}

test('Go durations parse with every unit, fractions and sign', () => {
  assert.equal(parseGoDurationMs('1h2m3s'), 3_723_000);
  assert.equal(parseGoDurationMs('1.5m'), 90_000);
  assert.equal(parseGoDurationMs('-250ms'), -250);
  assert.equal(parseGoDurationMs('0'), 0);
  assert.throws(() => parseGoDurationMs('10'), { message: 'time: missing unit in duration "10"' });
  assert.throws(() => parseGoDurationMs('3d'), { message: 'time: unknown unit "d" in duration "3d"' });
});

test('time zones are looked up case-sensitively, as in the tz database', () => {
  assert.equal(isKnownTimeZone('UTC'), true);
  assert.equal(isKnownTimeZone('America/New_York'), true);
  assert.equal(isKnownTimeZone('US/Eastern'), true);
  assert.equal(isKnownTimeZone('america/new_york'), false);
  assert.equal(isKnownTimeZone('Atlantis/Capital'), false);
});
