import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import mysql from 'mysql2/promise';
import { expect, it } from 'vitest';
import { startServerProcess } from '../../helpers/server-process.js';
import { tempDir } from '../../helpers/tmp.js';

const PASSWORD = 'kill9-pw';
/** Runs a few seconds on the executor thread's engine (one task at a time on this server). */
const SLOW = 'SELECT count(*) AS n FROM range(60000000) a WHERE a.range % 7 = 3';

type Row = Record<string, unknown>;

async function show(conn: Connection, id: string): Promise<Row> {
  const [rows] = await conn.query(`show query_task where id = '${id}'`);
  return (rows as Row[])[0]!;
}

async function submit(conn: Connection, sql: string): Promise<string> {
  const [rows] = await conn.query(`/*+ run-async=true */ ${sql}`);
  return String((rows as Row[])[0]!.ASYNC_TASK_ID);
}

it('kill -9 of lakecast serve while the executor thread runs a task - after restart it runs again under the same id, queued ones run, none stuck', async () => {
  const { dir, cleanup } = tempDir('lakecast-srv-kill9-');
  const dataDir = path.join(dir, 'data');
  const config = { tasks: { concurrency: 1 } };
  const connect = (port: number) =>
    mysql.createConnection({ host: '127.0.0.1', port, user: 'root', password: PASSWORD });
  let server = await startServerProcess({ dataDir, password: PASSWORD, config });
  try {
    let conn = await connect(server.mysqlPort);
    const slow = await submit(conn, SLOW);
    const queued = [await submit(conn, 'SELECT 1 AS a'), await submit(conn, 'SELECT 2 AS b')];
    for (let i = 0; i < 200 && (await show(conn, slow)).status !== 'RUNNING'; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect((await show(conn, slow)).status).toBe('RUNNING');
    expect((await show(conn, queued[0]!)).status).toBe('QUEUED');
    await conn.end().catch(() => undefined);
    const exited = new Promise((r) => server.child.once('exit', r));
    server.child.kill('SIGKILL');
    await exited;

    server = await startServerProcess({ dataDir, password: PASSWORD, config });
    conn = await connect(server.mysqlPort);
    const final: Record<string, Row> = {};
    for (const id of [slow, ...queued]) {
      for (let i = 0; i < 1200; i++) {
        const row = await show(conn, id);
        if (['SUCCESS', 'FAILURE', 'CANCELLED'].includes(String(row.status))) {
          final[id] = row;
          break;
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    expect(final[slow]).toMatchObject({ status: 'SUCCESS', attempts: 2, row_count: 1 });
    for (const id of queued) expect(final[id]).toMatchObject({ status: 'SUCCESS', attempts: 1 });
    const [stuck] = await conn.query("show query_task where status in ('QUEUED', 'RUNNING')");
    expect(stuck).toEqual([]);
    // The interrupted attempt left no partial file: each task folder holds its one result.
    const file = String(final[slow]!.result_file_oss_file);
    const folder = path.dirname(new URL(file).pathname);
    expect(existsSync(new URL(file).pathname)).toBe(true);
    expect(readdirSync(folder)).toEqual(['result.csv']);
    await conn.end();
  } finally {
    await server.stop();
    cleanup();
  }
});
