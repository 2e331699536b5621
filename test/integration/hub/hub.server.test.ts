import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer } from '../../../src/http/index.js';
import { type EmbeddedHub, HubClient, hubPlugin, openEmbeddedHub } from '../../../src/hub/index.js';
import { createMetrics } from '../../../src/metrics/index.js';
import { silentLogger } from '../../../src/shared/index.js';
import { tempDir } from '../../helpers/tmp.js';

/** The hub routes mounted the way the composition root does: createHttpServer({ plugins: [{ prefix: '/hub', … }] }). */
describe('hub HTTP API inside the Lakecast HTTP server', () => {
  const tmp = tempDir('lakecast-hub-server-');
  let hub: EmbeddedHub;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    hub = await openEmbeddedHub({ dir: tmp.dir, retentionCheckMs: 0 });
    app = await createHttpServer({
      host: '127.0.0.1',
      port: 0,
      auth: {
        authenticatePassword: async (user, password) =>
          password === 'pw' ? { name: user, admin: false } : null,
        authenticateToken: async () => null,
      },
      sql: { openSession: async () => Promise.reject(new Error('no sql here')) },
      metrics: createMetrics(),
      logger: silentLogger(),
      version: 'test',
      plugins: [
        {
          prefix: '/hub',
          plugin: hubPlugin({
            hub,
            authorize: async (user, project) => user.name === 'alice' || project === 'public',
          }),
        },
      ],
    });
    base = `${await app.listen({ host: '127.0.0.1', port: 0 })}/v1/hub`;
  });
  afterAll(async () => {
    await app?.close();
    await hub?.close();
    tmp.cleanup();
  });

  it('authenticated calls work end to end; errors use the server-wide envelope and codes', async () => {
    const alice = new HubClient({ baseUrl: base, auth: { username: 'alice', password: 'pw' } });
    await alice.createProject({ name: 'logs' });
    await alice.createTopic('logs', { name: 'lines', shardCount: 1, lifecycleDays: 1, recordType: 'BLOB' });
    const res = await alice.appendRecords('logs', 'lines', [{ data: new Uint8Array([1, 2, 3]) }]);
    expect(res.results[0]).toMatchObject({ ok: true, shardId: 0, sequence: 0 });
    await expect(alice.getTopic('logs', 'nope')).rejects.toMatchObject({
      code: 'LC_HUB_TOPIC_NOT_FOUND',
      httpStatus: 404,
    });

    const bob = new HubClient({ baseUrl: base, auth: { username: 'bob', password: 'pw' } });
    await expect(bob.getTopic('logs', 'lines')).rejects.toMatchObject({ code: 'LC_FORBIDDEN' });
    const anon = await fetch(`${base}/projects`);
    expect(anon.status).toBe(401);
    const bad = await fetch(`${base}/projects/logs/topics/lines/records`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('alice:pw').toString('base64')}`,
        'content-type': 'application/json',
      },
      body: '{"nope":1}',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('LC_HUB_BAD_REQUEST');
    const doc = (await (await fetch(`${base.replace('/v1/hub', '')}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toContain('/v1/hub/projects/{project}/topics/{topic}/records');
  });
});
