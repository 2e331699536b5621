/**
 * `GET /v1/result-links/{token}`: a result file for whoever holds a link this server signed (see link-signer.ts),
 * without credentials — mounted by the composition root *outside* the API's authentication, like a presigned
 * S3 URL. The token is the credential: checked (signature, expiry, links on) before anything else; the answer is
 * the owner's download (ranges, ETag, gzip) with `Cache-Control: no-store`.
 */
import type { FastifyPluginAsync } from 'fastify';
import { RESULT_LINK_ROUTE } from '../link-signer.js';
import type { TaskService } from '../service.js';
import type { ResultGzip } from './encoding.js';
import { sendResult } from './send-result.js';

/** Where {@link resultLinkRoutes} mounts (from the server's root, outside `/v1`'s authentication). */
export const RESULT_LINK_PREFIX = RESULT_LINK_ROUTE;

const tokenParams = {
  type: 'object',
  required: ['token'],
  // Tokens are ~85 characters; the router answers 414 past 100 (fastify's maxParamLength).
  properties: { token: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;

/** The result-link route (see the module comment). */
export function resultLinkRoutes(options: {
  tasks: TaskService;
  resultGzip?: ResultGzip;
}): FastifyPluginAsync {
  const { tasks, resultGzip = 'remote' } = options;
  return async (app) => {
    app.get<{ Params: { token: string } }>(
      '/:token',
      {
        schema: {
          params: tokenParams,
          summary: 'A result file, for the holder of a result link (no credentials)',
        },
      },
      async (request, reply) => {
        const { token } = request.params;
        reply.header('cache-control', 'no-store');
        return sendResult(request, reply, {
          etagId: token.split('.')[0] ?? token, // the task id; the token is checked when the file is opened
          resultGzip,
          open: (range) => tasks.openResultByLink(token, range),
        });
      },
    );
  };
}
