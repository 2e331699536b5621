/**
 * `npm run bench -- engine`: TPC-H Q1 and Q6 on a generated lineitem (Parquet) through Lakecast's MySQL
 * protocol (mysql2) next to the same SQL run directly on `@duckdb/node-api`, and a 5M-row × 5-column SELECT
 * through the protocol received by a minimal framing client and by mysql2, with the server's RSS growth.
 * Also the fixed cost per query: tiny queries (no table, LIMIT 1, a footer-only count(*)) through the protocol
 * and directly, interleaved, medians of BENCH_OVERHEAD_REPS (default 60).
 * Sizes: BENCH_LINEITEM_ROWS (default 6,000,000), BENCH_SELECT_ROWS (5,000,000), BENCH_REPS (5).
 */
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';
import { startServerProcess } from '../test/helpers/server-process.js';
import { generateLineitem, TPCH_Q1, TPCH_Q6 } from './data-gen.js';
import { MiniMysql } from './lib/mini-mysql.js';
import { median, msSince, round } from './lib/stats.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PASSWORD = 'bench-root-pw';

/** lineitem as an external table (the types data-gen.ts writes). */
const LINEITEM_COLUMNS_DDL = [
  'l_orderkey BIGINT',
  'l_partkey BIGINT',
  'l_suppkey BIGINT',
  'l_linenumber INT',
  'l_quantity DECIMAL(15,2)',
  'l_extendedprice DECIMAL(15,2)',
  'l_discount DECIMAL(15,2)',
  'l_tax DECIMAL(15,2)',
  'l_returnflag STRING',
  'l_linestatus STRING',
  'l_shipdate DATE',
  'l_commitdate DATE',
  'l_receiptdate DATE',
  'l_shipinstruct STRING',
  'l_shipmode STRING',
  'l_comment STRING',
].join(', ');

function envInt(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** Counts rows of a streamed mysql2 query (rows are decoded by mysql2, as an application would). */
function mysql2StreamCount(conn: mysql.Connection, sql: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let n = 0;
    conn
      .query({ sql, rowsAsArray: true })
      .on('result', () => {
        n++;
      })
      .on('error', reject)
      .on('end', () => resolve(n));
  });
}

