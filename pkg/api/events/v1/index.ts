// events.k8s.io/v1: the kinds of this group version. Its "events" share their plural with core/v1
// Event; they are different resources because their groups differ.
import { erase, type ResourceDef } from '../../registry.js';
import { eventResource } from './event.js';

export * from './event.js';

export const resources: ResourceDef[] = [erase(eventResource)];
