// core/v1 ResourceQuota: aggregate limits on what a namespace may consume (enforced by the quota
// admission plugin, usage tracked by the resource quota controller).
import { listSchema, resourceSchema } from '../../meta/v1.js';
import { age } from '../../printers/age.js';
import type { ResourceDef } from '../../registry.js';
import { array, map, quantity, string, struct, withDescription, type Static } from '../../schema/dsl.js';
import { FieldPath, invalid, required, type FieldError } from '../../validation/field.js';
import { fieldImmutableErrorMsg } from '../../validation/objectmeta.js';
import { isStandardQuotaResourceName, validateResourceQuantityValue, validateResourceQuotaResourceName } from '../../validation/resources.js';
import { quantityCell } from './persistentvolume.js';

const P = 'io.k8s.api.core.v1.';

export const ScopedResourceSelectorRequirementSchema = struct(P + 'ScopedResourceSelectorRequirement', 'A requirement on a quota scope: a scope name, an operator and values.', {
  scopeName: string('The scope the requirement applies to, e.g. PriorityClass or Terminating.'),
  operator: string('In, NotIn, Exists or DoesNotExist.'),
  values: array(string(''), 'Values for In and NotIn; none for Exists and DoesNotExist.', { listType: 'atomic' }),
});

export const ScopeSelectorSchema = struct(
  P + 'ScopeSelector',
  'Scope requirements that are ANDed.',
  {
    matchExpressions: array(ScopedResourceSelectorRequirementSchema, 'The requirements.', { listType: 'atomic' }),
  },
  { mapType: 'atomic' },
);

export const ResourceQuotaSpecSchema = struct(P + 'ResourceQuotaSpec', 'The hard limits a quota enforces and the objects it applies to.', {
  hard: map(quantity(''), 'Hard limit of each named resource.'),
  scopes: array(string(''), 'Filters every tracked object must match; none means all objects.', { listType: 'atomic' }),
  scopeSelector: withDescription(ScopeSelectorSchema, 'Scope filters expressed with operators; ANDed with scopes.'),
});

export const ResourceQuotaStatusSchema = struct(P + 'ResourceQuotaStatus', 'Enforced limits and observed usage.', {
  hard: map(quantity(''), 'The enforced hard limits.'),
  used: map(quantity(''), 'Current usage in the namespace.'),
});

export const ResourceQuotaSchema = resourceSchema(P + 'ResourceQuota', 'Aggregate limits on the resources a namespace may consume.', {
  spec: withDescription(ResourceQuotaSpecSchema, 'The desired limits.'),
  status: withDescription(ResourceQuotaStatusSchema, 'The enforced limits and current usage.'),
});
export type ResourceQuota = Static<typeof ResourceQuotaSchema>;
type Spec = NonNullable<ResourceQuota['spec']>;
export const ResourceQuotaListSchema = listSchema(P + 'ResourceQuotaList', ResourceQuotaSchema);

const standardScopes = new Set(['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity']);
const podComputeResources = new Set(['cpu', 'memory', 'limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory']);

/** Whether a scope can restrict the given standard quota resource. */
export function scopeAppliesToResource(scope: string, resource: string): boolean {
  switch (scope) {
    case 'Terminating':
    case 'NotTerminating':
    case 'NotBestEffort':
    case 'PriorityClass':
    case 'CrossNamespacePodAffinity':
      return resource === 'pods' || podComputeResources.has(resource);
    case 'BestEffort':
      return resource === 'pods';
    default:
      return true;
  }
}

const conflictingScopes: [string, string][] = [
  ['BestEffort', 'NotBestEffort'],
  ['Terminating', 'NotTerminating'],
];

function validateScopes(spec: Spec, path: FieldPath): FieldError[] {
  const scopes = spec.scopes ?? [];
  if (scopes.length === 0) return [];
  const errs: FieldError[] = [];
  const hard = Object.keys(spec.hard ?? {}).sort();
  const p = path.child('scopes');
  for (const scope of scopes) {
    if (!standardScopes.has(scope)) errs.push(invalid(p, scopes, 'unsupported scope'));
    for (const k of hard) {
      if (isStandardQuotaResourceName(k) && !scopeAppliesToResource(scope, k)) errs.push(invalid(p, scopes, 'unsupported scope applied to resource'));
    }
  }
  for (const [a, b] of conflictingScopes) if (scopes.includes(a) && scopes.includes(b)) errs.push(invalid(p, scopes, 'conflicting scopes'));
  return errs;
}

