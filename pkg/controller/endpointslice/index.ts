export * from './endpointslice.js';
