export * from './nodelifecycle.js';
