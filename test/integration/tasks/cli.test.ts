import { Command } from 'commander';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../../src/http/types.js';
import { request } from '../../../src/cli/client.js';
import { addClientOptions, clientOptions } from '../../../src/cli/commands/sql.js';
import { LakecastError } from '../../../src/shared/index.js';
import {
  registerTaskCommands,
  submitTask,
  TASKS_HTTP_PREFIX,
  type TaskJson,
  type TaskService,
  taskRoutes,
  waitForTask,
} from '../../../src/tasks/index.js';
import { startFakeTaskService } from './fake-service.js';

describe('tasks CLI parts (lakecast sql --async --wait, tasks, kill) against the HTTP API', () => {
  let app: FastifyInstance;
  let tasks: TaskService;
  let cleanup: () => Promise<void>;
  let url = '';
  const helpers = { addClientOptions, clientOptions, request };

  beforeAll(async () => {
    const service = await startFakeTaskService({ progressWriteMs: 0 });
    tasks = service.tasks;
    app = Fastify();
    app.addHook('preHandler', async (req) => {
      const basic = Buffer.from(
        (req.headers.authorization ?? '').replace(/^Basic /, ''),
        'base64',
      ).toString();
      const name = basic.split(':')[0] || 'anonymous';
      req.lakecastUser = { name, admin: name === 'root' };
    });
    app.setErrorHandler((error, _req, reply) => {
      if (error instanceof LakecastError) return reply.code(error.httpStatus).send({ error: error.toJSON() });
      return reply.code(500).send({ error: { code: 'LC_INTERNAL', message: String(error) } });
    });
    await app.register(async (v1) => v1.register(taskRoutes({ tasks }), { prefix: TASKS_HTTP_PREFIX }), {
      prefix: '/v1',
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    cleanup = async () => {
      await app.close();
      await service.close();
    };
  });
  afterAll(() => cleanup());

  function output() {
    const o = { out: '', err: '', updates: [] as TaskJson[] };
    return {
      o,
      sink: {
        out: (t: string) => {
          o.out += t;
        },
        err: (t: string) => {
          o.err += t;
        },
        progress: (t: TaskJson) => {
          o.updates.push({ ...t });
        },
      },
    };
  }

  it('sql --async --wait - prints the id, follows progress, then the summary', async () => {
    const options = clientOptions({ url, user: 'alice', password: 'x' });
    const task = await submitTask(helpers, options, 'slow 4', 'demo');
    expect(task.id).toMatch(/^q\d{12}/);
    const { o, sink } = output();
    const final = await waitForTask(helpers, options, task.id, sink);
    expect(final.status).toBe('SUCCESS');
    expect(o.updates.some((u) => (u.progress ?? 0) > 0 && u.status === 'RUNNING')).toBe(true);
    expect(o.err).toMatch(
      new RegExp(`^task ${task.id} SUCCESS, 4 rows, .* s, .*result: mem://results/.*result\\.csv\\n$`),
    );
  });

  it('tasks and kill commands', async () => {
    const options = clientOptions({ url, user: 'bob', password: 'x' });
    const running = await submitTask(helpers, options, 'slow 1000');
    const { o, sink } = output();
    const program = new Command().exitOverride();
    registerTaskCommands(program, helpers, sink);
    const common = ['--url', url, '--user', 'bob', '--password', 'x'];
    await program.parseAsync(['node', 'lakecast', 'tasks', ...common], { from: 'node' });
    expect(o.out.split('\n')[0]).toMatch(/^ID\s+STATUS\s+PROGRESS\s+CREATED\s+ELAPSED\s+ROWS\s+COMMAND$/);
    expect(o.out).toContain(running.id);
    await program.parseAsync(['node', 'lakecast', 'kill', running.id, ...common], { from: 'node' });
    expect(o.err).toMatch(new RegExp(`task ${running.id} CANCELLED.*cancelled by bob`));
    await expect(
      program.parseAsync(['node', 'lakecast', 'kill', running.id, ...common], { from: 'node' }),
    ).rejects.toMatchObject({ code: 'LC_TASK_FINISHED' });
    o.out = '';
    await program.parseAsync(['node', 'lakecast', 'tasks', '--status', 'cancelled', ...common], {
      from: 'node',
    });
    expect(o.out).toContain(running.id);
    // --after: the tasks listed after the given one (here none are older).
    o.out = '';
    await program.parseAsync(['node', 'lakecast', 'tasks', '--after', running.id, ...common], {
      from: 'node',
    });
    expect(o.out).not.toContain(running.id);
    await expect(
      program.parseAsync(['node', 'lakecast', 'tasks', '--after', 'qnope', ...common], { from: 'node' }),
    ).rejects.toMatchObject({ code: 'LC_TASK_NOT_FOUND' });
  });
});
