// Validation of Jobs and of the job spec a CronJob templates, with upstream's messages and paths.
import { LabelSelectorSchema } from '../../meta/v1.js';
import type { PodTemplateSpec } from '../../core/v1/pod.js';
import { validatePodTemplateSpec } from '../../core/v1/pod.js';
import {
  duplicate,
  type FieldError,
  FieldPath,
  invalid,
  notSupported,
  required,
  tooLong,
  tooMany,
} from '../../validation/field.js';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  regexError,
  selectorHasInvalidLabelValue,
  validateLabelSelector,
  validateQualifiedName,
} from '../../validation/names.js';
import { semanticDeepEqual } from '../../validation/objectmeta.js';
import { matcherFor, validateImmutable, validateNonnegative, validateSelectorMatchesTemplate } from '../../apps/v1/workload.js';
import type { Job, JobSpec } from './job.js';

export const legacyJobNameLabel = 'job-name';
export const jobNameLabel = 'batch.kubernetes.io/job-name';
export const legacyControllerUidLabel = 'controller-uid';
export const controllerUidLabel = 'batch.kubernetes.io/controller-uid';

const maxParallelismForIndexedJob = 100_000;
const maxFailedIndexesForIndexedJob = 100_000;
const completionsSoftLimit = 100_000;
const parallelismLimitForHighCompletions = 10_000;
const maxFailedIndexesLimitForHighCompletions = 10_000;
const maxPodFailurePolicyRules = 20;
const maxPodFailurePolicyOnExitCodesValues = 255;
const maxPodFailurePolicyOnPodConditionsPatterns = 20;
const maxManagedByLength = 63;
const maxSucceededIndexesLength = 64 * 1024;
const maxSuccessPolicyRules = 20;

// Sorted, as upstream lists them.
const podFailurePolicyActions = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
const onExitCodesOperators = ['In', 'NotIn'];
const conditionStatuses = ['False', 'True', 'Unknown'];
const podReplacementPolicies = ['Failed', 'TerminatingOrFailed'];

