// core/v1 LimitRange: per-namespace bounds and defaults for the resources of pods, containers and
// claims (enforced and applied by the LimitRanger admission plugin).
import { listSchema, resourceSchema } from '../../meta/v1.js';
import type { ResourceDef } from '../../registry.js';
import { Quantity, QuantityParseError, parseQuantity } from '../../resource/quantity.js';
import { array, map, quantity, string, struct, withDescription, type Static } from '../../schema/dsl.js';
import { FieldPath, duplicate, forbidden, invalid, required, type FieldError } from '../../validation/field.js';
import { isQualifiedName } from '../../validation/names.js';
import { isOvercommitAllowed, validateContainerResourceName, validateResourceName } from '../../validation/resources.js';

const P = 'io.k8s.api.core.v1.';

export const LimitRangeItemSchema = struct(P + 'LimitRangeItem', 'Bounds and defaults for one kind of object (Pod, Container or PersistentVolumeClaim).', {
  type: string('Kind the limits apply to: Pod, Container, PersistentVolumeClaim, or a fully qualified name.'),
  max: map(quantity(''), 'Largest allowed amount of each resource.'),
  min: map(quantity(''), 'Smallest allowed amount of each resource.'),
  default: map(quantity(''), 'Limit applied when a container sets none.'),
  defaultRequest: map(quantity(''), 'Request applied when a container sets none.'),
  maxLimitRequestRatio: map(quantity(''), 'Largest allowed limit/request ratio of each resource (the burst).'),
});
export type LimitRangeItem = Static<typeof LimitRangeItemSchema>;

export const LimitRangeSpecSchema = struct(P + 'LimitRangeSpec', 'The limits a LimitRange enforces.', {
  limits: array(LimitRangeItemSchema, 'The limits, one item per kind.', { listType: 'atomic' }),
});

export const LimitRangeSchema = resourceSchema(P + 'LimitRange', 'Resource bounds and defaults for the objects of a namespace.', {
  spec: withDescription(LimitRangeSpecSchema, 'The limits enforced.'),
});
export type LimitRange = Static<typeof LimitRangeSchema>;
export const LimitRangeListSchema = listSchema(P + 'LimitRangeList', LimitRangeSchema);

type ResourceList = Record<string, string | number>;

/** Container defaults: the limit defaults to max, the request to the limit, else to min. */
export function defaultLimitRange(lr: LimitRange): void {
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    const def: ResourceList = { ...(item.default ?? {}) };
    const req: ResourceList = { ...(item.defaultRequest ?? {}) };
    for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in def)) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (!(k in req)) req[k] = v;
    for (const [k, v] of Object.entries(item.min ?? {})) if (!(k in req)) req[k] = v;
    if (Object.keys(def).length > 0) item.default = def;
    if (Object.keys(req).length > 0) item.defaultRequest = req;
  }
}

const standardLimitTypes = new Set(['Pod', 'Container', 'PersistentVolumeClaim']);
// math.MaxInt64 / 1000: below it, ratios are computed on milli-values for precision.
const maxMilliValue = 9223372036854775n;

function validateLimitType(type: string, path: FieldPath): FieldError[] {
  const errs = isQualifiedName(type).map((m) => invalid(path, type, m));
  if (errs.length > 0) return errs;
  if (!type.includes('/') && !standardLimitTypes.has(type)) errs.push(invalid(path, type, 'must be a standard limit type or fully qualified'));
  return errs;
}

/** Go's %f: six decimals, and "+Inf" for division by zero. */
function goFloat(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  return v.toFixed(6);
}

