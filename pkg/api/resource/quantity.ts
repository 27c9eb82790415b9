// Resource quantities ("500m", "1.5Gi", "1e3") with exact bigint arithmetic and the parsing,
// rounding and canonical string form of Kubernetes' resource.Quantity.
//
// A value is unscaled × 10^exp. Parsing keeps the same unscaled/exp pair the Go code keeps, so
// canonical strings and approximate floats come out the same.

export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

export const quantityRegexp = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
export const errFormatWrong = `quantities must match the regular expression '${quantityRegexp}'`;
export const errNumeric = 'unable to parse numeric part of quantity';
export const errSuffix = "unable to parse quantity's suffix";

export class QuantityParseError extends Error {
  override readonly name = 'QuantityParseError';
  constructor(
    message: string,
    readonly input: string,
  ) {
    super(message);
  }
}

const NANO = -9;
const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);

const decimalSuffixes: ReadonlyMap<string, number> = new Map([
  ['n', -9],
  ['u', -6],
  ['m', -3],
  ['', 0],
  ['k', 3],
  ['M', 6],
  ['G', 9],
  ['T', 12],
  ['P', 15],
  ['E', 18],
]);
const binarySuffixes: ReadonlyMap<string, number> = new Map([
  ['Ki', 10],
  ['Mi', 20],
  ['Gi', 30],
  ['Ti', 40],
  ['Pi', 50],
  ['Ei', 60],
]);
const decimalSuffixByExp = new Map([...decimalSuffixes].map(([s, e]) => [e, s]));
const binarySuffixByExp = new Map([...binarySuffixes].map(([s, e]) => [e, s]));

const abs = (x: bigint): bigint => (x < 0n ? -x : x);
const pow10 = (n: number): bigint => 10n ** BigInt(n);
const digitCount = (x: bigint): number => (x === 0n ? 1 : abs(x).toString().length);

/** Divide by 10^n, rounding away from zero; exact says no digit was lost. */
function scaleDownAwayFromZero(v: bigint, n: number): { value: bigint; exact: boolean } {
  if (n <= 0) return { value: v * pow10(-n), exact: true };
  const d = pow10(n);
  const q = v / d;
  const r = v % d;
  if (r === 0n) return { value: q, exact: true };
  return { value: v > 0n ? q + 1n : q - 1n, exact: false };
}

function removeFactors(v: bigint, base: bigint): { value: bigint; times: number } {
  let times = 0;
  while (v !== 0n && v % base === 0n) {
    v /= base;
    times++;
  }
  return { value: v, times };
}

interface Scanned {
  positive: boolean;
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

// A single left-to-right scan with the same leniency as upstream ("1.", ".5", "-" all scan).
function scanQuantity(str: string): Scanned | undefined {
  const end = str.length;
  let pos = 0;
  let positive = true;
  if (str[0] === '-') {
    positive = false;
    pos++;
  } else if (str[0] === '+') {
    pos++;
  }
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };

  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  let num = str.slice(pos, i);
  if (i >= end) return { positive, value: str, num, denom: '', suffix: '' };
  pos = i;
  if (num === '') num = '0';

