export * from './ttlafterfinished.js';
