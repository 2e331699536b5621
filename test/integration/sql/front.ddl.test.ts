import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, run, startHarness, writeFiles } from './harness.js';

let h: Harness;
let url: (p: string) => string;

beforeAll(async () => {
  h = await startHarness();
  url = (p) => `${pathToFileURL(path.join(h.lake, p)).href}/`;
  for (const d of ['orders', 'events/dt=2026-11-21', 'events/dt=2026-11-22', 'metrics', 'empty'])
    mkdirSync(path.join(h.lake, d), { recursive: true });
  await writeFiles([
    `COPY (SELECT i AS id, 'c' || (i % 3) AS customer, i * 1.5 AS amount FROM range(1, 101) t(i)) TO '${h.lake}/orders/orders.csv' (HEADER, DELIMITER ',')`,
    `COPY (SELECT i AS id, 'click' AS kind FROM range(0, 10) t(i)) TO '${h.lake}/events/dt=2026-11-21/part.json' (FORMAT JSON)`,
    `COPY (SELECT i AS id, 'view' AS kind FROM range(0, 5) t(i)) TO '${h.lake}/events/dt=2026-11-22/part.json' (FORMAT JSON)`,
    `COPY (SELECT i AS id, [i, i + 1] AS xs, {'a': i} AS s FROM range(0, 1000) t(i)) TO '${h.lake}/metrics/m.parquet' (FORMAT PARQUET)`,
  ]);
});
afterAll(async () => h?.close());

