import { PostgresDialect } from 'kysely';
import type { Pool } from 'pg';

/** Kysely's PostgresDialect over a `pg` Pool (Kysely's adapter already supports transactional DDL). */
export function createPostgresDialect(pool: Pool): PostgresDialect {
  return new PostgresDialect({ pool });
}
