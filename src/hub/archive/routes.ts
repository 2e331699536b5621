import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../auth/types.js';
import '../../http/types.js';
import { CommonErrors, LakecastError, toLakecastError } from '../../shared/errors.js';
import { validationMessage } from '../../shared/validation-message.js';
import type { HubAction } from '../api/routes.js';
import { hubError } from '../errors.js';
import type { Archiver, ArchiveSpec } from './types.js';

export interface ArchiveRoutesOptions {
  readonly archiver: Archiver;
  /** The hub routes' check: `admin` to create/remove an archive, `read` to see it. */
  authorize(user: AuthUser, project: string, action: HubAction): Promise<boolean>;
  /** Whether `user` may create a table in `schema` (the catalog's CREATE privilege). Default: allowed. */
  canCreateTable?(user: AuthUser, schema: string): Promise<boolean>;
}

type T = { project: string; topic: string };
type Body = Omit<ArchiveSpec, 'project' | 'topic' | 'owner'>;

const name = { type: 'string', minLength: 1, maxLength: 128 } as const;
const topicParams = {
  type: 'object',
  required: ['project', 'topic'],
  properties: { project: name, topic: name },
} as const;
const createBody = {
  type: 'object',
  required: ['schema'],
  additionalProperties: false,
  properties: {
    schema: name,
    table: name,
    flushIntervalMs: { type: 'integer' },
    flushBytes: { type: 'integer' },
    startFrom: { type: 'string', enum: ['OLDEST', 'LATEST'] },
  },
} as const;

/**
 * Archive routes, a fastify plugin to register next to the hub's under `/v1/hub`:
 * `POST|GET|DELETE /projects/{project}/topics/{topic}/archive` (`?dropTable=true` on DELETE) and
 * `GET /archives`. Errors are Lakecast errors for the root's error handler, as the hub routes do.
 */
export async function archiveRoutes(app: FastifyInstance, opts: ArchiveRoutesOptions): Promise<void> {
  const { archiver } = opts;
  app.setErrorHandler((err: FastifyError | LakecastError) => {
    if (err instanceof LakecastError) throw err;
    const fe = err as FastifyError;
    if (fe.validation || (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500))
      throw hubError('HUB_BAD_REQUEST', validationMessage(fe));
    throw toLakecastError(err);
  });
  const allow = async (req: FastifyRequest, project: string, action: HubAction): Promise<AuthUser> => {
    const user = req.lakecastUser;
    if (!user) throw new LakecastError(CommonErrors.UNAUTHENTICATED, 'authentication required');
    if (!(await opts.authorize(user, project, action)))
      throw new LakecastError(
        CommonErrors.FORBIDDEN,
        `user ${user.name} may not ${action} project ${project}`,
      );
    return user;
  };
  const tags = ['hub'];
  const path = '/projects/:project/topics/:topic/archive';

  app.post<{ Params: T; Body: Body }>(
    path,
    { schema: { tags, summary: 'Archive a topic into the lake', params: topicParams, body: createBody } },
    async (req, reply) => {
      const user = await allow(req, req.params.project, 'admin');
      if (opts.canCreateTable && !(await opts.canCreateTable(user, req.body.schema)))
        throw new LakecastError(
          CommonErrors.FORBIDDEN,
          `user ${user.name} may not create tables in ${req.body.schema}`,
        );
      const info = await archiver.addArchive({ ...req.body, ...req.params, owner: user.name });
      return reply.status(201).send(info);
    },
  );
  app.get<{ Params: T }>(path, { schema: { tags, params: topicParams } }, async (req) => {
    await allow(req, req.params.project, 'read');
    const info = await archiver.getArchive(req.params.project, req.params.topic);
    if (!info)
      throw hubError('HUB_BAD_REQUEST', `topic ${req.params.project}.${req.params.topic} has no archive`);
    return info;
  });
  app.delete<{ Params: T; Querystring: { dropTable?: boolean } }>(
    path,
    {
      schema: {
        tags,
        params: topicParams,
        querystring: { type: 'object', properties: { dropTable: { type: 'boolean' } } },
      },
    },
    async (req, reply) => {
      await allow(req, req.params.project, 'admin');
      await archiver.removeArchive(req.params.project, req.params.topic, {
        dropTable: req.query.dropTable === true,
      });
      return reply.status(204).send();
    },
  );
  app.get(
    '/archives',
    { schema: { tags, summary: 'Archives of the projects the caller may read' } },
    async (req) => {
      const out = [];
      for (const a of await archiver.listArchives())
        if (req.lakecastUser && (await opts.authorize(req.lakecastUser, a.project, 'read'))) out.push(a);
      return { archives: out };
    },
  );
}

/** {@link archiveRoutes} as a plugin value for `createHttpServer({ plugins: [{ prefix: '/hub', plugin }] })`. */
export function archivePlugin(opts: ArchiveRoutesOptions): FastifyPluginAsync {
  return async (app) => archiveRoutes(app, opts);
}
