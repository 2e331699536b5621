import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSqlite } from '../../../src/catalog/sqlite/connect.js';
import {
  createTaskStore,
  MERGE_MAX_OFFSET,
  type NewTask,
  readInPages,
  TASK_STATUSES,
  type TaskCondition,
  type TaskStatus,
  type TaskStore,
  type TasksDatabase,
  withIndexHint,
} from '../../../src/tasks/store/index.js';
import { serviceAvailable } from '../../helpers/services.js';
import { tempDir } from '../../helpers/tmp.js';
import { type Dialect, openTasksDb } from './db.js';

const pgUp = await serviceAvailable('postgres');

function newTask(id: string, extra: Partial<NewTask> = {}): NewTask {
  return {
    id,
    task_name: 'SELECT',
    table_schema: 'demo',
    command: '/*+ run-async=true */select 1',
    creator_id: 'alice',
    create_time: 1_000,
    connection_id: 7,
    output_format: 'csv',
    client_token: null,
    hints: '{"run-async":"true"}',
    node: 'lc',
    ...extra,
  };
}

/** Inserts `n` tasks `<prefix>00`, `<prefix>01`, … of `shape(i)`'s creation time, status and creator. */
async function seedTasks(
  store: TaskStore,
  db: Kysely<TasksDatabase>,
  prefix: string,
  n: number,
  shape: (i: number) => { create_time: number; status: TaskStatus; creator_id?: string },
): Promise<void> {
  for (let i = 0; i < n; i++) {
    const id = `${prefix}${String(i).padStart(2, '0')}`;
    const { status, ...fields } = shape(i);
    await store.insert(newTask(id, fields));
    await db.updateTable('query_tasks').set({ status }).where('id', '=', id).execute();
  }
}

