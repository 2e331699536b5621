import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../auth/types.js';
import { LakecastError } from '../shared/index.js';
import { HttpErrors } from './errors.js';

/** What the HTTP layer needs to authenticate a request. */
export interface HttpAuthenticator {
  authenticatePassword(user: string, password: string): Promise<AuthUser | null>;
  authenticateToken(token: string): Promise<AuthUser | null>;
}

const MAX_CREDENTIAL_LENGTH = 4096;

/**
 * Resolves the user of a request from `Authorization: Basic …` (a Lakecast user and password) or
 * `Authorization: Bearer <token>` (a token created for a user). Returns null when absent or wrong: the caller
 * answers 401 without saying which part was wrong.
 */
export async function authenticateRequest(
  auth: HttpAuthenticator,
  header: string | undefined,
): Promise<AuthUser | null> {
  if (!header || header.length > MAX_CREDENTIAL_LENGTH) return null;
  const space = header.indexOf(' ');
  if (space < 0) return null;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer') return value ? auth.authenticateToken(value) : null;
  if (scheme !== 'basic') return null;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return auth.authenticatePassword(decoded.slice(0, colon), decoded.slice(colon + 1));
}

/** A fastify preHandler that sets `request.lakecastUser` or answers 401 with `LC_HTTP_AUTH_REQUIRED`. */
export function requireUser(auth: HttpAuthenticator) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const user = await authenticateRequest(auth, request.headers.authorization);
    if (!user) {
      reply.header('www-authenticate', 'Basic realm="lakecast", Bearer');
      // One code either way; the message only tells a missing credential from one that was not accepted.
      throw new LakecastError(
        HttpErrors.HTTP_AUTH_REQUIRED,
        request.headers.authorization
          ? 'access denied: the user and password or the token were not accepted'
          : 'authentication required: use basic auth or a bearer token',
      );
    }
    request.lakecastUser = user;
  };
}
