// Label selectors: the string grammar of ?labelSelector= (and kubectl -l), the structured
// LabelSelector of workloads, and matching, with Kubernetes' parsing rules and error texts.
import type { LabelSelector } from '../meta/v1.js';
import { type FieldError, errorString, invalid, notSupported } from '../validation/field.js';
import { isQualifiedName, isValidLabelValue } from '../validation/names.js';

export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted and de-duplicated for parsed in/notin; one value for =, ==, !=, gt, lt; none for exists and !. */
  readonly values: readonly string[];
}

export interface Selector {
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** True for the selector that selects everything (no requirements). */
  isEmpty(): boolean;
  toString(): string;
  requirements(): readonly Requirement[];
}

export class SelectorParseError extends Error {
  override readonly name = 'SelectorParseError';
}

const validOperators: readonly string[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt', 'exists', '!'];

/** Field errors of one requirement; paths are relative ("key", "values[0][app]") as upstream. */
function requirementErrors(key: string, op: string, values: readonly string[]): FieldError[] {
  const errs: FieldError[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length > 0) errs.push(invalid('key', key, keyErrs.join('; ')));
  switch (op) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(invalid('values', values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(invalid('values', values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(invalid('values', values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(invalid('values', values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default:
      errs.push(notSupported('operator', op, validOperators));
  }
  values.forEach((v, i) => {
    const m = isValidLabelValue(v);
    if (m.length > 0) errs.push(invalid(`values[${i}][${key}]`, v, m.join('; ')));
  });
  return errs;
}

/** Aggregate message: the single error, or "[e1, e2]". */
const aggregate = (errs: readonly FieldError[]): string =>
  errs.length === 1 ? errorString(errs[0]!) : `[${errs.map(errorString).join(', ')}]`;

/** A validated requirement; throws SelectorParseError with upstream's message when invalid. */
export function newRequirement(key: string, operator: LabelOperator, values: readonly string[]): Requirement {
  const errs = requirementErrors(key, operator, values);
  if (errs.length > 0) throw new SelectorParseError(aggregate(errs));
  return { key, operator, values: [...values] };
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

export function requirementMatches(r: Requirement, labels: Readonly<Record<string, string>> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key]! : '';
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(value);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const l = parseInt64(value);
      const v = parseInt64(r.values[0]!);
      if (l === undefined || v === undefined) return false;
      return r.operator === 'gt' ? l > v : l < v;
    }
    default:
      return false;
  }
}

export function requirementString(r: Requirement): string {
  const vals = r.values.length === 1 ? r.values[0]! : [...r.values].sort().join(',');
  switch (r.operator) {
    case '!':
      return '!' + r.key;
    case 'exists':
      return r.key;
    case 'in':
      return `${r.key} in (${vals})`;
    case 'notin':
      return `${r.key} notin (${vals})`;
    case 'gt':
      return `${r.key}>${vals}`;
    case 'lt':
      return `${r.key}<${vals}`;
    default:
      return `${r.key}${r.operator}${vals}`;
  }
}

class RequirementsSelector implements Selector {
  constructor(private readonly reqs: readonly Requirement[]) {}
  matches(labels: Readonly<Record<string, string>> | undefined): boolean {
    return this.reqs.every((r) => requirementMatches(r, labels));
  }
  isEmpty(): boolean {
    return this.reqs.length === 0;
  }
  toString(): string {
    return this.reqs.map(requirementString).join(',');
  }
  requirements(): readonly Requirement[] {
    return this.reqs;
  }
}

const nothing: Selector = {
  matches: () => false,
  isEmpty: () => false,
  toString: () => '',
  requirements: () => [],
};

export const everythingSelector = (): Selector => new RequirementsSelector([]);
export const nothingSelector = (): Selector => nothing;

/** Requirements ordered by key (stable for equal keys), as upstream sorts them. */
export function selectorFromRequirements(reqs: readonly Requirement[]): Selector {
  return new RequirementsSelector([...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
}

/** key=value for every entry; values are not validated (upstream's SelectorFromSet). */
export function selectorFromSet(set: Readonly<Record<string, string>> | undefined | null): Selector {
  return selectorFromRequirements(Object.entries(set ?? {}).map(([key, v]) => ({ key, operator: '=' as const, values: [v] })));
}

/** Like selectorFromSet but validates keys and values; throws SelectorParseError. */
export function validatedSelectorFromSet(set: Readonly<Record<string, string>> | undefined | null): Selector {
  return selectorFromRequirements(Object.entries(set ?? {}).map(([key, v]) => newRequirement(key, '=', [v])));
}

/** "k1=v1,k2=v2" with keys sorted, as labels.Set's String(). */
export function formatLabels(set: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(set ?? {})
    .sort()
    .map((k) => `${k}=${set![k]}`)
    .join(',');
}

/**
 * A metav1.LabelSelector as a Selector: null/undefined selects nothing, an empty one everything.
 * Throws SelectorParseError for invalid keys, values or operators.
 */
/** A LabelSelector as read from a frozen cache as well as a mutable object. */
export interface LabelSelectorView {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

export function labelSelectorAsSelector(sel: LabelSelectorView | LabelSelector | undefined | null): Selector {
  if (!sel) return nothing;
  const matchLabels = Object.entries(sel.matchLabels ?? {});
  const exprs = sel.matchExpressions ?? [];
  if (matchLabels.length + exprs.length === 0) return everythingSelector();
  const reqs: Requirement[] = matchLabels.map(([k, v]) => newRequirement(k, '=', [v]));
  for (const e of exprs) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as const)[e.operator as 'In'];
    if (op === undefined) throw new SelectorParseError(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    reqs.push(newRequirement(e.key, op, e.values ?? []));
  }
  return selectorFromRequirements(reqs);
}

/** labelSelectorAsSelector that answers a Selector matching nothing when the selector is invalid. */
export function labelSelectorAsSelectorOrNothing(sel: LabelSelectorView | LabelSelector | undefined | null): Selector {
  try {
    return labelSelectorAsSelector(sel);
  } catch (e) {
    if (e instanceof SelectorParseError) return nothing;
    throw e;
  }
}

/** matchLabels/matchExpressions as the string form (for kubectl-style display and ?labelSelector=). */
export function labelSelectorAsString(sel: LabelSelector | undefined | null): string {
  if (!sel) return '<none>';
  const s = labelSelectorAsSelector(sel);
  return s.isEmpty() ? '' : s.toString();
}

// ---------------------------------------------------------------------------------------------
// String grammar: a lexer producing tokens, then a recursive-descent parser, as upstream.

type Tok =
  | 'error'
  | 'eos'
  | 'closedPar'
  | 'comma'
  | 'doesNotExist'
  | 'doubleEquals'
  | 'equals'
  | 'greaterThan'
  | 'identifier'
  | 'in'
  | 'lessThan'
  | 'notEquals'
  | 'notIn'
  | 'openPar';

const string2token: ReadonlyMap<string, Tok> = new Map([
  [')', 'closedPar'],
  [',', 'comma'],
  ['!', 'doesNotExist'],
  ['==', 'doubleEquals'],
  ['=', 'equals'],
  ['>', 'greaterThan'],
  ['in', 'in'],
  ['<', 'lessThan'],
  ['!=', 'notEquals'],
  ['notin', 'notIn'],
  ['(', 'openPar'],
]);

const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecialSymbol = (c: string): boolean => '=!(),><'.includes(c);

interface Item {
  readonly tok: Tok;
  readonly lit: string;
}

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  // A NUL byte ends the input, as in the byte-oriented upstream lexer.
  const read = (): string => (pos < s.length ? s[pos++]! : '\0');
  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    if (ch === '\0') {
      items.push({ tok: 'eos', lit: '' });
      return items;
    }
    if (isSpecialSymbol(ch)) {
      // Longest run of symbols that is still a token: "!=" rather than "!" then "=".
      let buf = ch;
      let last: Item = { tok: string2token.get(ch)!, lit: ch };
      for (;;) {
        if (pos >= s.length) break;
        const c = s[pos]!;
        if (c === '\0' || !isSpecialSymbol(c)) break;
        const t = string2token.get(buf + c);
        if (t === undefined) break;
        buf += c;
        pos++;
        last = { tok: t, lit: buf };
      }
      items.push(last);
      continue;
    }
    let buf = ch;
    while (pos < s.length) {
      const c = s[pos]!;
      if (c === '\0' || isSpecialSymbol(c) || isWhitespace(c)) break;
      buf += c;
      pos++;
    }
    items.push({ tok: string2token.get(buf) ?? 'identifier', lit: buf });
  }
}

type Context = 'keyAndOperator' | 'values';

class Parser {
  private pos = 0;
  constructor(private readonly items: readonly Item[]) {}

  // In value context the keywords "in" and "notin" are ordinary identifiers.
  private lookahead(ctx: Context): Item {
    const it = this.items[this.pos]!;
    return ctx === 'values' && (it.tok === 'in' || it.tok === 'notIn') ? { tok: 'identifier', lit: it.lit } : it;
  }
  private consume(ctx: Context): Item {
    const it = this.lookahead(ctx);
    this.pos++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead('values');
      if (tok === 'identifier' || tok === 'doesNotExist') {
        let r: Requirement;
        try {
          r = this.parseRequirement();
        } catch (e) {
          if (e instanceof SelectorParseError) throw new SelectorParseError(`unable to parse requirement: ${e.message}`);
          throw e;
        }
        reqs.push(r);
        const next = this.consume('values');
        if (next.tok === 'eos') return reqs;
        if (next.tok === 'comma') {
          const after = this.lookahead('values');
          if (after.tok !== 'identifier' && after.tok !== 'doesNotExist') {
            throw new SelectorParseError(`found '${after.lit}', expected: identifier after ','`);
          }
          continue;
        }
        throw new SelectorParseError(`found '${next.lit}', expected: ',' or 'end of string'`);
      }
      if (tok === 'eos') return reqs;
      throw new SelectorParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
    }
  }

  private parseRequirement(): Requirement {
    const { key, op } = this.parseKeyAndInferOperator();
    if (op === 'exists' || op === '!') return newRequirement(key, op, []);
    const operator = this.parseOperator();
    const values = operator === 'in' || operator === 'notin' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, operator, [...values].sort());
  }

  private parseKeyAndInferOperator(): { key: string; op: LabelOperator | undefined } {
    let op: LabelOperator | undefined;
    let it = this.consume('values');
    if (it.tok === 'doesNotExist') {
      op = '!';
      it = this.consume('values');
    }
    if (it.tok !== 'identifier') throw new SelectorParseError(`found '${it.lit}', expected: identifier`);
    const keyErrs = isQualifiedName(it.lit);
    // Upstream reports this with a nil field path, which prints as "<nil>".
    if (keyErrs.length > 0) throw new SelectorParseError(errorString(invalid('<nil>', it.lit, keyErrs.join('; '))));
    const next = this.lookahead('values').tok;
    if ((next === 'eos' || next === 'comma') && op !== '!') op = 'exists';
    return { key: it.lit, op };
  }

  private parseOperator(): LabelOperator {
    const { tok, lit } = this.consume('keyAndOperator');
    switch (tok) {
      case 'in':
        return 'in';
      case 'equals':
        return '=';
      case 'doubleEquals':
        return '==';
      case 'greaterThan':
        return 'gt';
      case 'lessThan':
        return 'lt';
      case 'notIn':
        return 'notin';
      case 'notEquals':
        return '!=';
      default:
        throw new SelectorParseError(`found '${lit}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }

  private parseValues(): Set<string> {
    const open = this.consume('values');
    if (open.tok !== 'openPar') throw new SelectorParseError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead('values');
    if (tok === 'identifier' || tok === 'comma') {
      const s = this.parseIdentifiersList();
      if (this.consume('values').tok !== 'closedPar') throw new SelectorParseError(`found '${lit}', expected: ')'`);
      return s;
    }
    if (tok === 'closedPar') {
      this.consume('values');
      return new Set(['']);
    }
    throw new SelectorParseError(`found '${lit}', expected: ',', ')' or identifier`);
  }

  private parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume('values');
      if (tok === 'identifier') {
        s.add(lit);
        const next = this.lookahead('values');
        if (next.tok === 'comma') continue;
        if (next.tok === 'closedPar') return s;
        throw new SelectorParseError(`found '${next.lit}', expected: ',' or ')'`);
      }
      if (tok === 'comma') {
        // Empty entries ("(,a" or "a,,b" or "a,)") stand for the empty value.
        if (s.size === 0) s.add('');
        const next = this.lookahead('values').tok;
        if (next === 'closedPar') {
          s.add('');
          return s;
        }
        if (next === 'comma') {
          this.consume('values');
          s.add('');
        }
        continue;
      }
      throw new SelectorParseError(`found '${lit}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): Set<string> {
    const next = this.lookahead('values').tok;
    if (next === 'eos' || next === 'comma') return new Set(['']);
    const { tok, lit } = this.consume('values');
    if (tok === 'identifier') return new Set([lit]);
    throw new SelectorParseError(`found '${lit}', expected: identifier`);
  }
}

/** Parses the string form ("a=b,c in (d,e),!f"); throws SelectorParseError with upstream's message. */
export function parseLabelSelector(s: string): Selector {
  return selectorFromRequirements(new Parser(lex(s)).parse());
}

/** parseLabelSelector that answers undefined instead of throwing. */
export function tryParseLabelSelector(s: string): Selector | undefined {
  try {
    return parseLabelSelector(s);
  } catch (e) {
    if (e instanceof SelectorParseError) return undefined;
    throw e;
  }
}
