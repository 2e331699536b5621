import swagger from '@fastify/swagger';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  LogController,
} from 'fastify';
import type { Metrics } from '../metrics/index.js';
import {
  CommonErrors,
  LakecastError,
  type Logger,
  toLakecastError,
  validationMessage,
} from '../shared/index.js';
import { type HttpAuthenticator, requireUser } from './auth-hook.js';
import { HttpErrors } from './errors.js';
import { type HttpSqlGateway, MAX_HTTP_SQL_BYTES, sqlRoutes } from './routes/sql.js';
import { type TokenService, tokenRoutes } from './routes/tokens.js';
import './types.js';

/** A route plugin another capability contributes (hub, tasks); mounted under `/v1` behind authentication. */
export interface HttpPluginMount {
  readonly prefix: string;
  readonly plugin: FastifyPluginAsync;
}

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly auth: HttpAuthenticator;
  /** Enables `/v1/tokens` (create, list, revoke API tokens). */
  readonly tokens?: TokenService;
  readonly sql: HttpSqlGateway;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly version: string;
  /** Largest request body, bytes (default 8 MiB). */
  readonly bodyLimit?: number;
  /**
   * Connections at once (default: unlimited); more are closed when accepted. Event streams and long polls hold
   * theirs, so this bounds what clients, authenticated or not, can keep open.
   */
  readonly maxConnections?: number;
  readonly plugins?: readonly HttpPluginMount[];
  /**
   * Routes mounted from the root *without* authentication, each with its own credential (a result link's signed
   * token). Prefixes are absolute (`/v1/result-links`).
   */
  readonly publicPlugins?: readonly HttpPluginMount[];
  /** Called by /healthz; throw or return false when a dependency is down. */
  readonly health?: () => Promise<Record<string, unknown>>;
}

export const DEFAULT_HTTP_BODY_LIMIT = 8 * 1024 * 1024;

/**
 * Fastify's `ajv` option for every Lakecast HTTP server: a property that a schema with `additionalProperties:
 * false` does not declare is an error that names it. Fastify's default Ajv options drop it in silence, so a
 * misspelt field (`hint` for `hints`) would be ignored.
 */
export const STRICT_SCHEMAS = { customOptions: { removeAdditional: false } } as const;

/**
 * Builds the HTTP API: `/healthz`, `/metrics` (Prometheus text, authenticated), `/openapi.json`, and `/v1/*`
 * routes, all authenticated by basic auth or bearer tokens. Errors answer `{ error: { code, message, errno,
 * sqlState } }` with the error's HTTP status; internals never leak.
 */
export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Request lines are not logged: they would repeat what the metrics count; errors are logged by the handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? Math.max(DEFAULT_HTTP_BODY_LIMIT, MAX_HTTP_SQL_BYTES * 2),
    forceCloseConnections: true,
    ajv: STRICT_SCHEMAS,
  });
  if (options.maxConnections !== undefined) app.server.maxConnections = options.maxConnections;

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Lakecast HTTP API', version: options.version },
      components: {
        securitySchemes: {
          basicAuth: { type: 'http', scheme: 'basic' },
          bearerAuth: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ basicAuth: [] }, { bearerAuth: [] }],
    },
  });

  app.setErrorHandler((error, request, reply) => {
    let lc: LakecastError;
    const fastifyError = error as {
      validation?: unknown;
      statusCode?: number;
      code?: string;
      message: string;
    };
    if (error instanceof LakecastError) lc = error;
    else if (fastifyError.validation)
      lc = new LakecastError(HttpErrors.HTTP_BAD_BODY, validationMessage(fastifyError));
    else if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      lc = new LakecastError(HttpErrors.HTTP_BODY_TOO_LARGE, 'request body too large');
    else if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500)
      lc = new LakecastError(
        { ...HttpErrors.HTTP_BAD_BODY, httpStatus: fastifyError.statusCode },
        fastifyError.message,
      );
    else lc = toLakecastError(error);
    if (lc.httpStatus >= 500) request.log.error({ err: error, code: lc.code }, 'request failed');
    options.metrics.httpRequests.inc({
      route: request.routeOptions.url ?? 'unknown',
      status: String(lc.httpStatus),
    });
    void reply.status(lc.httpStatus).send({ error: lc.toJSON() });
  });
  app.setNotFoundHandler((request, reply) => {
    const lc = new LakecastError(
      HttpErrors.HTTP_ROUTE_NOT_FOUND,
      `no route ${request.method} ${request.url}`,
    );
    void reply.status(404).send({ error: lc.toJSON() });
  });
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode < 400)
      options.metrics.httpRequests.inc({
        route: request.routeOptions.url ?? 'unknown',
        status: String(reply.statusCode),
      });
  });

  app.get(
    '/healthz',
    { schema: { summary: 'Liveness and dependency health', tags: ['ops'], security: [] } },
    async () => {
      try {
        const detail = options.health ? await options.health() : {};
        return { status: 'ok', version: options.version, ...detail };
      } catch (err) {
        throw new LakecastError(CommonErrors.UNAVAILABLE, `unhealthy: ${toLakecastError(err).message}`);
      }
    },
  );
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const userHook = requireUser(options.auth);
  app.get(
    '/metrics',
    { preHandler: userHook, schema: { summary: 'Prometheus metrics', tags: ['ops'] } },
    async (_req, reply) => {
      reply.type(options.metrics.registry.contentType);
      return options.metrics.registry.metrics();
    },
  );

  await app.register(
    async (v1) => {
      v1.decorateRequest('lakecastUser', null as never);
      v1.addHook('preHandler', userHook);
      await v1.register(sqlRoutes(options.sql));
      if (options.tokens) await v1.register(tokenRoutes(options.tokens));
      for (const mount of options.plugins ?? []) await v1.register(mount.plugin, { prefix: mount.prefix });
    },
    { prefix: '/v1' },
  );
  for (const mount of options.publicPlugins ?? []) await app.register(mount.plugin, { prefix: mount.prefix });
  return app;
}
