export * from './daemonset.js';
