import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { CatalogDatabase } from '../database.js';
import type { CatalogDriver } from '../driver.js';
import { createSqliteDialect } from './dialect.js';
import { classifySqliteError } from './errors.js';

/** How long a statement waits for another process's lock on the file before failing (SQLITE_BUSY). */
export const DEFAULT_SQLITE_BUSY_TIMEOUT_MS = 5_000;

export interface SqliteConnectOptions {
  /** Default {@link DEFAULT_SQLITE_BUSY_TIMEOUT_MS}. */
  readonly busyTimeoutMs?: number;
}

/**
 * Opens (creating if needed, with its folder) the SQLite catalog file `file` (or `:memory:`):
 * WAL journal (readers never block the writer), `synchronous=FULL` (a commit is fsynced before it returns,
 * so a change a user was told about survives power loss: https://www.sqlite.org/pragma.html#pragma_synchronous),
 * `busy_timeout`, and foreign keys enforced.
 */
export function connectSqlite(file: string, options: SqliteConnectOptions = {}): CatalogDriver {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const database = new Database(file);
  try {
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma(
      `busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? DEFAULT_SQLITE_BUSY_TIMEOUT_MS))}`,
    );
    database.pragma('foreign_keys = ON');
  } catch (err) {
    database.close();
    throw err;
  }
  return {
    dialect: 'sqlite',
    db: new Kysely<CatalogDatabase>({ dialect: createSqliteDialect(database) }),
    classify: classifySqliteError,
  };
}
