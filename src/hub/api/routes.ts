import type {
  FastifyError,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import type { AuthUser } from '../../auth/types.js';
import '../../http/types.js';
import { CommonErrors, LakecastError, toLakecastError } from '../../shared/errors.js';
import { validationMessage } from '../../shared/validation-message.js';
import { hubError } from '../errors.js';
import type {
  CommitRequest,
  CursorRequest,
  Hub,
  HubRecord,
  JoinGroupRequest,
  ProjectSpec,
  RecordInput,
  SubscriptionSpec,
  TopicSpec,
  TopicUpdate,
} from '../types.js';
import * as S from './schemas.js';

export type HubAction = 'read' | 'write' | 'admin';

export interface HubRoutesOptions {
  readonly hub: Hub;
  /** Whether `user` may do `action` on `project`. Project creation asks for `admin` on the new name. */
  authorize(user: AuthUser, project: string, action: HubAction): Promise<boolean>;
}

/**
 * Bytes accepted on the records route before decoding: 4 MiB of record bytes as base64 inside JSON, plus
 * keys and attributes. The hub then enforces the 4 MiB limit on decoded bytes.
 */
export const RECORDS_BODY_LIMIT = 8 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

type P = { project: string };
type T = P & { topic: string };
type Sh = T & { shard: number };
type Sub = T & { subscription: string };

/** Wire → in-process: base64 strings become bytes (only BLOB topics accept bytes; TUPLE data is never a string). */
export function recordFromWire(r: Record<string, unknown>): RecordInput {
  const data = r.data;
  if (typeof data === 'string') {
    // Invalid base64 stays a string, which the hub rejects per record ("BLOB data must be bytes").
    const bytes = data.length % 4 === 0 && BASE64.test(data) ? Buffer.from(data, 'base64') : data;
    return { ...r, data: bytes } as RecordInput;
  }
  return r as unknown as RecordInput;
}

/** In-process → wire: BLOB bytes become base64. */
export function recordToWire(r: HubRecord): Record<string, unknown> {
  if (r.data instanceof Uint8Array) {
    return {
      ...r,
      data: Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength).toString('base64'),
    };
  }
  return r as unknown as Record<string, unknown>;
}

function parseNdjson(body: string): { records: unknown[] } {
  const records: unknown[] = [];
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    try {
      records.push(JSON.parse(line));
    } catch {
      throw hubError('HUB_BAD_REQUEST', `line ${i + 1} is not JSON`);
    }
  }
  return { records };
}

/**
 * The hub's HTTP API as a fastify plugin; the composition root registers it under `/v1/hub` after its auth
 * hook has set `request.lakecastUser`. Errors are thrown as {@link LakecastError}s (fastify's validation and
 * body-size errors mapped to LC_HUB_* codes) to the root's error handler, which answers
 * `{ error: { code, message, errno, sqlState } }` with the catalog's HTTP status.
 */
