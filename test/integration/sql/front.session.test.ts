import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import mysql from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../../src/mysql-protocol/types.js';
import { createSqlFront } from '../../../src/sql/index.js';
import type { SqlSession } from '../../../src/sql/types.js';
import { depsOf, type Harness, run, startHarness, writeFiles } from './harness.js';

let h: Harness;
let root: SqlSession;
const BOB = { name: 'bob', admin: false };

beforeAll(async () => {
  h = await startHarness();
  mkdirSync(path.join(h.lake, 'p'), { recursive: true });
  await writeFiles([
    `COPY (SELECT i AS id, 'name-' || i AS name, DATE '2026-01-01' + i::INT AS d FROM range(0, 3000) t(i)) TO '${h.lake}/p/p.csv' (HEADER)`,
  ]);
  root = await h.session();
  await run(root, 'CREATE DATABASE demo');
  await run(
    root,
    `CREATE EXTERNAL TABLE demo.people (id BIGINT, name STRING, d DATE) STORED AS CSV LOCATION '${pathToFileURL(path.join(h.lake, 'p')).href}' TBLPROPERTIES ('skip.header.line.count'='1')`,
  );
});
afterAll(async () => h?.close());

describe('sql front - client connect chatter', () => {
  it('answers what the mysql CLI, mysql2 and JDBC send on connect', async () => {
    const s = await h.session(undefined, 'demo');
    const v = await run(s, 'select @@version_comment limit 1');
    expect(v.columns).toEqual(['@@version_comment']);
    expect(String(v.rows[0][0])).toContain('Lakecast');
    const j = await run(
      s,
      'SELECT @@session.auto_increment_increment AS auto_increment_increment, @@character_set_client AS character_set_client, @@max_allowed_packet AS max_allowed_packet, @@lower_case_table_names AS lower_case_table_names, @@sql_mode AS sql_mode, @@transaction_isolation AS transaction_isolation',
    );
    expect(j.columns[0]).toBe('auto_increment_increment');
    expect(j.rows[0].slice(0, 2)).toEqual([1, 'utf8mb4']);
    expect(j.rows[0][3]).toBe(1);
    const d = await run(
      s,
      'SELECT DATABASE(), USER(), CURRENT_USER(), CONNECTION_ID(), VERSION(), LAST_INSERT_ID()',
    );
    expect(d.columns).toEqual([
      'DATABASE()',
      'USER()',
      'CURRENT_USER()',
      'CONNECTION_ID()',
      'VERSION()',
      'LAST_INSERT_ID()',
    ]);
    expect(d.rows[0].slice(0, 3)).toEqual(['demo', 'root@%', 'root@%']);
    expect(d.rows[0][4]).toBe('8.0.36-lakecast-test');
    for (const sql of [
      'SET NAMES utf8mb4',
      "SET NAMES 'utf8mb4' COLLATE 'utf8mb4_general_ci'",
      'SET CHARACTER SET utf8',
      'SET autocommit=0',
      "SET SESSION sql_mode = 'ANSI_QUOTES'",
      "SET @@session.time_zone = '+00:00', @x := 5",
      'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED',
      'SET net_write_timeout=600',
      'START TRANSACTION READ ONLY',
      'BEGIN',
      'COMMIT',
      'ROLLBACK',
      'SHOW WARNINGS',
    ])
      await run(s, sql);
    expect((await run(s, "SHOW VARIABLES LIKE 'sql_mode'")).rows).toEqual([['sql_mode', 'ANSI_QUOTES']]);
    expect((await run(s, 'SELECT @@autocommit, @x, @@time_zone')).rows).toEqual([[0, 5, '+00:00']]);
    expect((await run(s, 'SELECT @@tx_isolation')).rows).toEqual([['READ-COMMITTED']]);
    const w = await run(
      s,
      "SHOW SESSION VARIABLES WHERE Variable_name IN ('version', 'lower_case_table_names') OR Variable_name LIKE 'character_set_c%'",
    );
    expect(w.rows.map((r) => r[0])).toEqual([
      'character_set_client',
      'character_set_connection',
      'lower_case_table_names',
      'version',
    ]);
    expect((await run(s, "SHOW GLOBAL VARIABLES LIKE 'sql_mode'")).rows[0][1]).toContain(
      'STRICT_TRANS_TABLES',
    );
    expect((await run(s, 'SHOW STATUS LIKE "Uptime"')).rows.length).toBe(1);
    expect((await run(s, 'SHOW ENGINES')).rows[0][0]).toBe('Lakecast');
    expect((await run(s, "SHOW COLLATION LIKE 'utf8mb4%'")).rows.length).toBeGreaterThan(1);
    expect((await run(s, 'SHOW CHARACTER SET')).columns[0]).toBe('Charset');
    expect((await run(s, 'SHOW TRIGGERS')).rows).toEqual([]);
    await expect(run(s, 'SET GLOBAL max_connections = 1')).rejects.toMatchObject({ errno: 1235 });
    await expect(run(s, 'SHOW FANCY THINGS')).rejects.toMatchObject({ errno: 1235 });
  });
});

