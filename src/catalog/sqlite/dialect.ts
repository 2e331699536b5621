import type { Database } from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';

/**
 * Kysely's SQLite adapter, declaring what SQLite really supports: DDL inside transactions
 * (https://www.sqlite.org/lang_transaction.html). Our migration runner relies on it (each migration runs in
 * one transaction); the flag keeps Kysely's own tooling (e.g. its Migrator) doing the same.
 */
export class LakecastSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * Kysely's SQLite driver, starting transactions with `BEGIN IMMEDIATE`: the write lock is taken up front
 * (waiting up to busy_timeout), instead of a deferred transaction failing with SQLITE_BUSY when it later
 * tries to upgrade while another process (e.g. a CLI on the same file) writes.
 * https://www.sqlite.org/lang_transaction.html#deferred_immediate_and_exclusive_transactions
 */
export class LakecastSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** Kysely's SqliteDialect with {@link LakecastSqliteAdapter} and {@link LakecastSqliteDriver}. */
export class LakecastSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new LakecastSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new LakecastSqliteAdapter();
  }
}

export function createSqliteDialect(database: Database): LakecastSqliteDialect {
  return new LakecastSqliteDialect({ database });
}