export async function run(): Promise<object> {
  const lineitemRows = envInt('BENCH_LINEITEM_ROWS', 6_000_000);
  const selectRows = envInt('BENCH_SELECT_ROWS', 5_000_000);
  const reps = envInt('BENCH_REPS', 5);
  const dataRoot = path.join(here, 'data');
  const lineitemDir = path.join(dataRoot, `lineitem-${lineitemRows}`);
  mkdirSync(lineitemDir, { recursive: true });
  console.log(
    `generating lineitem (${lineitemRows} rows) in ${path.relative(process.cwd(), lineitemDir)} if missing…`,
  );
  await generateLineitem(lineitemDir, lineitemRows);

  const dataDir = path.join(os.tmpdir(), `lakecast-bench-engine-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  const server = await startServerProcess({
    dataDir,
    password: PASSWORD,
    config: { lake: { fileRoots: [dataRoot] } },
  });
  const direct = await (await DuckDBInstance.create(':memory:')).connect();
  try {
    const conn = await mysqlPromise.createConnection({
      host: '127.0.0.1',
      port: server.mysqlPort,
      user: 'root',
      password: PASSWORD,
    });
    await conn.query('CREATE DATABASE IF NOT EXISTS tpch');
    await conn.query(
      `CREATE EXTERNAL TABLE tpch.lineitem (${LINEITEM_COLUMNS_DDL}) STORED AS PARQUET LOCATION 'file://${lineitemDir}/'`,
    );
    await conn.query('USE tpch');
    await direct.run(`CREATE VIEW lineitem AS SELECT * FROM read_parquet('${lineitemDir}/**/*.parquet')`);

    const queries = { q1: TPCH_Q1, q6: TPCH_Q6 };
    const tpch: Record<string, object> = {};
    for (const [name, sql] of Object.entries(queries)) {
      await conn.query(sql); // warm both sides (file cache, parquet metadata)
      await direct.runAndReadAll(sql);
      const viaProtocol: number[] = [];
      const viaDirect: number[] = [];
      for (let i = 0; i < reps; i++) {
        let t = process.hrtime.bigint();
        await direct.runAndReadAll(sql);
        viaDirect.push(msSince(t));
        t = process.hrtime.bigint();
        await conn.query(sql);
        viaProtocol.push(msSince(t));
      }
      const p = median(viaProtocol);
      const d = median(viaDirect);
      tpch[name] = {
        protocolMs: round(p),
        directMs: round(d),
        ratio: round(p / d, 3),
        target: '<= 1.05',
        runs: reps,
      };
      console.log(`${name}: protocol ${round(p)} ms, direct DuckDB ${round(d)} ms, ratio ${round(p / d, 3)}`);
    }

    // Fixed cost per query: what a tiny query pays on top of DuckDB (front, sandbox, engine, protocol, client).
    const overheadReps = envInt('BENCH_OVERHEAD_REPS', 60);
    const tiny = {
      select1: 'SELECT 1',
      limit1: 'SELECT l_orderkey FROM lineitem LIMIT 1',
      countStar: 'SELECT count(*) FROM lineitem',
    };
    const overhead: Record<string, object> = {};
    for (const [name, sql] of Object.entries(tiny)) {
      await conn.query(sql);
      await direct.runAndReadAll(sql);
      const viaProtocol: number[] = [];
      const viaDirect: number[] = [];
      for (let i = 0; i < overheadReps; i++) {
        // Alternate who goes first, so neither side always runs on a cache the other just warmed.
        const order = i % 2 === 0 ? ['direct', 'protocol'] : ['protocol', 'direct'];
        for (const side of order) {
          const t = process.hrtime.bigint();
          if (side === 'direct') await direct.runAndReadAll(sql);
          else await conn.query(sql);
          (side === 'direct' ? viaDirect : viaProtocol).push(msSince(t));
        }
      }
      const p = median(viaProtocol);
      const d = median(viaDirect);
      overhead[name] = {
        protocolMs: round(p),
        directMs: round(d),
        overheadMs: round(p - d),
        runs: overheadReps,
      };
      console.log(
        `${name}: protocol ${round(p)} ms, direct DuckDB ${round(d)} ms, overhead ${round(p - d)} ms`,
      );
    }
    await conn.end();

    const selectSql = `SELECT l_orderkey, l_partkey, l_quantity, l_extendedprice, l_shipdate FROM tpch.lineitem LIMIT ${selectRows}`;
    const mini = await MiniMysql.connect({
      host: '127.0.0.1',
      port: server.mysqlPort,
      user: 'root',
      password: PASSWORD,
    });
    const baseline = server.rss();
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, server.rss());
    }, 25);
    const miniRates: number[] = [];
    for (let i = 0; i < Math.max(3, Math.ceil(reps / 2)); i++) {
      const t = process.hrtime.bigint();
      const { rows } = await mini.countRows(selectSql);
      if (rows !== selectRows) throw new Error(`expected ${selectRows} rows, got ${rows}`);
      miniRates.push(rows / (msSince(t) / 1000));
    }
    mini.close();
    const m2 = mysql.createConnection({
      host: '127.0.0.1',
      port: server.mysqlPort,
      user: 'root',
      password: PASSWORD,
    });
    const m2Rates: number[] = [];
    for (let i = 0; i < 2; i++) {
      const t = process.hrtime.bigint();
      const rows = await mysql2StreamCount(m2, selectSql);
      m2Rates.push(rows / (msSince(t) / 1000));
    }
    m2.end();
    clearInterval(sampler);
    const growthMb = (peak - baseline) / 2 ** 20;
    const stream = {
      rows: selectRows,
      columns: 5,
      minimalClientRowsPerS: Math.round(median(miniRates)),
      minimalClientTarget: '>= 1,000,000',
      mysql2RowsPerS: Math.round(median(m2Rates)),
      serverRssBaselineMb: round(baseline / 2 ** 20, 1),
      serverRssPeakGrowthMb: round(growthMb, 1),
      rssTarget: '< 150',
    };
    console.log(
      `SELECT ${selectRows} rows x 5 cols: minimal client ${stream.minimalClientRowsPerS} rows/s, mysql2 ${stream.mysql2RowsPerS} rows/s, server RSS growth ${stream.serverRssPeakGrowthMb} MB`,
    );
    return { lineitemRows, tpch, overhead, stream };
  } finally {
    direct.closeSync();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(`${dataDir}.json`, { force: true });
  }
}
