import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { connectSqlite } from '../../src/catalog/sqlite/connect.js';
import { LakecastSqliteDialect } from '../../src/catalog/sqlite/dialect.js';
import { createExecutor } from '../../src/catalog/sqlite/executor.js';

/**
 * A Kysely over Lakecast's SQLite driver on `file` (created in WAL mode) whose commits become durable only when
 * the test says so: each durable() call pushes its resolver onto `syncs`.
 */
export async function openManualDurabilityDb(
  file: string,
): Promise<{ db: Kysely<Record<string, never>>; syncs: (() => void)[] }> {
  await connectSqlite(file).db.destroy(); // creates the file in WAL mode
  const writeDb = new Database(file);
  const readDb = new Database(file, { readonly: true });
  const syncs: (() => void)[] = [];
  const db = new Kysely<Record<string, never>>({
    dialect: new LakecastSqliteDialect({
      writer: createExecutor(writeDb),
      reader: createExecutor(readDb),
      durable: () => new Promise<void>((resolve) => syncs.push(resolve)),
      async close() {
        readDb.close();
        writeDb.close();
      },
    }),
  });
  return { db, syncs };
}
