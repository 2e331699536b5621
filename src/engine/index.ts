/** Analytical engine interface (implementation: duckdb/). */

export * from './duckdb/index.js';
export { EngineErrors, toEngineError } from './errors.js';
export type * from './types.js';