function validateScopeSelector(spec: Spec, path: FieldPath): FieldError[] {
  const sel = spec.scopeSelector;
  if (!sel) return [];
  const errs: FieldError[] = [];
  const hard = Object.keys(spec.hard ?? {}).sort();
  const p = path.child('scopeSelector', 'matchExpressions');
  const seen = new Set<string>();
  for (const req of sel.matchExpressions ?? []) {
    const scope = req.scopeName ?? '';
    const values = req.values ?? [];
    if (!standardScopes.has(scope)) errs.push(invalid(p.child('scopeName'), scope, 'unsupported scope'));
    for (const k of hard) {
      if (isStandardQuotaResourceName(k) && !scopeAppliesToResource(scope, k)) errs.push(invalid(p, sel, 'unsupported scope applied to resource'));
    }
    if (['BestEffort', 'NotBestEffort', 'Terminating', 'NotTerminating', 'CrossNamespacePodAffinity'].includes(scope) && req.operator !== 'Exists') {
      errs.push(
        invalid(
          p.child('operator'),
          req.operator ?? '',
          "must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
        ),
      );
    }
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(p.child('values'), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length !== 0) errs.push(invalid(p.child('values'), values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
        break;
      default:
        errs.push(invalid(p.child('operator'), req.operator ?? '', 'not a valid selector operator'));
    }
    seen.add(scope);
  }
  for (const [a, b] of conflictingScopes) if (seen.has(a) && seen.has(b)) errs.push(invalid(p, spec.scopes ?? [], 'conflicting scopes'));
  return errs;
}

function validateResourceList(list: Record<string, string | number> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(list ?? {})) {
    errs.push(...validateResourceQuotaResourceName(k, path.key(k)));
    errs.push(...validateResourceQuantityValue(k, v, path.key(k)));
  }
  return errs;
}

export function validateResourceQuotaSpec(spec: Spec, path: FieldPath): FieldError[] {
  return [...validateResourceList(spec.hard, path.child('hard')), ...validateScopes(spec, path), ...validateScopeSelector(spec, path)];
}

export function validateResourceQuota(rq: ResourceQuota): FieldError[] {
  const status = FieldPath.root('status');
  return [
    ...validateResourceQuotaSpec(rq.spec ?? {}, FieldPath.root('spec')),
    ...validateResourceList(rq.status?.hard, status.child('hard')),
    ...validateResourceList(rq.status?.used, status.child('used')),
  ];
}

export function validateResourceQuotaUpdate(rq: ResourceQuota, old: ResourceQuota): FieldError[] {
  const errs = validateResourceQuotaSpec(rq.spec ?? {}, FieldPath.root('spec'));
  const scopes = new Set(rq.spec?.scopes ?? []);
  const oldScopes = new Set(old.spec?.scopes ?? []);
  if (scopes.size !== oldScopes.size || [...scopes].some((s) => !oldScopes.has(s))) {
    errs.push(invalid(FieldPath.root('spec').child('scopes'), rq.spec?.scopes ?? [], fieldImmutableErrorMsg));
  }
  return errs;
}

/** "requests.cpu: 500m/1, pods: 3/10": used/hard for each resource in status.hard, by name. */
export function quotaColumns(rq: ResourceQuota): { request: string; limit: string } {
  const hard = rq.status?.hard ?? {};
  const used = rq.status?.used ?? {};
  const request: string[] = [];
  const limit: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const parts = name.split('.');
    const target = parts.length > 1 && parts[0] === 'limits' ? limit : request;
    target.push(`${name}: ${quantityCell(used[name])}/${quantityCell(hard[name])}`);
  }
  return { request: request.join(', '), limit: limit.join(', ') };
}

export const resourceQuotaResource: ResourceDef<ResourceQuota> = {
  group: '',
  version: 'v1',
  kind: 'ResourceQuota',
  listKind: 'ResourceQuotaList',
  plural: 'resourcequotas',
  singular: 'resourcequota',
  shortNames: ['quota'],
  namespaced: true,
  schema: ResourceQuotaSchema,
  nameValidation: 'subdomain',
  subresources: { status: true },
  prepareForCreate: (rq) => {
    rq.status = {};
  },
  validate: validateResourceQuota,
  validateUpdate: validateResourceQuotaUpdate,
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the quota.', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the quota was created.', priority: 0 },
      { name: 'Request', type: 'string', description: 'Used and hard amounts of the request (and count) resources.', priority: 0 },
      { name: 'Limit', type: 'string', description: 'Used and hard amounts of the limits.* resources.', priority: 0 },
    ],
    cells: (rq, now) => {
      const { request, limit } = quotaColumns(rq);
      return [rq.metadata?.name ?? '', age(rq.metadata?.creationTimestamp, now), request, limit];
    },
  },
};
