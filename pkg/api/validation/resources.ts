// Validation of resource names and quantities (requests, limits, quota) with the core group's
// rules and messages.
import { Quantity, QuantityParseError, parseQuantity } from '../resource/quantity.js';
import { type FieldError, FieldPath, duplicate, forbidden, invalid, notFound, required } from './field.js';
import { isNegativeErrorMsg, isQualifiedName } from './names.js';

export const isNotIntegerErrorMsg = 'must be an integer';
export const isInvalidQuotaResource = 'must be a standard resource for quota';

export const resourceDefaultNamespacePrefix = 'kubernetes.io/';
export const resourceHugePagesPrefix = 'hugepages-';
export const defaultResourceRequestsPrefix = 'requests.';

const standardResources = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'storage',
  'requests.storage',
  'services.nodeports',
  'services.loadbalancers',
]);

const standardQuotaResources = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.storage',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'persistentvolumeclaims',
  'configmaps',
  'services.nodeports',
  'services.loadbalancers',
]);

const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);

const integerResources = new Set([
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'services.nodeports',
  'services.loadbalancers',
]);

export const isHugePageResourceName = (name: string): boolean => name.startsWith(resourceHugePagesPrefix);
export const isQuotaHugePageResourceName = (name: string): boolean =>
  name.startsWith(resourceHugePagesPrefix) || name.startsWith(defaultResourceRequestsPrefix + resourceHugePagesPrefix);
/** Unprefixed names and names under kubernetes.io/ belong to Kubernetes itself. */
export const isNativeResource = (name: string): boolean => !name.includes('/') || name.includes(resourceDefaultNamespacePrefix);
export function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith(defaultResourceRequestsPrefix)) return false;
  // It must still be a valid name once turned into a quota name ("requests.<name>").
  return isQualifiedName(defaultResourceRequestsPrefix + name).length === 0;
}
export const isStandardResourceName = (name: string): boolean => standardResources.has(name) || isQuotaHugePageResourceName(name);
export const isStandardQuotaResourceName = (name: string): boolean => standardQuotaResources.has(name) || isQuotaHugePageResourceName(name);
export const isStandardContainerResourceName = (name: string): boolean => standardContainerResources.has(name) || isHugePageResourceName(name);
export const isIntegerResourceName = (name: string): boolean => integerResources.has(name) || isExtendedResourceName(name);
/** Requests may be below limits only for native resources other than huge pages. */
export const isOvercommitAllowed = (name: string): boolean => isNativeResource(name) && !isHugePageResourceName(name);

/** A Quantity from a JSON value (string or number) or a Quantity; a QuantityParseError otherwise. */
function toQuantity(value: unknown): Quantity | QuantityParseError {
  if (value instanceof Quantity) return value;
  if (typeof value === 'string' || typeof value === 'number') {
    try {
      return parseQuantity(value);
    } catch (e) {
      if (e instanceof QuantityParseError) return e;
      throw e;
    }
  }
  return new QuantityParseError(`quantities must be a string or a number, got ${value === null ? 'null' : typeof value}`, String(value));
}

/** The amount must not be negative; a string or number that does not parse is reported as invalid. */
export function validateNonnegativeQuantity(value: Quantity | string | number, path: FieldPath): FieldError[] {
  const q = toQuantity(value);
  if (q instanceof QuantityParseError) return [invalid(path, value, q.message)];
  return q.sign() < 0 ? [invalid(path, q.toString(), isNegativeErrorMsg)] : [];
}

/** The value must parse, must not be negative, and must be whole for integer resources. */
export function validateResourceQuantityValue(resourceName: string, value: unknown, path: FieldPath): FieldError[] {
  const q = toQuantity(value);
  if (q instanceof QuantityParseError) return [invalid(path, value, q.message)];
  const errs = q.sign() < 0 ? [invalid(path, q.toString(), isNegativeErrorMsg)] : [];
  // Upstream tests the milli value, so 1.9999 (which rounds up to 2000m) still counts as whole.
  if (isIntegerResourceName(resourceName) && q.milliValue() % 1000n !== 0n) errs.push(invalid(path, q.toString(), isNotIntegerErrorMsg));
  return errs;
}

/** A resource name: a qualified name, and a standard one when it has no prefix. */
export function validateResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (errs.length > 0) return errs;
  if (!name.includes('/') && !isStandardResourceName(name)) errs.push(invalid(path, name, 'must be a standard resource type or fully qualified'));
  return errs;
}

