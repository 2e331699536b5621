import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/*
 * TPC-H-like data generated with plain DuckDB SQL (the tpch extension's dbgen cannot be downloaded offline).
 * Values follow the TPC-H specification's lineitem rules (clause 4.2.3) with hash()-based pseudo-random
 * numbers instead of dbgen's RNG streams, so a given row count always yields the same file, but values do
 * not match dbgen's byte for byte. Differences: each order has exactly 4 lines (dbgen: 1–7) and order
 * keys are dense.
 */

/** Rows of lineitem at TPC-H scale factor 1. */
export const LINEITEM_ROWS_SF1 = 6_001_215;
/** Default row count for the engine bench (≥ 6M, as SF1). */
export const DEFAULT_LINEITEM_ROWS = LINEITEM_ROWS_SF1;

/** The SELECT producing `rows` lineitem rows. */
export function lineitemSql(rows: number): string {
  const sf = Math.max(rows / LINEITEM_ROWS_SF1, 0.01);
  const parts = Math.max(1, Math.round(200_000 * sf));
  const supps = Math.max(1, Math.round(10_000 * sf));
  // r(k, m): a pseudo-random integer in [0, m) for row i and stream k.
  const r = (k: number, m: number) => `(hash(i * 31 + ${k}) % ${m})::BIGINT`;
  return `
    WITH base AS (
      SELECT
        i,
        i // 4 + 1 AS l_orderkey,
        (i % 4 + 1)::INTEGER AS l_linenumber,
        ${r(1, parts)} + 1 AS l_partkey,
        ${r(2, supps)} + 1 AS l_suppkey,
        (${r(3, 50)} + 1)::DECIMAL(15,2) AS l_quantity,
        (${r(4, 11)}::DECIMAL(15,2) / 100)::DECIMAL(15,2) AS l_discount,
        (${r(5, 9)}::DECIMAL(15,2) / 100)::DECIMAL(15,2) AS l_tax,
        -- orderdate uniform in [1992-01-01, 1998-08-02], shared by the 4 lines of an order
        DATE '1992-01-01' + ((hash(i // 4) % 2405)::INTEGER) AS o_orderdate,
        ${r(6, 121)} + 1 AS ship_days,
        ${r(7, 61)} + 30 AS commit_days,
        ${r(8, 30)} + 1 AS receipt_days,
        ${r(9, 2)} AS ra,
        ${r(10, 4)} AS instruct,
        ${r(11, 7)} AS mode,
        ${r(12, 34)} + 10 AS comment_len,
        ${r(13, 1000)} AS comment_seed
      FROM range(${rows}) t(i)
    ),
    dated AS (
      SELECT *,
        o_orderdate + ship_days::INTEGER AS l_shipdate,
        o_orderdate + commit_days::INTEGER AS l_commitdate,
        o_orderdate + (ship_days + receipt_days)::INTEGER AS l_receiptdate
      FROM base
    )
    SELECT
      l_orderkey,
      l_partkey,
      l_suppkey,
      l_linenumber,
      l_quantity,
      -- p_retailprice per TPC-H 4.2.3: (90000 + ((partkey/10) mod 20001) + 100 * (partkey mod 1000)) / 100
      (l_quantity * ((90000 + ((l_partkey // 10) % 20001) + 100 * (l_partkey % 1000)) / 100)::DECIMAL(15,2))::DECIMAL(15,2) AS l_extendedprice,
      l_discount,
      l_tax,
      CASE WHEN l_receiptdate <= DATE '1995-06-17' THEN (CASE WHEN ra = 0 THEN 'R' ELSE 'A' END) ELSE 'N' END AS l_returnflag,
      CASE WHEN l_shipdate > DATE '1995-06-17' THEN 'O' ELSE 'F' END AS l_linestatus,
      l_shipdate,
      l_commitdate,
      l_receiptdate,
      ['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN'][instruct + 1] AS l_shipinstruct,
      ['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB'][mode + 1] AS l_shipmode,
      left(
        ['carefully', 'furiously', 'quickly', 'slyly', 'blithely', 'ironic', 'final', 'regular', 'express',
         'pending', 'special', 'bold', 'even', 'silent', 'unusual', 'deposits', 'requests', 'packages',
         'accounts', 'instructions', 'foxes', 'theodolites', 'pinto beans', 'asymptotes'][comment_seed % 24 + 1]
        || ' ' || ['sleep', 'wake', 'haggle', 'nag', 'use', 'boost', 'affix', 'detect', 'integrate', 'cajole'][comment_seed % 10 + 1]
        || ' ' || ['about the', 'above the', 'along the', 'among the', 'across the', 'after the'][comment_seed % 6 + 1]
        || ' ' || ['ideas', 'dependencies', 'platelets', 'courts', 'dolphins', 'sheaves', 'warhorses'][comment_seed % 7 + 1]
        || ' ' || ['furiously', 'quickly', 'carefully', 'slyly'][comment_seed % 4 + 1],
        comment_len::INTEGER
      ) AS l_comment
    FROM dated`;
}

