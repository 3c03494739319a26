export * from './errors.js';
export * from './limits.js';
export * from './parse.js';
export * from './format.js';
export type { SourcePosition } from './locate.js';
