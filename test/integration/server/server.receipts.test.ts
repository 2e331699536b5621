import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyStandardWebhook } from '../../../src/receipts/index.js';
import { connectMysql, startTestServer, TEST_ROOT_PASSWORD, type TestServer } from '../../helpers/server.js';

const SECRET = `whsec_${Buffer.from('receipt-signing-key-for-tests!!').toString('base64')}`;

describe('server - a message receipt tells a webhook when an async task ends', () => {
  let server: TestServer;
  let receiver: http.Server;
  let conn: mysql.Connection;
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    server = await startTestServer({ demo: true });
    conn = await connectMysql(server, { database: 'demo' });
  });
  afterAll(async () => {
    await conn?.end();
    await server?.stop();
    receiver?.close();
  });

  it('CREATE NOTIFICATION CHANNEL, then mq-notify-by delivers a signed CloudEvent and the task row shows it', async () => {
    const port = (receiver.address() as AddressInfo).port;
    await conn.query(
      `CREATE NOTIFICATION CHANNEL ops TYPE webhook WITH (url='http://127.0.0.1:${port}/hook', secret='${SECRET}')`,
    );
    const [shown] = await conn.query('SHOW NOTIFICATION CHANNELS');
    expect(JSON.stringify(shown)).not.toContain(SECRET);

    const [submitted] = await conn.query(
      '/*+ run_async=true, mq-notify-by=ops */ select count(*) from orders',
    );
    const id = (submitted as { ASYNC_TASK_ID: string }[])[0].ASYNC_TASK_ID;
    let row: Record<string, unknown> = {};
    for (let i = 0; i < 100 && row.mq_status !== 'SUCCESS'; i++) {
      const [rows] = await conn.query(`SHOW QUERY_TASK WHERE id = '${id}'`);
      row = (rows as Record<string, unknown>[])[0];
      if (row.mq_status !== 'SUCCESS') await new Promise((r) => setTimeout(r, 100));
    }
    expect(row.status).toBe('SUCCESS');
    expect(row.mq_status).toBe('SUCCESS');
    expect(row.mq_product).toBe('ops'); // as DLA: the value of mq-notify-by
    expect(Number(row.mq_total_time)).toBeGreaterThanOrEqual(0);
    expect(Number(row.mq_attempts)).toBe(1); // our column after DLA's

    expect(received).toHaveLength(1);
    const { headers, body } = received[0];
    expect(
      verifyStandardWebhook(
        SECRET,
        {
          id: String(headers['webhook-id']),
          timestamp: String(headers['webhook-timestamp']),
          signature: String(headers['webhook-signature']),
        },
        body,
      ),
    ).toBe(true);
    const event = JSON.parse(body) as {
      type: string;
      subject: string;
      specversion: string;
      data: { status: string };
    };
    expect(event.specversion).toBe('1.0');
    expect(event.type).toBe('lakecast.query_task.succeeded');
    expect(event.subject).toBe(id);
    expect(event.data.status).toBe('SUCCESS');
    expect(body).not.toContain(SECRET);
  });

  it('a misspelt channel or an endpoint off the allowlist is refused at submit, naming it (no task is made)', async () => {
    const [before] = await conn.query('SHOW QUERY_TASK');
    await expect(conn.query('/*+ run_async=true, mq-notify-by=opz */ select 1')).rejects.toMatchObject({
      errno: 1105,
      message: expect.stringContaining('no notification channel named opz'),
    });
    await expect(
      conn.query("/*+ run_async=true, mq-notify-by=ops, mq-endpoint='http://169.254.169.254/' */ select 1"),
    ).rejects.toMatchObject({ message: expect.stringContaining('not on the receipts endpoint allowlist') });
    // Over HTTP too: 400 (a bad request to a route that exists), the same code.
    const res = await fetch(`http://127.0.0.1:${server.httpPort}/v1/tasks`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`root:${TEST_ROOT_PASSWORD}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ sql: 'select 1', hints: { 'mq-notify-by': 'opz' } }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('LC_CHANNEL_NOT_FOUND');
    const [after] = await conn.query('SHOW QUERY_TASK');
    expect((after as unknown[]).length).toBe((before as unknown[]).length);
  });
});
