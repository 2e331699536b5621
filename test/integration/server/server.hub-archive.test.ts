import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ROOT_PASSWORD, type TestServer } from '../../helpers/server.js';

describe('server - hub topic archived into the lake and queried over the MySQL protocol', () => {
  let server: TestServer;
  let hub: string;
  const headers = {
    authorization: `Basic ${Buffer.from(`root:${TEST_ROOT_PASSWORD}`).toString('base64')}`,
    'content-type': 'application/json',
  };
  const post = async (path: string, body: unknown, status = 201) => {
    const res = await fetch(`${hub}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    expect(res.status, await res.clone().text()).toBe(status);
    return res.json() as Promise<Record<string, unknown>>;
  };

  beforeAll(async () => {
    server = await startTestServer();
    hub = `http://127.0.0.1:${server.httpPort}/v1/hub`;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('records appended over HTTP land in Parquet partitions and SELECT sees each exactly once', async () => {
    await post('/projects', { name: 'web' });
    await post('/projects/web/topics', {
      name: 'access',
      shardCount: 2,
      lifecycleDays: 1,
      recordType: 'TUPLE',
      schema: [
        { name: 'path', type: 'STRING' },
        { name: 'status', type: 'BIGINT' },
      ],
    });
    await post('/projects/web/topics/access/archive', { schema: 'weblogs', flushIntervalMs: 200 });
    const records = Array.from({ length: 500 }, (_, i) => ({
      data: { path: `/p/${i % 7}`, status: i % 10 === 0 ? 500 : 200 },
      partitionKey: `client-${i % 13}`,
    }));
    const appended = await post('/projects/web/topics/access/records', { records }, 200);
    expect(appended.failedCount).toBe(0);

    const conn = await mysql.createConnection({
      host: '127.0.0.1',
      port: server.mysqlPort,
      user: 'root',
      password: TEST_ROOT_PASSWORD,
    });
    try {
      let count = 0;
      for (let i = 0; i < 100 && count < 500; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const [rows] = await conn.query('SELECT count(*) AS n FROM weblogs.access').catch(() => [[{ n: 0 }]]);
        count = Number((rows as { n: unknown }[])[0].n);
      }
      expect(count).toBe(500);
      const [dup] = await conn.query(
        'SELECT count(DISTINCT (shard_id, sequence)) AS d, sum(CASE WHEN status = 500 THEN 1 ELSE 0 END) AS errors FROM weblogs.access',
      );
      const row = (dup as { d: unknown; errors: unknown }[])[0];
      expect(Number(row.d)).toBe(500);
      expect(Number(row.errors)).toBe(50);
    } finally {
      await conn.end();
    }
  });
});
