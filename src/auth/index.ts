/** Users, credentials and permissions. */
export type * from './types.js';
