import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { up as upTasks } from '../../../src/catalog/migrations/0002_tasks.js';
import { up as upReceipts } from '../../../src/catalog/migrations/0003_receipts.js';
import { up as upReceiptAttempts } from '../../../src/catalog/migrations/0004_receipt_attempts.js';
import { up as upPartialIndexes } from '../../../src/catalog/migrations/0005_task_partial_indexes.js';
import type { TasksDatabase } from '../../../src/tasks/store/index.js';
import { SERVICES } from '../../helpers/services.js';

export type Dialect = 'sqlite' | 'postgres';

/** The migrations that shape `query_tasks` and the receipts' outbox (0002–0005), applied to a bare database. */
export async function upTasksTable(db: Kysely<TasksDatabase>): Promise<void> {
  // biome-ignore lint/suspicious/noExplicitAny: migrations take untyped handles
  const any = db as Kysely<any>;
  await upTasks(any);
  await upReceipts(any);
  await upReceiptAttempts(any);
  await upPartialIndexes(any);
}

/**
 * A fresh database with the tasks migration applied: SQLite in a temp file (or memory), or a throw-away
 * PostgreSQL schema on the local server.
 */
export async function openTasksDb(
  dialect: Dialect,
  file = ':memory:',
): Promise<{ db: Kysely<TasksDatabase>; cleanup: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const database = new Database(file);
    database.pragma('journal_mode = WAL');
    const db = new Kysely<TasksDatabase>({ dialect: new SqliteDialect({ database }) });
    const exists = database.prepare("select 1 from sqlite_master where name = 'query_tasks'").get();
    if (!exists) await upTasksTable(db);
    return { db, cleanup: () => db.destroy() };
  }
  const schema = `lc_tasks_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVICES.postgres.url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const pool = new pg.Pool({
    connectionString: SERVICES.postgres.url,
    options: `-c search_path=${schema}`,
    max: 4,
  });
  const db = new Kysely<TasksDatabase>({ dialect: new PostgresDialect({ pool }) });
  await upTasksTable(db);
  return {
    db,
    cleanup: async () => {
      await db.destroy();
      const c = new pg.Client({ connectionString: SERVICES.postgres.url });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}
