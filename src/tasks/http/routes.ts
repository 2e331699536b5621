/**
 * The tasks HTTP API, a fastify plugin the composition root mounts under `/v1` with prefix {@link TASKS_HTTP_PREFIX}
 * behind its auth hook (which sets `request.lakecastUser`):
 *   POST /v1/tasks                 { sql, database?, hints? } → 202 { id, status, … } (Location: /v1/tasks/{id});
 *                                  an `Idempotency-Key` header is the `client-token` hint
 *   GET  /v1/tasks/{id}            the task row (SHOW QUERY_TASK's columns as JSON)
 *   GET  /v1/tasks?status=&limit=&user=&after=   the caller's tasks, newest first (admins: user=<name> or
 *                                  user=*; after=<last id of the previous page> for the next page)
 *   POST /v1/tasks/{id}/cancel     cancels (as KILL QUERY) → the final row
 *   GET  /v1/tasks/{id}/events     Server-Sent Events: `task` (the row now), `progress`, then the terminal event
 *   GET  /v1/tasks/{id}/result     streams the result file, to its owner (or an admin) only; one byte range
 *                                  (`Range`, `If-Range`; 206/416), `ETag` and `If-None-Match` (304); CSV and
 *                                  NDJSON sent whole are gzipped for clients that accept it; `?redirect=true`
 *                                  answers 307 to a result link instead
 *   GET  /v1/tasks/{id}/result-url { url, expires_at, … }: a link that fetches the file without credentials
 *                                  until it expires (presigned by S3, or signed by this server: link-routes.ts)
 *   DELETE /v1/tasks/{id}/result   deletes the result file now (the row stays, `result_deleted_at` set) → the row
 */
import { PassThrough, Readable } from 'node:stream';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../auth/types.js';
import { CommonErrors, LakecastError } from '../../shared/index.js';
import { HintErrors, type Hints, hintsFromEntries, hintsToEntries, parseHints } from '../../sql/hints.js';
import { taskToJson } from '../columns.js';
import { MAX_TASK_SQL_BYTES, TaskErrors } from '../errors.js';
import type { TaskEventName } from '../events.js';
import type { TaskService } from '../service.js';
import { isTerminal, TASK_STATUSES, type TaskStatus } from '../store/types.js';
import type { ResultGzip } from './encoding.js';
import { sendResult } from './send-result.js';

/** Where the root mounts {@link taskRoutes} under `/v1`. */
export const TASKS_HTTP_PREFIX = '/tasks';

/** SSE comment sent this often so proxies keep the stream open. */
export const SSE_HEARTBEAT_MS = 15_000;

export interface TaskRoutesOptions {
  readonly tasks: TaskService;
  /**
   * gzip of CSV and NDJSON results sent whole to clients that accept it: `remote` (default) — only to clients
   * not on loopback, where compressing (~100 MB/s per core) is slower than sending; `always`; `never`.
   */
  readonly resultGzip?: ResultGzip;
}

interface SubmitBody {
  sql: string;
  database?: string;
  hints?: Record<string, string | number | boolean | string[]>;
}

const submitSchema = {
  headers: {
    type: 'object',
    properties: {
      'idempotency-key': {
        type: 'string',
        description: 'the client-token hint: a retried POST with the same key returns the same task',
      },
    },
  },
  body: {
    type: 'object',
    required: ['sql'],
    additionalProperties: false,
    properties: {
      sql: {
        type: 'string',
        minLength: 1,
        maxLength: MAX_TASK_SQL_BYTES,
        description: 'One query; may start with a hint comment',
      },
      database: { type: 'string', minLength: 1, maxLength: 256, description: 'Current database (as USE)' },
      hints: {
        type: 'object',
        description:
          'Hints as in /*+ … */ (e.g. {"output-format":"json","mq-notify-by":"ops"}); run-async is implied',
        additionalProperties: {
          anyOf: [
            { type: 'string' },
            { type: 'number' },
            { type: 'boolean' },
            { type: 'array', items: { type: 'string' } },
          ],
        },
      },
    },
  },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...TASK_STATUSES] },
    limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 100 },
    user: { type: 'string', minLength: 1, maxLength: 256, description: 'admins: another user, or * for all' },
    after: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: 'the last id of the previous page: the tasks listed after it (newest first)',
    },
  },
} as const;

