import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parquetRowCount, readNumRows } from '../../../src/engine/duckdb/parquet-footer.js';
import { createDuckDbEngine, type DuckDbEngine } from '../../../src/engine/index.js';
import { tempDir } from '../../helpers/tmp.js';

async function drain(engine: DuckDbEngine, sql: string) {
  const r = await engine.query(sql);
  for await (const _ of r.batches) {
    // read every batch: the stats are final after the last
  }
  return r.stats();
}

describe('scan statistics - Parquet rows come from the footers, whatever the threads', () => {
  const tmp = tempDir('lakecast-scanstats-');
  const dir = path.join(tmp.dir, 'files');
  let engine: DuckDbEngine;

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    engine = await createDuckDbEngine({ dataDir: tmp.dir, threads: 2 });
    // 1,000,000 rows: several row groups, so two threads share the scan.
    await engine.exec(
      `COPY (SELECT range AS a, range % 5 AS b FROM range(1000000)) TO '${dir}/big.parquet' (FORMAT parquet)`,
    );
    await engine.exec(
      `COPY (SELECT range AS a, range % 5 AS b FROM range(1000)) TO '${dir}/small.parquet' (FORMAT parquet)`,
    );
  });
  afterAll(async () => {
    await engine?.close();
    tmp.cleanup();
  });

  it('footer - the row count of a DuckDB-written file with several row groups', async () => {
    expect(await parquetRowCount(path.join(dir, 'big.parquet'))).toBe(1_000_000);
    expect(await parquetRowCount(path.join(dir, 'small.parquet'))).toBe(1000);
  });

  it('scan - a parallel scan counts each row once (DuckDB reports cardinality × threads)', async () => {
    const s = await drain(engine, `SELECT b, count(*) FROM '${dir}/big.parquet' GROUP BY b`);
    expect(s.scannedRows).toBe(1_000_000);
    const both = await drain(engine, `SELECT count(a), sum(b) FROM '${dir}/*.parquet' WHERE b >= 0`);
    expect(both.scannedRows).toBe(1_001_000);
    expect(both.scannedBytes).toBeGreaterThan(0);
  });

  it('bad input - truncated, foreign, encrypted and hostile footers give null, never an exception', async () => {
    const bad = (name: string, bytes: Buffer) => {
      const file = path.join(dir, name);
      writeFileSync(file, bytes);
      return file;
    };
    expect(await parquetRowCount(bad('empty.parquet', Buffer.alloc(0)))).toBeNull();
    expect(await parquetRowCount(bad('csv.parquet', Buffer.from('a,b\n1,2\n3,4\n5,6\n')))).toBeNull();
    const enc = Buffer.concat([
      Buffer.from('PAR1'),
      Buffer.alloc(16),
      Buffer.from([16, 0, 0, 0]),
      Buffer.from('PARE'),
    ]);
    expect(await parquetRowCount(bad('enc.parquet', enc))).toBeNull();
    const huge = Buffer.concat([
      Buffer.from('PAR1'),
      Buffer.alloc(16),
      Buffer.from([255, 255, 255, 127]),
      Buffer.from('PAR1'),
    ]);
    expect(await parquetRowCount(bad('huge.parquet', huge))).toBeNull();
    expect(await parquetRowCount(path.join(dir, 'missing.parquet'))).toBeNull();
    // Thrift compact: field 1 a struct nested 10,000 deep; field 2 a list claiming 2^40 elements; random bytes.
    expect(readNumRows(Buffer.alloc(10_000, 0x1c))).toBeNull();
    expect(readNumRows(Buffer.from([0x19, 0xfc, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]))).toBeNull();
    for (let i = 0; i < 200; i++) {
      const random = Buffer.from(Array.from({ length: 64 }, () => Math.floor(Math.random() * 256)));
      const n = readNumRows(random);
      expect(n === null || Number.isFinite(n)).toBe(true);
    }
    // num_rows as field 3 right away: zigzag(12345) = 24690.
    expect(readNumRows(Buffer.from([0x36, 0xf2, 0xc0, 0x01, 0x00]))).toBe(12345);
  });
});
