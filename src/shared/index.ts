/** Shared kernel: the error convention, result shapes and logging used by every capability. */
export * from './abort.js';
export * from './edit-distance.js';
export * from './errors.js';
export * from './key-file.js';
export * from './logger.js';
export * from './process.js';
export * from './random.js';
export * from './results.js';
export * from './secret-box.js';
export * from './validation-message.js';
