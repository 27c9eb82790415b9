export { FOREGROUND_FINALIZER, GarbageCollector, garbageCollectorControllerDefinition, ORPHAN_FINALIZER } from './garbagecollector.js';
