import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Quantity,
  QuantityParseError,
  type QuantityFormat,
  errFormatWrong,
  errSuffix,
  parseQuantity,
  tryParseQuantity,
} from '../../../../pkg/api/resource/quantity.js';

const MAX = (1n << 63n) - 1n;
const MIN = -(1n << 63n);
const q = (v: bigint | number, scale: number, format: QuantityFormat = 'DecimalSI'): Quantity => Quantity.fromScaled(v, scale, format);

// Inputs and the value (unscaled × 10^scale) and format they parse to (upstream's TestQuantityParse table).
const parseCases: [string, bigint | number, number, QuantityFormat][] = [
  ['0', 0, 0, 'DecimalSI'],
  ['0n', 0, 0, 'DecimalSI'],
  ['0u', 0, 0, 'DecimalSI'],
  ['0m', 0, 0, 'DecimalSI'],
  ['0Ki', 0, 0, 'BinarySI'],
  ['0k', 0, 0, 'DecimalSI'],
  ['0Mi', 0, 0, 'BinarySI'],
  ['0M', 0, 0, 'DecimalSI'],
  ['0Gi', 0, 0, 'BinarySI'],
  ['0G', 0, 0, 'DecimalSI'],
  ['0Ti', 0, 0, 'BinarySI'],
  ['0T', 0, 0, 'DecimalSI'],
  ['1', 1, 0, 'DecimalSI'],
  ['1Ki', 1024, 0, 'BinarySI'],
  ['8Ki', 8 * 1024, 0, 'BinarySI'],
  ['7Mi', 7 * 1024 * 1024, 0, 'BinarySI'],
  ['6Gi', 6n * 1024n ** 3n, 0, 'BinarySI'],
  ['5Ti', 5n * 1024n ** 4n, 0, 'BinarySI'],
  ['4Pi', 4n * 1024n ** 5n, 0, 'BinarySI'],
  ['3Ei', 3n * 1024n ** 6n, 0, 'BinarySI'],
  ['10Ti', 10n * 1024n ** 4n, 0, 'BinarySI'],
  ['100Ti', 100n * 1024n ** 4n, 0, 'BinarySI'],
  ['5n', 5, -9, 'DecimalSI'],
  ['4u', 4, -6, 'DecimalSI'],
  ['3m', 3, -3, 'DecimalSI'],
  ['9', 9, 0, 'DecimalSI'],
  ['8k', 8, 3, 'DecimalSI'],
  ['50k', 5, 4, 'DecimalSI'],
  ['7M', 7, 6, 'DecimalSI'],
  ['6G', 6, 9, 'DecimalSI'],
  ['5T', 5, 12, 'DecimalSI'],
  ['40T', 4, 13, 'DecimalSI'],
  ['300T', 3, 14, 'DecimalSI'],
  ['2P', 2, 15, 'DecimalSI'],
  ['1E', 1, 18, 'DecimalSI'],
  ['1E-3', 1, -3, 'DecimalExponent'],
  ['1e3', 1, 3, 'DecimalExponent'],
  ['1E6', 1, 6, 'DecimalExponent'],
  ['1e9', 1, 9, 'DecimalExponent'],
  ['1E12', 1, 12, 'DecimalExponent'],
  ['1e15', 1, 15, 'DecimalExponent'],
  ['1E18', 1, 18, 'DecimalExponent'],
  ['1e14', 1, 14, 'DecimalExponent'],
  ['1e13', 1, 13, 'DecimalExponent'],
  ['100.035k', 100035, 0, 'DecimalSI'],
  ['0.001', 1, -3, 'DecimalSI'],
  ['0.0005k', 5, -1, 'DecimalSI'],
  ['0.005', 5, -3, 'DecimalSI'],
  ['0.05', 5, -2, 'DecimalSI'],
  ['0.5', 5, -1, 'DecimalSI'],
  ['0.00050k', 5, -1, 'DecimalSI'],
  ['0.00500', 5, -3, 'DecimalSI'],
  ['0.05000', 5, -2, 'DecimalSI'],
  ['0.50000', 5, -1, 'DecimalSI'],
  ['0.5e0', 5, -1, 'DecimalExponent'],
  ['0.5e-1', 5, -2, 'DecimalExponent'],
  ['0.5e-2', 5, -3, 'DecimalExponent'],
  ['10.035M', 10035, 3, 'DecimalSI'],
  ['1.2e3', 12, 2, 'DecimalExponent'],
  ['1.3E+6', 13, 5, 'DecimalExponent'],
  ['1.40e9', 14, 8, 'DecimalExponent'],
  ['1.53E12', 153, 10, 'DecimalExponent'],
  ['1.6e15', 16, 14, 'DecimalExponent'],
  ['1.7E18', 17, 17, 'DecimalExponent'],
  ['9.01', 901, -2, 'DecimalSI'],
  ['8.1k', 81, 2, 'DecimalSI'],
  ['7.123456M', 7123456, 0, 'DecimalSI'],
  ['6.987654321G', 6987654321, 0, 'DecimalSI'],
  ['5.444T', 5444, 9, 'DecimalSI'],
  ['40.1T', 401, 11, 'DecimalSI'],
  ['300.2T', 3002, 11, 'DecimalSI'],
  ['2.5P', 25, 14, 'DecimalSI'],
  ['1.01E', 101, 16, 'DecimalSI'],
  ['3.001n', 4, -9, 'DecimalSI'],
  ['1.1E-9', 2, -9, 'DecimalExponent'],
  ['0.0000000001', 1, -9, 'DecimalSI'],
  ['0.0000000005', 1, -9, 'DecimalSI'],
  ['0.00000000050', 1, -9, 'DecimalSI'],
  ['0.5e-9', 1, -9, 'DecimalExponent'],
  ['0.9n', 1, -9, 'DecimalSI'],
  ['0.00000012345', 124, -9, 'DecimalSI'],
  ['0.00000012354', 124, -9, 'DecimalSI'],
  ['9Ei', MAX, 0, 'BinarySI'],
  ['9223372036854775807Ki', MAX, 0, 'BinarySI'],
  ['12E', 12, 18, 'DecimalSI'],
  ['100.035Ki', 10243584, -2, 'BinarySI'],
  ['0.5Mi', 524288, 0, 'BinarySI'],
  ['0.05Gi', 536870912, -1, 'BinarySI'],
  ['0.025Ti', 274877906944, -1, 'BinarySI'],
  ['0.000000000001Ki', 2, -9, 'DecimalSI'],
  ['.001', 1, -3, 'DecimalSI'],
  ['.0001k', 100, -3, 'DecimalSI'],
  ['1.', 1, 0, 'DecimalSI'],
  ['1.G', 1, 9, 'DecimalSI'],
];

