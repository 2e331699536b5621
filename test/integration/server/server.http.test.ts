import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ROOT_PASSWORD, type TestServer } from '../../helpers/server.js';

describe('server - HTTP API', () => {
  let server: TestServer;
  let base: string;
  const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;
  const root = basic('root', TEST_ROOT_PASSWORD);
  const sql = (body: unknown, auth = root) =>
    fetch(`${base}/v1/sql`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    server = await startTestServer({ demo: true });
    base = `http://127.0.0.1:${server.httpPort}`;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('healthz answers without auth', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('ok');
  });

  it('POST /v1/sql streams JSON with typed columns', async () => {
    const res = await sql({
      sql: 'SELECT status, count(*) AS n FROM demo.orders GROUP BY status ORDER BY status',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      columns: { name: string; type: string }[];
      rows: unknown[][];
      rowCount: number;
    };
    expect(body.columns).toEqual([
      { name: 'status', type: 'VARCHAR' },
      { name: 'n', type: 'BIGINT' },
    ]);
    expect(body.rowCount).toBe(5);
    expect(body.rows.reduce((s, r) => s + Number(r[1]), 0)).toBe(200000);
  });

  it('POST /v1/sql with ndjson and a current database', async () => {
    const res = await sql({
      sql: 'SELECT id, name FROM test_table1 ORDER BY id',
      database: 'demo',
      format: 'ndjson',
    });
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0].columns.map((c: { name: string }) => c.name)).toEqual(['id', 'name']);
    expect(lines.slice(1)).toEqual([
      [1, 'lakecast'],
      [2, 'data lake analytics'],
    ]);
  });

  it('wrong or missing credentials get 401 LC_HTTP_AUTH_REQUIRED', async () => {
    for (const auth of [basic('root', 'nope'), basic('ghost', 'x'), 'Bearer lc_forged', '']) {
      const res = await sql({ sql: 'SELECT 1' }, auth);
      expect(res.status).toBe(401);
      const error = ((await res.json()) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('LC_HTTP_AUTH_REQUIRED');
      // A wrong credential is told from a missing one, never which part of it was wrong.
      expect(error.message).toMatch(auth ? /^access denied/ : /^authentication required/);
    }
  });

  it('bad bodies and bad SQL get clear errors with stable codes', async () => {
    const noSql = await sql({ query: 'SELECT 1' });
    expect(noSql.status).toBe(400);
    expect(((await noSql.json()) as { error: { code: string } }).error.code).toBe('LC_HTTP_BAD_BODY');
    const garbage = await sql({ sql: 'SELEC FROM WHERE' });
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: { errno: number } }).error.errno).toBe(1064);
    const unknown = await sql({ sql: 'SELECT * FROM demo.nope' });
    expect(((await unknown.json()) as { error: { errno: number } }).error.errno).toBe(1146);
    const notJson = await fetch(`${base}/v1/sql`, {
      method: 'POST',
      headers: { authorization: root, 'content-type': 'application/json' },
      body: '{"sql": ',
    });
    expect(notJson.status).toBe(400);
    const huge = await sql({ sql: `SELECT '${'x'.repeat(2 * 1024 * 1024)}'` });
    expect(huge.status).toBe(400);
    // A misspelt field is refused by name, not dropped (Fastify's default would run the query without it).
    const misspelt = await sql({ sql: 'SELECT 1', databse: 'demo' });
    expect(misspelt.status).toBe(400);
    const misspeltError = ((await misspelt.json()) as { error: { code: string; message: string } }).error;
    expect(misspeltError.code).toBe('LC_HTTP_BAD_BODY');
    expect(misspeltError.message).toBe("body has an unknown property 'databse'");
    const badQuery = await fetch(`${base}/v1/tasks?limt=5`, { headers: { authorization: root } });
    expect(badQuery.status).toBe(400);
    expect(((await badQuery.json()) as { error: { message: string } }).error.message).toBe(
      "querystring has an unknown property 'limt'",
    );
    // Only queries run as tasks: anything else is refused at submit, with no task created.
    const notQuery = await fetch(`${base}/v1/tasks`, {
      method: 'POST',
      headers: { authorization: root, 'content-type': 'application/json' },
      body: JSON.stringify({ sql: 'SHOW TABLES FROM demo' }),
    });
    expect(notQuery.status).toBe(403);
    expect(((await notQuery.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'LC_SQL_FORBIDDEN',
      message: expect.stringContaining('SHOW is not allowed: only queries'),
    });
  });

  it('GET /metrics is Prometheus text and needs auth', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const res = await fetch(`${base}/metrics`, { headers: { authorization: root } });
    const text = await res.text();
    expect(text).toContain('lakecast_queries_total');
    expect(text).toContain('lakecast_query_duration_seconds_bucket');
  });

  it('GET /metrics counts async tasks: finished by status, durations, queue gauges, executor restarts', async () => {
    const headers = { authorization: root, 'content-type': 'application/json' };
    const submit = async (sql: string) => {
      const res = await fetch(`${base}/v1/tasks`, { method: 'POST', headers, body: JSON.stringify({ sql }) });
      expect(res.status).toBe(202);
      return ((await res.json()) as { id: string }).id;
    };
    const ids = [await submit('SELECT 1 AS a'), await submit('SELECT * FROM demo.nope')];
    for (const id of ids) {
      for (let i = 0; i < 400; i++) {
        const t = (await (await fetch(`${base}/v1/tasks/${id}`, { headers })).json()) as { status: string };
        if (t.status !== 'QUEUED' && t.status !== 'RUNNING') break;
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    const text = await (await fetch(`${base}/metrics`, { headers: { authorization: root } })).text();
    const value = (line: string) => Number(new RegExp(`^${line} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('lakecast_tasks_finished_total\\{status="SUCCESS"\\}')).toBeGreaterThanOrEqual(1);
    expect(value('lakecast_tasks_finished_total\\{status="FAILURE"\\}')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^lakecast_task_failures_total\{code="LC_[A-Z_]+"\} [1-9]/m);
    expect(value('lakecast_task_duration_seconds_count\\{status="SUCCESS"\\}')).toBeGreaterThanOrEqual(1);
    expect(value('lakecast_tasks_queued')).toBe(0);
    expect(value('lakecast_tasks_running')).toBe(0);
    expect(value('lakecast_task_executor_restarts_total')).toBe(0);
  });

  it('GET /openapi.json describes /v1/sql and the tasks API (the Idempotency-Key header, result links)', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toContain('/v1/sql');
    const submit = (doc.paths['/v1/tasks/'] ?? doc.paths['/v1/tasks'])?.post;
    expect(submit?.parameters).toContainEqual(
      expect.objectContaining({ in: 'header', name: 'idempotency-key' }),
    );
    expect(doc.paths['/v1/tasks/{id}/result-url']?.get).toBeDefined();
    expect(doc.paths['/v1/tasks/{id}/result']?.get?.parameters).toContainEqual(
      expect.objectContaining({ in: 'query', name: 'redirect' }),
    );
  });
});

describe('server - API tokens', () => {
  let server: TestServer;
  let base: string;
  const root = `Basic ${Buffer.from(`root:${TEST_ROOT_PASSWORD}`).toString('base64')}`;

  beforeAll(async () => {
    server = await startTestServer();
    base = `http://127.0.0.1:${server.httpPort}/v1`;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('a token is shown once, works as a bearer credential, is listed without its secret and can be revoked', async () => {
    const created = await fetch(`${base}/tokens`, {
      method: 'POST',
      headers: { authorization: root, 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'ci' }),
    });
    expect(created.status).toBe(201);
    const { id, token } = (await created.json()) as { id: string; token: string };
    expect(token).toMatch(/^lc_/);
    const bearer = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const ok = await fetch(`${base}/sql`, {
      method: 'POST',
      headers: bearer,
      body: JSON.stringify({ sql: 'SELECT 7 AS n' }),
    });
    expect(((await ok.json()) as { rows: unknown[][] }).rows).toEqual([[7]]);
    const list = await (await fetch(`${base}/tokens`, { headers: { authorization: root } })).text();
    expect(list).toContain(id);
    expect(list).not.toContain(token);
    expect(
      (await fetch(`${base}/tokens/${id}`, { method: 'DELETE', headers: { authorization: root } })).status,
    ).toBe(204);
    const after = await fetch(`${base}/sql`, {
      method: 'POST',
      headers: bearer,
      body: JSON.stringify({ sql: 'SELECT 1' }),
    });
    expect(after.status).toBe(401);
    const unknown = await fetch(`${base}/tokens/nope`, {
      method: 'DELETE',
      headers: { authorization: root },
    });
    expect(unknown.status).toBe(404);
  });
});
