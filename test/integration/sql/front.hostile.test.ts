import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlSession } from '../../../src/sql/types.js';
import { type Harness, run, startHarness } from './harness.js';

let h: Harness;
let root: SqlSession;

beforeAll(async () => {
  h = await startHarness();
  root = await h.session();
  await run(root, 'CREATE DATABASE demo');
});
afterAll(async () => h?.close());

const MB = 'a'.repeat(1024 * 1024);

/** [statement, expected error code] — every statement family, malformed or hostile. */
const CASES: [string, string][] = [
  // session
  ['SET', 'LC_SQL_SYNTAX'],
  ['SET x', 'LC_SQL_SYNTAX'],
  ['SET x =', 'LC_SQL_SYNTAX'],
  ['SET NAMES', 'LC_SQL_SYNTAX'],
  ['SET @@global.memory_limit = 1', 'LC_SQL_FORBIDDEN'],
  ['SET TRANSACTION ISOLATION LEVEL CHAOS', 'LC_SQL_SYNTAX'],
  ['USE', 'LC_SQL_SYNTAX'],
  ['USE a b', 'LC_SQL_SYNTAX'],
  [`USE ${MB}`, 'LC_CATALOG_INVALID_SCHEMA_NAME'],
  ['USE `../../etc`', 'LC_CATALOG_INVALID_SCHEMA_NAME'],
  ['USE information_schema', 'LC_CATALOG_SCHEMA_NOT_FOUND'],
  ['KILL', 'LC_SQL_SYNTAX'],
  ['KILL -1', 'LC_SQL_SYNTAX'],
  ['KILL 99999999999999999999999', 'LC_SQL_UNKNOWN_THREAD'],
  ['KILL QUERY abc', 'LC_SQL_SYNTAX'],
  // SHOW
  ['SHOW', 'LC_SQL_SYNTAX'],
  ['SHOW VARIABLES LIKE', 'LC_SQL_SYNTAX'],
  ["SHOW VARIABLES WHERE Value = 'x' AND", 'LC_SQL_SYNTAX'],
  ["SHOW VARIABLES WHERE (Variable_name = 'x'", 'LC_SQL_SYNTAX'],
  ['SHOW VARIABLES WHERE Variable_name > 3', 'LC_SQL_SYNTAX'],
  ['SHOW TABLES FROM', 'LC_SQL_SYNTAX'],
  ['SHOW TABLES FROM nope', 'LC_CATALOG_SCHEMA_NOT_FOUND'],
  ['SHOW COLUMNS FROM demo.nope', 'LC_CATALOG_TABLE_NOT_FOUND'],
  ['SHOW CREATE TABLE', 'LC_SQL_SYNTAX'],
  ['SHOW CREATE PROCEDURE p', 'LC_SQL_SYNTAX'],
  ['SHOW PARTITIONS', 'LC_SQL_SYNTAX'],
  ['SHOW GRANTS FOR', 'LC_SQL_SYNTAX'],
  ['DESCRIBE', 'LC_SQL_SYNTAX'],
  // databases and tables
  ['CREATE DATABASE', 'LC_SQL_SYNTAX'],
  ["CREATE DATABASE `x'; DROP`", 'LC_CATALOG_INVALID_SCHEMA_NAME'],
  ['CREATE DATABASE `a/b`', 'LC_CATALOG_INVALID_SCHEMA_NAME'],
  [`CREATE DATABASE ${MB}`, 'LC_CATALOG_INVALID_SCHEMA_NAME'],
  ['CREATE DATABASE main', 'LC_CATALOG_INVALID_SCHEMA_NAME'],
  ['CREATE DATABASE x COMMENT', 'LC_SQL_SYNTAX'],
  ['CREATE DATABASE x y', 'LC_SQL_SYNTAX'],
  ['DROP DATABASE', 'LC_SQL_SYNTAX'],
  ['DROP DATABASE nope', 'LC_CATALOG_DROP_SCHEMA_NOT_FOUND'],
  ['DROP TABLE demo.nope', 'LC_CATALOG_TABLE_NOT_FOUND'],
  ['DROP TABLE nope.t', 'LC_CATALOG_SCHEMA_NOT_FOUND'],
  ['CREATE EXTERNAL TABLE demo.t', 'LC_SQL_SYNTAX'],
  ['CREATE EXTERNAL TABLE demo.t ()', 'LC_SQL_SYNTAX'],
  [
    "CREATE EXTERNAL TABLE demo.t (a INT) STORED AS CSV LOCATION 'file:///etc/'",
    'LC_STORAGE_LOCATION_FORBIDDEN',
  ],
  [
    "CREATE EXTERNAL TABLE demo.t (a INT) STORED AS CSV LOCATION 'file:///../../etc/'",
    'LC_STORAGE_LOCATION_FORBIDDEN',
  ],
  ["CREATE EXTERNAL TABLE demo.t (a INT) STORED AS CSV LOCATION 'http://x/'", 'LC_SQL_SYNTAX'],
  ["CREATE EXTERNAL TABLE demo.t (a DECIMAL(99,1)) STORED AS CSV LOCATION 'file:///x'", 'LC_SQL_SYNTAX'],
  [
    "CREATE EXTERNAL TABLE demo.t (a INT) STORED AS CSV LOCATION 'file:///x' TBLPROPERTIES ('a')",
    'LC_SQL_SYNTAX',
  ],
  ['MSCK REPAIR TABLE', 'LC_SQL_SYNTAX'],
  ['MSCK REPAIR TABLE demo.nope', 'LC_CATALOG_TABLE_NOT_FOUND'],
  // users
  ['CREATE USER', 'LC_SQL_SYNTAX'],
  ["CREATE USER 'u'", 'LC_SQL_SYNTAX'],
  ["CREATE USER 'u' IDENTIFIED BY", 'LC_SQL_SYNTAX'],
  ["CREATE USER 'u' IDENTIFIED WITH sha256_password BY 'p'", 'LC_SQL_SYNTAX'],
  ["CREATE USER 'u'@'h'@'x' IDENTIFIED BY 'p'", 'LC_SQL_SYNTAX'],
  ["CREATE USER 'a''b' IDENTIFIED BY 'p'", 'LC_CATALOG_INVALID_USER_NAME'],
  [`CREATE USER '${MB}' IDENTIFIED BY 'p'`, 'LC_CATALOG_INVALID_USER_NAME'],
  ["CREATE USER 'u' IDENTIFIED BY ''", 'LC_AUTH_INVALID_PASSWORD'],
  ["ALTER USER nobody IDENTIFIED BY 'p'", 'LC_CATALOG_USER_NOT_FOUND'],
  ['DROP USER root', 'LC_AUTH_PROTECTED_USER'],
  ['DROP USER nobody', 'LC_CATALOG_USER_NOT_FOUND'],
  ['GRANT', 'LC_SQL_SYNTAX'],
  ['GRANT SELECT ON', 'LC_SQL_SYNTAX'],
  ['GRANT SELECT ON demo.* TO', 'LC_SQL_SYNTAX'],
  ['GRANT SELECT ON demo TO root', 'LC_SQL_SYNTAX'],
  ['GRANT SELECT ON a.b.c TO root', 'LC_SQL_UNSUPPORTED'],
  ['GRANT SELECT ON demo.* TO nobody', 'LC_CATALOG_USER_NOT_FOUND'],
  ['GRANT SELECT ON `x/y`.* TO root', 'LC_CATALOG_INVALID_SCHEMA_NAME'],
  ['GRANT SELECT ON demo.* TO root WITH GRANT OPTION', 'LC_SQL_UNSUPPORTED'],
  ['REVOKE SELECT ON demo.* TO root', 'LC_SQL_SYNTAX'],
  // anything else
  ['FROBNICATE everything', 'LC_SQL_SYNTAX'],
  ['123', 'LC_SQL_SYNTAX'],
  ["'just a string'", 'LC_SQL_SYNTAX'],
  [`SELECT '${MB}`, 'LC_SQL_SYNTAX'],
  ['   ', 'LC_SQL_SYNTAX'],
];

describe('sql front - malformed and hostile statements', () => {
  it.each(
    CASES.map(([sql, code]) => [
      sql.length > 200 ? `${sql.slice(0, 60)}… (${sql.length} chars)` : sql,
      sql,
      code,
    ]),
  )('%s', async (_label, sql, code) => {
    const err = await run(root, sql).then(
      () => null,
      (e) => e,
    );
    expect(err, sql.slice(0, 100)).toMatchObject({ code });
    expect(err.message.length).toBeLessThan(400);
    expect(err.errno).toBeGreaterThan(1000);
  });

  it('keeps serving after all of the above', async () => {
    expect((await run(root, 'SELECT 42')).rows).toEqual([[42]]);
    expect((await run(root, 'SHOW DATABASES')).rows).toEqual([['demo']]);
  });
});
