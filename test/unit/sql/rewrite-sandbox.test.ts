import { describe, expect, it } from 'vitest';
import { type RewriteValues, rewriteQuery } from '../../../src/sql/rewrite.js';
import { checkAnalysis, checkTableName, isDeniedFunction } from '../../../src/sql/sandbox.js';
import { tokenize } from '../../../src/sql/tokenizer.js';

const values: RewriteValues = {
  systemVariable: (n) =>
    ({
      version_comment: 'Lakecast',
      max_allowed_packet: '67108864',
      'session.tx_isolation': 'REPEATABLE-READ',
    })[n] ?? null,
  userVariable: (n) => (n === 'x' ? "it's" : null),
  database: 'demo',
  user: 'alice',
  connectionId: 7,
  serverVersion: '8.0.36-lakecast',
};

const rw = (sql: string) => rewriteQuery(sql, tokenize(sql).tokens, values);

describe('sql rewrite', () => {
  it.each([
    ['SELECT @@version_comment LIMIT 1', `SELECT 'Lakecast' AS "@@version_comment" LIMIT 1`],
    ['select DATABASE(), USER()', `select 'demo' AS "DATABASE()", 'alice@%' AS "USER()"`],
    ['SELECT @@max_allowed_packet AS m', 'SELECT 67108864 AS m'],
    ['SELECT CONNECTION_ID() + 1', 'SELECT 7 + 1'],
    ['SELECT @@unknown_var', 'SELECT NULL AS "@@unknown_var"'],
    ['SELECT @x, @y', `SELECT 'it''s' AS "@x", NULL AS "@y"`],
    ['SELECT a FROM t WHERE b IN (DATABASE(), SCHEMA())', "SELECT a FROM t WHERE b IN ('demo', 'demo')"],
    ['SELECT `a b` FROM `db`.`t` LIMIT 10, 5', 'SELECT "a b" FROM "db"."t" LIMIT 5 OFFSET 10'],
    ['SELECT a FROM t LIMIT ?, ?', 'SELECT a FROM t LIMIT $2 OFFSET $1'],
    ['SELECT version(), t.database() FROM t', `SELECT '8.0.36-lakecast' AS "version()", t.database() FROM t`],
    ['SELECT \'@@version_comment\', "DATABASE()"', 'SELECT \'@@version_comment\', "DATABASE()"'],
    ["SELECT 'it\\'s', 'a\\\\b', 'line\\n'", "SELECT 'it''s', 'a\\b', 'line\n'"],
    ["SELECT 'x' -- trailing comment", "SELECT 'x'"],
    ["# leading\nSELECT 1, '#not', `#c` # trailing", '-- leading\nSELECT 1, \'#not\', "#c"'],
    ['SELECT /* a # b */ 1 # x\n, 2', 'SELECT /* a -- b */ 1 -- x\n, 2'],
    ['SELECT count(*), COUNT(*) AS n FROM t', 'SELECT count(*) AS "count(*)", COUNT(*) AS n FROM t'],
    [
      'SELECT (SELECT count(*) FROM t), count(*) + 1 FROM t',
      'SELECT (SELECT count(*) FROM t), count(*) + 1 FROM t',
    ],
  ])('%s', (sql, want) => {
    expect(rw(sql)).toBe(want);
  });
});

const analysis = (over: Partial<Parameters<typeof checkAnalysis>[0]>) => ({
  statementCount: 1,
  isQuery: true,
  tables: [],
  tableFunctions: [],
  functions: [],
  ...over,
});

describe('sql sandbox policy (pure part)', () => {
  it.each([
    'read_csv',
    'read_text',
    'read_blob',
    'read_parquet',
    'parquet_metadata',
    'glob',
    'sniff_csv',
    'query',
    'query_table',
    'getenv',
    'current_setting',
    'duckdb_settings',
    'pragma_version',
    'json_execute_serialized_sql',
    'system.main.upper',
    'sqlite_scan',
    'which_secret',
  ])('refuses function %s', (fn) => {
    expect(isDeniedFunction(fn)).toBe(true);
    expect(() => checkAnalysis(analysis({ functions: [fn] }))).toThrow(
      expect.objectContaining({ code: 'LC_SQL_FORBIDDEN' }),
    );
  });

  it.each([
    'upper',
    'sum',
    'count_star',
    'date_trunc',
    'strftime',
    'list_value',
    'main.lower',
    'regexp_matches',
    'percentile_cont',
  ])('allows function %s', (fn) => {
    expect(isDeniedFunction(fn)).toBe(false);
  });

  it('allows only generator table functions', () => {
    expect(() =>
      checkAnalysis(analysis({ tableFunctions: ['range', 'generate_series', 'unnest'] })),
    ).not.toThrow();
    for (const fn of ['read_csv_auto', 'duckdb_tables', 'pragma_table_info', 'parquet_scan', 'glob'])
      expect(() => checkAnalysis(analysis({ tableFunctions: [fn] }))).toThrow(/Table function/);
  });

  it('refuses several statements and non-queries', () => {
    expect(() => checkAnalysis(analysis({ statementCount: 2 }))).toThrow(/Multiple statements/);
    expect(() => checkAnalysis(analysis({ isQuery: false }))).toThrow(
      expect.objectContaining({ errno: 1227 }),
    );
  });

  it.each([
    [null, '/etc/passwd'],
    [null, 'data.csv'],
    [null, '~/x'],
    [null, 's3://bucket/x'],
    ['information_schema', 'tables'],
    ['pg_catalog', 'pg_class'],
    ['system.main', 'x'],
    ['lake.demo', 'x'],
    [null, 'duckdb_settings'],
    ['main', 't'],
  ])('refuses table %s.%s', (schema, name) => {
    expect(() => checkTableName(schema, name)).toThrow(expect.objectContaining({ code: 'LC_SQL_FORBIDDEN' }));
  });

  it('lets ordinary names through to the catalog lookup', () => {
    expect(() => checkTableName('demo', 'orders')).not.toThrow();
    expect(() => checkTableName(null, 'orders_2026')).not.toThrow();
  });
});
