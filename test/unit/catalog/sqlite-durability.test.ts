import { closeSync, fdatasync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { commitWithoutWaitingForDurability } from '../../../src/catalog/index.js';
import { connectSqlite } from '../../../src/catalog/sqlite/connect.js';
import { DatasyncThread } from '../../../src/catalog/sqlite/datasync-thread.js';
import { LakecastSqliteDialect } from '../../../src/catalog/sqlite/dialect.js';
import { createExecutor } from '../../../src/catalog/sqlite/executor.js';
import { WalSync } from '../../../src/catalog/sqlite/wal-sync.js';
import { openManualDurabilityDb } from '../../helpers/manual-durability.js';
import { tempDir } from '../../helpers/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function dbFile(): string {
  const tmp = tempDir('lakecast-wal-');
  cleanups.push(tmp.cleanup);
  return path.join(tmp.dir, 'c.db');
}

/** A WalSync whose fdatasyncs are held until the test releases them. */
function heldSync(file: string, maxConcurrent = 1) {
  const calls: (() => void)[] = [];
  const wal = new WalSync(
    file,
    ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
      calls.push(() => fdatasync(fd, cb));
    }) as typeof fdatasync,
    maxConcurrent,
  );
  return { wal, calls };
}

const tick = () => new Promise((r) => setImmediate(r));

/** The catalog's SQLite driver on a fresh file, destroyed after the test. */
function openCatalogDb() {
  const driver = connectSqlite(dbFile());
  cleanups.push(async () => {
    await driver.db.destroy();
  });
  return driver.db;
}

describe('WalSync - group commit of the WAL fdatasync', () => {
  it('concurrent syncs share one fdatasync; a sync arriving during one waits for the next', async () => {
    const file = dbFile();
    const driver = connectSqlite(file); // creates the file and its WAL
    await sql`create table t (n integer)`.execute(driver.db);
    const { wal, calls } = heldSync(file);
    cleanups.push(async () => {
      await driver.db.destroy();
    });

    const done: string[] = [];
    const a = wal.sync().then(() => done.push('a'));
    const b = wal.sync().then(() => done.push('b')); // arrives while a's fdatasync runs: must wait for another
    const c = wal.sync().then(() => done.push('c')); // shares b's
    await tick();
    expect(calls).toHaveLength(1);
    calls.shift()!();
    await a;
    await tick();
    expect(done).toEqual(['a']);
    expect(calls).toHaveLength(1); // one more for b and c together
    calls.shift()!();
    await Promise.all([b, c]);
    expect(done).toEqual(['a', 'b', 'c']);
    await wal.close();
  });

  it('with two at once, a sync arriving during one starts its own; later ones share the next', async () => {
    const file = dbFile();
    const driver = connectSqlite(file);
    await sql`create table t (n integer)`.execute(driver.db);
    const { wal, calls } = heldSync(file, 2);
    cleanups.push(async () => {
      await driver.db.destroy();
    });
    const done: string[] = [];
    const a = wal.sync().then(() => done.push('a'));
    const b = wal.sync().then(() => done.push('b')); // a second one at once
    const c = wal.sync().then(() => done.push('c')); // both running: waits for the next one
    const d = wal.sync().then(() => done.push('d')); // shares c's
    await tick();
    expect(calls).toHaveLength(2);
    calls.shift()!(); // a's ends: c and d's starts
    await a;
    await tick();
    expect(calls).toHaveLength(2);
    calls.shift()!();
    await b;
    calls.shift()!();
    await Promise.all([c, d]);
    expect(done).toEqual(['a', 'b', 'c', 'd']);
    await wal.close();
  });

  it('an fdatasync error rejects the commits waiting for it; the next sync tries again', async () => {
    const file = dbFile();
    const driver = connectSqlite(file);
    await sql`create table t (n integer)`.execute(driver.db);
    cleanups.push(async () => {
      await driver.db.destroy();
    });
    let fail = true;
    const wal = new WalSync(file, ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
      if (fail) cb(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
      else fdatasync(fd, cb);
    }) as typeof fdatasync);
    await expect(wal.sync()).rejects.toThrow(/EIO/);
    fail = false;
    await expect(wal.sync()).resolves.toBeUndefined();
    await wal.close();
  });
});

describe('DatasyncThread - the WAL flush on a thread of its own', () => {
  it('flushes on request, shares a flush among requests, fails with the errno code, ends on close', async () => {
    const file = dbFile();
    const fd = openSync(file, 'w');
    cleanups.push(() => closeSync(fd));
    const thread = new DatasyncThread(fd);
    writeSync(fd, 'x');
    await expect(thread.sync()).resolves.toBeUndefined();
    expect(thread.busy).toBe(false);
    const many = Array.from({ length: 50 }, () => thread.sync());
    expect(thread.busy).toBe(true);
    await expect(Promise.all(many)).resolves.toHaveLength(50);
    await thread.close();
    await expect(thread.sync()).rejects.toThrow(/ended/);

    // A descriptor that is not open: the fdatasync fails and the request with it, with libuv's code.
    const bad = new DatasyncThread(2_000_000);
    await expect(bad.sync()).rejects.toMatchObject({ code: 'EBADF' });
    await bad.close();
  });

  it('sequence numbers wrap past 2^31 without a false failure; a failure after the wrap still fails its requests', async () => {
    const file = dbFile();
    const fd = openSync(file, 'w');
    cleanups.push(() => closeSync(fd));
    const thread = new DatasyncThread(fd, undefined, 0x7ffffff0);
    for (let i = 0; i < 40; i++) await expect(thread.sync()).resolves.toBeUndefined();
    await expect(Promise.all(Array.from({ length: 20 }, () => thread.sync()))).resolves.toHaveLength(20);
    await thread.close();
    const bad = new DatasyncThread(2_000_000, undefined, 0x7ffffffe);
    for (let i = 0; i < 3; i++) await expect(bad.sync()).rejects.toMatchObject({ code: 'EBADF' });
    await bad.close();
  });
});

