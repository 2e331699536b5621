import { PutObjectCommand } from '@aws-sdk/client-s3';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, type S3Settings } from '../../../src/storage/index.js';
import { startS3 } from '../../helpers/s3-server.js';
import { connectMysql, startTestServer, type TestServer } from '../../helpers/server.js';

describe('server - s3:// external tables through the object-store layer', () => {
  let s3: { settings: S3Settings; stop: () => Promise<void> };
  let server: TestServer;
  let conn: mysql.Connection;
  const put = (key: string, body: string) =>
    createS3Client(s3.settings).send(new PutObjectCommand({ Bucket: 'lake', Key: key, Body: body }));

  beforeAll(async () => {
    s3 = await startS3(['lake']);
    server = await startTestServer({ s3: s3.settings });
    conn = await connectMysql(server);
  });
  afterAll(async () => {
    await conn?.end();
    await server?.stop();
    await s3?.stop();
  });

  it('a partitioned CSV table in a bucket is queryable, and new objects are seen by the next query', async () => {
    await put('sales/dt=2026-11-21/part-0.csv', 'north,10\nsouth,20\n');
    await conn.query('CREATE DATABASE s3db');
    await conn.query(
      `CREATE EXTERNAL TABLE s3db.sales (region STRING, amount INT) PARTITIONED BY (dt DATE)
       ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' STORED AS CSV LOCATION 's3://lake/sales/'`,
    );
    const [first] = await conn.query('SELECT sum(amount) AS total FROM s3db.sales');
    expect(Number((first as { total: unknown }[])[0].total)).toBe(30);
    await put('sales/dt=2026-11-22/part-0.csv', 'east,12\n');
    const [second] = await conn.query(
      'SELECT dt, sum(amount) AS total FROM s3db.sales GROUP BY dt ORDER BY dt',
    );
    expect((second as { total: unknown }[]).map((r) => Number(r.total))).toEqual([30, 12]);
  });

  it('a bucket that does not exist gives a clear error and the server keeps serving', async () => {
    await conn
      .query("CREATE EXTERNAL TABLE s3db.ghost (a INT) STORED AS CSV LOCATION 's3://no-such-bucket/x/'")
      .catch(() => undefined);
    await expect(conn.query('SELECT * FROM s3db.ghost')).rejects.toMatchObject({ code: expect.any(String) });
    const [rows] = await conn.query('SELECT 1 AS one');
    expect(rows).toEqual([{ one: 1 }]);
  });
});
