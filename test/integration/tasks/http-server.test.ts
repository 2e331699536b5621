import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer } from '../../../src/http/index.js';
import { createMetrics } from '../../../src/metrics/index.js';
import { silentLogger } from '../../../src/shared/index.js';
import { TASKS_HTTP_PREFIX, type TaskService, taskRoutes } from '../../../src/tasks/index.js';
import { startFakeTaskService } from './fake-service.js';

/** The task routes mounted the way the composition root does: createHttpServer({ plugins: [{ prefix: '/tasks', … }] }). */
describe('tasks HTTP API inside the Lakecast HTTP server', () => {
  let app: FastifyInstance;
  let tasks: TaskService;
  let cleanup: () => Promise<void>;
  let base = '';
  const auth = (user: string) => ({ authorization: `Basic ${Buffer.from(`${user}:pw`).toString('base64')}` });

  beforeAll(async () => {
    const service = await startFakeTaskService();
    tasks = service.tasks;
    app = await createHttpServer({
      host: '127.0.0.1',
      port: 0,
      auth: {
        authenticatePassword: async (user, password) =>
          password === 'pw' ? { name: user, admin: user === 'root' } : null,
        authenticateToken: async () => null,
      },
      sql: { openSession: async () => Promise.reject(new Error('no sql here')) },
      metrics: createMetrics(),
      logger: silentLogger(),
      version: 'test',
      plugins: [{ prefix: TASKS_HTTP_PREFIX, plugin: taskRoutes({ tasks }) }],
    });
    base = `${await app.listen({ host: '127.0.0.1', port: 0 })}/v1/tasks`;
    cleanup = async () => {
      await app.close();
      await service.close();
    };
  });
  afterAll(() => cleanup());

  it('authenticated submit, get, result; errors in the server-wide envelope; 401 without credentials', async () => {
    const res = await fetch(base, {
      method: 'POST',
      headers: { ...auth('alice'), 'content-type': 'application/json' },
      body: JSON.stringify({ sql: '/*+ run-async=true */ rows 2' }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    for (let i = 0; i < 200 && (await tasks.store.get(id))?.status !== 'SUCCESS'; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const result = await fetch(`${base}/${id}/result`, { headers: auth('alice') });
    expect(result.status).toBe(200);
    expect(await result.text()).toBe('id,name\r\n0,\r\n1,"name,""1"""\r\n');
    const other = await fetch(`${base}/${id}`, { headers: auth('bob') });
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ error: { code: 'LC_TASK_NOT_FOUND', errno: 1094 } });
    const bad = await fetch(base, {
      method: 'POST',
      headers: { ...auth('alice'), 'content-type': 'application/json' },
      body: JSON.stringify({ sql: 'rows 1', hints: { 'run-asink': true } }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'LC_HINT_UNKNOWN' } });
    expect((await fetch(`${base}/${id}`)).status).toBe(401);
    const spec = (await (await fetch(`${base.replace('/v1/tasks', '')}/openapi.json`)).json()) as {
      paths: object;
    };
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/v1/tasks/', '/v1/tasks/{id}']));
  });
});
