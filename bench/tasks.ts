/**
 * Benchmark of async tasks (issue 3 §11), over the MySQL protocol with the real catalog (SQLite, fsync on
 * commit), engine and SQL front, in one process:
 *  - 1,000 async submits: time to ASYNC_TASK_ID, p50/p99 (target p50 ≤ 1 ms, p99 ≤ 5 ms; DLA's transcript: 40 ms),
 *    back to back (each task runs while the next submits are served), then 1,000 more at a steady 200/s (each
 *    task has ended when the next submit arrives); beside the references: a synchronous `SELECT 1` round trip on
 *    the same connection (the protocol's floor), one durable catalog commit alone, and MariaDB on the same
 *    machine acknowledging a durable one-row INSERT (back to back and at 200/s, measured before Lakecast starts);
 *  - SHOW QUERY_TASK WHERE id = … p50 (target ≤ 1 ms; DLA: 20 ms);
 *  - trivial async tasks completed per second (target ≥ 1,000/s);
 *  - with 100,000 tasks in the catalog, SHOW QUERY_TASK WHERE status = 'RUNNING' p50 (target ≤ 5 ms), a user's
 *    poll of their unfinished tasks (WHERE status IN ('QUEUED', 'RUNNING')), and an admin's SHOW FULL QUERY_TASK
 *    LIMIT 20 and LIMIT 1000, 20.
 * `npm run bench -- tasks`; TASKS_BENCH_SUBMITS / TASKS_BENCH_BULK / TASKS_BENCH_WARMUP override the counts,
 * LAKECAST_TASK_EXECUTOR=inline runs task queries on the server's main thread instead (the reference).
 * The whole benchmark runs TASKS_BENCH_RUNS times (default 3), each on a fresh server and data dir; the JSON
 * has every run and, per measure, the median and range across runs (`{ median, min, max }`).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import mysql from 'mysql2/promise';
import { openCatalog } from '../src/catalog/index.js';
import type { TasksDatabase } from '../src/tasks/index.js';
import { ensureCompiled } from '../test/helpers/compiled.js';
import { startTestServer, TEST_ROOT_PASSWORD } from '../test/helpers/server.js';
import { startServerProcess } from '../test/helpers/server-process.js';
import { tempDir } from '../test/helpers/tmp.js';
import { startTaskStack } from '../test/integration/tasks/stack.js';
import { median, msSince, percentile, round, summarizeRuns } from './lib/stats.js';
import { costPerOperation, snapshotThreads } from './lib/thread-cpu.js';

const PASSWORD = 'bench-pw';
const SUBMITS = Number(process.env.TASKS_BENCH_SUBMITS ?? 1000);
const BULK = Number(process.env.TASKS_BENCH_BULK ?? 100_000);
const THROUGHPUT_TASKS = 2000;
const WARMUP = Number(process.env.TASKS_BENCH_WARMUP ?? 5000);
/** Warm-up statements select numbers from here on, so that no measured statement repeats one of them. */
const WARMUP_TEXT_OFFSET = 1_000_000;
const RUNS = Math.max(1, Number(process.env.TASKS_BENCH_RUNS ?? 3));
/** The steady submit rate of the paced measure (1b). */
const PACED_SUBMITS_PER_S = 200;

/** What the benchmark runs against: the real server (default) or the tests' in-process stack. */
interface Target {
  readonly port: number;
  readonly password: string;
  /** A connection to the catalog database (SQLite file) for the bulk load, counts and the commit reference. */
  // biome-ignore lint/suspicious/noExplicitAny: the catalog's db is untyped by design
  readonly db: Kysely<any>;
  /** The server's process id when it runs in a process of its own (its CPU is then accounted per thread). */
  readonly pid?: number;
  close(): Promise<void>;
}

/**
 * Where the server runs: `process` (default) — `lakecast serve` in a child process, compiled (`dist/`, built
 * first if stale), as users run it, so the benchmark's mysql2 client does not share the server's event loop;
 * `process-source` — the same from the TypeScript sources through tsx (no measurable difference in interleaved
 * runs of 2026-12-04); `inprocess` — startServer in this process; `stack` — the tests' hand-composed stack.
 * TASKS_BENCH_TARGET chooses.
 */
const TARGET = process.env.TASKS_BENCH_TARGET ?? 'process';

