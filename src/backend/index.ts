export * from './types.js';
export * from './state-store.js';
export * from './lock.js';
export * from './engine.js';
export * from './mock/index.js';
export * from './linux/index.js';
