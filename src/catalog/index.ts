/** Metadata catalog interface (implementations: sqlite/, postgres/). */
export type * from './types.js';
