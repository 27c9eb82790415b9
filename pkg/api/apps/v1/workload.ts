// Helpers shared by the workload kinds of apps/v1 and batch/v1: the validation rules they have in
// common (selector against template, int-or-percent fields, pod template rules for controllers),
// the cells of their tables, and immutability checks.
import type { LabelSelector } from '../../meta/v1.js';
import type { TableColumn } from '../../registry.js';
import { type FieldError, FieldPath, forbidden, invalid, notSupported } from '../../validation/field.js';
import { isNegativeErrorMsg, isPercent } from '../../validation/names.js';
import { fieldImmutableErrorMsg, semanticDeepEqual } from '../../validation/objectmeta.js';
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

export const templateLabels = (tpl: PodTemplateSpec | undefined): Record<string, string> => tpl?.metadata?.labels ?? {};

/** The template's labels must satisfy the selector (when it parses), else an error at <template>.metadata.labels. */
export function validateSelectorMatchesTemplate(matcher: Selector | undefined, tpl: PodTemplateSpec | undefined, tplPath: FieldPath): FieldError[] {
  if (!matcher || matcher.matches(templateLabels(tpl))) return [];
  return [invalid(tplPath.child('metadata', 'labels'), templateLabels(tpl), '`selector` does not match template `labels`')];
}

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

/** `schema` makes the bad value print as Go prints the typed struct (selectors, templates). */
export function validateImmutable(newValue: unknown, oldValue: unknown, path: FieldPath, schema?: TSchema): FieldError[] {
  if (semanticDeepEqual(newValue, oldValue)) return [];
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

/** The wide CONTAINERS and IMAGES columns of every kind that owns a pod template. */
export const containerColumns: readonly TableColumn[] = [
  { name: 'Containers', type: 'string', description: 'Names of each container in the template.', priority: 1 },
  { name: 'Images', type: 'string', description: 'Images referenced by each container in the template.', priority: 1 },
];

/** CONTAINERS, IMAGES and SELECTOR: the wide columns of the workloads that select their pods. */
export const templateColumns: readonly TableColumn[] = [
  ...containerColumns,
  { name: 'Selector', type: 'string', description: 'Label selector of the pods.', priority: 1 },
];

/** The cells of templateColumns; `selectorCell` for kinds that print their selector another way. */
export function templateCells(
  tpl: PodTemplateSpec | undefined,
  selector: LabelSelector | undefined,
  selectorCell: (sel: LabelSelector | undefined) => string = formatLabelSelector,
): [string, string, string] {
  return [...containerCells(tpl?.spec?.containers), selectorCell(selector)];
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
// Kept under the name the workload tests know; the implementation lives in validation/objectmeta.
export { semanticDeepEqual as semanticEqual };
