import Fastify, { type FastifyInstance } from 'fastify';
import type { AuthUser } from '../../../src/auth/types.js';
import { STRICT_SCHEMAS } from '../../../src/http/index.js';
import { type Hub, type HubAction, HubClient, hubRoutes } from '../../../src/hub/index.js';
import { toLakecastError } from '../../../src/shared/errors.js';

/**
 * Serves `hub` under /v1/hub on a random port the way the composition root will: a hook sets
 * `request.lakecastUser` (here from an `x-test-user` header, default `alice`), then the hub routes.
 * `authorize` denies everything to user `mallory` and `write`/`admin` to user `reader`.
 */
export async function serveHub(hub: Hub): Promise<{ app: FastifyInstance; url: string; client: HubClient }> {
  const app = Fastify({ logger: false, ajv: STRICT_SCHEMAS });
  app.decorateRequest('lakecastUser', null as unknown as AuthUser);
  app.addHook('onRequest', async (req) => {
    const name = (req.headers['x-test-user'] as string | undefined) ?? 'alice';
    req.lakecastUser = { name, admin: false };
  });
  // The composition root's error envelope (src/http/server.ts).
  app.setErrorHandler((err, _req, reply) => {
    const lc = toLakecastError(err);
    void reply.status(lc.httpStatus).send({ error: lc.toJSON() });
  });
  await app.register(hubRoutes, {
    prefix: '/v1/hub',
    hub,
    authorize: async (user: AuthUser, _project: string, action: HubAction) =>
      user.name === 'mallory' ? false : user.name === 'reader' ? action === 'read' : true,
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `${address}/v1/hub`;
  return { app, url, client: new HubClient({ baseUrl: url }) };
}
