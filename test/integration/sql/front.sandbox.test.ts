import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlSession } from '../../../src/sql/types.js';
import { type Harness, run, startHarness, writeFiles } from './harness.js';

let h: Harness;
let root: SqlSession;
let bob: SqlSession;

beforeAll(async () => {
  h = await startHarness();
  mkdirSync(path.join(h.lake, 't'), { recursive: true });
  mkdirSync(path.join(h.lake, 's'), { recursive: true });
  await writeFiles([
    `COPY (SELECT i AS id, 'n' || i AS name FROM range(0, 50) t(i)) TO '${h.lake}/t/t.parquet' (FORMAT PARQUET)`,
    `COPY (SELECT 42 AS secret) TO '${h.lake}/s/s.parquet' (FORMAT PARQUET)`,
  ]);
  root = await h.session();
  await run(root, 'CREATE DATABASE demo');
  await run(root, 'CREATE DATABASE private');
  await run(
    root,
    `CREATE EXTERNAL TABLE demo.t (id BIGINT, name STRING) STORED AS PARQUET LOCATION '${pathToFileURL(path.join(h.lake, 't')).href}'`,
  );
  await run(
    root,
    `CREATE EXTERNAL TABLE private.s (secret INT) STORED AS PARQUET LOCATION '${pathToFileURL(path.join(h.lake, 's')).href}'`,
  );
  await run(root, "CREATE USER 'bob' IDENTIFIED BY 'bob-pw'");
  await run(root, 'GRANT SELECT ON demo.* TO bob');
  bob = await h.session({ name: 'bob', admin: false }, 'demo');
});
afterAll(async () => h?.close());

const FORBIDDEN: string[] = [
  "SELECT * FROM read_csv('/etc/passwd')",
  "SELECT * FROM read_csv_auto('/etc/passwd')",
  "SELECT * FROM read_text('/etc/passwd')",
  "SELECT * FROM read_blob('/etc/hostname')",
  "SELECT * FROM read_parquet('/tmp/*.parquet')",
  "SELECT * FROM read_json_auto('/etc/x.json')",
  "SELECT * FROM parquet_metadata('/tmp/x.parquet')",
  "SELECT * FROM glob('/*')",
  "SELECT * FROM sniff_csv('/etc/passwd')",
  "SELECT * FROM '/etc/passwd'",
  'SELECT * FROM "/etc/passwd"',
  "SELECT * FROM 'data.csv'",
  "SELECT getenv('HOME')",
  "SELECT current_setting('memory_limit')",
  "SELECT * FROM query('SELECT 1')",
  "SELECT * FROM query_table('t')",
  'SELECT * FROM duckdb_settings()',
  'SELECT * FROM duckdb_tables',
  'SELECT * FROM information_schema.tables',
  'SELECT * FROM pg_catalog.pg_class',
  'SELECT * FROM main.t',
  'SELECT * FROM system.main.duckdb_settings',
  'SELECT * FROM pragma_version()',
  "SELECT (SELECT count(*) FROM read_csv('/etc/passwd')) AS n",
  "WITH x AS (SELECT * FROM read_text('/etc/passwd')) SELECT * FROM x",
  "SELECT json_execute_serialized_sql(json_serialize_sql('SELECT 1'))",
  "COPY t TO '/tmp/out.csv'",
  "COPY (SELECT 1) TO '/tmp/x.csv'",
  "ATTACH '/tmp/x.db' AS x",
  'DETACH x',
  'INSTALL httpfs',
  'LOAD httpfs',
  "PRAGMA memory_limit='1TB'",
  'CALL pragma_version()',
  "EXPORT DATABASE '/tmp/x'",
  "IMPORT DATABASE '/tmp/x'",
  'CHECKPOINT',
  'SET enable_external_access = true',
  "SET memory_limit = '100GB'",
  "SET allowed_directories = ['/']",
  'SET VARIABLE x = 1',
  'RESET memory_limit',
  'CREATE TABLE x AS SELECT 1',
  'CREATE VIEW v AS SELECT 1',
  'CREATE MACRO m(a) AS a',
  "CREATE SECRET s (TYPE S3, KEY_ID 'x', SECRET 'y')",
  'CREATE SEQUENCE s',
  'INSERT INTO t VALUES (1)',
  'UPDATE t SET id = 1',
  'DELETE FROM t',
  'ALTER TABLE t ADD COLUMN x INT',
  'DROP VIEW t',
  'DROP SECRET s',
  'SELECT 1; SELECT 2',
  'SELECT 1; DROP TABLE t',
  'VACUUM',
  'SUMMARIZE t',
];

