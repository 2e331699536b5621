import type { FastifyPluginAsync } from 'fastify';
import type { AuthUser } from '../../auth/types.js';

/** What the token routes need from the auth service. */
export interface TokenService {
  createToken(user: AuthUser, label: string): Promise<{ id: string; token: string }>;
  listTokens(
    actor: AuthUser,
    user?: string,
  ): Promise<readonly { id: string; user: string; label: string; createdAt: Date }[]>;
  revokeToken(actor: AuthUser, id: string): Promise<void>;
}

const createBody = {
  type: 'object',
  additionalProperties: false,
  properties: { label: { type: 'string', maxLength: 200, default: '' } },
} as const;

/**
 * API tokens of the calling user: `POST /v1/tokens` creates one and shows it this once (only its SHA-256 is
 * kept), `GET /v1/tokens` lists the caller's tokens (admins: `?user=`), `DELETE /v1/tokens/{id}` revokes one.
 */
export function tokenRoutes(tokens: TokenService): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: { label?: string } }>(
      '/tokens',
      { schema: { summary: 'Create an API token for the calling user', tags: ['auth'], body: createBody } },
      async (request, reply) => {
        const created = await tokens.createToken(request.lakecastUser, request.body?.label ?? '');
        return reply.status(201).send(created);
      },
    );
    app.get<{ Querystring: { user?: string } }>(
      '/tokens',
      {
        schema: {
          summary: "List the caller's API tokens (never the tokens themselves)",
          tags: ['auth'],
          querystring: { type: 'object', properties: { user: { type: 'string', maxLength: 64 } } },
        },
      },
      async (request) => ({ tokens: await tokens.listTokens(request.lakecastUser, request.query.user) }),
    );
    app.delete<{ Params: { id: string } }>(
      '/tokens/:id',
      { schema: { summary: 'Revoke an API token', tags: ['auth'] } },
      async (request, reply) => {
        await tokens.revokeToken(request.lakecastUser, request.params.id);
        return reply.status(204).send();
      },
    );
  };
}