/** Every task id in the default listing order, read with one sorted query: the reference for merged listings. */
async function idsNewestFirst(db: Kysely<TasksDatabase>): Promise<string[]> {
  const rows = await db
    .selectFrom('query_tasks')
    .select('id')
    .orderBy('create_time', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map((r) => r.id);
}

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe.skipIf(dialect === 'postgres' && !pgUp)(`task store (${dialect})`, () => {
    let db: Kysely<TasksDatabase>;
    let store: TaskStore;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ db, cleanup } = await openTasksDb(dialect));
      store = createTaskStore(db);
    });
    afterAll(() => cleanup());

    it('insert - durable QUEUED row with defaults, numbers normalized', async () => {
      await store.insert(newTask('t1'));
      const t = await store.get('t1');
      expect(t).toMatchObject({
        id: 't1',
        status: 'QUEUED',
        attempts: 0,
        cancellable_task: 1,
        create_time: 1000,
        update_time: 1000,
        connection_id: 7,
      });
      expect(typeof t?.create_time).toBe('number');
      expect(await store.get('nope')).toBeNull();
    });

    it('transitions - compare-and-set QUEUED→RUNNING→SUCCESS, queue_time, attempts', async () => {
      expect(await store.markRunning('t1', 1_250, 'mpp1')).toBe(true);
      expect(await store.markRunning('t1', 1_300, 'mpp2')).toBe(false);
      expect(await store.updateProgress('t1', 42.5, 1_400)).toBe(true);
      let t = await store.get('t1');
      expect(t).toMatchObject({
        status: 'RUNNING',
        attempts: 1,
        queue_time: 250,
        progress: 42.5,
        started_at: 1250,
      });
      // recovery path: back to QUEUED, second attempt keeps the first queue_time
      expect(await store.requeue('t1', 1_500)).toBe(true);
      expect(await store.markRunning('t1', 1_600, 'mpp3')).toBe(true);
      t = await store.get('t1');
      expect(t).toMatchObject({ attempts: 2, queue_time: 250, mpp_query_id: 'mpp3' });
      expect(
        await store.finish('t1', 'SUCCESS', { row_count: 2, elapse_time: 692, result_file_size: 10 }, 2_000),
      ).toBe(true);
      expect(await store.finish('t1', 'CANCELLED', {}, 2_100)).toBe(false);
      expect(await store.updateProgress('t1', 50, 2_200)).toBe(false);
      t = await store.get('t1');
      expect(t).toMatchObject({ status: 'SUCCESS', row_count: 2, cancellable_task: 0, finished_at: 2000 });
    });

    it('finish - inTx runs in the same transaction; its failure rolls the transition back', async () => {
      await store.insert(newTask('t2', { create_time: 2_000 }));
      await expect(
        store.finish('t2', 'FAILURE', { message: 'x' }, 3_000, async (tx, task) => {
          expect(task.status).toBe('FAILURE');
          await sql`select 1`.execute(tx);
          throw new Error('outbox write failed');
        }),
      ).rejects.toThrow('outbox write failed');
      expect((await store.get('t2'))?.status).toBe('QUEUED');
      let seen = '';
      expect(
        await store.finish('t2', 'CANCELLED', { message: 'cancelled by alice' }, 3_000, async (_tx, task) => {
          seen = task.message ?? '';
          return undefined;
        }),
      ).toBe(true);
      expect(seen).toBe('cancelled by alice');
      expect((await store.get('t2'))?.status).toBe('CANCELLED');
    });

    it('finishRow - answers the committed row (with what inTx wrote), null when the compare-and-set lost', async () => {
      await store.insert(newTask('t2r', { create_time: 2_000, creator_id: 'zed' }));
      const row = await store.finishRow('t2r', 'SUCCESS', { row_count: 3 }, 3_000, async (tx) => {
        await tx.updateTable('query_tasks').set({ mq_status: 'PENDING' }).where('id', '=', 't2r').execute();
        return { mq_status: 'PENDING' };
      });
      expect(row).toMatchObject({
        id: 't2r',
        status: 'SUCCESS',
        row_count: 3,
        finished_at: 3000,
        mq_status: 'PENDING',
      });
      expect(row).toEqual(await store.get('t2r'));
      expect(await store.finishRow('t2r', 'CANCELLED', {}, 3_100)).toBeNull();
      await store.insert(newTask('t2s', { create_time: 2_000, creator_id: 'zed' }));
      expect(await store.finishRow('t2s', 'FAILURE', { message: 'x' }, 3_200)).toEqual(
        await store.get('t2s'),
      );
      await db.deleteFrom('query_tasks').where('id', 'in', ['t2r', 't2s']).execute(); // later tests list every row
    });

    it('client token - unique per user, free across users', async () => {
      await store.insert(newTask('t3', { client_token: 'tok', create_time: 3_000 }));
      await expect(
        store.insert(newTask('t4', { client_token: 'tok', create_time: 3_000 })),
      ).rejects.toThrow();
      await store.insert(newTask('t5', { client_token: 'tok', creator_id: 'bob', create_time: 3_000 }));
      expect((await store.findByClientToken('alice', 'tok'))?.id).toBe('t3');
      expect((await store.findByClientToken('bob', 'tok'))?.id).toBe('t5');
    });

    it('list - creator filter, condition, order, limit/offset', async () => {
      const all = await store.list();
      expect(all.map((t) => t.id)).toEqual(['t5', 't3', 't2', 't1']);
      expect((await store.list({ creator: 'bob' })).map((t) => t.id)).toEqual(['t5']);
      expect(
        (await store.list({ status: 'QUEUED', orderBy: [{ column: 'id', direction: 'asc' }] })).map(
          (t) => t.id,
        ),
      ).toEqual(['t3', 't5']);
      expect((await store.list({ where: (eb) => eb('row_count', '=', 2) })).map((t) => t.id)).toEqual(['t1']);
      expect((await store.list({ limit: 2, offset: 1 })).map((t) => t.id)).toEqual(['t3', 't2']);
      expect((await store.list({ offset: 3 })).map((t) => t.id)).toEqual(['t1']);
      expect((await store.listUnfinished('lc')).map((t) => t.id)).toEqual(['t3', 't5']);
    });

    it("list - everyone's tasks a status at a time: one sorted read's order, keyset pages, statuses pruned", async () => {
      // Seven distinct times for forty tasks: ties broken by id.
      await seedTasks(store, db, 'm', 40, (i) => ({
        create_time: 2_000 + (i % 7),
        status: TASK_STATUSES[(i * 3) % 5]!,
      }));
      const reference = await idsNewestFirst(db);
      const ids = (ts: { id: string }[]) => ts.map((t) => t.id);
      expect(ids(await store.list())).toEqual(reference);
      expect(ids(await store.list({ limit: 5 }))).toEqual(reference.slice(0, 5));
      const pages: string[] = [];
      for await (const page of readInPages(store, {}, 7)) pages.push(...ids(page));
      expect(pages).toEqual(reference);
      const tenth = await store.get(reference[10]!);
      expect(
        ids(await store.list({ after: { create_time: tenth!.create_time, id: tenth!.id }, limit: 5 })),
      ).toEqual(reference.slice(11, 16));
      // The SQL front passes the statuses a condition admits: only those are read.
      const success = (await store.list({ where: (eb) => eb('status', '=', 'SUCCESS') })).map((t) => t.id);
      expect(success.length).toBeGreaterThan(5);
      expect(
        ids(await store.list({ where: (eb) => eb('status', '=', 'SUCCESS'), statuses: ['SUCCESS'] })),
      ).toEqual(success);
      expect(await store.list({ statuses: [] })).toEqual([]);
      // With an OFFSET: each status's first offset + limit, merged, then the page.
      expect(ids(await store.list({ limit: 4, offset: 3 }))).toEqual(reference.slice(3, 7));
      expect(ids(await store.list({ limit: 5, offset: 35 }))).toEqual(reference.slice(35, 40));
      expect(ids(await store.list({ offset: reference.length - 2 }))).toEqual(reference.slice(-2));
      expect(await store.list({ offset: reference.length, limit: 3 })).toEqual([]);
    });

    it('retention - listExpired / markResultsDeleted', async () => {
      await store.insert(newTask('t6', { create_time: 100 }));
      await store.finish('t6', 'SUCCESS', { result_key: 'k', result_file_oss_file: 'file:///k' }, 500);
      expect((await store.listExpired(1_000, 10)).map((t) => t.id)).toEqual(['t6']);
      await store.markResultsDeleted(['t6'], 1_000);
      await store.markResultsDeleted([], 1_000); // nothing to do
      expect(await store.listExpired(1_000, 10)).toEqual([]);
    });

    it('history - listPrunable / deleteTasks: ended, old, created before the prefix, no receipt in flight', async () => {
      const old = (n: string) => `q20200101000${n}lc00000000000000000`.slice(0, 30);
      const ids = {
        done: old('1'),
        pending: old('2'),
        running: old('3'),
        recent: old('4'),
        late: 'q209901010000lc000000000000001',
      };
      for (const id of Object.values(ids)) await store.insert(newTask(id, { create_time: 100 }));
      await store.finish(ids.done, 'SUCCESS', { result_key: 'k1', result_file_oss_file: 'file:///k1' }, 500);
      await store.finish(ids.pending, 'FAILURE', { mq_status: 'RETRYING' }, 500);
      await store.markRunning(ids.running, 200, 'm');
      await store.finish(ids.recent, 'CANCELLED', {}, 5_000); // ended after `before`
      await store.finish(ids.late, 'SUCCESS', {}, 500); // created in a minute after the prefix
      const outbox = (taskId: string, message: string, status: string) =>
        sql`insert into receipt_outbox (message_id, task_id, channel, settings, payload, status, next_attempt_at, created_at, updated_at)
            values (${message}, ${taskId}, 'robot', '{}', '{}', ${status}, 0, 0, 0)`.execute(db);
      await outbox(ids.done, 'm-done', 'SUCCESS');
      await outbox(ids.pending, 'm-pending', 'RETRYING');
      const prefix = 'q202001010010';
      const prunable = await store.listPrunable(prefix, 1_000, 10);
      expect(prunable.map((t) => t.id)).toEqual([ids.done]);
      expect(prunable[0]).toMatchObject({ result_key: 'k1', result_deleted_at: null });
      await store.deleteTasks([ids.done]);
      await store.deleteTasks([]); // nothing to do
      expect(await store.get(ids.done)).toBeNull();
      const left = await sql<{
        message_id: string;
      }>`select message_id from receipt_outbox order by message_id`.execute(db);
      expect(left.rows.map((r) => r.message_id)).toEqual(['m-pending']);
      expect(await store.listPrunable(prefix, 1_000, 10)).toEqual([]);
      for (const id of [ids.pending, ids.running, ids.recent, ids.late])
        expect(await store.get(id)).not.toBeNull();
    });

    it('listIds / getMany - the ids list() would answer, in its order; rows by id', async () => {
      const orderBy = [{ column: 'update_time' as const, direction: 'desc' as const }];
      const rows = await store.list({ creator: 'alice', orderBy });
      expect(rows.length).toBeGreaterThan(2);
      expect(await store.listIds({ creator: 'alice', orderBy })).toEqual(rows.map((t) => t.id));
      expect(await store.listIds({ creator: 'alice', orderBy, offset: 1, limit: 2 })).toEqual(
        rows.slice(1, 3).map((t) => t.id),
      );
      const some = rows.slice(0, 2).map((t) => t.id);
      expect((await store.getMany([...some, 'nope'])).map((t) => t.id).sort()).toEqual([...some].sort());
      expect(await store.getMany([])).toEqual([]);
    });

    it("unfinishedOnly - a user's unfinished tasks through the (creator, status) index, same rows", async () => {
      const where: TaskCondition = (eb) => eb('status', 'in', ['QUEUED', 'RUNNING']);
      const plain = await store.list({ creator: 'alice', where });
      const hinted = await store.list({ creator: 'alice', where, unfinishedOnly: true });
      expect(hinted.map((t) => t.id)).toEqual(plain.map((t) => t.id));
      expect(hinted.length).toBeGreaterThan(0);
      expect(
        await store.list({ creator: 'alice', where, unfinishedOnly: true, limit: 1, offset: 1 }),
      ).toEqual(plain.slice(1, 2));
      if (dialect === 'sqlite') {
        const c = withIndexHint(
          db.selectFrom('query_tasks').selectAll().where('creator_id', '=', 'alice').where(where).compile(),
          'query_tasks',
          'query_tasks_creator_status_idx',
        );
        const plan = await db.executeQuery({ ...c, sql: `explain query plan ${c.sql}` });
        expect(JSON.stringify(plan.rows)).toContain(
          'query_tasks_creator_status_idx (creator_id=? AND status=?)',
        );
      }
    });

    it('partial indexes - the client-token lookup and the retention sweep use them (migration 0005)', async () => {
      // The same WHERE shapes as findByClientToken and listExpired.
      const lookups = [
        {
          index: 'query_tasks_client_token_uq',
          query: db
            .selectFrom('query_tasks')
            .selectAll()
            .where('creator_id', '=', 'alice')
            .where('client_token', '=', 'tok'),
        },
        {
          index: 'query_tasks_live_results_idx',
          query: db
            .selectFrom('query_tasks')
            .selectAll()
            .where('finished_at', '<', 1_000)
            .where('result_key', 'is not', null)
            .where('result_deleted_at', 'is', null)
            .orderBy('finished_at', 'asc')
            .limit(10),
        },
      ];
      for (const { index, query } of lookups) {
        const c = query.compile();
        const plan = await db.transaction().execute(async (tx) => {
          // A handful of rows: PostgreSQL would scan the table unless told not to.
          if (dialect === 'postgres') await sql`set local enable_seqscan = off`.execute(tx);
          const r = await tx.executeQuery({
            ...c,
            sql: `explain ${dialect === 'sqlite' ? 'query plan ' : ''}${c.sql}`,
          });
          return JSON.stringify(r.rows);
        });
        expect(plan).toContain(index);
      }
      // Rows without a token are not in the token index: NULL tokens never collide, as before.
      await store.insert(newTask('t7', { client_token: null }));
      await store.insert(newTask('t8', { client_token: null }));
      expect((await store.get('t8'))?.id).toBe('t8');
    });
  });
}

