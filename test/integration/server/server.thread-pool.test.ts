import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { expect, it } from 'vitest';
import { ensureCompiled } from '../../helpers/compiled.js';
import { startServerProcess } from '../../helpers/server-process.js';
import { tempDir } from '../../helpers/tmp.js';

const PASSWORD = 'pool-pw';
/** Runs for minutes unless killed; each holds a thread of libuv's pool while it runs. */
const LONG = (k: number) => `SELECT count(*) AS n FROM range(1000000000000) t(x) WHERE x % 7919 = ${k}`;

type Row = Record<string, unknown>;

/** Each thread's nice value of process `pid` (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNices(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(Number(tid), Number(fields[16]));
  }
  return out;
}

/** Fails instead of hanging when `p` does not settle within `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms),
    ),
  ]);
}

it('the lakecast command sizes libuv thread pool: with 8 long async tasks and 4 long sync queries running, a submit, SELECT 1 and SHOW QUERY_TASK still answer', async () => {
  ensureCompiled();
  const { dir, cleanup } = tempDir('lakecast-pool-');
  // As users start it: bin/lakecast.cjs, with no UV_THREADPOOL_SIZE in the environment (libuv's default is 4
  // threads, which 4 long queries held entirely: the next commit's flush, and so every submit, waited for them).
  const saved = process.env.UV_THREADPOOL_SIZE;
  delete process.env.UV_THREADPOOL_SIZE;
  const server = await startServerProcess({
    dataDir: path.join(dir, 'data'),
    password: PASSWORD,
    compiled: true,
  });
  if (saved !== undefined) process.env.UV_THREADPOOL_SIZE = saved;
  // eventLoopNice (-10 by default; as root here, else nothing changes): the event loop, V8's few threads and the
  // catalog's flush threads are raised — not libuv's 32 pool threads or DuckDB's workers, which run queries.
  const pid = server.child.pid!;
  const nices = [...threadNices(pid)];
  const root = process.getuid?.() === 0;
  expect(nices.find(([tid]) => tid === pid)?.[1]).toBe(root ? -10 : 0);
  const raised = nices.filter(([, nice]) => nice < 0).length;
  if (root) expect(raised).toBeGreaterThan(1);
  expect(raised).toBeLessThanOrEqual(12);
  expect(nices.filter(([, nice]) => nice >= 0).length).toBeGreaterThanOrEqual(32);
  const connect = () =>
    mysql.createConnection({ host: '127.0.0.1', port: server.mysqlPort, user: 'root', password: PASSWORD });
  const admin = await connect();
  const busy = await Promise.all([1, 2, 3, 4].map(connect));
  try {
    const ids: string[] = [];
    for (let k = 0; k < 8; k++) {
      const [rows] = await within(admin.query(`/*+ run-async=true */ ${LONG(k)}`), 10_000, `submit ${k}`);
      ids.push(String((rows as Row[])[0]!.ASYNC_TASK_ID));
    }
    const syncIds = busy.map((c) => c.threadId);
    const syncQueries = busy.map((c, k) => c.query(LONG(100 + k)).catch((err: Error) => err));
    // Until all 8 run and the sync queries have started.
    for (let i = 0; i < 400; i++) {
      const [running] = await admin.query("show query_task where status = 'RUNNING'");
      if ((running as Row[]).length === 8) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    await new Promise((r) => setTimeout(r, 500));
    const [running] = await within(admin.query("show query_task where status = 'RUNNING'"), 10_000, 'SHOW');
    expect((running as Row[]).map((r) => r.id).sort()).toEqual([...ids].sort());

    const [submitted] = await within(
      admin.query('/*+ run-async=true */ SELECT 42 AS answer'),
      10_000,
      'submit',
    );
    const id = String((submitted as Row[])[0]!.ASYNC_TASK_ID);
    expect(id).toMatch(/^q\d{12}/);
    const [one] = await within(admin.query('SELECT 1 AS one'), 10_000, 'SELECT 1');
    expect(one).toEqual([{ one: 1 }]);
    const [queued] = await within(admin.query(`show query_task where id = '${id}'`), 10_000, 'SHOW by id');
    expect((queued as Row[])[0]).toMatchObject({ id, status: 'QUEUED' });

    for (const t of ids) await within(admin.query(`KILL QUERY '${t}'`), 10_000, `KILL QUERY '${t}'`);
    for (const c of syncIds) await within(admin.query(`KILL QUERY ${c}`), 10_000, `KILL QUERY ${c}`);
    for (const r of await Promise.all(syncQueries)) expect(r).toBeInstanceOf(Error);
    // Once the long ones are gone the queued task runs.
    let final: Row | undefined;
    for (let i = 0; i < 400; i++) {
      const [rows] = await admin.query(`show query_task where id = '${id}'`);
      final = (rows as Row[])[0];
      if (final?.status === 'SUCCESS') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(final).toMatchObject({ status: 'SUCCESS', row_count: 1 });
  } finally {
    for (const c of [admin, ...busy]) c.destroy();
    await server.stop();
    cleanup();
  }
}, 120_000);