  let denom = '';
  if (str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && isDigit(str[i])) i++;
    denom = str.slice(pos, i);
    if (i >= end) return { positive, value: str, num, denom, suffix: '' };
    pos = i;
  }
  const value = str.slice(0, pos);

  const suffixStart = pos;
  i = pos;
  while (i < end && 'eEinumkKMGTP'.includes(str[i]!)) i++;
  if (i >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  pos = i;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  i = pos;
  while (i < end && isDigit(str[i])) i++;
  if (i >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  return undefined;
}

function interpretSuffix(s: string): { base: 10 | 2; exponent: number; format: QuantityFormat } | undefined {
  const d = decimalSuffixes.get(s);
  if (d !== undefined) return { base: 10, exponent: d, format: 'DecimalSI' };
  const b = binarySuffixes.get(s);
  if (b !== undefined) return { base: 2, exponent: b, format: 'BinarySI' };
  if (s.length > 1 && (s[0] === 'e' || s[0] === 'E')) {
    const rest = s.slice(1);
    if (!/^[+-]?[0-9]+$/.test(rest)) return undefined;
    const n = BigInt(rest);
    if (n > MAX_INT64 || n < MIN_INT64) return undefined;
    // Go parses an int64 and then truncates it to int32.
    return { base: 10, exponent: Number(BigInt.asIntN(32, n)), format: 'DecimalExponent' };
  }
  return undefined;
}

/** Parses a quantity or throws QuantityParseError with upstream's message. Numbers are read via their JS string form. */
export function parseQuantity(input: string | number): Quantity {
  const str = typeof input === 'number' ? numberText(input) : input;
  if (str.length === 0) throw new QuantityParseError(errFormatWrong, str);
  if (str === '0') return new Quantity(0n, 0, 'DecimalSI', '0');

  const sc = scanQuantity(str);
  if (!sc) throw new QuantityParseError(errFormatWrong, str);
  const suf = interpretSuffix(sc.suffix);
  if (!suf) throw new QuantityParseError(errSuffix, str);
  const { base, exponent } = suf;
  let format = suf.format;

  // Fast path: values that fit an int64 at a scale of at least nano, as upstream's int64Amount.
  let precision: number;
  let scale = 0;
  let mantissa = 1n;
  if (format === 'BinarySI') {
    if (exponent >= 0 && sc.denom.length === 0) {
      mantissa = 1n << BigInt(exponent);
      precision = 15 - sc.num.length - Math.trunc((exponent * 3) / 10) - 1;
    } else {
      precision = -1;
    }
  } else {
    scale = exponent;
    precision = 18 - (sc.num.length + sc.denom.length);
  }
  if (precision >= 0) {
    scale -= sc.denom.length;
    if (scale >= NANO) {
      const shifted = sc.num + sc.denom;
      const value = BigInt(shifted);
      let result = value * mantissa;
      if (result <= MAX_INT64) {
        if (!sc.positive) result = -result;
        // Upstream keeps the input text as the serialized form when it is already canonical.
        const canonical =
          format === 'BinarySI'
            ? exponent % 10 === 0 && (value & 7n) !== 0n
            : scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
        return new Quantity(result, scale, format, canonical ? str : undefined);
      }
    }
  }

  // Slow path: arbitrary precision, rounded up to nano.
  if (!/[0-9]/.test(sc.value)) throw new QuantityParseError(errNumeric, str);
  const point = sc.value.indexOf('.');
  const digits = sc.value.replace('.', '');
  let unscaled = BigInt(digits === '+' || digits === '-' ? '0' : digits);
  let exp = point >= 0 ? -(sc.value.length - point - 1) : 0;
  if (base === 10) exp += exponent;
  else unscaled *= 1n << BigInt(exponent);

  const negative = unscaled < 0n;
  if (negative) unscaled = -unscaled;
  if (unscaled !== 0n) {
    if (exp < NANO) {
      unscaled = scaleDownAwayFromZero(unscaled, NANO - exp).value;
      exp = NANO;
    } else if (exp - NANO <= 400) {
      // Upstream's rounding also rescales to exactly nano; a huge exponent stays compact here.
      unscaled *= pow10(exp - NANO);
      exp = NANO;
    }
  }
  if (format === 'BinarySI' && cmpParts(unscaled, exp, MAX_INT64, 0) > 0) {
    unscaled = MAX_INT64;
    exp = 0;
  }
  if (format === 'BinarySI' && unscaled !== 0n && cmpParts(unscaled, exp, 1n, 0) < 0) format = 'DecimalSI';
  if (negative) unscaled = -unscaled;
  return new Quantity(unscaled, exp, format);
}

/** parseQuantity that answers undefined instead of throwing. */
export function tryParseQuantity(input: unknown): Quantity | undefined {
  if (input instanceof Quantity) return input;
  if (typeof input !== 'string' && typeof input !== 'number') return undefined;
  try {
    return parseQuantity(input);
  } catch (e) {
    if (e instanceof QuantityParseError) return undefined;
    throw e;
  }
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) return 'NaN';
  return String(n);
}

