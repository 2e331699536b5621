import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cell, RowsResult, StatementResult } from '../../../src/shared/index.js';
import { SHOW_PAGE_SIZE } from '../../../src/sql/async/extensions.js';
import { createAsyncTaskExtensions } from '../../../src/sql/async/index.js';
import type { SessionContext, StatementExtension } from '../../../src/sql/types.js';
import {
  createTaskService,
  DLA_TASK_COLUMNS,
  type TaskService,
  type TasksDatabase,
} from '../../../src/tasks/index.js';
import { serviceAvailable } from '../../helpers/services.js';
import { fakeEngine, MemoryStore } from '../../unit/tasks/fakes.js';
import { type Dialect, openTasksDb } from './db.js';

const pgUp = await serviceAvailable('postgres');

function session(name: string, admin = false): SessionContext {
  return {
    connectionId: 693929276,
    user: { name, admin },
    database: 'sh_tpch',
    remoteAddress: '127.0.0.1',
    variables: new Map(),
  };
}
const alice = session('alice');
const bob = session('bob');
const root = session('root', true);

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe.skipIf(dialect === 'postgres' && !pgUp)(
    `SHOW QUERY_TASK / KILL / run-async hint (${dialect})`,
    () => {
      let tasks: TaskService;
      let tasksDb: Kysely<TasksDatabase>;
      let exts: StatementExtension[];
      let cleanup: () => Promise<void>;
      const signal = new AbortController().signal;

      async function run(ctx: SessionContext, sql: string): Promise<StatementResult | null> {
        for (const e of exts) {
          const r = await e.tryHandle(ctx, sql, signal);
          if (r) return r;
        }
        return null;
      }
      async function rows(ctx: SessionContext, sql: string): Promise<{ columns: string[]; rows: Cell[][] }> {
        const r = (await run(ctx, sql)) as RowsResult;
        expect(r?.kind).toBe('rows');
        const out: Cell[][] = [];
        for await (const b of r.batches) out.push(...b);
        return { columns: r.columns.map((c) => c.name), rows: out };
      }
      async function ids(ctx: SessionContext, sql: string): Promise<string[]> {
        return (await rows(ctx, sql)).rows.map((r) => r[0] as string);
      }
      async function errCode(ctx: SessionContext, sql: string): Promise<string> {
        try {
          const r = await run(ctx, sql);
          if (r?.kind === 'rows') for await (const _ of r.batches);
          return 'no error';
        } catch (err) {
          return (err as { code: string }).code;
        }
      }
      async function waitDone(id: string) {
        for (let i = 0; i < 500; i++) {
          const t = await tasks.store.get(id);
          if (t && !['QUEUED', 'RUNNING'].includes(t.status)) return t;
          await new Promise((r) => setTimeout(r, 10));
        }
        throw new Error('not done');
      }

      let a1 = '';
      let a2 = '';
      let b1 = '';
      beforeAll(async () => {
        const opened = await openTasksDb(dialect);
        tasksDb = opened.db;
        tasks = createTaskService({
          catalog: { db: opened.db },
          engine: fakeEngine(),
          prepare: async (_c, sql) => ({ engineSql: sql.replace(/;\s*$/, '') }),
          resultStore: new MemoryStore(),
          config: { nodeCode: 'sh' },
        });
        await tasks.start();
        cleanup = async () => {
          await tasks.close(0);
          await opened.cleanup();
        };
        exts = createAsyncTaskExtensions({ tasks, dialect });
        const submit = async (ctx: SessionContext, sql: string) => {
          const r = await rows(ctx, sql);
          expect(r.columns).toEqual(['ASYNC_TASK_ID']);
          expect(r.rows).toHaveLength(1);
          return r.rows[0]![0] as string;
        };
        a1 = await submit(alice, '/*+ run-async=true */select * from test_table1;');
        a2 = await submit(
          alice,
          '/*+ run_async=true, mq-notify-by=ons, mq-topic=dla_shanghai_topic, mq-producer-id=PID_dla_shanghai */ rows 2',
        );
        b1 = await submit(bob, '/*+ run-async=true */ rows 5');
        await waitDone(a1);
        await waitDone(a2);
        await waitDone(b1);
      });
      afterAll(() => cleanup());

      it('seed transcript - show query_task where id = … returns DLA columns in order, then ours', async () => {
        const r = await rows(alice, `show query_task where id = '${a2}'`);
        expect(r.columns.slice(0, 27)).toEqual([...DLA_TASK_COLUMNS]);
        expect(r.columns.slice(27, 31)).toEqual(['progress', 'queue_time', 'result_file_size', 'attempts']);
        expect(r.rows).toHaveLength(1);
        const row = Object.fromEntries(r.columns.map((c, i) => [c, r.rows[0]![i]]));
        expect(row).toMatchObject({
          id: a2,
          status: 'SUCCESS',
          task_name: 'ROWS',
          table_schema: 'sh_tpch',
          creator_id: 'alice',
          connection_id: 693929276n,
          row_count: 2n,
          cancellable_task: 0n,
          mq_product: 'ons',
          mq_model: 'topic',
          mq_topic: 'dla_shanghai_topic',
          mq_producer_id: 'PID_dla_shanghai',
          mq_status: null,
        });
        expect(row.command).toMatch(/^\/\*\+ run_async=true, mq-notify-by=ons/);
        expect(row.create_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
        expect(row.result_file_oss_file).toBe(
          `mem://results/${(row.create_time as string).slice(0, 10).replaceAll('-', '/')}/${a2}/result.csv`,
        );
        // the first task failed in the fake engine: its message says why
        const f = await rows(alice, `show query_task where id = '${a1}'`);
        expect(f.rows[0]![2]).toBe('FAILURE');
      });

      it('per-user visibility - users see only their tasks; FULL and FOR are for admins', async () => {
        expect((await ids(alice, 'show query_task')).sort()).toEqual([a1, a2].sort());
        expect(await ids(bob, 'show query_task')).toEqual([b1]);
        expect(await ids(bob, `show query_task where id = '${a1}'`)).toEqual([]);
        expect(await errCode(bob, 'show full query_task')).toBe('LC_FORBIDDEN');
        expect(await errCode(bob, "show query_task for 'alice'")).toBe('LC_FORBIDDEN');
        expect((await ids(root, 'show full query_task')).sort()).toEqual([a1, a2, b1].sort());
        // Everyone's tasks are read a status at a time and merged: the default order all the same.
        expect(await ids(root, 'show full query_task')).toEqual(
          await ids(root, 'show full query_task order by create_time desc, id desc'),
        );
        expect(
          await ids(root, "show full query_task where status in ('SUCCESS', 'FAILURE') limit 2"),
        ).toEqual(
          await ids(
            root,
            "show full query_task where status in ('SUCCESS', 'FAILURE') order by create_time desc, id desc limit 2",
          ),
        );
        expect(await ids(root, "show query_task for 'bob'")).toEqual([b1]);
        expect(await ids(root, 'show query_task')).toEqual([]);
      });

      it('WHERE - comparisons, AND/OR/NOT, IN, LIKE, IS NULL, BETWEEN, times; ORDER BY and LIMIT', async () => {
        expect(await ids(alice, "show query_task where status = 'success'")).toEqual([a2]);
        expect(await ids(alice, "show query_task where status in ('FAILURE') or row_count >= 3")).toEqual([
          a1,
        ]);
        expect(await ids(alice, "show query_task where not status = 'SUCCESS'")).toEqual([a1]);
        expect(await ids(alice, "show query_task where command like '%TEST_TABLE1%'")).toEqual([a1]);
        expect(await ids(alice, "show query_task where command not like '%test_table1%'")).toEqual([a2]);
        expect(await ids(alice, 'show query_task where mq_topic is not null')).toEqual([a2]);
        expect(await ids(alice, 'show query_task where row_count between 1 and 2')).toEqual([a2]);
        expect(await ids(alice, "show query_task where row_count = '2'")).toEqual([a2]);
        expect(await ids(alice, 'show query_task where 2 = row_count')).toEqual([a2]);
        expect(
          await ids(alice, "show query_task where create_time > '2000-01-01 00:00:00' order by id asc"),
        ).toEqual([a1, a2]);
        expect(await ids(alice, "show query_task where create_time < '2000-01-01'")).toEqual([]);
        expect(await ids(alice, 'show query_task where row_count = null')).toEqual([]);
        expect(await ids(alice, 'show query_task order by id desc limit 1')).toEqual([a2]);
        expect(await ids(alice, 'show query_task order by id limit 1, 1')).toEqual([a2]);
        expect(await ids(alice, 'show query_task where 1 = 1 and id = id order by id')).toEqual([a1, a2]);
      });

      it('WHERE injection attempts - errors, or literals that match nothing; the catalog is intact', async () => {
        expect(await errCode(alice, "show query_task where id = '' or 1=1 --'")).toBe('LC_QUERY_TASK_SYNTAX');
        expect(await ids(alice, "show query_task where id = ' or 1=1 --'")).toEqual([]);
        expect(await ids(alice, "show query_task where id = ''' or ''1''=''1'")).toEqual([]);
        expect(await ids(alice, "show query_task where id = '\\' or 1=1 -- '")).toEqual([]);
        expect(await ids(alice, "show query_task where status = 'x''); drop table query_tasks; --'")).toEqual(
          [],
        );
        for (const sql of [
          "show query_task where id = 'a'; drop table query_tasks",
          "show query_task where id = 'a' union select * from query_tasks",
          'show query_task where creator_id = (select creator_id from query_tasks)',
          "show query_task where `id = 'a' or 1=1 --` = 1",
          'show query_task where sqlite_version() = 1',
          'show query_task order by (select 1)',
          'show query_task order by 1',
          "show query_task where row_count = 'abc'",
        ]) {
          expect(await errCode(alice, sql), sql).toMatch(/^LC_QUERY_TASK_(SYNTAX|UNKNOWN_COLUMN)$/);
        }
        expect(await errCode(alice, "show query_task where creator_id = 'bob' or 1=1")).toBe('no error');
        // A user cannot escape the creator filter with OR: it is ANDed outside the user's condition.
        expect((await ids(alice, "show query_task where creator_id = 'bob' or 1=1")).sort()).toEqual(
          [a1, a2].sort(),
        );
        expect(await errCode(alice, 'show query_task where nope = 1')).toBe('LC_QUERY_TASK_UNKNOWN_COLUMN');
        expect((await ids(root, 'show full query_task')).length).toBe(3);
      });

      it('KILL QUERY - cancels a running task; quoting forms; errors for unknown / finished / others', async () => {
        const id = (await rows(alice, '/*+ run-async=true */ slow 1000')).rows[0]![0] as string;
        for (let i = 0; i < 200 && (await tasks.store.get(id))?.status !== 'RUNNING'; i++)
          await new Promise((r) => setTimeout(r, 5));
        expect(await errCode(bob, `kill query '${id}'`)).toBe('LC_TASK_NOT_FOUND');
        const t0 = Date.now();
        expect(await run(alice, `KILL QUERY "${id}"`)).toEqual({ kind: 'ok', affectedRows: 0 });
        expect(Date.now() - t0).toBeLessThan(1000);
        expect((await tasks.store.get(id))?.status).toBe('CANCELLED');
        expect(await errCode(alice, `kill query '${id}'`)).toBe('LC_TASK_FINISHED');
        expect(await errCode(alice, "kill query 'nope'")).toBe('LC_TASK_NOT_FOUND');
        expect(await run(alice, 'kill query 12')).toBeNull();
      });

      it('hints - bad hints are errors; async-only hints need run-async; plain statements pass through', async () => {
        expect(await errCode(alice, '/*+ run-async=yes please */ rows 1')).toBe('LC_HINT_INVALID');
        expect(await errCode(alice, '/*+ run-asynch=true */ rows 1')).toBe('LC_HINT_UNKNOWN');
        expect(await errCode(alice, '/*+ mq-notify-by=ons */ rows 1')).toBe('LC_HINT_INVALID');
        expect(await errCode(alice, '/*+ output-format=json */ rows 1')).toBe('LC_HINT_INVALID');
        expect(await run(alice, '/*+ run-async=false */ select 1')).toBeNull();
        expect(await run(alice, 'select 1')).toBeNull();
      });

      it('paging - 2,500 tasks stream in order without repeats; the event loop turns between pages', async () => {
        const base = 1_700_000_000_000;
        const bulk = Array.from({ length: 2500 }, (_, k) => ({
          id: `qpage${String(k).padStart(25, '0')}`,
          status: 'SUCCESS' as const,
          task_name: 'SELECT',
          command: 'select 1',
          creator_id: 'carol',
          // Groups of 7 share a create_time: pages must break ties by id, as the order does.
          create_time: base + Math.floor(k / 7),
          update_time: base,
          output_format: 'csv',
          hints: '{}',
          node: 'zz',
        }));
        for (let i = 0; i < bulk.length; i += 500)
          await tasksDb
            .insertInto('query_tasks')
            .values(bulk.slice(i, i + 500))
            .execute();
        const expected = [...bulk]
          .sort((x, y) => y.create_time - x.create_time || (x.id < y.id ? 1 : -1))
          .map((t) => t.id);
        const carol = session('carol');
        let turns = 0;
        let streaming = true;
        const spin = () => {
          turns++;
          if (streaming) setImmediate(spin);
        };
        setImmediate(spin);
        const before = turns;
        const all = await ids(carol, 'show query_task');
        streaming = false;
        expect(all).toEqual(expected);
        expect(turns - before).toBeGreaterThanOrEqual(2500 / SHOW_PAGE_SIZE - 1); // a turn between pages
        // LIMIT m, n: the first page by OFFSET, the next by keyset.
        expect(await ids(carol, 'show query_task limit 5, 1200')).toEqual(expected.slice(5, 1205));
        // A user's ORDER BY pages by OFFSET.
        const byId = [...expected].sort();
        expect(await ids(carol, 'show query_task order by id')).toEqual(byId);
        expect(
          await ids(carol, "show query_task where status = 'SUCCESS' order by id desc limit 1500"),
        ).toEqual([...byId].reverse().slice(0, 1500));
      });

      it('force-persist-result - a sync query streams rows and also writes a result file under a task row', async () => {
        const r = await rows(alice, '/*+ force-persist-result=true */ rows 3');
        expect(r.columns).toEqual(['id', 'name']);
        expect(r.rows).toHaveLength(3);
        const [t] = await tasks.store.list({
          creator: 'alice',
          orderBy: [{ column: 'create_time', direction: 'desc' }],
          limit: 1,
        });
        expect(t).toMatchObject({ status: 'SUCCESS', row_count: 3, result_file_size: expect.any(Number) });
        const sync = await rows(alice, '/*+ query-timeout=0.1 */ slow 100').catch((e) => e);
        expect(sync.code).toBe('LC_TIMEOUT');
      });
    },
  );
}
