export { CONTENT_REMAINING_REQUEUE_MS, deletionConditions, KUBERNETES_FINALIZER, mergeConditions, NamespaceController, namespaceControllerDefinition } from './namespace.js';
export type { ContentReport } from './namespace.js';
