/**
 * Metadata catalog: the {@link Catalog} interface, `openCatalog()` (SQLite by default, PostgreSQL for a
 * catalog shared by several servers), the error catalog and name rules, and the migration registry other
 * capabilities add their tables to.
 */

export type { CatalogDatabase } from './database.js';
export { commitWithoutWaitingForDurability } from './durability.js';
export * from './errors.js';
export { MIGRATION_TABLE } from './migrate.js';
export { dialectOf, MIGRATIONS } from './migrations/index.js';
export {
  MAX_IDENTIFIER_LENGTH,
  MAX_USER_NAME_LENGTH,
  normalizeColumnName,
  normalizeGrantSchema,
  normalizeSchemaName,
  normalizeTableName,
  normalizeUserName,
} from './names.js';
export { isOffTheEventLoop, offTheEventLoop } from './off-thread.js';
export {
  type CatalogLocation,
  DEFAULT_SQLITE_FILE,
  type OpenCatalogOptions,
  openCatalog,
  parseCatalogSpec,
} from './open.js';
export { DEFAULT_PG_SCHEMA } from './postgres/connect.js';
export { DEFAULT_SQLITE_BUSY_TIMEOUT_MS } from './sqlite/connect.js';
export { OPEN_CSV_SERDE, SERDE_PROPERTY_PREFIX, textReading } from './table-properties.js';
export type * from './types.js';
