import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPEN_CSV_SERDE, type TableDefinition } from '../../../src/catalog/index.js';
import { createDuckDbEngine, type DuckDbEngine } from '../../../src/engine/index.js';
import { type Cell, LakecastError } from '../../../src/shared/index.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir();
const lake = path.join(tmp.dir, 'lake');
const outside = path.join(tmp.dir, 'outside');
let engine: DuckDbEngine;

function table(
  partial: Partial<TableDefinition> & Pick<TableDefinition, 'name' | 'format' | 'columns'>,
): TableDefinition {
  return {
    schema: 'sales',
    partitionColumns: [],
    location: `file://${path.join(lake, partial.name)}/`,
    properties: {},
    owner: 'root',
    createdAt: new Date(),
    ...partial,
  };
}

async function rows(sql: string, defaultSchema = 'sales'): Promise<Cell[][]> {
  const r = await engine.query(sql, { defaultSchema });
  const out: Cell[][] = [];
  for await (const b of r.batches) out.push(...b);
  return out;
}

function write(rel: string, text: string) {
  const file = path.join(lake, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

beforeAll(async () => {
  mkdirSync(lake, { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(path.join(outside, 'secret.csv'), 'a,b\n1,2\n');
  engine = await createDuckDbEngine({
    dataDir: path.join(tmp.dir, 'data'),
    threads: 2,
    poolSize: 3,
    allowedDirectories: [lake],
  });
  await engine.ensureSchema('sales');
});
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

/** The columns of the Hive TEXTFILE log tables below. */
const LOG_COLUMNS: TableDefinition['columns'] = [
  { name: 'k', type: 'STRING' },
  { name: 'v', type: 'STRING' },
  { name: 'n', type: 'INT' },
];

const NA_COLUMNS: TableDefinition['columns'] = [
  { name: 'id', type: 'INT' },
  { name: 'v', type: 'STRING' },
];

describe('lake tables - views over files honouring the DDL', () => {
  it('lake - CSV with header skip, explicit delimiter and DDL types', async () => {
    write('orders/part-0.csv', 'id|amount|day\n1|10.50|2026-11-01\n2|3.25|2026-11-02\n');
    write('orders/part-1.csv', 'id|amount|day\n3|1.00|2026-11-03\n');
    await engine.registerTable(
      table({
        name: 'orders',
        format: 'CSV',
        delimiter: '|',
        properties: { 'skip.header.line.count': '1' },
        columns: [
          { name: 'id', type: 'BIGINT' },
          { name: 'amount', type: 'DECIMAL(10,2)' },
          { name: 'day', type: 'DATE' },
        ],
      }),
      path.join(lake, 'orders'),
    );
    expect(await rows('select * from orders order by id')).toEqual([
      [1n, '10.50', '2026-11-01'],
      [2n, '3.25', '2026-11-02'],
      [3n, '1.00', '2026-11-03'],
    ]);
    const r = await engine.query('select sum(amount) from sales.orders');
    for await (const _ of r.batches) {
      // drain
    }
    expect(r.stats().scannedRows).toBe(3);
    expect(r.stats().scannedBytes).toBe(
      Buffer.byteLength('id|amount|day\n1|10.50|2026-11-01\n2|3.25|2026-11-02\n') +
        Buffer.byteLength('id|amount|day\n3|1.00|2026-11-03\n'),
    );
  });

  it('stats - a query that scans nothing (scans: false) runs without the profiler; scanning ones keep their stats', async () => {
    const light = await engine.query('select 41 + 1 as n', { scans: false });
    const got: Cell[][] = [];
    for await (const b of light.batches) got.push(...b);
    expect(got).toEqual([[42]]);
    expect(light.stats()).toMatchObject({ rowsReturned: 1, scannedRows: 0, scannedBytes: 0 });
    // Several at once (more than the light connections): all answer, none waits forever.
    const many = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const r = await engine.query(`select ${i} as n`, { scans: false });
        const out: Cell[][] = [];
        for await (const b of r.batches) out.push(...b);
        return out[0]![0];
      }),
    );
    expect(many).toEqual([...Array(10).keys()]);
    const r = await engine.query('select count(*) from sales.orders');
    for await (const _ of r.batches) {
      // drain
    }
    expect(r.stats().scannedRows).toBe(3);
  });

  it('lake - TEXTFILE uses Hive’s \\u0001 delimiter and \\N nulls by default', async () => {
    write('logs/000000_0', 'a\u0001x,y\u00011\nb\u0001\\N\u00012\n');
    await engine.registerTable(
      table({
        name: 'logs',
        format: 'TEXTFILE',
        columns: LOG_COLUMNS,
      }),
      path.join(lake, 'logs'),
    );
    expect(await rows('select * from logs order by k')).toEqual([
      ['a', 'x,y', 1],
      ['b', null, 2],
    ]);
  });

  it("lake - NULL DEFINED AS ('serialization.null.format') replaces the default NULL marker (TEXTFILE and CSV)", async () => {
    const register = async (name: string, format: 'CSV' | 'TEXTFILE', marker: string, data: string) => {
      write(`${name}/000000_0`, data);
      const columns = format === 'TEXTFILE' ? LOG_COLUMNS : NA_COLUMNS;
      const properties = { 'serialization.null.format': marker };
      await engine.registerTable(table({ name, format, properties, columns }), path.join(lake, name));
    };
    await register('logs_empty_null', 'TEXTFILE', '', 'a\u0001\u00011\nb\u0001\\N\u00012\n');
    // An empty field is NULL now; \N is text.
    expect(await rows('select * from logs_empty_null order by k')).toEqual([
      ['a', null, 1],
      ['b', '\\N', 2],
    ]);
    await register('na_csv', 'CSV', 'NA', '1,NA\n2,x\n');
    expect(await rows('select * from na_csv order by id')).toEqual([
      [1, null],
      [2, 'x'],
    ]);
  });

  it("lake - OpenCSVSerde: quoted fields with the separator inside and backslash escapes (DLA's CSV DDL)", async () => {
    write('open_csv/000000_0', '1,"a,b"\n2,"say \\"hi\\""\n3,plain\n');
    await engine.registerTable(
      table({
        name: 'open_csv',
        format: 'CSV',
        delimiter: ',',
        properties: { serde: OPEN_CSV_SERDE },
        columns: NA_COLUMNS,
      }),
      path.join(lake, 'open_csv'),
    );
    expect(await rows('select * from open_csv order by id')).toEqual([
      [1, 'a,b'],
      [2, 'say "hi"'],
      [3, 'plain'],
    ]);
  });

  it('lake - JSON lines with DDL types', async () => {
    write(
      'events/a.json',
      '{"id": 1, "name": "x", "ts": "2026-11-22 10:00:00"}\n{"id": 2, "name": "y", "ts": "2026-11-22 11:00:00"}\n',
    );
    await engine.registerTable(
      table({
        name: 'events',
        format: 'JSON',
        columns: [
          { name: 'id', type: 'INT' },
          { name: 'name', type: 'VARCHAR(10)' },
          { name: 'ts', type: 'TIMESTAMP' },
        ],
      }),
      path.join(lake, 'events'),
    );
    expect(await rows('select * from events order by id')).toEqual([
      [1, 'x', '2026-11-22 10:00:00'],
      [2, 'y', '2026-11-22 11:00:00'],
    ]);
  });

  it('lake - Parquet with Hive partitions typed by the DDL, listPartitions', async () => {
    for (const [dt, base] of [
      ['2026-11-21', 0],
      ['2026-11-22', 100],
    ] as const) {
      mkdirSync(path.join(lake, 'clicks', `dt=${dt}`), { recursive: true });
      await engine.exec(
        `copy (select (range + ${base})::int as id, 'u' || range as user_id from range(10)) to '${path.join(lake, 'clicks', `dt=${dt}`, 'part-0.parquet')}'`,
      );
    }
    const def = table({
      name: 'clicks',
      format: 'PARQUET',
      columns: [
        { name: 'id', type: 'BIGINT' },
        { name: 'user_id', type: 'STRING' },
      ],
      partitionColumns: [{ name: 'dt', type: 'DATE' }],
    });
    await engine.registerTable(def, path.join(lake, 'clicks'));
    const d = await engine.describe('select * from sales.clicks');
    expect(d.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['id:BIGINT', 'user_id:VARCHAR', 'dt:DATE']);
    expect(await rows("select count(*), min(id), max(dt) from clicks where dt = date '2026-11-22'")).toEqual([
      [10n, 100n, '2026-11-22'],
    ]);
    // Stats: Parquet reports rows scanned; partition pruning reads 1 of 2 files, so half the bytes count.
    const { statSync } = await import('node:fs');
    const fileBytes = statSync(path.join(lake, 'clicks', 'dt=2026-11-22', 'part-0.parquet')).size;
    const r = await engine.query("select count(*) from sales.clicks where dt = date '2026-11-22'");
    for await (const _ of r.batches) {
      // drain
    }
    expect(r.stats().rowsReturned).toBe(1);
    expect(r.stats().scannedRows).toBe(10);
    expect(r.stats().scannedBytes).toBeGreaterThan(fileBytes * 0.8);
    expect(r.stats().scannedBytes).toBeLessThan(fileBytes * 1.2);
    const parts = await engine.listPartitions(path.join(lake, 'clicks'), ['dt']);
    expect(parts.map((p) => p.spec)).toEqual(['dt=2026-11-21', 'dt=2026-11-22']);
    expect(parts[0].values).toEqual({ dt: '2026-11-21' });
  });

  it('lake - an empty location queries as an empty result with the right columns', async () => {
    mkdirSync(path.join(lake, 'empty'), { recursive: true });
    const def = table({
      name: 'empty',
      format: 'CSV',
      columns: [
        { name: 'a', type: 'INT' },
        { name: 'b', type: 'DECIMAL(5,1)' },
      ],
      partitionColumns: [{ name: 'dt', type: 'STRING' }],
    });
    await engine.registerTable(def, path.join(lake, 'empty'));
    const r = await engine.query('select * from sales.empty');
    expect(r.columns.map((c) => c.type)).toEqual(['INTEGER', 'DECIMAL', 'VARCHAR']);
    const got: Cell[][] = [];
    for await (const b of r.batches) got.push(...b);
    expect(got).toEqual([]);
    // Files arrive: the next query naming the table sees them without registering again.
    write('empty/dt=x/f.csv', '1,2.5\n');
    expect(await rows('select * from empty')).toEqual([[1, '2.5', 'x']]);
    write('empty/dt=y/g.csv', '2,3.5\n');
    expect(await rows('select count(*) from empty')).toEqual([[2n]]);
    // Every file removed: an empty result again, not an error.
    const { rmSync } = await import('node:fs');
    rmSync(path.join(lake, 'empty', 'dt=x'), { recursive: true });
    rmSync(path.join(lake, 'empty', 'dt=y'), { recursive: true });
    expect(await rows('select * from sales.empty')).toEqual([]);
  });

  it('lake - Hive/Spark side files and hidden folders are not data (CSV, TEXTFILE, JSON)', async () => {
    const cases = [
      { name: 'side_csv', format: 'CSV' as const, data: '1,a\n2,b\n', extra: '3,c\n' },
      { name: 'side_text', format: 'TEXTFILE' as const, data: '1\u0001a\n2\u0001b\n', extra: '3\u0001c\n' },
      {
        name: 'side_json',
        format: 'JSON' as const,
        data: '{"n":1,"s":"a"}\n{"n":2,"s":"b"}\n',
        extra: '{"n":3,"s":"c"}\n',
      },
    ];
    for (const c of cases) {
      write(`${c.name}/dt=1/part-00000`, c.data);
      // What Hive and Spark leave next to data: markers, checksums, in-progress and staging folders.
      write(`${c.name}/_SUCCESS`, '');
      write(`${c.name}/dt=1/.part-00000.crc`, 'crc\u0000\u0001{"not json');
      write(`${c.name}/dt=1/_committed_123`, '{"added":["part-00000"]}');
      write(`${c.name}/_temporary/0/task_1/dt=1/part-00001`, c.extra);
      write(`${c.name}/dt=1/.spark-staging-1/part-00002`, c.extra);
      write(`${c.name}/dt=1/_tmp.part-00003`, c.extra);
      await engine.registerTable(
        table({
          name: c.name,
          format: c.format,
          columns: [
            { name: 'n', type: 'INT' },
            { name: 's', type: 'STRING' },
          ],
          partitionColumns: [{ name: 'dt', type: 'INT' }],
        }),
        path.join(lake, c.name),
      );
      expect(await rows(`select n, s, dt from ${c.name} order by n`), c.format).toEqual([
        [1, 'a', 1],
        [2, 'b', 1],
      ]);
      const r = await engine.query(`select count(*) from sales.${c.name}`);
      for await (const _ of r.batches) {
        // drain
      }
      // Hidden files are never opened; files in hidden folders are read (their rows dropped).
      expect(r.stats().scannedBytes, c.format).toBe(
        Buffer.byteLength(c.data) + 2 * Buffer.byteLength(c.extra),
      );
    }
  });

  it('lake - Parquet side files are not data', async () => {
    mkdirSync(path.join(lake, 'side_pq'), { recursive: true });
    await engine.exec(`copy (select 1::int as n) to '${path.join(lake, 'side_pq', 'part-0.parquet')}'`);
    await engine.exec(`copy (select 2::int as n) to '${path.join(lake, 'side_pq', '_part-1.parquet')}'`);
    await engine.exec(`copy (select 3::int as n) to '${path.join(lake, 'side_pq', '.part-2.parquet')}'`);
    write('side_pq/_SUCCESS', '');
    await engine.registerTable(
      table({ name: 'side_pq', format: 'PARQUET', columns: [{ name: 'n', type: 'INT' }] }),
      path.join(lake, 'side_pq'),
    );
    expect(await rows('select n from side_pq order by n')).toEqual([[1]]);
  });

  it('lake - a folder with only side files is an empty table until data arrives', async () => {
    write('only_side/_SUCCESS', '');
    write('only_side/.part-0.crc', 'x');
    write('only_side/_temporary/0/part-0', '9\n');
    await engine.registerTable(
      table({ name: 'only_side', format: 'CSV', columns: [{ name: 'n', type: 'INT' }] }),
      path.join(lake, 'only_side'),
    );
    expect(await rows('select * from only_side')).toEqual([]);
    write('only_side/part-0', '1\n');
    expect(await rows('select * from only_side')).toEqual([[1]]);
  });

  it('lake - scannedBytes follows files that appear and disappear (folder sizes are cached by mtime)', async () => {
    let count: Cell = null;
    const scanned = async () => {
      // The same text each time: nothing cached may hide a file that came or went.
      const r = await engine.query('select count(*) from sales.grow');
      for await (const b of r.batches) count = b[0][0];
      return r.stats().scannedBytes;
    };
    write('grow/a.csv', '1\n');
    await engine.registerTable(
      table({ name: 'grow', format: 'CSV', columns: [{ name: 'n', type: 'INT' }] }),
      path.join(lake, 'grow'),
    );
    expect(await scanned()).toBe(2);
    expect(await scanned()).toBe(2);
    write('grow/b.csv', '22\n');
    expect(await scanned()).toBe(5);
    write('grow/sub/c.csv', '333\n');
    expect(await scanned()).toBe(9);
    write('grow/sub/d.csv', '4444\n');
    expect(await scanned()).toBe(14);
    expect(count).toBe(4n);
    const { rmSync, renameSync } = await import('node:fs');
    rmSync(path.join(lake, 'grow', 'sub', 'c.csv'));
    expect(await scanned()).toBe(10);
    // Replaced by rename (how writers publish a file): seen at its new size.
    write('grow/.b.csv.tmp', '55555\n');
    renameSync(path.join(lake, 'grow', '.b.csv.tmp'), path.join(lake, 'grow', 'b.csv'));
    expect(await scanned()).toBe(13);
    rmSync(path.join(lake, 'grow', 'sub'), { recursive: true });
    expect(await scanned()).toBe(8);
    expect(count).toBe(2n);
  });

  it('lake - unregisterTable and dropSchema remove the views', async () => {
    await engine.ensureSchema('tmp_s');
    await engine.registerTable(
      {
        ...table({ name: 'logs', format: 'TEXTFILE', columns: [{ name: 'k', type: 'STRING' }] }),
        schema: 'tmp_s',
      },
      path.join(lake, 'logs'),
    );
    expect((await rows('select count(*) from tmp_s.logs'))[0][0]).toBe(2n);
    await engine.unregisterTable('tmp_s', 'logs');
    await expect(rows('select * from tmp_s.logs')).rejects.toMatchObject({ code: 'LC_ENGINE_NO_SUCH_TABLE' });
    await engine.dropSchema('tmp_s');
    await expect(rows('select 1', 'tmp_s')).rejects.toMatchObject({ code: 'LC_ENGINE_NO_SUCH_SCHEMA' });
  });
});

describe('sandbox defense in depth - DuckDB itself refuses files outside the allowed folders', () => {
  const refused = async (sql: string) => {
    const err = await rows(sql).catch((e: unknown) => e);
    expect(err, sql).toBeInstanceOf(LakecastError);
    return err as LakecastError;
  };

  it('sandbox - reading outside allowed folders is refused', async () => {
    for (const sql of [
      "select * from read_csv('/etc/passwd')",
      `select * from read_csv('${outside}/secret.csv')`,
      `select * from read_csv('${lake}/../outside/secret.csv')`,
      "select * from read_text('/proc/self/environ')",
      "select * from glob('/*')",
      "select * from '/etc/passwd'",
    ]) {
      const e = await refused(sql);
      expect(['LC_ENGINE_PERMISSION', 'LC_ENGINE_NO_SUCH_TABLE'], sql).toContain(e.code);
    }
  });

  it('sandbox - a symlink inside an allowed folder to a file elsewhere is refused', async () => {
    const { symlinkSync } = await import('node:fs');
    mkdirSync(path.join(lake, 'links'), { recursive: true });
    symlinkSync(path.join(outside, 'secret.csv'), path.join(lake, 'links', 'secret.csv'));
    symlinkSync(outside, path.join(lake, 'links', 'dir'));
    for (const sql of [
      `select * from read_csv('${lake}/links/secret.csv')`,
      `select * from read_csv('${lake}/links/dir/secret.csv')`,
      `select * from read_text('${lake}/links/**/*')`,
    ]) {
      expect((await refused(sql)).code, sql).toBe('LC_ENGINE_PERMISSION');
    }
  });

  it('sandbox - settings are locked and extensions cannot be loaded', async () => {
    for (const sql of [
      'set enable_external_access = true',
      "set allowed_directories = ['/']",
      "set memory_limit = '100GB'",
      'load httpfs',
      'install httpfs',
      "attach '/tmp/x.db'",
    ]) {
      await refused(sql);
    }
  });

  it('sandbox - getenv is unavailable', async () => {
    await refused("select getenv('HOME')");
  });

  it('sandbox - files inside the allowed folders stay readable', async () => {
    expect((await rows(`select count(*) from read_csv('${lake}/orders/*.csv', delim='|')`))[0][0]).toBe(3n);
    expect(engine.allowedDirectories).toEqual([`${lake}/`]);
  });
});
