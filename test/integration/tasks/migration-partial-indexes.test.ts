import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { up as upTasks } from '../../../src/catalog/migrations/0002_tasks.js';
import { up as upReceiptAttempts } from '../../../src/catalog/migrations/0004_receipt_attempts.js';
import { down, up } from '../../../src/catalog/migrations/0005_task_partial_indexes.js';

const row = (id: string, token: string | null, extra: Record<string, unknown> = {}) => ({
  id,
  status: 'SUCCESS',
  task_name: 'SELECT',
  command: 'select 1',
  creator_id: 'alice',
  create_time: 1,
  update_time: 1,
  output_format: 'csv',
  hints: '{}',
  node: 'lc',
  client_token: token,
  ...extra,
});

describe('migration 0005 (partial task indexes) on a catalog that already holds tasks', () => {
  it('up keeps every row and the token uniqueness; down restores the full indexes', async () => {
    // biome-ignore lint/suspicious/noExplicitAny: migrations take untyped handles
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    await upTasks(db);
    await upReceiptAttempts(db);
    await db
      .insertInto('query_tasks')
      .values([
        row('a', null),
        row('b', null),
        row('c', 'tok', { finished_at: 10, result_key: 'k/c' }),
        row('d', null, { finished_at: 20, result_key: 'k/d', result_deleted_at: 30 }),
      ])
      .execute();
    await up(db);
    const indexes = async () =>
      (
        await sql<{
          name: string;
          sql: string;
        }>`select name, sql from sqlite_master where type = 'index' and tbl_name = 'query_tasks' and sql is not null`.execute(
          db,
        )
      ).rows;
    const after = await indexes();
    expect(after.find((i) => i.name === 'query_tasks_client_token_uq')?.sql).toMatch(
      /where .*client_token.* is not null/i,
    );
    expect(after.find((i) => i.name === 'query_tasks_live_results_idx')?.sql).toMatch(
      /result_deleted_at is null/i,
    );
    expect(after.some((i) => i.name === 'query_tasks_finished_idx')).toBe(false);
    expect(
      Number((await sql<{ n: number }>`select count(*) as n from query_tasks`.execute(db)).rows[0]!.n),
    ).toBe(4);
    await expect(db.insertInto('query_tasks').values(row('e', 'tok')).execute()).rejects.toThrow(/UNIQUE/);
    await db.insertInto('query_tasks').values(row('f', null)).execute(); // NULL tokens still never collide
    const live = await sql<{
      id: string;
    }>`select id from query_tasks indexed by query_tasks_live_results_idx where finished_at < 100 and result_key is not null and result_deleted_at is null`.execute(
      db,
    );
    expect(live.rows.map((r) => r.id)).toEqual(['c']);

    await down(db);
    const restored = await indexes();
    expect(restored.some((i) => i.name === 'query_tasks_finished_idx')).toBe(true);
    expect(restored.some((i) => i.name === 'query_tasks_live_results_idx')).toBe(false);
    expect(restored.find((i) => i.name === 'query_tasks_client_token_uq')?.sql).not.toMatch(/where/i);
    await db.destroy();
  });
});
