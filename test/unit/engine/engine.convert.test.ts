import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbEngine, type DuckDbEngine } from '../../../src/engine/index.js';
import type { Cell } from '../../../src/shared/index.js';
import { tempDir } from '../../helpers/tmp.js';

let engine: DuckDbEngine;
const tmp = tempDir();

beforeAll(async () => {
  engine = await createDuckDbEngine({ dataDir: tmp.dir, threads: 1, poolSize: 2 });
});
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

async function all(sql: string, params?: Cell[]) {
  const r = await engine.query(sql, { params });
  const rows: Cell[][] = [];
  for await (const b of r.batches) rows.push(...b);
  return { columns: r.columns, rows, stats: r.stats() };
}

describe('convert - cells normalized as src/shared/results.ts documents', () => {
  it('convert - integers, floats, booleans and NULL', async () => {
    const { columns, rows } = await all(
      'select 1::tinyint a, -2::smallint b, 3::int c, 9007199254740993::bigint d, 200::utinyint e, 4000000000::uinteger f, 18446744073709551615::ubigint g, 1.5::float h, 2.25::double i, true j, null::int k, 170141183460469231731687303715884105727::hugeint l',
    );
    expect(columns.map((c) => c.type)).toEqual([
      'TINYINT',
      'SMALLINT',
      'INTEGER',
      'BIGINT',
      'UTINYINT',
      'UINTEGER',
      'UBIGINT',
      'FLOAT',
      'DOUBLE',
      'BOOLEAN',
      'INTEGER',
      'HUGEINT',
    ]);
    expect(rows).toEqual([
      [
        1,
        -2,
        3,
        9007199254740993n,
        200,
        4000000000,
        18446744073709551615n,
        1.5,
        2.25,
        true,
        null,
        170141183460469231731687303715884105727n,
      ],
    ]);
  });

  it('convert - DECIMAL as exact strings at every width with precision/scale', async () => {
    const { columns, rows } = await all(
      "select 12.34::decimal(4,2) a, -0.05::decimal(9,2) b, 1234567890123.45::decimal(15,2) c, -9999999999999999.99::decimal(18,2) d, '12345678901234567890123456.789'::decimal(38,3) e, 7::decimal(10,0) f",
    );
    expect(columns[2]).toMatchObject({ type: 'DECIMAL', precision: 15, scale: 2 });
    expect(rows[0]).toEqual([
      '12.34',
      '-0.05',
      '1234567890123.45',
      '-9999999999999999.99',
      '12345678901234567890123456.789',
      '7',
    ]);
  });

  it('convert - DATE, TIME, TIMESTAMP variants as text', async () => {
    const { columns, rows } = await all(
      "select date '2026-11-22' a, date '1969-12-31' b, date '0044-03-15' c, time '23:59:58.25' d, timestamp '2026-11-22 01:02:03' e, timestamp '1960-01-01 00:00:00.000001' f, '2026-11-22 01:02:03.5'::timestamp_ms g, '2026-11-22 01:02:03'::timestamp_s h, 'infinity'::date i",
    );
    expect(columns.map((c) => c.type)).toEqual([
      'DATE',
      'DATE',
      'DATE',
      'TIME',
      'TIMESTAMP',
      'TIMESTAMP',
      'TIMESTAMP',
      'TIMESTAMP',
      'DATE',
    ]);
    expect(rows[0]).toEqual([
      '2026-11-22',
      '1969-12-31',
      '0044-03-15',
      '23:59:58.250000',
      '2026-11-22 01:02:03',
      '1960-01-01 00:00:00.000001',
      '2026-11-22 01:02:03.500000',
      '2026-11-22 01:02:03',
      'infinity',
    ]);
  });

  it('convert - dates agree with DuckDB’s own text over 200 years', async () => {
    const { rows } = await all(
      "select d, d::varchar from (select date '1900-01-01' + range::int d from range(0, 73000, 7))",
    );
    for (const [a, b] of rows) expect(a).toBe(b);
  });

  it('convert - VARCHAR short, long, unicode; BLOB as Uint8Array copies', async () => {
    const long = 'x'.repeat(100);
    const { rows } = await all(
      `select 'abc' a, '${long}' b, 'héllo ✓ 日本' c, ''::varchar d, '\\xAA\\x00'::blob e, repeat('ab', 20)::blob f`,
    );
    expect(rows[0].slice(0, 4)).toEqual(['abc', long, 'héllo ✓ 日本', '']);
    expect(rows[0][4]).toBeInstanceOf(Uint8Array);
    expect([...(rows[0][4] as Uint8Array)]).toEqual([0xaa, 0]);
    expect(Buffer.from(rows[0][5] as Uint8Array).toString()).toBe('ab'.repeat(20));
  });

  it('convert - LIST, STRUCT, MAP as JSON text typed JSON', async () => {
    const { columns, rows } = await all(
      "select [1, 2, null] a, {'k': 'v', 'n': 1.5} b, map {'x': 1} c, ['a','b']::varchar[2] d, [9007199254740993::bigint] e",
    );
    expect(columns.every((c) => c.type === 'JSON')).toBe(true);
    expect(JSON.parse(rows[0][0] as string)).toEqual([1, 2, null]);
    expect(JSON.parse(rows[0][1] as string)).toEqual({ k: 'v', n: '1.5' });
    expect(rows[0][2]).toContain('x');
    expect(JSON.parse(rows[0][3] as string)).toEqual(['a', 'b']);
    expect(rows[0][4]).toBe('["9007199254740993"]');
  });

  it('convert - UUID, INTERVAL, ENUM as DuckDB text', async () => {
    const { columns, rows } = await all(
      "select uuid '4ac7a9e9-607c-4c8a-84f3-843f0191e3fd' a, interval 90 minute b, 'x'::enum('x','y') c",
    );
    expect(columns.map((c) => c.type)).toEqual(['UUID', 'INTERVAL', 'VARCHAR']);
    expect(rows[0]).toEqual(['4ac7a9e9-607c-4c8a-84f3-843f0191e3fd', '01:30:00', 'x']);
  });

  it('convert - NULLs in every fast-path column across several chunks', async () => {
    const { rows } = await all(
      "select case when range % 3 = 0 then null else range end::bigint a, case when range % 5 = 0 then null else 'v' || range end b, case when range % 7 = 0 then null else (range / 100)::decimal(15,2) end c, case when range % 2 = 0 then null else date '2000-01-01' + range::int end d from range(5000)",
    );
    expect(rows.length).toBe(5000);
    for (let i = 0; i < 5000; i++) {
      expect(rows[i][0]).toBe(i % 3 === 0 ? null : BigInt(i));
      expect(rows[i][1]).toBe(i % 5 === 0 ? null : `v${i}`);
      if (i % 7 === 0) expect(rows[i][2]).toBeNull();
      expect(rows[i][3] === null).toBe(i % 2 === 0);
    }
  });

  it('convert - positional parameters of each cell kind', async () => {
    const { rows } = await all('select ?::int, ?::varchar, ?::bigint, ?::blob, ?::boolean, ? is null', [
      7,
      'x',
      12n,
      new Uint8Array([1, 2]),
      true,
      null,
    ]);
    expect(rows[0].slice(0, 3)).toEqual([7, 'x', 12n]);
    expect([...(rows[0][3] as Uint8Array)]).toEqual([1, 2]);
    expect(rows[0].slice(4)).toEqual([true, true]);
  });

  it('convert - duplicate column names are kept as written (as MySQL does)', async () => {
    const { columns } = await all('select 1 a, 2 a');
    expect(columns.map((c) => c.name)).toEqual(['a', 'a']);
  });
});
