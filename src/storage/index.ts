/** Object storage interface (implementations: local/, s3/). */
export type * from './types.js';