describe('SQLite catalog driver - a commit resolves only once durable, without holding the lock', () => {
  it('autocommit writes and transactions resolve after durable(); the lock is free meanwhile; reads never wait', async () => {
    const file = dbFile();
    const { db, syncs } = await openManualDurabilityDb(file);
    cleanups.push(() => db.destroy());
    const ddl = sql`create table t (n integer primary key)`.execute(db);
    await tick();
    syncs.shift()!();
    await ddl;

    const order: string[] = [];
    const t1 = db
      .transaction()
      .execute((tx) => sql`insert into t values (1)`.execute(tx))
      .then(() => order.push('t1 acknowledged'));
    await tick();
    expect(syncs).toHaveLength(1); // t1 committed, waiting to be durable
    expect(order).toEqual([]);
    // The lock is free: t2 runs and commits while t1 waits; a read sees t1's commit at once.
    const t2 = db
      .transaction()
      .execute((tx) => sql`insert into t values (2)`.execute(tx))
      .then(() => order.push('t2 acknowledged'));
    const auto = sql`insert into t values (3)`.execute(db).then(() => order.push('autocommit acknowledged'));
    await tick();
    const seen = await sql<{ n: number }>`select n from t order by n`.execute(db);
    expect(seen.rows.map((r) => r.n)).toEqual([1, 2, 3]);
    expect(syncs).toHaveLength(3);
    expect(order).toEqual([]);
    for (const s of syncs.splice(0)) s();
    await Promise.all([t1, t2, auto]);
    expect(order).toEqual(['t1 acknowledged', 't2 acknowledged', 'autocommit acknowledged']);
  });

  it('a transaction marked with commitWithoutWaitingForDurability commits without an fsync; a later commit covers it', async () => {
    const file = dbFile();
    await connectSqlite(file).db.destroy();
    const writeDb = new Database(file);
    const readDb = new Database(file, { readonly: true });
    let syncs = 0;
    const db = new Kysely<Record<string, never>>({
      dialect: new LakecastSqliteDialect({
        writer: createExecutor(writeDb),
        reader: createExecutor(readDb),
        durable: async () => {
          syncs++;
        },
        async close() {
          readDb.close();
          writeDb.close();
        },
      }),
    });
    cleanups.push(() => db.destroy());
    await db.transaction().execute((tx) => sql`create table t (n integer)`.execute(tx));
    expect(syncs).toBe(1);
    await db.transaction().execute(async (tx) => {
      await commitWithoutWaitingForDurability(tx);
      await sql`insert into t values (1)`.execute(tx);
    });
    expect(syncs).toBe(1);
    // The mark belongs to that transaction only: the next one waits again.
    await db.transaction().execute((tx) => sql`insert into t values (2)`.execute(tx));
    expect(syncs).toBe(2);
    // A marked transaction that rolls back leaves no mark behind.
    await db
      .transaction()
      .execute(async (tx) => {
        await commitWithoutWaitingForDurability(tx);
        throw new Error('abandon');
      })
      .catch(() => undefined);
    await db.transaction().execute((tx) => sql`insert into t values (3)`.execute(tx));
    expect(syncs).toBe(3);
    // Outside a transaction the mark changes nothing.
    await commitWithoutWaitingForDurability(db);
    await sql`insert into t values (4)`.execute(db);
    expect(syncs).toBe(4);
    const rows = await sql<{ n: number }>`select n from t order by n`.execute(db);
    expect(rows.rows.map((r) => r.n)).toEqual([1, 2, 3, 4]);
  });

  it('a read outside a transaction sees the last commit, not the open transaction', async () => {
    const db = openCatalogDb();
    await sql`create table t (n integer primary key)`.execute(db);
    await sql`insert into t values (1)`.execute(db);
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const tx = db.transaction().execute(async (trx) => {
      await sql`insert into t values (2)`.execute(trx);
      await gate; // the transaction stays open
    });
    await tick();
    const seen = await sql<{ n: number }>`select n from t order by n`.execute(db);
    expect(seen.rows.map((r) => r.n)).toEqual([1]); // not blocked, and no uncommitted row
    release();
    await tx;
    const after = await sql<{ n: number }>`select n from t order by n`.execute(db);
    expect(after.rows.map((r) => r.n)).toEqual([1, 2]);
  });

  it('a failed statement rolls its transaction back and frees the lock', async () => {
    const db = openCatalogDb();
    await sql`create table t (n integer primary key)`.execute(db);
    await expect(
      db.transaction().execute(async (tx) => {
        await sql`insert into t values (1)`.execute(tx);
        await sql`insert into t values (1)`.execute(tx); // duplicate key
      }),
    ).rejects.toThrow(/UNIQUE/);
    await sql`insert into t values (5)`.execute(db);
    const rows = await sql<{ n: number }>`select n from t`.execute(db);
    expect(rows.rows.map((r) => r.n)).toEqual([5]);
  });
});