async function openTarget(dir: string): Promise<Target> {
  if (TARGET === 'stack') {
    const stack = await startTaskStack(dir, PASSWORD);
    return { port: stack.port, password: PASSWORD, db: stack.catalog.db, close: () => stack.close() };
  }
  if (TARGET === 'inprocess') {
    // The real composition root (startServer), in this process, over its own temporary data dir.
    const server = await startTestServer();
    const catalog = await openCatalog('sqlite', server.dataDir);
    return {
      port: server.mysqlPort,
      password: TEST_ROOT_PASSWORD,
      db: catalog.db,
      close: async () => {
        await catalog.close();
        await server.stop();
      },
    };
  }
  // The real server in a child process; this process opens the same SQLite catalog file (WAL: readers and
  // the bulk load's writer share it with the server) for the counts and the bulk load.
  const dataDir = path.join(dir, 'data');
  const compiled = TARGET !== 'process-source';
  if (compiled) ensureCompiled();
  const server = await startServerProcess({ dataDir, password: PASSWORD, compiled });
  const catalog = await openCatalog('sqlite', dataDir, { migrate: false });
  return {
    port: server.mysqlPort,
    password: PASSWORD,
    db: catalog.db,
    pid: server.child.pid,
    close: async () => {
      await catalog.close();
      await server.stop();
    },
  };
}

/** The nice value of process `pid`'s main thread (field 19 of /proc/<pid>/stat); null when unknown. */
function eventLoopNice(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  } catch {
    return null;
  }
}