/** Go's %q of a []string: ["a" "b"]. */
const quotedList = (xs: readonly string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;

export interface JobValidationOptions {
  /** Require the batch.kubernetes.io/ forms of the generated labels (all new jobs). */
  readonly requirePrefixedLabels: boolean;
  /** A suspended job that never started may change its pods' scheduling directives. */
  readonly allowMutableSchedulingDirectives: boolean;
  readonly allowInvalidLabelValueInSelector: boolean;
}

const root = FieldPath.root();
const specPath = root.child('spec');

// ---- indexes ("1,3-5,7") ----

const atoiLike = /^[+-]?\d+$/;

function parseIndexInterval(interval: string, completions: number): [number, number] {
  const limits = interval.split('-');
  if (limits.length > 2) {
    throw new Error(`the fragment ${JSON.stringify(interval)} violates the requirement that an index interval can have at most two parts separated by '-'`);
  }
  const parse = (s: string): number => {
    if (!atoiLike.test(s)) throw new Error(`cannot convert string to integer for index: ${JSON.stringify(s)}`);
    const n = Number.parseInt(s, 10);
    if (n >= completions) throw new Error(`too large index: ${JSON.stringify(s)}`);
    return n;
  };
  const x = parse(limits[0]!);
  if (limits.length === 1) return [x, x];
  const y = parse(limits[1]!);
  if (x >= y) throw new Error(`non-increasing order, previous: ${x}, current: ${y}`);
  return [x, y];
}

/** Checks an index list against the completions and counts the indexes it names. */
export function countIndexes(indexes: string, completions: number): number {
  if (indexes === '') return 0;
  let last: number | undefined;
  let total = 0;
  for (const interval of indexes.split(',')) {
    const [x, y] = parseIndexInterval(interval, completions);
    if (last !== undefined && last >= x) throw new Error(`non-increasing order, previous: ${last}, current: ${x}`);
    total += y - x + 1;
    last = y;
  }
  return total;
}

// ---- spec parts ----

type PodFailurePolicyRule = NonNullable<NonNullable<JobSpec['podFailurePolicy']>['rules']>[number];

function validateOnExitCodes(req: NonNullable<PodFailurePolicyRule['onExitCodes']>, path: FieldPath, containerNames: ReadonlySet<string>): FieldError[] {
  const errs: FieldError[] = [];
  const opPath = path.child('operator');
  if (!req.operator) errs.push(required(opPath, `valid values: ${quotedList(onExitCodesOperators)}`));
  else if (!onExitCodesOperators.includes(req.operator)) errs.push(notSupported(opPath, req.operator, onExitCodesOperators));
  if (req.containerName !== undefined && !containerNames.has(req.containerName)) {
    errs.push(invalid(path.child('containerName'), req.containerName, 'must be one of the container or initContainer names in the pod template'));
  }
  const valuesPath = path.child('values');
  const values = req.values ?? [];
  if (values.length === 0) errs.push(invalid(valuesPath, values, 'at least one value is required'));
  else if (values.length > maxPodFailurePolicyOnExitCodesValues) errs.push(tooMany(valuesPath, values.length, maxPodFailurePolicyOnExitCodesValues));
  const seen = new Set<number>();
  let ordered = true;
  values.forEach((v, j) => {
    if (req.operator === 'In' && v === 0) errs.push(invalid(valuesPath.index(j), v, 'must not be 0 for the In operator'));
    if (seen.has(v)) errs.push(duplicate(valuesPath.index(j), v));
    else seen.add(v);
    if (j > 0 && values[j - 1]! > v) ordered = false;
  });
  if (!ordered) errs.push(invalid(valuesPath, values, 'must be ordered'));
  return errs;
}

function validateOnPodConditions(patterns: NonNullable<PodFailurePolicyRule['onPodConditions']>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (patterns.length > maxPodFailurePolicyOnPodConditionsPatterns) errs.push(tooMany(path, patterns.length, maxPodFailurePolicyOnPodConditionsPatterns));
  patterns.forEach((p, j) => {
    const pPath = path.index(j);
    errs.push(...validateQualifiedName(p.type ?? '', pPath.child('type')));
    if (!p.status) errs.push(required(pPath.child('status'), `valid values: ${quotedList(conditionStatuses)}`));
    else if (!conditionStatuses.includes(p.status)) errs.push(notSupported(pPath.child('status'), p.status, conditionStatuses));
  });
  return errs;
}

function validatePodFailurePolicy(spec: JobSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const rules = spec.podFailurePolicy?.rules ?? [];
  const rulesPath = path.child('rules');
  if (rules.length > maxPodFailurePolicyRules) errs.push(tooMany(rulesPath, rules.length, maxPodFailurePolicyRules));
  const podSpec = spec.template?.spec;
  const containerNames = new Set([...(podSpec?.containers ?? []), ...(podSpec?.initContainers ?? [])].map((c) => c.name ?? ''));
  rules.forEach((rule, i) => {
    const rulePath = rulesPath.index(i);
    const actionPath = rulePath.child('action');
    if (!rule.action) errs.push(required(actionPath, `valid values: ${quotedList(podFailurePolicyActions)}`));
    else if (rule.action === 'FailIndex') {
      if (spec.backoffLimitPerIndex === undefined) errs.push(invalid(actionPath, rule.action, 'requires the backoffLimitPerIndex to be set'));
    } else if (!podFailurePolicyActions.includes(rule.action)) errs.push(notSupported(actionPath, rule.action, podFailurePolicyActions));
    if (rule.onExitCodes) errs.push(...validateOnExitCodes(rule.onExitCodes, rulePath.child('onExitCodes'), containerNames));
    const conditions = rule.onPodConditions ?? [];
    if (conditions.length > 0) errs.push(...validateOnPodConditions(conditions, rulePath.child('onPodConditions')));
    // Upstream omits the value from these two messages.
    if (rule.onExitCodes && conditions.length > 0) errs.push(invalid(rulePath, undefined, 'specifying both OnExitCodes and OnPodConditions is not supported'));
    if (!rule.onExitCodes && conditions.length === 0) errs.push(invalid(rulePath, undefined, 'specifying one of OnExitCodes and OnPodConditions is required'));
  });
  return errs;
}

function validateSuccessPolicy(spec: JobSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const rules = spec.successPolicy?.rules ?? [];
  const rulesPath = path.child('rules');
  if (rules.length === 0) errs.push(required(rulesPath, 'at least one rules must be specified when the successPolicy is specified'));
  if (rules.length > maxSuccessPolicyRules) errs.push(tooMany(rulesPath, rules.length, maxSuccessPolicyRules));
  const completions = spec.completions ?? 0;
  rules.forEach((rule, i) => {
    const rulePath = rulesPath.index(i);
    if (rule.succeededCount === undefined && rule.succeededIndexes === undefined) {
      errs.push(required(rulePath, 'at least one of succeededCount or succeededIndexes must be specified'));
    }
    let total = 0;
    if (rule.succeededIndexes !== undefined) {
      const idxPath = rulePath.child('succeededIndexes');
      if (Buffer.byteLength(rule.succeededIndexes) > maxSucceededIndexesLength) errs.push(tooLong(idxPath, rule.succeededIndexes, maxSucceededIndexesLength));
      try {
        total = countIndexes(rule.succeededIndexes, completions);
      } catch (e) {
        errs.push(invalid(idxPath, rule.succeededIndexes, `error parsing succeededIndexes: ${(e as Error).message}`));
      }
    }
    if (rule.succeededCount !== undefined) {
      const countPath = rulePath.child('succeededCount');
      errs.push(...validateNonnegative(rule.succeededCount, countPath));
      if (rule.succeededCount > completions) {
        errs.push(invalid(countPath, rule.succeededCount, `must be less than or equal to ${completions} (the number of specified completions)`));
      }
      if (rule.succeededIndexes !== undefined && rule.succeededCount > total) {
        errs.push(invalid(countPath, rule.succeededCount, `must be less than or equal to ${total} (the number of indexes in the specified succeededIndexes field)`));
      }
    }
  });
  return errs;
}

function validatePodReplacementPolicy(spec: JobSpec, path: FieldPath): FieldError[] {
  const policy = spec.podReplacementPolicy;
  if (policy === undefined) return [];
  if (spec.podFailurePolicy) return policy === 'Failed' ? [] : [notSupported(path, policy, ['Failed'])];
  return podReplacementPolicies.includes(policy) ? [] : [notSupported(path, policy, podReplacementPolicies)];
}

const httpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const httpPathRe = new RegExp(`^(?:${httpPathFmt})$`);

/** A domain-prefixed path such as "acme.io/foo". */
function validateDomainPrefixedPath(value: string, path: FieldPath): FieldError[] {
  if (value === '') return [required(path)];
  const slash = value.indexOf('/');
  const host = slash < 0 ? value : value.slice(0, slash);
  const rest = slash < 0 ? '' : value.slice(slash + 1);
  if (slash < 0 || host === '' || rest === '') return [invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = isDNS1123Subdomain(host).map((m) => invalid(path, host, m));
  if (!httpPathRe.test(rest)) errs.push(invalid(path, rest, regexError('must be a valid path', httpPathFmt)));
  return errs;
}

/** The checks a job spec gets both in a Job and in a CronJob's jobTemplate. */
export function validateJobSpecCommon(spec: JobSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateNonnegative(spec.parallelism, path.child('parallelism')));
  errs.push(...validateNonnegative(spec.completions, path.child('completions')));
  errs.push(...validateNonnegative(spec.activeDeadlineSeconds, path.child('activeDeadlineSeconds')));
  errs.push(...validateNonnegative(spec.backoffLimit, path.child('backoffLimit')));
  errs.push(...validateNonnegative(spec.ttlSecondsAfterFinished, path.child('ttlSecondsAfterFinished')));
  errs.push(...validateNonnegative(spec.backoffLimitPerIndex, path.child('backoffLimitPerIndex')));
  if (spec.maxFailedIndexes !== undefined) {
    errs.push(...validateNonnegative(spec.maxFailedIndexes, path.child('maxFailedIndexes')));
    if (spec.backoffLimitPerIndex === undefined) errs.push(required(path.child('backoffLimitPerIndex'), 'when maxFailedIndexes is specified'));
  }
  if (spec.managedBy !== undefined) {
    errs.push(...validateDomainPrefixedPath(spec.managedBy, path.child('managedBy')));
    if (Buffer.byteLength(spec.managedBy) > maxManagedByLength) errs.push(tooLong(path.child('managedBy'), spec.managedBy, maxManagedByLength));
  }
  // completionMode values themselves are checked by the schema's enum.
  const indexed = spec.completionMode === 'Indexed';
  if (indexed) {
    if (spec.completions === undefined) errs.push(required(path.child('completions'), 'when completion mode is Indexed'));
    if (spec.parallelism !== undefined && spec.parallelism > maxParallelismForIndexedJob) {
      errs.push(invalid(path.child('parallelism'), spec.parallelism, `must be less than or equal to ${maxParallelismForIndexedJob} when completion mode is Indexed`));
    }
    if (spec.completions !== undefined && spec.maxFailedIndexes !== undefined && spec.maxFailedIndexes > spec.completions) {
      errs.push(invalid(path.child('maxFailedIndexes'), spec.maxFailedIndexes, 'must be less than or equal to completions'));
    }
    if (spec.maxFailedIndexes !== undefined && spec.maxFailedIndexes > maxFailedIndexesForIndexedJob) {
      errs.push(invalid(path.child('maxFailedIndexes'), spec.maxFailedIndexes, `must be less than or equal to ${maxFailedIndexesForIndexedJob}`));
    }
    if (spec.completions !== undefined && spec.completions > completionsSoftLimit && spec.backoffLimitPerIndex !== undefined) {
      const suffix = `when completions are above ${completionsSoftLimit} and used with backoff limit per index`;
      if (spec.maxFailedIndexes === undefined) errs.push(required(path.child('maxFailedIndexes'), `must be specified when completions is above ${completionsSoftLimit}`));
      if (spec.parallelism !== undefined && spec.parallelism > parallelismLimitForHighCompletions) {
        errs.push(invalid(path.child('parallelism'), spec.parallelism, `must be less than or equal to ${parallelismLimitForHighCompletions} ${suffix}`));
      }
      if (spec.maxFailedIndexes !== undefined && spec.maxFailedIndexes > maxFailedIndexesLimitForHighCompletions) {
        errs.push(invalid(path.child('maxFailedIndexes'), spec.maxFailedIndexes, `must be less than or equal to ${maxFailedIndexesLimitForHighCompletions} ${suffix}`));
      }
    }
  }
  if (spec.completionMode === undefined || spec.completionMode === 'NonIndexed') {
    if (spec.backoffLimitPerIndex !== undefined) errs.push(invalid(path.child('backoffLimitPerIndex'), spec.backoffLimitPerIndex, 'requires indexed completion mode'));
    if (spec.maxFailedIndexes !== undefined) errs.push(invalid(path.child('maxFailedIndexes'), spec.maxFailedIndexes, 'requires indexed completion mode'));
  }
  if (spec.podFailurePolicy) errs.push(...validatePodFailurePolicy(spec, path.child('podFailurePolicy')));
  if (spec.successPolicy) {
    if (!indexed) errs.push(invalid(path.child('successPolicy'), spec.successPolicy, 'requires indexed completion mode'));
    else errs.push(...validateSuccessPolicy(spec, path.child('successPolicy')));
  }
  errs.push(...validatePodReplacementPolicy(spec, path.child('podReplacementPolicy')));
  errs.push(...validatePodTemplateSpec(spec.template ?? {}, path.child('template')));

  // The pod spec defaulting sets Always when the user gave nothing, hence "Required" for both.
  const rpPath = path.child('template', 'spec', 'restartPolicy');
  const restartPolicy = spec.template?.spec?.restartPolicy ?? '';
  if (restartPolicy === 'Always' || restartPolicy === '') errs.push(required(rpPath, 'valid values: "OnFailure", "Never"'));
  else if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') errs.push(notSupported(rpPath, restartPolicy, ['OnFailure', 'Never']));
  else if (spec.podFailurePolicy && restartPolicy !== 'Never') {
    errs.push(invalid(rpPath, restartPolicy, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  return errs;
}

/** A Job's spec: the common checks plus a selector that matches the template. */
export function validateJobSpec(spec: JobSpec, path: FieldPath, opts: Pick<JobValidationOptions, 'allowInvalidLabelValueInSelector'>): FieldError[] {
  const errs = validateJobSpecCommon(spec, path);
  if (!spec.selector) errs.push(required(path.child('selector')));
  else errs.push(...validateLabelSelector(spec.selector, path.child('selector'), { allowInvalidLabelValueInSelector: opts.allowInvalidLabelValueInSelector }));
  errs.push(...validateSelectorMatchesTemplate(matcherFor(spec.selector), spec.template, path.child('template')));
  return errs;
}

function validateHasLabel(tpl: PodTemplateSpec | undefined, key: string, expected: string): FieldError[] {
  const path = specPath.child('template', 'metadata', 'labels').key(key);
  const labels = tpl?.metadata?.labels ?? {};
  if (!(key in labels)) return [required(path, `must be '${expected}'`)];
  return labels[key] === expected ? [] : [invalid(path, labels, `must be '${expected}'`)];
}

/** A generated selector must still be the generated one, and the pods must carry its labels. */
function validateGeneratedSelector(job: Job, requirePrefixedLabels: boolean): FieldError[] {
  const spec = job.spec;
  if (spec?.manualSelector === true || !spec?.selector) return [];
  const errs: FieldError[] = [];
  const uid = job.metadata?.uid ?? '';
  const name = job.metadata?.name ?? '';
  if (uid === '') errs.push(required(root.child('metadata', 'uid')));
  errs.push(...validateHasLabel(spec.template, legacyControllerUidLabel, uid));
  errs.push(...validateHasLabel(spec.template, legacyJobNameLabel, name));
  const expected: Record<string, string> = {};
  if (requirePrefixedLabels) {
    errs.push(...validateHasLabel(spec.template, controllerUidLabel, uid));
    errs.push(...validateHasLabel(spec.template, jobNameLabel, name));
    expected[controllerUidLabel] = uid;
    expected[jobNameLabel] = name;
  }
  expected[legacyControllerUidLabel] = uid;
  expected[legacyJobNameLabel] = name;
  const matcher = matcherFor(spec.selector);
  if (matcher && !matcher.matches(expected)) errs.push(invalid(specPath.child('selector'), spec.selector, '`selector` not auto-generated'));
  return errs;
}

function validateJobWith(job: Job, opts: JobValidationOptions): FieldError[] {
  const spec = job.spec ?? ({} as JobSpec);
  const errs = [...validateGeneratedSelector(job, opts.requirePrefixedLabels), ...validateJobSpec(spec, specPath, opts)];
  if (spec.completionMode === 'Indexed' && spec.completions !== undefined && spec.completions > 0) {
    // Pods get the hostname <job>-<index>, which must be a DNS label.
    const name = job.metadata?.name ?? '';
    const longest = `${name}-${spec.completions - 1}`;
    if (isDNS1123Label(longest).length > 0) {
      errs.push(invalid(root.child('metadata', 'name'), name, `will not able to create pod with invalid DNS label: ${longest}`));
    }
  }
  return errs;
}

const createOptions: JobValidationOptions = { requirePrefixedLabels: true, allowMutableSchedulingDirectives: false, allowInvalidLabelValueInSelector: false };

export const validateJob = (job: Job): FieldError[] => validateJobWith(job, createOptions);

/** The scheduling directives of a suspended, never started job's template may change; the rest may not. */
function validateTemplateUpdate(spec: JobSpec, old: JobSpec, opts: JobValidationOptions): FieldError[] {
  const tpl = spec.template ?? {};
  let oldTpl: PodTemplateSpec = old.template ?? {};
  if (opts.allowMutableSchedulingDirectives) {
    oldTpl = structuredClone(oldTpl);
    const oldSpec = (oldTpl.spec ??= {} as NonNullable<PodTemplateSpec['spec']>);
    const newSpec = tpl.spec ?? ({} as NonNullable<PodTemplateSpec['spec']>);
    if (!newSpec.affinity && oldSpec.affinity) {
      const rest: Record<string, unknown> = { ...oldSpec.affinity };
      delete rest['nodeAffinity'];
      if (Object.keys(rest).length === 0) delete oldSpec.affinity;
      else oldSpec.affinity = rest;
    } else if (newSpec.affinity && !oldSpec.affinity) {
      oldSpec.affinity = newSpec.affinity.nodeAffinity ? { nodeAffinity: newSpec.affinity.nodeAffinity } : {};
    } else if (newSpec.affinity && oldSpec.affinity) {
      const merged: Record<string, unknown> = { ...oldSpec.affinity, nodeAffinity: newSpec.affinity.nodeAffinity };
      if (merged['nodeAffinity'] === undefined) delete merged['nodeAffinity'];
      oldSpec.affinity = merged;
    }
    oldSpec.nodeSelector = newSpec.nodeSelector;
    oldSpec.tolerations = newSpec.tolerations;
    oldSpec.schedulingGates = newSpec.schedulingGates;
    const oldMeta = (oldTpl.metadata ??= {});
    oldMeta.annotations = tpl.metadata?.annotations;
    oldMeta.labels = tpl.metadata?.labels;
  }
  return validateImmutable(tpl, oldTpl, specPath.child('template'));
}

function validateCompletionsUpdate(spec: JobSpec, old: JobSpec): FieldError[] {
  const path = specPath.child('completions');
  // Only Indexed jobs are elastic, and only when parallelism moves with completions.
  if (spec.completionMode !== 'Indexed') return validateImmutable(spec.completions, old.completions, path);
  if (semanticDeepEqual(spec.completions, old.completions) || spec.completions === undefined) return [];
  return spec.completions !== spec.parallelism ? [invalid(path, spec.completions, 'can only be modified in tandem with spec.parallelism')] : [];
}

export function validateJobUpdate(job: Job, old: Job): FieldError[] {
  const spec = job.spec ?? ({} as JobSpec);
  const oldSpec = old.spec ?? ({} as JobSpec);
  const opts: JobValidationOptions = {
    allowInvalidLabelValueInSelector: selectorHasInvalidLabelValue(oldSpec.selector),
    allowMutableSchedulingDirectives: oldSpec.suspend === true && !old.status?.startTime,
    // Jobs created before the prefixed labels existed keep validating without them.
    requirePrefixedLabels: jobNameLabel in (oldSpec.template?.metadata?.labels ?? {}),
  };
  const errs = validateJobWith(job, opts);
  errs.push(...validateJobSpec(spec, specPath, opts));
  errs.push(...validateCompletionsUpdate(spec, oldSpec));
  errs.push(...validateImmutable(spec.selector, oldSpec.selector, specPath.child('selector'), LabelSelectorSchema));
  errs.push(...validateTemplateUpdate(spec, oldSpec, opts));
  errs.push(...validateImmutable(spec.completionMode, oldSpec.completionMode, specPath.child('completionMode')));
  errs.push(...validateImmutable(spec.podFailurePolicy, oldSpec.podFailurePolicy, specPath.child('podFailurePolicy')));
  errs.push(...validateImmutable(spec.backoffLimitPerIndex, oldSpec.backoffLimitPerIndex, specPath.child('backoffLimitPerIndex')));
  errs.push(...validateImmutable(spec.managedBy, oldSpec.managedBy, specPath.child('managedBy')));
  errs.push(...validateImmutable(spec.successPolicy, oldSpec.successPolicy, specPath.child('successPolicy')));
  return dedupe(errs);
}

// Upstream validates the spec twice on update; identical errors collapse.
function dedupe(errs: readonly FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const key = `${e.type}\u0000${e.field}\u0000${e.detail}\u0000${JSON.stringify(e.badValue ?? null)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
