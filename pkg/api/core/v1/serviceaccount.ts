// core/v1 ServiceAccount: an identity for processes running in pods.
import { listSchema, resourceSchema } from '../../meta/v1.js';
import { age } from '../../printers/age.js';
import type { ResourceDef } from '../../registry.js';
import { array, boolean, type Static } from '../../schema/dsl.js';
import { LocalObjectReferenceSchema, ObjectReferenceSchema } from './common.js';

export const ServiceAccountSchema = resourceSchema(
  'io.k8s.api.core.v1.ServiceAccount',
  'An identity for processes in pods, with the secrets they may use and whether an API token is mounted.',
  {
    secrets: array(ObjectReferenceSchema, 'Secrets in the same namespace that pods using this account may use (enforced only with the kubernetes.io/enforce-mountable-secrets annotation).', {
      mergeKey: 'name',
      strategy: 'merge',
      listType: 'map',
      mapKeys: ['name'],
    }),
    imagePullSecrets: array(LocalObjectReferenceSchema, 'Secrets used to pull the images of pods that use this account.', { listType: 'atomic' }),
    automountServiceAccountToken: boolean('Whether pods using this account get an API token mounted; a pod can override it.'),
  },
);
export type ServiceAccount = Static<typeof ServiceAccountSchema>;
export const ServiceAccountListSchema = listSchema('io.k8s.api.core.v1.ServiceAccountList', ServiceAccountSchema);

export const serviceAccountResource: ResourceDef<ServiceAccount> = {
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  listKind: 'ServiceAccountList',
  plural: 'serviceaccounts',
  singular: 'serviceaccount',
  shortNames: ['sa'],
  namespaced: true,
  schema: ServiceAccountSchema,
  nameValidation: 'subdomain',
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the service account.', priority: 0 },
      { name: 'Secrets', type: 'string', description: 'Number of secrets listed by the account.', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the service account was created.', priority: 0 },
    ],
    cells: (sa, now) => [sa.metadata?.name ?? '', (sa.secrets ?? []).length, age(sa.metadata?.creationTimestamp, now)],
  },
};