for (const [input, v, scale, format] of parseCases) {
  test(`"${input}" parses to ${v}e${scale} in ${format}`, () => {
    const got = parseQuantity(input);
    assert.equal(got.cmp(q(v, scale)), 0, `got ${got.toString()}`);
    assert.equal(got.format, format);
  });
  test(`"-${input}" parses to the negated value in ${format}`, () => {
    const got = parseQuantity('-' + input);
    assert.equal(got.cmp(q(v, scale).neg()), 0, `got ${got.toString()}`);
    assert.equal(got.format, format);
  });
  test(`"+${input}" parses to the same value as "${input}"`, () => {
    const got = parseQuantity('+' + input);
    assert.equal(got.cmp(q(v, scale)), 0);
    assert.equal(got.format, format);
  });
}

const invalidCases: [string, string][] = [
  ['', errFormatWrong],
  ['1.1.M', errFormatWrong],
  ['1+1.0M', errFormatWrong],
  ['0.1mi', errSuffix],
  ['0.1am', errFormatWrong],
  ['aoeu', errFormatWrong],
  ['.5i', errSuffix],
  ['1i', errSuffix],
  ['-3.01i', errSuffix],
  ['-3.01e-', errSuffix],
  [' 1', errFormatWrong],
  ['1 ', errFormatWrong],
  ['1ki', errSuffix],
  ['1K', errSuffix],
  ['1e', errSuffix],
  ['1e99999999999999999999', errSuffix],
  ['Non-Numeric', errFormatWrong],
];
for (const [input, message] of invalidCases) {
  test(`"${input}" is rejected with "${message.slice(0, 40)}..."`, () => {
    assert.throws(
      () => parseQuantity(input),
      (e: unknown) => e instanceof QuantityParseError && e.message === message,
    );
    assert.equal(tryParseQuantity(input), undefined);
  });
}

