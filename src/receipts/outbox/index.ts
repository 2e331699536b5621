/** The receipts outbox: rows written with the task's end, claimed and marked by the dispatcher. */

export * from './batcher.js';
export * from './schema.js';
export * from './store.js';
