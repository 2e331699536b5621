/** output-format=parquet: the engine's COPY … TO into its temp folder, streamed into the result store. */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cell } from '../../../src/shared/index.js';
import { createAsyncTaskExtensions } from '../../../src/sql/async/index.js';
import { createSqlFront } from '../../../src/sql/index.js';
import type { SqlFront, SqlSession } from '../../../src/sql/types.js';
import { openObjectStore, readAll } from '../../../src/storage/index.js';
import { createTaskService, engineParquetWriter, type TaskService } from '../../../src/tasks/index.js';
import { startS3 } from '../../helpers/s3-server.js';
import { depsOf, type Harness, run, startHarness } from '../sql/harness.js';
import { createSeedTable } from './seed-table.js';

const LONG_QUERY = 'SELECT sum(a.range * b.range) FROM range(100000000) a, range(1000) b';

type Limits = { maxResultBytes?: number; minFreeDiskBytes?: number };

async function setup(
  h: Harness,
  resultsUri: string,
  s3?: Parameters<typeof openObjectStore>[1],
  limits: Limits = {},
) {
  let front: SqlFront | undefined;
  const tasks = createTaskService({
    catalog: h.catalog,
    engine: h.engine,
    prepare: (ctx, sql) => front!.prepareUserQuery(ctx, sql),
    resultStore: openObjectStore(resultsUri, s3),
    config: { concurrency: 2, progressWriteMs: 100, ...limits },
    writeParquet: engineParquetWriter(h.engine),
  });
  front = createSqlFront({
    ...depsOf(h),
    extensions: createAsyncTaskExtensions({ tasks, dialect: h.catalog.dialect }),
  });
  await front.loadTables();
  await tasks.start();
  const s = await front.openSession({
    connectionId: 7,
    user: { name: 'root', admin: true },
    database: null,
    remoteAddress: '127.0.0.1',
  });
  await createSeedTable(h, s, { schema: 'sh_pq', table: 't1', dir: 'pq' });
  return { tasks, s };
}

async function waitFor(tasks: TaskService, id: string, statuses: string[], timeoutMs = 20_000) {
  const t0 = Date.now();
  for (;;) {
    const t = await tasks.store.get(id);
    if (t && statuses.includes(t.status)) return t;
    if (Date.now() - t0 > timeoutMs) throw new Error(`task ${id} still ${t?.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Reads a Parquet file with a separate, unrestricted DuckDB: rows and column types. */
async function readParquet(file: string): Promise<{ rows: Cell[][]; types: string[] }> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const r = await c.runAndReadAll(`SELECT * FROM read_parquet('${file}') ORDER BY 1`);
    const d = await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
    return {
      rows: r.getRows() as Cell[][],
      types: d.getRows().map((row) => String(row[1])),
    };
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

function engineTmpFiles(h: Harness): string[] {
  return readdirSync(path.join(h.dir, 'engine', 'tmp')).filter((f) => f.endsWith('.parquet'));
}

const QUERY = '/*+ run-async=true, output-format=parquet */ select id, name, score from t1 order by id';

describe('output-format=parquet (local results)', () => {
  let h: Harness;
  let tasks: TaskService;
  let s: SqlSession;
  let resultsDir: string;

  beforeAll(async () => {
    h = await startHarness();
    resultsDir = path.join(h.dir, 'results');
    ({ tasks, s } = await setup(h, pathToFileURL(resultsDir).href));
  });
  afterAll(async () => {
    await tasks?.close(0);
    await h?.close();
  });

  it('parquet - result.parquet is readable by DuckDB with the right rows and types; temp file deleted', async () => {
    const r = await run(s, QUERY);
    const id = r.rows[0]![0] as string;
    const t = await waitFor(tasks, id, ['SUCCESS', 'FAILURE']);
    expect(t.message).toBeNull();
    expect(t.status).toBe('SUCCESS');
    expect(t.row_count).toBe(2);
    expect(t.scanned_row_count).toBe(2);
    expect(t.scanned_data_bytes).toBeGreaterThan(0);
    expect(t.result_file_oss_file).toMatch(new RegExp(`/${id}/result\\.parquet$`));
    const file = new URL(t.result_file_oss_file!).pathname;
    const { rows, types } = await readParquet(file);
    expect(rows).toEqual([
      [1, 'a,b', null],
      [2, 'say "hi"', 2.5],
    ]);
    expect(types).toEqual(['INTEGER', 'VARCHAR', 'DOUBLE']);
    expect(engineTmpFiles(h)).toEqual([]);
  });

  it('parquet - the sandbox still applies: a forbidden query fails as it does synchronously', async () => {
    const sync = await run(s, "select * from read_csv('/etc/passwd')").catch((e) => e);
    const r = await run(
      s,
      "/*+ run-async=true, output-format=parquet */ select * from read_csv('/etc/passwd')",
    );
    const t = await waitFor(tasks, r.rows[0]![0] as string, ['FAILURE', 'SUCCESS']);
    expect(t.status).toBe('FAILURE');
    expect(t.message).toBe(`${sync.code}: ${sync.message}`);
    const w = await run(
      s,
      "/*+ run-async=true, output-format=parquet */ select 1 -- ) TO '/tmp/x.csv' (FORMAT csv)\n",
    );
    const tw = await waitFor(tasks, w.rows[0]![0] as string, ['FAILURE', 'SUCCESS']);
    expect(tw.status).toBe('SUCCESS');
    expect(tw.row_count).toBe(1);
  });

  it('parquet - cancel of a long query leaves no temp file and no result', async () => {
    const r = await run(s, `/*+ run-async=true, output-format=parquet */ ${LONG_QUERY}`);
    const id = r.rows[0]![0] as string;
    await waitFor(tasks, id, ['RUNNING']);
    await new Promise((res) => setTimeout(res, 300));
    const t0 = Date.now();
    await run(s, `KILL QUERY '${id}'`);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect((await tasks.store.get(id))!.status).toBe('CANCELLED');
    await new Promise((res) => setTimeout(res, 200));
    expect(tasks.stats().running).toBe(0);
    expect(engineTmpFiles(h)).toEqual([]);
    const all = readdirSync(resultsDir, { recursive: true }) as string[];
    expect(all.filter((f) => f.includes(id))).toEqual([]);
  });

  it('parquet - a query-timeout ends as FAILURE and leaves no temp file', async () => {
    const r = await run(s, `/*+ run-async=true, output-format=parquet, query-timeout=0.3 */ ${LONG_QUERY}`);
    const t = await waitFor(tasks, r.rows[0]![0] as string, ['FAILURE', 'SUCCESS'], 10_000);
    expect(t.status).toBe('FAILURE');
    expect(t.message).toMatch(/timeout of 0.3 s/);
    await new Promise((res) => setTimeout(res, 200));
    expect(engineTmpFiles(h)).toEqual([]);
  });
});

describe('output-format=parquet (S3 results)', () => {
  let h: Harness;
  let tasks: TaskService;
  let s: SqlSession;
  let s3: Awaited<ReturnType<typeof startS3>>;

  beforeAll(async () => {
    s3 = await startS3(['results']);
    h = await startHarness();
    ({ tasks, s } = await setup(h, 's3://results/lc/', { s3: s3.settings }));
  });
  afterAll(async () => {
    await tasks?.close(0);
    await h?.close();
    await s3?.stop();
  });

  it('parquet on S3 - the object is a Parquet file DuckDB reads back', async () => {
    const r = await run(s, QUERY);
    const id = r.rows[0]![0] as string;
    const t = await waitFor(tasks, id, ['SUCCESS', 'FAILURE']);
    expect(t.status).toBe('SUCCESS');
    expect(t.result_file_oss_file).toMatch(
      new RegExp(`^s3://results/lc/\\d{4}/\\d\\d/\\d\\d/${id}/result\\.parquet$`),
    );
    const store = openObjectStore('s3://results/lc/', { s3: s3.settings });
    const bytes = await readAll(await store.get(t.result_key!));
    const local = path.join(h.dir, 'downloaded.parquet');
    writeFileSync(local, bytes);
    expect((await readParquet(local)).rows).toEqual([
      [1, 'a,b', null],
      [2, 'say "hi"', 2.5],
    ]);
    expect(engineTmpFiles(h)).toEqual([]);
  });
});