describe('sql front - users and grants', () => {
  it('creates users, grants and revokes; passwords never reach events', async () => {
    await run(root, "CREATE USER 'bob'@'%' IDENTIFIED BY 'b0b-secret'");
    await run(root, "CREATE USER IF NOT EXISTS 'bob' IDENTIFIED BY 'other'");
    await expect(run(root, "CREATE USER bob IDENTIFIED BY 'x'")).rejects.toMatchObject({ errno: 1396 });
    const bob = await h.session(BOB);
    expect((await run(bob, 'SHOW DATABASES')).rows).toEqual([]);
    await expect(run(bob, 'SELECT * FROM demo.people')).rejects.toMatchObject({ errno: 1142 });
    await run(root, 'GRANT SELECT ON demo.* TO bob');
    expect((await run(bob, 'SELECT count(*) FROM demo.people')).rows).toEqual([[3000n]]);
    const g = await run(root, "SHOW GRANTS FOR 'bob'@'%'");
    expect(g.columns).toEqual(['Grants for bob@%']);
    expect(g.rows.map((r) => r[0]).join('\n')).toContain('GRANT SELECT ON `demo`.* TO');
    expect((await run(bob, 'SHOW GRANTS')).rows.length).toBeGreaterThan(0);
    await expect(run(bob, "CREATE USER eve IDENTIFIED BY 'x'")).rejects.toMatchObject({ errno: 1227 });
    await expect(run(bob, 'GRANT SELECT ON *.* TO bob')).rejects.toMatchObject({ errno: 1227 });
    await expect(run(bob, 'CREATE DATABASE mine')).rejects.toMatchObject({ errno: 1044 });
    await expect(run(bob, 'DROP TABLE demo.people')).rejects.toMatchObject({ errno: 1044 });
    await run(bob, "ALTER USER bob IDENTIFIED BY 'n3w-secret'");
    await expect(run(root, 'GRANT INSERT ON demo.* TO bob')).rejects.toMatchObject({ errno: 1235 });
    await expect(run(root, 'GRANT SELECT ON demo.people TO bob')).rejects.toMatchObject({ errno: 1235 });
    await run(root, 'REVOKE SELECT ON demo.* FROM bob');
    await expect(run(bob, 'SELECT count(*) FROM demo.people')).rejects.toMatchObject({ errno: 1142 });
    await expect(run(root, "CREATE USER 'x' IDENTIFIED BY 'pw-in-error' garbage")).rejects.toSatisfy(
      (e: Error) => !e.message.includes('pw-in-error'),
    );
    await run(root, "DROP USER 'bob'");
    await run(root, 'DROP USER IF EXISTS bob');
    await new Promise((r) => setImmediate(r)); // statements are reported after their answer
    const text = JSON.stringify(h.events);
    for (const secret of ['b0b-secret', 'n3w-secret', 'pw-in-error', "'other'"])
      expect(text).not.toContain(secret);
    expect(text).toContain("IDENTIFIED BY '***'");
  });
});