/** Waits until no task is QUEUED or RUNNING; returns how many are SUCCESS. */
async function waitIdle(db: Kysely<TasksDatabase>): Promise<number> {
  for (;;) {
    const r = await db
      .selectFrom('query_tasks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', 'in', ['QUEUED', 'RUNNING'])
      .where('node', '<>', 'zz')
      .executeTakeFirstOrThrow();
    if (Number(r.n) === 0) break;
    await new Promise((res) => setTimeout(res, 10));
  }
  const ok = await db
    .selectFrom('query_tasks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'SUCCESS')
    .executeTakeFirstOrThrow();
  return Number(ok.n);
}

/** Runs the benchmark {@link RUNS} times; reports each run and the median and range of every measure. */
export async function run() {
  const runs: Awaited<ReturnType<typeof runOnce>>[] = [];
  for (let i = 0; i < RUNS; i++) {
    console.log(`run ${i + 1} of ${RUNS}`);
    runs.push(await runOnce());
  }
  const summary = summarizeRuns(runs) as Record<string, unknown>;
  const pick = (k: string) => (summary[k] as { p50?: { median: number } }).p50?.median;
  console.log(
    `median of ${RUNS} runs: submit p50 ${pick('submit_to_async_task_id_ms')} ms (at ${PACED_SUBMITS_PER_S}/s ${pick('submit_to_async_task_id_paced_ms')} ms), SHOW by id p50 ${pick('show_query_task_where_id_ms')} ms, ` +
      `trivial tasks ${(summary.trivial_tasks as { per_second: { median: number } }).per_second.median}/s`,
  );
  const cost = (summary.server_cost_per_submit_and_task as { back_to_back: unknown }).back_to_back as {
    cpu_ms: { median: number };
    voluntary_switches: { median: number };
  } | null;
  if (cost)
    console.log(
      `server CPU per submit and its task, back to back: ${cost.cpu_ms.median} ms, ${cost.voluntary_switches.median} voluntary context switches`,
    );
  return { runs: RUNS, median_and_range: summary, each_run: runs };
}

/** The MariaDB reference's figures, or why there are none. */
type MariadbReference =
  | {
      back_to_back_ms: { p50: number; p99: number };
      paced_ms: { p50: number; p99: number };
      flush_log_at_trx_commit: number;
      version: string;
    }
  | { unavailable: string };

/**
 * Reference from another server on the same machine: MariaDB (TASKS_BENCH_MARIADB_URL, default the local one as
 * root) acknowledging a one-row autocommit INSERT into an InnoDB table shaped like a task row — a durable commit
 * when `innodb_flush_log_at_trx_commit` is 1 (recorded) — back to back and at the paced rate, over the same
 * client library. Null (with the reason) when no MariaDB answers: a reference, not a requirement.
 */
async function mariadbDurableInsert(): Promise<MariadbReference> {
  let conn: mysql.Connection;
  try {
    conn = await mysql.createConnection(process.env.TASKS_BENCH_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306');
  } catch (err) {
    return { unavailable: err instanceof Error ? err.message : String(err) };
  }
  try {
    const [vars] = await conn.query('SELECT @@innodb_flush_log_at_trx_commit AS f, VERSION() AS v');
    const { f, v } = (vars as { f: number; v: string }[])[0]!;
    await conn.query('CREATE DATABASE IF NOT EXISTS lakecast_bench');
    await conn.query('DROP TABLE IF EXISTS lakecast_bench.query_tasks');
    await conn.query(
      'CREATE TABLE lakecast_bench.query_tasks (id VARCHAR(30) PRIMARY KEY, status VARCHAR(16) NOT NULL, ' +
        'command TEXT NOT NULL, creator_id VARCHAR(64) NOT NULL, create_time BIGINT NOT NULL, ' +
        'KEY by_status (status), KEY by_creator (creator_id, create_time)) ENGINE=InnoDB',
    );
    const measure = async (paced: boolean, tag: string) => {
      const ms: number[] = [];
      const start = performance.now();
      for (let i = -WARMUP_REFERENCE; i < SUBMITS; i++) {
        const wait = start + (i + WARMUP_REFERENCE) * (1000 / PACED_SUBMITS_PER_S) - performance.now();
        if (paced && wait > 0) await new Promise((res) => setTimeout(res, wait));
        const t = process.hrtime.bigint();
        await conn.query('INSERT INTO lakecast_bench.query_tasks VALUES (?, ?, ?, ?, ?)', [
          `${tag}${i}`,
          'QUEUED',
          `select ${i} as n`,
          'root',
          Date.now(),
        ]);
        if (i >= 0) ms.push(msSince(t));
      }
      return { p50: round(median(ms), 3), p99: round(percentile(ms, 99), 3) };
    };
    const back = await measure(false, 'b');
    const paced = await measure(true, 'p');
    await conn.query('DROP DATABASE lakecast_bench');
    return { back_to_back_ms: back, paced_ms: paced, flush_log_at_trx_commit: Number(f), version: v };
  } finally {
    await conn.end();
  }
}

/** Unmeasured inserts before the MariaDB reference's measured ones. */
const WARMUP_REFERENCE = 200;

async function runOnce() {
  const loadAtStart = os.loadavg().map((l) => round(l, 2));
  // Before Lakecast starts, so the two servers never compete for the CPUs.
  const mariadb = await mariadbDurableInsert();
  const { dir, cleanup } = tempDir('lakecast-bench-tasks-');
  const target = await openTarget(dir);
  const db = target.db as Kysely<TasksDatabase>;
  const connect = () =>
    mysql.createConnection({ host: '127.0.0.1', port: target.port, user: 'root', password: target.password });
  const conn = await connect();
  try {
    /*
     * Warm-up to a steady state, as a server that has been running is: WARMUP async tasks of the same shape as
     * the measured ones (distinct statement texts: a repeated text takes cached paths), so that V8 has
     * compiled the hot paths of both threads, the SQLite WAL has grown to its working size (later commits
     * overwrite it instead of extending it) and the spare-inode pool cycles. V8 keeps compiling long after
     * the first thousand: with `--trace-opt`, TurboFan finished 53, 39, 31, 20, 11, 11, 7, 3, 3, 5, 2, 2
     * functions per 500 submits after 1,000 warm-up ones (2026-12-05), each ~5 ms of CPU on V8's threads, which
     * run at the event loop's priority; and the first 3,000 submits after 1,000 warm-up ones had twice as many
     * over 4 ms as after 5,000 (scratch runs of 2026-12-05). With only 50, the first 1,000 measured submits ran
     * ~0.3 ms slower at p50 than the next 1,000 (2026-12-03). The synchronous reference's `SELECT 1` is warmed
     * up as many times as it is measured: after 50 of them (as before 2026-12-05), its p99 was 5.1–6.3 ms and its
     * p50 0.61–0.65 ms, after 1,000 4.5–4.7 and 0.52–0.55 ms (3 interleaved scratch runs of 1,000 each).
     */
    for (let i = 0; i < WARMUP; i++) {
      if (i < SUBMITS) await conn.query('SELECT 1');
      await conn.query(`/*+ run-async=true */ select ${WARMUP_TEXT_OFFSET + i} as n`);
    }
    await waitIdle(db);

    // Reference: a synchronous round trip on the same connection.
    const syncMs: number[] = [];
    for (let i = 0; i < SUBMITS; i++) {
      const t = process.hrtime.bigint();
      await conn.query('SELECT 1');
      syncMs.push(msSince(t));
    }

    // Reference: one durable catalog commit (what every submit must wait for before answering).
    const commitMs: number[] = [];
    await sql`create table bench_commit (n integer)`.execute(target.db);
    for (let i = 0; i < 300; i++) {
      const t = process.hrtime.bigint();
      await target.db.transaction().execute((tx) => sql`insert into bench_commit values (${i})`.execute(tx));
      commitMs.push(msSince(t));
    }

    // 1. Time to ASYNC_TASK_ID. The server's CPU is accounted from here until the last of these tasks ended.
    const cpuBack = snapshotThreads(target.pid);
    const submitMs: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < SUBMITS; i++) {
      const t = process.hrtime.bigint();
      const [rows] = await conn.query(`/*+ run-async=true */ select ${i} as n`);
      submitMs.push(msSince(t));
      ids.push((rows as { ASYNC_TASK_ID: string }[])[0]!.ASYNC_TASK_ID);
    }
    await waitIdle(db);
    const costBack = costPerOperation(target.pid, cpuBack, snapshotThreads(target.pid), SUBMITS);

    /*
     * 1b. The same at a steady PACED_SUBMITS_PER_S from one client (a submit every 5 ms at 200/s): each task has
     * ended and the server is idle when the next submit arrives. Back-to-back submits (1.) measure the submit
     * under load: on two cores each of them shares the CPUs and the disk's flush queue with the tasks of the
     * submits just before it.
     */
    const cpuPaced = snapshotThreads(target.pid);
    const pacedMs: number[] = [];
    const pace = 1000 / PACED_SUBMITS_PER_S;
    const pacedStart = performance.now();
    for (let i = 0; i < SUBMITS; i++) {
      const wait = pacedStart + i * pace - performance.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      const t = process.hrtime.bigint();
      await conn.query(`/*+ run-async=true */ select ${i} as n`);
      pacedMs.push(msSince(t));
    }
    await waitIdle(db);
    const costPaced = costPerOperation(target.pid, cpuPaced, snapshotThreads(target.pid), SUBMITS);

    // 2. SHOW QUERY_TASK WHERE id = …
    const showMs: number[] = [];
    for (let i = 0; i < SUBMITS; i++) {
      const id = ids[(i * 7919) % ids.length]!;
      const t = process.hrtime.bigint();
      await conn.query(`show query_task where id = '${id}'`);
      showMs.push(msSince(t));
    }

    // 3. Trivial tasks completed per second: 8 connections submit as fast as they can.
    const conns = await Promise.all(Array.from({ length: 8 }, connect));
    const before = await waitIdle(db);
    const cpuThroughput = snapshotThreads(target.pid);
    const t3 = process.hrtime.bigint();
    await Promise.all(
      conns.map(async (c, k) => {
        for (let i = k; i < THROUGHPUT_TASKS; i += conns.length)
          await c.query('/*+ run-async=true */ select 1');
      }),
    );
    const done = (await waitIdle(db)) - before;
    const throughputS = msSince(t3) / 1000;
    const costThroughput = costPerOperation(target.pid, cpuThroughput, snapshotThreads(target.pid), done);
    await Promise.all(conns.map((c) => c.end()));

    // 4. 100,000 tasks in the catalog, SHOW QUERY_TASK WHERE status = 'RUNNING'.
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

    // The same catalog, a user's poll of their unfinished tasks (IN over two statuses: the index hint's case).
    const unfinishedMs: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = process.hrtime.bigint();
      await conn.query("show query_task where status in ('QUEUED', 'RUNNING')");
      unfinishedMs.push(msSince(t));
    }

    // The same catalog, an admin's look at everyone's newest tasks, from the top and from an OFFSET (read a status
    // at a time through the status index; no index orders all tasks by creation time).
    const everyone = async (statement: string) => {
      const ms: number[] = [];
      for (let i = 0; i < 50; i++) {
        const t = process.hrtime.bigint();
        await conn.query(statement);
        ms.push(msSince(t));
      }
      return { p50: round(median(ms), 3), p99: round(percentile(ms, 99), 3) };
    };
    const fullMs = await everyone('show full query_task limit 20');
    const fullOffsetMs = await everyone('show full query_task limit 1000, 20');

    const result = {
      submits: SUBMITS,
      warmup_tasks: WARMUP,
      executor: process.env.LAKECAST_TASK_EXECUTOR ?? 'thread',
      load_average_at_start: loadAtStart,
      // The server's event loop priority (eventLoopNice: -10 when the server may raise it, as root here; else 0).
      event_loop_nice: eventLoopNice(target.pid),
      load_average_at_end: os.loadavg().map((l) => round(l, 2)),
      reference_catalog_commit_ms: {
        p50: round(median(commitMs), 3),
        p99: round(percentile(commitMs, 99), 3),
      },
      reference_sync_select1_ms: { p50: round(median(syncMs), 3), p99: round(percentile(syncMs, 99), 3) },
      submit_to_async_task_id_ms: {
        p50: round(median(submitMs), 3),
        p99: round(percentile(submitMs, 99), 3),
      },
      submits_per_s_paced: PACED_SUBMITS_PER_S,
      submit_to_async_task_id_paced_ms: {
        p50: round(median(pacedMs), 3),
        p99: round(percentile(pacedMs, 99), 3),
      },
      /*
       * What each submit and its task cost the server (all its threads, from /proc; null when it shares this
       * process): steadier than the latencies on a noisy machine, so builds compare by what they spend.
       */
      server_cost_per_submit_and_task: {
        back_to_back: costBack,
        paced: costPaced,
        throughput: costThroughput,
      },
      reference_mariadb_durable_insert: mariadb,
      show_query_task_where_id_ms: { p50: round(median(showMs), 3), p99: round(percentile(showMs, 99), 3) },
      // How the submit compares with its two references in this run: a round trip that needs no durable
      // write, and the durable write alone.
      ratios_p50: {
        submit_vs_sync_select1: round(median(submitMs) / median(syncMs), 2),
        submit_vs_durable_commit: round(median(submitMs) / median(commitMs), 2),
        // Both servers idle between requests: Lakecast's paced submit against MariaDB's paced durable insert.
        submit_paced_vs_mariadb_durable_insert_paced:
          'paced_ms' in mariadb ? round(median(pacedMs) / mariadb.paced_ms.p50, 2) : null,
      },
      trivial_tasks: {
        count: THROUGHPUT_TASKS,
        completed: done,
        seconds: round(throughputS, 3),
        per_second: round(done / throughputS, 1),
      },
      bulk: {
        tasks_in_catalog: BULK + WARMUP + 2 * SUBMITS + THROUGHPUT_TASKS,
        load_seconds: round(bulkLoadS, 2),
      },
      show_query_task_where_status_running_ms: {
        p50: round(median(runningMs), 3),
        p99: round(percentile(runningMs, 99), 3),
        rows: runningRows,
      },
      show_query_task_where_status_in_unfinished_ms: {
        p50: round(median(unfinishedMs), 3),
        p99: round(percentile(unfinishedMs, 99), 3),
      },
      show_full_query_task_limit_20_ms: fullMs,
      show_full_query_task_limit_1000_20_ms: fullOffsetMs,
      targets: {
        submit_p50_ms: 1,
        submit_p99_ms: 5,
        show_by_id_p50_ms: 1,
        trivial_tasks_per_s: 1000,
        show_running_p50_ms: 5,
      },
      dla_transcript_reference_ms: { submit: 40, show_by_id: 20 },
      target: TARGET,
      notes: `2 shared cores (see load averages). Target ${TARGET}: ${TARGET === 'stack' ? "the tests' in-process stack" : TARGET === 'inprocess' ? 'the real server (startServer) in the benchmark process' : TARGET === 'process-source' ? 'lakecast serve in a child process, from the sources through tsx' : 'lakecast serve in a child process, compiled (dist/, as npm start runs it)'}: mysql2 client → MySQL protocol → SQL front → tasks (SQLite catalog in WAL mode, each commit fdatasynced before it is acknowledged) → DuckDB; results on local disk, fsynced. Task queries run on the executor thread's engine (tasks.executor; 8 at once) while submits are measured.`,
    };
    return result;
  } finally {
    await conn.end();
    await target.close();
    cleanup();
  }
}