/**
 * Writes `<dir>/lineitem.parquet` (default row count {@link DEFAULT_LINEITEM_ROWS}) or
 * `<dir>/lineitem-<rows>.parquet` (other counts), skipping the work when that file exists. Writes to a temp
 * file and renames it, so an interrupted run leaves no half file.
 */
export async function generateLineitem(
  dir: string,
  rows: number = DEFAULT_LINEITEM_ROWS,
  options: { threads?: number } = {},
): Promise<{ file: string; generated: boolean; bytes: number }> {
  const file = path.join(
    path.resolve(dir),
    rows === DEFAULT_LINEITEM_ROWS ? 'lineitem.parquet' : `lineitem-${rows}.parquet`,
  );
  if (existsSync(file)) return { file, generated: false, bytes: statSync(file).size };
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  rmSync(tmp, { force: true });
  const instance = await DuckDBInstance.create(
    ':memory:',
    options.threads ? { threads: String(options.threads) } : {},
  );
  const connection = await instance.connect();
  try {
    await connection.run(
      `COPY (${lineitemSql(rows)}) TO '${tmp.replace(/'/g, "''")}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`,
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  renameSync(tmp, file);
  return { file, generated: true, bytes: statSync(file).size };
}

/** TPC-H Q1 (pricing summary report), DELTA = 90 days, over a table or view named `lineitem`. */
export const TPCH_Q1 = `SELECT
  l_returnflag,
  l_linestatus,
  sum(l_quantity) AS sum_qty,
  sum(l_extendedprice) AS sum_base_price,
  sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price,
  sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge,
  avg(l_quantity) AS avg_qty,
  avg(l_extendedprice) AS avg_price,
  avg(l_discount) AS avg_disc,
  count(*) AS count_order
FROM lineitem
WHERE l_shipdate <= DATE '1998-12-01' - INTERVAL '90' DAY
GROUP BY l_returnflag, l_linestatus
ORDER BY l_returnflag, l_linestatus`;

/** TPC-H Q6 (forecasting revenue change), DATE = 1994-01-01, DISCOUNT = 0.06, QUANTITY = 24. */
export const TPCH_Q6 = `SELECT
  sum(l_extendedprice * l_discount) AS revenue
FROM lineitem
WHERE l_shipdate >= DATE '1994-01-01'
  AND l_shipdate < DATE '1994-01-01' + INTERVAL '1' YEAR
  AND l_discount BETWEEN 0.06 - 0.01 AND 0.06 + 0.01
  AND l_quantity < 24`;

/** Both queries by name. */
export const TPCH_QUERIES = { q1: TPCH_Q1, q6: TPCH_Q6 } as const;

// `npx tsx bench/data-gen.ts [rows]` generates into bench/data/.
if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = Number(process.argv[2] ?? DEFAULT_LINEITEM_ROWS);
  const started = Date.now();
  const out = await generateLineitem(
    path.join(path.dirname(new URL(import.meta.url).pathname), 'data'),
    rows,
  );
  console.log(
    `${out.generated ? 'generated' : 'exists'} ${out.file} (${out.bytes} bytes) in ${Date.now() - started} ms`,
  );
}
