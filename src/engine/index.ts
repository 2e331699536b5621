/** Analytical engine interface (implementation: duckdb/). */
export type * from './types.js';
