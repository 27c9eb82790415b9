export * from './binder.js';
export * from './pv-controller.js';