describe('task store (sqlite) - reads that send an index hint', () => {
  it('unfinishedOnly reads through query_tasks_creator_status_idx; the history sweep through the primary key', async () => {
    const { dir, cleanup: rm } = tempDir('lakecast-store-hint-');
    const file = path.join(dir, 'c.db');
    const opened = await openTasksDb('sqlite', file); // creates the schema
    await opened.cleanup();
    const seen: string[] = [];
    const db = new Kysely<TasksDatabase>({
      dialect: new SqliteDialect({ database: new Database(file) }),
      log: (e) => {
        if (e.level === 'query') seen.push(e.query.sql);
      },
    });
    try {
      const store = createTaskStore(db);
      await store.insert(newTask('h1'));
      const where: TaskCondition = (eb) => eb('status', 'in', ['QUEUED', 'RUNNING']);
      expect((await store.list({ creator: 'alice', where, unfinishedOnly: true })).map((t) => t.id)).toEqual([
        'h1',
      ]);
      expect(seen.at(-1)).toMatch(/from "query_tasks" indexed by "query_tasks_creator_status_idx" where/);
      await store.list({ creator: 'alice', where });
      expect(seen.at(-1)).not.toMatch(/indexed by/);
      // Everyone's (an admin's FULL), also with a creator in the condition: the status index.
      const alices: TaskCondition = (eb) => eb.and([eb('creator_id', '=', 'alice'), where(eb)]);
      expect((await store.list({ where: alices, unfinishedOnly: true })).map((t) => t.id)).toEqual(['h1']);
      expect(seen.at(-1)).toMatch(/from "query_tasks" indexed by "query_tasks_status_idx" where/);
      // The history sweep's read: the primary key (the planner's own choice read every ended task and sorted).
      await store.listPrunable('q2099', 1, 200);
      expect(seen.at(-1)).toMatch(/from "query_tasks" indexed by "sqlite_autoindex_query_tasks_1" where/);
      const plan = await sql<{ detail: string }>`explain query plan ${sql.raw(
        seen.at(-1)!.replace(/\?/g, "'x'"),
      )}`.execute(db);
      expect(plan.rows.map((r) => r.detail).join('; ')).not.toMatch(/TEMP B-TREE/);
    } finally {
      await db.destroy();
      rm();
    }
  });
});