// Go's math.Pow10 is built from two table entries, which can differ by an ulp from 10 ** n.
const pow10tab = Array.from({ length: 32 }, (_, i) => Number(`1e${i}`));
const pow10postab32 = Array.from({ length: 10 }, (_, i) => Number(`1e${i * 32}`));
const pow10negtab32 = Array.from({ length: 11 }, (_, i) => Number(`1e-${i * 32}`));
function goPow10(n: number): number {
  if (n >= 0 && n <= 308) return pow10postab32[Math.floor(n / 32)]! * pow10tab[n % 32]!;
  if (n < 0 && n >= -323) return pow10negtab32[Math.floor(-n / 32)]! / pow10tab[-n % 32]!;
  return n > 0 ? Infinity : 0;
}

function cmpParts(ua: bigint, ea: number, ub: bigint, eb: number): -1 | 0 | 1 {
  const sa = ua === 0n ? 0 : ua > 0n ? 1 : -1;
  const sb = ub === 0n ? 0 : ub > 0n ? 1 : -1;
  if (sa !== sb) return sa > sb ? 1 : -1;
  if (sa === 0) return 0;
  // Different orders of magnitude decide without aligning (which could need huge powers of 10).
  const ma = digitCount(ua) + ea;
  const mb = digitCount(ub) + eb;
  if (ma !== mb) return (ma > mb ? sa : -sa) as -1 | 1;
  const m = Math.min(ea, eb);
  const a = ua * pow10(ea - m);
  const b = ub * pow10(eb - m);
  return a === b ? 0 : a > b ? 1 : -1;
}

/** An immutable fixed-point number with a remembered display format. */
export class Quantity {
  /** @param cached the serialized form, when known (upstream keeps canonical input text). */
  constructor(
    private readonly unscaled: bigint,
    private readonly exp: number,
    readonly format: QuantityFormat = 'DecimalSI',
    private readonly cached?: string,
  ) {}

