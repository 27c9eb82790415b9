// Checks shared by the storage.k8s.io/v1 kinds.
import { FieldPath, invalid, required, tooLong, type FieldError } from '../../validation/field.js';
import { isDNS1123Subdomain } from '../../validation/names.js';

/** A CSI driver name: at most 63 characters, a DNS subdomain once lower-cased. */
export function validateCSIDriverName(name: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (name.length === 0) errs.push(required(path, ''));
  if (name.length > 63) errs.push(tooLong(path, name, 63));
  for (const m of isDNS1123Subdomain(name.toLowerCase())) errs.push(invalid(path, name, m));
  return errs;
}
