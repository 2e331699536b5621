import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupCommitter } from '../../../src/tasks/store/group-commit.js';
import { openManualDurabilityDb } from '../../helpers/manual-durability.js';
import { tempDir } from '../../helpers/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const tick = () => new Promise((r) => setImmediate(r));

/** The catalog's SQLite dialect on a fresh file, whose durability waits are held until released. */
async function heldDb() {
  const tmp = tempDir('lakecast-gcd-');
  cleanups.push(tmp.cleanup);
  const file = path.join(tmp.dir, 'c.db');
  const { db, syncs } = await openManualDurabilityDb(file);
  cleanups.push(() => db.destroy());
  const created = db.transaction().execute((tx) => sql`create table t (n integer)`.execute(tx));
  await tick();
  for (const s of syncs.splice(0)) s();
  await created;
  return { db, syncs };
}

describe('GroupCommitter - durability of each group', () => {
  it('a durable write queued behind a group of non-durable ones still waits for its fsync', async () => {
    const { db, syncs } = await heldDb();
    const gc = new GroupCommitter(db);
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const lazy = gc.run(
      async (tx) => {
        await sql`insert into t values (1)`.execute(tx);
        await gate; // the lazy group is still running its statements
      },
      { durable: false },
    );
    await tick();
    let acknowledged = false;
    const durable = gc
      .run((tx) => sql`insert into t values (2)`.execute(tx))
      .then(() => {
        acknowledged = true;
      });
    release();
    await lazy;
    for (let i = 0; i < 5; i++) await tick();
    expect(acknowledged).toBe(false); // its group started from the lazy group's context: must not inherit it
    expect(syncs).toHaveLength(1);
    syncs.splice(0)[0]!();
    await durable;
    expect(acknowledged).toBe(true);
  });

  it('a lone write starts at once and resolves only after its fsync', async () => {
    const { db, syncs } = await heldDb();
    const gc = new GroupCommitter(db);
    let acknowledged = false;
    const w = gc
      .run((tx) => sql`insert into t values (3)`.execute(tx))
      .then(() => {
        acknowledged = true;
      });
    await tick();
    expect(syncs).toHaveLength(1);
    expect(acknowledged).toBe(false);
    syncs.splice(0)[0]!();
    await w;
    expect(acknowledged).toBe(true);
  });
});
