export { StatefulSetController, statefulSetControllerDefinition } from './statefulset.js';
export * from './util.js';