describe("task store (sqlite catalog with its read thread) - everyone's tasks, a status at a time", () => {
  it('reads each status in index order off the event loop and merges them into the default order', async () => {
    const { dir, cleanup: rm } = tempDir('lakecast-store-merge-');
    const file = path.join(dir, 'c.db');
    await (await openTasksDb('sqlite', file)).cleanup(); // creates the schema
    const driver = connectSqlite(file);
    try {
      const db = driver.db as unknown as Kysely<TasksDatabase>;
      const store = createTaskStore(db);
      await seedTasks(store, db, 'r', 30, (i) => ({
        create_time: 5_000 + (i % 4),
        status: TASK_STATUSES[i % 5]!,
        creator_id: i % 2 ? 'alice' : 'bob',
      }));
      const reference = await idsNewestFirst(db);
      const pages: string[] = [];
      for await (const page of readInPages(store, {}, 4)) pages.push(...page.map((t) => t.id));
      expect(pages).toEqual(reference);
      const bobs: TaskCondition = (eb) => eb('creator_id', '=', 'bob');
      expect((await store.list({ where: bobs, limit: 6 })).map((t) => t.id)).toEqual(
        reference.filter((id) => Number(id.slice(1)) % 2 === 0).slice(0, 6),
      );
    } finally {
      await driver.db.destroy();
      rm();
    }
  });
});

