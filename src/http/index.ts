/** HTTP API. */
export type * from './types.js';