export function validateLimitRange(lr: LimitRange): FieldError[] {
  const errs: FieldError[] = [];
  const seenTypes = new Set<string>();
  (lr.spec?.limits ?? []).forEach((item, i) => {
    const path = FieldPath.root('spec').child('limits').index(i);
    const type = item.type ?? '';
    errs.push(...validateLimitType(type, path.child('type')));
    if (seenTypes.has(type)) errs.push(duplicate(path.child('type'), type));
    seenTypes.add(type);
    const nameCheck = type === 'Pod' || type === 'Container' ? validateContainerResourceName : validateResourceName;
    const keys = new Set<string>();
    const read = (field: 'max' | 'min' | 'default' | 'defaultRequest' | 'maxLimitRequestRatio'): Map<string, Quantity> => {
      const out = new Map<string, Quantity>();
      for (const [k, raw] of Object.entries(item[field] ?? {})) {
        errs.push(...nameCheck(k, path.child(field).key(k)));
        keys.add(k);
        try {
          out.set(k, parseQuantity(raw));
        } catch (e) {
          if (!(e instanceof QuantityParseError)) throw e;
          errs.push(invalid(path.child(field).key(k), raw, e.message));
        }
      }
      return out;
    };
    const max = read('max');
    const min = read('min');
    let defaults = new Map<string, Quantity>();
    let defaultRequests = new Map<string, Quantity>();
    if (type === 'Pod') {
      if (Object.keys(item.default ?? {}).length > 0) errs.push(forbidden(path.child('default'), "may not be specified when `type` is 'Pod'"));
      if (Object.keys(item.defaultRequest ?? {}).length > 0) errs.push(forbidden(path.child('defaultRequest'), "may not be specified when `type` is 'Pod'"));
    } else {
      defaults = read('default');
      defaultRequests = read('defaultRequest');
    }
    if (type === 'PersistentVolumeClaim' && !('storage' in (item.min ?? {})) && !('storage' in (item.max ?? {}))) {
      errs.push(required(path.child('limits'), 'either minimum or maximum storage value is required, but neither was provided'));
    }
    const ratios = read('maxLimitRequestRatio');
    for (const k of [...keys].sort()) {
      const mn = min.get(k);
      const mx = max.get(k);
      const def = defaults.get(k);
      const defReq = defaultRequests.get(k);
      const ratio = ratios.get(k);
      const at = (field: string): FieldPath => path.child(field).key(k);
      if (mn && mx && mn.cmp(mx) > 0) errs.push(invalid(at('min'), mn.toString(), `min value ${mn} is greater than max value ${mx}`));
      if (defReq && mn && mn.cmp(defReq) > 0) errs.push(invalid(at('defaultRequest'), defReq.toString(), `min value ${mn} is greater than default request value ${defReq}`));
      if (defReq && mx && defReq.cmp(mx) > 0) errs.push(invalid(at('defaultRequest'), defReq.toString(), `default request value ${defReq} is greater than max value ${mx}`));
      if (defReq && def && defReq.cmp(def) > 0) errs.push(invalid(at('defaultRequest'), defReq.toString(), `default request value ${defReq} is greater than default limit value ${def}`));
      if (def && mn && mn.cmp(def) > 0) errs.push(invalid(at('default'), mn.toString(), `min value ${mn} is greater than default value ${def}`));
      if (def && mx && def.cmp(mx) > 0) errs.push(invalid(at('default'), mx.toString(), `default value ${def} is greater than max value ${mx}`));
      if (ratio && ratio.cmp(Quantity.fromInt(1)) < 0) errs.push(invalid(at('maxLimitRequestRatio'), ratio.toString(), `ratio ${ratio} is less than 1`));
      if (ratio && mn && mx) {
        let ratioValue = Number(ratio.value());
        let minValue = mn.value();
        let maxValue = mx.value();
        if (ratio.value() < maxMilliValue && minValue < maxMilliValue && maxValue < maxMilliValue) {
          ratioValue = Number(ratio.milliValue()) / 1000;
          minValue = mn.milliValue();
          maxValue = mx.milliValue();
        }
        const limit = Number(maxValue) / Number(minValue);
        if (ratioValue > limit) errs.push(invalid(at('maxLimitRequestRatio'), ratio.toString(), `ratio ${ratio} is greater than max/min = ${goFloat(limit)}`));
      }
      // Resources that cannot be overcommitted (hugepages, extended resources) need request == limit.
      if (!isOvercommitAllowed(k) && def && defReq && def.cmp(defReq) !== 0) {
        errs.push(invalid(at('defaultRequest'), defReq.toString(), `default value ${def} must equal to defaultRequest value ${defReq} in ${k}`));
      }
    }
  });
  return errs;
}

/** The CREATED AT cell of the generic table: the creation time in RFC 3339, UTC. */
export function createdAt(timestamp: string | undefined): string {
  const t = timestamp ? Date.parse(timestamp) : NaN;
  return Number.isNaN(t) ? '0001-01-01T00:00:00Z' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const limitRangeResource: ResourceDef<LimitRange> = {
  group: '',
  version: 'v1',
  kind: 'LimitRange',
  listKind: 'LimitRangeList',
  plural: 'limitranges',
  singular: 'limitrange',
  shortNames: ['limits'],
  namespaced: true,
  schema: LimitRangeSchema,
  nameValidation: 'subdomain',
  defaults: defaultLimitRange,
  validate: validateLimitRange,
  validateUpdate: validateLimitRange,
  // Upstream has no printer for LimitRange: it gets the generic NAME / CREATED AT table.
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the limit range.', priority: 0 },
      { name: 'Created At', type: 'date', description: 'When the limit range was created.', priority: 0 },
    ],
    cells: (lr) => [lr.metadata?.name ?? '', createdAt(lr.metadata?.creationTimestamp)],
  },
};
