import { Kysely } from 'kysely';
import pg from 'pg';
import type { Logger } from '../../shared/logger.js';
import type { CatalogDatabase } from '../database.js';
import type { CatalogDriver } from '../driver.js';
import { createPostgresDialect } from './dialect.js';
import { classifyPostgresError } from './errors.js';

/** Default schema holding the catalog's tables. */
export const DEFAULT_PG_SCHEMA = 'lakecast';
/** Default pool size: the catalog is light; several Lakecast servers may share one PostgreSQL. */
export const DEFAULT_PG_POOL_MAX = 10;
export const DEFAULT_PG_CONNECT_TIMEOUT_MS = 10_000;

export interface PostgresConnectOptions {
  /** Schema for every table (must already be a valid identifier). Default {@link DEFAULT_PG_SCHEMA}. */
  readonly schema?: string;
  readonly poolMax?: number;
  readonly connectTimeoutMs?: number;
  readonly logger?: Logger;
}

/**
 * Connects a `pg` Pool to `connectionString` with every connection's `search_path` set to the catalog schema
 * (so the catalog's and other capabilities' unqualified tables live there), wrapped by Kysely's
 * PostgresDialect. Connections are opened lazily; the schema is created by the first migration.
 */
export function connectPostgres(
  connectionString: string,
  options: PostgresConnectOptions = {},
): CatalogDriver {
  const schema = options.schema ?? DEFAULT_PG_SCHEMA;
  const pool = new pg.Pool({
    connectionString,
    max: options.poolMax ?? DEFAULT_PG_POOL_MAX,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_PG_CONNECT_TIMEOUT_MS,
    // Sent in the startup packet, so it holds from the first statement on; the name is validated
    // ([a-z0-9_$] after normalization) and quoted.
    options: `-c search_path="${schema}"`,
  });
  // An idle client losing its server emits 'error' on the pool; unhandled, that would kill the process.
  pool.on('error', (err) => options.logger?.warn({ err }, 'catalog: idle PostgreSQL connection failed'));
  return {
    dialect: 'postgres',
    db: new Kysely<CatalogDatabase>({ dialect: createPostgresDialect(pool) }),
    schema,
    classify: classifyPostgresError,
  };
}
