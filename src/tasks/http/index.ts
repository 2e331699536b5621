/** The tasks HTTP API (fastify plugin). */
export * from './routes.js';
