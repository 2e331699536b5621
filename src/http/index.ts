/** HTTP API: health, metrics, OpenAPI and the authenticated `/v1` routes. */

export type { HttpAuthenticator } from './auth-hook.js';
export { authenticateRequest, requireUser } from './auth-hook.js';
export { HttpErrors } from './errors.js';
export { cellToJson, rowToJson } from './json-cells.js';
export type { HttpSqlGateway, HttpSqlSession } from './routes/sql.js';
export type { TokenService } from './routes/tokens.js';
export type { HttpPluginMount, HttpServerOptions } from './server.js';
export { createHttpServer, DEFAULT_HTTP_BODY_LIMIT, STRICT_SCHEMAS } from './server.js';
export type * from './types.js';
