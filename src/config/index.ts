/** Configuration: one schema with defaults and validation for the config file, env vars and flags. */

export * from './resolve.js';
export * from './schema.js';
