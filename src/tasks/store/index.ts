/** The durable task store over the catalog database (both dialects). */

export * from './pages.js';
export * from './store.js';
export * from './types.js';
