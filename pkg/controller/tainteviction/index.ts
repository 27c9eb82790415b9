export * from './tainteviction.js';
