import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthUser } from '../../../src/auth/types.js';
import { STRICT_SCHEMAS } from '../../../src/http/index.js';
import { archiveRoutes, type HubAction, hubRoutes } from '../../../src/hub/index.js';
import { toLakecastError } from '../../../src/shared/errors.js';
import { tempDir } from '../../helpers/tmp.js';
import { type ArchiveStack, startArchiveStack, waitArchived } from './archive-stack.js';

describe('hub archive - HTTP routes', () => {
  const tmp = tempDir('lakecast-archive-http-');
  let stack: ArchiveStack;
  let app: FastifyInstance;
  let base: string;
  const call = (method: string, path: string, body?: unknown, user = 'alice') =>
    fetch(`${base}${path}`, {
      method,
      headers: { 'x-test-user': user, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  beforeAll(async () => {
    stack = await startArchiveStack(tmp.dir, 'pw', { mysql: false });
    app = Fastify({ logger: false, ajv: STRICT_SCHEMAS });
    app.decorateRequest('lakecastUser', null as unknown as AuthUser);
    app.addHook('onRequest', async (req) => {
      req.lakecastUser = { name: (req.headers['x-test-user'] as string) ?? 'alice', admin: false };
    });
    app.setErrorHandler((err, _req, reply) => {
      const lc = toLakecastError(err);
      void reply.status(lc.httpStatus).send({ error: lc.toJSON() });
    });
    const authorize = async (user: AuthUser, _p: string, action: HubAction) =>
      user.name === 'reader' ? action === 'read' : true;
    await app.register(hubRoutes, { prefix: '/v1/hub', hub: stack.hub, authorize });
    await app.register(archiveRoutes, {
      prefix: '/v1/hub',
      archiver: stack.archiver,
      authorize,
      canCreateTable: async (_u: AuthUser, schema: string) => schema !== 'secret',
    });
    base = `${await app.listen({ host: '127.0.0.1', port: 0 })}/v1/hub`;
    await stack.hub.createProject({ name: 'web' });
    await stack.hub.createTopic('web', { name: 'raw', shardCount: 1, lifecycleDays: 1, recordType: 'BLOB' });
  });
  afterAll(async () => {
    await app?.close();
    await stack?.close();
    tmp.cleanup();
  });

  it('archive routes - create, read, list, delete with permissions and validation', async () => {
    const path = '/projects/web/topics/raw/archive';
    expect((await call('POST', path, { schema: 'arc' }, 'reader')).status).toBe(403);
    expect((await call('POST', path, { schema: 'secret' })).status).toBe(403);
    const bad = await call('POST', path, { schema: 'arc', flushIntervalMs: 'soon' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('LC_HUB_BAD_REQUEST');

    const created = await call('POST', path, { schema: 'arc', flushIntervalMs: 200 });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ project: 'web', topic: 'raw', schema: 'arc', table: 'raw' });
    expect((await stack.catalog.getTable('arc', 'raw'))?.owner).toBe('alice');

    await stack.hub.appendRecords('web', 'raw', [{ data: new Uint8Array([1]) }]);
    await waitArchived(stack, 'web', 'raw');
    const got = await call('GET', path, undefined, 'reader');
    expect(await got.json()).toMatchObject({ status: { state: 'running', archivedRecords: 1, files: 1 } });
    expect(
      ((await (await call('GET', '/archives')).json()) as { archives: unknown[] }).archives,
    ).toHaveLength(1);

    expect((await call('DELETE', `${path}?dropTable=true`, undefined, 'reader')).status).toBe(403);
    expect((await call('DELETE', `${path}?dropTable=true`)).status).toBe(204);
    expect(await stack.catalog.getTable('arc', 'raw')).toBeNull();
    expect((await call('GET', path)).status).toBe(400);
  });
});