describe('sql front - prepared statements', () => {
  it('counts placeholders, describes columns and binds parameters safely', async () => {
    const s = await h.session(undefined, 'demo');
    const p = await s.prepare("SELECT id, name FROM people WHERE name = ? AND id < ? AND '?' = '?' -- ?");
    expect(p.paramCount).toBe(2);
    expect(p.columns.map((c) => [c.name, c.type])).toEqual([
      ['id', 'BIGINT'],
      ['name', 'VARCHAR'],
    ]);
    const exec = async (sql: string, params: unknown[]) => {
      const r = await s.execute(sql, params as never, new AbortController().signal);
      if (r.kind === 'ok') return [];
      const rows: unknown[][] = [];
      for await (const b of r.batches) rows.push(...b);
      return rows;
    };
    const sql = "SELECT id, name FROM people WHERE name = ? AND id < ? AND '?' = '?' -- ?";
    expect(await exec(sql, ['name-7', 100])).toEqual([[7n, 'name-7']]);
    expect(await exec(sql, ["x' OR '1'='1", 100])).toEqual([]);
    expect(await exec('SELECT id FROM people ORDER BY id LIMIT ?, ?', [10, 2])).toEqual([[10n], [11n]]);
    await expect(exec(sql, ['only one'])).rejects.toMatchObject({ code: 'LC_SQL_BAD_PARAMS' });
    expect(await exec('SHOW TABLES LIKE ?', ['peo%'])).toEqual([['people']]);
    expect((await s.prepare('SHOW TABLES')).paramCount).toBe(0);
    await expect(s.prepare("SELECT * FROM read_csv('/etc/passwd')")).rejects.toMatchObject({
      code: 'LC_SQL_FORBIDDEN',
    });
  });
});

