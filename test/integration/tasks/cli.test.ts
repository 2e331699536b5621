import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRICT_SCHEMAS } from '../../../src/http/index.js';
import '../../../src/http/types.js';
import { request } from '../../../src/cli/client.js';
import { addClientOptions, clientOptions } from '../../../src/cli/commands/sql.js';
import { LakecastError } from '../../../src/shared/index.js';
import {
  registerResultCommand,
  registerTaskCommands,
  submitTask,
  TASKS_HTTP_PREFIX,
  type TaskJson,
  type TaskService,
  taskRoutes,
  waitForTask,
} from '../../../src/tasks/index.js';
import { tempDir } from '../../helpers/tmp.js';
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
    app = Fastify({ ajv: STRICT_SCHEMAS });
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

  it('result - to stdout or a file; --continue resumes a partial file with a byte range', async () => {
    const options = clientOptions({ url, user: 'alice', password: 'x' });
    const task = await submitTask(helpers, options, 'rows 40');
    await waitForTask(helpers, options, task.id, output().sink);
    const { dir, cleanup: rm } = tempDir('lakecast-cli-result-');
    try {
      let stdout = Buffer.alloc(0);
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          stdout = Buffer.concat([stdout, chunk]);
          done();
        },
      });
      const { o, sink: text } = output();
      const program = new Command().exitOverride();
      registerResultCommand(program, helpers, { stdout: sink, err: text.err });
      const common = ['--url', url, '--user', 'alice', '--password', 'x'];
      await program.parseAsync(['node', 'lakecast', 'result', task.id, ...common], { from: 'node' });
      const whole = stdout.toString();
      expect(whole.split('\r\n')).toHaveLength(42); // header, 40 rows, the empty string after the last CRLF

      const file = path.join(dir, 'r.csv');
      await program.parseAsync(['node', 'lakecast', 'result', task.id, '-o', file, ...common], {
        from: 'node',
      });
      expect(readFileSync(file, 'utf8')).toBe(whole);
      expect(o.err).toBe(`${Buffer.byteLength(whole)} bytes written to ${file}\n`);

      // An interrupted download: the first 25 bytes only. --continue fetches the rest.
      writeFileSync(file, whole.slice(0, 25));
      o.err = '';
      await program.parseAsync(['node', 'lakecast', 'result', task.id, '-o', file, '--continue', ...common], {
        from: 'node',
      });
      expect(readFileSync(file, 'utf8')).toBe(whole);
      expect(o.err).toBe(
        `${Buffer.byteLength(whole) - 25} bytes written to ${file} after the 25 already there\n`,
      );
      // Complete already: nothing asked for is left (416), the file stays as it is.
      o.err = '';
      await program.parseAsync(['node', 'lakecast', 'result', task.id, '-o', file, '-c', ...common], {
        from: 'node',
      });
      expect(readFileSync(file, 'utf8')).toBe(whole);
      expect(o.err).toBe(`${file} is complete already (${Buffer.byteLength(whole)} bytes)\n`);
      // Another user's task: not found, and no file made.
      const bobs = ['--url', url, '--user', 'bob', '--password', 'x'];
      const other = path.join(dir, 'bob.csv');
      await expect(
        program.parseAsync(['node', 'lakecast', 'result', task.id, '-o', other, ...bobs], { from: 'node' }),
      ).rejects.toMatchObject({ code: 'LC_TASK_NOT_FOUND' });
      expect(existsSync(other)).toBe(false);
      // --link where the results root cannot make links (this store keeps results in memory): the error, no output.
      stdout = Buffer.alloc(0);
      await expect(
        program.parseAsync(['node', 'lakecast', 'result', task.id, '--link', ...common], { from: 'node' }),
      ).rejects.toMatchObject({ code: 'LC_TASK_RESULT_URL_UNAVAILABLE' });
      expect(stdout.length).toBe(0);
      // --delete: the file goes, the download then says so.
      o.err = '';
      await program.parseAsync(['node', 'lakecast', 'result', task.id, '--delete', ...common], {
        from: 'node',
      });
      expect(o.err).toBe(`the result of ${task.id} is deleted\n`);
      await expect(
        program.parseAsync(['node', 'lakecast', 'result', task.id, ...common], { from: 'node' }),
      ).rejects.toMatchObject({ code: 'LC_TASK_NO_RESULT' });
      await expect(
        program.parseAsync(['node', 'lakecast', 'result', task.id, '--delete', '--link', ...common], {
          from: 'node',
        }),
      ).rejects.toThrow(/one at a time/);
    } finally {
      rm();
    }
  });
});
