import 'fastify';
import type { AuthUser } from '../auth/types.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user (basic auth or bearer token); set by the auth hook before every /v1 route. */
    lakecastUser: AuthUser;
  }
}
