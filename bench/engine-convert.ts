import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createDuckDbEngine } from '../src/engine/index.js';
import { generateLineitem } from './data-gen.js';

/*
 * Engine conversion speed: a 5-column, 5M-row result (BIGINT, 2 × DECIMAL(15,2), DATE, VARCHAR) from the
 * lineitem Parquet, streamed through Engine.query (chunks → Cell[][]), next to raw DuckDB fetching the same
 * chunks without converting them (the reference: what conversion costs on top).
 * Run: `npx tsx bench/engine-convert.ts` (generates bench/data/lineitem.parquet first if missing).
 */

export const CONVERT_BENCH_SQL = (file: string, rows: number) =>
  `SELECT l_orderkey, l_quantity, l_extendedprice, l_shipdate, l_shipmode FROM read_parquet('${file}') LIMIT ${rows}`;

/** One measurement: rows, milliseconds and rows per second. */
export interface ConvertMeasurement {
  readonly name: string;
  readonly rows: number;
  readonly ms: number;
  readonly rowsPerSecond: number;
}

/** Streams the query through the Lakecast engine, converting every cell. */
export async function measureEngine(file: string, rows: number, threads = 0): Promise<ConvertMeasurement> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lakecast-bench-'));
  const engine = await createDuckDbEngine({ dataDir, threads, poolSize: 1 });
  try {
    const started = performance.now();
    const result = await engine.query(CONVERT_BENCH_SQL(file, rows));
    let n = 0;
    for await (const batch of result.batches) n += batch.length;
    const ms = performance.now() - started;
    return {
      name: 'lakecast engine (stream + convert to Cell[][])',
      rows: n,
      ms,
      rowsPerSecond: (n / ms) * 1000,
    };
  } finally {
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Reference: raw DuckDB streaming the same chunks, touching no values. */
export async function measureRawDuckDb(file: string, rows: number, threads = 0): Promise<ConvertMeasurement> {
  const instance = await DuckDBInstance.create(':memory:', threads ? { threads: String(threads) } : {});
  const connection = await instance.connect();
  try {
    const started = performance.now();
    const result = await connection.stream(CONVERT_BENCH_SQL(file, rows));
    let n = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      n += chunk.rowCount;
    }
    const ms = performance.now() - started;
    return { name: 'raw DuckDB (stream chunks, no conversion)', rows: n, ms, rowsPerSecond: (n / ms) * 1000 };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Reference: @duckdb/node-api's own row conversion (getRowsJS) on the same chunks. */
export async function measureNodeApiRows(
  file: string,
  rows: number,
  threads = 0,
): Promise<ConvertMeasurement> {
  const instance = await DuckDBInstance.create(':memory:', threads ? { threads: String(threads) } : {});
  const connection = await instance.connect();
  try {
    const started = performance.now();
    const result = await connection.stream(CONVERT_BENCH_SQL(file, rows));
    let n = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      n += chunk.getRows().length;
    }
    const ms = performance.now() - started;
    return { name: '@duckdb/node-api chunk.getRows()', rows: n, ms, rowsPerSecond: (n / ms) * 1000 };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = Number(process.argv[2] ?? 5_000_000);
  const { file } = await generateLineitem(path.join(path.dirname(new URL(import.meta.url).pathname), 'data'));
  for (const run of [measureRawDuckDb, measureEngine, measureNodeApiRows, measureRawDuckDb, measureEngine]) {
    const m = await run(file, rows);
    console.log(
      `${m.name.padEnd(50)} ${m.rows} rows ${m.ms.toFixed(0).padStart(6)} ms ${Math.round(m.rowsPerSecond).toLocaleString('en-US').padStart(12)} rows/s`,
    );
  }
}
