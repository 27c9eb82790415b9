// The patch engines the apiserver applies: JSON patch, JSON merge patch, strategic merge patch
// and server-side apply with managed fields.
export { PatchError, type PatchErrorCode } from './errors.js';
export { applyJsonPatch, decodePointerToken, encodePointerToken, MAX_JSON_PATCH_OPERATIONS } from './json-patch.js';
export { applyMergePatch } from './merge-patch.js';
export { applyStrategicMergePatch } from './strategic.js';
export { applyPatch, updateManagedFields, ApplyConflictError, LAST_APPLIED_ANNOTATION } from './apply.js';
export type { ApplyConflict, ApplyOptions, UpdateOptions, ManagedResult } from './apply.js';
export { FieldSet, pathString, serializePE, deserializePE } from './fieldpath.js';
export type { FieldPath, PathElement } from './fieldpath.js';
export { toFieldSet, compare, merge, removeItems } from './typed.js';
export { decodeManagedFields, encodeManagedFields, managerIdentifier, formatTime, MAX_UPDATE_MANAGERS } from './managedfields.js';
export type { ManagedFieldsEntry } from './managedfields.js';
