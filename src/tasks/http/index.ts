export { acceptsGzip, gzipWanted, isLoopback, type ResultGzip } from './encoding.js';
export { TASKS_HTTP_PREFIX, type TaskRoutesOptions, taskRoutes } from './routes.js';
