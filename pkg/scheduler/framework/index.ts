// Public surface of the scheduler framework: types, the runtime, config and the in-tree registry.
export * from './status.js';
export * from './cycle-state.js';
export * from './resources.js';
export * from './taints.js';
export * from './node-selector.js';
export * from './affinity-term.js';
export * from './types.js';
export * from './interface.js';
export * from './fit-error.js';
export * from './registry.js';
export * from './config.js';
export * from './runtime.js';