  /** value × 10^scale, e.g. fromScaled(5, -3) is 5m. */
  static fromScaled(value: bigint | number, scale: number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(value), scale, format);
  }
  static fromInt(value: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(value), 0, format);
  }
  static fromMilli(value: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(value), -3, format);
  }
  static zero(format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(0n, 0, format);
  }

  isZero(): boolean {
    return this.unscaled === 0n;
  }
  sign(): -1 | 0 | 1 {
    return this.unscaled === 0n ? 0 : this.unscaled > 0n ? 1 : -1;
  }
  cmp(o: Quantity): -1 | 0 | 1 {
    return cmpParts(this.unscaled, this.exp, o.unscaled, o.exp);
  }
  equals(o: Quantity): boolean {
    return this.cmp(o) === 0;
  }
  /** Sum; a zero receiver takes the other's format, as upstream. */
  add(o: Quantity): Quantity {
    const format = this.isZero() ? o.format : this.format;
    if (o.isZero()) return new Quantity(this.unscaled, this.exp, format);
    if (this.isZero()) return new Quantity(o.unscaled, o.exp, format);
    const m = Math.min(this.exp, o.exp);
    return new Quantity(this.unscaled * pow10(this.exp - m) + o.unscaled * pow10(o.exp - m), m, format);
  }
  /** Difference; a zero receiver takes the other's format, as upstream. */
  sub(o: Quantity): Quantity {
    return this.add(o.neg());
  }
  neg(): Quantity {
    return new Quantity(-this.unscaled, this.exp, this.format);
  }
  /** Product with an integer. */
  mul(n: bigint | number): Quantity {
    return new Quantity(this.unscaled * BigInt(n), this.exp, this.format);
  }
  withFormat(format: QuantityFormat): Quantity {
    return format === this.format ? this : new Quantity(this.unscaled, this.exp, format, undefined);
  }

  /** ceil(q / 10^scale), rounding away from zero like upstream's ScaledValue (exact, no int64 overflow). */
  scaledValue(scale: number): bigint {
    return scaleDownAwayFromZero(this.unscaled, scale - this.exp).value;
  }
  /** The value rounded up to an integer. */
  value(): bigint {
    return this.scaledValue(0);
  }
  /** ceil(q × 1000). */
  milliValue(): bigint {
    return this.scaledValue(-3);
  }
  /** The value as an integer when it is one and fits an int64, else undefined. */
  asInt64(): bigint | undefined {
    const r = scaleDownAwayFromZero(this.unscaled, -this.exp);
    return r.exact && r.value <= MAX_INT64 && r.value >= MIN_INT64 ? r.value : undefined;
  }
  /** The same quantity rounded (away from zero) to a multiple of 10^scale. */
  roundUp(scale: number): Quantity {
    if (this.exp >= scale) return this;
    return new Quantity(scaleDownAwayFromZero(this.unscaled, scale - this.exp).value, scale, this.format);
  }
  /** A float that may lose precision; ±Infinity when out of range. Same rounding as upstream. */
  asApproximateFloat64(): number {
    const base = Number(this.unscaled);
    return this.exp === 0 ? base : base * goPow10(this.exp);
  }

  /** The canonical form kube-apiserver serializes (or the input text, when it already was canonical). */
  toString(): string {
    if (this.cached !== undefined) return this.cached;
    if (this.isZero()) return '0';
    let format = this.format;
    let rounded = 0n;
    if (format === 'BinarySI') {
      if (this.cmp(Quantity.fromInt(-1024)) > 0 && this.cmp(Quantity.fromInt(1024)) < 0) {
        format = 'DecimalSI';
      } else {
        const r = scaleDownAwayFromZero(this.unscaled, -this.exp);
        if (r.exact) rounded = r.value;
        else format = 'DecimalSI';
      }
    }
    if (format === 'BinarySI') {
      const { value, times } = removeFactors(rounded, 1024n);
      const suffix = times === 0 ? '' : binarySuffixByExp.get(times * 10);
      // Past Ei upstream v1.32 drops the suffix (and the magnitude); we fall back to decimal instead.
      if (suffix !== undefined) return value.toString() + suffix;
      format = 'DecimalSI';
    }
    const [mantissa, exponent] = this.canonicalDecimal();
    if (format === 'DecimalSI') {
      const suffix = decimalSuffixByExp.get(exponent);
      // Beyond the SI suffixes (above E) v1.32 loses the magnitude; later releases use an exponent.
      if (suffix !== undefined) return mantissa + suffix;
    }
    return exponent === 0 ? mantissa : `${mantissa}e${exponent}`;
  }
  toJSON(): string {
    return this.toString();
  }

  /** Mantissa digits and an exponent that is a multiple of 3, with no fraction. */
  private canonicalDecimal(): [string, number] {
    const r = removeFactors(this.unscaled, 10n);
    let amount = r.value;
    let exponent = this.exp + r.times;
    const rem = ((exponent % 3) + 3) % 3;
    amount *= pow10(rem);
    exponent -= rem;
    return [amount.toString(), exponent];
  }
}

/** The quantity of a JSON value (string or number), or undefined when absent or malformed. */
export function quantityOf(v: unknown): Quantity | undefined {
  return tryParseQuantity(v);
}

/** Canonical string of a JSON quantity value; the input unchanged when it does not parse. */
export function canonicalQuantity(v: string | number): string | number {
  const q = tryParseQuantity(v);
  return q ? q.toString() : v;
}
