import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDuckDbEngine,
  type DuckDbEngine,
  EngineErrors,
  toEngineError,
} from '../../../src/engine/index.js';
import { LakecastError } from '../../../src/shared/index.js';
import { tempDir } from '../../helpers/tmp.js';

let engine: DuckDbEngine;
const tmp = tempDir();

beforeAll(async () => {
  engine = await createDuckDbEngine({ dataDir: tmp.dir, threads: 1, poolSize: 2 });
  await engine.exec('create schema demo; create table demo.t as select 1 a');
});
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

async function errorOf(sql: string, defaultSchema?: string): Promise<LakecastError> {
  const err = await engine
    .query(sql, { defaultSchema })
    .then(async (r) => {
      for await (const _ of r.batches) {
        // drain
      }
      return null;
    })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(LakecastError);
  return err as LakecastError;
}

describe('errors - DuckDB errors become stable codes with MySQL errno/SQLSTATE', () => {
  it('errors - syntax error → LC_ENGINE_SYNTAX 1064/42000', async () => {
    const e = await errorOf('selec 1');
    expect([e.code, e.errno, e.sqlState]).toEqual(['LC_ENGINE_SYNTAX', 1064, '42000']);
  });

  it('errors - unknown table → LC_ENGINE_NO_SUCH_TABLE 1146/42S02', async () => {
    const e = await errorOf('select * from nope');
    expect([e.code, e.errno, e.sqlState]).toEqual(['LC_ENGINE_NO_SUCH_TABLE', 1146, '42S02']);
    const s = await errorOf('select * from nope_schema.t');
    expect(s.errno === 1146 || s.errno === 1049).toBe(true);
  });

  it('errors - unknown column → LC_ENGINE_NO_SUCH_COLUMN 1054/42S22', async () => {
    const e = await errorOf('select nope from demo.t');
    expect([e.code, e.errno, e.sqlState]).toEqual(['LC_ENGINE_NO_SUCH_COLUMN', 1054, '42S22']);
  });

  it('errors - conversion error → LC_ENGINE_CONVERSION 1292/22007', async () => {
    const e = await errorOf("select 'abc'::int");
    expect([e.code, e.errno, e.sqlState]).toEqual(['LC_ENGINE_CONVERSION', 1292, '22007']);
    const d = await errorOf("select date '2026-13-45'");
    expect(d.errno).toBe(1292);
  });

  it('errors - unknown function → LC_ENGINE_ERROR 1105', async () => {
    const e = await errorOf('select no_such_fn(1)');
    expect([e.code, e.errno]).toEqual(['LC_ENGINE_ERROR', 1105]);
  });

  it('errors - out of memory → LC_ENGINE_OUT_OF_MEMORY 1041/HY001 (mapping)', () => {
    const e = toEngineError(new Error('Out of Memory Error: could not allocate block of size 256.0 KiB'));
    expect([e.code, e.errno, e.sqlState]).toEqual(['LC_ENGINE_OUT_OF_MEMORY', 1041, 'HY001']);
    expect(e.retryable).toBe(true);
  });

  it('errors - invalid input → LC_ENGINE_INVALID_INPUT 1366', () => {
    expect(toEngineError(new Error('Invalid Input Error: bad')).errno).toBe(1366);
  });

  it('errors - internal paths are replaced in messages', () => {
    const e = toEngineError(
      new Error('IO Error: No files found that match the pattern "/srv/lakecast/lake/x/*"'),
      new Map([['/srv/lakecast', '<data-dir>']]),
    );
    expect(e.message).toBe('IO Error: No files found that match the pattern "<data-dir>/lake/x/*"');
    expect(e.code).toBe(EngineErrors.ENGINE_ERROR.code);
  });

  it('errors - a failed query leaves its connection usable', async () => {
    for (let i = 0; i < 5; i++) await errorOf('select * from nope');
    const r = await engine.query('select 1 x');
    let n = 0;
    for await (const b of r.batches) n += b.length;
    expect(n).toBe(1);
  });

  it('defaultSchema - unqualified names resolve in the given schema per query', async () => {
    const r = await engine.query('select a from t', { defaultSchema: 'demo' });
    const rows = [];
    for await (const b of r.batches) rows.push(...b);
    expect(rows).toEqual([[1]]);
    const e = await errorOf('select a from t');
    expect(e.code).toBe('LC_ENGINE_NO_SUCH_TABLE');
  });

  it('defaultSchema - a missing schema is an error', async () => {
    const e = await errorOf('select 1', 'no_such_schema');
    expect([e.code, e.errno]).toEqual(['LC_ENGINE_NO_SUCH_SCHEMA', 1049]);
  });
});

describe('lifecycle - a closed engine', () => {
  it('lifecycle - query after close fails with LC_UNAVAILABLE and close is idempotent', async () => {
    const t = tempDir();
    const e = await createDuckDbEngine({ dataDir: t.dir, threads: 1, poolSize: 1 });
    await e.close();
    await e.close();
    await expect(e.query('select 1')).rejects.toMatchObject({ code: 'LC_UNAVAILABLE' });
    t.cleanup();
  });
});

describe('describe - result columns and parameter count without running', () => {
  it('describe - columns with types and ? count', async () => {
    const d = await engine.describe('select a, a::decimal(10,2) b, ?::varchar c from demo.t where a = ?');
    expect(d.paramCount).toBe(2);
    expect(d.columns).toEqual([
      { name: 'a', type: 'INTEGER' },
      { name: 'b', type: 'DECIMAL', precision: 10, scale: 2 },
      { name: 'c', type: 'VARCHAR' },
    ]);
  });

  it('describe - defaultSchema resolves unqualified names', async () => {
    const d = await engine.describe('select * from t', { defaultSchema: 'demo' });
    expect(d.columns).toEqual([{ name: 'a', type: 'INTEGER' }]);
  });

  it('describe - does not run the query', async () => {
    const started = Date.now();
    await engine.describe('select count(*) from range(100000000000) t(x) where x % 7 = 1');
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('describe - errors are mapped', async () => {
    const err = await engine.describe('select * from nope').catch((e: unknown) => e);
    expect((err as LakecastError).code).toBe('LC_ENGINE_NO_SUCH_TABLE');
  });
});
