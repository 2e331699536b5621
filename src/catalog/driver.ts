import type { Kysely } from 'kysely';
import type { CatalogDatabase } from './database.js';
import type { CatalogDialect } from './types.js';

/** How a driver error should be treated by the catalog. */
export type ErrorKind = 'unique' | 'foreign_key' | 'unavailable' | 'other';

/**
 * What each dialect folder (`sqlite/`, `postgres/`) provides to the shared Kysely catalog: the same role
 * files in each (`dialect.ts` builds the Kysely dialect, `connect.ts` opens the connection and returns this,
 * `errors.ts` classifies driver errors).
 */
export interface CatalogDriver {
  readonly dialect: CatalogDialect;
  readonly db: Kysely<CatalogDatabase>;
  /** PostgreSQL schema holding the tables (and the `search_path` of every connection); undefined on SQLite. */
  readonly schema?: string;
  classify(err: unknown): ErrorKind;
}

/** Walks an error's `cause` chain (driver errors are often wrapped). */
export function* causes(err: unknown): Generator<unknown> {
  let current: unknown = err;
  for (let depth = 0; current != null && depth < 8; depth++) {
    yield current;
    current = (current as { cause?: unknown }).cause;
  }
}
