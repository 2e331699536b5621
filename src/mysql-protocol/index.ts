/** MySQL wire protocol server: codec and connection state machine. Knows nothing about SQL semantics. */
export type * from './types.js';
