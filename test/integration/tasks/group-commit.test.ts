import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSqlite } from '../../../src/catalog/sqlite/connect.js';
import { GroupCommitter } from '../../../src/tasks/store/group-commit.js';
import { createTaskStore, type TasksDatabase } from '../../../src/tasks/store/index.js';
import { serviceAvailable } from '../../helpers/services.js';
import { tempDir } from '../../helpers/tmp.js';
import { type Dialect, openTasksDb, upTasksTable } from './db.js';

const pgUp = await serviceAvailable('postgres');

/** The catalog's own SQLite driver on a temp file (WAL, fsync off the loop), or a throw-away PostgreSQL schema. */
async function open(dialect: Dialect): Promise<{ db: Kysely<TasksDatabase>; cleanup: () => Promise<void> }> {
  if (dialect === 'postgres') return openTasksDb('postgres');
  const tmp = tempDir('lakecast-gc-');
  const driver = connectSqlite(path.join(tmp.dir, 'c.db'));
  const db = driver.db as unknown as Kysely<TasksDatabase>;
  await upTasksTable(db);
  return {
    db,
    cleanup: async () => {
      await db.destroy();
      tmp.cleanup();
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe.skipIf(dialect === 'postgres' && !pgUp)(`group commit on ${dialect}`, () => {
    let opened: Awaited<ReturnType<typeof open>>;
    beforeAll(async () => {
      opened = await open(dialect);
      await sql`create table gc_kv (k text primary key, v text not null)`.execute(opened.db);
      await sql`insert into gc_kv values ('x', '-')`.execute(opened.db);
    });
    afterAll(() => opened.cleanup());

    it('concurrent writes share transactions; a failing one affects only its caller', async () => {
      const gc = new GroupCommitter(opened.db);
      let calls = 0;
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          gc.run(async (tx) => {
            calls++;
            if (i === 7) throw new Error('bad op');
            await sql`select ${i}`.execute(tx);
            return i;
          }),
        ),
      );
      expect(
        results
          .filter((r) => r.status === 'fulfilled')
          .map((r) => (r as PromiseFulfilledResult<number>).value),
      ).toEqual([...Array(20).keys()].filter((i) => i !== 7));
      expect(results[7]).toMatchObject({ status: 'rejected', reason: new Error('bad op') });
      // one group of 20 stopping at the 8th, then the 20 again with a savepoint each
      expect(calls).toBe(8 + 20);
    });

    it('a group of only non-durable writes commits marked as such; one durable write makes its group wait', async () => {
      const gc = new GroupCommitter(opened.db);
      // PostgreSQL: the mark is SET LOCAL synchronous_commit = off, readable inside the transaction.
      const setting = async (tx: Kysely<TasksDatabase>) => {
        if (dialect !== 'postgres') return null;
        const r = await sql<{ s: string }>`select current_setting('synchronous_commit') as s`.execute(tx);
        return r.rows[0]!.s;
      };
      const lazy = await Promise.all([
        gc.run((tx) => setting(tx), { durable: false }),
        gc.run((tx) => setting(tx), { durable: false }),
      ]);
      const mixed = await Promise.all([
        gc.run((tx) => setting(tx), { durable: false }),
        gc.run((tx) => setting(tx)),
      ]);
      const durable = await gc.run(async (tx) => {
        await sql`update gc_kv set v = 'durable' where k = 'x'`.execute(tx);
        return setting(tx);
      });
      if (dialect === 'postgres') {
        expect(lazy).toEqual(['off', 'off']);
        expect(mixed).toEqual(['on', 'on']);
        expect(durable).toBe('on');
      }
      const row = await sql<{ v: string }>`select v from gc_kv where k = 'x'`.execute(opened.db);
      expect(row.rows[0]!.v).toBe('durable');
    });

    it('a failed group is run again before the next group: later writes to the same row stay later', async () => {
      const gc = new GroupCommitter(opened.db);
      const set = (v: string) => (tx: Parameters<Parameters<typeof gc.run>[0]>[0]) =>
        sql`update gc_kv set v = ${v} where k = 'x'`.execute(tx);
      const a = gc.run(set('A'));
      const bad = gc.run(async () => {
        throw new Error('bad op');
      });
      // Handled from the start: the group may fail while the tick below is still pending.
      const badRejects = expect(bad).rejects.toThrow('bad op');
      await tick(); // the first group has started
      const b = gc.run(set('B'));
      await badRejects;
      await Promise.all([a, b]);
      const row = await sql<{ v: string }>`select v from gc_kv where k = 'x'`.execute(opened.db);
      expect(row.rows[0]!.v).toBe('B');
    });

    it('a write issued while a group waits for durability joins the next group, in order', async () => {
      const gc = new GroupCommitter(opened.db);
      const order: string[] = [];
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 50; i++) {
        if (i % 10 === 0) await tick(); // some join a group while the previous one commits
        writes.push(
          gc
            .run((tx) => sql`update gc_kv set v = ${String(i)} where k = 'x'`.execute(tx))
            .then(() => {
              order.push(String(i));
            }),
        );
      }
      await Promise.all(writes);
      const row = await sql<{ v: string }>`select v from gc_kv where k = 'x'`.execute(opened.db);
      expect(row.rows[0]!.v).toBe('49');
      expect(order).toHaveLength(50);
    });

    it('a duplicate client token in a group does not lose the other inserts', async () => {
      const store = createTaskStore(opened.db);
      const base = {
        task_name: 'SELECT',
        table_schema: null,
        command: 'select 1',
        creator_id: 'u',
        create_time: 1,
        connection_id: null,
        output_format: 'csv',
        hints: '{}',
        node: 'lc',
      };
      const r = await Promise.allSettled([
        store.insert({ ...base, id: 'g1', client_token: 'same' }),
        store.insert({ ...base, id: 'g2', client_token: 'same' }),
        store.insert({ ...base, id: 'g3', client_token: null }),
        store.insert({ ...base, id: 'g4', client_token: null }),
      ]);
      expect(r.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect(
        (await store.list({ creator: 'u', orderBy: [{ column: 'id', direction: 'asc' }] })).map((t) => t.id),
      ).toEqual(['g1', 'g3', 'g4']);
    });
  });
}