export async function hubRoutes(app: FastifyInstance, opts: HubRoutesOptions): Promise<void> {
  const { hub } = opts;

  if (!app.hasContentTypeParser('application/x-ndjson')) {
    app.addContentTypeParser(
      'application/x-ndjson',
      { parseAs: 'string', bodyLimit: RECORDS_BODY_LIMIT },
      (_req, body, done) => {
        try {
          done(null, parseNdjson(body as string));
        } catch (err) {
          done(err as Error, undefined);
        }
      },
    );
  }

  // Fastify's own errors become hub codes, then go to the parent (the composition root's) error handler,
  // which renders every Lakecast error as `{ error: { code, message, errno, sqlState } }` and counts it.
  app.setErrorHandler((err: FastifyError | LakecastError) => {
    if (err instanceof LakecastError) throw err;
    const fe = err as FastifyError;
    if (fe.validation) throw hubError('HUB_BAD_REQUEST', validationMessage(fe));
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      throw hubError('HUB_REQUEST_TOO_LARGE', 'request body too large');
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500)
      throw hubError('HUB_BAD_REQUEST', fe.message);
    throw toLakecastError(err);
  });

  const allow = async (req: FastifyRequest, project: string, action: HubAction): Promise<void> => {
    const user = req.lakecastUser;
    if (!user) throw new LakecastError(CommonErrors.UNAUTHENTICATED, 'authentication required');
    if (!(await opts.authorize(user, project, action))) {
      throw new LakecastError(
        CommonErrors.FORBIDDEN,
        `user ${user.name} may not ${action} project ${project}`,
      );
    }
  };

  const tags = ['hub'];
  const errors = { 400: S.errorResponse, 403: S.errorResponse, 404: S.errorResponse };

  // ---- projects
  app.post<{ Body: ProjectSpec }>(
    '/projects',
    { schema: { tags, summary: 'Create a project', body: S.createProjectBody } },
    async (req, reply) => {
      await allow(req, req.body.name, 'admin');
      return reply.status(201).send(await hub.createProject(req.body));
    },
  );
  app.get(
    '/projects',
    { schema: { tags, summary: 'List the projects the caller may read' } },
    async (req) => {
      const all = await hub.listProjects();
      const out = [];
      for (const p of all) if (await opts.authorize(req.lakecastUser, p.name, 'read')) out.push(p);
      return { projects: out };
    },
  );
  app.get<{ Params: P }>(
    '/projects/:project',
    { schema: { tags, params: S.projectParams, response: errors } },
    async (req) => {
      await allow(req, req.params.project, 'read');
      return hub.getProject(req.params.project);
    },
  );
  app.delete<{ Params: P }>(
    '/projects/:project',
    { schema: { tags, params: S.projectParams } },
    async (req, reply) => {
      await allow(req, req.params.project, 'admin');
      await hub.deleteProject(req.params.project);
      return reply.status(204).send();
    },
  );

  // ---- topics
  app.post<{ Params: P; Body: TopicSpec }>(
    '/projects/:project/topics',
    { schema: { tags, summary: 'Create a topic', params: S.projectParams, body: S.createTopicBody } },
    async (req, reply) => {
      await allow(req, req.params.project, 'admin');
      return reply.status(201).send(await hub.createTopic(req.params.project, req.body));
    },
  );
  app.get<{ Params: P }>(
    '/projects/:project/topics',
    { schema: { tags, params: S.projectParams } },
    async (req) => {
      await allow(req, req.params.project, 'read');
      return { topics: await hub.listTopics(req.params.project) };
    },
  );
  app.get<{ Params: T }>(
    '/projects/:project/topics/:topic',
    { schema: { tags, summary: 'A topic with shard stats', params: S.topicParams } },
    async (req) => {
      await allow(req, req.params.project, 'read');
      return hub.getTopic(req.params.project, req.params.topic);
    },
  );
  app.patch<{ Params: T; Body: TopicUpdate }>(
    '/projects/:project/topics/:topic',
    {
      schema: {
        tags,
        summary: 'Raise shard count, change lifecycle or comment',
        params: S.topicParams,
        body: S.updateTopicBody,
      },
    },
    async (req) => {
      await allow(req, req.params.project, 'admin');
      return hub.updateTopic(req.params.project, req.params.topic, req.body);
    },
  );
  app.delete<{ Params: T }>(
    '/projects/:project/topics/:topic',
    { schema: { tags, params: S.topicParams } },
    async (req, reply) => {
      await allow(req, req.params.project, 'admin');
      await hub.deleteTopic(req.params.project, req.params.topic);
      return reply.status(204).send();
    },
  );

  // ---- records
  app.post<{ Params: T; Body: { records: Record<string, unknown>[] } }>(
    '/projects/:project/topics/:topic/records',
    {
      bodyLimit: RECORDS_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Append a batch (JSON `{records}` or application/x-ndjson, one record a line)',
        params: S.topicParams,
        body: S.appendBody,
      },
    },
    async (req) => {
      await allow(req, req.params.project, 'write');
      return hub.appendRecords(req.params.project, req.params.topic, req.body.records.map(recordFromWire));
    },
  );
  app.post<{ Params: Sh; Body: CursorRequest }>(
    '/projects/:project/topics/:topic/shards/:shard/cursor',
    { schema: { tags, summary: 'Get a cursor', params: S.shardParams, body: S.cursorBody } },
    async (req) => {
      await allow(req, req.params.project, 'read');
      return hub.getCursor(req.params.project, req.params.topic, req.params.shard, req.body);
    },
  );
  app.get<{ Params: Sh; Querystring: { cursor: string; limit?: number; waitMs?: number } }>(
    '/projects/:project/topics/:topic/shards/:shard/records',
    {
      schema: {
        tags,
        summary: 'Read records from a cursor (long poll with waitMs)',
        params: S.shardParams,
        querystring: S.readQuery,
      },
    },
    async (req, reply: FastifyReply) => {
      await allow(req, req.params.project, 'read');
      const ac = new AbortController();
      const onClose = () => ac.abort();
      reply.raw.once('close', onClose);
      try {
        const r = await hub.getRecords(req.params.project, req.params.topic, req.params.shard, {
          cursor: req.query.cursor,
          ...(req.query.limit !== undefined ? { limit: req.query.limit } : {}),
          ...(req.query.waitMs !== undefined ? { waitMs: req.query.waitMs } : {}),
          signal: ac.signal,
        });
        return { ...r, records: r.records.map(recordToWire) };
      } finally {
        reply.raw.off('close', onClose);
      }
    },
  );

  // ---- subscriptions and groups
  const subBase = '/projects/:project/topics/:topic/subscriptions';
  app.post<{ Params: T; Body: SubscriptionSpec }>(
    subBase,
    {
      schema: {
        tags,
        summary: 'Create a subscription',
        params: S.topicParams,
        body: S.createSubscriptionBody,
      },
    },
    async (req, reply) => {
      await allow(req, req.params.project, 'read');
      return reply
        .status(201)
        .send(await hub.createSubscription(req.params.project, req.params.topic, req.body));
    },
  );
  app.get<{ Params: T }>(subBase, { schema: { tags, params: S.topicParams } }, async (req) => {
    await allow(req, req.params.project, 'read');
    return { subscriptions: await hub.listSubscriptions(req.params.project, req.params.topic) };
  });
  app.delete<{ Params: Sub }>(
    `${subBase}/:subscription`,
    { schema: { tags, params: S.subscriptionParams } },
    async (req, reply) => {
      await allow(req, req.params.project, 'read');
      await hub.deleteSubscription(req.params.project, req.params.topic, req.params.subscription);
      return reply.status(204).send();
    },
  );
  app.post<{ Params: Sub; Body: CommitRequest }>(
    `${subBase}/:subscription/offsets`,
    {
      schema: {
        tags,
        summary: 'Commit offsets (next sequence per shard)',
        params: S.subscriptionParams,
        body: S.commitBody,
      },
    },
    async (req, reply) => {
      await allow(req, req.params.project, 'read');
      await hub.commitOffsets(req.params.project, req.params.topic, req.params.subscription, req.body);
      return reply.status(204).send();
    },
  );
  app.get<{ Params: Sub }>(
    `${subBase}/:subscription/offsets`,
    { schema: { tags, params: S.subscriptionParams } },
    async (req) => {
      await allow(req, req.params.project, 'read');
      return { offsets: await hub.getOffsets(req.params.project, req.params.topic, req.params.subscription) };
    },
  );
  app.post<{ Params: Sub; Body: JoinGroupRequest }>(
    `${subBase}/:subscription/group/join`,
    { schema: { tags, summary: 'Join the consumer group', params: S.subscriptionParams, body: S.joinBody } },
    async (req) => {
      await allow(req, req.params.project, 'read');
      return hub.joinGroup(req.params.project, req.params.topic, req.params.subscription, req.body ?? {});
    },
  );
  app.post<{ Params: Sub; Body: { consumerId: string } }>(
    `${subBase}/:subscription/group/heartbeat`,
    {
      schema: {
        tags,
        summary: 'Heartbeat; returns the current assignment',
        params: S.subscriptionParams,
        body: S.consumerBody,
      },
    },
    async (req) => {
      await allow(req, req.params.project, 'read');
      return hub.heartbeat(
        req.params.project,
        req.params.topic,
        req.params.subscription,
        req.body.consumerId,
      );
    },
  );
  app.post<{ Params: Sub; Body: { consumerId: string } }>(
    `${subBase}/:subscription/group/leave`,
    {
      schema: {
        tags,
        summary: 'Leave the consumer group',
        params: S.subscriptionParams,
        body: S.consumerBody,
      },
    },
    async (req, reply) => {
      await allow(req, req.params.project, 'read');
      await hub.leaveGroup(
        req.params.project,
        req.params.topic,
        req.params.subscription,
        req.body.consumerId,
      );
      return reply.status(204).send();
    },
  );
}

/** {@link hubRoutes} bound to its options, in the shape the composition root mounts (`{ prefix: '/hub', plugin }`). */
export function hubPlugin(opts: HubRoutesOptions): FastifyPluginAsync {
  return async (app) => hubRoutes(app, opts);
}
