/** The composition root wires the engine's Parquet writer: output-format=parquet works over the MySQL protocol. */
import { DuckDBInstance } from '@duckdb/node-api';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ROOT_PASSWORD, type TestServer } from '../../helpers/server.js';

describe('server - output-format=parquet over the MySQL protocol', () => {
  let server: TestServer;
  let conn: mysql.Connection;
  beforeAll(async () => {
    server = await startTestServer();
    conn = await mysql.createConnection({
      host: '127.0.0.1',
      port: server.mysqlPort,
      user: 'root',
      password: TEST_ROOT_PASSWORD,
    });
  });
  afterAll(async () => {
    await conn?.end();
    await server?.stop();
  });

  it('parquet - the task ends SUCCESS and result.parquet holds the rows with their types', async () => {
    const [rows] = await conn.query(
      "/*+ run-async=true, output-format=parquet */ select 42::INTEGER as n, 'x' as s, 1.5::DECIMAL(4,1) as d",
    );
    const id = (rows as { ASYNC_TASK_ID: string }[])[0]!.ASYNC_TASK_ID;
    let task: Record<string, unknown> = {};
    for (let i = 0; i < 500; i++) {
      const [r] = await conn.query(`show query_task where id = '${id}'`);
      task = (r as Record<string, unknown>[])[0]!;
      if (task.status === 'SUCCESS' || task.status === 'FAILURE') break;
      await new Promise((res) => setTimeout(res, 10));
    }
    expect(task.message).toBeNull();
    expect(task.status).toBe('SUCCESS');
    expect(String(task.result_file_oss_file)).toMatch(/\/result\.parquet$/);
    const file = new URL(String(task.result_file_oss_file)).pathname;
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      const r = await c.runAndReadAll(`SELECT n, s, d::VARCHAR FROM read_parquet('${file}')`);
      expect(r.getRows()).toEqual([[42, 'x', '1.5']]);
      const d = await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
      expect(d.getRows().map((x) => String(x[1]))).toEqual(['INTEGER', 'VARCHAR', 'DECIMAL(4,1)']);
    } finally {
      c.closeSync();
      db.closeSync();
    }
  });
});
