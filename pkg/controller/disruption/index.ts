export * from './disruption.js';
