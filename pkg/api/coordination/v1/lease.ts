// coordination.k8s.io/v1 Lease: a lock record used for leader election and node heartbeats.
import { listSchema, resourceSchema } from '../../meta/v1.js';
import { age } from '../../printers/age.js';
import type { ResourceDef } from '../../registry.js';
import { int32, microTime, string, struct, withDescription, type Static } from '../../schema/dsl.js';
import { FieldPath, forbidden, invalid, notSupported, type FieldError } from '../../validation/field.js';
import { isQualifiedName } from '../../validation/names.js';

const P = 'io.k8s.api.coordination.v1.';

export const LeaseSpecSchema = struct(P + 'LeaseSpec', 'The desired state of a lease: who holds it and until when.', {
  holderIdentity: string('Identity of the current holder of the lease.'),
  leaseDurationSeconds: int32('How long, counted from renewTime, candidates wait before they may take the lease over.'),
  acquireTime: microTime('When the current holder acquired the lease.'),
  renewTime: microTime('When the current holder last renewed the lease.'),
  leaseTransitions: int32('How many times the lease changed holders.'),
  strategy: string(
    'How a coordinated leader election picks the next holder (OldestEmulationVersion). Only honoured with the CoordinatedLeaderElection feature.',
  ),
  preferredHolder: string('A holder the coordinated leader election would like to hand the lease to. Requires strategy.'),
});
export type LeaseSpec = Static<typeof LeaseSpecSchema>;

export const LeaseSchema = resourceSchema(P + 'Lease', 'A lease on a named resource, renewed by its holder.', {
  spec: withDescription(LeaseSpecSchema, 'The holder and timing of the lease.'),
});
export type Lease = Static<typeof LeaseSchema>;

export const LeaseListSchema = listSchema(P + 'LeaseList', LeaseSchema);

const leaseStrategies = ['OldestEmulationVersion'];

/** A built-in strategy name, or a qualified name when it carries a '/' (a vendor strategy). */
function validateCoordinatedLeaseStrategy(strategy: string, path: FieldPath): FieldError[] {
  // Upstream reports these one level below the field itself (".strategy.strategy").
  const at = path.child('strategy');
  if (strategy.split('/').length === 1) {
    return leaseStrategies.includes(strategy) ? [] : [notSupported(at, strategy, leaseStrategies)];
  }
  return isQualifiedName(strategy).map((msg) => invalid(at, strategy, msg));
}

export function validateLeaseSpec(spec: LeaseSpec | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec) return errs;
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) {
    errs.push(invalid(path.child('leaseDurationSeconds'), spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) {
    errs.push(invalid(path.child('leaseTransitions'), spec.leaseTransitions, 'must be greater than or equal to 0'));
  }
  if (spec.strategy !== undefined) errs.push(...validateCoordinatedLeaseStrategy(spec.strategy, path.child('strategy')));
  if (spec.preferredHolder && !spec.strategy) {
    errs.push(forbidden(path.child('preferredHolder'), 'may only be specified if `strategy` is defined'));
  }
  return errs;
}

const specPath = FieldPath.root('spec');

export const leaseResource: ResourceDef<Lease> = {
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  listKind: 'LeaseList',
  plural: 'leases',
  singular: 'lease',
  namespaced: true,
  schema: LeaseSchema,
  nameValidation: 'subdomain',
  prepareForCreate(obj) {
    // strategy and preferredHolder belong to the CoordinatedLeaderElection feature, which is off
    // by default in v1.32: the apiserver drops them on create.
    if (obj.spec) {
      delete obj.spec.strategy;
      delete obj.spec.preferredHolder;
    }
  },
  validate: (obj) => validateLeaseSpec(obj.spec, specPath),
  validateUpdate: (obj) => validateLeaseSpec(obj.spec, specPath),
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the lease.', priority: 0 },
      { name: 'Holder', type: 'string', description: 'Identity of the current holder.', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the lease was created.', priority: 0 },
    ],
    cells: (obj, now) => [obj.metadata?.name ?? '', obj.spec?.holderIdentity ?? '', age(obj.metadata?.creationTimestamp, now)],
  },
};
