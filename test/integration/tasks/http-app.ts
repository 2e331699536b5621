import Fastify from 'fastify';
import { STRICT_SCHEMAS } from '../../../src/http/index.js';
import '../../../src/http/types.js';
import { LakecastError } from '../../../src/shared/index.js';
import {
  RESULT_LINK_PREFIX,
  resultLinkRoutes,
  TASKS_HTTP_PREFIX,
  type TaskRoutesOptions,
  type TaskService,
  taskRoutes,
} from '../../../src/tasks/index.js';
import { startFakeTaskService } from './fake-service.js';

/**
 * The tasks routes mounted under `/v1/tasks` on a fastify app of their own, listening on 127.0.0.1, with
 * stand-ins for the composition root's auth hook (the user is the `x-user` header; `root` is an admin) and its
 * error handler. Returns the base URL and a close function.
 */
export async function startTaskRoutesApp(
  options: TaskRoutesOptions & {
    /** Also mount the result-link route (`/v1/result-links/{token}`), as the server does, outside `/v1`. */
    links?: boolean;
  },
): Promise<{ base: string; close: () => Promise<void> }> {
  const app = Fastify({ ajv: STRICT_SCHEMAS });
  app.addHook('preHandler', async (request) => {
    const name = String(request.headers['x-user']);
    request.lakecastUser = { name, admin: name === 'root' };
  });
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof LakecastError) return reply.code(error.httpStatus).send(error.toJSON());
    const e = error as { statusCode?: number; message: string };
    return reply.code(e.statusCode ?? 500).send({ code: 'LC_BAD_REQUEST', message: e.message });
  });
  await app.register(
    async (v1) => {
      await v1.register(taskRoutes(options), { prefix: TASKS_HTTP_PREFIX });
    },
    { prefix: '/v1' },
  );
  if (options.links) await app.register(resultLinkRoutes(options), { prefix: RESULT_LINK_PREFIX });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return { base, close: () => app.close() };
}

/**
 * A fake task service ({@link startFakeTaskService}: in-memory catalog, scripted engine) behind its routes on an
 * app of their own ({@link startTaskRoutesApp}); `close` stops both.
 */
export async function startFakeTasksOverHttp(
  config: Parameters<typeof startFakeTaskService>[0],
  serviceOptions: Parameters<typeof startFakeTaskService>[1] = {},
  routeOptions: Omit<Parameters<typeof startTaskRoutesApp>[0], 'tasks'> = {},
): Promise<{ tasks: TaskService; base: string; close: () => Promise<void> }> {
  const service = await startFakeTaskService(config, serviceOptions);
  const app = await startTaskRoutesApp({ ...routeOptions, tasks: service.tasks });
  return {
    tasks: service.tasks,
    base: app.base,
    close: async () => {
      await app.close();
      await service.close();
    },
  };
}
