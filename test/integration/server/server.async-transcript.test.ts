import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mariadb } from '../../helpers/cli.js';
import { lakecast } from '../../helpers/lakecast-cli.js';
import { startTestServer, TEST_ROOT_PASSWORD, type TestServer } from '../../helpers/server.js';

/** The columns of DLA's later `show query_task` row (SEEDS.md, article 001), in order. */
const DLA_COLUMNS = [
  'id',
  'mpp_query_id',
  'status',
  'task_name',
  'table_schema',
  'command',
  'creator_id',
  'create_time',
  'update_time',
  'connection_id',
  'message',
  'row_count',
  'elapse_time',
  'scanned_row_count',
  'scanned_data_bytes',
  'result_file_oss_file',
  'cancellable_task',
  'mq_product',
  'mq_model',
  'mq_topic',
  'mq_queue',
  'mq_producer_id',
  'mq_endpoint',
  'mq_status',
  'mq_error_msg',
  'mq_message_id',
  'mq_total_time',
];

describe("server - DLA's async-query transcript replayed with the real mariadb CLI", () => {
  let server: TestServer;
  const run = (args: string[]) => mariadb(server.mysqlPort, args, { password: TEST_ROOT_PASSWORD });

  beforeAll(async () => {
    server = await startTestServer({ demo: true });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('run-async returns ASYNC_TASK_ID at once; show query_task \\G shows the task row with DLA columns first', async () => {
    // The mariadb CLI strips comments, hints included, unless -c (MySQL's own CLI keeps /*+ … */ hints).
    const submit = await run(['-c', '-D', 'demo', '-e', '/*+ run-async=true */select * from test_table1;']);
    expect(submit.stderr).toBe('');
    const lines = submit.stdout.trim().split('\n');
    expect(lines[0]).toBe('ASYNC_TASK_ID');
    const id = lines[1];
    expect(id).toMatch(/^q\d{12}[0-9a-z]{2}[0-9a-z]{15}$/);
    expect(id).toHaveLength(30);

    let status = '';
    let out = '';
    for (let i = 0; i < 100 && status !== 'SUCCESS'; i++) {
      out = (await run(['-D', 'demo', '-e', `show query_task where id = '${id}'\\G`])).stdout;
      status = /^\s*status: (\w+)$/m.exec(out)?.[1] ?? '';
      if (status !== 'SUCCESS') await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe('SUCCESS');
    const names = [...out.matchAll(/^\s*(\w+): /gm)].map((m) => m[1]);
    expect(names.slice(0, DLA_COLUMNS.length)).toEqual(DLA_COLUMNS);
    expect(out).toMatch(/^\s*row_count: 2$/m);
    // the mariadb CLI itself puts a space after a comment it passes on with -c
    expect(out).toMatch(/^\s*command: \/\*\+ run-async=true \*\/ ?select \* from test_table1$/m);
    expect(out).toMatch(/^\s*creator_id: root$/m);
    expect(out).toMatch(
      new RegExp(`result_file_oss_file: file://.*/\\d{4}/\\d{2}/\\d{2}/${id}/result\\.csv`),
    );
  });

  it('lakecast sql --async --wait follows the task to the end and prints a summary', async () => {
    const res = await lakecast(['sql', '-d', 'demo', '--async', '--wait', 'SELECT count(*) FROM orders'], {
      LAKECAST_PASSWORD: TEST_ROOT_PASSWORD,
      LAKECAST_URL: `http://127.0.0.1:${server.httpPort}`,
    });
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout.trim()).toMatch(/^q\w{29}$/);
    expect(res.stderr).toContain('SUCCESS');
    const list = await lakecast(['tasks', '--limit', '5'], {
      LAKECAST_PASSWORD: TEST_ROOT_PASSWORD,
      LAKECAST_URL: `http://127.0.0.1:${server.httpPort}`,
    });
    expect(list.stdout).toContain(res.stdout.trim());
  });

  it('the hub API is mounted under /v1/hub with the same authentication', async () => {
    const base = `http://127.0.0.1:${server.httpPort}/v1/hub`;
    const auth = `Basic ${Buffer.from(`root:${TEST_ROOT_PASSWORD}`).toString('base64')}`;
    const created = await fetch(`${base}/projects`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'logs' }),
    });
    expect(created.status).toBe(201);
    expect((await fetch(`${base}/projects`)).status).toBe(401);
  });
});
