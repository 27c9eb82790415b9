export * from './podgc.js';
