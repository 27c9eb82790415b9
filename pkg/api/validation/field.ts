// Field errors with the exact wording of Kubernetes' field.Error, so messages match kube-apiserver.
import { goFormat, GoTyped } from './gofmt.js';

export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

export interface FieldError {
  readonly type: FieldErrorType;
  /** Dotted path with indexes and keys: spec.containers[0].ports[1].containerPort */
  readonly field: string;
  readonly badValue?: unknown;
  readonly detail: string;
}

/** A path to a field, built the way upstream's field.Path is (child, index, key). */
export class FieldPath {
  private constructor(private readonly text: string) {}
  static root(name = ''): FieldPath {
    return new FieldPath(name);
  }
  child(...names: string[]): FieldPath {
    let t = this.text;
    for (const n of names) t = t === '' ? n : `${t}.${n}`;
    return new FieldPath(t);
  }
  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }
  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`);
  }
  toString(): string {
    return this.text;
  }
}

type PathLike = FieldPath | string;
const p = (path: PathLike): string => String(path);

export const required = (path: PathLike, detail = ''): FieldError => ({ type: 'FieldValueRequired', field: p(path), detail });
export const invalid = (path: PathLike, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field: p(path), badValue: value, detail });
export const notSupported = (path: PathLike, value: unknown, supported: readonly string[]): FieldError => ({
  type: 'FieldValueNotSupported',
  field: p(path),
  badValue: value,
  detail: supported.length > 0 ? 'supported values: ' + supported.map((s) => JSON.stringify(s)).join(', ') : '',
});
export const forbidden = (path: PathLike, detail: string): FieldError => ({ type: 'FieldValueForbidden', field: p(path), detail });
export const duplicate = (path: PathLike, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field: p(path), badValue: value, detail: '' });
export const notFound = (path: PathLike, value: unknown): FieldError => ({ type: 'FieldValueNotFound', field: p(path), badValue: value, detail: '' });
export const tooLong = (path: PathLike, value: unknown, max: number): FieldError => ({
  type: 'FieldValueTooLong',
  field: p(path),
  badValue: value,
  detail: `may not be more than ${max} ${max === 1 ? "byte" : "bytes"}`,
});
export const tooMany = (path: PathLike, actual: number, max: number): FieldError => ({
  type: 'FieldValueTooMany',
  field: p(path),
  badValue: actual,
  detail: `must have at most ${max} items`,
});
export const typeInvalid = (path: PathLike, value: unknown, detail: string): FieldError => ({ type: 'FieldValueTypeInvalid', field: p(path), badValue: value, detail });
export const internalError = (path: PathLike, detail: string): FieldError => ({ type: 'InternalError', field: p(path), detail });

/** Go's %v/%q rendering of a bad value, as field.Error prints it. */
export function formatBadValue(v: unknown): string {
  if (v instanceof GoTyped) return goFormat(v.value, v.schema);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return '[]' + (v.every((x) => typeof x === 'string') ? 'string' : 'interface {}') + '{' + v.map(formatBadValue).join(', ') + '}';
  return JSON.stringify(v);
}

/** The text after the field path: "Invalid value: \"x\": detail", "Required value", ... */
export function errorBody(e: FieldError): string {
  switch (e.type) {
    case 'FieldValueRequired':
      return e.detail ? `Required value: ${e.detail}` : 'Required value';
    case 'FieldValueForbidden':
      return e.detail ? `Forbidden: ${e.detail}` : 'Forbidden';
    case 'InternalError':
      return `Internal error: ${e.detail}`;
    case 'FieldValueTooLong':
      return `Too long: ${e.detail}`;
    case 'FieldValueTooMany':
      return `Too many: ${formatBadValue(e.badValue)}: ${e.detail}`;
    default: {
      const label = {
        FieldValueNotFound: 'Not found',
        FieldValueDuplicate: 'Duplicate value',
        FieldValueInvalid: 'Invalid value',
        FieldValueNotSupported: 'Unsupported value',
        FieldValueTypeInvalid: 'Invalid value',
      }[e.type];
      const s = `${label}: ${formatBadValue(e.badValue)}`;
      return e.detail ? `${s}: ${e.detail}` : s;
    }
  }
}

export function errorString(e: FieldError): string {
  return e.field ? `${e.field}: ${errorBody(e)}` : errorBody(e);
}

/** "[a, b]" for several errors, the bare error for one, as utilerrors.NewAggregate prints. */
export function aggregateMessage(errs: readonly FieldError[]): string {
  const msgs = [...new Set(errs.map(errorString))];
  return msgs.length === 1 ? msgs[0]! : `[${msgs.join(', ')}]`;
}
