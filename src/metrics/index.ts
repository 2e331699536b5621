/** Prometheus metrics of a Lakecast server. */
export * from './registry.js';