const ALLOWED: [string, unknown[][]][] = [
  ['SELECT 1 + 1 AS two', [[2]]],
  ['SELECT count(*) FROM t', [[50n]]],
  ['SELECT count(*) FROM demo.t', [[50n]]],
  ['SELECT count(*) FROM "demo"."t"', [[50n]]],
  ['SELECT count(*) FROM `demo`.`t`', [[50n]]],
  ['WITH x AS (SELECT id FROM t WHERE id < 5) SELECT count(*) FROM x', [[5n]]],
  ['WITH t AS (SELECT 1 AS id) SELECT * FROM t', [[1]]],
  ['SELECT count(*) FROM (SELECT * FROM t) sub', [[50n]]],
  ['SELECT id FROM t WHERE id < 2 UNION ALL SELECT id FROM t WHERE id = 49 ORDER BY id', [[0n], [1n], [49n]]],
  ['VALUES (1, 2)', [[1, 2]]],
  ['SELECT sum(range) FROM range(5)', [[10n]]],
  ['SELECT count(*) FROM generate_series(1, 3)', [[3n]]],
  ['SELECT unnest([1, 2])', [[1], [2]]],
  ['SELECT upper(name), length(name) FROM t WHERE id = 3', [['N3', 2n]]],
  ["SELECT strftime(DATE '2026-11-22', '%Y') AS y", [['2026']]],
  ['FROM t SELECT count(*)', [[50n]]],
  ['SELECT id FROM t ORDER BY id DESC LIMIT 1;', [[49n]]],
  ['# a MySQL comment\nSELECT 7 # another', [[7]]],
  ["SELECT 'it\\'s' AS v -- escaped quote", [["it's"]]],
];

describe('sql front - sandbox over the real engine', () => {
  it.each(FORBIDDEN)('refuses %s', async (sql) => {
    const err = await run(bob, sql).then(
      () => null,
      (e) => e,
    );
    expect(err, sql).toMatchObject({ code: 'LC_SQL_FORBIDDEN', errno: 1227, sqlState: '42000' });
    expect(err.message.length).toBeGreaterThan(10);
    // The admin is sandboxed exactly the same way.
    await expect(run(root, sql)).rejects.toMatchObject({ code: 'LC_SQL_FORBIDDEN' });
  });

  it.each(ALLOWED)('allows %s', async (sql, rows) => {
    expect((await run(bob, sql)).rows).toEqual(rows);
  });

  it('refuses ungranted schemas (1142) and unknown ones (1146 / 1049)', async () => {
    await expect(run(bob, 'SELECT * FROM private.s')).rejects.toMatchObject({
      code: 'LC_SQL_TABLE_ACCESS_DENIED',
      errno: 1142,
    });
    await expect(run(bob, 'SELECT * FROM t JOIN private.s ON true')).rejects.toMatchObject({ errno: 1142 });
    await expect(run(bob, 'USE private')).rejects.toMatchObject({ errno: 1044 });
    await expect(run(bob, 'SHOW TABLES FROM private')).rejects.toMatchObject({ errno: 1044 });
    await expect(run(bob, 'SELECT * FROM nope')).rejects.toMatchObject({ errno: 1146 });
    await expect(run(bob, 'SELECT * FROM nodb.t')).rejects.toMatchObject({ errno: 1049 });
    expect((await run(bob, 'SHOW DATABASES')).rows).toEqual([['demo']]);
    expect((await run(root, 'SELECT secret FROM private.s')).rows).toEqual([[42]]);
  });

  it('garbage SQL gets a syntax error and the session keeps working', async () => {
    for (const sql of [
      'SELEC 1',
      'SELECT FROM WHERE',
      "SELECT 'unterminated",
      ')))',
      'SELECT 1 /* open',
      '\u0000',
    ])
      await expect(run(bob, sql)).rejects.toMatchObject({ errno: 1064 });
    await expect(run(bob, '')).rejects.toMatchObject({ errno: 1064 });
    expect((await run(bob, '/* only a comment */')).result).toMatchObject({ kind: 'ok' });
    expect((await run(bob, '# mysql -c sends comment lines alone')).result).toMatchObject({ kind: 'ok' });
    expect((await run(bob, 'SELECT 1')).rows).toEqual([[1]]);
  });

  it('prepareUserQuery applies the same sandbox and rewrites for other capabilities', async () => {
    const p = await h.front.prepareUserQuery(bob.context, 'SELECT `id` FROM t LIMIT 1');
    expect(p.engineSql).toBe('SELECT "id" FROM t LIMIT 1');
    expect(p.tables.map((t) => `${t.schema}.${t.name}`)).toEqual(['demo.t']);
    expect(p.scans).toBe(true);
    expect((await h.front.prepareUserQuery(bob.context, 'SELECT 1 + 2, now()')).scans).toBe(false);
    expect((await h.front.prepareUserQuery(bob.context, 'SELECT * FROM range(3)')).scans).toBe(true);
    await expect(
      h.front.prepareUserQuery(bob.context, "SELECT * FROM read_csv('/etc/passwd')"),
    ).rejects.toMatchObject({
      code: 'LC_SQL_FORBIDDEN',
    });
    await expect(h.front.prepareUserQuery(bob.context, 'SHOW TABLES')).rejects.toMatchObject({
      code: 'LC_SQL_FORBIDDEN',
    });
  });
});
