import { statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../../src/cli/client.js';
import { addClientOptions, clientOptions } from '../../../src/cli/commands/sql.js';
import { registerResultCommand } from '../../../src/tasks/index.js';
import { startS3 } from '../../helpers/s3-server.js';
import { connectMysql, startTestServer, TEST_ROOT_PASSWORD, type TestServer } from '../../helpers/server.js';
import { sigV4QueryProblem } from '../../helpers/sigv4.js';

/** Submits `sql` as an async task over the MySQL protocol (as root); returns its id. */
async function submitAsync(server: TestServer, sql: string): Promise<string> {
  const conn = await connectMysql(server);
  try {
    const [rows] = await conn.query(`/*+ run-async=true */ ${sql}`);
    return (rows as { ASYNC_TASK_ID: string }[])[0]!.ASYNC_TASK_ID;
  } finally {
    await conn.end();
  }
}

/** Polls SHOW QUERY_TASK until task `id` ends; its status and message. */
async function endedTask(
  server: TestServer,
  id: string,
): Promise<{ status: string; message: string | null }> {
  const conn = await connectMysql(server);
  try {
    for (let i = 0; i < 400; i++) {
      const [rows] = await conn.query(`SHOW QUERY_TASK WHERE id = '${id}'`);
      const t = (rows as { status: string; message: string | null }[])[0]!;
      if (t.status !== 'QUEUED' && t.status !== 'RUNNING') return t;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`task ${id} did not end`);
  } finally {
    await conn.end();
  }
}

/** Task settings set in the config, as they reach a running server. */
describe('server - task settings from the config reach the running server', () => {
  let server: TestServer;
  const auth = `Basic ${Buffer.from(`root:${TEST_ROOT_PASSWORD}`).toString('base64')}`;

  beforeAll(async () => {
    server = await startTestServer({
      tasks: { resultGzip: 'always', maxResultBytes: 64 * 1024, maxRunningPerUser: 1 },
    });
  });
  afterAll(() => server.stop());

  const submit = (sql: string) => submitAsync(server, sql);
  const ended = (id: string) => endedTask(server, id);

  it('tasks.maxResultBytes fails a larger result; a small one succeeds and downloads gzipped (resultGzip: always)', async () => {
    const big = await ended(await submit("SELECT range AS n, repeat('x', 50) AS s FROM range(100000)"));
    expect(big.status).toBe('FAILURE');
    expect(big.message).toMatch(/^LC_TASK_RESULT_TOO_LARGE: the result is larger than the 65536 bytes/);
    const id = await submit('SELECT range AS n FROM range(1000)');
    expect((await ended(id)).status).toBe('SUCCESS');
    const res = await new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      http
        .get(
          `http://127.0.0.1:${server.httpPort}/v1/tasks/${id}/result`,
          { headers: { authorization: auth, 'accept-encoding': 'gzip' } },
          (r) => {
            const chunks: Buffer[] = [];
            r.on('data', (c: Buffer) => chunks.push(c));
            r.on('end', () => resolve({ headers: r.headers, body: Buffer.concat(chunks) }));
          },
        )
        .on('error', reject);
    });
    expect(res.headers['content-encoding']).toBe('gzip');
    const lines = gunzipSync(res.body).toString().trim().split('\r\n');
    expect(lines).toHaveLength(1001);
    expect(lines[0]).toBe('n');
  });

  it('a local results root - result links served by the server, without credentials; the API still asks for them', async () => {
    const id = await submit('SELECT range AS n FROM range(3)');
    expect((await ended(id)).status).toBe('SUCCESS');
    const base = `http://127.0.0.1:${server.httpPort}`;
    const res = await fetch(`${base}/v1/tasks/${id}/result-url`, { headers: { authorization: auth } });
    expect(res.status).toBe(200);
    const { url } = (await res.json()) as { url: string };
    expect(url).toMatch(new RegExp(`^${base}/v1/result-links/${id}\\.`));
    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('n\r\n0\r\n1\r\n2\r\n');
    expect((await fetch(`${base}/v1/tasks/${id}/result`)).status).toBe(401);
    expect((await fetch(`${base}/v1/result-links/${id}.9999999999.${'A'.repeat(43)}`)).status).toBe(403);
    const keyFile = path.join(server.dataDir, 'secrets', 'result-links.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it("tasks.maxRunningPerUser: 1 — a user's second task waits QUEUED while the first runs", async () => {
    const first = await submit('SELECT count(*) FROM range(3000000000)');
    const second = await submit('SELECT 1');
    const conn = await connectMysql(server);
    try {
      const status = async (id: string) =>
        ((await conn.query(`SHOW QUERY_TASK WHERE id = '${id}'`))[0] as { status: string }[])[0]!.status;
      for (let i = 0; i < 100 && (await status(first)) !== 'RUNNING'; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(await status(first)).toBe('RUNNING');
      await new Promise((r) => setTimeout(r, 200));
      expect(await status(second)).toBe('QUEUED');
      await conn.query(`KILL QUERY '${first}'`);
    } finally {
      await conn.end();
    }
    expect((await ended(second)).status).toBe('SUCCESS');
  });
});

describe('server - result links: an s3:// results root, tasks.resultUrlTtlSeconds and s3.publicEndpoint', () => {
  let server: TestServer;
  let s3: Awaited<ReturnType<typeof startS3>>;

  beforeAll(async () => {
    s3 = await startS3(['results']);
    server = await startTestServer({
      tasks: { resultsUri: 's3://results/lc/', resultUrlTtlSeconds: 60 },
      s3: { ...s3.settings, publicEndpoint: s3.settings.endpoint?.replace('127.0.0.1', 'localhost') },
    });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await s3?.stop();
  });

  it('lakecast result --link prints a link for the public endpoint, valid 60 s, that fetches the CSV', async () => {
    const id = await submitAsync(server, 'SELECT range AS n FROM range(3)');
    expect((await endedTask(server, id)).status).toBe('SUCCESS');
    let out = '';
    let err = '';
    const stdout = new Writable({
      write(chunk: Buffer, _enc, done) {
        out += chunk.toString();
        done();
      },
    });
    const program = new Command().exitOverride();
    registerResultCommand(
      program,
      { addClientOptions, clientOptions, request },
      { stdout, err: (t) => (err += t) },
    );
    const common = [
      '--url',
      `http://127.0.0.1:${server.httpPort}`,
      '--user',
      'root',
      '--password',
      TEST_ROOT_PASSWORD,
    ];
    await program.parseAsync(['node', 'lakecast', 'result', id, '--link', ...common], { from: 'node' });
    const link = out.trim();
    expect(link).toMatch(/^http:\/\/localhost:\d+\/results\/lc\/.*\/result\.csv\?.*X-Amz-Expires=60/);
    expect(sigV4QueryProblem(link, s3.settings.secretAccessKey ?? '')).toBeNull();
    expect(err).toMatch(/^valid until \d{4}-\d\d-\d\dT/);
    expect(await (await fetch(link)).text()).toBe('n\r\n0\r\n1\r\n2\r\n');
    await expect(
      program.parseAsync(['node', 'lakecast', 'result', id, '--link', '-o', '/tmp/x.csv', ...common], {
        from: 'node',
      }),
    ).rejects.toThrow(/--link, --delete and downloading/);
  });
});