function userOf(request: FastifyRequest): AuthUser {
  const user = request.lakecastUser;
  if (!user) throw new LakecastError(CommonErrors.UNAUTHENTICATED, 'authentication required');
  return user;
}

/**
 * The `Idempotency-Key` request header (IETF httpapi draft; as Stripe and others send it) as the `client-token`
 * hint: retrying a POST with the same key returns the same task. The value may be a structured-field string
 * (`"…"`) or bare; it must be a valid client token. Given beside a `client-token` hint it must be the same.
 */
export function withIdempotencyKey(hints: Hints, header: string | string[] | undefined): Hints {
  if (header === undefined) return hints;
  if (typeof header !== 'string')
    throw new LakecastError(HintErrors.HINT_INVALID, 'Idempotency-Key given more than once');
  const raw = header.trim();
  const key = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  const token = hintsFromEntries([['client-token', key]]).clientToken;
  if (hints.clientToken !== undefined && hints.clientToken !== token) {
    throw new LakecastError(
      HintErrors.HINT_INVALID,
      'the Idempotency-Key header and the client-token hint differ; give one of them',
    );
  }
  return { ...hints, clientToken: token };
}

function remote(request: FastifyRequest): string {
  return request.ip ?? 'http';
}

const resultQuery = {
  type: 'object',
  properties: {
    redirect: {
      type: 'string',
      enum: ['true', 'false', '1', '0'],
      description:
        'answer 307 to a link that fetches the file without credentials (see /result-url); the file itself when links are off',
    },
  },
} as const;