export function validateContainerResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = validateResourceName(name, path);
  if (!name.includes('/')) {
    if (!isStandardContainerResourceName(name)) errs.push(invalid(path, name, 'must be a standard resource for containers'));
  } else if (!isNativeResource(name) && !isExtendedResourceName(name)) {
    errs.push(invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

export function validateResourceQuotaResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = validateResourceName(name, path);
  if (!name.includes('/') && !isStandardQuotaResourceName(name)) errs.push(invalid(path, name, isInvalidQuotaResource));
  return errs;
}

/** "hugepages-2Mi" needs a whole number of 2Mi pages. */
function hugePageValueError(name: string, q: Quantity): string | undefined {
  if (!isHugePageResourceName(name)) return undefined;
  const msg = `${q.toString()} is not positive integer multiple of ${name}`;
  let pageSize: Quantity;
  try {
    pageSize = parseQuantity(name.slice(resourceHugePagesPrefix.length));
  } catch {
    return msg;
  }
  if (pageSize.sign() <= 0 || pageSize.milliValue() % 1000n !== 0n) return msg;
  return q.value() % pageSize.value() === 0n ? undefined : msg;
}

export interface ResourceClaimRef {
  readonly name?: string;
  readonly request?: string;
}

export interface ResourceRequirementsLike {
  readonly limits?: Readonly<Record<string, unknown>>;
  readonly requests?: Readonly<Record<string, unknown>>;
  readonly claims?: readonly ResourceClaimRef[];
}

export interface ResourceRequirementsOptions {
  /** Names of pod.spec.resourceClaims; when given, each claim must refer to one of them. */
  readonly podClaimNames?: ReadonlySet<string>;
  /** Accept huge-page amounts that are not a whole number of pages (true when an old object already had one). */
  readonly allowIndivisibleHugePagesValues?: boolean;
}

const qosComputeResources = new Set(['cpu', 'memory']);

/** Container resources: names, quantities, request ≤ limit, huge pages, claims. */
export function validateResourceRequirements(
  req: ResourceRequirementsLike | undefined,
  path: FieldPath,
  opts: ResourceRequirementsOptions = {},
): FieldError[] {
  if (!req) return [];
  const errs: FieldError[] = [];
  const limPath = path.child('limits');
  const reqPath = path.child('requests');
  let hasCPUOrMemory = false;
  let hasHugePages = false;
  const limits = new Map<string, Quantity>();

  for (const [name, raw] of Object.entries(req.limits ?? {})) {
    const p = limPath.key(name);
    errs.push(...validateContainerResourceName(name, p));
    errs.push(...validateResourceQuantityValue(name, raw, p));
    const q = toQuantity(raw);
    if (q instanceof QuantityParseError) continue;
    limits.set(name, q);
    if (isHugePageResourceName(name)) {
      hasHugePages = true;
      const e = opts.allowIndivisibleHugePagesValues ? undefined : hugePageValueError(name, q);
      if (e) errs.push(invalid(p, q.toString(), e));
    }
    if (qosComputeResources.has(name)) hasCPUOrMemory = true;
  }

  for (const [name, raw] of Object.entries(req.requests ?? {})) {
    const p = reqPath.key(name);
    errs.push(...validateContainerResourceName(name, p));
    errs.push(...validateResourceQuantityValue(name, raw, p));
    const q = toQuantity(raw);
    if (q instanceof QuantityParseError) continue;
    const limit = limits.get(name);
    if (limit) {
      if (q.cmp(limit) !== 0 && !isOvercommitAllowed(name)) {
        errs.push(invalid(reqPath, q.toString(), `must be equal to ${name} limit of ${limit.toString()}`));
      } else if (q.cmp(limit) > 0) {
        errs.push(invalid(reqPath, q.toString(), `must be less than or equal to ${name} limit of ${limit.toString()}`));
      }
    } else if (!isOvercommitAllowed(name) && !(name in (req.limits ?? {}))) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePageResourceName(name)) {
      hasHugePages = true;
      const e = opts.allowIndivisibleHugePagesValues ? undefined : hugePageValueError(name, q);
      if (e) errs.push(invalid(p, q.toString(), e));
    }
    if (qosComputeResources.has(name)) hasCPUOrMemory = true;
  }

  if (!hasCPUOrMemory && hasHugePages) errs.push(forbidden(path, 'HugePages require cpu or memory'));
  errs.push(...validateResourceClaims(req.claims, path.child('claims'), opts.podClaimNames));
  return errs;
}

function validateResourceClaims(claims: readonly ResourceClaimRef[] | undefined, path: FieldPath, podClaimNames?: ReadonlySet<string>): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (claims ?? []).forEach((c, i) => {
    const name = c.name ?? '';
    if (name === '') {
      errs.push(required(path.index(i), ''));
      return;
    }
    const key = `${name}/${c.request ?? ''}`;
    if (seen.has(key)) errs.push(duplicate(path.index(i), c.request ? key : name));
    else seen.add(key);
    if (podClaimNames && !podClaimNames.has(name)) {
      const names = [...podClaimNames].sort();
      const detail =
        'must be one of the names in pod.spec.resourceClaims' + (names.length === 0 ? ' which is empty' : ': ' + names.join(', '));
      errs.push({ ...notFound(path.index(i), name), detail });
    }
  });
  return errs;
}

/** A map of resource name → quantity (ResourceQuota hard, LimitRange, node capacity). */
export function validateResourceList(
  list: Readonly<Record<string, unknown>> | undefined,
  path: FieldPath,
  nameValidator: (name: string, path: FieldPath) => FieldError[] = validateResourceName,
): FieldError[] {
  const errs: FieldError[] = [];
  for (const [name, raw] of Object.entries(list ?? {})) {
    const p = path.key(name);
    errs.push(...nameValidator(name, p));
    errs.push(...validateResourceQuantityValue(name, raw, p));
  }
  return errs;
}

export { FieldPath };