/** ~1 KB of Parquet per 30 rows that do not compress: minutes to write whole, so only a limit ends it early. */
const HUGE =
  '/*+ run-async=true, output-format=parquet */ SELECT range AS n, md5(range::VARCHAR) || md5((range + 1)::VARCHAR) AS s FROM range(2000000000)';

describe('output-format=parquet - result limits hold while DuckDB writes the file', () => {
  let h: Harness;
  let s3: Awaited<ReturnType<typeof startS3>>;
  const started: TaskService[] = [];

  beforeAll(async () => {
    h = await startHarness();
    s3 = await startS3(['results']);
  }, 60_000);
  afterAll(async () => {
    for (const t of started) await t.close(0);
    await h?.close();
    await s3?.stop();
  });

  it('tasks.maxResultBytes - the query is interrupted once the file passes the cap; nothing is kept', async () => {
    const { tasks, s } = await setup(h, pathToFileURL(path.join(h.dir, 'capped')).href, undefined, {
      maxResultBytes: 1024 * 1024,
    });
    started.push(tasks);
    const id = (await run(s, HUGE)).rows[0]![0] as string;
    const t = await waitFor(tasks, id, ['SUCCESS', 'FAILURE', 'CANCELLED'], 30_000);
    expect(t.status).toBe('FAILURE');
    expect(t.message).toMatch(/^LC_TASK_RESULT_TOO_LARGE: the result is larger than the 1 MiB/);
    expect(t.result_file_oss_file).toBeNull();
    expect(engineTmpFiles(h)).toEqual([]);
    await tasks.close(0);
  });

  it('tasks.minFreeDiskBytes - the staged file is held to the floor even for an S3 results root', async () => {
    // S3 has no free space to check: only the guard on the local temp file can stop this task.
    const { tasks, s } = await setup(
      h,
      's3://results/floor/',
      { s3: s3.settings },
      { minFreeDiskBytes: 2 ** 60 },
    );
    started.push(tasks);
    const id = (await run(s, HUGE)).rows[0]![0] as string;
    const t = await waitFor(tasks, id, ['SUCCESS', 'FAILURE', 'CANCELLED'], 30_000);
    expect(t.status).toBe('FAILURE');
    expect(t.message).toMatch(
      /^LC_TASK_DISK_FULL: the results disk is full \(.* free; tasks.minFreeDiskBytes keeps/,
    );
    expect(engineTmpFiles(h)).toEqual([]);
    const store = openObjectStore('s3://results/floor/', { s3: s3.settings });
    const left: string[] = [];
    for await (const o of store.list('')) left.push(o.key);
    expect(left).toEqual([]);
  });
});
