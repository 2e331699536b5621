/** SQL front: hints, DLA commands, lake DDL, sandbox, routing. */
export type * from './types.js';
