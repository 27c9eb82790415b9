// storage.k8s.io/v1: the kinds of this group version.
import { erase, type ResourceDef } from '../../registry.js';
import { csiDriverResource } from './csidriver.js';
import { csiNodeResource } from './csinode.js';
import { storageClassResource } from './storageclass.js';
import { volumeAttachmentResource } from './volumeattachment.js';

export * from './csidriver.js';
export * from './csinode.js';
export * from './storageclass.js';
export * from './volumeattachment.js';
export { validateCSIDriverName } from './validation.js';

export const resources: ResourceDef[] = [
  erase(storageClassResource),
  erase(csiDriverResource),
  erase(csiNodeResource),
  erase(volumeAttachmentResource),
];