describe('sql front - processlist, kill, cancellation and stats', () => {
  const conn = (id: number, user: string, sql: string | null): ConnectionState => ({
    connectionId: id,
    user,
    database: 'demo',
    remoteAddress: '127.0.0.1:5000',
    tls: false,
    command: sql ? 'Query' : 'Sleep',
    currentSql: sql,
    startedAt: new Date(),
    commandStartedAt: new Date(),
  });

  it('SHOW PROCESSLIST masks passwords; non-admins see and kill only their own', async () => {
    await run(root, "CREATE USER IF NOT EXISTS carol IDENTIFIED BY 'c4rol-pw'");
    h.connections.push(
      conn(101, 'root', "CREATE USER z IDENTIFIED BY 'zzz-secret'"),
      conn(102, 'carol', null),
    );
    const all = await run(root, 'SHOW FULL PROCESSLIST');
    expect(all.columns).toEqual(['Id', 'User', 'Host', 'db', 'Command', 'Time', 'State', 'Info']);
    expect(all.rows.length).toBe(2);
    expect(JSON.stringify(all.rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(
      'zzz-secret',
    );
    const carol = await h.session({ name: 'carol', admin: false });
    expect((await run(carol, 'SHOW PROCESSLIST')).rows.map((r) => r[0])).toEqual([102n]);
    await expect(run(carol, 'KILL 101')).rejects.toMatchObject({ errno: 1094 });
    await expect(run(carol, 'KILL QUERY 999')).rejects.toMatchObject({ errno: 1094 });
    await expect(run(carol, "KILL QUERY 'q2026xyz'")).rejects.toMatchObject({ errno: 1094 });
    await run(carol, 'KILL QUERY 102');
    await run(root, 'KILL 101');
    expect(h.killed).toEqual([
      { id: 102, queryOnly: true },
      { id: 101, queryOnly: false },
    ]);
  });

  it('an aborted signal cancels the running engine query', async () => {
    const s = await h.session(undefined, 'demo');
    const ac = new AbortController();
    const started = Date.now();
    const p = run(s, 'SELECT sum(a.range * b.range) FROM range(100000000) a, range(1000) b', ac.signal);
    setTimeout(() => ac.abort(), 200);
    await expect(p).rejects.toMatchObject({ code: 'LC_CANCELLED' });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await run(s, 'SELECT 1')).rows).toEqual([[1]]);
  });

  it("the session's max_execution_time (ms) caps its queries, as in MySQL; a bad value is 1232", async () => {
    const s = await h.session(undefined, 'demo');
    await run(s, 'SET max_execution_time = 300');
    expect((await run(s, 'SELECT @@max_execution_time')).rows).toEqual([[300]]);
    const started = Date.now();
    await expect(
      run(s, 'SELECT sum(a.range * b.range) FROM range(100000000) a, range(1000) b'),
    ).rejects.toMatchObject({ code: 'LC_TIMEOUT', errno: 3024 });
    expect(Date.now() - started).toBeLessThan(10_000);
    await expect(run(s, "SET max_execution_time = 'soon'")).rejects.toMatchObject({
      code: 'LC_SQL_WRONG_TYPE_FOR_VAR',
      errno: 1232,
    });
    await run(s, 'SET SESSION max_execution_time = 0'); // 0: the server's limit again
    expect((await run(s, 'SELECT 1')).rows).toEqual([[1]]);
    // MySQL's optimizer hint sets it for one statement; MySQL's other optimizer hints stay comments.
    await expect(
      run(
        s,
        'SELECT /*+ MAX_EXECUTION_TIME(300) */ sum(a.range * b.range) FROM range(100000000) a, range(1000) b',
      ),
    ).rejects.toMatchObject({ code: 'LC_TIMEOUT' });
    expect((await run(s, 'SELECT /*+ NO_INDEX_MERGE(t) MAX_EXECUTION_TIME(60000) */ 1')).rows).toEqual([[1]]);
  });

  it('a result abandoned before its first batch releases its engine connection', async () => {
    const s = await h.session(undefined, 'demo');
    for (let i = 0; i < 12; i++) {
      const r = await s.query('SELECT * FROM people', new AbortController().signal);
      if (r.kind !== 'rows') throw new Error('expected rows');
      await r.batches[Symbol.asyncIterator]().return?.();
    }
    expect((await run(s, 'SELECT count(*) FROM people')).rows).toEqual([[3000n]]);
  });

  it('reports per-query stats (rows, scanned rows and bytes) to onQueryFinished', async () => {
    const s = await h.session(undefined, 'demo');
    await new Promise((r) => setImmediate(r)); // earlier statements' reports
    h.events.length = 0;
    await run(s, 'SELECT id FROM people WHERE id < 10');
    await expect(run(s, 'SELECT * FROM nope')).rejects.toThrow();
    await run(s, 'SHOW TABLES');
    await new Promise((r) => setImmediate(r)); // statements are reported after their answer
    const [q, bad, show] = h.events;
    expect(q).toMatchObject({ kind: 'query', ok: true, user: 'root', database: 'demo' });
    expect(q.stats.rowsReturned).toBe(10);
    expect(q.stats.scannedRows).toBeGreaterThanOrEqual(3000);
    expect(q.stats.scannedBytes).toBeGreaterThan(0);
    expect(bad).toMatchObject({ ok: false, errorCode: 'LC_CATALOG_TABLE_NOT_FOUND' });
    expect(show).toMatchObject({ kind: 'show', ok: true });
  });

  it('extensions are tried first and may decline', async () => {
    const seen: string[] = [];
    const front = createSqlFront({
      ...depsOf(h),
      extensions: [
        {
          name: 'test',
          tryHandle: async (_ctx, sql) => {
            seen.push(sql);
            return sql.startsWith('/*+ mine */') ? { kind: 'ok', info: 'handled' } : null;
          },
        },
      ],
    });
    const s = await front.openSession({
      connectionId: 900,
      user: { name: 'root', admin: true },
      database: null,
      remoteAddress: 'x',
    });
    expect(await s.query('/*+ mine */ SELECT 1', new AbortController().signal)).toEqual({
      kind: 'ok',
      info: 'handled',
    });
    expect((await run(s, 'SELECT 2')).rows).toEqual([[2]]);
    expect(seen).toEqual(['/*+ mine */ SELECT 1', 'SELECT 2']);
  });
});

