import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMysql, startTestServer, type TestServer } from '../../helpers/server.js';

describe('server - mysql2 driver', () => {
  let server: TestServer;
  let conn: mysql.Connection;

  beforeAll(async () => {
    server = await startTestServer({ demo: true });
    conn = await connectMysql(server, { database: 'demo', supportBigNumbers: true });
  });
  afterAll(async () => {
    await conn?.end();
    await server?.stop();
  });

  it('query returns typed values', async () => {
    const [rows] = await conn.query(
      'SELECT order_id, amount, order_date, status FROM orders WHERE order_id = 7',
    );
    const row = (rows as Record<string, unknown>[])[0];
    expect(Number(row.order_id)).toBe(7);
    expect(typeof row.amount).toBe('string');
    expect(row.order_date).toBeInstanceOf(Date);
    expect(typeof row.status).toBe('string');
  });

  it('execute (prepared statement) binds parameters safely', async () => {
    const [rows] = await conn.execute('SELECT id, name FROM test_table1 WHERE id = ? OR name = ?', [
      2,
      "x' OR '1'='1",
    ]);
    expect(rows).toEqual([{ id: 2, name: 'data lake analytics' }]);
  });

  it('execute - a placeholder-typed column (SELECT ? AS a) is described as text and answered typed', async () => {
    const [rows] = await conn.execute('SELECT ? AS a, ? + 1 AS b', [5, 6]);
    expect(rows).toEqual([{ a: 5, b: 7 }]);
  });

  it('execute with hints - run-async submits (parameters bound into the command); a bad hint fails', async () => {
    const [submitted] = await conn.execute('/*+ run-async=true */ SELECT ? AS a, ? AS s FROM test_table1', [
      7,
      "it's",
    ]);
    const id = (submitted as { ASYNC_TASK_ID: string }[])[0]!.ASYNC_TASK_ID;
    expect(id).toMatch(/^q\d{12}/);
    let task: Record<string, unknown> = {};
    for (let i = 0; i < 100 && task.status !== 'SUCCESS'; i++) {
      const [rows] = await conn.query(`SHOW QUERY_TASK WHERE id = '${id}'`);
      task = (rows as Record<string, unknown>[])[0]!;
      if (task.status !== 'SUCCESS') await new Promise((r) => setTimeout(r, 50));
    }
    expect(task).toMatchObject({ status: 'SUCCESS', row_count: 2 });
    expect(task.command).toBe("/*+ run-async=true */ SELECT 7 AS a, 'it''s' AS s FROM test_table1");
    await expect(conn.execute('/*+ run-async=true, bogus=1 */ SELECT ?', [1])).rejects.toMatchObject({
      errno: 1064,
      message: "Unknown hint 'bogus'",
    });
  });

  it('users, grants and the per-schema sandbox', async () => {
    await conn.query("CREATE USER 'analyst' IDENTIFIED BY 'analyst-pw'");
    const analyst = await connectMysql(server, { user: 'analyst', password: 'analyst-pw' });
    try {
      await expect(analyst.query('SELECT count(*) FROM demo.orders')).rejects.toMatchObject({
        errno: expect.any(Number),
      });
      await conn.query("GRANT SELECT ON demo.* TO 'analyst'");
      const [rows] = await analyst.query('SELECT count(*) AS n FROM demo.orders');
      expect(Number((rows as { n: unknown }[])[0].n)).toBe(200000);
      await expect(analyst.query("CREATE USER 'x' IDENTIFIED BY 'y'")).rejects.toMatchObject({ errno: 1227 });
    } finally {
      await analyst.end();
    }
    await expect(connectMysql(server, { user: 'analyst', password: 'wrong' })).rejects.toMatchObject({
      errno: 1045,
    });
  });

  it('a client that disconnects cancels its running query and the server keeps serving', async () => {
    const victim = await connectMysql(server);
    const victimId = victim.threadId;
    victim.query('SELECT count(*) FROM range(100000000000) a').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    victim.destroy();
    // The connection (and its engine query) must disappear from the process list soon after the client left.
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) {
      const [list] = await conn.query('SHOW PROCESSLIST');
      gone = !(list as { Id: number }[]).some((row) => Number(row.Id) === victimId);
      if (!gone) await new Promise((r) => setTimeout(r, 100));
    }
    expect(gone).toBe(true);
    const started = Date.now();
    const [rows] = await conn.query('SELECT 1 AS one');
    expect(rows).toEqual([{ one: 1 }]);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
