import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedHub, openEmbeddedHub } from '../../../src/hub/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { serveHub } from './http-server.js';

describe('hub HTTP routes', () => {
  const tmp = tempDir('lakecast-hub-routes-');
  let hub: EmbeddedHub;
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    hub = await openEmbeddedHub({ dir: tmp.dir, retentionCheckMs: 0 });
    ({ app, url } = await serveHub(hub));
    await hub.createProject({ name: 'web' });
    await hub.createTopic('web', {
      name: 'lines',
      shardCount: 2,
      lifecycleDays: 1,
      recordType: 'TUPLE',
      schema: [{ name: 'line', type: 'STRING' }],
    });
    await hub.createTopic('web', { name: 'blobs', shardCount: 1, lifecycleDays: 1, recordType: 'BLOB' });
  });
  afterAll(async () => {
    await app.close();
    await hub.close();
    tmp.cleanup();
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('records - application/x-ndjson bulk append with per-record results', async () => {
    const body = `${JSON.stringify({ data: ['a'], shardId: 0 })}\n${JSON.stringify({ data: [1], shardId: 0 })}\n\n${JSON.stringify({ data: { line: 'c' }, partitionKey: 'k' })}\n`;
    const res = await post('/projects/web/topics/lines/records', body, {
      'content-type': 'application/x-ndjson',
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as {
      results: { ok: boolean; error?: { code: string } }[];
      failedCount: number;
    };
    expect(json.failedCount).toBe(1);
    expect(json.results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(json.results[1].error?.code).toBe('LC_HUB_RECORD_INVALID');
    const bad = await post('/projects/web/topics/lines/records', '{"data":["x"]}\nnot json\n', {
      'content-type': 'application/x-ndjson',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('LC_HUB_BAD_REQUEST');
  });

  it('records - BLOB data travels base64 both ways; reads return base64', async () => {
    const res = await post(
      '/projects/web/topics/blobs/records',
      JSON.stringify({ records: [{ data: Buffer.from([0, 1, 255]).toString('base64') }] }),
    );
    expect(res.status).toBe(200);
    const cur = (await (
      await post('/projects/web/topics/blobs/shards/0/cursor', '{"type":"OLDEST"}')
    ).json()) as { cursor: string };
    const read = await fetch(
      `${url}/projects/web/topics/blobs/shards/0/records?cursor=${cur.cursor}&limit=5`,
    );
    const body = (await read.json()) as { records: { data: string }[] };
    expect(Buffer.from(body.records[0].data, 'base64')).toEqual(Buffer.from([0, 1, 255]));
  });

  it('errors - stable codes and statuses: validation, unknown names, too large, forbidden', async () => {
    const noBody = await post('/projects/web/topics/lines/records', '{}');
    expect(noBody.status).toBe(400);
    expect(((await noBody.json()) as { error: { code: string } }).error.code).toBe('LC_HUB_BAD_REQUEST');
    // A misspelt record key is refused by name (JSON and NDJSON alike), not dropped: the record would have gone
    // to another shard than its partition key's.
    for (const [body, type] of [
      ['{"records":[{"data":["x"],"partitonKey":"k"}]}', 'application/json'],
      ['{"data":["x"],"partitonKey":"k"}\n', 'application/x-ndjson'],
    ]) {
      const typo = await post('/projects/web/topics/lines/records', body!, { 'content-type': type! });
      expect(typo.status).toBe(400);
      const error = ((await typo.json()) as { error: { code: string; message: string } }).error;
      expect(error).toMatchObject({
        code: 'LC_HUB_BAD_REQUEST',
        message: expect.stringContaining("'partitonKey'"),
      });
    }
    const missing = await fetch(`${url}/projects/web/topics/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('LC_HUB_TOPIC_NOT_FOUND');
    const huge = await post(
      '/projects/web/topics/blobs/records',
      JSON.stringify({ records: [{ data: 'A'.repeat(9 * 1024 * 1024) }] }),
    );
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe('LC_HUB_REQUEST_TOO_LARGE');
    const forged = await fetch(`${url}/projects/web/topics/blobs/shards/0/records?cursor=AAAA`);
    expect(forged.status).toBe(400);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('LC_HUB_CURSOR_INVALID');
    const denied = await fetch(`${url}/projects/web`, { headers: { 'x-test-user': 'mallory' } });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('LC_FORBIDDEN');
    const readerWrite = await post('/projects/web/topics/blobs/records', '{"records":[]}', {
      'x-test-user': 'reader',
    });
    expect(readerWrite.status).toBe(403);
    const readerRead = await fetch(`${url}/projects/web/topics/blobs`, {
      headers: { 'x-test-user': 'reader' },
    });
    expect(readerRead.status).toBe(200);
    const list = await fetch(`${url}/projects`, { headers: { 'x-test-user': 'mallory' } });
    expect(((await list.json()) as { projects: unknown[] }).projects).toEqual([]);
  });

  it('reading - a long poll over HTTP is woken by an append', async () => {
    const cur = (await (
      await post('/projects/web/topics/blobs/shards/0/cursor', '{"type":"LATEST"}')
    ).json()) as { cursor: string };
    const first = (await (
      await fetch(`${url}/projects/web/topics/blobs/shards/0/records?cursor=${cur.cursor}`)
    ).json()) as { nextCursor: string };
    const started = Date.now();
    const pending = fetch(
      `${url}/projects/web/topics/blobs/shards/0/records?cursor=${first.nextCursor}&waitMs=10000`,
    );
    setTimeout(() => void hub.appendRecords('web', 'blobs', [{ data: new Uint8Array([7]) }]), 150);
    const body = (await (await pending).json()) as { records: { data: string }[] };
    expect(body.records.map((r) => r.data)).toEqual([Buffer.from([7]).toString('base64')]);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('hub HTTP routes - OpenAPI', () => {
  it('every hub route appears in the OpenAPI document with its schemas', async () => {
    const { default: Fastify } = await import('fastify');
    const { default: swagger } = await import('@fastify/swagger');
    const { hubRoutes } = await import('../../../src/hub/index.js');
    const tmp = tempDir('lakecast-hub-openapi-');
    const hub = await openEmbeddedHub({ dir: tmp.dir, retentionCheckMs: 0 });
    const app = Fastify();
    await app.register(swagger, { openapi: { info: { title: 'lakecast', version: '0' } } });
    await app.register(hubRoutes, { prefix: '/v1/hub', hub, authorize: async () => true });
    await app.ready();
    const doc = app.swagger() as {
      paths: Record<string, Record<string, { tags?: string[]; requestBody?: unknown }>>;
    };
    const paths = Object.keys(doc.paths).filter((p) => p.startsWith('/v1/hub/'));
    expect(paths).toContain('/v1/hub/projects/{project}/topics/{topic}/records');
    expect(paths).toContain('/v1/hub/projects/{project}/topics/{topic}/shards/{shard}/records');
    expect(paths).toContain(
      '/v1/hub/projects/{project}/topics/{topic}/subscriptions/{subscription}/group/join',
    );
    expect(doc.paths['/v1/hub/projects/{project}/topics']?.post?.tags).toEqual(['hub']);
    expect(doc.paths['/v1/hub/projects/{project}/topics']?.post?.requestBody).toBeDefined();
    await app.close();
    await hub.close();
    tmp.cleanup();
  });
});
