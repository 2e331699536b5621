/**
 * Benchmark of async tasks (issue 3 §11), over the MySQL protocol with the real catalog (SQLite, fsync on
 * commit), engine and SQL front, in one process:
 *  - 1,000 async submits: time to ASYNC_TASK_ID, p50/p99 (target p50 ≤ 1 ms, p99 ≤ 5 ms; DLA's transcript: 40 ms),
 *    beside the reference: a synchronous `SELECT 1` round trip on the same connection (the protocol's floor);
 *  - SHOW QUERY_TASK WHERE id = … p50 (target ≤ 1 ms; DLA: 20 ms);
 *  - trivial async tasks completed per second (target ≥ 1,000/s);
 *  - with 100,000 tasks in the catalog, SHOW QUERY_TASK WHERE status = 'RUNNING' p50 (target ≤ 5 ms).
 * `npm run bench -- tasks`; TASKS_BENCH_SUBMITS / TASKS_BENCH_BULK override the counts.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Kysely } from 'kysely';
import mysql from 'mysql2/promise';
import { createAuthService } from '../src/auth/index.js';
import { openCatalog } from '../src/catalog/index.js';
import { ConfigSchema } from '../src/config/index.js';
import { createDuckDbEngine } from '../src/engine/index.js';
import { createMysqlServer } from '../src/mysql-protocol/index.js';
import { silentLogger } from '../src/shared/index.js';
import { createAsyncTaskExtensions } from '../src/sql/async/index.js';
import { createSqlFront } from '../src/sql/index.js';
import type { SqlFront } from '../src/sql/types.js';
import { openObjectStore, resolveLocation } from '../src/storage/index.js';
import { createTaskService, type TasksDatabase } from '../src/tasks/index.js';
import { tempDir } from '../test/helpers/tmp.js';
import { median, msSince, percentile, round } from './lib/stats.js';

const PASSWORD = 'bench-pw';
const SUBMITS = Number(process.env.TASKS_BENCH_SUBMITS ?? 1000);
const BULK = Number(process.env.TASKS_BENCH_BULK ?? 100_000);
const THROUGHPUT_TASKS = 2000;

async function startStack(dataDir: string) {
  const lakeDir = path.join(dataDir, 'lake');
  const cacheDir = path.join(dataDir, 'cache');
  for (const d of [lakeDir, cacheDir]) mkdirSync(d, { recursive: true });
  const config = ConfigSchema.parse({ dataDir });
  const catalog = await openCatalog('sqlite', dataDir);
  await catalog.migrate();
  const auth = createAuthService(catalog, { logger: silentLogger() });
  await auth.bootstrapRoot(PASSWORD);
  const engine = await createDuckDbEngine({ dataDir, allowedDirectories: [lakeDir, cacheDir], threads: 1 });
  let front: SqlFront | undefined;
  const tasks = createTaskService({
    catalog,
    engine,
    prepare: (ctx, sql) => front!.prepareUserQuery(ctx, sql),
    resultStore: openObjectStore(pathToFileURL(path.join(dataDir, 'results')).href),
    config: { concurrency: 4 },
  });
  let server: ReturnType<typeof createMysqlServer> | undefined;
  front = createSqlFront({
    engine,
    catalog,
    auth,
    config,
    logger: silentLogger(),
    resolveLocation: async (uri) => (await resolveLocation(uri, { fileRoots: [lakeDir], cacheDir })).localDir,
    serverVersion: '8.0.36-lakecast-bench',
    connections: { list: () => server?.connections() ?? [], kill: (id, o) => server?.kill(id, o) ?? false },
    extensions: createAsyncTaskExtensions({ tasks, dialect: catalog.dialect }),
  });
  await front.loadTables();
  await tasks.start();
  server = createMysqlServer({
    host: '127.0.0.1',
    port: 0,
    maxConnections: 100,
    maxPacketBytes: 64 * 1024 * 1024,
    serverVersion: '8.0.36-lakecast-bench',
    hooks: {
      lookupNativeHash: (user) => auth.lookupNativeHash(user),
      openSession: async (info) => {
        const user = await auth.getUser(info.user);
        if (!user) throw new Error('no such user');
        return front!.openSession({ ...info, user });
      },
    },
  });
  const { port } = await server.listen();
  return {
    port,
    tasks,
    catalog,
    close: async () => {
      await server?.close();
      await tasks.close(1000);
      await engine.close();
      await catalog.close();
    },
  };
}

async function waitIdle(tasks: ReturnType<typeof createTaskService>) {
  while (tasks.stats().queued + tasks.stats().running > 0) await new Promise((r) => setTimeout(r, 5));
}

export async function run() {
  const { dir, cleanup } = tempDir('lakecast-bench-tasks-');
  const stack = await startStack(dir);
  const conn = await mysql.createConnection({
    host: '127.0.0.1',
    port: stack.port,
    user: 'root',
    password: PASSWORD,
  });
  try {
    // Warm-up.
    for (let i = 0; i < 50; i++) {
      await conn.query('SELECT 1');
      await conn.query('/*+ run-async=true */ select 1');
    }
    await waitIdle(stack.tasks);

    // Reference: a synchronous round trip on the same connection.
    const syncMs: number[] = [];
    for (let i = 0; i < SUBMITS; i++) {
      const t = process.hrtime.bigint();
      await conn.query('SELECT 1');
      syncMs.push(msSince(t));
    }

    // 1. Time to ASYNC_TASK_ID.
    const submitMs: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < SUBMITS; i++) {
      const t = process.hrtime.bigint();
      const [rows] = await conn.query(`/*+ run-async=true */ select ${i} as n`);
      submitMs.push(msSince(t));
      ids.push((rows as { ASYNC_TASK_ID: string }[])[0]!.ASYNC_TASK_ID);
    }
    await waitIdle(stack.tasks);

    // 2. SHOW QUERY_TASK WHERE id = …
    const showMs: number[] = [];
    for (let i = 0; i < SUBMITS; i++) {
      const id = ids[(i * 7919) % ids.length]!;
      const t = process.hrtime.bigint();
      await conn.query(`show query_task where id = '${id}'`);
      showMs.push(msSince(t));
    }

    // 3. Trivial tasks completed per second: 8 connections submit as fast as they can.
    const conns = await Promise.all(
      Array.from({ length: 8 }, () =>
        mysql.createConnection({ host: '127.0.0.1', port: stack.port, user: 'root', password: PASSWORD }),
      ),
    );
    let done = 0;
    const off = stack.tasks.events.on('task:succeeded', () => done++);
    const t3 = process.hrtime.bigint();
    await Promise.all(
      conns.map(async (c, k) => {
        for (let i = k; i < THROUGHPUT_TASKS; i += conns.length)
          await c.query('/*+ run-async=true */ select 1');
      }),
    );
    await waitIdle(stack.tasks);
    const throughputS = msSince(t3) / 1000;
    off();
    await Promise.all(conns.map((c) => c.end()));

    // 4. 100,000 tasks in the catalog, SHOW QUERY_TASK WHERE status = 'RUNNING'.
    const db = stack.catalog.db as Kysely<TasksDatabase>;
    const now = Date.now();
    const t4 = process.hrtime.bigint();
    for (let start = 0; start < BULK; start += 5000) {
      await db.transaction().execute(async (tx) => {
        for (let j = start; j < Math.min(BULK, start + 5000); j += 500) {
          const rows = [];
          for (let k = j; k < Math.min(BULK, j + 500); k++) {
            rows.push({
              id: `qbulk${String(k).padStart(25, '0')}`,
              status: k % 10_000 === 0 ? ('RUNNING' as const) : ('SUCCESS' as const),
              task_name: 'SELECT',
              command: 'select 1',
              creator_id: 'root',
              create_time: now - k,
              update_time: now - k,
              output_format: 'csv',
              hints: '{}',
              node: 'zz', // another node: not recovered, not run
            });
          }
          await tx.insertInto('query_tasks').values(rows).execute();
        }
      });
    }
    const bulkLoadS = msSince(t4) / 1000;
    const runningMs: number[] = [];
    let runningRows = 0;
    for (let i = 0; i < 200; i++) {
      const t = process.hrtime.bigint();
      const [rows] = await conn.query("show query_task where status = 'RUNNING'");
      runningMs.push(msSince(t));
      runningRows = (rows as unknown[]).length;
    }

    const result = {
      submits: SUBMITS,
      reference_sync_select1_ms: { p50: round(median(syncMs), 3), p99: round(percentile(syncMs, 99), 3) },
      submit_to_async_task_id_ms: {
        p50: round(median(submitMs), 3),
        p99: round(percentile(submitMs, 99), 3),
      },
      show_query_task_where_id_ms: { p50: round(median(showMs), 3), p99: round(percentile(showMs, 99), 3) },
      trivial_tasks: {
        count: THROUGHPUT_TASKS,
        completed: done,
        seconds: round(throughputS, 3),
        per_second: round(done / throughputS, 1),
      },
      bulk: { tasks_in_catalog: BULK + SUBMITS + THROUGHPUT_TASKS + 100, load_seconds: round(bulkLoadS, 2) },
      show_query_task_where_status_running_ms: {
        p50: round(median(runningMs), 3),
        p99: round(percentile(runningMs, 99), 3),
        rows: runningRows,
      },
      targets: {
        submit_p50_ms: 1,
        submit_p99_ms: 5,
        show_by_id_p50_ms: 1,
        trivial_tasks_per_s: 1000,
        show_running_p50_ms: 5,
      },
      dla_transcript_reference_ms: { submit: 40, show_by_id: 20 },
      notes:
        'One process: mysql2 client → Lakecast MySQL protocol → SQL front → tasks (SQLite catalog, synchronous=FULL, WAL) → DuckDB; results on local disk. Tasks run (4 at once) while submits are measured.',
    };
    console.log(JSON.stringify(result, null, 2));
    return result;
  } finally {
    await conn.end();
    await stack.close();
    cleanup();
  }
}
