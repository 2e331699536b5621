import type { Database } from 'better-sqlite3';
import { type DialectAdapter, SqliteAdapter, SqliteDialect } from 'kysely';

/**
 * Kysely's SQLite adapter, with transactional DDL switched on: SQLite does support DDL in transactions
 * (https://www.sqlite.org/lang_transaction.html), and Kysely's Migrator then runs each migration in one, so a
 * crash mid-migration leaves nothing half-applied.
 */
export class LakecastSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** Kysely's SqliteDialect over an open better-sqlite3 database, with {@link LakecastSqliteAdapter}. */
export class LakecastSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new LakecastSqliteAdapter();
  }
}

export function createSqliteDialect(database: Database): LakecastSqliteDialect {
  return new LakecastSqliteDialect({ database });
}