/**
 * Runs `fn` with a tasks catalog in a temp SQLite file and a second, raw connection to the same file (another
 * writer, or a fast bulk loader); closes both and removes the folder afterwards.
 */
async function withFileCatalog(
  prefix: string,
  fn: (opened: Awaited<ReturnType<typeof openTasksDb>>, raw: Database.Database) => Promise<void>,
): Promise<void> {
  const { dir, cleanup: rm } = tempDir(prefix);
  const file = path.join(dir, 'c.db');
  const opened = await openTasksDb('sqlite', file);
  const raw = new Database(file);
  try {
    await fn(opened, raw);
  } finally {
    raw.close();
    await opened.cleanup();
    rm();
  }
}

describe("task store (sqlite) - everyone's tasks while a task moves on between two status reads", () => {
  it('lists a task that moved from QUEUED to RUNNING between the reads once, as it is now', async () => {
    // `other`: another writer, as the runner would be.
    await withFileCatalog('lakecast-store-race-', async (opened, other) => {
      const store0 = createTaskStore(opened.db);
      await store0.insert(newTask('x1', { create_time: 10 }));
      await store0.insert(newTask('x2', { create_time: 20 }));
      // Between the QUEUED read and the RUNNING read, x1 starts.
      let moved = false;
      const db = new Proxy(opened.db, {
        get(target, prop, receiver) {
          if (prop !== 'executeQuery') {
            const value = Reflect.get(target, prop, receiver);
            return typeof value === 'function' ? value.bind(target) : value; // Kysely's private fields
          }
          return (q: { sql: string; parameters: readonly unknown[] }) => {
            if (!moved && q.parameters.includes('RUNNING') && /select "id", "create_time"/.test(q.sql)) {
              other.prepare("update query_tasks set status = 'RUNNING' where id = 'x1'").run();
              moved = true;
            }
            return target.executeQuery(q as never);
          };
        },
      });
      const tasks = await createTaskStore(db).list({ limit: 10 });
      expect(moved).toBe(true);
      expect(tasks.map((t) => [t.id, t.status])).toEqual([
        ['x2', 'QUEUED'],
        ['x1', 'RUNNING'],
      ]);
    });
  });
});