/** The tasks routes (see the module comment). */
export function taskRoutes(options: TaskRoutesOptions): FastifyPluginAsync {
  const { tasks, resultGzip = 'remote' } = options;
  return async (app) => {
    app.post<{ Body: SubmitBody }>('/', { schema: submitSchema }, async (request, reply) => {
      const user = userOf(request);
      const { sql, database, hints } = request.body;
      // Hints may be written in the SQL, given as JSON, or both; a key given twice is an error.
      const fromSql = hintsToEntries(parseHints(sql).hints);
      const merged = withIdempotencyKey(
        hintsFromEntries([...fromSql, ...Object.entries(hints ?? {})]),
        request.headers['idempotency-key'],
      );
      const id = await tasks.submit(
        { user, database: database ?? null, connectionId: 0, remoteAddress: remote(request) },
        sql,
        { ...merged, runAsync: true },
      );
      const task = await tasks.get(id, user);
      reply.code(202).header('location', `${request.url.replace(/\/?$/, '')}/${id}`);
      return taskToJson(task);
    });

    /*
     * `{ "tasks": [ … ] }`, streamed page by page (up to 10,000 tasks are several MB of JSON: built at once they
     * held the event loop for ~0.3 s). The first page is read before anything is sent, so a bad `user` or `after`
     * still answers with its error status.
     */
    app.get<{ Querystring: { status?: TaskStatus; limit?: number; user?: string; after?: string } }>(
      '/',
      { schema: { querystring: listQuery } },
      async (request, reply) => {
        const user = userOf(request);
        const { status, limit, user: creator, after } = request.query;
        const pages = tasks.listPages(user, { status, limit, creator, after });
        const first = await pages.next();
        async function* body(): AsyncGenerator<string> {
          yield '{"tasks":[';
          let comma = '';
          for (let r = first; !r.done; r = await pages.next()) {
            yield comma + r.value.map((t) => JSON.stringify(taskToJson(t))).join(',');
            comma = ',';
          }
          yield ']}';
        }
        reply.type('application/json; charset=utf-8');
        return reply.send(Readable.from(body()));
      },
    );

    app.get<{ Params: { id: string } }>('/:id', { schema: { params: idParams } }, async (request) => {
      return taskToJson(await tasks.get(request.params.id, userOf(request)));
    });

    app.post<{ Params: { id: string } }>('/:id/cancel', { schema: { params: idParams } }, async (request) => {
      return taskToJson(await tasks.cancel(request.params.id, userOf(request)));
    });

    app.delete<{ Params: { id: string } }>(
      '/:id/result',
      { schema: { params: idParams } },
      async (request) => {
        return taskToJson(await tasks.deleteResult(request.params.id, userOf(request)));
      },
    );

    // A link is a bearer credential until it expires: never cached by anything between server and client.
    app.get<{ Params: { id: string } }>(
      '/:id/result-url',
      { schema: { params: idParams } },
      async (request, reply) => {
        const link = await tasks.resultUrl(request.params.id, userOf(request));
        reply.header('cache-control', 'no-store');
        return {
          id: link.task.id,
          // A server-signed link is a path here: the URL this client reached the server at goes in front.
          url: link.url.startsWith('/') ? `${request.protocol}://${request.host}${link.url}` : link.url,
          expires_at: new Date(link.expiresAt).toISOString(),
          content_type: link.contentType,
          file_name: link.fileName,
          size: link.task.result_file_size,
        };
      },
    );

    app.get<{ Params: { id: string }; Querystring: { redirect?: 'true' | 'false' | '1' | '0' } }>(
      '/:id/result',
      { schema: { params: idParams, querystring: resultQuery } },
      async (request, reply) => {
        const { id } = request.params;
        const { redirect } = request.query;
        if (redirect === 'true' || redirect === '1') {
          const link = await tasks.resultUrl(id, userOf(request)).catch((err: unknown) => {
            // No links here (a local results root, or links off): the file itself is the answer.
            if ((err as LakecastError).code === TaskErrors.TASK_RESULT_URL_UNAVAILABLE.code) return null;
            throw err;
          });
          if (link)
            return reply.code(307).header('cache-control', 'no-store').header('location', link.url).send();
        }
        return sendResult(request, reply, {
          etagId: id,
          resultGzip,
          open: (range) => tasks.openResult(id, userOf(request), range),
        });
      },
    );

    app.get<{ Params: { id: string } }>(
      '/:id/events',
      { schema: { params: idParams } },
      async (request, reply) => {
        const user = userOf(request);
        const id = request.params.id;
        const task = await tasks.get(id, user);
        const stream = new PassThrough();
        const send = (event: string, data: unknown) => {
          if (!stream.writableEnded) stream.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        };
        const offs: (() => void)[] = [];
        const close = () => {
          for (const off of offs.splice(0)) off();
          clearInterval(heartbeat);
          if (!stream.writableEnded) stream.end();
        };
        const heartbeat = setInterval(() => stream.write(': keep-alive\n\n'), SSE_HEARTBEAT_MS);
        heartbeat.unref();
        send('task', taskToJson(task));
        if (isTerminal(task.status)) {
          close();
        } else {
          const names: TaskEventName[] = [
            'task:started',
            'task:progress',
            'task:succeeded',
            'task:failed',
            'task:cancelled',
          ];
          for (const name of names) {
            offs.push(
              tasks.events.on(name, (e) => {
                if (e.id !== id) return;
                const short = name.slice('task:'.length);
                if (name === 'task:progress' || name === 'task:started') {
                  send(short, { id, status: e.status, progress: e.progress ?? null });
                } else {
                  send(short, e.task ? taskToJson(e.task) : { id, status: e.status });
                  close();
                }
              }),
            );
          }
          // The task may have ended between the read above and the subscription.
          const now = await tasks.store.get(id);
          if (now && isTerminal(now.status)) {
            send(
              now.status === 'SUCCESS' ? 'succeeded' : now.status === 'FAILURE' ? 'failed' : 'cancelled',
              taskToJson(now),
            );
            close();
          }
        }
        request.raw.on('close', close);
        reply
          .header('content-type', 'text/event-stream; charset=utf-8')
          .header('cache-control', 'no-cache')
          .header('x-accel-buffering', 'no');
        return reply.send(stream);
      },
    );
  };
}
