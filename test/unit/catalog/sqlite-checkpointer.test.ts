import { statSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer } from '../../../src/catalog/sqlite/checkpointer.js';
import { connectSqlite } from '../../../src/catalog/sqlite/connect.js';
import { tempDir } from '../../helpers/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function dbFile(): string {
  const tmp = tempDir('lakecast-ckpt-');
  cleanups.push(tmp.cleanup);
  return path.join(tmp.dir, 'c.db');
}

async function until(cond: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

describe('SQLite catalog - WAL checkpoints on a background thread', () => {
  it('checkpoint - committed pages reach the database file without the writer checkpointing', async () => {
    const file = dbFile();
    const driver = connectSqlite(file);
    const db = driver.db;
    cleanups.push(() => db.destroy());
    await sql`create table t (n integer, pad text)`.execute(db);
    const before = statSync(file).size;
    // ~4 MB of pages: below the writer's own checkpoint threshold (10,000 pages), above SQLite's default.
    for (let i = 0; i < 40; i++) {
      await db.transaction().execute(async (tx) => {
        for (let j = 0; j < 25; j++)
          await sql`insert into t values (${i * 25 + j}, ${'x'.repeat(4000)})`.execute(tx);
      });
    }
    expect(await until(() => statSync(file).size > before + 3_000_000)).toBe(true);
    const rows = await sql<{ n: number }>`select count(*) as n from t`.execute(db);
    expect(rows.rows[0]!.n).toBe(1000);
  });

  it('checkpoint - a file that cannot be opened is reported, and stop still resolves', async () => {
    const errors: string[] = [];
    const c = startCheckpointer(path.join(dbFile(), 'missing', 'x.db'), {
      busyTimeoutMs: 0,
      onError: (m) => errors.push(m),
    });
    expect(await until(() => errors.length > 0)).toBe(true);
    await c.stop();
  });
});
