// Field selectors (?fieldSelector=metadata.name=foo,status.phase!=Running) with the splitting,
// escaping and error texts of Kubernetes' fields package.

export type FieldOperator = '=' | '!=';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  readonly value: string;
}

/** Rewrites one term (field, value), e.g. to map a version's field label to the internal one. */
export type FieldTransform = (field: string, value: string) => { field: string; value: string };

export interface FieldSelector {
  /** get answers a field's value; a missing field counts as "" (as upstream's fields.Set). */
  matches(get: (field: string) => string | undefined): boolean;
  requirements(): readonly FieldRequirement[];
  isEmpty(): boolean;
  toString(): string;
  /** The value a term "field=value" requires, when the selector has one. */
  requiresExactMatch(field: string): string | undefined;
  /** Applies fn to every term; a term mapped to an empty field and value is dropped. fn may throw. */
  transform(fn: FieldTransform): FieldSelector;
}

export class FieldSelectorParseError extends Error {
  override readonly name = 'FieldSelectorParseError';
}

/** Backslash-escapes \, ',' and '=' so a value can sit inside a selector string. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => '\\' + c);
}

/** Undoes escapeFieldValue; unescaped ',' or '=' and unknown escapes are errors. */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') out += c;
      else throw new FieldSelectorParseError(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    // Upstream prints the rune with %v, i.e. as its code point number.
    else if (c === ',' || c === '=') throw new FieldSelectorParseError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw new FieldSelectorParseError('invalid field selector: invalid escape sequence: \\');
  return out;
}

class Term implements FieldSelector {
  constructor(
    private readonly field: string,
    private readonly operator: FieldOperator,
    private readonly value: string,
  ) {}
  matches(get: (field: string) => string | undefined): boolean {
    const v = get(this.field) ?? '';
    return this.operator === '=' ? v === this.value : v !== this.value;
  }
  requirements(): readonly FieldRequirement[] {
    return [{ field: this.field, operator: this.operator, value: this.value }];
  }
  isEmpty(): boolean {
    return false;
  }
  toString(): string {
    return `${this.field}${this.operator}${escapeFieldValue(this.value)}`;
  }
  requiresExactMatch(field: string): string | undefined {
    return this.operator === '=' && this.field === field ? this.value : undefined;
  }
  transform(fn: FieldTransform): FieldSelector {
    const r = fn(this.field, this.value);
    if (r.field === '' && r.value === '') return everythingFields();
    return new Term(r.field, this.operator, r.value);
  }
}

class AndSelector implements FieldSelector {
  constructor(private readonly items: readonly FieldSelector[]) {}
  matches(get: (field: string) => string | undefined): boolean {
    return this.items.every((s) => s.matches(get));
  }
  requirements(): readonly FieldRequirement[] {
    return this.items.flatMap((s) => s.requirements());
  }
  isEmpty(): boolean {
    return this.items.every((s) => s.isEmpty());
  }
  toString(): string {
    return this.items.map((s) => s.toString()).join(',');
  }
  requiresExactMatch(field: string): string | undefined {
    for (const s of this.items) {
      const v = s.requiresExactMatch(field);
      if (v !== undefined) return v;
    }
    return undefined;
  }
  transform(fn: FieldTransform): FieldSelector {
    return new AndSelector(this.items.map((s) => s.transform(fn)).filter((s) => !s.isEmpty()));
  }
}

const nothing: FieldSelector = {
  matches: () => false,
  requirements: () => [],
  isEmpty: () => false,
  toString: () => '',
  requiresExactMatch: () => undefined,
  transform() {
    return nothing;
  },
};

export const everythingFields = (): FieldSelector => new AndSelector([]);
export const nothingFields = (): FieldSelector => nothing;
export const oneTermEqualSelector = (field: string, value: string): FieldSelector => new Term(field, '=', value);
export const oneTermNotEqualSelector = (field: string, value: string): FieldSelector => new Term(field, '!=', value);
export const andFieldSelectors = (...selectors: FieldSelector[]): FieldSelector => new AndSelector(selectors);

/** field=value for each entry; undefined/null selects everything. */
export function fieldSelectorFromSet(set: Readonly<Record<string, string>> | undefined | null): FieldSelector {
  if (!set) return everythingFields();
  const items = Object.entries(set).map(([f, v]) => new Term(f, '=', v));
  return items.length === 1 ? items[0]! : new AndSelector(items);
}

// Terms split on commas that are not backslash-escaped.
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

// The first operator occurrence splits a term; "!=" and "==" win over "=" at the same position.
function splitTerm(term: string): { lhs: string; op: string; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '=']) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

const byteOrder = (a: string, b: string): number => {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return Buffer.compare(x, y);
};

/** Parses "a=b,c!=d"; throws FieldSelectorParseError with upstream's message. */
export function parseFieldSelector(selector: string, fn: FieldTransform = (field, value) => ({ field, value })): FieldSelector {
  const parts = splitTerms(selector).sort(byteOrder);
  const items: FieldSelector[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) throw new FieldSelectorParseError(`invalid selector: '${selector}'; can't understand '${part}'`);
    const value = unescapeFieldValue(t.rhs);
    items.push(new Term(t.lhs, t.op === '!=' ? '!=' : '=', value));
  }
  return (items.length === 1 ? items[0]! : new AndSelector(items)).transform(fn);
}

/** parseFieldSelector that answers undefined instead of throwing. */
export function tryParseFieldSelector(selector: string): FieldSelector | undefined {
  try {
    return parseFieldSelector(selector);
  } catch (e) {
    if (e instanceof FieldSelectorParseError) return undefined;
    throw e;
  }
}

/** A lookup over a plain map of field values, for matches(). */
export const fieldsGetter =
  (fields: Readonly<Record<string, string>>): ((field: string) => string | undefined) =>
  (f) =>
    Object.prototype.hasOwnProperty.call(fields, f) ? fields[f] : undefined;