describe('sql front - lake DDL over the real engine and catalog', () => {
  it('CREATE DATABASE, CREATE EXTERNAL TABLE over CSV with a header, SELECT', async () => {
    const s = await h.session();
    await run(s, "CREATE DATABASE sales COMMENT 'the sales'");
    await run(s, 'CREATE DATABASE IF NOT EXISTS sales');
    await expect(run(s, 'CREATE DATABASE sales')).rejects.toMatchObject({ errno: 1007 });
    await run(s, 'USE sales');
    await run(
      s,
      `CREATE EXTERNAL TABLE orders (id BIGINT, customer STRING COMMENT 'who', amount DECIMAL(10,2))
       ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
       STORED AS CSV LOCATION '${url('orders')}' TBLPROPERTIES ('skip.header.line.count'='1')`,
    );
    const r = await run(s, 'SELECT count(*) AS n, sum(amount) AS total FROM orders');
    expect(r.rows).toEqual([[100n, '7575.00']]);
    const q = await run(s, 'SELECT `id` FROM sales.`orders` ORDER BY id LIMIT 10, 2');
    expect(q.rows).toEqual([[11n], [12n]]);
  });

  it('SHOW DATABASES / TABLES / COLUMNS / DESCRIBE / CREATE TABLE / CREATE DATABASE', async () => {
    const s = await h.session(undefined, 'sales');
    expect((await run(s, 'SHOW DATABASES')).rows).toEqual([['sales']]);
    const t = await run(s, 'SHOW FULL TABLES');
    expect(t.columns).toEqual(['Tables_in_sales', 'Table_type']);
    expect(t.rows).toEqual([['orders', 'BASE TABLE']]);
    expect((await run(s, "SHOW TABLES FROM sales LIKE 'ord%'")).rows).toEqual([['orders']]);
    const d = await run(s, 'DESCRIBE orders');
    expect(d.columns).toEqual(['Field', 'Type', 'Null', 'Key', 'Default', 'Extra']);
    expect(d.rows.map((x) => [x[0], x[1]])).toEqual([
      ['id', 'bigint'],
      ['customer', 'string'],
      ['amount', 'decimal(10,2)'],
    ]);
    const full = await run(s, "SHOW FULL COLUMNS FROM orders FROM sales WHERE Field = 'customer'");
    expect(full.rows[0][8]).toBe('who');
    const ddl = String((await run(s, 'SHOW CREATE TABLE orders')).rows[0][1]);
    expect(ddl).toContain('CREATE EXTERNAL TABLE `sales`.`orders`');
    expect(ddl).toContain("'skip.header.line.count'='1'");
    await run(s, 'DROP TABLE orders');
    await expect(run(s, 'SELECT * FROM orders')).rejects.toMatchObject({ errno: 1146 });
    await run(s, ddl);
    expect((await run(s, 'SELECT count(*) FROM orders')).rows).toEqual([[100n]]);
    expect((await run(s, 'SHOW CREATE DATABASE sales')).rows[0][1]).toBe(
      "CREATE DATABASE `sales` COMMENT 'the sales'",
    );
  });

  it('JSON table with hive partitions: SHOW PARTITIONS, new folder + MSCK REPAIR TABLE', async () => {
    const s = await h.session(undefined, 'sales');
    await run(
      s,
      `CREATE EXTERNAL TABLE events (id INT, kind STRING) PARTITIONED BY (dt STRING) STORED AS JSON LOCATION '${url('events')}'`,
    );
    expect((await run(s, 'SELECT dt, count(*) FROM events GROUP BY dt ORDER BY dt')).rows).toEqual([
      ['2026-11-21', 10n],
      ['2026-11-22', 5n],
    ]);
    expect((await run(s, 'SHOW PARTITIONS events')).rows).toEqual([['dt=2026-11-21'], ['dt=2026-11-22']]);
    mkdirSync(path.join(h.lake, 'events/dt=2026-11-23'));
    await writeFiles([
      `COPY (SELECT 1 AS id, 'buy' AS kind) TO '${h.lake}/events/dt=2026-11-23/p.json' (FORMAT JSON)`,
    ]);
    const m = await run(s, 'MSCK REPAIR TABLE events');
    expect(m.result).toMatchObject({ kind: 'ok', info: 'Partitions found: 3' });
    expect((await run(s, "SELECT count(*) FROM events WHERE dt = '2026-11-23'")).rows).toEqual([[1n]]);
  });

  it('Parquet table with nested types; empty folder registers as an empty table', async () => {
    const s = await h.session(undefined, 'sales');
    await run(
      s,
      `CREATE EXTERNAL TABLE metrics (id BIGINT, xs ARRAY<BIGINT>, s STRUCT<a:BIGINT>) STORED AS PARQUET LOCATION '${url('metrics')}'`,
    );
    expect((await run(s, 'SELECT count(*), max(id), max(s.a) FROM metrics')).rows).toEqual([
      [1000n, 999n, 999n],
    ]);
    await run(s, `CREATE EXTERNAL TABLE nothing (a INT) STORED AS CSV LOCATION '${url('empty')}'`);
    expect((await run(s, 'SELECT count(*) FROM nothing')).rows).toEqual([[0n]]);
    await writeFiles([`COPY (SELECT 7 AS a) TO '${h.lake}/empty/first.csv' (HEADER false)`]);
    expect((await run(s, 'SELECT a FROM nothing')).rows).toEqual([[7]]);
  });

  it("DLA's SerDe DDL, pasted: OpenCSVSerde and JsonSerDe over text files read as Hive reads them", async () => {
    const s = await h.session();
    await run(s, 'CREATE DATABASE dla');
    for (const d of ['people', 'clicks']) mkdirSync(path.join(h.lake, d), { recursive: true });
    writeFileSync(path.join(h.lake, 'people/000000_0'), '1,"Smith, Jane"\n2,"say \\"hi\\""\n');
    writeFileSync(path.join(h.lake, 'clicks/000000_0'), '{"id": 1, "page": "/a"}\n{"id": 2, "page": "/b"}\n');
    await run(
      s,
      `CREATE EXTERNAL TABLE dla.people (id INT, name STRING)
       ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
       WITH SERDEPROPERTIES ('separatorChar' = ',', 'quoteChar' = '"', 'escapeChar' = '\\\\')
       STORED AS TEXTFILE LOCATION '${url('people')}'`,
    );
    expect((await run(s, 'SELECT id, name FROM dla.people ORDER BY id')).rows).toEqual([
      [1, 'Smith, Jane'],
      [2, 'say "hi"'],
    ]);
    await run(
      s,
      `CREATE EXTERNAL TABLE dla.clicks (id INT, page STRING)
       ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' STORED AS TEXTFILE LOCATION '${url('clicks')}'`,
    );
    expect((await run(s, 'SELECT page FROM dla.clicks ORDER BY id')).rows).toEqual([['/a'], ['/b']]);
    const ddl = String((await run(s, 'SHOW CREATE TABLE dla.people')).rows[0]![1]);
    expect(ddl).toContain(
      "WITH SERDEPROPERTIES ('escapeChar'='\\\\', 'quoteChar'='\"', 'separatorChar'=',')",
    );
    await expect(
      run(
        s,
        `CREATE EXTERNAL TABLE dla.other (a INT) ROW FORMAT SERDE 'com.example.RegexSerDe' STORED AS TEXTFILE LOCATION '${url('people')}'`,
      ),
    ).rejects.toMatchObject({ code: 'LC_SQL_UNSUPPORTED', errno: 1235 });
    await run(s, 'DROP DATABASE dla CASCADE');
  });

  it('refuses bad DDL with clear errors and changes nothing', async () => {
    const s = await h.session(undefined, 'sales');
    await expect(
      run(s, `CREATE EXTERNAL TABLE bad (a WHATEVER) STORED AS CSV LOCATION '${url('orders')}'`),
    ).rejects.toMatchObject({
      code: 'LC_SQL_SYNTAX',
      message: expect.stringContaining("unknown column type 'WHATEVER'"),
    });
    await expect(
      run(s, "CREATE EXTERNAL TABLE bad (a INT) STORED AS CSV LOCATION 'file:///etc/'"),
    ).rejects.toMatchObject({
      errno: 1227,
    });
    await expect(
      run(s, `CREATE EXTERNAL TABLE nodb.bad (a INT) STORED AS CSV LOCATION '${url('orders')}'`),
    ).rejects.toMatchObject({
      errno: 1049,
    });
    await expect(
      run(s, `CREATE EXTERNAL TABLE orders (a INT) STORED AS CSV LOCATION '${url('orders')}'`),
    ).rejects.toMatchObject({
      errno: 1050,
    });
    expect((await run(s, 'SHOW TABLES')).rows.map((r) => r[0])).toEqual([
      'events',
      'metrics',
      'nothing',
      'orders',
    ]);
    const none = await h.session();
    await expect(run(none, 'SHOW TABLES')).rejects.toMatchObject({ errno: 1046 });
    await expect(run(none, 'USE nope')).rejects.toMatchObject({ errno: 1049 });
  });

  it('definitions come back after a restart', async () => {
    await h.restart();
    const s = await h.session(undefined, 'sales');
    expect((await run(s, 'SELECT count(*) FROM orders')).rows).toEqual([[100n]]);
    expect((await run(s, 'SELECT count(*) FROM events')).rows).toEqual([[16n]]);
  });

  it('DROP DATABASE needs CASCADE when not empty', async () => {
    const s = await h.session(undefined, 'sales');
    await expect(run(s, 'DROP DATABASE sales')).rejects.toMatchObject({ code: 'LC_CATALOG_NOT_EMPTY' });
    await run(s, 'DROP DATABASE sales CASCADE');
    expect(s.context.database).toBeNull();
    await expect(run(s, 'SELECT * FROM sales.orders')).rejects.toMatchObject({ errno: 1049 });
    await run(s, 'DROP DATABASE IF EXISTS sales');
  });
});
