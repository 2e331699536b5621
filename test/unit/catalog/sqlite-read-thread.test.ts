import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { offTheEventLoop } from '../../../src/catalog/index.js';
import { connectSqlite } from '../../../src/catalog/sqlite/connect.js';
import { CatalogReadThread } from '../../../src/catalog/sqlite/read-thread.js';
import { tempDir } from '../../helpers/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function catalogFile() {
  const tmp = tempDir('lakecast-readthread-');
  cleanups.push(tmp.cleanup);
  const file = path.join(tmp.dir, 'c.db');
  const driver = connectSqlite(file);
  cleanups.push(() => driver.db.destroy());
  await sql`create table t (n integer primary key, s text, b blob)`.execute(driver.db);
  await driver.db.transaction().execute(async (tx) => {
    for (let i = 1; i <= 100; i++)
      await sql`insert into t values (${i}, ${`row ${i}`}, ${Buffer.from([i])})`.execute(tx);
  });
  return { file, db: driver.db, classify: driver.classify };
}

/** A read that keeps SQLite busy for a while: a recursive count to `n` (a SELECT: only those are reads). */
const slowCount = (n: number) =>
  sql<{ c: number }>`select count(*) as c from (
    with recursive r(i) as (select 1 union all select i + 1 from r where i < ${n}) select i from r)`;

describe('SQLite catalog - reads marked offTheEventLoop run on a read thread', () => {
  it('marked read - same rows as on the loop, blobs as Buffers, and the loop keeps turning meanwhile', async () => {
    const { db } = await catalogFile();
    const q = db
      .selectFrom('t' as never)
      .selectAll()
      .orderBy('n' as never)
      .compile();
    const onLoop = await db.executeQuery(q);
    const offLoop = await db.executeQuery(offTheEventLoop(q));
    expect(offLoop.rows).toEqual(onLoop.rows);
    expect(Buffer.isBuffer((offLoop.rows[4] as { b: Buffer }).b)).toBe(true);
    expect((offLoop.rows[4] as { b: Buffer }).b).toEqual(Buffer.from([5]));

    // A read of ~0.2–1 s: on the loop no timer fires during it; on the thread they keep firing.
    const slow = slowCount(3_000_000).compile(db);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      const before = ticks;
      await db.executeQuery(slow);
      expect(ticks - before).toBeLessThanOrEqual(1);
      const start = ticks;
      const r = await db.executeQuery(offTheEventLoop(slow));
      expect((r.rows[0] as { c: number }).c).toBe(3_000_000);
      expect(ticks - start).toBeGreaterThan(5);
    } finally {
      clearInterval(timer);
    }
  });

  it('marked read - sees every commit made before it, and inside a transaction runs on the writer', async () => {
    const { db } = await catalogFile();
    const count = () =>
      db
        .selectFrom('t' as never)
        .select(sql<number>`count(*)`.as('c'))
        .compile();
    await sql`insert into t (n, s) values (1000, 'new')`.execute(db);
    expect((await db.executeQuery(offTheEventLoop(count()))).rows).toEqual([{ c: 101 }]);
    await db.transaction().execute(async (tx) => {
      await sql`insert into t (n, s) values (1001, 'uncommitted')`.execute(tx);
      // The transaction's own connection sees its write; the thread would not.
      expect((await tx.executeQuery(offTheEventLoop(count()))).rows).toEqual([{ c: 102 }]);
    });
  });

  it('bad statement - the error keeps SQLite code and message, the thread keeps serving', async () => {
    const { db, classify } = await catalogFile();
    const bad = sql`select * from no_such_table`.compile(db);
    const err = await db.executeQuery(offTheEventLoop(bad)).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'SqliteError', message: expect.stringMatching(/no such table/) });
    expect(classify(err)).toBe('other');
    const ok = await db.executeQuery(offTheEventLoop(sql`select 1 as one`.compile(db)));
    expect(ok.rows).toEqual([{ one: 1 }]);
  });

  it('thread - refuses writes, and fails reads once closed', async () => {
    const { file } = await catalogFile();
    const thread = new CatalogReadThread(file, 1000);
    expect(await thread.read('select count(*) as c from t', [])).toEqual([{ c: 100 }]);
    await expect(thread.read('insert into t (n) values (5000)', [])).rejects.toThrow(
      /attempt to write a readonly database|reads only/,
    );
    const slow = thread
      .read(
        'with recursive r(i) as (select 1 union all select i + 1 from r where i < ?) select count(*) from r',
        [50_000_000],
      )
      .catch((e: Error) => e);
    await thread.close();
    expect(await slow).toBeInstanceOf(Error);
    await expect(thread.read('select 1', [])).rejects.toThrow(/closed/);
    expect(thread.reads).toBeGreaterThanOrEqual(2);
  });

  it('thread - a file that cannot be opened fails the read with SQLite error, no hang', async () => {
    const tmp = tempDir('lakecast-readthread-missing-');
    cleanups.push(tmp.cleanup);
    const thread = new CatalogReadThread(path.join(tmp.dir, 'missing.db'), 1000);
    cleanups.push(() => thread.close());
    await expect(thread.read('select 1', [])).rejects.toThrow(/unable to open|does not exist|stopped/);
  });
});