describe("task store (sqlite) - everyone's tasks from a large OFFSET", () => {
  it('a status with more keys than a call can take arguments (150,000) merges without overflowing', async () => {
    await withFileCatalog('lakecast-store-offset-', async (opened, raw) => {
      const insert = raw.prepare(
        `insert into query_tasks (id, status, task_name, command, creator_id, create_time, update_time, output_format, hints, node)
         values (?, 'SUCCESS', 'SELECT', 'select 1', 'alice', ?, ?, 'csv', '{}', 'lc')`,
      );
      raw.transaction(() => {
        for (let i = 0; i < 150_000; i++) insert.run(`o${String(i).padStart(6, '0')}`, i, i);
      })();
      const store = createTaskStore(opened.db);
      const page = await store.list({ offset: MERGE_MAX_OFFSET, limit: 3 });
      const first = 150_000 - 1 - MERGE_MAX_OFFSET; // newest first
      const id = (i: number) => `o${String(i).padStart(6, '0')}`;
      expect(page.map((t) => t.id)).toEqual([id(first), id(first - 1), id(first - 2)]);
      // No limit: every key of the status is read (150,000), the rest of the listing answered.
      const rest = await store.list({ offset: MERGE_MAX_OFFSET });
      expect(rest).toHaveLength(150_000 - MERGE_MAX_OFFSET);
      expect([rest[0]!.id, rest.at(-1)!.id]).toEqual([id(first), id(0)]);
    });
  });
});
