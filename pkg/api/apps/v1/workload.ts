// Helpers shared by the workload kinds of apps/v1 and batch/v1: the validation rules they have in
// common (selector against template, int-or-percent fields, pod template rules for controllers),
// the cells of their tables, and Go's semantic equality for immutability checks.
import type { LabelSelector } from '../../meta/v1.js';
import { type FieldError, FieldPath, forbidden, invalid, notSupported } from '../../validation/field.js';
import { isNegativeErrorMsg, isPercent } from '../../validation/names.js';
import { fieldImmutableErrorMsg } from '../../validation/objectmeta.js';
import { GoTyped } from '../../validation/gofmt.js';
import { asNode, type TSchema } from '../../schema/dsl.js';
import { formatLabels as labelSetString, labelSelectorAsSelector, SelectorParseError, type Selector } from '../../selectors/labels.js';
import { applyDefaults } from '../../schema/walk.js';
import { defaultPodSpec, PodTemplateSpecSchema, type PodTemplateSpec } from '../../core/v1/pod.js';

export type IntOrString = number | string;

/**
 * The selector for a LabelSelector (a missing one selects nothing, an empty one everything),
 * undefined when it is malformed.
 */
export function matcherFor(sel: LabelSelector | undefined): Selector | undefined {
  try {
    return labelSelectorAsSelector(sel);
  } catch (e) {
    if (e instanceof SelectorParseError) return undefined;
    throw e;
  }
}

export const hasRequirements = (sel: LabelSelector): boolean => Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length > 0;

export function validateNonnegative(value: number | undefined, path: FieldPath): FieldError[] {
  return value !== undefined && value < 0 ? [invalid(path, value, isNegativeErrorMsg)] : [];
}

// ---- int-or-percent fields (maxSurge, maxUnavailable) ----

const percentValue = (v: IntOrString | undefined): number | undefined =>
  typeof v === 'string' && isPercent(v).length === 0 ? Number.parseInt(v.slice(0, -1), 10) : undefined;

/** intstr's IntValue after a percent parse: "25%" → 25, 3 → 3, "3" → 3, anything else → 0. */
export function intOrPercentValue(v: IntOrString | undefined): number {
  const p = percentValue(v);
  if (p !== undefined) return p;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v)) return Number.parseInt(v, 10);
  return 0;
}

export function validatePositiveIntOrPercent(v: IntOrString | undefined, path: FieldPath): FieldError[] {
  if (typeof v === 'string') return isPercent(v).map((msg) => invalid(path, v, msg));
  return validateNonnegative(v, path);
}

export function isNotMoreThan100Percent(v: IntOrString | undefined, path: FieldPath): FieldError[] {
  const p = percentValue(v);
  return p !== undefined && p > 100 ? [invalid(path, v, 'must not be greater than 100%')] : [];
}

// ---- pod templates owned by controllers ----

/** Fills a template's defaults: schema defaults (idempotent) and the pod-spec conditional ones. */
export function defaultTemplate(tpl: PodTemplateSpec): void {
  applyDefaults(tpl, asNode(PodTemplateSpecSchema));
  if (tpl.spec) defaultPodSpec(tpl.spec);
}

/** `selector` does not match template `labels`, at <template>.metadata.labels. */
export function selectorMismatch(tpl: PodTemplateSpec | undefined, path: FieldPath): FieldError {
  return invalid(path.child('metadata', 'labels'), tpl?.metadata?.labels ?? {}, '`selector` does not match template `labels`');
}

export const templateLabels = (tpl: PodTemplateSpec | undefined): Record<string, string> => tpl?.metadata?.labels ?? {};

/** Controllers whose pods run forever: restartPolicy must be Always and activeDeadlineSeconds unset. */
export function validateLongRunningTemplate(tpl: PodTemplateSpec | undefined, path: FieldPath, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  const restartPolicy = tpl?.spec?.restartPolicy ?? '';
  if (restartPolicy !== 'Always') errs.push(notSupported(path.child('spec', 'restartPolicy'), restartPolicy, ['Always']));
  if (tpl?.spec?.activeDeadlineSeconds !== undefined) {
    errs.push(forbidden(path.child('spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kind} is not Supported`));
  }
  return errs;
}

// ---- immutability ----

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// Go has no "absent": a missing list, map or string is its empty value, and false is a missing bool.
const isZero = (v: unknown): boolean =>
  v === undefined || v === null || v === '' || v === false || (Array.isArray(v) && v.length === 0) || (isRecord(v) && Object.keys(v).length === 0);

/** apiequality.Semantic.DeepEqual over JSON: empty and missing collections are equal. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isZero(a) && isZero(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => semanticEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!semanticEqual(a[k], b[k])) return false;
    return true;
  }
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  return a === b;
}

/** `schema` makes the bad value print as Go prints the typed struct (selectors, templates). */
export function validateImmutable(newValue: unknown, oldValue: unknown, path: FieldPath, schema?: TSchema): FieldError[] {
  if (semanticEqual(newValue, oldValue)) return [];
  const bad = schema !== undefined && newValue !== undefined && newValue !== null ? new GoTyped(newValue, asNode(schema)) : (newValue ?? null);
  return [invalid(path, bad, fieldImmutableErrorMsg)];
}

// ---- table cells ----

interface ContainerLike {
  readonly name?: string;
  readonly image?: string;
}

/** The CONTAINERS and IMAGES cells: names and images joined with commas. */
export function containerCells(containers: readonly ContainerLike[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}

/** metav1.FormatLabelSelector: the canonical selector string, "<none>" when it selects all or nothing. */
export function formatLabelSelector(sel: LabelSelector | undefined): string {
  const m = matcherFor(sel);
  if (!m) return '<error>';
  const s = m.toString();
  return s === '' ? '<none>' : s;
}

/** labels.FormatLabels: sorted k=v pairs, "<none>" when empty. */
export function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  return labelSetString(labels) || '<none>';
}

export { FieldPath };
