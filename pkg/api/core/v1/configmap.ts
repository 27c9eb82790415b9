// core/v1 ConfigMap: non-secret configuration as string data and binary (base64) data.
import { isDeepStrictEqual } from 'node:util';
import { listSchema, resourceSchema } from '../../meta/v1.js';
import { age } from '../../printers/age.js';
import type { ResourceDef } from '../../registry.js';
import { boolean, map, string, type Static } from '../../schema/dsl.js';
import { FieldPath, forbidden, invalid, tooLong, type FieldError } from '../../validation/field.js';
import { isConfigMapKey } from '../../validation/names.js';
import { decodeGoBase64, maxSecretSize } from './secret.js';

export const ConfigMapSchema = resourceSchema('io.k8s.api.core.v1.ConfigMap', 'Configuration data for pods to consume, as strings and binary values. The total size is limited to 1 MiB.', {
  immutable: boolean('When true, data and binaryData can no longer change; only metadata can be updated.'),
  data: map(string(''), 'UTF-8 string values. Keys consist of alphanumerics, "-", "_" or "."; they may not also appear in binaryData.'),
  binaryData: map(string('', { format: 'byte' }), 'Binary values, base64-encoded. Keys may not also appear in data.'),
});
export type ConfigMap = Static<typeof ConfigMapSchema>;
export const ConfigMapListSchema = listSchema('io.k8s.api.core.v1.ConfigMapList', ConfigMapSchema);

export function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs: FieldError[] = [];
  const dataPath = FieldPath.root('data');
  const binPath = FieldPath.root('binaryData');
  const binary = cm.binaryData ?? {};
  let total = 0;
  for (const [key, value] of Object.entries(cm.data ?? {})) {
    for (const msg of isConfigMapKey(key)) errs.push(invalid(dataPath.key(key), key, msg));
    if (Object.prototype.hasOwnProperty.call(binary, key)) errs.push(invalid(dataPath.key(key), key, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(String(value), 'utf8');
  }
  for (const [key, value] of Object.entries(binary)) {
    for (const msg of isConfigMapKey(key)) errs.push(invalid(binPath.key(key), key, msg));
    const r = decodeGoBase64(value);
    if ('error' in r) errs.push(invalid(binPath.key(key), value, r.error));
    else total += r.bytes.length;
  }
  // The empty path: the error is about the object as a whole.
  if (total > maxSecretSize) errs.push(tooLong(FieldPath.root(), '', maxSecretSize));
  return errs;
}

export function validateConfigMapUpdate(cm: ConfigMap, old: ConfigMap): FieldError[] {
  const errs: FieldError[] = [];
  if (old.immutable === true) {
    const msg = 'field is immutable when `immutable` is set';
    if (cm.immutable !== true) errs.push(forbidden(FieldPath.root('immutable'), msg));
    if (!isDeepStrictEqual(cm.data ?? {}, old.data ?? {})) errs.push(forbidden(FieldPath.root('data'), msg));
    if (!isDeepStrictEqual(cm.binaryData ?? {}, old.binaryData ?? {})) errs.push(forbidden(FieldPath.root('binaryData'), msg));
  }
  return [...errs, ...validateConfigMap(cm)];
}

export const configMapResource: ResourceDef<ConfigMap> = {
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  listKind: 'ConfigMapList',
  plural: 'configmaps',
  singular: 'configmap',
  shortNames: ['cm'],
  namespaced: true,
  schema: ConfigMapSchema,
  nameValidation: 'subdomain',
  validate: validateConfigMap,
  validateUpdate: validateConfigMapUpdate,
  table: {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the config map.', priority: 0 },
      { name: 'Data', type: 'string', description: 'Number of entries in data and binaryData.', priority: 0 },
      { name: 'Age', type: 'string', description: 'Time since the config map was created.', priority: 0 },
    ],
    cells: (cm, now) => [
      cm.metadata?.name ?? '',
      Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length,
      age(cm.metadata?.creationTimestamp, now),
    ],
  },
};