test('the format-error message is the upstream regular-expression text', () => {
  assert.equal(errFormatWrong, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
});

// Value → canonical string, plus a non-canonical spelling of the same value (upstream's TestQuantityString).
const stringCases: [bigint | number, number, QuantityFormat, string, string][] = [
  [1024 * 1024 * 1024, 0, 'BinarySI', '1Gi', '1024Mi'],
  [300 * 1024 * 1024, 0, 'BinarySI', '300Mi', '307200Ki'],
  [6 * 1024, 0, 'BinarySI', '6Ki', ''],
  [1001 * 1024 * 1024 * 1024, 0, 'BinarySI', '1001Gi', '1025024Mi'],
  [1024 * 1024 * 1024 * 1024, 0, 'BinarySI', '1Ti', '1024Gi'],
  [5, 0, 'BinarySI', '5', '5000m'],
  [500, -3, 'BinarySI', '500m', '0.5'],
  [1, 9, 'DecimalSI', '1G', '1000M'],
  [1000, 6, 'DecimalSI', '1G', '0.001T'],
  [1000000, 3, 'DecimalSI', '1G', ''],
  [1000000000, 0, 'DecimalSI', '1G', ''],
  [1, -3, 'DecimalSI', '1m', '1000u'],
  [80, -3, 'DecimalSI', '80m', ''],
  [1080, -3, 'DecimalSI', '1080m', '1.08'],
  [108, -2, 'DecimalSI', '1080m', '1080000000n'],
  [10800, -4, 'DecimalSI', '1080m', ''],
  [300, 6, 'DecimalSI', '300M', ''],
  [1, 12, 'DecimalSI', '1T', ''],
  [1234567, 6, 'DecimalSI', '1234567M', ''],
  [1234567, -3, 'BinarySI', '1234567m', ''],
  [3, 3, 'DecimalSI', '3k', ''],
  [1025, 0, 'BinarySI', '1025', ''],
  [0, 0, 'DecimalSI', '0', ''],
  [0, 0, 'BinarySI', '0', ''],
  [1, 9, 'DecimalExponent', '1e9', '.001e12'],
  [1, -3, 'DecimalExponent', '1e-3', '0.001e0'],
  [1, -9, 'DecimalExponent', '1e-9', '1000e-12'],
  [80, -3, 'DecimalExponent', '80e-3', ''],
  [300, 6, 'DecimalExponent', '300e6', ''],
  [1, 12, 'DecimalExponent', '1e12', ''],
  [1, 3, 'DecimalExponent', '1e3', ''],
  [3, 3, 'DecimalExponent', '3e3', ''],
  [0, 0, 'DecimalExponent', '0', '00'],
  [1, -9, 'DecimalSI', '1n', ''],
  [80, -9, 'DecimalSI', '80n', ''],
  [1080, -9, 'DecimalSI', '1080n', ''],
  [108, -8, 'DecimalSI', '1080n', ''],
  [10800, -10, 'DecimalSI', '1080n', ''],
  [1, -6, 'DecimalSI', '1u', ''],
  [80, -6, 'DecimalSI', '80u', ''],
  [1080, -6, 'DecimalSI', '1080u', ''],
];
for (const [v, scale, format, expect, alternate] of stringCases) {
  test(`${v}e${scale} in ${format} is written "${expect}"`, () => {
    assert.equal(q(v, scale, format).toString(), expect);
    assert.equal(parseQuantity(expect).toString(), expect);
    if (alternate) assert.equal(parseQuantity(alternate).toString(), expect);
    if (BigInt(v) !== 0n) assert.equal(q(v, scale, format).neg().toString(), '-' + expect);
  });
}

// Parsed input → serialized form: upstream's documented examples plus its quirks.
const emitCases: [string, string][] = [
  ['1Ki', '1Ki'],
  ['1Mi', '1Mi'],
  ['1Gi', '1Gi'],
  ['1024Mi', '1Gi'],
  ['1000M', '1G'],
  ['.001Ki', '1024m'],
  ['.000001Ki', '1024u'],
  ['.000000001Ki', '1024n'],
  ['.000000000001Ki', '2n'],
  ['1.5Gi', '1536Mi'],
  ['1.5', '1500m'],
  ['0.5', '500m'],
  ['1000m', '1'],
  ['1e3', '1e3'],
  ['1000', '1k'],
  ['1100', '1100'],
  ['1024', '1024'],
  ['2048Ki', '2Mi'],
  ['0.5Ki', '512'],
  ['0.1m', '100u'],
  ['0.1n', '1n'],
  ['100m', '100m'],
  ['250m', '250m'],
  ['2000m', '2'],
  ['128974848', '128974848'],
  ['129e6', '129e6'],
  ['129M', '129M'],
  ['123Mi', '123Mi'],
  ['1.0', '1'],
  ['1.50', '1500m'],
  ['5Gi', '5Gi'],
  ['10G', '10G'],
  ['1e-3', '1e-3'],
  ['1500e-3', '1500e-3'],
  ['1.5e3', '1500'],
  ['1k', '1k'],
  ['1.5k', '1500'],
  ['0.5k', '500'],
  ['12E', '12E'],
  ['9Ei', '9223372036854775807'],
  ['1.5Ki', '1536'],
  ['1.1Ki', '1126400m'],
  // Canonical-looking input keeps its exact text, sign and leading zeros included (upstream caches it).
  ['+1', '+1'],
  ['01', '01'],
  ['-', '0'],
  ['.', '0'],
  ['-0', '0'],
  ['0.0', '0'],
];
for (const [input, expect] of emitCases) {
  test(`"${input}" is serialized as "${expect}"`, () => {
    assert.equal(parseQuantity(input).toString(), expect);
  });
}

test('the negative of each documented parse/emit example keeps its suffix', () => {
  for (const [input, expect] of emitCases.slice(0, 9)) assert.equal(parseQuantity('-' + input).toString(), '-' + expect);
});

test('values beyond the E suffix keep their magnitude as a decimal exponent', () => {
  assert.equal(parseQuantity('1000E').toString(), '1e21');
  assert.equal(parseQuantity('1000E').cmp(q(1, 21)), 0);
});

test('JSON numbers parse through their JavaScript text', () => {
  assert.equal(parseQuantity(2).toString(), '2');
  assert.equal(parseQuantity(0.5).toString(), '500m');
  assert.equal(parseQuantity(1e21).toString(), '1e+21');
  assert.equal(parseQuantity(-3).toString(), '-3');
  assert.throws(() => parseQuantity(Number.NaN), QuantityParseError);
});

test('a quantity serializes to JSON as its canonical string', () => {
  assert.equal(JSON.stringify({ cpu: parseQuantity('0.5'), memory: parseQuantity('1.5Gi') }), '{"cpu":"500m","memory":"1536Mi"}');
});

test('tryParseQuantity passes a Quantity through and rejects non-strings', () => {
  const x = parseQuantity('1');
  assert.equal(tryParseQuantity(x), x);
  assert.equal(tryParseQuantity(undefined), undefined);
  assert.equal(tryParseQuantity(true), undefined);
  assert.equal(tryParseQuantity('1Gi')?.toString(), '1Gi');
});

const cmpCases: [Quantity, Quantity, -1 | 0 | 1][] = [
  [parseQuantity('0'), parseQuantity('0'), 0],
  [parseQuantity('100m'), parseQuantity('50m'), 1],
  [parseQuantity('50m'), parseQuantity('100m'), -1],
  [parseQuantity('10000T'), parseQuantity('100Gi'), 1],
  [parseQuantity('1Gi'), parseQuantity('1024Mi'), 0],
  [parseQuantity('1G'), parseQuantity('1Gi'), -1],
  [q(901, -2), q(901, -2), 0],
  [q(90, -1), q(901, -2), -1],
  [q(901, -2), q(900, -2), 1],
  [q(0, 1), q(0, -1), 0],
  [q(800, -3), q(1, 0), -1],
  [q(800, -3), q(79, -2), 1],
  [q(MAX, 0), q(1, -1), 1],
  [q(MAX, 1), q(1, 0), 1],
  [q(MAX, 1), q(1, 1), 1],
  [q(MAX, 1), q(0, 1), 1],
  [q(MAX, -16), q(1, 3), -1],
  [q(MIN, 0), q(0, 0), -1],
  [q(MIN, -18), q(-1, 0), -1],
  [q(MIN, -19), q(-1, 0), 1],
  [q(10n ** 18n, -17), q(1, 1), 0],
  [q(10n ** 18n, -17), q(-10, 0), 1],
  [q(-(10n ** 18n), -17), q(-10, 0), 0],
  [q(10n ** 18n, -17), q(1, 0), 1],
  [q(10n ** 18n + 1n, -17), q(1, 1), 1],
  [q(10n ** 18n - 1n, -17), q(1, 1), -1],
  [q(1, 1000000000), q(9, 999999999), 1],
  [q(-1, 1000000000), q(1, -9), -1],
];
cmpCases.forEach(([a, b, want], i) => {
  test(`comparison case ${i} (${a.toString()} vs ${b.toString()}) is ${want} both ways`, () => {
    assert.equal(a.cmp(b), want);
    assert.equal(b.cmp(a), want === 0 ? 0 : -want);
  });
});

const scaledCases: [number, number, bigint][] = [
  [-9, -9, 1n],
  [-9, -6, 1n],
  [-9, -3, 1n],
  [-9, 0, 1n],
  [-6, -9, 1000n],
  [-6, -6, 1n],
  [-6, -3, 1n],
  [-6, 0, 1n],
  [-3, -9, 1000000n],
  [-3, -6, 1000n],
  [-3, -3, 1n],
  [-3, 0, 1n],
  [0, -9, 1000000000n],
  [0, -6, 1000000n],
  [0, -3, 1000n],
  [0, 0, 1n],
  [2, -2, 10000n],
];
for (const [from, to, want] of scaledCases) {
  test(`1e${from} scaled to 1e${to} units is ${want} (rounded up)`, () => {
    assert.equal(q(1, from).scaledValue(to), want);
  });
}

const valueCases: [string, bigint, bigint][] = [
  ['1.5', 2n, 1500n],
  ['100m', 1n, 100n],
  ['0.1m', 1n, 1n],
  ['1n', 1n, 1n],
  ['1Ki', 1024n, 1024000n],
  ['-1.5', -2n, -1500n],
  ['9Ei', MAX, MAX * 1000n],
  ['0', 0n, 0n],
];
for (const [input, value, milli] of valueCases) {
  test(`"${input}" has value ${value} and milli value ${milli}`, () => {
    assert.equal(parseQuantity(input).value(), value);
    assert.equal(parseQuantity(input).milliValue(), milli);
  });
}

const roundUpCases: [string, number, Quantity][] = [
  ['9.01', -3, q(901, -2)],
  ['9.01', -2, q(901, -2)],
  ['9.01', -1, q(91, -1)],
  ['9.01', 0, q(10, 0)],
  ['9.01', 1, q(10, 0)],
  ['9.01', 2, q(100, 0)],
  ['-9.01', -1, q(-91, -1)],
  ['-9.01', 0, q(-10, 0)],
  ['-9.01', 2, q(-100, 0)],
];
for (const [input, scale, want] of roundUpCases) {
  test(`"${input}" rounded away from zero to 1e${scale} is ${want.toString()}`, () => {
    assert.equal(parseQuantity(input).roundUp(scale).cmp(want), 0);
  });
}

const addCases: [Quantity, Quantity, Quantity, QuantityFormat][] = [
  [q(10, 0), q(1, 1), q(20, 0), 'DecimalSI'],
  [q(10, 0), q(1, 0, 'BinarySI'), q(11, 0), 'DecimalSI'],
  [q(10, 0, 'BinarySI'), q(1, 0), q(11, 0), 'BinarySI'],
  [Quantity.zero(), q(50, 0), q(50, 0), 'DecimalSI'],
  [q(50, 0), Quantity.zero(), q(50, 0), 'DecimalSI'],
  [Quantity.zero(), q(1, 0, 'BinarySI'), q(1, 0), 'BinarySI'],
  [q(MAX, 0), q(MAX, 0), q(2n * MAX, 0), 'DecimalSI'],
];
addCases.forEach(([a, b, want, format], i) => {
  test(`addition case ${i}: ${a.toString()} + ${b.toString()} = ${want.toString()} in ${format}`, () => {
    const got = a.add(b);
    assert.equal(got.cmp(want), 0);
    assert.equal(got.format, format);
  });
});

const subCases: [Quantity, Quantity, Quantity, QuantityFormat][] = [
  [q(10, 0), q(1, 1), q(0, 0), 'DecimalSI'],
  [q(10, 0), q(1, 0, 'BinarySI'), q(9, 0), 'DecimalSI'],
  [q(10, 0, 'BinarySI'), q(1, 0), q(9, 0), 'BinarySI'],
  [Quantity.zero(), q(50, 0), q(-50, 0), 'DecimalSI'],
  [q(50, 0), Quantity.zero(), q(50, 0), 'DecimalSI'],
  [Quantity.zero(), q(1, 0, 'BinarySI'), q(-1, 0), 'BinarySI'],
];
subCases.forEach(([a, b, want, format], i) => {
  test(`subtraction case ${i}: ${a.toString()} - ${b.toString()} = ${want.toString()} in ${format}`, () => {
    const got = a.sub(b);
    assert.equal(got.cmp(want), 0);
    assert.equal(got.format, format);
  });
});

test('adding or subtracting zero keeps the suffix on either side', () => {
  for (const s of ['100m', '1Gi']) {
    assert.equal(parseQuantity(s).add(parseQuantity('0')).toString(), s);
    assert.equal(parseQuantity('0').add(parseQuantity(s)).toString(), s);
    assert.equal(parseQuantity(s).sub(parseQuantity('0')).toString(), s);
    assert.equal(parseQuantity('0').sub(parseQuantity(s)).toString(), '-' + s);
  }
});

test('arithmetic drops a cached non-canonical spelling', () => {
  assert.equal(parseQuantity('01').add(parseQuantity('0')).toString(), '1');
  assert.equal(parseQuantity('500m').add(parseQuantity('500m')).toString(), '1');
  assert.equal(parseQuantity('1Gi').add(parseQuantity('512Mi')).toString(), '1536Mi');
  assert.equal(parseQuantity('100m').sub(parseQuantity('300m')).toString(), '-200m');
});

test('negation and integer multiplication keep the format', () => {
  assert.equal(q(901, -2).neg().toString(), '-9010m');
  assert.equal(parseQuantity('512Mi').mul(3).toString(), '1536Mi');
  assert.equal(parseQuantity('-1Ki').neg().toString(), '1Ki');
});

test('isZero and sign report the value', () => {
  assert.equal(parseQuantity('0Gi').isZero(), true);
  assert.equal(parseQuantity('1n').isZero(), false);
  assert.equal(parseQuantity('-1').sign(), -1);
  assert.equal(parseQuantity('0').sign(), 0);
  assert.equal(parseQuantity('3m').sign(), 1);
  assert.equal(parseQuantity('1Gi').equals(parseQuantity('1024Mi')), true);
});

test('asInt64 answers whole values only', () => {
  assert.equal(parseQuantity('1k').asInt64(), 1000n);
  assert.equal(parseQuantity('1.5').asInt64(), undefined);
  assert.equal(q(1, 19).asInt64(), undefined);
});

const floatCases: [Quantity, number][] = [
  [q(0, 0), 0],
  [q(1, 0, 'BinarySI'), 1],
  [q(1024, 0, 'BinarySI'), 1024],
  [q(7 * 1024 * 1024, 1), 7 * 1024 * 1024 * 10],
  [q(7 * 1024 * 1024, 4), 7 * 1024 * 1024 * 10000],
  [q(7 * 1024 * 1024, 8), 7 * 1024 * 1024 * 100000000],
  [q(7 * 1024 * 1024, -1), 7 * 1024 * 1024 * 0.1],
  [q(7 * 1024 * 1024, -8), (7 * 1024 * 1024) / 100000000],
  [parseQuantity('9Ei'), 2 ** 63],
  [q(12, 18), 1.2e19],
  [q(12, 500), Infinity],
  [q(-12, 500), -Infinity],
  [parseQuantity('1.5Gi'), 1610612736],
  [parseQuantity('100m'), 0.1],
];
floatCases.forEach(([x, want], i) => {
  test(`approximate float case ${i} (${x.toString()}) is ${want}`, () => {
    assert.equal(x.asApproximateFloat64(), want);
  });
});