describe('sql front - client-side escaped values (mysql2 query() with placeholders)', () => {
  it.each([
    "it's",
    "\\' OR 1=1 --",
    'x\\',
    "'; COPY people TO '/tmp/x.csv'; --",
    'line\nbreak\ttab',
    '名前-ünï😀',
  ])('%j round-trips as a value, never as SQL', async (value) => {
    const s = await h.session(undefined, 'demo');
    const lit = mysql.escape(value);
    expect((await run(s, `SELECT ${lit} AS v`)).rows).toEqual([[value]]);
    expect((await run(s, `SELECT count(*) FROM people WHERE name = ${lit}`)).rows).toEqual([[0n]]);
  });
});

describe('sql front - explain, describe and tool metadata', () => {
  it('EXPLAIN / DESCRIBE a query run the sandboxed query plan; table metadata statements answer', async () => {
    const s = await h.session(undefined, 'demo');
    const e = await run(s, 'EXPLAIN SELECT count(*) FROM people');
    expect(e.rows.length).toBeGreaterThan(0);
    expect((await run(s, 'EXPLAIN ANALYZE SELECT count(*) FROM people')).rows.length).toBeGreaterThan(0);
    expect((await run(s, 'DESCRIBE SELECT id FROM people')).rows.length).toBeGreaterThan(0);
    await expect(run(s, "EXPLAIN SELECT * FROM read_csv('/etc/passwd')")).rejects.toMatchObject({
      code: 'LC_SQL_FORBIDDEN',
    });
    expect((await run(s, 'EXPLAIN people')).rows.map((r) => r[0])).toEqual(['id', 'name', 'd']);
    expect((await run(s, 'DESC people name')).rows.map((r) => r[0])).toEqual(['name']);
    const st = await run(s, "SHOW TABLE STATUS LIKE 'peo%'");
    expect(st.rows.map((r) => [r[0], r[3]])).toEqual([['people', 'CSV']]);
    expect((await run(s, 'SHOW INDEX FROM people')).rows).toEqual([]);
    await expect(run(s, 'SHOW INDEX FROM nope')).rejects.toMatchObject({ errno: 1146 });
  });

  it('hostile names and injection attempts never reach the engine as SQL', async () => {
    const s = await h.session(undefined, 'demo');
    for (const sql of [
      'USE `demo; DROP TABLE people`',
      "SHOW TABLES FROM `x'; ATTACH '/tmp/x`",
      "DESCRIBE `people\"; COPY people TO '/tmp/x.csv'; --`",
      'CREATE DATABASE `a"b`',
      `CREATE DATABASE ${'z'.repeat(1_000_000)}`,
      'DROP TABLE `people`; DROP DATABASE demo',
      'KILL 1; SELECT 1',
      "SET @x = 1; COPY people TO '/tmp/x'",
    ])
      await expect(run(s, sql), sql).rejects.toMatchObject({ errno: expect.any(Number) });
    expect((await run(s, 'SELECT count(*) FROM people')).rows).toEqual([[3000n]]);
    expect((await run(s, 'SHOW DATABASES')).rows).toEqual([['demo']]);
  });
});
