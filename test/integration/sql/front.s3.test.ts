import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Settings } from '../../../src/storage/index.js';
import { openObjectStore } from '../../../src/storage/index.js';
import { startS3 } from '../../helpers/s3-server.js';
import { type Harness, run, startHarness } from './harness.js';

let s3: { settings: S3Settings; stop: () => Promise<void> };
let h: Harness;

beforeAll(async () => {
  s3 = await startS3(['lake']);
  h = await startHarness({ s3: s3.settings });
});
afterAll(async () => {
  await h?.close();
  await s3?.stop();
});

describe('sql front - s3:// tables', () => {
  it('reads an s3:// table through the object-store mirror and sees new objects on the next query', async () => {
    const store = openObjectStore('s3://lake/sales/', { s3: s3.settings });
    await store.put('dt=2026-11-21/a.csv', 'id,amount\n1,10.50\n2,4.50\n');
    const s = await h.session();
    await run(s, 'CREATE DATABASE s3demo');
    await run(s, 'USE s3demo');
    await run(
      s,
      `CREATE EXTERNAL TABLE sales (id INT, amount DECIMAL(10,2)) PARTITIONED BY (dt STRING)
       STORED AS CSV LOCATION 's3://lake/sales/' TBLPROPERTIES ('skip.header.line.count'='1')`,
    );
    expect((await run(s, 'SELECT count(*), sum(amount) FROM sales')).rows).toEqual([[2n, '15.00']]);
    await store.put('dt=2026-11-22/b.csv', 'id,amount\n3,1.00\n');
    expect((await run(s, 'SELECT dt, count(*) FROM sales GROUP BY dt ORDER BY dt')).rows).toEqual([
      ['2026-11-21', 2n],
      ['2026-11-22', 1n],
    ]);
    expect((await run(s, 'SHOW PARTITIONS sales')).rows).toEqual([['dt=2026-11-21'], ['dt=2026-11-22']]);
    await run(s, "CREATE EXTERNAL TABLE later (a INT) STORED AS CSV LOCATION 's3://lake/later/'");
    expect((await run(s, 'SELECT count(*) FROM later')).rows).toEqual([[0n]]);
    await openObjectStore('s3://lake/later/', { s3: s3.settings }).put('x.csv', '5\n6\n');
    expect((await run(s, 'SELECT sum(a) FROM later')).rows).toEqual([[11n]]);
  });
});
