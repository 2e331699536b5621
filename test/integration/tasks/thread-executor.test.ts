import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableDefinition } from '../../../src/catalog/index.js';
import { createDuckDbEngine, type DuckDbEngine } from '../../../src/engine/index.js';
import { LakecastError, silentLogger } from '../../../src/shared/index.js';
import {
  type ExecuteJob,
  mirrorEngine,
  startThreadExecutor,
  type ThreadExecutor,
} from '../../../src/tasks/index.js';
import { tempDir } from '../../helpers/tmp.js';

/** `shop.<name>` over the lake's people/ CSV folder (header line skipped). */
function peopleTable(name: string, lakeDir: string): TableDefinition {
  return {
    schema: 'shop',
    name,
    columns: [
      { name: 'id', type: 'INT' },
      { name: 'name', type: 'STRING' },
    ],
    partitionColumns: [],
    format: 'CSV',
    location: `${pathToFileURL(path.join(lakeDir, 'people')).href}/`,
    properties: { 'skip.header.line.count': '1' },
    owner: 'root',
    createdAt: new Date(),
  };
}

const LONG_QUERY = 'SELECT sum(a.range * b.range) FROM range(100000000) a, range(1000) b';

describe('task executor thread - queries on an engine of its own, results written from the thread', () => {
  const tmp = tempDir('lakecast-thread-exec-');
  const dataDir = tmp.dir;
  const lakeDir = path.join(dataDir, 'lake');
  const resultsDir = path.join(dataDir, 'results');
  let executor: ThreadExecutor;
  let main: DuckDbEngine;
  let mirrored: DuckDbEngine;
  let n = 0;
  const stops: string[] = [];
  const job = (engineSql: string, format: ExecuteJob['format'] = 'csv'): ExecuteJob => ({
    key: `2026/12/03/job${n++}/result.${format}`,
    engineSql,
    format,
  });
  const run = (j: ExecuteJob, signal = new AbortController().signal, onProgress?: (p: number) => void) =>
    executor.execute(j, { signal, onProgress });

  beforeAll(async () => {
    mkdirSync(path.join(lakeDir, 'people'), { recursive: true });
    writeFileSync(path.join(lakeDir, 'people', 'a.csv'), 'id,name\n1,ann\n2,bob\n3,"c,d"\n');
    executor = await startThreadExecutor(
      {
        dataDir,
        memoryLimit: '256MiB',
        threads: 1,
        allowedDirectories: [lakeDir],
        resultsUri: `${pathToFileURL(resultsDir).href}/`,
        logLevel: 'silent',
      },
      { onThreadStopped: (why) => stops.push(why) },
    );
    main = await createDuckDbEngine({ dataDir, allowedDirectories: [lakeDir], threads: 1 });
    mirrored = mirrorEngine(main, executor, silentLogger());
  });
  afterAll(async () => {
    await executor?.close();
    await main?.close();
    tmp.cleanup();
  });

  it('execute - writes the CSV result durably and reports rows and size', async () => {
    const j = job("SELECT 1 AS n, 'x,y' AS s UNION ALL SELECT 2, NULL ORDER BY n");
    const out = await run(j);
    const file = path.join(resultsDir, ...j.key.split('/'));
    const text = readFileSync(file, 'utf8');
    expect(text).toBe('n,s\r\n1,"x,y"\r\n2,\r\n');
    expect(out).toMatchObject({ size: Buffer.byteLength(text), rowsReturned: 2 });
  });

  it('execute - NDJSON and Parquet results', async () => {
    const json = job('SELECT 7 AS a', 'json');
    await run(json);
    expect(readFileSync(path.join(resultsDir, ...json.key.split('/')), 'utf8')).toBe('{"a":7}\n');
    const parquet = job('SELECT range AS r FROM range(1000)', 'parquet');
    const out = await run(parquet);
    expect(out.rowsReturned).toBe(1000);
    const bytes = readFileSync(path.join(resultsDir, ...parquet.key.split('/')));
    expect(bytes.subarray(0, 4).toString()).toBe('PAR1');
  });

  it('mirror - a table registered on the main engine is queryable in the thread; dropped, it is gone', async () => {
    const def = peopleTable('people', lakeDir);
    await mirrored.ensureSchema('shop');
    await mirrored.registerTable(def, path.join(lakeDir, 'people'));
    const out = await run({ ...job('SELECT count(*) AS c FROM people'), defaultSchema: 'shop' });
    expect(out.rowsReturned).toBe(1);
    expect(out.scannedRows).toBe(3);
    await mirrored.unregisterTable('shop', 'people');
    await expect(run(job('SELECT count(*) FROM shop.people'))).rejects.toMatchObject({
      code: 'LC_ENGINE_NO_SUCH_TABLE',
    });
  });

  it('errors - an engine error crosses the thread with its code and message; no file is left', async () => {
    const j = job('SELECT * FROM no_such_table');
    const err = (await run(j).catch((e) => e)) as LakecastError;
    expect(err).toBeInstanceOf(LakecastError);
    expect(err.code).toMatch(/^LC_ENGINE_/);
    expect(err.message).toMatch(/no_such_table/);
    expect(existsSync(path.join(resultsDir, ...j.key.split('/')))).toBe(false);
  });

  it("result limits - a job's limits cross the thread: over the cap or below the free-space floor, no file", async () => {
    const capped = {
      ...job('SELECT range AS n FROM range(100000)'),
      limits: { maxBytes: 10_000, minFreeBytes: 0 },
    };
    const tooLarge = (await run(capped).catch((e) => e)) as LakecastError;
    expect(tooLarge.code).toBe('LC_TASK_RESULT_TOO_LARGE');
    expect(existsSync(path.join(resultsDir, ...capped.key.split('/')))).toBe(false);
    const floor = { ...job('SELECT 1 AS n'), limits: { maxBytes: 0, minFreeBytes: Number.MAX_SAFE_INTEGER } };
    expect(((await run(floor).catch((e) => e)) as LakecastError).code).toBe('LC_TASK_DISK_FULL');
    expect(existsSync(path.join(resultsDir, ...floor.key.split('/')))).toBe(false);
    const fits = {
      ...job('SELECT range AS n FROM range(10)'),
      limits: { maxBytes: 10_000, minFreeBytes: 1024 },
    };
    expect((await run(fits)).rowsReturned).toBe(10);
  });

  it('cancel - aborting a running query stops it within 1 s and leaves no file', async () => {
    const controller = new AbortController();
    const j = job(LONG_QUERY);
    const p = run(j, controller.signal);
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    controller.abort();
    await expect(p).rejects.toMatchObject({ code: 'LC_CANCELLED' });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(existsSync(path.join(resultsDir, ...j.key.split('/')))).toBe(false);
  });

  it('progress - the thread reports the engine percent of a long query', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const p = run(job(LONG_QUERY), controller.signal, (pct) => seen.push(pct));
    const t0 = Date.now();
    while (seen.length === 0 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await p.catch(() => undefined);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((v) => v >= 0 && v <= 100)).toBe(true);
  });

  it('restart - running jobs fail with LC_INTERNAL, the new thread knows every table and runs the next job', async () => {
    const def = peopleTable('people2', lakeDir);
    await mirrored.registerTable(def, path.join(lakeDir, 'people'));
    const p = run(job(LONG_QUERY)).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    await executor.restart();
    expect(stops).toHaveLength(1);
    expect(await p).toMatchObject({ code: 'LC_INTERNAL', message: 'the task executor thread was restarted' });
    const out = await run(job('SELECT * FROM shop.people2'));
    expect(out.rowsReturned).toBe(3);
  });

  it('bad input - a job aborted before it starts is refused without reaching the thread', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(run(job('SELECT 1'), controller.signal)).rejects.toThrow('gone');
  });

  it('bad input - an engine that cannot start (a bad memory limit) rejects the start with a clear error', async () => {
    const err = await startThreadExecutor({
      dataDir: path.join(dataDir, 'other'), // its own engine temp folder: the running thread's stays untouched
      memoryLimit: 'lots',
      threads: 1,
      allowedDirectories: [lakeDir],
      resultsUri: `${pathToFileURL(resultsDir).href}/`,
      logLevel: 'silent',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LakecastError);
    expect((err as LakecastError).message).toMatch(/DuckDB|memory/i);
  });
});
