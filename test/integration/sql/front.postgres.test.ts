import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../catalog/backends.js';
import { type Harness, run, startHarness, writeFiles } from './harness.js';

const pg = (await backends()).find((b) => b.name === 'postgres');

describe.skipIf(!pg?.available)('sql front - on the PostgreSQL catalog', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ backend: pg });
    mkdirSync(path.join(h.lake, 'o'), { recursive: true });
    await writeFiles([
      `COPY (SELECT i AS id FROM range(0, 42) t(i)) TO '${h.lake}/o/o.parquet' (FORMAT PARQUET)`,
    ]);
  });
  afterAll(async () => h?.close());

  it('DDL, grants, queries and a restart work the same as on SQLite', async () => {
    const root = await h.session();
    await run(root, 'CREATE DATABASE shop');
    await run(
      root,
      `CREATE EXTERNAL TABLE shop.o (id BIGINT) STORED AS PARQUET LOCATION '${pathToFileURL(path.join(h.lake, 'o')).href}'`,
    );
    await run(root, "CREATE USER ann IDENTIFIED BY 'ann-pw'");
    const ann = await h.session({ name: 'ann', admin: false });
    await expect(run(ann, 'SELECT count(*) FROM shop.o')).rejects.toMatchObject({ errno: 1142 });
    await run(root, 'GRANT SELECT ON shop.* TO ann');
    expect((await run(ann, 'SELECT count(*) FROM shop.o')).rows).toEqual([[42n]]);
    await h.restart();
    const again = await h.session({ name: 'ann', admin: false }, 'shop');
    expect((await run(again, 'SELECT max(id) FROM o')).rows).toEqual([[41n]]);
    expect((await run(again, 'SHOW TABLES')).rows).toEqual([['o']]);
  });
});
